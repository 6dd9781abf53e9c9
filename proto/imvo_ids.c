/*  imvo_ids: the shapes of case ids and receipts, for the catalogue's formats and for the
    complaints daemon, which reads the covenant out of them. See imvo_proto.h.
*/
#include "imvo_proto.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

//  Lower-cases len bytes of s into buf as a covenant code; -1 if it cannot be one.
static int
s_covenant_from (const char *s, size_t len, char *buf, size_t size)
{
    if (len == 0 || len >= size)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = (char) tolower ((unsigned char) s [i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return -1;
        buf [i] = c;
    }
    buf [len] = 0;
    return 0;
}

int
imvo_case_id_covenant (const char *case_id, char *buf, size_t size)
{
    //  <COVENANT>-<YYYY>-<NNNN...>: the covenant may hold dashes itself.
    const char *last = strrchr (case_id, '-');
    if (!last || last == case_id)
        return -1;
    const char *year = last - 1;
    while (year > case_id && *year != '-')
        year--;
    if (year == case_id || last - year != 5 || !last [1])
        return -1;
    for (const char *p = year + 1; p < last; p++)
        if (!isdigit ((unsigned char) *p))
            return -1;
    for (const char *p = last + 1; *p; p++)
        if (!isdigit ((unsigned char) *p))
            return -1;
    return s_covenant_from (case_id, (size_t) (year - case_id), buf, size);
}

int
imvo_receipt_normalise (char *receipt, char *buf, size_t size)
{
    //  Keep letters, digits and dashes; upper-case; map look-alikes the way Crockford does.
    char *w = receipt;
    for (const char *r = receipt; *r; r++) {
        char c = (char) toupper ((unsigned char) *r);
        if (c == ' ' || c == '\t')
            continue;
        *w++ = c;
    }
    *w = 0;
    //  The random part is the last 19 characters: XXXX-XXXX-XXXX-XXXX.
    size_t len = strlen (receipt);
    if (len < 21 || receipt [len - 20] != '-')
        return -1;
    char *random = receipt + len - 19;
    for (int i = 0; i < 19; i++) {
        if (i % 5 == 4) {
            if (random [i] != '-')
                return -1;
            continue;
        }
        char c = random [i];
        if (c == 'O')
            c = '0';
        else
        if (c == 'I' || c == 'L')
            c = '1';
        if (!strchr (IMVO_CROCKFORD, c) || c == 0)
            return -1;
        random [i] = c;
    }
    return s_covenant_from (receipt, len - 20, buf, size);
}


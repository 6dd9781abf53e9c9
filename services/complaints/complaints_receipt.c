/*  complaints_receipt: case ids and receipts, their shapes and the receipt's hash.
    See complaints_server.h.
*/
#include "complaints_server.h"

#include <ctype.h>
#include <czmq.h>
#include <sys/random.h>

static const char s_base32 [] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";   //  Crockford

//  Upper-cases a covenant code into buf for ids ("natural-stone" -> "NATURAL-STONE").
static void
s_upper (const char *s, char *buf, size_t size)
{
    size_t i = 0;
    for (; s [i] && i + 1 < size; i++)
        buf [i] = (char) toupper ((unsigned char) s [i]);
    buf [i] = 0;
}

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
complaints_case_covenant (const char *case_id, char *buf, size_t size)
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
complaints_receipt_normalise (char *receipt, char *buf, size_t size)
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
        if (!strchr (s_base32, c) || c == 0)
            return -1;
        random [i] = c;
    }
    return s_covenant_from (receipt, len - 20, buf, size);
}

//  A new receipt for covenant: "TEXTILE-" + 16 Crockford base32 characters in groups of 4.
int
complaints_receipt_new (const char *covenant, char *buf, size_t size)
{
    unsigned char bytes [10];
    if (getrandom (bytes, sizeof bytes, 0) != (ssize_t) sizeof bytes)
        return -1;
    char upper [40];
    s_upper (covenant, upper, sizeof upper);
    int n = snprintf (buf, size, "%s", upper);
    //  80 bits -> 16 symbols of 5 bits, read as one bit string.
    for (int i = 0; i < 16; i++) {
        unsigned v = 0;
        for (int bit = i * 5; bit < i * 5 + 5; bit++)
            v = (v << 1) | ((bytes [bit / 8] >> (7 - bit % 8)) & 1u);
        if (i % 4 == 0)
            n += snprintf (buf + n, size - (size_t) n, "-");
        n += snprintf (buf + n, size - (size_t) n, "%c", s_base32 [v]);
    }
    return 0;
}

//  SHA-1 of a receipt as 40 hex digits.
void
complaints_receipt_hash (const char *receipt, char hex [41])
{
    zdigest_t *d = zdigest_new ();
    zdigest_update (d, (const byte *) receipt, strlen (receipt));
    snprintf (hex, 41, "%s", zdigest_string (d));
    zdigest_destroy (&d);
    for (int i = 0; hex [i]; i++)
        hex [i] = (char) tolower ((unsigned char) hex [i]);
}


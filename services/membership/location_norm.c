/*  location_norm: the normal form of a production location's name and address.

    Two disclosures are the same place when their normal forms match: case, punctuation,
    diacritics and white space do not count, and common legal suffixes at the end of a name
    ("A.S.", "Ltd", "Pvt", "BV", ...) are dropped. Text that is not ASCII goes through ICU's
    transliteration "NFKC; Any-Latin; Latin-ASCII; Lower" first: full-width letters and
    ligatures become plain ones, Vietnamese, Turkish and other Latin letters lose their marks
    (đ -> d, ı -> i), Chinese becomes pinyin and Bengali its Latin transliteration, so that
    the same place written by two companies in two scripts compares equal. The main sourcing
    countries (Bangladesh, China, Turkey, Vietnam, India) write names in all of these.
*/
#include "location_norm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

//  One transliterator per thread (ICU's are not to be shared), closed when the thread ends.
static pthread_key_t s_key;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_close (void *t)
{
    utrans_close ((UTransliterator *) t);
}

static void
s_make_key (void)
{
    pthread_key_create (&s_key, s_close);
}

static UTransliterator *
s_transliterator (void)
{
    pthread_once (&s_once, s_make_key);
    UTransliterator *t = (UTransliterator *) pthread_getspecific (s_key);
    if (!t) {
        UErrorCode err = U_ZERO_ERROR;
        UChar id [64];
        u_uastrcpy (id, "NFKC; Any-Latin; Latin-ASCII; Lower");
        t = utrans_openU (id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
        if (U_FAILURE (err))
            return NULL;
        pthread_setspecific (s_key, t);
    }
    return t;
}

//  in as ASCII where ICU can make it so, into buf (NUL-terminated). in when it is ASCII
//  already, or when ICU fails (then non-ASCII compares byte for byte).
static const char *
s_to_latin (const char *in, char *buf, size_t size)
{
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *) in; *p && ascii; p++)
        ascii = *p < 0x80;
    UTransliterator *t = ascii ? NULL : s_transliterator ();
    if (!t)
        return in;
    UErrorCode err = U_ZERO_ERROR;
    UChar text [LOCATION_NORM_MAX];
    int32_t len = 0;
    u_strFromUTF8Lenient (text, LOCATION_NORM_MAX / 2, &len, in, -1, &err);
    int32_t limit = len;
    if (U_SUCCESS (err))
        utrans_transUChars (t, text, &len, LOCATION_NORM_MAX, 0, &limit, &err);
    int32_t out = 0;
    if (U_SUCCESS (err))
        u_strToUTF8 (buf, (int32_t) size, &out, text, len, &err);
    if (U_FAILURE (err) || err == U_STRING_NOT_TERMINATED_WARNING)
        return in;
    return buf;
}

//  Legal-form words dropped from the end of a name, longest first, as normalised text.
static const char *const s_suffixes [] = {
    "sanayi ve ticaret limited sirketi", "sanayi ve ticaret a s", "san ve tic ltd sti",
    "san tic ltd sti", "ltd sti", "private limited", "pvt ltd", "sdn bhd", "co ltd", "company limited",
    "limited", "company", "a s", "as", "ltd", "pvt", "private", "b v", "bv", "n v", "nv", "gmbh",
    "llc", "inc", "co", "corp", "corporation", "s a", "sa", "s r l", "srl", "spa", "s p a", "plc",
    "sarl", "ag", "kg", "oy", "ab", "jsc", "pt", "tbk", "sti",
    NULL
};

size_t
location_normalise (const char *in, char *out, size_t size, bool name)
{
    char latin [LOCATION_NORM_MAX * 2];
    const unsigned char *p = (const unsigned char *) s_to_latin (in, latin, sizeof latin);
    size_t n = 0;
    bool space = true;                  //  no leading space
    while (*p && n + 4 < size) {
        const char *piece = NULL;
        char one [2] = { 0, 0 };
        if (*p < 0x80) {
            unsigned char c = *p++;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char) (c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                one [0] = (char) c;
                piece = one;
            }
            else
            if (c == '&')
                piece = "and";
            else
                piece = " ";            //  punctuation and white space separate words
        }
        else {
            //  Copy any other UTF-8 sequence (or stray byte) as it is.
            size_t len = (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 1;
            for (size_t i = 0; i < len && p [i] && n + 1 < size; i++)
                out [n++] = (char) p [i];
            p += len;
            space = false;
            continue;
        }
        for (const char *c = piece; *c && n + 1 < size; c++) {
            if (*c == ' ') {
                if (!space)
                    out [n++] = ' ';
                space = true;
            }
            else {
                out [n++] = *c;
                space = false;
            }
        }
    }
    while (n > 0 && out [n - 1] == ' ')
        n--;
    out [n] = 0;
    //  Drop legal suffixes at the end of a name, again while one is there ("... ltd sti").
    bool dropped = name;
    while (dropped) {
        dropped = false;
        for (const char *const *s = s_suffixes; *s; s++) {
            size_t len = strlen (*s);
            if (n > len + 1 && out [n - len - 1] == ' ' && memcmp (out + n - len, *s, len) == 0) {
                n -= len + 1;
                out [n] = 0;
                dropped = true;
                break;
            }
        }
    }
    return n;
}

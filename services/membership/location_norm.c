/*  location_norm: the normal form of a production location's name and address.

    Two disclosures are the same place when their normal forms match: case, punctuation,
    diacritics and white space do not count, and common legal suffixes at the end of a name
    ("A.S.", "Ltd", "Pvt", "BV", ...) are dropped. Letters with diacritics are folded to ASCII
    with a table for U+00C0..U+024F generated from Unicode's decompositions (plus the letters
    that do not decompose: ss, ae, o, d, l, i, oe, th). Other non-ASCII characters are kept
    as they are, so non-Latin names still compare byte for byte.
*/
#include "location_norm.h"

#include <string.h>

//  ASCII folding of U+00C0 .. U+024F (generated; "" drops the character).
static const char *const s_fold [] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n",
    "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss", "a", "a", "a", "a",
    "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o", "o", "o",
    "o", "", "o", "u", "u", "u", "u", "y", "th", "y", "a", "a", "a", "a", "a", "a", "c", "c",
    "c", "c", "c", "c", "c", "c", "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e",
    "e", "e", "g", "g", "g", "g", "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i",
    "i", "i", "i", "i", "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l",
    "l", "l", "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", "s", "s",
    "t", "t", "t", "t", "", "", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "w",
    "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s", "", "", "", "", "", "", "", "", "",
    "", "", "", "", "", "", "e", "", "", "f", "", "", "", "", "", "", "", "", "", "", "", "",
    "", "o", "o", "", "", "", "", "", "", "", "", "", "", "", "", "", "u", "u", "", "", "", "",
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "dz", "dz", "dz", "lj", "lj",
    "lj", "nj", "nj", "nj", "a", "a", "i", "i", "o", "o", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "e", "a", "a", "a", "a", "", "", "", "", "g", "g", "k", "k", "o", "o", "o",
    "o", "", "", "j", "dz", "dz", "dz", "g", "g", "", "", "n", "n", "a", "a", "", "", "", "",
    "a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o", "r", "r",
    "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "", "h", "h", "", "", "", "", "", "",
    "a", "a", "e", "e", "o", "o", "o", "o", "o", "o", "o", "o", "y", "y", "", "", "", "", "",
    "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
};

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
    const unsigned char *p = (const unsigned char *) in;
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
        else
        if ((*p & 0xe0) == 0xc0 && (p [1] & 0xc0) == 0x80) {
            unsigned cp = ((unsigned) (*p & 0x1f) << 6) | (p [1] & 0x3f);
            if (cp >= 0xc0 && cp <= 0x24f) {
                piece = s_fold [cp - 0xc0];
                p += 2;
            }
            else {
                piece = cp == 0xa0 ? " " : "";      //  no-break space; other signs drop
                p += 2;
            }
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

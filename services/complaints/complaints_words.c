/*  complaints_words: the words a case is found by (complaint.list's q). Text is split into
    words by ICU's word break rules (UAX #29: letters, digits and ideographs, not spaces or
    punctuation) and each word is case-folded (u_strFoldCase: "Straße" and "STRASSE" are
    one word), so that the words indexed at submit and the words of a query meet. Words of
    fewer than two bytes say too little to index; words longer than S_WORD_MAX are cut there.
    The same function makes both sides, so whatever it does, a query finds what was indexed.
*/
#include "complaints_server.h"

#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/uchar.h>

#define S_WORD_MAX 64           //  bytes of a word kept (UTF-8)

int
complaints_words (const char *text, zhashx_t *words, size_t max)
{
    UErrorCode status = U_ZERO_ERROR;
    int32_t units = 0;
    u_strFromUTF8 (NULL, 0, &units, text, -1, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE (status))
        return -1;
    UChar *buf = malloc (((size_t) units + 1) * sizeof (UChar));
    assert (buf);
    status = U_ZERO_ERROR;
    u_strFromUTF8 (buf, units + 1, NULL, text, -1, &status);
    UBreakIterator *bi = U_SUCCESS (status) ? ubrk_open (UBRK_WORD, "", buf, units, &status) : NULL;
    if (!bi || U_FAILURE (status)) {
        if (bi)
            ubrk_close (bi);
        free (buf);
        return -1;
    }
    UChar folded [S_WORD_MAX * 2];
    char word [S_WORD_MAX * 4 + 1];
    for (int32_t start = ubrk_first (bi), end = ubrk_next (bi); end != UBRK_DONE && zhashx_size (words) < max;
         start = end, end = ubrk_next (bi)) {
        if (ubrk_getRuleStatus (bi) < UBRK_WORD_NUMBER)
            continue;                                   //  spaces, punctuation
        int32_t len = end - start;
        if (len > S_WORD_MAX)
            len = S_WORD_MAX;
        status = U_ZERO_ERROR;
        int32_t n = u_strFoldCase (folded, (int32_t) (sizeof folded / sizeof folded [0]), buf + start, len,
                                   U_FOLD_CASE_DEFAULT, &status);
        if (U_FAILURE (status))
            continue;
        int32_t bytes = 0;
        status = U_ZERO_ERROR;
        u_strToUTF8 (word, (int32_t) sizeof word - 1, &bytes, folded, n, &status);
        if (U_FAILURE (status) || bytes < 2)
            continue;
        if (bytes > S_WORD_MAX) {
            bytes = S_WORD_MAX;                         //  cut at a character's start
            while (bytes > 0 && ((unsigned char) word [bytes] & 0xC0) == 0x80)
                bytes--;
        }
        word [bytes] = 0;
        zhashx_insert (words, word, (void *) 1);
    }
    ubrk_close (bi);
    free (buf);
    return 0;
}

void
complaints_words_pack (zhashx_t *words, msgpack_packer *pk)
{
    msgpack_pack_array (pk, (uint32_t) zhashx_size (words));
    for (void *v = zhashx_first (words); v; v = zhashx_next (words))
        imvo_pack_str (pk, (const char *) zhashx_cursor (words));
}

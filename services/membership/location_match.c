/*  location_match: trigram similarity of location texts; see location_match.h. */
#include "location_match.h"

#include <stdlib.h>
#include <string.h>

static int
s_cmp (const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return x < y ? -1 : x > y;
}

int
location_sig_init (location_sig_t *sig, const char *text)
{
    size_t len = strlen (text);
    //  The trigrams of "  " + text + " ": as many as the text has bytes, plus one.
    size_t n = len + 1;
    sig->grams = malloc (n * sizeof (uint32_t));
    sig->numbers = malloc (len + 1);
    sig->count = 0;
    if (!sig->grams || !sig->numbers) {
        location_sig_release (sig);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t g = 0;
        for (size_t k = i; k < i + 3; k++) {
            //  Position k in the padded text: 0 and 1 are the leading spaces, len + 2 the last.
            unsigned char c = k < 2 || k >= len + 2 ? ' ' : (unsigned char) text [k - 2];
            g = g << 8 | c;
        }
        sig->grams [i] = g;
    }
    qsort (sig->grams, n, sizeof (uint32_t), s_cmp);
    for (size_t i = 0; i < n; i++)
        if (sig->count == 0 || sig->grams [sig->count - 1] != sig->grams [i])
            sig->grams [sig->count++] = sig->grams [i];
    //  "unit 1 plot 14" -> "1 14"
    char *w = sig->numbers;
    for (const char *r = text; *r; ) {
        if (*r >= '0' && *r <= '9') {
            if (w > sig->numbers)
                *w++ = ' ';
            while (*r >= '0' && *r <= '9')
                *w++ = *r++;
        }
        else
            r++;
    }
    *w = 0;
    return 0;
}

void
location_sig_release (location_sig_t *sig)
{
    free (sig->grams);
    free (sig->numbers);
    sig->grams = NULL;
    sig->numbers = NULL;
    sig->count = 0;
}

double
location_similarity (const location_sig_t *a, const location_sig_t *b)
{
    size_t na = a->count, nb = b->count;
    if (na + nb == 0)
        return 0;
    //  Dice >= 0.8 needs 2 * min (na, nb) >= 0.8 * (na + nb).
    if (2.0 * (double) (na < nb ? na : nb) < LOCATION_NEAR * (double) (na + nb))
        return 0;
    size_t i = 0, j = 0, common = 0;
    while (i < na && j < nb) {
        if (a->grams [i] == b->grams [j])
            common++, i++, j++;
        else
        if (a->grams [i] < b->grams [j])
            i++;
        else
            j++;
    }
    return 2.0 * (double) common / (double) (na + nb);
}

/*  location_match: how alike two production locations are (membership_disclose.c).

    A location's text is its normal name and address ("sunrise garments plot 14 tongi road",
    location_norm.c). Two texts are alike when the Dice coefficient of their character
    trigrams is at least LOCATION_NEAR; their numbers (unit, plot, house number) then tell
    whether they are the same place.
*/
#ifndef LOCATION_MATCH_H
#define LOCATION_MATCH_H

#include <stddef.h>
#include <stdint.h>

#define LOCATION_NEAR 0.8           //  the least similarity of a candidate

typedef struct {
    uint32_t *grams;                //  distinct trigrams of "  <text> ", sorted
    size_t count;
    char *numbers;                  //  the digit runs of the text, space-separated
} location_sig_t;

//  Computes text's signature; 0, or -1 when out of memory.
int location_sig_init (location_sig_t *sig, const char *text);
void location_sig_release (location_sig_t *sig);
//  The Dice coefficient of a and b, or 0 when it cannot reach LOCATION_NEAR (the trigram
//  counts alone rule it out, and nothing is compared).
double location_similarity (const location_sig_t *a, const location_sig_t *b);

#endif

/*  location_norm: normal form of location names and addresses for matching. */
#ifndef LOCATION_NORM_H
#define LOCATION_NORM_H

#include <stdbool.h>
#include <stddef.h>

//  Longest text (in UTF-16 units, after transliteration) that is normalised through ICU;
//  longer text compares byte for byte.
#define LOCATION_NORM_MAX 4096

//  Writes the normal form of in ("Ünal Tekstil A.Ş." -> "unal tekstil") into out (size
//  bytes, NUL-terminated); name: also drop legal suffixes. Returns the length written.
size_t location_normalise (const char *in, char *out, size_t size, bool name);

#endif

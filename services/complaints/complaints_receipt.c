/*  complaints_receipt: case ids and receipts, their shapes and the receipt's hash.
    See complaints_server.h.
*/
#include "complaints_server.h"

#include <ctype.h>
#include <czmq.h>
#include <sys/random.h>

static const char s_base32 [] = IMVO_CROCKFORD;

//  Upper-cases a covenant code into buf for ids ("natural-stone" -> "NATURAL-STONE").
static void
s_upper (const char *s, char *buf, size_t size)
{
    size_t i = 0;
    for (; s [i] && i + 1 < size; i++)
        buf [i] = (char) toupper ((unsigned char) s [i]);
    buf [i] = 0;
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


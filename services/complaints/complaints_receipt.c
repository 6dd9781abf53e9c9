/*  complaints_receipt: case ids and receipts, their shapes and the receipt's hash.
    See complaints_server.h.
*/
#include "complaints_server.h"

#include <ctype.h>
#include <czmq.h>
#include <sys/random.h>
#include <pthread.h>
#include <sodium.h>
#include "imvo_config.h"
#include "imvo_curve.h"
#include "imvo_keys.h"

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

//  The server's receipt key (IMVO_RECEIPT_KEY_FILE: 64 hex digits), loaded once.
static unsigned char s_key [crypto_generichash_KEYBYTES];
static int s_key_rc = -1;
static pthread_once_t s_key_once = PTHREAD_ONCE_INIT;

static void
s_key_load (void)
{
    s_key_rc = imvo_key_env_load ("IMVO_RECEIPT_KEY_FILE", s_key, 0x42);
}

int
complaints_receipt_key (void)
{
    pthread_once (&s_key_once, s_key_load);
    return s_key_rc;
}

void
complaints_receipt_limit (const imvo_request_t *req, const char *covenant, imvo_args_t *keys, imvo_args_t *args)
{
    imvo_args_fmt (keys, "imvo:complaints:{%s}:receipt_misses:%s", covenant, req->client [0] ? req->client : "-");
    //  A role the message's catalogue entry names unlimited (a gateway that limits each of its
    //  own users: the portal) is not limited here.
    imvo_args_fmt (args, "%ld", imvo_proto_unlimited (req) ? 1000000000L
                                                          : imvo_env_long ("IMVO_RECEIPT_TRIES", 10, 1, 1000000));
    imvo_args_fmt (args, "%ld", imvo_env_long ("IMVO_RECEIPT_WINDOW_MS", 60000, 1000, 86400000));
}

//  A receipt's keyed hash (BLAKE2b, crypto_generichash, with the server's key) as 64 hex
//  digits: without the key, a copy of the database says nothing about the receipts.
void
complaints_receipt_hash (const char *receipt, char hex [65])
{
    unsigned char out [32];
    complaints_receipt_key ();
    crypto_generichash (out, sizeof out, (const unsigned char *) receipt, strlen (receipt), s_key, sizeof s_key);
    sodium_bin2hex (hex, 65, out, sizeof out);
}

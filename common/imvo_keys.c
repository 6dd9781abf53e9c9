/*  imvo_keys: the keys of the complainant's data at rest; see imvo_keys.h. */
#include "imvo_keys.h"
#include "imvo_config.h"
#include "imvo_curve.h"

#include <czmq.h>
#include <pthread.h>

int
imvo_key_file_read (const char *what, const char *path, unsigned char key [IMVO_KEY_BYTES])
{
    char hex [2 * IMVO_KEY_BYTES + 64] = "";
    FILE *f = fopen (path, "r");
    size_t got = f ? fread (hex, 1, sizeof hex - 1, f) : 0;
    if (f)
        fclose (f);
    hex [got] = 0;
    size_t len = 0;
    const char *end = NULL;
    if (!f || sodium_hex2bin (key, IMVO_KEY_BYTES, hex, got, " \n\r\t", &len, &end) || len != IMVO_KEY_BYTES
    ||  strspn (end, " \n\r\t") != strlen (end)) {
        zsys_error ("%s %s does not hold a key of %d bytes in hex", what, path, IMVO_KEY_BYTES);
        sodium_memzero (key, IMVO_KEY_BYTES);
        return -1;
    }
    sodium_memzero (hex, sizeof hex);
    return 0;
}

int
imvo_key_env_load (const char *env, unsigned char key [IMVO_KEY_BYTES], unsigned char dev_fill)
{
    if (sodium_init () < 0)
        return -1;
    const char *path = imvo_env (env, NULL);
    if (path)
        return imvo_key_file_read (env, path, key);
    if (imvo_curve_on ()) {
        zsys_error ("%s is not set: it is required with CURVE on (deploy/make-certs.sh makes it)", env);
        return -1;
    }
    zsys_warning ("%s is not set: a development key is used (IMVO_CURVE=off only)", env);
    memset (key, dev_fill, IMVO_KEY_BYTES);
    return 0;
}

static unsigned char s_data [IMVO_KEY_BYTES];
static int s_data_rc = -1;
static pthread_once_t s_data_once = PTHREAD_ONCE_INIT;

static void
s_data_load (void)
{
    s_data_rc = imvo_key_env_load ("IMVO_DATA_KEY_FILE", s_data, 0x5a);
}

const unsigned char *
imvo_data_key (void)
{
    pthread_once (&s_data_once, s_data_load);
    return s_data_rc == 0 ? s_data : NULL;
}

void
imvo_keys_box_from (const unsigned char data [IMVO_KEY_BYTES], unsigned char pk [crypto_box_PUBLICKEYBYTES],
                    unsigned char sk [crypto_box_SECRETKEYBYTES])
{
    unsigned char seed [crypto_box_SEEDBYTES];
    crypto_kdf_derive_from_key (seed, sizeof seed, 1, "imvo-box", data);
    crypto_box_seed_keypair (pk, sk, seed);
    sodium_memzero (seed, sizeof seed);
}

int
imvo_data_box_keys (unsigned char pk [crypto_box_PUBLICKEYBYTES], unsigned char sk [crypto_box_SECRETKEYBYTES])
{
    const unsigned char *data = imvo_data_key ();
    if (!data)
        return -1;
    imvo_keys_box_from (data, pk, sk);
    return 0;
}

static unsigned char s_public [crypto_box_PUBLICKEYBYTES];
static int s_public_rc = -1;
static pthread_once_t s_public_once = PTHREAD_ONCE_INIT;

static void
s_public_load (void)
{
    if (sodium_init () < 0)
        return;
    const char *path = imvo_env ("IMVO_DATA_PUBLIC_KEY_FILE", NULL);
    if (path) {
        s_public_rc = imvo_key_file_read ("IMVO_DATA_PUBLIC_KEY_FILE", path, s_public);
        return;
    }
    if (imvo_curve_on ()) {
        zsys_error ("IMVO_DATA_PUBLIC_KEY_FILE is not set: it is required with CURVE on "
                    "(deploy/make-certs.sh makes it)");
        return;
    }
    //  The development data key's public half (as complaints derives it without CURVE).
    zsys_warning ("IMVO_DATA_PUBLIC_KEY_FILE is not set: the development key's is used (IMVO_CURVE=off only)");
    unsigned char data [IMVO_KEY_BYTES], sk [crypto_box_SECRETKEYBYTES];
    memset (data, 0x5a, sizeof data);
    imvo_keys_box_from (data, s_public, sk);
    sodium_memzero (sk, sizeof sk);
    s_public_rc = 0;
}

const unsigned char *
imvo_data_public_key (void)
{
    pthread_once (&s_public_once, s_public_load);
    return s_public_rc == 0 ? s_public : NULL;
}

int
imvo_keys_seal (const unsigned char key [IMVO_KEY_BYTES], const void *plain, size_t n, const char *ad,
                unsigned char **out, size_t *out_len)
{
    size_t nonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    unsigned char *buf = malloc (n + IMVO_SEAL_OVERHEAD);
    if (!buf)
        return -1;
    randombytes_buf (buf, nonce);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt (buf + nonce, &clen, plain, n, (const unsigned char *) ad,
                                                ad ? strlen (ad) : 0, NULL, buf, key);
    *out = buf;
    *out_len = nonce + (size_t) clen;
    return 0;
}

int
imvo_keys_open (const unsigned char key [IMVO_KEY_BYTES], const void *sealed, size_t n, const char *ad,
                unsigned char **out, size_t *out_len)
{
    size_t nonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    if (n < IMVO_SEAL_OVERHEAD)
        return -1;
    unsigned char *buf = malloc (n - IMVO_SEAL_OVERHEAD + 1);
    if (!buf)
        return -1;
    const unsigned char *s = sealed;
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt (buf, &mlen, NULL, s + nonce, n - nonce, (const unsigned char *) ad,
                                                    ad ? strlen (ad) : 0, s, key)) {
        free (buf);
        return -1;
    }
    buf [mlen] = 0;
    *out = buf;
    *out_len = (size_t) mlen;
    return 0;
}

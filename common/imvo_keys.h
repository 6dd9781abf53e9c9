/*  imvo_keys: the secret keys of the complainant's data at rest (PROTOCOL.md, third part,
    "Evidence and confidentiality at rest"), in one place.

    IMVO_DATA_KEY_FILE (complaints only): 64 hex digits, the data key. The complainant's name,
    contact and attachments are encrypted under it (XChaCha20-Poly1305: imvo_keys_seal for a
    value, libsodium's secretstream with the key for a file) before they reach Redis.
    From it, complaints derives (crypto_kdf, context "imvo-box") the key pair to which the portal
    seals a complainant before it queues her (crypto_box_seal); the public half is what
    IMVO_DATA_PUBLIC_KEY_FILE (the portal) holds: `imvoctl key public FILE` prints it.
    Required when CURVE is on; without CURVE (development, tests) a missing file means a
    development key, and the daemon says so.
*/
#ifndef IMVO_KEYS_H
#define IMVO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <sodium.h>

#define IMVO_KEY_BYTES 32

//  A key of IMVO_KEY_BYTES from a file of 64 hex digits (whitespace around is allowed).
//  0, or -1 (logged, naming what, e.g. "IMVO_DATA_KEY_FILE", and the path).
int imvo_key_file_read (const char *what, const char *path, unsigned char key [IMVO_KEY_BYTES]);

//  A key from the file the environment variable env names; without CURVE only (development,
//  tests), when env is unset, a development key of bytes dev_fill (said in the log). 0, or -1
//  (logged: with CURVE on the variable is required).
int imvo_key_env_load (const char *env, unsigned char key [IMVO_KEY_BYTES], unsigned char dev_fill);

//  The data key (IMVO_DATA_KEY_FILE), loaded once; NULL (logged once) when it cannot be had.
const unsigned char *imvo_data_key (void);
//  The sealing key pair of a data key (crypto_kdf "imvo-box", subkey 1, seeds crypto_box).
void imvo_keys_box_from (const unsigned char data [IMVO_KEY_BYTES], unsigned char pk [crypto_box_PUBLICKEYBYTES],
                         unsigned char sk [crypto_box_SECRETKEYBYTES]);
//  The sealing key pair derived from the data key; 0, or -1 without a data key.
int imvo_data_box_keys (unsigned char pk [crypto_box_PUBLICKEYBYTES], unsigned char sk [crypto_box_SECRETKEYBYTES]);
//  The public half for the portal (IMVO_DATA_PUBLIC_KEY_FILE), loaded once; NULL (logged once)
//  when it cannot be had (a development key's public half without CURVE).
const unsigned char *imvo_data_public_key (void);

//  A value sealed under key with XChaCha20-Poly1305 (IETF AEAD; ad, may be NULL, is bound but
//  not stored: e.g. the case id, so a sealed value cannot be moved to another case). out gets
//  nonce || ciphertext, IMVO_SEAL_OVERHEAD bytes more than n; the caller frees it.
#define IMVO_SEAL_OVERHEAD (crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
int imvo_keys_seal (const unsigned char key [IMVO_KEY_BYTES], const void *plain, size_t n, const char *ad,
                    unsigned char **out, size_t *out_len);
//  The value back (out, freed by the caller, NUL-terminated beyond out_len); -1 when it was
//  not sealed under key with ad (altered, or another key).
int imvo_keys_open (const unsigned char key [IMVO_KEY_BYTES], const void *sealed, size_t n, const char *ad,
                    unsigned char **out, size_t *out_len);

#endif

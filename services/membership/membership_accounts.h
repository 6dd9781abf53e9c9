/*  membership_accounts: what the account files share: membership_accounts.c (the accounts and
    the password library) and membership_sessions.c (signing in, sessions, a new password).
*/
#ifndef MEMBERSHIP_ACCOUNTS_H
#define MEMBERSHIP_ACCOUNTS_H

#include "membership_internal.h"

#include <sodium.h>

#define ACCOUNT_TAG "accounts"
#define ACCOUNT_PREFIX "imvo:membership:{accounts}"
#define TOKEN_BYTES 32                  //  random bytes of an enrollment or session token
#define TOKEN_HEX (2 * TOKEN_BYTES + 1) //  a token, or its hash, in hex with its NUL

//  0 once libsodium and liboath have started (the first call starts them), or -1 with the
//  reply failed.
int membership_pw_ready (imvo_reply_t *reply);
//  The Argon2id string of a password at the configured cost (IMVO_ARGON2_OPSLIMIT,
//  IMVO_ARGON2_MEMLIMIT_KIB); 0, or -1 when out of memory. After membership_pw_ready.
int membership_pw_hash (char out [crypto_pwhash_STRBYTES], const char *password, size_t len);
//  The Argon2id string of a random password: an unknown or unusable account is checked against
//  it, so that a login costs the same time either way. After membership_pw_ready.
const char *membership_pw_dummy (void);
//  A new token (hex) and its hash; a token's BLAKE2b hash (hex): Redis keeps only the hash.
void membership_token_new (char token [TOKEN_HEX], char hash [TOKEN_HEX]);
void membership_token_hash (const char *token, char hash [TOKEN_HEX]);

#endif

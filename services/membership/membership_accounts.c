/*  membership_accounts: the accounts of persons (account.*): create, enroll, list, get,
    disable, reset; and what the account files share: the password library and the tokens. Their
    sessions (login, session, logout, password) are membership_sessions.c's.

    Keys (hash tag {accounts}):
      imvo:membership:{accounts}:account:<username>  hash: username name email role org lang
                                                     admin ('1': a company's administrator)
                                                     status (pending, active, disabled),
                                                     created_at, pwhash (Argon2id string),
                                                     totp (base32 secret), totp_step (the time
                                                     step of the last code used), enroll_hash
                                                     and enroll_expires while a token is open
      imvo:membership:{accounts}:enroll:<hash>       the username an open token is for
      imvo:membership:{accounts}:all                 set of usernames
      imvo:membership:{accounts}:fails:<username>    hash: count, locked_until (wrong logins)
      imvo:membership:{accounts}:session:<hash>      hash: username role org name lang
                                                     created_at seen_at (a session)
      imvo:membership:{accounts}:sessions:<username> set of the person's session hashes

    An enrollment token and a session token are 32 random bytes in hex, given once; Redis holds
    only their BLAKE2b hash (crypto_generichash). Passwords are hashed with Argon2id
    (crypto_pwhash_str; by default at crypto_pwhash_OPSLIMIT_INTERACTIVE and
    crypto_pwhash_MEMLIMIT_INTERACTIVE: 2 passes over 64 MiB; IMVO_ARGON2_OPSLIMIT and
    IMVO_ARGON2_MEMLIMIT_KIB set another cost, for new hashes: a stored hash names its own) on
    the worker thread, never in Lua. TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s, one step either side) are checked with
    liboath, and each works once: a code of the step last used or an older one is refused.
    A session ends after 30 minutes without use and 12 hours in all, on the daemon's clock
    (imvo_now_ms); its Redis expiry (12 h) only collects the garbage. A new password ends the
    person's other sessions; account.disable and account.reset end them all.
*/
#include "membership_accounts.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>

#define ENROLL_LIFETIME_MS (72LL * 3600 * 1000)
#define TOTP_BYTES 20

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static bool s_ready = false;
static unsigned long long s_opslimit;       //  Argon2id's cost for new hashes (s_init)
static size_t s_memlimit;
//  An Argon2id string of a random password: an unknown or unusable account costs a login as
//  much time as a real one, so the time taken does not tell which usernames exist.
static char s_dummy_hash [crypto_pwhash_STRBYTES];

static void
s_init (void)
{
    if (sodium_init () < 0 || oath_init () != OATH_OK)
        return;
    s_opslimit = (unsigned long long) imvo_env_long ("IMVO_ARGON2_OPSLIMIT", crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                     crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_OPSLIMIT_SENSITIVE);
    s_memlimit = (size_t) imvo_env_long ("IMVO_ARGON2_MEMLIMIT_KIB", crypto_pwhash_MEMLIMIT_INTERACTIVE / 1024,
                                         8, crypto_pwhash_MEMLIMIT_SENSITIVE / 1024) * 1024;
    unsigned char pw [16];
    randombytes_buf (pw, sizeof pw);
    if (crypto_pwhash_str (s_dummy_hash, (const char *) pw, sizeof pw, s_opslimit, s_memlimit) == 0)
        s_ready = true;
}

int
membership_pw_ready (imvo_reply_t *reply)
{
    pthread_once (&s_once, s_init);
    if (!s_ready)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, NULL, "the password library could not start");
    return 0;
}

int
membership_pw_hash (char out [crypto_pwhash_STRBYTES], const char *password, size_t len)
{
    return crypto_pwhash_str (out, password, len, s_opslimit, s_memlimit) == 0 ? 0 : -1;
}

const char *
membership_pw_dummy (void)
{
    return s_dummy_hash;
}

void
membership_token_new (char token [TOKEN_HEX], char hash [TOKEN_HEX])
{
    unsigned char raw [TOKEN_BYTES];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (token, TOKEN_HEX, raw, sizeof raw);
    sodium_memzero (raw, sizeof raw);
    membership_token_hash (token, hash);
}

void
membership_token_hash (const char *token, char hash [TOKEN_HEX])
{
    unsigned char h [TOKEN_BYTES];
    crypto_generichash (h, sizeof h, (const unsigned char *) token, strlen (token), NULL, 0);
    sodium_bin2hex (hash, TOKEN_HEX, h, sizeof h);
}

//  After account_create or account_reset committed: the stored reply names the token's hash.
//  The same hash as ours: this request made it, the reply gets the token. Another: a retry
//  with an idempotency key, whose token was given once and is not kept.
static int
s_token_reply (imvo_reply_t *reply, const char *username, const char *token, const char *hash)
{
    bool ours = false;
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    if (msgpack_unpack_next (&u, reply->body.data, reply->body.size, NULL) == MSGPACK_UNPACK_SUCCESS
    &&  u.data.type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object *k = &u.data.via.map.ptr [i].key, *v = &u.data.via.map.ptr [i].val;
            if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == 11 && memcmp (k->via.str.ptr, "enroll_hash", 11) == 0
            &&  v->type == MSGPACK_OBJECT_STR && v->via.str.size == strlen (hash)
            &&  memcmp (v->via.str.ptr, hash, v->via.str.size) == 0)
                ours = true;
        }
    }
    msgpack_unpacked_destroy (&u);
    imvo_reply_reset (reply);
    if (!ours)
        return imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "key",
                                "this request was done already; its enrollment token is given only once "
                                "(account.reset gives a new one)");
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 2);
    imvo_pack_kv_str (pk, "username", username);
    imvo_pack_kv_str (pk, "enroll_token", token);
    return 0;
}

//  A company's accounts are made and disabled by its administrator (the account flag admin,
//  which only the secretariat gives, with account.create), or by the company's own certificate
//  (no person): a company person who is not its admin is refused.
static int
s_company_admin (imvo_ctx_t *ctx, const imvo_request_t *req, imvo_reply_t *reply)
{
    if (strcmp (req->role, "company") != 0 || !req->person [0])
        return 0;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HMGET " ACCOUNT_PREFIX ":account:%s org admin status", req->person);
    if (!r)
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, NULL, "Redis is unavailable");
    bool admin = r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element [0]->type == REDIS_REPLY_STRING
              && strcmp (r->element [0]->str, req->org) == 0 && r->element [1]->type == REDIS_REPLY_STRING
              && strcmp (r->element [1]->str, "1") == 0 && r->element [2]->type == REDIS_REPLY_STRING
              && strcmp (r->element [2]->str, "active") == 0;
    freeReplyObject (r);
    return admin ? 0 : imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "username",
                                        "only the company's administrator manages its accounts; ask the secretariat");
}

//  Starts the call of an account script that imvo_commit runs: no keys (KEYS[1], the
//  idempotency record, is imvo_commit's), ARGV the accounts' prefix and the username.
static void
s_account_args (imvo_args_t *keys, imvo_args_t *args, const char *username)
{
    imvo_args_init (keys);
    imvo_args_init (args);
    imvo_args_str (args, ACCOUNT_PREFIX);
    imvo_args_str (args, username);
}

int
membership_account_create (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (membership_pw_ready (reply))
        return -1;
    const char *role = f [ACCOUNT_CREATE_ROLE].str;
    const char *org = membership_opt (&f [ACCOUNT_CREATE_ORG]);
    bool admin = f [ACCOUNT_CREATE_ADMIN].present && f [ACCOUNT_CREATE_ADMIN].b;
    if (strcmp (req->role, "company") == 0 && strcmp (role, "company") != 0)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "role", "a company creates accounts with role company only");
    if (admin && strcmp (req->role, "secretariat") != 0)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "admin", "only the secretariat makes a company's administrator");
    if (admin && strcmp (role, "company") != 0)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "admin", "admin is for accounts of role company");
    if (s_company_admin (ctx, req, reply))
        return -1;
    if (*org) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "EXISTS imvo:membership:{orgs}:org:%s", org);
        if (!r)
            return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, NULL, "Redis is unavailable");
        bool known = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
        freeReplyObject (r);
        if (!known)
            return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "org", "no organisation has this id");
    }
    char token [TOKEN_HEX], hash [TOKEN_HEX];
    membership_token_new (token, hash);
    int64_t now = imvo_now_ms ();
    imvo_args_t keys, args;
    s_account_args (&keys, &args, f [ACCOUNT_CREATE_USERNAME].str);
    imvo_args_str (&args, f [ACCOUNT_CREATE_NAME].str);
    imvo_args_str (&args, f [ACCOUNT_CREATE_EMAIL].str);
    imvo_args_str (&args, role);
    imvo_args_str (&args, org);
    imvo_args_str (&args, f [ACCOUNT_CREATE_LANG].present ? f [ACCOUNT_CREATE_LANG].str : "nl");
    imvo_args_fmt (&args, "%lld", (long long) now);
    imvo_args_fmt (&args, "%lld", (long long) (now + ENROLL_LIFETIME_MS));
    imvo_args_str (&args, hash);
    imvo_args_str (&args, admin ? "1" : "");
    if (imvo_commit (ctx, req, ACCOUNT_TAG, "account_create", &keys, &args, reply))
        return -1;
    return s_token_reply (reply, f [ACCOUNT_CREATE_USERNAME].str, token, hash);
}

int
membership_account_reset (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (membership_pw_ready (reply))
        return -1;
    char token [TOKEN_HEX], hash [TOKEN_HEX];
    membership_token_new (token, hash);
    int64_t now = imvo_now_ms ();
    imvo_args_t keys, args;
    s_account_args (&keys, &args, f [ACCOUNT_RESET_USERNAME].str);
    imvo_args_fmt (&args, "%lld", (long long) now);
    imvo_args_fmt (&args, "%lld", (long long) (now + ENROLL_LIFETIME_MS));
    imvo_args_str (&args, hash);
    imvo_args_str (&args, f [ACCOUNT_RESET_WHAT].str);
    if (imvo_commit (ctx, req, ACCOUNT_TAG, "account_reset", &keys, &args, reply))
        return -1;
    return s_token_reply (reply, f [ACCOUNT_RESET_USERNAME].str, token, hash);
}

int
membership_account_enroll (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (membership_pw_ready (reply))
        return -1;
    char hash [TOKEN_HEX];
    membership_token_hash (f [ACCOUNT_ENROLL_TOKEN].str, hash);
    //  Argon2id is dear: only for a token that exists (the script checks it again, atomically).
    redisReply *r = imvo_redis_cmd (ctx->redis, "EXISTS " ACCOUNT_PREFIX ":enroll:%s", hash);
    if (!r)
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, NULL, "Redis is unavailable");
    bool known = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject (r);
    if (!known)
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "enroll_token",
                                "this enrollment token is unknown, used already or lapsed");
    char pwhash [crypto_pwhash_STRBYTES];
    if (membership_pw_hash (pwhash, f [ACCOUNT_ENROLL_PASSWORD].str, f [ACCOUNT_ENROLL_PASSWORD].len))
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, NULL, "out of memory hashing the password");
    unsigned char secret [TOTP_BYTES];
    randombytes_buf (secret, sizeof secret);
    char *b32 = NULL;
    size_t b32_len = 0;
    if (oath_base32_encode ((const char *) secret, sizeof secret, &b32, &b32_len) != OATH_OK) {
        sodium_memzero (secret, sizeof secret);
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, NULL, "could not encode the TOTP secret");
    }
    sodium_memzero (secret, sizeof secret);
    //  The prelude's conventions without an idempotency record (imvo_commit would keep one,
    //  with a SHA-1 digest of the body and so of the password): KEYS[1] is a placeholder and
    //  ARGV[1] "0". A retry finds the token used; account.reset gives a new one.
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&keys, ACCOUNT_PREFIX ":idem:-");
    imvo_args_str (&args, "0");
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, hash);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_str (&args, pwhash);
    imvo_args_str (&args, b32);
    int rc = imvo_outbox_commit (ctx, imvo_redis_eval (ctx->redis, "account_enroll", &keys, &args), reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    sodium_memzero (pwhash, sizeof pwhash);
    sodium_memzero (b32, b32_len);
    free (b32);
    return rc;
}

int
membership_account_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return membership_read_tagged (ctx, "account_read", ACCOUNT_TAG, "all", "list",
                                   membership_opt (&f [ACCOUNT_LIST_ORG]), NULL, reply);
}

//  account.get: one account's username, name, role, org (when it has one) and status, read
//  with one HMGET; never its e-mail or secrets. Complaints asks it before it gives a case to a
//  person (complaint.assign).
int
membership_account_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *username = f [ACCOUNT_GET_USERNAME].str;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HMGET " ACCOUNT_PREFIX ":account:%s username name role org status", username);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 5)
        return imvo_redis_fail_free (r, reply);
    int rc = 0;
    if (r->element [0]->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "username", "no account has this username");
    else {
        const char *value [5];
        for (int i = 0; i < 5; i++)
            value [i] = r->element [i]->type == REDIS_REPLY_STRING ? r->element [i]->str : "";
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, *value [3] ? 5 : 4);
        imvo_pack_kv_str (pk, "username", value [0]);
        imvo_pack_kv_str (pk, "name", value [1]);
        imvo_pack_kv_str (pk, "role", value [2]);
        if (*value [3])
            imvo_pack_kv_str (pk, "org", value [3]);
        imvo_pack_kv_str (pk, "status", value [4]);
    }
    freeReplyObject (r);
    return rc;
}

int
membership_account_disable (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (s_company_admin (ctx, req, reply))
        return -1;
    imvo_args_t keys, args;
    s_account_args (&keys, &args, f [ACCOUNT_DISABLE_USERNAME].str);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_str (&args, strcmp (req->role, "company") == 0 ? req->org : "");
    return imvo_commit (ctx, req, ACCOUNT_TAG, "account_disable", &keys, &args, reply);
}

/*  membership_accounts: the accounts of persons (account.*): create, enroll, list, disable,
    reset; and their sessions: login, session, logout, password.

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
#include "membership_internal.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>

#define ACCOUNT_TAG "accounts"
#define ACCOUNT_PREFIX "imvo:membership:{accounts}"
#define ENROLL_LIFETIME_MS (72LL * 3600 * 1000)
#define LOCK_AFTER 5
#define LOCK_MS (15LL * 60 * 1000)
#define TOTP_BYTES 20
#define TOKEN_BYTES 32
#define SESSION_IDLE_MS (30LL * 60 * 1000)
#define SESSION_MAX_MS (12LL * 3600 * 1000)

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

static int
s_check_ready (imvo_reply_t *reply)
{
    pthread_once (&s_once, s_init);
    if (!s_ready)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, NULL, "the password library could not start");
    return 0;
}

//  A new enrollment token (hex).
static void
s_new_token (char token [2 * TOKEN_BYTES + 1])
{
    unsigned char raw [TOKEN_BYTES];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (token, 2 * TOKEN_BYTES + 1, raw, sizeof raw);
    sodium_memzero (raw, sizeof raw);
}

static void
s_token_hash (const char *token, char hash [2 * TOKEN_BYTES + 1])
{
    unsigned char h [TOKEN_BYTES];
    crypto_generichash (h, sizeof h, (const unsigned char *) token, strlen (token), NULL, 0);
    sodium_bin2hex (hash, 2 * TOKEN_BYTES + 1, h, sizeof h);
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

int
membership_account_create (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (s_check_ready (reply))
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
    char token [2 * TOKEN_BYTES + 1], hash [2 * TOKEN_BYTES + 1];
    s_new_token (token);
    s_token_hash (token, hash);
    int64_t now = imvo_now_ms ();
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, f [ACCOUNT_CREATE_USERNAME].str);
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
    if (s_check_ready (reply))
        return -1;
    char token [2 * TOKEN_BYTES + 1], hash [2 * TOKEN_BYTES + 1];
    s_new_token (token);
    s_token_hash (token, hash);
    int64_t now = imvo_now_ms ();
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, f [ACCOUNT_RESET_USERNAME].str);
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
    if (s_check_ready (reply))
        return -1;
    char hash [2 * TOKEN_BYTES + 1];
    s_token_hash (f [ACCOUNT_ENROLL_TOKEN].str, hash);
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
    if (crypto_pwhash_str (pwhash, f [ACCOUNT_ENROLL_PASSWORD].str, f [ACCOUNT_ENROLL_PASSWORD].len,
                           s_opslimit, s_memlimit) != 0)
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

//  Counts a wrong login (or clears the count after a right one).
static void
s_login_count (imvo_ctx_t *ctx, const char *username, bool ok)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, ACCOUNT_PREFIX ":fails:%s", username);
    imvo_args_str (&args, ok ? "ok" : "fail");
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_fmt (&args, "%d", LOCK_AFTER);
    imvo_args_fmt (&args, "%lld", (long long) LOCK_MS);
    redisReply *r = imvo_redis_eval (ctx->redis, "account_login", &keys, &args);
    if (!r || r->type == REDIS_REPLY_ERROR)
        zsys_warning ("account %s: the wrong-login count was not updated", username);
    if (r)
        freeReplyObject (r);
    imvo_args_release (&keys);
    imvo_args_release (&args);
}

static const char *
s_field (redisReply *r, size_t i)
{
    return r->element [i]->type == REDIS_REPLY_STRING ? r->element [i]->str : NULL;
}

//  The fields s_credentials reads of an account, in this order.
enum { A_STATUS, A_PWHASH, A_TOTP, A_COUNT };
#define WRONG_LOGIN "wrong username, password or code, or an account that cannot sign in"

//  Checks a person's password, and her TOTP code when code is not NULL, as a login does: a
//  locked account is refused; both parts are always checked, and an unusable account against a
//  dummy hash, so that neither the answer nor the time says which part was wrong; a wrong try
//  is counted. 0 with the password hash checked against in pwhash and the code's time step in
//  *step, or -1 with the reply failed (forbidden on password, or on username when locked).
static int
s_credentials (imvo_ctx_t *ctx, const char *username, const imvo_value_t *password, const char *code,
               const char *wrong, char pwhash [crypto_pwhash_STRBYTES], uint64_t *step, imvo_reply_t *reply)
{
    int64_t now = imvo_now_ms ();
    redisReply *lock = imvo_redis_cmd (ctx->redis, "HGET " ACCOUNT_PREFIX ":fails:%s locked_until", username);
    redisReply *a = imvo_redis_cmd (ctx->redis, "HMGET " ACCOUNT_PREFIX ":account:%s status pwhash totp", username);
    if (!lock || !a || a->type != REDIS_REPLY_ARRAY || a->elements != A_COUNT) {
        if (lock)
            freeReplyObject (lock);
        if (a)
            freeReplyObject (a);
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, NULL, "Redis is unavailable");
    }
    bool locked = lock->type == REDIS_REPLY_STRING && atoll (lock->str) > now;
    freeReplyObject (lock);
    if (locked) {
        freeReplyObject (a);
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "username",
                                "too many wrong tries: this account is locked for 15 minutes");
    }
    const char *status = s_field (a, A_STATUS), *hash = s_field (a, A_PWHASH), *totp = s_field (a, A_TOTP);
    bool usable = status && strcmp (status, "active") == 0 && hash && totp && strlen (hash) < crypto_pwhash_STRBYTES;
    bool pw_ok = crypto_pwhash_str_verify (usable ? hash : s_dummy_hash, password->str, password->len) == 0;
    bool code_ok = code == NULL;
    if (usable && code) {
        char *secret = NULL;
        size_t secret_len = 0;
        if (oath_base32_decode (totp, strlen (totp), &secret, &secret_len) == OATH_OK) {
            int pos = 0;
            code_ok = oath_totp_validate3 (secret, secret_len, (time_t) (now / 1000), 30, 0, 1, &pos, step, code) >= 0;
            sodium_memzero (secret, secret_len);
            free (secret);
        }
    }
    if (usable)
        snprintf (pwhash, crypto_pwhash_STRBYTES, "%s", hash);
    freeReplyObject (a);
    if (!usable || !pw_ok || !code_ok) {
        if (usable)
            s_login_count (ctx, username, false);
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "password", "%s", wrong);
    }
    return 0;
}

//  A string field of a packed map (a script's reply), or "".
static void
s_packed_str (const msgpack_object *map, const char *key, char *buf, size_t size)
{
    const msgpack_object *v = imvo_map_get (map, key);
    if (v && v->type == MSGPACK_OBJECT_STR)
        snprintf (buf, size, "%.*s", (int) v->via.str.size, v->via.str.ptr);
    else
        buf [0] = 0;
}

//  account.login: the password and TOTP code checked here, then account_session_open uses the
//  code's time step up (a code of that step or an older one is refused: no replay within its
//  window) and begins the session. The token is given once; Redis holds its hash.
int
membership_account_login (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (s_check_ready (reply))
        return -1;
    const char *username = f [ACCOUNT_LOGIN_USERNAME].str;
    char pwhash [crypto_pwhash_STRBYTES] = "";
    uint64_t step = 0;
    if (s_credentials (ctx, username, &f [ACCOUNT_LOGIN_PASSWORD], f [ACCOUNT_LOGIN_TOTP].str, WRONG_LOGIN,
                       pwhash, &step, reply))
        return -1;
    char token [2 * TOKEN_BYTES + 1], hash [2 * TOKEN_BYTES + 1];
    s_new_token (token);
    s_token_hash (token, hash);
    int64_t now = imvo_now_ms ();
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, ACCOUNT_PREFIX ":account:%s", username);
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, username);
    imvo_args_str (&args, pwhash);
    imvo_args_fmt (&args, "%llu", (unsigned long long) step);
    imvo_args_str (&args, hash);
    imvo_args_fmt (&args, "%lld", (long long) now);
    imvo_args_fmt (&args, "%lld", (long long) SESSION_MAX_MS);
    redisReply *r = imvo_redis_eval (ctx->redis, "account_session_open", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    sodium_memzero (pwhash, sizeof pwhash);
    if (!r || r->type != REDIS_REPLY_STRING) {
        //  A replayed code (or an account changed meanwhile) is a wrong login like any other.
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "forbidden|", 10) == 0)
            s_login_count (ctx, username, false);
        int rc = imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        sodium_memzero (token, sizeof token);
        return rc ? rc : -1;
    }
    char name [256], role [32], org [72], lang [8];
    msgpack_unpacked u;
    msgpack_unpacked_init (&u);
    if (msgpack_unpack_next (&u, r->str, r->len, NULL) == MSGPACK_UNPACK_SUCCESS && u.data.type == MSGPACK_OBJECT_MAP) {
        s_packed_str (&u.data, "name", name, sizeof name);
        s_packed_str (&u.data, "role", role, sizeof role);
        s_packed_str (&u.data, "org", org, sizeof org);
        s_packed_str (&u.data, "lang", lang, sizeof lang);
    }
    else
        name [0] = role [0] = org [0] = lang [0] = 0;
    msgpack_unpacked_destroy (&u);
    freeReplyObject (r);
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 7);
    imvo_pack_kv_str (pk, "session", token);
    imvo_pack_kv_str (pk, "username", username);
    imvo_pack_kv_str (pk, "name", name);
    imvo_pack_kv_str (pk, "role", role);
    imvo_pack_kv_str (pk, "org", org);
    imvo_pack_kv_str (pk, "lang", *lang ? lang : "nl");
    imvo_pack_kv_int (pk, "expires_at", now + SESSION_IDLE_MS);
    sodium_memzero (token, sizeof token);
    //  Who signed in is audited (never the token: the entry holds no reply).
    imvo_audit_mark (reply, "account.login", username);
    return 0;
}

//  account.session ('check') and account.logout ('end').
static int
s_session (imvo_ctx_t *ctx, const char *token, const char *mode, imvo_reply_t *reply)
{
    char hash [2 * TOKEN_BYTES + 1];
    s_token_hash (token, hash);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, ACCOUNT_PREFIX ":session:%s", hash);
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, mode);
    imvo_args_str (&args, hash);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_fmt (&args, "%lld", (long long) SESSION_IDLE_MS);
    imvo_args_fmt (&args, "%lld", (long long) SESSION_MAX_MS);
    int rc = membership_read (ctx, "account_session", &keys, &args, reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

int
membership_account_session (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (s_check_ready (reply))
        return -1;
    return s_session (ctx, f [ACCOUNT_SESSION_SESSION].str, "check", reply);
}

int
membership_account_logout (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (s_check_ready (reply))
        return -1;
    return s_session (ctx, f [ACCOUNT_LOGOUT_SESSION].str, "end", reply);
}

//  account.password: a person's own password, the present one checked as a login does (without
//  the TOTP code: she is signed in). Sent by a gateway for the signed-in person (actor.person
//  must be the username), or by a service. A certificate of a person's role without a person
//  (the secretariat's imvoctl) may not: for another's password that is account.reset.
int
membership_account_password (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (s_check_ready (reply))
        return -1;
    const char *username = f [ACCOUNT_PASSWORD_USERNAME].str;
    if (req->person [0] ? strcmp (req->person, username) != 0 : strcmp (req->role, "service") != 0)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "username",
                                "a person changes only her own password, signed in (actor.person); "
                                "the secretariat gives a new enrollment with account.reset");
    char pwhash [crypto_pwhash_STRBYTES] = "";
    if (s_credentials (ctx, username, &f [ACCOUNT_PASSWORD_PASSWORD], NULL,
                       "the present password is wrong, or the account cannot sign in", pwhash, NULL, reply))
        return -1;
    char newhash [crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str (newhash, f [ACCOUNT_PASSWORD_NEW].str, f [ACCOUNT_PASSWORD_NEW].len,
                           s_opslimit, s_memlimit) != 0) {
        sodium_memzero (pwhash, sizeof pwhash);
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, NULL, "out of memory hashing the password");
    }
    char kept [2 * TOKEN_BYTES + 1] = "";
    if (f [ACCOUNT_PASSWORD_SESSION].present)
        s_token_hash (f [ACCOUNT_PASSWORD_SESSION].str, kept);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, ACCOUNT_PREFIX ":account:%s", username);
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, username);
    imvo_args_str (&args, pwhash);
    imvo_args_str (&args, newhash);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_str (&args, kept);
    redisReply *r = imvo_redis_eval (ctx->redis, "account_password", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    sodium_memzero (pwhash, sizeof pwhash);
    sodium_memzero (newhash, sizeof newhash);
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        int rc = imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        return rc ? rc : -1;
    }
    freeReplyObject (r);
    s_login_count (ctx, username, true);
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_kv_str (pk, "username", username);
    imvo_audit_mark (reply, "account.password", username);
    return 0;
}

int
membership_account_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return membership_read_tagged (ctx, "account_read", ACCOUNT_TAG, "all", "list",
                                   membership_opt (&f [ACCOUNT_LIST_ORG]), NULL, reply);
}

int
membership_account_disable (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (s_company_admin (ctx, req, reply))
        return -1;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&args, ACCOUNT_PREFIX);
    imvo_args_str (&args, f [ACCOUNT_DISABLE_USERNAME].str);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_str (&args, strcmp (req->role, "company") == 0 ? req->org : "");
    return imvo_commit (ctx, req, ACCOUNT_TAG, "account_disable", &keys, &args, reply);
}

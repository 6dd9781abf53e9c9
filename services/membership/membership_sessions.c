/*  membership_sessions: a person's sessions (account.login, account.session, account.logout)
    and her own new password (account.password), which ends her other sessions.

    The password is checked against its Argon2id hash here, on the worker thread, and the
    TOTP code with liboath; the scripts (lua/account_session_open.lua, account_session.lua,
    account_password.lua) then check atomically that the account is still the one checked.
    Too many wrong logins lock the account for a while (lua/account_login.lua). The keys and
    the rest of the design: membership_accounts.c.
*/
#include "membership_accounts.h"

#include <liboath/oath.h>

#define LOCK_AFTER 5                            //  wrong logins in a row that lock an account
#define LOCK_MS (15LL * 60 * 1000)              //  for this long
#define SESSION_IDLE_MS (30LL * 60 * 1000)      //  a session ends after this long unused
#define SESSION_MAX_MS (12LL * 3600 * 1000)     //  and after this long in all

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
    bool pw_ok = crypto_pwhash_str_verify (usable ? hash : membership_pw_dummy (), password->str, password->len) == 0;
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
    if (membership_pw_ready (reply))
        return -1;
    const char *username = f [ACCOUNT_LOGIN_USERNAME].str;
    char pwhash [crypto_pwhash_STRBYTES] = "";
    uint64_t step = 0;
    if (s_credentials (ctx, username, &f [ACCOUNT_LOGIN_PASSWORD], f [ACCOUNT_LOGIN_TOTP].str, WRONG_LOGIN,
                       pwhash, &step, reply))
        return -1;
    char token [TOKEN_HEX], hash [TOKEN_HEX];
    membership_token_new (token, hash);
    int64_t now = imvo_now_ms ();
    imvo_args_t keys, args;
    membership_args (&keys, &args, ACCOUNT_TAG, "account:%s", username);
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
        sodium_memzero (token, sizeof token);
        return imvo_redis_fail_free (r, reply);
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
    if (membership_pw_ready (reply))
        return -1;
    char hash [TOKEN_HEX];
    membership_token_hash (token, hash);
    imvo_args_t keys, args;
    membership_args (&keys, &args, ACCOUNT_TAG, "session:%s", hash);
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
    return s_session (ctx, f [ACCOUNT_SESSION_SESSION].str, "check", reply);
}

int
membership_account_logout (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_session (ctx, f [ACCOUNT_LOGOUT_SESSION].str, "end", reply);
}

//  account.password: a person's own password, the present one checked as a login does (without
//  the TOTP code: she is signed in). Sent by a gateway for the signed-in person (actor.person
//  must be the username), or by a service. A certificate of a person's role without a person
//  (the secretariat's imvoctl) may not: for another's password that is account.reset.
int
membership_account_password (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (membership_pw_ready (reply))
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
    if (membership_pw_hash (newhash, f [ACCOUNT_PASSWORD_NEW].str, f [ACCOUNT_PASSWORD_NEW].len)) {
        sodium_memzero (pwhash, sizeof pwhash);
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, NULL, "out of memory hashing the password");
    }
    char kept [TOKEN_HEX] = "";
    if (f [ACCOUNT_PASSWORD_SESSION].present)
        membership_token_hash (f [ACCOUNT_PASSWORD_SESSION].str, kept);
    imvo_args_t keys, args;
    membership_args (&keys, &args, ACCOUNT_TAG, "account:%s", username);
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
    if (!r || r->type != REDIS_REPLY_INTEGER)
        return imvo_redis_fail_free (r, reply);
    freeReplyObject (r);
    s_login_count (ctx, username, true);
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_kv_str (pk, "username", username);
    imvo_audit_mark (reply, "account.password", username);
    return 0;
}

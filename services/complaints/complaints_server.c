/*  complaints_server: the complaints and disputes mechanism.

    A complaint arrives as complaint.submit (the daemon's request socket is its queue), is
    checked by the catalogue (proto/catalogue_complaints.c) and then here for the rules that
    span fields, and is committed with its complaint.received event by one script
    (lua/complaint_submit.lua), idempotent by the request's key.

    Keys, all under the covenant's hash tag so a case and its event share a slot:
      imvo:complaints:{<covenant>}:case:<case_id>          hash, the case
      imvo:complaints:{<covenant>}:case:<case_id>:history  list of packed history entries
      imvo:complaints:{<covenant>}:cases                   zset of case ids by arrival
      imvo:complaints:{<covenant>}:seq:<year>              case counter
      imvo:complaints:{<covenant>}:receipt:<sha1>          receipt hash -> case id
      imvo:complaints:{<covenant>}:events                  the outbox stream

    Confidentiality: only a SHA-1 of an anonymous complainant's receipt is kept with the case
    (the receipt holds 80 random bits, so the hash cannot be inverted by trying). The receipt
    itself lives only in the reply, and in the idempotency record that lets a retried submit
    return the same receipt; that record expires after IDEM_TTL_SUBMIT seconds.
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"
#include "imvo_client.h"
#include "imvo_config.h"

#include <ctype.h>
#include <sys/random.h>
#include <time.h>

#define IDEM_TTL_SUBMIT 86400   //  a retried submit within a day gets the first reply

extern const imvo_script_t complaints_scripts [];

static const char s_base32 [] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";   //  Crockford

//  Upper-cases a covenant code into buf for ids ("natural-stone" -> "NATURAL-STONE").
static void
s_upper (const char *s, char *buf, size_t size)
{
    size_t i = 0;
    for (; s [i] && i + 1 < size; i++)
        buf [i] = (char) toupper ((unsigned char) s [i]);
    buf [i] = 0;
}

//  Lower-cases len bytes of s into buf as a covenant code; -1 if it cannot be one.
static int
s_covenant_from (const char *s, size_t len, char *buf, size_t size)
{
    if (len == 0 || len >= size)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = (char) tolower ((unsigned char) s [i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return -1;
        buf [i] = c;
    }
    buf [len] = 0;
    return 0;
}

int
complaints_case_covenant (const char *case_id, char *buf, size_t size)
{
    //  <COVENANT>-<YYYY>-<NNNN...>: the covenant may hold dashes itself.
    const char *last = strrchr (case_id, '-');
    if (!last || last == case_id)
        return -1;
    const char *year = last - 1;
    while (year > case_id && *year != '-')
        year--;
    if (year == case_id || last - year != 5 || !last [1])
        return -1;
    for (const char *p = year + 1; p < last; p++)
        if (!isdigit ((unsigned char) *p))
            return -1;
    for (const char *p = last + 1; *p; p++)
        if (!isdigit ((unsigned char) *p))
            return -1;
    return s_covenant_from (case_id, (size_t) (year - case_id), buf, size);
}

int
complaints_receipt_normalise (char *receipt, char *buf, size_t size)
{
    //  Keep letters, digits and dashes; upper-case; map look-alikes the way Crockford does.
    char *w = receipt;
    for (const char *r = receipt; *r; r++) {
        char c = (char) toupper ((unsigned char) *r);
        if (c == ' ' || c == '\t')
            continue;
        *w++ = c;
    }
    *w = 0;
    //  The random part is the last 19 characters: XXXX-XXXX-XXXX-XXXX.
    size_t len = strlen (receipt);
    if (len < 21 || receipt [len - 20] != '-')
        return -1;
    char *random = receipt + len - 19;
    for (int i = 0; i < 19; i++) {
        if (i % 5 == 4) {
            if (random [i] != '-')
                return -1;
            continue;
        }
        char c = random [i];
        if (c == 'O')
            c = '0';
        else
        if (c == 'I' || c == 'L')
            c = '1';
        if (!strchr (s_base32, c) || c == 0)
            return -1;
        random [i] = c;
    }
    return s_covenant_from (receipt, len - 20, buf, size);
}

//  A new receipt for covenant: "TEXTILE-" + 16 Crockford base32 characters in groups of 4.
static int
s_new_receipt (const char *covenant, char *buf, size_t size)
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
static void
s_receipt_hash (const char *receipt, char hex [41])
{
    zdigest_t *d = zdigest_new ();
    zdigest_update (d, (const byte *) receipt, strlen (receipt));
    snprintf (hex, 41, "%s", zdigest_string (d));
    zdigest_destroy (&d);
    for (int i = 0; hex [i]; i++)
        hex [i] = (char) tolower ((unsigned char) hex [i]);
}

static const char *
s_actor (const imvo_request_t *req)
{
    return req->role [0] ? req->role : "anonymous";
}

//  Per worker: the client to membership, and how long to skip asking it after it failed to
//  answer (so that a membership outage costs one timeout per worker, not one per complaint).
typedef struct {
    imvo_client_t *membership;
    int64_t skip_until;         //  zclock_mono
} s_local_t;

static void
s_local_free (void **local_p)
{
    s_local_t *local = (s_local_t *) *local_p;
    if (local) {
        imvo_client_destroy (&local->membership);
        free (local);
        *local_p = NULL;
    }
}

//  Asks membership whether respondent is a company that is a member of covenant. Refuses
//  (invalid_argument naming respondent) when membership says no. When membership does not
//  answer, the complaint is still taken, marked unverified: a complaint is never lost
//  because another daemon is down. Returns -1 on refusal; *verified says what was checked.
static int
s_check_respondent (imvo_ctx_t *ctx, const char *covenant, const char *respondent, bool *verified,
                    imvo_reply_t *reply)
{
    *verified = false;
    if (!ctx->local) {
        s_local_t *local = calloc (1, sizeof *local);
        assert (local);
        local->membership = imvo_client_new_for ("membership");
        assert (local->membership);
        imvo_client_set_timeout (local->membership, (int) imvo_env_long ("IMVO_MEMBERSHIP_TIMEOUT_MS", 1000, 10, 60000));
        imvo_client_set_attempts (local->membership, 1);
        ctx->local = local;
        ctx->local_free = s_local_free;
    }
    s_local_t *local = (s_local_t *) ctx->local;
    if (zclock_mono () < local->skip_until)
        return 0;
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "org_id", respondent);
    imvo_response_t resp;
    int rc = 0;
    if (imvo_client_call (local->membership, "member.get", NULL, body.data, body.size, &resp) == 0) {
        if (resp.ok) {
            bool company = imvo_obj_streq (imvo_map_get (resp.body, "kind"), "company");
            bool active = imvo_obj_streq (imvo_map_get (resp.body, "status"), "active");
            if (!company || !active)
                rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "respondent",
                                      "respondent %s is not %s of the %s covenant", respondent,
                                      company ? "a current member" : "a company", covenant);
            *verified = rc == 0;
        }
        else
        if (resp.err.code == IMVO_ERR_NOT_FOUND && streq (resp.err.field, "covenant"))
            rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "covenant", "no covenant %s", covenant);
        else
        if (resp.err.code == IMVO_ERR_NOT_FOUND)
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "respondent",
                                  "respondent %s is not a member of the %s covenant", respondent, covenant);
    }
    else {
        zsys_warning ("membership did not answer; complaints are taken unverified for 10 s");
        local->skip_until = zclock_mono () + 10000;
    }
    imvo_response_release (&resp);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

static int
s_complaint_submit (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    bool anonymous = f [COMPLAINT_SUBMIT_ANONYMOUS].b;
    if (anonymous && f [COMPLAINT_SUBMIT_NAME].present)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "complainant.name",
                                "an anonymous complaint must not carry complainant.name");
    if (anonymous && f [COMPLAINT_SUBMIT_SHARE].present && f [COMPLAINT_SUBMIT_SHARE].b)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "complainant.share_identity",
                                "complainant.share_identity cannot be true when complainant.anonymous is true");
    if (!anonymous && !f [COMPLAINT_SUBMIT_NAME].present)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "complainant.name",
                                "complainant.name is required unless complainant.anonymous is true");
    if (!anonymous && !f [COMPLAINT_SUBMIT_CONTACT].present)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "complainant.contact",
                                "complainant.contact is required unless complainant.anonymous is true");
    const char *covenant = f [COMPLAINT_SUBMIT_COVENANT].str;
    bool verified;
    if (s_check_respondent (ctx, covenant, f [COMPLAINT_SUBMIT_RESPONDENT].str, &verified, reply))
        return -1;
    char receipt [64] = "", receipt_hash [41] = "";
    if (anonymous) {
        if (s_new_receipt (covenant, receipt, sizeof receipt))
            return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "no randomness for a receipt");
        s_receipt_hash (receipt, receipt_hash);
    }
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);

    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_idem_args (ctx, req, covenant, IDEM_TTL_SUBMIT, &keys, &args);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_str (&args, covenant);
    imvo_args_fmt (&args, "%04d", tm.tm_year + 1900);
    imvo_args_str (&args, f [COMPLAINT_SUBMIT_RESPONDENT].str);
    imvo_args_str (&args, f [COMPLAINT_SUBMIT_SUMMARY].str);
    imvo_args_str (&args, f [COMPLAINT_SUBMIT_DESCRIPTION].str);
    imvo_args_str (&args, anonymous ? "1" : "0");
    for (int i = COMPLAINT_SUBMIT_NAME; i <= COMPLAINT_SUBMIT_KIND; i++)
        imvo_args_str (&args, f [i].present ? f [i].str : "");
    imvo_args_str (&args, f [COMPLAINT_SUBMIT_SHARE].present && f [COMPLAINT_SUBMIT_SHARE].b ? "1" : "0");
    imvo_args_str (&args, f [COMPLAINT_SUBMIT_COUNTRY].present ? f [COMPLAINT_SUBMIT_COUNTRY].str : "");
    imvo_args_str (&args, f [COMPLAINT_SUBMIT_LOCATION].present ? f [COMPLAINT_SUBMIT_LOCATION].str : "");
    imvo_args_str (&args, receipt_hash);
    imvo_args_str (&args, receipt);
    imvo_args_str (&args, s_actor (req));
    imvo_args_str (&args, verified ? "1" : "0");
    redisReply *r = imvo_redis_eval (ctx->redis, "complaint_submit", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return imvo_outbox_commit (ctx, r, reply);
}

static int
s_complaint_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *case_id = f [COMPLAINT_GET_CASE_ID].str;
    char covenant [40];
    if (complaints_case_covenant (case_id, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id",
                                "case_id must look like TEXTILE-2026-0042");
    char view [80] = "full";
    if (streq (req->role, "company")) {
        if (!req->org [0])
            return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "actor.org", "a company actor must name its org");
        snprintf (view, sizeof view, "company:%s", req->org);
    }
    else
    if (!imvo_actor_staff (req))
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "actor.role",
                                "role '%s' may not read case files; a complainant uses complaint.status", req->role);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_args_str (&args, view);
    redisReply *r = imvo_redis_eval (ctx->redis, "complaint_get", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return imvo_redis_packed_reply (r, reply);
}

static int
s_complaint_status (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    char receipt [96], covenant [40], hash [41];
    snprintf (receipt, sizeof receipt, "%s", f [COMPLAINT_STATUS_RECEIPT].str);
    if (complaints_receipt_normalise (receipt, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "receipt",
                                "receipt must look like TEXTILE-7KQ4-M9PX-2HRT-WC3D");
    s_receipt_hash (receipt, hash);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:receipt:%s", covenant, hash);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    redisReply *r = imvo_redis_eval (ctx->redis, "complaint_status", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return imvo_redis_packed_reply (r, reply);
}

//  One covenant's newest cases (packed array) from lua/complaint_list.lua; NULL when down.
static redisReply *
s_list_covenant (imvo_ctx_t *ctx, const char *covenant, long limit, const char *status)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:cases", covenant);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_fmt (&args, "%ld", limit);
    imvo_args_str (&args, status);
    redisReply *r = imvo_redis_eval (ctx->redis, "complaint_list", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return r;
}

static int
s_by_received_desc (const void *a, const void *b)
{
    int64_t x = 0, y = 0;
    imvo_obj_int (imvo_map_get (*(const msgpack_object *const *) a, "received_at"), &x);
    imvo_obj_int (imvo_map_get (*(const msgpack_object *const *) b, "received_at"), &y);
    return x < y ? 1 : x > y ? -1 : 0;
}

static int
s_complaint_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (imvo_need_staff (req, reply))
        return -1;
    long limit = f [COMPLAINT_LIST_LIMIT].present ? (long) f [COMPLAINT_LIST_LIMIT].i : 100;
    const char *status = f [COMPLAINT_LIST_STATUS].present ? f [COMPLAINT_LIST_STATUS].str : "";
    //  The covenants to look in: the one asked for, or every covenant that has cases.
    zlist_t *covenants = zlist_new ();
    zlist_autofree (covenants);
    if (f [COMPLAINT_LIST_COVENANT].present)
        zlist_append (covenants, (void *) f [COMPLAINT_LIST_COVENANT].str);
    else {
        char cursor [32] = "0";
        do {
            redisReply *r = imvo_redis_cmd (ctx->redis, "SCAN %s MATCH imvo:complaints:{*}:cases COUNT 1000", cursor);
            if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
                zlist_destroy (&covenants);
                imvo_redis_fail (r, reply);
                if (r)
                    freeReplyObject (r);
                return -1;
            }
            snprintf (cursor, sizeof cursor, "%s", r->element [0]->str);
            for (size_t i = 0; i < r->element [1]->elements; i++) {
                const char *key = r->element [1]->element [i]->str;       //  imvo:complaints:{c}:cases
                const char *open = strchr (key, '{'), *close = open ? strchr (open, '}') : NULL;
                if (close) {
                    char covenant [64];
                    snprintf (covenant, sizeof covenant, "%.*s", (int) (close - open - 1), open + 1);
                    zlist_append (covenants, covenant);
                }
            }
            freeReplyObject (r);
        } while (!streq (cursor, "0"));
    }
    //  Merge the per-covenant lists newest first.
    zlist_t *replies = zlist_new ();
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    size_t total = 0, cap = 0;
    const msgpack_object **all = NULL;
    int rc = 0;
    for (const char *c = zlist_first (covenants); c && rc == 0; c = zlist_next (covenants)) {
        redisReply *r = s_list_covenant (ctx, c, limit, status);
        msgpack_object list;
        const char *why;
        if (!r || r->type != REDIS_REPLY_STRING)
            rc = imvo_redis_fail (r, reply);
        else
        if (imvo_msg_unpack (r->str, r->len, &zone, &list, &why))
            rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable case list: %s", why);
        if (rc) {
            if (r)
                freeReplyObject (r);
            break;
        }
        zlist_append (replies, r);
        for (uint32_t i = 0; list.type == MSGPACK_OBJECT_ARRAY && i < list.via.array.size; i++) {
            if (total == cap) {
                cap = cap ? cap * 2 : 64;
                all = realloc (all, cap * sizeof *all);
                assert (all);
            }
            all [total++] = &list.via.array.ptr [i];
        }
    }
    if (rc == 0) {
        if (total > 1)
            qsort (all, total, sizeof *all, s_by_received_desc);
        if (total > (size_t) limit)
            total = (size_t) limit;
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 1);
        imvo_pack_str (pk, "cases");
        msgpack_pack_array (pk, (uint32_t) total);
        for (size_t i = 0; i < total; i++)
            msgpack_pack_object (pk, *all [i]);
    }
    free (all);
    msgpack_zone_destroy (&zone);
    for (redisReply *r = zlist_first (replies); r; r = zlist_next (replies))
        freeReplyObject (r);
    zlist_destroy (&replies);
    zlist_destroy (&covenants);
    return rc;
}

static const imvo_handler_t s_handlers [] = {
    { "complaint.submit", s_complaint_submit },
    { "complaint.get", s_complaint_get },
    { "complaint.status", s_complaint_status },
    { "complaint.list", s_complaint_list },
    { NULL, NULL },
};

const imvo_service_def_t complaints_service = {
    .name = "complaints",
    .handlers = s_handlers,
    .scripts = complaints_scripts,
};

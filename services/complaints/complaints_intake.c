/*  complaints_intake: the intake queue (proto/README.md). A producer that cannot wait
    for a reply (a web form, a mail gateway, a partner's system) appends to the Redis stream
    imvo:complaints:intake an entry with one field, msg: a complaint.submit envelope with a key.

    The runtime reads it as one of the daemon's queues (imvo_queue_t: the consumer group
    "complaints", XREADGROUP BLOCK on a connection of its own, up to S_BATCH entries a read),
    once complaints has read every covenant's members. Each entry goes through the same checks
    and the same handler as a request on the socket (imvo_service_dispatch), the read's script
    calls run as one pipeline, and each entry's outcome is kept under its key
    (imvo:complaints:intake:result:<key>, for 24 hours: the receipt of an anonymous complaint
    with it) before the entries are acknowledged and deleted (XDEL: the stream keeps only what
    is still to be done). An entry's complainant may come sealed to complaints' key
    ({"sealed": bin}, as the portal always sends it): opened before the checks
    (complaints_identity.c); the outcome never holds it. The submit script is idempotent by key, so an
    entry delivered again after a crash makes no second case. An invalid entry fails with the
    error a request would get and never holds up the entries behind it; an entry that met Redis
    unavailable stays pending and is read again.
*/
#include "complaints_server.h"
#include "imvo_config.h"
#include "catalogue_complaints.h"

#define S_BATCH 64                      //  entries a read: 256 made XREADGROUP replies of over 1 ms
#define S_STREAM "imvo:complaints:intake"
#define S_GROUP "complaints"
#define S_RESULT "imvo:complaints:intake:result:"   //  + key: the outcome, for S_RESULT_TTL
#define S_RESULT_TTL 86400                          //  seconds an outcome (and its receipt) stays
//  Before 2026-12 the outcomes were fields of one hash that was never trimmed, and receipts
//  lived apart: still read, never written.
#define S_LEGACY_RESULTS "imvo:complaints:intake:results"
#define S_LEGACY_RECEIPT "imvo:complaints:intake:receipt:"

//  One entry's outcome: state done (case_id, receipt) or failed (error), packed.
static void
s_pack_result (msgpack_sbuffer *out, const imvo_reply_t *reply)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    char receipt [80] = "";
    if (reply->err.code != IMVO_ERR_NONE) {
        msgpack_pack_map (&pk, 3);
        imvo_pack_kv_str (&pk, "state", "failed");
        imvo_pack_str (&pk, "error");
        msgpack_pack_map (&pk, 3);
        imvo_pack_kv_str (&pk, "code", imvo_err_name (reply->err.code));
        imvo_pack_kv_str (&pk, "field", reply->err.field);
        imvo_pack_kv_str (&pk, "message", reply->err.message);
        imvo_pack_kv_int (&pk, "at", imvo_now_ms ());
        return;
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object body;
    const char *why;
    char case_id [80] = "";
    if (imvo_msg_unpack (reply->body.data, reply->body.size, &zone, &body, &why) == 0) {
        imvo_obj_strcpy (imvo_map_get (&body, "case_id"), case_id, sizeof case_id);
        imvo_obj_strcpy (imvo_map_get (&body, "receipt"), receipt, sizeof receipt);
    }
    msgpack_zone_destroy (&zone);
    msgpack_pack_map (&pk, 3 + (receipt [0] != 0));
    imvo_pack_kv_str (&pk, "state", "done");
    imvo_pack_kv_str (&pk, "case_id", case_id);
    imvo_pack_kv_int (&pk, "at", imvo_now_ms ());
    if (receipt [0])
        imvo_pack_kv_str (&pk, "receipt", receipt);
}

//  The queue's handler: settles the entries of one read. -1 when some stay pending.
static int
s_batch (imvo_ctx_t *ctx, redisReply *list)
{
    size_t n = list->elements < S_BATCH ? list->elements : S_BATCH;
    bool some_pending = list->elements > n;
    static imvo_call_t calls [S_BATCH];
    static imvo_reply_t replies [S_BATCH];
    static imvo_request_t reqs [S_BATCH];
    bool decoded [S_BATCH];
    const char *ids [S_BATCH];
    for (size_t e = 0; e < n; e++) {
        redisReply *entry = list->element [e];
        memset (&calls [e], 0, sizeof calls [e]);
        imvo_reply_init (&replies [e]);
        decoded [e] = false;
        ids [e] = entry->type == REDIS_REPLY_ARRAY && entry->elements == 2 && entry->element [0]->type == REDIS_REPLY_STRING
                ? entry->element [0]->str : NULL;
        redisReply *fields = ids [e] ? entry->element [1] : NULL;
        const char *msg = NULL;
        size_t msg_len = 0;
        for (size_t i = 0; fields && fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements; i += 2)
            if (fields->element [i]->str && streq (fields->element [i]->str, "msg")) {
                msg = fields->element [i + 1]->str;
                msg_len = fields->element [i + 1]->len;
            }
        if (!msg) {
            imvo_reply_fail (&replies [e], IMVO_ERR_BAD_REQUEST, "msg", "an intake entry has one field, msg: an envelope");
            continue;
        }
        decoded [e] = true;
        if (imvo_request_decode (&reqs [e], msg, msg_len, &replies [e].err)
        ||  complaints_identity_unseal (&reqs [e], &replies [e].err))       //  the portal's sealed complainant
            continue;
        if (!streq (reqs [e].type, "complaint.submit"))
            imvo_reply_fail (&replies [e], IMVO_ERR_INVALID_ARGUMENT, "type",
                             "the intake queue takes complaint.submit, not %s", reqs [e].type);
        else
        if (!reqs [e].key [0])
            imvo_reply_fail (&replies [e], IMVO_ERR_INVALID_ARGUMENT, "key",
                             "an intake entry needs a key: the producer asks for its outcome by it");
        else
            imvo_service_dispatch (ctx, &reqs [e], &calls [e], &replies [e]);
    }
    imvo_calls_run (ctx, calls, replies, n);
    imvo_audit_record (ctx, reqs, replies, n);      //  every complaint filed, as from the socket
    //  The outcomes under their keys, then one XACK for every entry that is settled.
    imvo_args_t ack, del;
    imvo_args_init (&ack);
    imvo_args_str (&ack, "XACK");
    imvo_args_str (&ack, S_STREAM);
    imvo_args_str (&ack, S_GROUP);
    imvo_args_init (&del);
    imvo_args_str (&del, "XDEL");
    imvo_args_str (&del, S_STREAM);
    msgpack_sbuffer result;
    msgpack_sbuffer_init (&result);
    size_t writes = 0;
    for (size_t e = 0; e < n; e++) {
        imvo_err_t code = replies [e].err.code;
        bool transient = code == IMVO_ERR_UNAVAILABLE || code == IMVO_ERR_BUSY;
        const char *key = decoded [e] ? reqs [e].key : "";
        if (!transient && key [0]) {
            msgpack_sbuffer_clear (&result);
            s_pack_result (&result, &replies [e]);
            imvo_args_t set;
            imvo_args_init (&set);
            imvo_args_str (&set, "SET");
            imvo_args_fmt (&set, S_RESULT "%s", key);
            imvo_args_add (&set, result.data, result.size);
            imvo_args_str (&set, "EX");
            imvo_args_fmt (&set, "%d", S_RESULT_TTL);
            writes += imvo_redis_append_argv (ctx->redis, &set) == 0;
            imvo_args_release (&set);
        }
        if (!transient && ids [e]) {
            imvo_args_str (&ack, ids [e]);
            imvo_args_str (&del, ids [e]);
        }
        some_pending |= transient;
        if (!transient && code != IMVO_ERR_NONE)
            zsys_info ("intake entry %s (key '%s') failed: %s %s", ids [e] ? ids [e] : "?", key,
                       imvo_err_name (code), replies [e].err.field);
        imvo_service_count_event_consumed (ctx->service);
    }
    bool written = true;
    for (size_t w = 0; w < writes; w++) {
        redisReply *wr = imvo_redis_next_reply (ctx->redis);
        written &= wr && wr->type != REDIS_REPLY_ERROR;
        if (wr)
            freeReplyObject (wr);
    }
    //  An outcome that was not recorded leaves its entry pending: read again, replayed by key.
    if (written && ack.argc > 3) {
        redisReply *a = imvo_redis_argv (ctx->redis, &ack);
        bool acked = a && a->type == REDIS_REPLY_INTEGER;
        some_pending |= !acked;
        if (a)
            freeReplyObject (a);
        //  Settled: the entry (the complainant's words, her identity sealed) goes; its outcome
        //  stays under its key. Left behind, it goes at the next start (s_trim_settled).
        redisReply *d = acked ? imvo_redis_argv (ctx->redis, &del) : NULL;
        if (acked && (!d || d->type != REDIS_REPLY_INTEGER))
            zsys_warning ("intake: settled entries not deleted (%s): at the next start", d && d->str ? d->str : "no Redis");
        if (d)
            freeReplyObject (d);
    }
    some_pending |= !written;
    imvo_args_release (&ack);
    imvo_args_release (&del);
    msgpack_sbuffer_destroy (&result);
    for (size_t e = 0; e < n; e++) {
        imvo_reply_release (&replies [e]);
        if (decoded [e])
            imvo_request_release (&reqs [e]);
    }
    return some_pending ? -1 : 0;
}

//  The entries settled before (acknowledged but kept: every entry until 2026-12, or one whose
//  XDEL failed) are deleted: those below both the group's last delivered id and the oldest
//  pending entry.
static void
s_trim_settled (imvo_ctx_t *ctx)
{
    redisReply *g = imvo_redis_cmd (ctx->redis, "XINFO GROUPS " S_STREAM);
    char last [64] = "";
    for (size_t i = 0; g && g->type == REDIS_REPLY_ARRAY && i < g->elements; i++) {
        redisReply *group = g->element [i];
        bool ours = false;
        const char *delivered = NULL;
        for (size_t k = 0; group->type == REDIS_REPLY_ARRAY && k + 1 < group->elements; k += 2) {
            const char *name = group->element [k]->str, *value = group->element [k + 1]->str;
            if (name && value && streq (name, "name"))
                ours = streq (value, S_GROUP);
            if (name && value && streq (name, "last-delivered-id"))
                delivered = value;
        }
        if (ours && delivered)
            snprintf (last, sizeof last, "%s", delivered);
    }
    if (g)
        freeReplyObject (g);
    if (!last [0])
        return;                     //  no stream or no group yet: nothing settled
    unsigned long long ms = 0, seq = 0;
    if (sscanf (last, "%llu-%llu", &ms, &seq) != 2)
        return;
    char below [64];
    snprintf (below, sizeof below, "%llu-%llu", ms, seq + 1);   //  the last delivered one too
    redisReply *p = imvo_redis_cmd (ctx->redis, "XPENDING " S_STREAM " " S_GROUP);
    if (p && p->type == REDIS_REPLY_ARRAY && p->elements >= 2 && p->element [0]->type == REDIS_REPLY_INTEGER
    &&  p->element [0]->integer > 0 && p->element [1]->str)
        snprintf (below, sizeof below, "%s", p->element [1]->str);
    bool known = p && p->type == REDIS_REPLY_ARRAY;
    if (p)
        freeReplyObject (p);
    if (!known)
        return;
    redisReply *t = imvo_redis_cmd (ctx->redis, "XTRIM " S_STREAM " MINID %s", below);
    if (t && t->type == REDIS_REPLY_INTEGER && t->integer > 0)
        zsys_info ("intake: %lld settled entries deleted", (long long) t->integer);
    if (t)
        freeReplyObject (t);
}

//  At start: the older hash of outcomes (S_LEGACY_RESULTS) lasts a day after the first start of
//  this version, as every outcome now does, and is then gone; settled entries left are deleted.
void
complaints_intake_start (imvo_ctx_t *ctx)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "EXPIRE " S_LEGACY_RESULTS " %d NX", S_RESULT_TTL);
    if (r)
        freeReplyObject (r);
    s_trim_settled (ctx);
}

static bool
s_ready (imvo_ctx_t *ctx)
{
    (void) ctx;
    return complaints_views_ready ();       //  before, a submit would only get unavailable
}

const imvo_queue_t complaints_queues [] = {
    { .stream = S_STREAM, .group = S_GROUP, .count = S_BATCH, .handle = s_batch, .ready = s_ready },
    { NULL },
};

//  complaint.intake_result {key}: pending (unknown yet), done (case_id, receipt for 24 hours)
//  or failed (the error a request would have got).
int
complaints_intake_result (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *key = f [COMPLAINT_INTAKE_RESULT_KEY].str;
    redisReply *r = imvo_redis_cmd (ctx->redis, "GET " S_RESULT "%s", key);
    redisReply *t = NULL;
    if (r && r->type == REDIS_REPLY_NIL) {
        freeReplyObject (r);
        r = imvo_redis_cmd (ctx->redis, "HGET " S_LEGACY_RESULTS " %s", key);
        t = r && r->type == REDIS_REPLY_STRING ? imvo_redis_cmd (ctx->redis, "GET " S_LEGACY_RECEIPT "%s", key) : NULL;
    }
    int rc = 0;
    if (!r || r->type == REDIS_REPLY_ERROR || (t && t->type == REDIS_REPLY_ERROR))
        rc = imvo_redis_fail (r && r->type == REDIS_REPLY_ERROR ? r : t, reply);
    else
    if (r->type != REDIS_REPLY_STRING) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_str (pk, "key", key);
        imvo_pack_kv_str (pk, "state", "pending");
    }
    else {
        msgpack_zone zone;
        msgpack_zone_init (&zone, 1024);
        msgpack_object o;
        const char *why;
        if (imvo_msg_unpack (r->str, r->len, &zone, &o, &why) || o.type != MSGPACK_OBJECT_MAP)
            rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "key", "unreadable intake result");
        else {
            msgpack_packer *pk = imvo_reply_pk (reply);
            bool receipt = t && t->type == REDIS_REPLY_STRING;
            msgpack_pack_map (pk, o.via.map.size + 1 + receipt);
            imvo_pack_kv_str (pk, "key", key);
            for (uint32_t i = 0; i < o.via.map.size; i++) {
                msgpack_pack_object (pk, o.via.map.ptr [i].key);
                msgpack_pack_object (pk, o.via.map.ptr [i].val);
            }
            if (receipt)
                imvo_pack_kv_str (pk, "receipt", t->str);
        }
        msgpack_zone_destroy (&zone);
    }
    if (r)
        freeReplyObject (r);
    if (t)
        freeReplyObject (t);
    return rc;
}

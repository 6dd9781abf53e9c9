/*  complaints_intake: the intake queue (PROTOCOL.md, second part). A producer that cannot wait
    for a reply (a web form, a mail gateway, a partner's system) appends to the Redis stream
    imvo:complaints:intake an entry with one field, msg: a complaint.submit envelope with a key.

    complaints reads it with the consumer group "complaints", in the consumer's rounds, up to
    S_BATCH entries at a time: each entry goes through the same checks and the same handler as
    a request on the socket (imvo_dispatch), the batch's script calls run as one pipeline, and
    each entry's outcome is kept under its key (imvo:complaints:intake:results, a hash; the
    receipt of an anonymous complaint apart, for 24 hours) before the entries are acknowledged.
    The submit script is idempotent by key, so an entry delivered again after a crash makes no
    second case. An invalid entry fails with the error a request would get and never holds up
    the entries behind it; an entry that met Redis or the members view unavailable stays
    pending and is read again.
*/
#include "complaints_server.h"
#include "imvo_config.h"
#include "catalogue_complaints.h"

#define S_BATCH 256
#define S_STREAM "imvo:complaints:intake"
#define S_GROUP "complaints"
#define S_RESULTS "imvo:complaints:intake:results"
#define S_RECEIPT_TTL 86400             //  seconds a receipt stays readable by key

static struct {
    bool group_made;
    bool replayed;                      //  our pending list was read again (after a start, or a
                                        //  round where Redis was unavailable)
} s_intake;

//  One entry's outcome: state done (case_id, receipt) or failed (error); packed for the hash.
static void
s_pack_result (msgpack_sbuffer *out, const imvo_reply_t *reply, char *receipt, size_t receipt_size)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    receipt [0] = 0;
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
        imvo_obj_strcpy (imvo_map_get (&body, "receipt"), receipt, receipt_size);
    }
    msgpack_zone_destroy (&zone);
    msgpack_pack_map (&pk, 3);
    imvo_pack_kv_str (&pk, "state", "done");
    imvo_pack_kv_str (&pk, "case_id", case_id);
    imvo_pack_kv_int (&pk, "at", imvo_now_ms ());
}

//  Runs one batch of entries (an XREADGROUP reply). Returns how many entries it held.
static size_t
s_batch (imvo_ctx_t *ctx, redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element [0]->type != REDIS_REPLY_ARRAY
    ||  r->element [0]->elements != 2 || r->element [0]->element [1]->type != REDIS_REPLY_ARRAY)
        return 0;
    redisReply *list = r->element [0]->element [1];
    size_t n = list->elements < S_BATCH ? list->elements : S_BATCH;
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
        if (imvo_request_decode (&reqs [e], msg, msg_len, &replies [e].err))
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
    //  The outcomes under their keys, then one XACK for every entry that is settled.
    imvo_args_t ack;
    imvo_args_init (&ack);
    imvo_args_str (&ack, "XACK");
    imvo_args_str (&ack, S_STREAM);
    imvo_args_str (&ack, S_GROUP);
    msgpack_sbuffer result;
    msgpack_sbuffer_init (&result);
    size_t writes = 0;
    for (size_t e = 0; e < n; e++) {
        imvo_err_t code = replies [e].err.code;
        bool transient = code == IMVO_ERR_UNAVAILABLE || code == IMVO_ERR_BUSY;
        const char *key = decoded [e] ? reqs [e].key : "";
        if (!transient && key [0]) {
            char receipt [80];
            msgpack_sbuffer_clear (&result);
            s_pack_result (&result, &replies [e], receipt, sizeof receipt);
            imvo_args_t hset;
            imvo_args_init (&hset);
            imvo_args_str (&hset, "HSET");
            imvo_args_str (&hset, S_RESULTS);
            imvo_args_str (&hset, key);
            imvo_args_add (&hset, result.data, result.size);
            writes += imvo_redis_append_argv (ctx->redis, &hset) == 0;
            imvo_args_release (&hset);
            if (receipt [0]) {
                imvo_args_t set;
                imvo_args_init (&set);
                imvo_args_str (&set, "SET");
                imvo_args_fmt (&set, "imvo:complaints:intake:receipt:%s", key);
                imvo_args_str (&set, receipt);
                imvo_args_str (&set, "EX");
                imvo_args_fmt (&set, "%d", S_RECEIPT_TTL);
                writes += imvo_redis_append_argv (ctx->redis, &set) == 0;
                imvo_args_release (&set);
            }
        }
        if (!transient && ids [e])
            imvo_args_str (&ack, ids [e]);
        //  Read again from our pending list in the next round.
        s_intake.replayed &= !transient;
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
        if (a)
            freeReplyObject (a);
    }
    imvo_args_release (&ack);
    msgpack_sbuffer_destroy (&result);
    for (size_t e = 0; e < n; e++) {
        imvo_reply_release (&replies [e]);
        if (decoded [e])
            imvo_request_release (&reqs [e]);
    }
    return list->elements;
}

//  Consumer round hook: the group once, our pending entries once after a start, then what is new.
void
complaints_intake_round (imvo_ctx_t *ctx)
{
    if (!complaints_views_ready ())
        return;                         //  a submit would only get unavailable
    if (!s_intake.group_made) {
        //  From the stream's start: entries queued before complaints ever ran are read too.
        redisReply *r = imvo_redis_cmd (ctx->redis, "XGROUP CREATE %s %s 0 MKSTREAM", S_STREAM, S_GROUP);
        s_intake.group_made = r && (r->type == REDIS_REPLY_STATUS
                                    || (r->type == REDIS_REPLY_ERROR && strstr (r->str, "BUSYGROUP")));
        if (r)
            freeReplyObject (r);
        if (!s_intake.group_made)
            return;
    }
    char consumer [128];
    snprintf (consumer, sizeof consumer, "%s", imvo_env ("IMVO_CONSUMER_NAME", "complaints"));
    //  Our pending list first after a start, or after an entry met Redis unavailable (s_batch
    //  clears replayed then); then what is new, batch after batch.
    bool pending = !s_intake.replayed;
    s_intake.replayed = true;
    for (int rounds = 0; rounds < 64; rounds++) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s %s", S_GROUP, consumer,
                                        S_BATCH, S_STREAM, pending ? "0" : ">");
        size_t got = s_batch (ctx, r);
        if (r)
            freeReplyObject (r);
        if (!pending && got < S_BATCH)
            break;
        pending = false;
    }
}

//  complaint.intake_result {key}: pending (unknown yet), done (case_id, receipt for 24 hours)
//  or failed (the error a request would have got).
int
complaints_intake_result (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *key = f [COMPLAINT_INTAKE_RESULT_KEY].str;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET %s %s", S_RESULTS, key);
    redisReply *t = r && r->type != REDIS_REPLY_ERROR
                  ? imvo_redis_cmd (ctx->redis, "GET imvo:complaints:intake:receipt:%s", key) : NULL;
    int rc = 0;
    if (!r || r->type == REDIS_REPLY_ERROR || !t || t->type == REDIS_REPLY_ERROR)
        rc = imvo_redis_fail (r && r->type == REDIS_REPLY_ERROR ? r : t, reply);
    else
    if (r->type != REDIS_REPLY_STRING) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 1);
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
            bool receipt = t->type == REDIS_REPLY_STRING;
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

/*  notify_subs: inbox items read, subscriptions (how a recipient hears: inbox, webhook or
    e-mail, in Dutch or English), and the failed deliveries for operators. */
#include "notify_internal.h"

static int
s_marked (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    (void) ctx;
    int rc = 0;
    if (!r || r->type != REDIS_REPLY_INTEGER)
        rc = imvo_redis_fail (r, reply);
    else {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 1);
        imvo_pack_kv_int (pk, "marked", r->integer);
    }
    if (r)
        freeReplyObject (r);
    return rc;
}

int
notify_recipient_check (const imvo_request_t *req, const char *recipient, imvo_reply_t *reply)
{
    const char *role = req->role;
    if (streq (role, "secretariat") || streq (role, "service"))
        return 0;
    size_t n = strlen (role);
    bool own = (streq (role, "committee") || streq (role, "monitoring"))
               ? strncmp (recipient, role, n) == 0 && recipient [n] == ':'
               : streq (role, "company") && req->org [0] && strncmp (recipient, "org:", 4) == 0
                 && streq (recipient + 4, req->org);
    if (own)
        return 0;
    return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "recipient", "role '%s' reads and changes only its own "
                            "inboxes (%s), not %s", role, streq (role, "company") ? "org:<its org>" : "<role>:<covenant>",
                            recipient);
}

int
notify_inbox_mark_read (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *recipient = f [INBOX_MARK_RECIPIENT].str;
    if (notify_recipient_check (req, recipient, reply))
        return -1;
    const msgpack_object *ids = f [INBOX_MARK_EVENTS].obj;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:inbox", recipient);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:read", recipient);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    for (uint32_t i = 0; i < ids->via.array.size; i++)
        imvo_args_add (&args, ids->via.array.ptr [i].via.str.ptr, ids->via.array.ptr [i].via.str.size);
    return imvo_script_call (ctx, reply, "inbox_mark", &keys, &args, s_marked);
}

int
notify_subscription_put (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *recipient = f [SUB_PUT_RECIPIENT].str, *channel = f [SUB_PUT_CHANNEL].str;
    if (!strchr (recipient, ':'))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "recipient",
                                "recipient must look like secretariat:<covenant> or org:<org_id>");
    if (notify_recipient_check (req, recipient, reply))
        return -1;
    msgpack_sbuffer sub;
    msgpack_sbuffer_init (&sub);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sub, msgpack_sbuffer_write);
    const imvo_value_t *address = &f [SUB_PUT_ADDRESS], *secret = &f [SUB_PUT_SECRET], *types = &f [SUB_PUT_TYPES];
    msgpack_pack_map (&pk, 2 + address->present + secret->present + types->present);
    imvo_pack_kv_str (&pk, "channel", channel);
    imvo_pack_kv_str (&pk, "lang", f [SUB_PUT_LANG].str);
    if (address->present)
        imvo_pack_kv_str (&pk, "address", address->str);
    if (secret->present)
        imvo_pack_kv_str (&pk, "secret", secret->str);
    if (types->present) {
        imvo_pack_str (&pk, "types");
        msgpack_pack_object (&pk, *types->obj);
    }
    redisReply *r = imvo_redis_cmd (ctx->redis, "HSET imvo:notify:{%s}:subs %s %b", recipient, channel, sub.data, sub.size);
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : imvo_redis_fail (r, reply);
    if (r)
        freeReplyObject (r);
    //  The delivery actor looks for work among the recipients that have a channel to deliver to.
    if (rc == 0 && !streq (channel, "inbox")) {
        r = imvo_redis_cmd (ctx->redis, "SADD %s %s", NOTIFY_SUBSCRIBERS, recipient);
        rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
    }
    if (rc == 0) {
        msgpack_packer *rpk = imvo_reply_pk (reply);
        msgpack_pack_map (rpk, 3);
        imvo_pack_kv_str (rpk, "recipient", recipient);
        imvo_pack_kv_str (rpk, "channel", channel);
        imvo_pack_kv_str (rpk, "lang", f [SUB_PUT_LANG].str);
    }
    msgpack_sbuffer_destroy (&sub);
    return rc;
}

int
notify_subscription_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (notify_recipient_check (req, f [SUB_LIST_RECIPIENT].str, reply))
        return -1;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGETALL imvo:notify:{%s}:subs", f [SUB_LIST_RECIPIENT].str);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return imvo_redis_fail_free (r, reply);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_str (pk, "subscriptions");
    msgpack_pack_array (pk, (uint32_t) (r->elements / 2));
    for (size_t i = 1; i < r->elements; i += 2) {
        msgpack_object s;
        const char *why;
        if (imvo_msg_unpack (r->element [i]->str, r->element [i]->len, &zone, &s, &why) || s.type != MSGPACK_OBJECT_MAP) {
            msgpack_pack_nil (pk);
            continue;
        }
        //  The secret is never shown again, only whether there is one.
        uint32_t shown = 0;
        for (uint32_t k = 0; k < s.via.map.size; k++)
            shown += !imvo_obj_streq (&s.via.map.ptr [k].key, "secret");
        msgpack_pack_map (pk, shown + 1);
        for (uint32_t k = 0; k < s.via.map.size; k++)
            if (!imvo_obj_streq (&s.via.map.ptr [k].key, "secret")) {
                msgpack_pack_object (pk, s.via.map.ptr [k].key);
                msgpack_pack_object (pk, s.via.map.ptr [k].val);
            }
        imvo_pack_kv_bool (pk, "signed", imvo_map_get (&s, "secret") != NULL);
    }
    msgpack_zone_destroy (&zone);
    freeReplyObject (r);
    return 0;
}

//  notify.failures: deliveries that failed for good, of one recipient or of every subscriber.
int
notify_failures (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    zlistx_t *recipients = zlistx_new ();
    zlistx_set_destructor (recipients, (zlistx_destructor_fn *) zstr_free);
    if (f [FAILURES_RECIPIENT].present)
        zlistx_add_end (recipients, strdup (f [FAILURES_RECIPIENT].str));
    else {
        redisReply *r = imvo_redis_cmd (ctx->redis, "SMEMBERS %s", NOTIFY_SUBSCRIBERS);
        for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
            zlistx_add_end (recipients, strdup (r->element [i]->str));
        if (r)
            freeReplyObject (r);
    }
    msgpack_sbuffer list;
    msgpack_sbuffer_init (&list);
    msgpack_packer lpk;
    msgpack_packer_init (&lpk, &list, msgpack_sbuffer_write);
    uint32_t n = 0;
    for (char *rcp = zlistx_first (recipients); rcp; rcp = zlistx_next (recipients)) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "HGETALL imvo:notify:{%s}:failed", rcp);
        for (size_t i = 1; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && n < 1000; i += 2, n++)
            msgpack_sbuffer_write (&list, r->element [i]->str, r->element [i]->len);
        if (r)
            freeReplyObject (r);
    }
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_str (pk, "failures");
    msgpack_pack_array (pk, n);
    msgpack_sbuffer_write (pk->data, list.data, list.size);
    msgpack_sbuffer_destroy (&list);
    zlistx_destroy (&recipients);
    return 0;
}

//  stats: the delivery backlog per channel, the age of the oldest delivery not yet settled,
//  and the deliveries that failed for good, over every recipient with a webhook or e-mail.
int
notify_stats (imvo_ctx_t *ctx, msgpack_packer *pk)
{
    int64_t webhook = 0, email = 0, failed = 0, oldest = 0, now = imvo_now_ms ();
    redisReply *subs = imvo_redis_cmd (ctx->redis, "SMEMBERS %s", NOTIFY_SUBSCRIBERS);
    for (size_t i = 0; subs && subs->type == REDIS_REPLY_ARRAY && i < subs->elements; i++) {
        const char *rcp = subs->element [i]->str;
        redisReply *r = imvo_redis_cmd (ctx->redis, "HMGET imvo:notify:{%s}:backlog webhook email", rcp);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
            webhook += r->element [0]->type == REDIS_REPLY_STRING ? atoll (r->element [0]->str) : 0;
            email += r->element [1]->type == REDIS_REPLY_STRING ? atoll (r->element [1]->str) : 0;
        }
        if (r)
            freeReplyObject (r);
        r = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:notify:{%s}:queued 0 0 WITHSCORES", rcp);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element [1]->type == REDIS_REPLY_STRING) {
            int64_t age = now - atoll (r->element [1]->str);
            oldest = age > oldest ? age : oldest;
        }
        if (r)
            freeReplyObject (r);
        r = imvo_redis_cmd (ctx->redis, "HLEN imvo:notify:{%s}:failed", rcp);
        failed += r && r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
        if (r)
            freeReplyObject (r);
    }
    int64_t recipients = subs && subs->type == REDIS_REPLY_ARRAY ? (int64_t) subs->elements : 0;
    if (subs)
        freeReplyObject (subs);
    imvo_pack_str (pk, "deliveries");
    msgpack_pack_map (pk, 4);
    imvo_pack_str (pk, "backlog");
    msgpack_pack_map (pk, 2);
    imvo_pack_kv_int (pk, "webhook", webhook);
    imvo_pack_kv_int (pk, "email", email);
    imvo_pack_kv_int (pk, "oldest_undelivered_ms", oldest);
    imvo_pack_kv_int (pk, "failed", failed);
    imvo_pack_kv_int (pk, "subscribers", recipients);
    return 0;
}

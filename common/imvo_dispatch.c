/*  imvo_dispatch: what a request goes through before its handler (the catalogue's checks),
    the messages every daemon answers (ping, stats), and moving frames between sockets.
*/
#include "imvo_service.h"
#include "imvo_internal.h"

static void
s_ping (imvo_ctx_t *ctx, imvo_reply_t *reply)
{
    //  The health check connects at once instead of waiting out a backoff; when it gets
    //  through, every other connection of the process retries at once too.
    bool up = false;
    if (imvo_redis_probe (ctx->redis) == 0) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "PING");
        up = r && r->type != REDIS_REPLY_ERROR;
        if (r)
            freeReplyObject (r);
    }
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 3);
    imvo_pack_kv_str (pk, "service", ctx->name);
    imvo_pack_kv_str (pk, "version", IMVO_VERSION);
    imvo_pack_kv_str (pk, "redis", up ? "ok" : "down");
}

static void
s_stats (imvo_ctx_t *ctx, imvo_reply_t *reply)
{
    imvo_service_t *s = ctx->service;
    msgpack_packer *pk = imvo_reply_pk (reply);
    const imvo_service_def_t *def = s->def;
    msgpack_pack_map (pk, 12 + (def->stats != NULL));
    imvo_pack_kv_str (pk, "service", ctx->name);
    imvo_pack_kv_int (pk, "uptime_s", (zclock_mono () - s->started) / 1000);
    imvo_pack_kv_int (pk, "workers", s->nworkers);
    imvo_pack_kv_int (pk, "requests", (int64_t) atomic_load (&s->requests));
    //  Per message type: each handler's, then ping and stats (/metrics' imvo_requests_total).
    int n = 0;
    while (def->handlers && def->handlers [n].type && n < IMVO_MAX_HANDLERS)
        n++;
    imvo_pack_str (pk, "types");
    msgpack_pack_map (pk, (uint32_t) n + 2);
    for (int i = 0; i < n; i++)
        imvo_pack_kv_int (pk, def->handlers [i].type, (int64_t) atomic_load (&s->by_type [i]));
    imvo_pack_kv_int (pk, "ping", (int64_t) atomic_load (&s->by_type [IMVO_MAX_HANDLERS]));
    imvo_pack_kv_int (pk, "stats", (int64_t) atomic_load (&s->by_type [IMVO_MAX_HANDLERS + 1]));
    imvo_pack_str (pk, "errors");
    msgpack_pack_map (pk, IMVO_ERR_COUNT - 1);
    for (int i = 1; i < IMVO_ERR_COUNT; i++)
        imvo_pack_kv_int (pk, imvo_err_name ((imvo_err_t) i), (int64_t) atomic_load (&s->errors [i]));
    imvo_pack_kv_int (pk, "events_emitted", (int64_t) atomic_load (&s->events_emitted));
    imvo_pack_kv_int (pk, "events_consumed", (int64_t) atomic_load (&s->events_consumed));
    imvo_pack_kv_int (pk, "events_failed", (int64_t) atomic_load (&s->events_failed));
    imvo_pack_kv_int (pk, "batches", (int64_t) atomic_load (&s->batches));
    imvo_pack_kv_int (pk, "largest_batch", (int64_t) atomic_load (&s->largest_batch));
    imvo_pack_kv_int (pk, "pipelined", (int64_t) atomic_load (&s->pipelined));
    if (def->stats)
        def->stats (ctx, pk);
}

const imvo_handler_t *
imvo_handler_find (const imvo_service_def_t *def, const char *type)
{
    for (const imvo_handler_t *h = def->handlers; h && h->type; h++)
        if (strcmp (h->type, type) == 0)
            return h;
    return NULL;
}

bool
imvo_builtin (imvo_ctx_t *ctx, const imvo_request_t *req, imvo_reply_t *reply)
{
    if (strcmp (req->type, "ping") == 0) {
        atomic_fetch_add (&ctx->service->by_type [IMVO_MAX_HANDLERS], 1);
        s_ping (ctx, reply);
    }
    else
    if (strcmp (req->type, "stats") == 0) {
        atomic_fetch_add (&ctx->service->by_type [IMVO_MAX_HANDLERS + 1], 1);
        s_stats (ctx, reply);
    }
    else
        return false;
    return true;
}

void
imvo_dispatch (imvo_ctx_t *ctx, const imvo_handler_t *h, imvo_request_t *req, imvo_call_t *call,
               imvo_reply_t *reply)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (req->type);
    imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
    assert (msg);       //  every handled type has a catalogue entry
    ptrdiff_t index = h - ctx->service->def->handlers;
    if (index >= 0 && index < IMVO_MAX_HANDLERS)
        atomic_fetch_add (&ctx->service->by_type [index], 1);
    if (imvo_proto_authorise (msg, req, NULL, &reply->err) == 0
    &&  imvo_proto_validate (msg, req->body, &req->zone, values, &reply->err) == 0
    &&  imvo_proto_authorise (msg, req, values, &reply->err) == 0) {
        ctx->call = call;
        h->handler (ctx, req, values, reply);
        ctx->call = NULL;
    }
}

//  Moves one multipart message from one socket to another; false when nothing was waiting.
bool
imvo_forward (zsock_t *from, zsock_t *to, bool dontwait)
{
    void *src = zsock_resolve (from);
    void *dst = zsock_resolve (to);
    zmq_msg_t part;
    zmq_msg_init (&part);
    if (zmq_msg_recv (&part, src, dontwait ? ZMQ_DONTWAIT : 0) < 0) {
        zmq_msg_close (&part);
        return false;
    }
    while (true) {
        bool more = zmq_msg_more (&part);
        zmq_msg_send (&part, dst, more ? ZMQ_SNDMORE : 0);
        if (!more)
            break;
        zmq_msg_recv (&part, src, 0);
    }
    zmq_msg_close (&part);
    return true;
}


void
imvo_service_dispatch (imvo_ctx_t *ctx, imvo_request_t *req, imvo_call_t *call, imvo_reply_t *reply)
{
    const imvo_handler_t *h = imvo_handler_find (ctx->service->def, req->type);
    if (!h)
        imvo_reply_fail (reply, IMVO_ERR_UNKNOWN_TYPE, "type", "%s does not answer %s", ctx->name, req->type);
    else
        imvo_dispatch (ctx, h, req, call, reply);
}

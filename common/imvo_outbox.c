/*  imvo_outbox: the idempotency record's arguments and the outbox commit; see imvo_service.h.

    A state-changing script stores its reply under the request's idempotency record and
    appends its events to its stream in the same atomic step (common/lua/prelude.lua). Here the
    daemon turns the script's result into the reply, registers each stream it writes to (the
    set consumers read to find streams) and publishes the events on its PUB socket: after the
    commit, as a doorbell; the streams are the record.
*/
#include "imvo_service.h"
#include "imvo_internal.h"

#include <pthread.h>

void
imvo_idem_args (imvo_ctx_t *ctx, const imvo_request_t *req, const char *tag,
                imvo_args_t *keys, imvo_args_t *args)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (req->type);
    long ttl_seconds = msg ? msg->idem_ttl : 0;
    //  A handler that writes under an idempotency record for a message whose entry keeps no
    //  key is a mistake in the catalogue: it shows in the first test that sends it.
    assert (ttl_seconds > 0);
    if (req->key [0]) {
        //  The record remembers a digest of the body: the same key with another body is a
        //  mistake the client must hear about (conflict), not the first request's reply.
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        if (req->body)
            msgpack_pack_object (&pk, *req->body);
        zdigest_t *digest = zdigest_new ();
        zdigest_update (digest, (const byte *) body.data, body.size);
        imvo_args_fmt (keys, "imvo:%s:{%s}:idem:%s:%s", ctx->name, tag, req->type, req->key);
        imvo_args_fmt (args, "%ld %s", ttl_seconds, zdigest_string (digest));
        zdigest_destroy (&digest);
        msgpack_sbuffer_destroy (&body);
    }
    else {
        imvo_args_fmt (keys, "imvo:%s:{%s}:idem:-", ctx->name, tag);
        imvo_args_str (args, "0");
    }
}

int
imvo_commit (imvo_ctx_t *ctx, const imvo_request_t *req, const char *tag, const char *script,
             imvo_args_t *keys, imvo_args_t *args, imvo_reply_t *reply)
{
    imvo_args_t k, a;
    imvo_args_init (&k);
    imvo_args_init (&a);
    imvo_idem_args (ctx, req, tag, &k, &a);
    for (int i = 0; i < keys->argc; i++)
        imvo_args_add (&k, keys->argv [i], keys->lens [i]);
    for (int i = 0; i < args->argc; i++)
        imvo_args_add (&a, args->argv [i], args->lens [i]);
    int rc = imvo_outbox_commit (ctx, imvo_redis_eval (ctx->redis, script, &k, &a), reply);
    imvo_args_release (&k);
    imvo_args_release (&a);
    imvo_args_release (keys);
    imvo_args_release (args);
    return rc;
}

//  The streams this process has registered in imvo:<service>:streams, the set consumers read
//  to find them (instead of scanning the keyspace).
static struct {
    pthread_mutex_t lock;
    char *names [256];
    int count;
} s_registered = { .lock = PTHREAD_MUTEX_INITIALIZER };

//  Registers stream once per process (SADD on first sight). Until the SADD succeeded the
//  stream is tried again with the next event; consumers also scan at start as a safety net.
static void
s_register_stream (imvo_ctx_t *ctx, const char *stream)
{
    pthread_mutex_lock (&s_registered.lock);
    bool known = false;
    for (int i = 0; i < s_registered.count && !known; i++)
        known = streq (s_registered.names [i], stream);
    pthread_mutex_unlock (&s_registered.lock);
    if (known)
        return;
    redisReply *r = imvo_redis_cmd (ctx->redis, "SADD imvo:%s:streams %s", ctx->name, stream);
    bool ok = r && r->type == REDIS_REPLY_INTEGER;
    if (r)
        freeReplyObject (r);
    if (!ok)
        return;
    pthread_mutex_lock (&s_registered.lock);
    if (s_registered.count < 256)
        s_registered.names [s_registered.count++] = strdup (stream);
    pthread_mutex_unlock (&s_registered.lock);
}

int
imvo_outbox_commit (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1
    ||  r->element [0]->type != REDIS_REPLY_STRING || (r->elements - 1) % 5)
        return imvo_redis_fail_free (r, reply);
    imvo_reply_raw (reply, r->element [0]->str, r->element [0]->len);
    for (size_t i = 1; i + 4 < r->elements; i += 5) {
        redisReply **e = r->element + i;        //  stream, id, type, at, packed body
        s_register_stream (ctx, e [0]->str);
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 7);
        imvo_pack_kv_int (&pk, "v", IMVO_PROTOCOL_VERSION);
        imvo_pack_kv_str (&pk, "id", e [1]->str);
        imvo_pack_kv_str (&pk, "type", e [2]->str);
        imvo_pack_kv_str (&pk, "source", ctx->name);
        imvo_pack_kv_int (&pk, "at", strtoll (e [3]->str, NULL, 10));
        imvo_pack_kv_str (&pk, "stream", e [0]->str);
        imvo_pack_str (&pk, "body");
        msgpack_sbuffer_write (&buf, e [4]->str, e [4]->len);
        zmsg_t *msg = zmsg_new ();
        zmsg_addstr (msg, e [2]->str);
        zmsg_addmem (msg, buf.data, buf.size);
        zmsg_send (&msg, ctx->events);
        msgpack_sbuffer_destroy (&buf);
        atomic_fetch_add (&ctx->service->events_emitted, 1);
    }
    freeReplyObject (r);
    return 0;
}

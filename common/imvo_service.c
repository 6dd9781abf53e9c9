/*  imvo_service: ROUTER front end, worker threads, PUB for events; see imvo_service.h.

    Threads: the main thread owns the ROUTER, the PUB and two inproc sockets (a DEALER that
    spreads requests over the workers, a PULL that collects events to publish). Each worker
    is a zactor with its own DEALER and Redis connection. Replies carry their routing frames
    back through the DEALER to the ROUTER. Counters are C11 atomics: the one piece of state
    the threads share, and only for `stats`.
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"

#include <stdatomic.h>
#include <sys/time.h>


struct _imvo_service_t {
    const imvo_service_def_t *def;          //  the daemon's description
    char workers_endpoint [128];            //  inproc endpoint of the worker DEALER
    char events_endpoint [128];             //  inproc endpoint of the event PULL
    int64_t started;                        //  zclock_mono at start, for uptime
    int nworkers;                           //  worker threads
    atomic_ullong requests;                 //  requests decoded or not
    atomic_ullong errors [IMVO_ERR_COUNT];  //  error replies by code
    atomic_ullong events_emitted;           //  events committed by this daemon
    atomic_ullong events_consumed;          //  events applied by its consumers
    atomic_ullong events_failed;            //  event deliveries that failed
};

typedef struct {
    imvo_service_t *service;
    int worker;
} s_worker_args_t;

int64_t
imvo_now_ms (void)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void
imvo_service_count_event_consumed (imvo_service_t *self)
{
    atomic_fetch_add (&self->events_consumed, 1);
}

void
imvo_service_count_event_failed (imvo_service_t *self)
{
    atomic_fetch_add (&self->events_failed, 1);
}

void
imvo_idem_args (imvo_ctx_t *ctx, const imvo_request_t *req, const char *tag,
                long ttl_seconds, imvo_args_t *keys, imvo_args_t *args)
{
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
imvo_outbox_commit (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1
    ||  r->element [0]->type != REDIS_REPLY_STRING || (r->elements - 1) % 5) {
        imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        return -1;
    }
    imvo_reply_raw (reply, r->element [0]->str, r->element [0]->len);
    for (size_t i = 1; i + 4 < r->elements; i += 5) {
        redisReply **e = r->element + i;        //  stream, id, type, at, packed body
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

static void
s_ping (imvo_ctx_t *ctx, imvo_reply_t *reply)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "PING");
    bool up = r && r->type != REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject (r);
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
    msgpack_pack_map (pk, 8);
    imvo_pack_kv_str (pk, "service", ctx->name);
    imvo_pack_kv_int (pk, "uptime_s", (zclock_mono () - s->started) / 1000);
    imvo_pack_kv_int (pk, "workers", s->nworkers);
    imvo_pack_kv_int (pk, "requests", (int64_t) atomic_load (&s->requests));
    imvo_pack_str (pk, "errors");
    msgpack_pack_map (pk, IMVO_ERR_COUNT - 1);
    for (int i = 1; i < IMVO_ERR_COUNT; i++)
        imvo_pack_kv_int (pk, imvo_err_name ((imvo_err_t) i), (int64_t) atomic_load (&s->errors [i]));
    imvo_pack_kv_int (pk, "events_emitted", (int64_t) atomic_load (&s->events_emitted));
    imvo_pack_kv_int (pk, "events_consumed", (int64_t) atomic_load (&s->events_consumed));
    imvo_pack_kv_int (pk, "events_failed", (int64_t) atomic_load (&s->events_failed));
}

static const imvo_handler_t *
s_find_handler (const imvo_service_def_t *def, const char *type)
{
    for (const imvo_handler_t *h = def->handlers; h && h->type; h++)
        if (strcmp (h->type, type) == 0)
            return h;
    return NULL;
}

//  Decodes, dispatches and answers one request; the packed reply goes into out.
static void
s_handle (imvo_ctx_t *ctx, const void *data, size_t size, msgpack_sbuffer *out)
{
    imvo_service_t *s = ctx->service;
    imvo_request_t req;
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    atomic_fetch_add (&s->requests, 1);
    if (imvo_request_decode (&req, data, size, &reply.err) == 0) {
        const imvo_handler_t *h;
        if (strcmp (req.type, "ping") == 0)
            s_ping (ctx, &reply);
        else
        if (strcmp (req.type, "stats") == 0)
            s_stats (ctx, &reply);
        else
        if ((h = s_find_handler (s->def, req.type))) {
            const imvo_proto_msg_t *msg = imvo_proto_find (req.type);
            imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
            assert (msg);       //  every handled type has a catalogue entry
            if (imvo_proto_validate (msg, req.body, &req.zone, values, &reply.err) == 0)
                h->handler (ctx, &req, values, &reply);
        }
        else
            imvo_reply_fail (&reply, IMVO_ERR_UNKNOWN_TYPE, "type",
                             "the %s daemon has no message type '%s'", ctx->name, req.type);
    }
    if (reply.err.code != IMVO_ERR_NONE)
        atomic_fetch_add (&s->errors [reply.err.code], 1);
    imvo_reply_pack (out, req.id, &reply);
    imvo_reply_release (&reply);
    imvo_request_release (&req);
}

//  Receives one request on a worker's socket, handles it and sends the reply.
static void
s_serve_one (imvo_ctx_t *ctx, zsock_t *dealer, msgpack_sbuffer *out)
{
    zmsg_t *msg = zmsg_recv (dealer);
    if (!msg)
        return;
    zframe_t *body = zmsg_last (msg);
    msgpack_sbuffer_clear (out);
    s_handle (ctx, zframe_data (body), zframe_size (body), out);
    zmsg_remove (msg, body);
    zframe_destroy (&body);
    zmsg_addmem (msg, out->data, out->size);
    zmsg_send (&msg, dealer);
}

static void
s_worker (zsock_t *pipe, void *args)
{
    s_worker_args_t *a = (s_worker_args_t *) args;
    imvo_service_t *s = a->service;
    imvo_ctx_t ctx = {
        .service = s, .name = s->def->name, .state = s->def->state, .worker = a->worker,
    };
    ctx.redis = imvo_redis_new (imvo_config_redis_url ());
    imvo_redis_add_scripts (ctx.redis, imvo_common_scripts);
    if (s->def->scripts)
        imvo_redis_add_scripts (ctx.redis, s->def->scripts);
    zsock_t *dealer = zsock_new_dealer (s->workers_endpoint);
    ctx.events = zsock_new_push (s->events_endpoint);
    assert (ctx.redis && dealer && ctx.events);
    zsock_set_linger (ctx.events, 1000);
    zpoller_t *poller = zpoller_new (pipe, dealer, NULL);
    zpoller_set_nonstop (poller, true);        //  the main thread decides when we stop
    zsock_signal (pipe, 0);
    msgpack_sbuffer out;
    msgpack_sbuffer_init (&out);
    while (true) {
        void *which = zpoller_wait (poller, 1000);
        if (which == pipe) {
            zmsg_t *cmd = zmsg_recv (pipe);
            char *name = cmd ? zmsg_popstr (cmd) : NULL;
            bool term = !name || streq (name, "$TERM");
            free (name);
            zmsg_destroy (&cmd);
            if (term) {
                //  Requests already queued for this worker were accepted: answer them too.
                while (zsock_events (dealer) & ZMQ_POLLIN)
                    s_serve_one (&ctx, dealer, &out);
                break;
            }
        }
        else
        if (which == dealer)
            s_serve_one (&ctx, dealer, &out);
    }
    msgpack_sbuffer_destroy (&out);
    if (ctx.local && ctx.local_free)
        ctx.local_free (&ctx.local);
    zpoller_destroy (&poller);
    zsock_destroy (&ctx.events);
    zsock_destroy (&dealer);
    imvo_redis_destroy (&ctx.redis);
    free (a);
}

//  Moves one multipart message from one socket to another; false when nothing was waiting.
static bool
s_forward (zsock_t *from, zsock_t *to, bool dontwait)
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

int
imvo_service_run (const imvo_service_def_t *def)
{
    zsys_init ();
    zsys_set_logident (def->name);
    zsys_set_logstream (stderr);
    imvo_service_t *s = calloc (1, sizeof *s);
    assert (s);
    s->def = def;
    s->started = zclock_mono ();
    s->nworkers = (int) imvo_env_long ("IMVO_WORKERS", 8, 1, 64);
    snprintf (s->workers_endpoint, sizeof s->workers_endpoint, "inproc://imvo-%s-workers", def->name);
    snprintf (s->events_endpoint, sizeof s->events_endpoint, "inproc://imvo-%s-events", def->name);
    int rc = 1;

    char bind [256], events_bind [256];
    imvo_config_bind (def->name, bind, sizeof bind);
    imvo_config_events_bind (def->name, events_bind, sizeof events_bind);
    zsys_info ("starting %s %s; requests on %s, events on %s", def->name, IMVO_VERSION, bind, events_bind);
    if (!imvo_env ("IMVO_CURVE_DIR", NULL))
        zsys_notice ("CURVE is off: the envelope's actor is trusted (local development only)");

    //  Wait for Redis (a daemon may start before it), then run the start hook.
    imvo_ctx_t main_ctx = { .service = s, .name = def->name, .state = def->state, .worker = -1 };
    main_ctx.redis = imvo_redis_new (imvo_config_redis_url ());
    if (!main_ctx.redis) {
        zsys_error ("IMVO_REDIS_URL is not a redis:// URL");
        free (s);
        return 1;
    }
    imvo_redis_add_scripts (main_ctx.redis, imvo_common_scripts);
    if (def->scripts)
        imvo_redis_add_scripts (main_ctx.redis, def->scripts);
    if (imvo_redis_wait (main_ctx.redis, 0, NULL)) {
        zsys_info ("waiting for redis at %s", imvo_config_redis_url ());
        if (imvo_redis_wait (main_ctx.redis, -1, &zsys_interrupted)) {
            imvo_redis_destroy (&main_ctx.redis);
            free (s);
            return 0;
        }
    }
    if (def->on_start && def->on_start (&main_ctx)) {
        zsys_error ("start-up of %s failed", def->name);
        imvo_redis_destroy (&main_ctx.redis);
        free (s);
        return 1;
    }

    zsock_t *frontend = zsock_new (ZMQ_ROUTER);
    zsock_t *backend = zsock_new_dealer (NULL);
    zsock_t *pull = zsock_new_pull (NULL);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    zsock_set_maxmsgsize (frontend, (int) imvo_env_long ("IMVO_MAX_MSG_BYTES", 1 << 20, 1024, 1 << 30));
    zsock_set_router_mandatory (frontend, 0);
    zsock_set_linger (frontend, 2000);
    zsock_set_linger (pub, 1000);
    zsock_set_sndhwm (pub, 100000);
    if (zsock_bind (frontend, "%s", bind) < 0 || zsock_bind (pub, "%s", events_bind) < 0
    ||  zsock_bind (backend, "%s", s->workers_endpoint) < 0 || zsock_bind (pull, "%s", s->events_endpoint) < 0) {
        zsys_error ("cannot bind %s or %s: %s", bind, events_bind, zmq_strerror (zmq_errno ()));
        goto cleanup;
    }
    main_ctx.events = zsock_new_push (s->events_endpoint);

    zactor_t *workers [64] = { NULL };
    for (int i = 0; i < s->nworkers; i++) {
        s_worker_args_t *a = calloc (1, sizeof *a);
        assert (a);
        a->service = s;
        a->worker = i;
        workers [i] = zactor_new (s_worker, a);
    }
    zactor_t *consumers [8] = { NULL };
    int nconsumers = 0;
    for (const imvo_subscription_t *sub = def->subscriptions; sub && sub->source && nconsumers < 8; sub++) {
        imvo_consumer_args_t args = { s, def, sub, s->events_endpoint };
        consumers [nconsumers++] = zactor_new (imvo_consumer_actor, &args);
    }
    zsys_info ("%s ready with %d workers", def->name, s->nworkers);

    zmq_pollitem_t items [] = {
        { zsock_resolve (frontend), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (backend), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (pull), 0, ZMQ_POLLIN, 0 },
    };
    while (!zsys_interrupted) {
        if (zmq_poll (items, 3, 500) < 0)
            continue;                           //  EINTR: the loop condition decides
        if (items [0].revents & ZMQ_POLLIN)
            s_forward (frontend, backend, true);
        if (items [1].revents & ZMQ_POLLIN)
            s_forward (backend, frontend, true);
        if (items [2].revents & ZMQ_POLLIN)
            s_forward (pull, pub, true);
    }
    zsys_info ("%s stopping: finishing the messages in hand", def->name);
    //  Workers finish the message they hold and stop; their replies wait in the backend.
    for (int i = 0; i < nconsumers; i++)
        zactor_destroy (&consumers [i]);
    for (int i = 0; i < s->nworkers; i++)
        zactor_destroy (&workers [i]);
    while (s_forward (backend, frontend, true))
        ;
    while (s_forward (pull, pub, true))
        ;
    rc = 0;
    zsock_destroy (&main_ctx.events);
cleanup:
    zsock_destroy (&pub);
    zsock_destroy (&pull);
    zsock_destroy (&backend);
    zsock_destroy (&frontend);
    imvo_redis_destroy (&main_ctx.redis);
    zsys_info ("%s stopped", def->name);
    free (s);
    return rc;
}

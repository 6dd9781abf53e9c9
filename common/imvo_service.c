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
    atomic_ullong batches;                  //  batches served by workers
    atomic_ullong largest_batch;            //  the most requests in one batch
    int batch;                              //  most requests a worker takes at once
};

#define S_MAX_PARTS 32                      //  routing frames + body of one request

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

int
imvo_packed_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    (void) ctx;
    return imvo_redis_packed_reply (r, reply);
}

int
imvo_script_call (imvo_ctx_t *ctx, imvo_reply_t *reply, const char *script,
                  imvo_args_t *keys, imvo_args_t *args, imvo_done_fn *done)
{
    if (ctx->call && !ctx->call->script) {
        imvo_call_t *call = ctx->call;
        call->script = script;
        call->keys = *keys;             //  moved: the caller's vectors are emptied
        call->args = *args;
        imvo_args_own (&call->keys);    //  and the call outlives the handler's buffers
        imvo_args_own (&call->args);
        call->done = done;
        call->result = NULL;
        imvo_args_init (keys);
        imvo_args_init (args);
        return IMVO_DEFERRED;
    }
    redisReply *r = imvo_redis_eval (ctx->redis, script, keys, args);
    imvo_args_release (keys);
    imvo_args_release (args);
    return done (ctx, r, reply);
}

void
imvo_calls_run (imvo_ctx_t *ctx, imvo_call_t *calls, imvo_reply_t *replies, size_t n)
{
    //  Send every call, then read the replies in the same order: one write, one fsync group.
    bool sent [n ? n : 1];
    size_t waiting = 0;
    for (size_t i = 0; i < n; i++) {
        sent [i] = calls [i].script
                && imvo_redis_append_eval (ctx->redis, calls [i].script, &calls [i].keys, &calls [i].args) == 0;
        waiting += sent [i];
    }
    for (size_t i = 0; i < n; i++)
        if (sent [i])
            calls [i].result = imvo_redis_next_reply (ctx->redis);
    //  A script cache flushed under us: imvo_redis_eval loads it again and retries.
    for (size_t i = 0; i < n; i++) {
        redisReply *r = calls [i].result;
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject (r);
            calls [i].result = imvo_redis_eval (ctx->redis, calls [i].script, &calls [i].keys, &calls [i].args);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!calls [i].script)
            continue;
        calls [i].done (ctx, calls [i].result, &replies [i]);
        calls [i].result = NULL;
        calls [i].script = NULL;
        imvo_args_release (&calls [i].keys);
        imvo_args_release (&calls [i].args);
    }
    (void) waiting;
}

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
    msgpack_pack_map (pk, 10);
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
    imvo_pack_kv_int (pk, "batches", (int64_t) atomic_load (&s->batches));
    imvo_pack_kv_int (pk, "largest_batch", (int64_t) atomic_load (&s->largest_batch));
}

static const imvo_handler_t *
s_find_handler (const imvo_service_def_t *def, const char *type)
{
    for (const imvo_handler_t *h = def->handlers; h && h->type; h++)
        if (strcmp (h->type, type) == 0)
            return h;
    return NULL;
}

//  One request of a batch: its frames (routing envelope, then the body) and its decoding.
typedef struct {
    zmq_msg_t parts [S_MAX_PARTS];
    int nparts;
    imvo_request_t req;
} s_slot_t;

//  Decodes and dispatches one request. The handler either finishes reply or parks one
//  script call in *call for the pipeline.
static void
s_dispatch (imvo_ctx_t *ctx, s_slot_t *slot, imvo_call_t *call, imvo_reply_t *reply)
{
    imvo_service_t *s = ctx->service;
    zmq_msg_t *body = &slot->parts [slot->nparts - 1];
    imvo_request_t *req = &slot->req;
    atomic_fetch_add (&s->requests, 1);
    if (imvo_request_decode (req, zmq_msg_data (body), zmq_msg_size (body), &reply->err))
        return;
    const imvo_handler_t *h;
    if (strcmp (req->type, "ping") == 0)
        s_ping (ctx, reply);
    else
    if (strcmp (req->type, "stats") == 0)
        s_stats (ctx, reply);
    else
    if ((h = s_find_handler (s->def, req->type))) {
        const imvo_proto_msg_t *msg = imvo_proto_find (req->type);
        imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
        assert (msg);       //  every handled type has a catalogue entry
        if (imvo_proto_validate (msg, req->body, &req->zone, values, &reply->err) == 0) {
            ctx->call = call;
            h->handler (ctx, req, values, reply);
            ctx->call = NULL;
        }
    }
    else
        imvo_reply_fail (reply, IMVO_ERR_UNKNOWN_TYPE, "type",
                         "the %s daemon has no message type '%s'", ctx->name, req->type);
}

//  A worker's batch buffers, allocated once.
typedef struct {
    s_slot_t *slots;
    imvo_call_t *calls;
    imvo_reply_t *replies;
    int cap;
    msgpack_sbuffer out;
} s_batch_t;

//  Receives the rest of a multipart message after its first frame; false on a malformed batch.
static int
s_recv_part (void *sock, zmq_msg_t *part)
{
    zmq_msg_init (part);
    return zmq_msg_recv (part, sock, 0) < 0 ? -1 : 0;
}

//  Reads a batch [count, parts...]* [""] from the worker's socket into b; returns the number
//  of requests, or -1 when the socket gave nothing.
static int
s_batch_recv (void *sock, s_batch_t *b)
{
    int n = 0;
    while (true) {
        zmq_msg_t count;
        if (s_recv_part (sock, &count)) {
            zmq_msg_close (&count);
            return n ? n : -1;
        }
        bool more = zmq_msg_more (&count);
        size_t size = zmq_msg_size (&count);
        int nparts = size == 1 ? *(unsigned char *) zmq_msg_data (&count) : 0;
        zmq_msg_close (&count);
        if (!more || nparts == 0)
            return n;                           //  the terminator
        assert (n < b->cap && nparts <= S_MAX_PARTS);
        s_slot_t *slot = &b->slots [n++];
        slot->nparts = nparts;
        for (int i = 0; i < nparts; i++)
            s_recv_part (sock, &slot->parts [i]);
    }
}

//  Handles a batch: dispatch every request, run the parked script calls in one pipeline,
//  then send the replies back in one message, in the batch's format.
static void
s_batch_serve (imvo_ctx_t *ctx, void *sock, s_batch_t *b, int n)
{
    imvo_service_t *s = ctx->service;
    atomic_fetch_add (&s->batches, 1);
    unsigned long long largest = atomic_load (&s->largest_batch);
    while ((unsigned long long) n > largest
       &&  !atomic_compare_exchange_weak (&s->largest_batch, &largest, (unsigned long long) n))
        ;
    for (int i = 0; i < n; i++) {
        imvo_reply_init (&b->replies [i]);
        b->calls [i].script = NULL;
        s_dispatch (ctx, &b->slots [i], &b->calls [i], &b->replies [i]);
    }
    imvo_calls_run (ctx, b->calls, b->replies, (size_t) n);
    for (int i = 0; i < n; i++) {
        s_slot_t *slot = &b->slots [i];
        imvo_reply_t *reply = &b->replies [i];
        if (reply->err.code != IMVO_ERR_NONE)
            atomic_fetch_add (&s->errors [reply->err.code], 1);
        msgpack_sbuffer_clear (&b->out);
        imvo_reply_pack (&b->out, slot->req.id [0] ? slot->req.id : NULL, reply);
        imvo_reply_release (reply);
        imvo_request_release (&slot->req);
        unsigned char count = (unsigned char) slot->nparts;
        zmq_send (sock, &count, 1, ZMQ_SNDMORE);
        for (int p = 0; p < slot->nparts - 1; p++)
            zmq_msg_send (&slot->parts [p], sock, ZMQ_SNDMORE);
        zmq_msg_close (&slot->parts [slot->nparts - 1]);
        zmq_send (sock, b->out.data, b->out.size, ZMQ_SNDMORE);
    }
    zmq_send (sock, "", 0, 0);
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
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    assert (dealer);
    char identity [8];
    snprintf (identity, sizeof identity, "w%d", a->worker);
    zsock_set_identity (dealer, identity);
    zsock_set_rcvhwm (dealer, 0);
    zsock_set_sndhwm (dealer, 0);
    ctx.events = zsock_new_push (s->events_endpoint);
    if (zsock_connect (dealer, "%s", s->workers_endpoint) || !ctx.redis || !ctx.events) {
        zsys_error ("worker %d cannot start", a->worker);
        abort ();
    }
    zsock_set_linger (ctx.events, 1000);
    zsock_set_sndhwm (ctx.events, 0);
    s_batch_t b = { .cap = s->batch };
    b.slots = calloc ((size_t) b.cap, sizeof *b.slots);
    b.calls = calloc ((size_t) b.cap, sizeof *b.calls);
    b.replies = calloc ((size_t) b.cap, sizeof *b.replies);
    assert (b.slots && b.calls && b.replies);
    msgpack_sbuffer_init (&b.out);
    //  Say hello: the broker counts a worker as free once it has heard from it.
    zmq_send (zsock_resolve (dealer), "", 0, 0);
    zpoller_t *poller = zpoller_new (pipe, dealer, NULL);
    zpoller_set_nonstop (poller, true);        //  the main thread decides when we stop
    zsock_signal (pipe, 0);
    while (true) {
        void *which = zpoller_wait (poller, 1000);
        if (which == pipe)
            break;      //  $TERM: the broker sends nothing more once it asks us to stop
        if (which == dealer) {
            int n = s_batch_recv (zsock_resolve (dealer), &b);
            if (n >= 0)
                s_batch_serve (&ctx, zsock_resolve (dealer), &b, n);
        }
    }
    msgpack_sbuffer_destroy (&b.out);
    free (b.slots);
    free (b.calls);
    free (b.replies);
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

//  The broker's view of its workers: which are free, in a stack.
typedef struct {
    int free [64];
    int nfree;
    int busy;
} s_pool_t;

//  Takes up to `batch` waiting requests from the front end and sends them to worker w as one
//  message. Returns the number sent.
static int
s_deal (zsock_t *frontend, zsock_t *backend, int w, int batch)
{
    void *front = zsock_resolve (frontend);
    void *back = zsock_resolve (backend);
    char identity [8];
    int idlen = snprintf (identity, sizeof identity, "w%d", w);
    int n = 0;
    zmq_msg_t parts [S_MAX_PARTS];
    while (n < batch) {
        int nparts = 0;
        zmq_msg_init (&parts [0]);
        if (zmq_msg_recv (&parts [0], front, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&parts [0]);
            break;
        }
        nparts = 1;
        bool more = zmq_msg_more (&parts [0]);
        bool too_many = false;
        while (more) {
            zmq_msg_t extra;
            zmq_msg_t *part = nparts < S_MAX_PARTS ? &parts [nparts] : &extra;
            zmq_msg_init (part);
            zmq_msg_recv (part, front, 0);
            more = zmq_msg_more (part);
            if (part == &extra) {
                zmq_msg_close (&extra);
                too_many = true;
            }
            else
                nparts++;
        }
        //  A DEALER's request is [identity, body]; a REQ's [identity, "", body]. One with
        //  more frames than any client sends cannot be answered: drop it.
        if (too_many || nparts < 2) {
            for (int i = 0; i < nparts; i++)
                zmq_msg_close (&parts [i]);
            continue;
        }
        if (n == 0)
            zmq_send (back, identity, (size_t) idlen, ZMQ_SNDMORE);
        unsigned char count = (unsigned char) nparts;
        zmq_send (back, &count, 1, ZMQ_SNDMORE);
        for (int i = 0; i < nparts; i++)
            zmq_msg_send (&parts [i], back, ZMQ_SNDMORE);
        n++;
    }
    if (n)
        zmq_send (back, "", 0, 0);
    return n;
}

//  Receives one message from a worker: its hello (free now) or a batch of replies, which go
//  out on the front end. Returns the worker's number, or -1.
static int
s_collect (zsock_t *backend, zsock_t *frontend)
{
    void *back = zsock_resolve (backend);
    void *front = zsock_resolve (frontend);
    zmq_msg_t part;
    zmq_msg_init (&part);
    if (zmq_msg_recv (&part, back, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&part);
        return -1;
    }
    int w = -1;
    if (zmq_msg_size (&part) > 1 && zmq_msg_size (&part) < 8) {
        char identity [8];
        memcpy (identity, zmq_msg_data (&part), zmq_msg_size (&part));
        identity [zmq_msg_size (&part)] = 0;
        w = atoi (identity + 1);
    }
    //  [count, parts...]* then "" (the hello is just ""). A sent frame no longer says
    //  whether more follow, so that is kept apart.
    bool more = zmq_msg_more (&part);
    while (more) {
        zmq_msg_recv (&part, back, 0);
        more = zmq_msg_more (&part);
        if (!more)
            break;                              //  the terminator
        int nparts = zmq_msg_size (&part) == 1 ? *(unsigned char *) zmq_msg_data (&part) : 0;
        for (int i = 0; i < nparts && more; i++) {
            zmq_msg_recv (&part, back, 0);
            more = zmq_msg_more (&part);
            zmq_msg_send (&part, front, i + 1 < nparts ? ZMQ_SNDMORE : 0);
        }
    }
    zmq_msg_close (&part);
    return w;
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
    s->nworkers = (int) imvo_env_long ("IMVO_WORKERS", 4, 1, 64);
    s->batch = (int) imvo_env_long ("IMVO_BATCH", 256, 1, 4096);
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
    zsock_t *backend = zsock_new (ZMQ_ROUTER);
    zsock_t *pull = zsock_new_pull (NULL);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    zsock_set_maxmsgsize (frontend, (int) imvo_env_long ("IMVO_MAX_MSG_BYTES", 1 << 20, 1024, 1 << 30));
    zsock_set_router_mandatory (frontend, 0);
    zsock_set_linger (frontend, 2000);
    zsock_set_linger (pub, 1000);
    zsock_set_sndhwm (backend, 0);
    zsock_set_rcvhwm (backend, 0);
    zsock_set_rcvhwm (pull, 0);
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

    //  The broker: requests are read from the front end only while a worker is free, so
    //  they wait in the socket's queue meanwhile and a free worker takes them all at once.
    s_pool_t pool = { .nfree = 0 };
    zmq_pollitem_t items [] = {
        { zsock_resolve (backend), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (pull), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (frontend), 0, ZMQ_POLLIN, 0 },
    };
    while (!zsys_interrupted) {
        if (zmq_poll (items, pool.nfree ? 3 : 2, 500) < 0)
            continue;                           //  EINTR: the loop condition decides
        if (items [0].revents & ZMQ_POLLIN) {
            int w;
            while ((w = s_collect (backend, frontend)) >= 0)
                if (w < s->nworkers && pool.nfree < s->nworkers)
                    pool.free [pool.nfree++] = w;
        }
        if (items [1].revents & ZMQ_POLLIN)
            while (s_forward (pull, pub, true))
                ;
        while (pool.nfree && (zsock_events (frontend) & ZMQ_POLLIN)) {
            int w = pool.free [pool.nfree - 1];
            if (s_deal (frontend, backend, w, s->batch) == 0)
                break;
            pool.nfree--;
        }
        items [2].revents = 0;
    }
    zsys_info ("%s stopping: finishing the messages in hand", def->name);
    //  Requests already handed to a worker were accepted: wait for their replies.
    int64_t deadline = zclock_mono () + 10000;
    while (pool.nfree < s->nworkers && zclock_mono () < deadline) {
        zmq_pollitem_t back = { zsock_resolve (backend), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&back, 1, 100) > 0) {
            int w;
            while ((w = s_collect (backend, frontend)) >= 0)
                if (w < s->nworkers && pool.nfree < s->nworkers)
                    pool.free [pool.nfree++] = w;
        }
    }
    for (int i = 0; i < nconsumers; i++)
        zactor_destroy (&consumers [i]);
    for (int i = 0; i < s->nworkers; i++)
        zactor_destroy (&workers [i]);
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

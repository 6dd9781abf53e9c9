/*  imvo_service: ROUTER front end, a pipeline to Redis, worker threads, PUB for events; see
    imvo_service.h.

    Threads: the main thread runs the poll loop (s_turn). It owns the ROUTER, the PUB, the
    pipelined Redis connection, and two inproc sockets: a ROUTER to the workers and a PULL
    that collects their events to publish. Requests of IMVO_PIPELINED types are handled in
    the loop and their script calls written to Redis together; replies go out as their
    results arrive. Other requests wait in the loop until a worker is free, which then gets
    all of them as one batch ([count][frames...]* [""]), and answers them in one message.
    Each worker is a zactor with its own DEALER and Redis connection, and pipelines the script
    calls of its batch as well. Counters are C11 atomics: the one piece of state the threads
    share, and only for `stats`.
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"

#include <pthread.h>
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
    atomic_ullong pipelined;                //  requests whose script call went in the pipeline
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
    ||  r->element [0]->type != REDIS_REPLY_STRING || (r->elements - 1) % 5) {
        imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        return -1;
    }
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
        call->merge = false;
        call->leader = -1;
        imvo_args_init (keys);
        imvo_args_init (args);
        return IMVO_DEFERRED;
    }
    redisReply *r = imvo_redis_eval (ctx->redis, script, keys, args);
    imvo_args_release (keys);
    imvo_args_release (args);
    return done (ctx, r, reply);
}

int
imvo_script_call_merged (imvo_ctx_t *ctx, imvo_reply_t *reply, const char *script,
                         imvo_args_t *keys, imvo_args_t *args, imvo_done_fn *done)
{
    imvo_call_t *call = ctx->call && !ctx->call->script ? ctx->call : NULL;
    int rc = imvo_script_call (ctx, reply, script, keys, args, done);
    if (call && rc == IMVO_DEFERRED)
        call->merge = true;
    return rc;
}

static bool
s_same_keys (const imvo_args_t *a, const imvo_args_t *b)
{
    if (a->argc != b->argc)
        return false;
    for (int i = 0; i < a->argc; i++)
        if (a->lens [i] != b->lens [i] || memcmp (a->argv [i], b->argv [i], a->lens [i]))
            return false;
    return true;
}

//  Merges each mergeable call into the first like it (same script, same keys).
static void
s_merge (imvo_call_t *calls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        calls [i].leader = -1;
        if (!calls [i].script || !calls [i].merge)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (calls [j].script && calls [j].merge && calls [j].leader < 0
            &&  streq (calls [j].script, calls [i].script) && s_same_keys (&calls [j].keys, &calls [i].keys)) {
                for (int a = 0; a < calls [i].args.argc; a++)
                    imvo_args_add (&calls [j].args, calls [i].args.argv [a], calls [i].args.lens [a]);
                calls [i].leader = (int) j;
                break;
            }
        }
    }
}

void
imvo_calls_run (imvo_ctx_t *ctx, imvo_call_t *calls, imvo_reply_t *replies, size_t n)
{
    //  Send every call, then read the replies in the same order: one write, one fsync group.
    s_merge (calls, n);
    bool sent [n ? n : 1];
    for (size_t i = 0; i < n; i++)
        sent [i] = calls [i].script && calls [i].leader < 0
                && imvo_redis_append_eval (ctx->redis, calls [i].script, &calls [i].keys, &calls [i].args) == 0;
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
        if (calls [i].leader < 0)
            calls [i].done (ctx, calls [i].result, &replies [i]);
        else
            replies [i].err = replies [calls [i].leader].err;   //  leaders come first
        calls [i].result = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!calls [i].script)
            continue;
        calls [i].script = NULL;
        imvo_args_release (&calls [i].keys);
        imvo_args_release (&calls [i].args);
    }
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
    msgpack_pack_map (pk, 11);
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
    imvo_pack_kv_int (pk, "pipelined", (int64_t) atomic_load (&s->pipelined));
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
        if (imvo_proto_authorise (msg, req, NULL, &reply->err) == 0
        &&  imvo_proto_validate (msg, req->body, &req->zone, values, &reply->err) == 0
        &&  imvo_proto_authorise (msg, req, values, &reply->err) == 0) {
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

//  A request the poll loop holds: its frames, and for a pipelined one its decoding, reply and
//  parked call while the script runs. Held requests form two queues, on the `next` links:
//  the pipeline (waiting for Redis, in the order of their calls) and the queue for workers.
typedef struct _s_held_t {
    zmq_msg_t parts [S_MAX_PARTS];
    int nparts;
    bool decoded;
    imvo_request_t req;
    imvo_reply_t reply;
    imvo_call_t call;
    struct _s_held_t *next;
} s_held_t;

typedef struct {
    s_held_t *head, *tail;
    size_t size;
} s_queue_t;

static void
s_queue_push (s_queue_t *q, s_held_t *h)
{
    h->next = NULL;
    if (q->tail)
        q->tail->next = h;
    else
        q->head = h;
    q->tail = h;
    q->size++;
}

static s_held_t *
s_queue_pop (s_queue_t *q)
{
    s_held_t *h = q->head;
    if (h) {
        q->head = h->next;
        if (!q->head)
            q->tail = NULL;
        q->size--;
    }
    return h;
}

//  The main thread's poll loop: the front end, the pipeline to Redis, the workers.
typedef struct {
    imvo_service_t *s;
    imvo_ctx_t ctx;                 //  for pipelined handlers; ctx.redis blocks (rare uses)
    imvo_redis_t *pipe;             //  the pipelined connection, driven by the poll loop
    zsock_t *frontend, *backend, *pub;
    int free [64];                  //  workers waiting for a batch
    int nfree;
    s_queue_t pipeline;             //  requests whose script call is in the pipeline
    s_queue_t queue;                //  requests waiting for a free worker
    s_held_t *spare;                //  held structures to reuse
    size_t max_held;                //  IMVO_PIPELINE: held requests before the loop stops reading
    bool want_write;                //  the pipeline has output the socket did not take yet
    msgpack_sbuffer out;
} s_loop_t;

static s_held_t *
s_held_new (s_loop_t *loop)
{
    s_held_t *h = loop->spare;
    if (h)
        loop->spare = h->next;
    else {
        h = malloc (sizeof *h);
        assert (h);
    }
    h->nparts = 0;
    h->decoded = false;
    h->call.script = NULL;
    h->next = NULL;
    return h;
}

static void
s_held_free (s_loop_t *loop, s_held_t *h)
{
    for (int i = 0; i < h->nparts; i++)
        zmq_msg_close (&h->parts [i]);
    h->nparts = 0;
    if (h->decoded) {
        imvo_request_release (&h->req);
        imvo_reply_release (&h->reply);
        h->decoded = false;
    }
    h->next = loop->spare;
    loop->spare = h;
}

//  Sends the reply of a request the loop answered itself, and frees it.
static void
s_answer (s_loop_t *loop, s_held_t *h)
{
    imvo_service_t *s = loop->s;
    if (h->reply.err.code != IMVO_ERR_NONE)
        atomic_fetch_add (&s->errors [h->reply.err.code], 1);
    msgpack_sbuffer_clear (&loop->out);
    imvo_reply_pack (&loop->out, h->req.id [0] ? h->req.id : NULL, &h->reply);
    void *front = zsock_resolve (loop->frontend);
    for (int i = 0; i < h->nparts - 1; i++)
        zmq_msg_send (&h->parts [i], front, ZMQ_SNDMORE);
    zmq_send (front, loop->out.data, loop->out.size, 0);
    s_held_free (loop, h);
}

//  Finishes a pipelined request with its script's result (NULL: Redis went away).
static void
s_finish (s_loop_t *loop, s_held_t *h, redisReply *r)
{
    imvo_call_t *call = &h->call;
    if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0) {
        //  The script cache was flushed: the blocking connection loads it and runs it.
        freeReplyObject (r);
        r = imvo_redis_eval (loop->ctx.redis, call->script, &call->keys, &call->args);
    }
    call->done (&loop->ctx, r, &h->reply);
    call->script = NULL;
    imvo_args_release (&call->keys);
    imvo_args_release (&call->args);
    s_answer (loop, h);
}

//  Answers every request in the pipeline with `unavailable` once its connection is gone.
static void
s_fail_pipeline (s_loop_t *loop)
{
    s_held_t *h;
    while ((h = s_queue_pop (&loop->pipeline)))
        s_finish (loop, h, NULL);
    loop->want_write = false;
}

//  Takes one request from the front end: pipelined types are handled here and their script
//  call appended to the pipeline; the rest wait for a worker. False when nothing was waiting.
static bool
s_intake (s_loop_t *loop)
{
    void *front = zsock_resolve (loop->frontend);
    s_held_t *h = s_held_new (loop);
    zmq_msg_init (&h->parts [0]);
    if (zmq_msg_recv (&h->parts [0], front, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&h->parts [0]);
        s_held_free (loop, h);
        return false;
    }
    h->nparts = 1;
    bool more = zmq_msg_more (&h->parts [0]), too_many = false;
    while (more) {
        zmq_msg_t extra;
        zmq_msg_t *part = h->nparts < S_MAX_PARTS ? &h->parts [h->nparts] : &extra;
        zmq_msg_init (part);
        zmq_msg_recv (part, front, 0);
        more = zmq_msg_more (part);
        if (part == &extra) {
            zmq_msg_close (&extra);
            too_many = true;
        }
        else
            h->nparts++;
    }
    //  A DEALER's request is [identity, body], a REQ's [identity, "", body]. One with more
    //  frames than any client sends cannot be answered: it is dropped.
    if (too_many || h->nparts < 2) {
        s_held_free (loop, h);
        return true;
    }
    imvo_service_t *s = loop->s;
    zmq_msg_t *body = &h->parts [h->nparts - 1];
    imvo_reply_init (&h->reply);
    h->decoded = true;
    if (imvo_request_decode (&h->req, zmq_msg_data (body), zmq_msg_size (body), &h->reply.err)) {
        atomic_fetch_add (&s->requests, 1);
        s_answer (loop, h);
        return true;
    }
    const imvo_handler_t *handler = s_find_handler (s->def, h->req.type);
    bool builtin = streq (h->req.type, "ping") || streq (h->req.type, "stats");
    if (builtin || (handler && handler->mode == IMVO_IN_WORKER)) {
        //  A worker decodes it again; the loop keeps only the frames.
        imvo_request_release (&h->req);
        imvo_reply_release (&h->reply);
        h->decoded = false;
        s_queue_push (&loop->queue, h);
        return true;
    }
    atomic_fetch_add (&s->requests, 1);
    if (!handler) {
        imvo_reply_fail (&h->reply, IMVO_ERR_UNKNOWN_TYPE, "type",
                         "the %s daemon has no message type '%s'", loop->ctx.name, h->req.type);
        s_answer (loop, h);
        return true;
    }
    const imvo_proto_msg_t *msg = imvo_proto_find (h->req.type);
    imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
    assert (msg);
    if (imvo_proto_authorise (msg, &h->req, NULL, &h->reply.err) == 0
    &&  imvo_proto_validate (msg, h->req.body, &h->req.zone, values, &h->reply.err) == 0
    &&  imvo_proto_authorise (msg, &h->req, values, &h->reply.err) == 0) {
        loop->ctx.call = &h->call;
        handler->handler (&loop->ctx, &h->req, values, &h->reply);
        loop->ctx.call = NULL;
    }
    if (!h->call.script)
        s_answer (loop, h);
    else
    if (imvo_redis_append_eval (loop->pipe, h->call.script, &h->call.keys, &h->call.args))
        s_finish (loop, h, NULL);
    else {
        s_queue_push (&loop->pipeline, h);
        loop->want_write = true;
        atomic_fetch_add (&s->pipelined, 1);
    }
    return true;
}

//  Sends what waits for workers to the free ones, one batch each:
//  [identity] ([count] [frames...])* [""].
static void
s_deal (s_loop_t *loop)
{
    void *back = zsock_resolve (loop->backend);
    while (loop->nfree && loop->queue.size) {
        int w = loop->free [--loop->nfree];
        char identity [8];
        int idlen = snprintf (identity, sizeof identity, "w%d", w);
        zmq_send (back, identity, (size_t) idlen, ZMQ_SNDMORE);
        for (int n = 0; n < loop->s->batch && loop->queue.size; n++) {
            s_held_t *h = s_queue_pop (&loop->queue);
            unsigned char count = (unsigned char) h->nparts;
            zmq_send (back, &count, 1, ZMQ_SNDMORE);
            for (int i = 0; i < h->nparts; i++)
                zmq_msg_send (&h->parts [i], back, ZMQ_SNDMORE);
            s_held_free (loop, h);
        }
        zmq_send (back, "", 0, 0);
    }
}

//  Reads what Redis answered and finishes those requests, in pipeline order.
static void
s_pipeline_read (s_loop_t *loop)
{
    if (imvo_redis_feed (loop->pipe) == 0) {
        redisReply *r;
        while (loop->pipeline.size && (r = imvo_redis_take (loop->pipe)))
            s_finish (loop, s_queue_pop (&loop->pipeline), r);
    }
    if (!imvo_redis_connected (loop->pipe))
        s_fail_pipeline (loop);
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

static void
s_collect_all (s_loop_t *loop)
{
    int w;
    while ((w = s_collect (loop->backend, loop->frontend)) >= 0)
        if (w < loop->s->nworkers && loop->nfree < loop->s->nworkers)
            loop->free [loop->nfree++] = w;
}

//  One turn of the loop: wait for the front end (while the loop may hold more), the pipeline,
//  the workers and the events to publish, then move what is ready.
static void
s_turn (s_loop_t *loop, zsock_t *pull, bool taking, long timeout_ms)
{
    if (!imvo_redis_connected (loop->pipe) && loop->pipeline.size == 0)
        imvo_redis_connect_async (loop->pipe);
    int fd = imvo_redis_fd (loop->pipe);
    size_t held = loop->pipeline.size + loop->queue.size;
    zmq_pollitem_t items [4] = {
        { zsock_resolve (loop->backend), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (pull), 0, ZMQ_POLLIN, 0 },
        { NULL, fd, (short) (ZMQ_POLLIN | (loop->want_write ? ZMQ_POLLOUT : 0)), 0 },
        { zsock_resolve (loop->frontend), 0, ZMQ_POLLIN, 0 },
    };
    int nitems = taking && held < loop->max_held ? 4 : 3;
    if (fd < 0) {
        items [2].fd = -1;
        items [2].events = 0;
    }
    if (zmq_poll (items, nitems, timeout_ms) < 0)
        return;                                 //  EINTR: the caller decides
    if (items [0].revents & ZMQ_POLLIN)
        s_collect_all (loop);
    if (items [1].revents & ZMQ_POLLIN)
        while (s_forward (pull, loop->pub, true))
            ;
    if (items [2].revents & ZMQ_POLLIN)
        s_pipeline_read (loop);
    if (nitems == 4 && (items [3].revents & ZMQ_POLLIN)) {
        //  Take what is waiting, up to the bound, and send the pipeline's calls in one write.
        while (loop->pipeline.size + loop->queue.size < loop->max_held && s_intake (loop))
            ;
    }
    s_deal (loop);
    if (loop->want_write) {
        int rc = imvo_redis_flush (loop->pipe);
        loop->want_write = rc == 1;
        if (rc < 0)
            s_fail_pipeline (loop);
    }
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

    //  A field that may be longer than the socket lets a message be is a promise the daemon
    //  cannot keep: refuse to start, naming it.
    long max_msg = imvo_env_long ("IMVO_MAX_MSG_BYTES", 1 << 20, 1024, 1 << 30);
    for (const imvo_handler_t *h = def->handlers; h && h->type; h++) {
        const imvo_proto_msg_t *msg = imvo_proto_find (h->type);
        for (int i = 0; msg && i < msg->nfields; i++)
            if (msg->fields [i].kind == IMVO_F_STR
            &&  msg->fields [i].max > max_msg) {
                zsys_error ("%s.%s may be %lld bytes, but IMVO_MAX_MSG_BYTES is %ld: raise it",
                            h->type, msg->fields [i].name, (long long) msg->fields [i].max, max_msg);
                imvo_redis_destroy (&main_ctx.redis);
                free (s);
                return 1;
            }
    }
    zsock_t *frontend = zsock_new (ZMQ_ROUTER);
    zsock_t *backend = zsock_new (ZMQ_ROUTER);
    zsock_t *pull = zsock_new_pull (NULL);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    zsock_set_maxmsgsize (frontend, (int) max_msg);
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

    //  The loop: pipelined requests are handled here and their script calls share one
    //  connection; the rest go to workers. The front end is read only while the loop holds
    //  fewer than IMVO_PIPELINE requests, so that a flood waits in the socket's queue.
    s_loop_t loop = {
        .s = s, .frontend = frontend, .backend = backend, .pub = pub,
        .max_held = (size_t) imvo_env_long ("IMVO_PIPELINE", 1024, 1, 100000),
    };
    loop.ctx = main_ctx;
    loop.ctx.events = pub;
    loop.pipe = imvo_redis_new (imvo_config_redis_url ());
    imvo_redis_add_scripts (loop.pipe, imvo_common_scripts);
    if (def->scripts)
        imvo_redis_add_scripts (loop.pipe, def->scripts);
    msgpack_sbuffer_init (&loop.out);
    while (!zsys_interrupted)
        s_turn (&loop, pull, true, 500);
    zsys_info ("%s stopping: finishing the messages in hand", def->name);
    //  Requests already taken were accepted: answer them (for up to 10 s).
    int64_t deadline = zclock_mono () + 10000;
    while ((loop.pipeline.size || loop.queue.size || loop.nfree < s->nworkers) && zclock_mono () < deadline)
        s_turn (&loop, pull, false, 100);
    s_fail_pipeline (&loop);
    while (loop.queue.size)
        s_held_free (&loop, s_queue_pop (&loop.queue));
    while (loop.spare) {
        s_held_t *h = loop.spare;
        loop.spare = h->next;
        free (h);
    }
    msgpack_sbuffer_destroy (&loop.out);
    imvo_redis_destroy (&loop.pipe);
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

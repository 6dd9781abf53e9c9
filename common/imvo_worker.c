/*  imvo_worker: a worker thread. It says hello, then takes a batch of requests from the poll
    loop ([count][frames...]* [""]), dispatches them, runs their parked script calls as one
    pipeline on its own Redis connection, and sends all the replies back as one message in
    the same format. The loop gives it work only when it is free.
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"
#include "imvo_curve.h"

//  One request of a batch: its frames (routing envelope, then the body) and its decoding.
typedef struct {
    zmq_msg_t parts [IMVO_MAX_PARTS];
    int nparts;
    imvo_request_t req;
    bool curve;                     //  the actor comes from the certificate:
    char role [33], org [65];       //  the certificate's (imvo_curve_apply)
    char client [72];               //  who sent it (imvo_request_t)
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
    if (slot->curve)
        imvo_curve_apply (req, slot->role, slot->org);
    snprintf (req->client, sizeof req->client, "%s", slot->client);
    const imvo_handler_t *h;
    if (imvo_builtin (ctx, req, reply))
        return;
    if ((h = imvo_handler_find (s->def, req->type)))
        imvo_dispatch (ctx, h, req, call, reply);
    else
        imvo_reply_fail (reply, IMVO_ERR_UNKNOWN_TYPE, "type",
                         "the %s daemon has no message type '%s'", ctx->name, req->type);
}

//  A worker's batch buffers, allocated once.
typedef struct {
    s_slot_t *slots;
    imvo_call_t *calls;
    imvo_reply_t *replies;
    imvo_args_t *audit;             //  the batch's audit commands (two a request at most)
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
        const char *head = zmq_msg_data (&count);
        int nparts = size >= 1 ? *(unsigned char *) head : 0;
        if (!more || nparts == 0) {
            zmq_msg_close (&count);
            return n;                           //  the terminator
        }
        assert (n < b->cap && nparts <= IMVO_MAX_PARTS);
        s_slot_t *slot = &b->slots [n++];
        slot->nparts = nparts;
        //  [count curve role \0 org \0 client] (imvo_loop_workers.c's loop_deal).
        slot->curve = size > 1 && head [1];
        const char *parts [3] = { "", "", "" };
        size_t lens [3] = { 0, 0, 0 };
        const char *p = head + 2, *end = head + size;
        for (int k = 0; k < 3 && size > 2 && p < end; k++) {
            const char *nul = memchr (p, 0, (size_t) (end - p));
            parts [k] = p;
            lens [k] = nul ? (size_t) (nul - p) : (size_t) (end - p);
            p += lens [k] + 1;
        }
        snprintf (slot->role, sizeof slot->role, "%.*s", (int) lens [0], parts [0]);
        snprintf (slot->org, sizeof slot->org, "%.*s", (int) lens [1], parts [1]);
        snprintf (slot->client, sizeof slot->client, "%.*s", (int) lens [2], parts [2]);
        zmq_msg_close (&count);
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
    //  The audit entries of the batch, in one pipeline, before its replies go out: a client
    //  that has its reply finds the entry.
    size_t naudit = 0;
    for (int i = 0; i < n; i++)
        if (imvo_audit_wanted (&b->slots [i].req, &b->replies [i]))
            naudit += (size_t) imvo_audit_cmds (ctx->name, &b->slots [i].req, &b->replies [i], b->audit + naudit);
    imvo_audit_run (ctx, b->audit, naudit);
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

void
imvo_worker_actor (zsock_t *pipe, void *args)
{
    imvo_worker_args_t *a = (imvo_worker_args_t *) args;
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
    b.audit = calloc (2 * (size_t) b.cap, sizeof *b.audit);
    assert (b.slots && b.calls && b.replies && b.audit);
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
    free (b.audit);
    imvo_ctx_clients_destroy (&ctx);
    zpoller_destroy (&poller);
    zsock_destroy (&ctx.events);
    zsock_destroy (&dealer);
    imvo_redis_destroy (&ctx.redis);
    free (a);
}


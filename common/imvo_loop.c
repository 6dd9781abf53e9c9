/*  imvo_loop: the main thread's poll loop; see imvo_service.h.

    It owns the ROUTER front end, the PUB, a pipelined Redis connection and the ROUTER to the
    workers. Requests of IMVO_PIPELINED types are handled here and their script calls written
    to Redis together; replies go out as their results arrive, in order. Other requests wait
    here until a worker is free, which then gets all of them as one batch. The front end is
    read only while the loop holds fewer than IMVO_PIPELINE requests. The batches to and from
    the workers are imvo_loop_workers.c's; the types both files share, imvo_loop_internal.h's.
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"
#include "imvo_curve.h"
#include "imvo_loop_internal.h"

static void
s_queue_push (loop_queue_t *q, loop_held_t *h)
{
    h->next = NULL;
    if (q->tail)
        q->tail->next = h;
    else
        q->head = h;
    q->tail = h;
    q->size++;
}

loop_held_t *
loop_queue_pop (loop_queue_t *q)
{
    loop_held_t *h = q->head;
    if (h) {
        q->head = h->next;
        if (!q->head)
            q->tail = NULL;
        q->size--;
    }
    return h;
}

static loop_held_t *
s_held_new (loop_t *loop)
{
    loop_held_t *h = loop->spare;
    if (h)
        loop->spare = h->next;
    else {
        h = malloc (sizeof *h);
        assert (h);
    }
    h->nparts = 0;
    h->decoded = false;
    h->call.script = NULL;
    h->audit = false;
    h->next = NULL;
    return h;
}

void
loop_held_free (loop_t *loop, loop_held_t *h)
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

//  Records an answered request in the audit trail: its commands join the pipeline, each as
//  a held entry of its own so that the replies stay in order, and are written out before the
//  reply goes to the client. Nothing waits for them.
static void
s_audit (loop_t *loop, loop_held_t *h)
{
    imvo_args_t cmds [2];
    int n = imvo_audit_cmds (loop->ctx.name, &h->req, &h->reply, cmds);
    for (int i = 0; i < n; i++) {
        if (imvo_redis_append_argv (loop->pipe, &cmds [i])) {
            imvo_audit_settle (&cmds [i], NULL);
            imvo_args_release (&cmds [i]);
            continue;
        }
        loop_held_t *entry = s_held_new (loop);
        entry->audit = true;
        entry->call.args = cmds [i];            //  moved
        imvo_args_init (&entry->call.keys);
        s_queue_push (&loop->pipeline, entry);
    }
    //  A failed write drops the connection; the turn's own flush then fails the pipeline.
    loop->want_write = imvo_redis_flush (loop->pipe) != 0;
}

//  Sends the reply of a request the loop answered itself, and frees it.
static void
s_answer (loop_t *loop, loop_held_t *h)
{
    imvo_service_t *s = loop->s;
    if (h->reply.err.code != IMVO_ERR_NONE)
        atomic_fetch_add (&s->errors [h->reply.err.code], 1);
    else
    if (h->decoded && imvo_audit_wanted (&h->req, &h->reply))
        s_audit (loop, h);
    msgpack_sbuffer_clear (&loop->out);
    imvo_reply_pack (&loop->out, h->req.id [0] ? h->req.id : NULL, &h->reply);
    void *front = zsock_resolve (loop->frontend);
    for (int i = 0; i < h->nparts - 1; i++)
        zmq_msg_send (&h->parts [i], front, ZMQ_SNDMORE);
    zmq_send (front, loop->out.data, loop->out.size, 0);
    loop_held_free (loop, h);
}

//  Finishes a pipelined request with its script's result (NULL: Redis went away).
static void
s_finish (loop_t *loop, loop_held_t *h, redisReply *r)
{
    imvo_call_t *call = &h->call;
    if (h->audit) {
        if (imvo_redis_redirected (r)) {
            //  IMVO_REDIS_CLUSTER: the slot moved; the blocking connection follows it.
            freeReplyObject (r);
            r = imvo_redis_argv (loop->ctx.redis, &call->args);
        }
        imvo_audit_settle (&call->args, r);
        if (r)
            freeReplyObject (r);
        imvo_args_release (&call->args);
        h->audit = false;
        loop_held_free (loop, h);
        return;
    }
    if (r && r->type == REDIS_REPLY_ERROR && (strncmp (r->str, "NOSCRIPT", 8) == 0 || imvo_redis_redirected (r))) {
        //  The script cache was flushed, or (IMVO_REDIS_CLUSTER) the slot moved: the blocking
        //  connection loads the script, follows MOVED/ASK, and runs it.
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
s_fail_pipeline (loop_t *loop)
{
    loop_held_t *h;
    while ((h = loop_queue_pop (&loop->pipeline)))
        s_finish (loop, h, NULL);
    loop->want_write = false;
}

//  Takes one request from the front end: pipelined types are handled here and their script
//  call appended to the pipeline; the rest wait for a worker. False when nothing was waiting.
static bool
s_intake (loop_t *loop)
{
    void *front = zsock_resolve (loop->frontend);
    loop_held_t *h = s_held_new (loop);
    zmq_msg_init (&h->parts [0]);
    if (zmq_msg_recv (&h->parts [0], front, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&h->parts [0]);
        loop_held_free (loop, h);
        return false;
    }
    h->nparts = 1;
    bool more = zmq_msg_more (&h->parts [0]), too_many = false;
    while (more) {
        zmq_msg_t extra;
        zmq_msg_t *part = h->nparts < IMVO_MAX_PARTS ? &h->parts [h->nparts] : &extra;
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
        loop_held_free (loop, h);
        return true;
    }
    imvo_service_t *s = loop->s;
    zmq_msg_t *body = &h->parts [h->nparts - 1];
    imvo_reply_init (&h->reply);
    h->decoded = true;
    h->actor_len = 0;
    if (imvo_request_decode (&h->req, zmq_msg_data (body), zmq_msg_size (body), &h->reply.err)) {
        atomic_fetch_add (&s->requests, 1);
        s_answer (loop, h);
        return true;
    }
    //  The certificate says who sends, not the envelope (but a gateway's envelope speaks for a
    //  person); a worker applies the same to its own decoding, from the frame below.
    char cert_role [33] = "", cert_org [65] = "";
    if (s->curve) {
        imvo_curve_actor (body, cert_role, sizeof cert_role, cert_org, sizeof cert_org);
        imvo_curve_apply (&h->req, cert_role, cert_org);
    }
    imvo_curve_client_id (body, h->req.client, sizeof h->req.client);
    h->actor_len = 1 + (size_t) snprintf (h->actor + 1, sizeof h->actor - 1, "%s%c%s%c%s", cert_role, 0,
                                          cert_org, 0, h->req.client);
    h->actor [0] = s->curve;
    const imvo_handler_t *handler = imvo_handler_find (s->def, h->req.type);
    bool builtin = streq (h->req.type, "ping") || streq (h->req.type, "stats");
    const imvo_proto_msg_t *msg = handler ? imvo_proto_find (h->req.type) : NULL;
    if (builtin || (msg && msg->mode == IMVO_IN_WORKER)) {
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
    imvo_dispatch (&loop->ctx, handler, &h->req, &h->call, &h->reply);
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

//  Reads what Redis answered and finishes those requests, in pipeline order.
static void
s_pipeline_read (loop_t *loop)
{
    if (imvo_redis_feed (loop->pipe) == 0) {
        redisReply *r;
        while (loop->pipeline.size && (r = imvo_redis_take (loop->pipe)))
            s_finish (loop, loop_queue_pop (&loop->pipeline), r);
    }
    if (!imvo_redis_connected (loop->pipe))
        s_fail_pipeline (loop);
}

//  One turn of the loop: wait for the front end (while the loop may hold more), the pipeline,
//  the workers and the events to publish, then move what is ready.
static void
s_turn (loop_t *loop, zsock_t *pull, bool taking, long timeout_ms)
{
    if (!imvo_redis_connected (loop->pipe) && loop->pipeline.size == 0)
        imvo_redis_connect_async (loop->pipe);
    int fd = imvo_redis_fd (loop->pipe);
    size_t held = loop->pipeline.size + loop->queue.size;
    zmq_pollitem_t items [5] = {
        { zsock_resolve (loop->backend), 0, ZMQ_POLLIN, 0 },
        { zsock_resolve (pull), 0, ZMQ_POLLIN, 0 },
        { NULL, fd, (short) (ZMQ_POLLIN | (loop->want_write ? ZMQ_POLLOUT : 0)), 0 },
        { loop->actor_pipe ? zsock_resolve (loop->actor_pipe) : NULL, -1, loop->actor_pipe ? ZMQ_POLLIN : 0, 0 },
        { zsock_resolve (loop->frontend), 0, ZMQ_POLLIN, 0 },
    };
    int nitems = taking && held < loop->max_held ? 5 : 4;
    if (fd < 0) {
        items [2].fd = -1;
        items [2].events = 0;
    }
    if (zmq_poll (items, nitems, timeout_ms) < 0)
        return;                                 //  EINTR: the caller decides
    if (items [3].revents & ZMQ_POLLIN) {
        char *command = zstr_recv (loop->actor_pipe);
        loop->terminated |= !command || streq (command, "$TERM");
        zstr_free (&command);
    }
    if (items [0].revents & ZMQ_POLLIN)
        loop_collect_all (loop);
    if (items [1].revents & ZMQ_POLLIN)
        while (imvo_forward (pull, loop->pub, true))
            ;
    if (items [2].revents & ZMQ_POLLIN)
        s_pipeline_read (loop);
    if (nitems == 5 && (items [4].revents & ZMQ_POLLIN)) {
        //  Take what is waiting, up to the bound, and send the pipeline's calls in one write.
        while (loop->pipeline.size + loop->queue.size < loop->max_held && s_intake (loop))
            ;
    }
    loop_deal (loop);
    if (loop->want_write) {
        int rc = imvo_redis_flush (loop->pipe);
        loop->want_write = rc == 1;
        if (rc < 0)
            s_fail_pipeline (loop);
    }
}

void
imvo_loop_run (imvo_service_t *s, const imvo_ctx_t *ctx, zsock_t *frontend, zsock_t *backend,
               zsock_t *pull, zsock_t *pub, zsock_t *pipe)
{
    //  The loop: pipelined requests are handled here and their script calls share one
    //  connection; the rest go to workers. The front end is read only while the loop holds
    //  fewer than IMVO_PIPELINE requests, so that a flood waits in the socket's queue.
    loop_t loop = {
        .s = s, .frontend = frontend, .backend = backend, .pub = pub,
        .max_held = (size_t) imvo_env_long ("IMVO_PIPELINE", 1024, 1, 100000),
        .actor_pipe = pipe,
    };
    loop.ctx = *ctx;
    loop.ctx.events = pub;
    loop.pipe = imvo_redis_new (imvo_config_redis_url ());
    imvo_redis_add_scripts (loop.pipe, imvo_common_scripts);
    if (s->def->scripts)
        imvo_redis_add_scripts (loop.pipe, s->def->scripts);
    msgpack_sbuffer_init (&loop.out);
    while (!zsys_interrupted && !loop.terminated)
        s_turn (&loop, pull, true, 500);
    zsys_info ("%s stopping: finishing the messages in hand", s->def->name);
    //  Requests already taken were accepted: answer them (for up to 10 s).
    int64_t deadline = zclock_mono () + 10000;
    while ((loop.pipeline.size || loop.queue.size || loop.nfree < s->nworkers) && zclock_mono () < deadline)
        s_turn (&loop, pull, false, 100);
    s_fail_pipeline (&loop);
    while (loop.queue.size)
        loop_held_free (&loop, loop_queue_pop (&loop.queue));
    while (loop.spare) {
        loop_held_t *h = loop.spare;
        loop.spare = h->next;
        free (h);
    }
    msgpack_sbuffer_destroy (&loop.out);
    imvo_redis_destroy (&loop.pipe);
}

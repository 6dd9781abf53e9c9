/*  imvo_redis_cluster_pipeline: pipelines per node for the cluster router: each call appended
    to its node's connection and remembered in one FIFO; blocking readers gather every node's
    replies, the poll loop watches one epoll set; IMVO_REDIS_WAIT_REPLICAS's WAIT per node.
    See imvo_redis_cluster.c for the whole design.
*/
#include "imvo_redis.h"
#include "imvo_config.h"
#include "imvo_redis_internal.h"
#include "imvo_redis_cluster_internal.h"

#include <czmq.h>
#include <sys/epoll.h>

//  ---------------------------------------------------------------------------------------
//  Pipelines

static s_entry_t *
s_at (imvo_cluster_t *cl, size_t i)
{
    return &cl->fifo [(cl->head + i) % cl->cap];
}

static s_entry_t *
s_push (imvo_cluster_t *cl)
{
    if (cl->count == cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 64;
        s_entry_t *fifo = malloc (cap * sizeof *fifo);
        assert (fifo);
        for (size_t i = 0; i < cl->count; i++)
            fifo [i] = *s_at (cl, i);
        free (cl->fifo);
        cl->fifo = fifo;
        cl->cap = cap;
        cl->head = 0;
    }
    s_entry_t *e = &cl->fifo [(cl->head + cl->count++) % cl->cap];
    memset (e, 0, sizeof *e);
    e->seq = cl->next_seq++;
    return e;
}

static s_entry_t
s_pop (imvo_cluster_t *cl)
{
    s_entry_t e = *s_at (cl, 0);
    cl->head = (cl->head + 1) % cl->cap;
    cl->count--;
    return e;
}

static void
s_entry_release (s_entry_t *e)
{
    if (e->copied) {
        imvo_args_release (&e->keys);
        imvo_args_release (&e->args);
        e->copied = false;
    }
}

//  A WAIT's answer settles the write scripts of its node before it.
static void
s_apply_wait (imvo_redis_t *self, size_t upto, int node, const redisReply *w)
{
    imvo_cluster_t *cl = self->cluster;
    long long acks = w && w->type == REDIS_REPLY_INTEGER ? w->integer : -1;
    if (w && w->type == REDIS_REPLY_ERROR)
        zsys_error ("redis: WAIT failed: %s", w->str);
    for (size_t i = 0; i < upto; i++) {
        s_entry_t *e = s_at (cl, i);
        if (e->node != node || !e->write || e->waited)
            continue;
        e->waited = true;
        if (acks < self->wait_replicas && e->reply && e->reply->type != REDIS_REPLY_ERROR) {
            freeReplyObject (e->reply);
            e->reply = imvo_redis_error_reply ("NOREPLICAS the write is not confirmed by enough replicas in time");
        }
    }
}

//  Gives a reply of node to its oldest call without one.
static void
s_assign (imvo_redis_t *self, int node, redisReply *r)
{
    imvo_cluster_t *cl = self->cluster;
    uint64_t head_seq = cl->count ? s_at (cl, 0)->seq : cl->next_seq;
    uint64_t from = cl->nodes [node].assigned > head_seq ? cl->nodes [node].assigned : head_seq;
    for (size_t i = (size_t) (from - head_seq); i < cl->count; i++) {
        s_entry_t *e = s_at (cl, i);
        if (e->node != node || e->have)
            continue;
        e->have = true;
        e->reply = r;
        cl->nodes [node].assigned = e->seq + 1;
        if (e->wait)
            s_apply_wait (self, i, node, r);
        else {
            bool ask;
            int slot, port;
            char host [256];
            if (cluster_redirect (r, &ask, &slot, host, sizeof host, &port) && !ask) {
                int target = cluster_node (self, host [0] ? host : cl->nodes [node].host, port);
                if (target >= 0)
                    cl->slots [slot] = (int16_t) target;
                cl->stale = true;
            }
        }
        return;
    }
    freeReplyObject (r);        //  nobody's (cannot happen)
}

//  A node's connection broke: its calls without a reply get none (blocking readers) or an
//  error reply (the poll loop), and the map is asked again.
static void
s_node_failed (imvo_redis_t *self, int node)
{
    imvo_cluster_t *cl = self->cluster;
    cl->stale = true;
    for (size_t i = 0; i < cl->count; i++) {
        s_entry_t *e = s_at (cl, i);
        if (e->node != node)
            continue;
        if (!e->have) {
            e->have = true;
            e->reply = self->async ? imvo_redis_error_reply ("TRYAGAIN the connection to a cluster node broke") : NULL;
        }
        if (e->write && !e->waited) {
            //  Done on the master, but its WAIT never answered: not acknowledged.
            e->waited = true;
            if (e->reply && e->reply->type != REDIS_REPLY_ERROR) {
                freeReplyObject (e->reply);
                e->reply = imvo_redis_error_reply ("NOREPLICAS the connection broke before WAIT answered");
            }
        }
    }
    cl->nodes [node].assigned = cl->next_seq;
    cl->nodes [node].unwaited = false;
}

static bool
s_ready (const s_entry_t *e)
{
    return e->have && (!e->write || e->waited);
}

//  Appends one WAIT to each node that took write scripts since its last one.
static void
s_seal (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    for (int i = 0; i < cl->nnodes; i++) {
        if (!cl->nodes [i].unwaited)
            continue;
        cl->nodes [i].unwaited = false;
        imvo_args_t w;
        imvo_args_init (&w);
        imvo_args_str (&w, "WAIT");
        imvo_args_fmt (&w, "%d", self->wait_replicas);
        imvo_args_fmt (&w, "%ld", self->wait_ms);
        if (imvo_redis_append_argv (cl->nodes [i].conn, &w) == 0) {
            s_entry_t *e = s_push (cl);
            e->node = i;
            e->slot = -1;
            e->wait = true;
        }
        else
            s_node_failed (self, i);
        imvo_args_release (&w);
    }
}

static int
s_append (imvo_redis_t *self, int slot, const char *script, const imvo_args_t *keys,
          const imvo_args_t *args)
{
    imvo_cluster_t *cl = self->cluster;
    int node = cluster_route (self, slot);
    if (node < 0)
        return -1;
    imvo_redis_t *c = cl->nodes [node].conn;
    int rc = script ? imvo_redis_append_eval (c, script, keys, args) : imvo_redis_append_argv (c, args);
    if (rc) {
        cl->stale = true;
        return -1;
    }
    s_entry_t *e = s_push (cl);
    e->node = node;
    e->slot = slot;
    e->script = script;
    if (script && self->wait_replicas > 0) {
        int index = -1;
        imvo_redis_script (self, script, &index);
        e->write = imvo_redis_script_writes (self, index);
        cl->nodes [node].unwaited |= e->write;
    }
    if (!self->async) {
        //  Kept for a retry after MOVED or ASK.
        imvo_args_init (&e->keys);
        imvo_args_init (&e->args);
        for (int i = 0; keys && i < keys->argc; i++)
            imvo_args_add (&e->keys, keys->argv [i], keys->lens [i]);
        for (int i = 0; args && i < args->argc; i++)
            imvo_args_add (&e->args, args->argv [i], args->lens [i]);
        imvo_args_own (&e->keys);
        imvo_args_own (&e->args);
        e->copied = true;
    }
    return 0;
}

int
imvo_cluster_append_eval (imvo_redis_t *self, const char *script,
                          const imvo_args_t *keys, const imvo_args_t *args)
{
    int slot = keys && keys->argc ? cluster_keyslot (keys->argv [0], keys->lens [0]) : -1;
    return s_append (self, slot, script, keys, args);
}

int
imvo_cluster_append_argv (imvo_redis_t *self, const imvo_args_t *args)
{
    return s_append (self, cluster_args_slot (args), NULL, NULL, args);
}

//  Blocking readers: every node's pipeline goes out at once, then every reply is read.
static void
s_gather (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    s_seal (self);
    for (int i = 0; i < cl->nnodes; i++) {
        imvo_redis_t *c = cl->nodes [i].conn;
        int done = 0;
        while (c->ctx && c->pending && !done)
            if (redisBufferWrite (c->ctx, &done) != REDIS_OK) {
                imvo_redis_drop (c, c->ctx->errstr [0] ? c->ctx->errstr : "write failed");
                s_node_failed (self, i);
            }
    }
    for (size_t i = 0; i < cl->count; i++) {
        s_entry_t *e = s_at (cl, i);
        if (e->have)
            continue;
        redisReply *r = imvo_redis_next_reply (cl->nodes [e->node].conn);
        if (r)
            s_assign (self, e->node, r);
        else
            s_node_failed (self, e->node);
    }
}

//  Drops our own WAITs from the head of the FIFO once answered.
static void
s_skip_waits (imvo_cluster_t *cl)
{
    while (cl->count && s_at (cl, 0)->wait && s_at (cl, 0)->have) {
        s_entry_t e = s_pop (cl);
        if (e.reply)
            freeReplyObject (e.reply);
    }
}

redisReply *
imvo_cluster_next_reply (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    s_skip_waits (cl);
    if (!cl->count)
        return NULL;
    if (!s_ready (s_at (cl, 0)))
        s_gather (self);
    s_skip_waits (cl);
    if (!cl->count)
        return NULL;
    s_entry_t e = s_pop (cl);
    redisReply *r = e.reply;
    if (imvo_redis_redirected (r) && e.copied) {
        //  Every pipelined reply is read by now: the connections are free for a retry.
        freeReplyObject (r);
        r = cluster_run (self, e.slot, e.script, &e.keys, &e.args);
    }
    s_entry_release (&e);
    return r;
}

//  The poll loop's side: one epoll descriptor over every node's socket.
static void
s_epoll_sync (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    if (cl->epfd < 0)
        return;
    for (int i = 0; i < cl->nnodes; i++) {
        s_node_t *n = &cl->nodes [i];
        redisContext *ctx = n->conn->ctx;
        int fd = ctx ? ctx->fd : -1;
        uint32_t events = EPOLLIN | (ctx && ctx->obuf && sdslen (ctx->obuf) ? EPOLLOUT : 0);
        //  A closed socket left the set by itself; its number may be the new one's.
        if (fd != n->epoll_fd || (fd >= 0 && n->conn->connects != n->epoll_connects)) {
            if (n->epoll_fd >= 0)
                epoll_ctl (cl->epfd, EPOLL_CTL_DEL, n->epoll_fd, NULL);
            n->epoll_fd = -1;
            if (fd >= 0) {
                struct epoll_event ev = { .events = events, .data.fd = fd };
                if (epoll_ctl (cl->epfd, EPOLL_CTL_ADD, fd, &ev) == 0
                ||  (errno == EEXIST && epoll_ctl (cl->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)) {
                    n->epoll_fd = fd;
                    n->epoll_events = events;
                    n->epoll_connects = n->conn->connects;
                }
            }
        }
        else
        if (fd >= 0 && events != n->epoll_events) {
            struct epoll_event ev = { .events = events, .data.fd = fd };
            epoll_ctl (cl->epfd, EPOLL_CTL_MOD, fd, &ev);
            n->epoll_events = events;
        }
    }
}

int
imvo_cluster_connect_async (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    self->async = true;
    for (int i = 0; i < cl->nnodes; i++)
        cl->nodes [i].conn->async = true;
    if (cl->epfd < 0)
        cl->epfd = epoll_create1 (EPOLL_CLOEXEC);
    int rc = imvo_cluster_ensure (self);
    s_epoll_sync (self);
    return rc;
}

int
imvo_cluster_fd (imvo_redis_t *self)
{
    s_epoll_sync (self);
    return self->cluster->epfd;
}

size_t
imvo_cluster_pending (imvo_redis_t *self)
{
    return self->cluster->count;
}

int
imvo_cluster_flush (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    s_seal (self);
    int more = 0;
    for (int i = 0; i < cl->nnodes; i++) {
        imvo_redis_t *c = cl->nodes [i].conn;
        if (!c->ctx || !c->ctx->obuf || !sdslen (c->ctx->obuf))
            continue;
        int done = 0;
        if (redisBufferWrite (c->ctx, &done) != REDIS_OK) {
            imvo_redis_drop (c, c->ctx->errstr [0] ? c->ctx->errstr : "write failed");
            s_node_failed (self, i);
        }
        else
        if (!done)
            more = 1;
    }
    s_epoll_sync (self);
    return more;
}

int
imvo_cluster_feed (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    for (int i = 0; i < cl->nnodes; i++) {
        imvo_redis_t *c = cl->nodes [i].conn;
        if (!c->ctx)
            continue;                   //  (an idle one is read too: a close must drop it)
        if (redisBufferRead (c->ctx) != REDIS_OK) {
            imvo_redis_drop (c, c->ctx->errstr [0] ? c->ctx->errstr : "read failed");
            s_node_failed (self, i);
            continue;
        }
        redisReply *r;
        while ((r = imvo_redis_take (c)))
            s_assign (self, i, r);
        if (!c->ctx)
            s_node_failed (self, i);
    }
    imvo_cluster_flush (self);          //  a node may have become writable
    return 0;
}

redisReply *
imvo_cluster_take (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    s_skip_waits (cl);
    if (!cl->count || !s_ready (s_at (cl, 0)))
        return NULL;
    s_entry_t e = s_pop (cl);
    s_entry_release (&e);
    return e.reply;
}

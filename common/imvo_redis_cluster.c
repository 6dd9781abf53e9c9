/*  imvo_redis_cluster: Redis Cluster routing and WAIT for imvo_redis (imvo_redis.h).

    Active only with IMVO_REDIS_CLUSTER=on, or with IMVO_REDIS_WAIT_REPLICAS > 0 on one Redis
    (then a "cluster" of one node, the URL's, without CLUSTER SLOTS). The imvo_redis_t the
    caller holds then routes every call to an imvo_redis_t per node (each reconnecting, with
    its own backoff and script cache, as a lone connection does):

    - the slot of a command is the CRC16 of its first key (of the {tag} when there is one)
      modulo 16384; keyless commands (PING, SCAN, ...) go to the first master;
    - the slot map comes from CLUSTER SLOTS, asked on a short-lived connection of any node
      that answers (the ones known first, then the URL's); empty host names are the asked
      node's;
    - MOVED updates the slot's node and retries, ASK sends ASKING and retries (5 hops);
    - a node that cannot be reached, or whose connection broke, marks the map stale: it is
      asked again at most every 200 ms until it changes (a failover promotes a replica after
      cluster-node-timeout). A command that was never sent is retried on the slot's new node;
      one that was sent is not (unavailable: the client retries with its idempotency key);
    - pipelines: each call is appended to its node's connection and remembered in one FIFO;
      its reply is the next unread one of that node. Blocking readers (workers, consumers)
      send every node's pipeline at once, read them all, then hand out the replies in the
      order of the calls, retrying a MOVED or ASK one on its own. The poll loop watches one
      epoll descriptor that holds every node's socket; a node that fails answers its calls
      with an error (unavailable), and a MOVED reply is left for the loop to run again on
      its blocking connection (imvo_redis_redirected);
    - IMVO_REDIS_WAIT_REPLICAS=N: after the write scripts of a pipeline, one WAIT N
      IMVO_REDIS_WAIT_MS per node; when fewer replicas acknowledged, the successful replies
      of those writes become "NOREPLICAS ..." errors, which imvo_redis_fail answers
      `unavailable` (the write may have happened: the idempotency key makes a retry safe).

    This file holds the slot map, the nodes and the blocking calls; imvo_redis_cluster_commands.c
    what the router reads of a command (its slot, a redirection, whether a script writes),
    imvo_redis_cluster_pipeline.c the pipelines and the poll loop's epoll set.
*/
#include "imvo_redis.h"
#include "imvo_config.h"
#include "imvo_redis_internal.h"
#include "imvo_redis_cluster_internal.h"

#include <czmq.h>
#include <hiredis/sds.h>
#include <sys/epoll.h>

static bool
s_cluster_on (void)
{
    const char *v = imvo_env ("IMVO_REDIS_CLUSTER", "off");
    return streq (v, "on") || streq (v, "1") || streq (v, "yes") || streq (v, "true");
}

//  ---------------------------------------------------------------------------------------
//  Nodes and the slot map

static imvo_redis_t *
s_conn_new (imvo_redis_t *parent, const char *host, int port)
{
    imvo_redis_t *c = calloc (1, sizeof *c);
    assert (c);
    snprintf (c->host, sizeof c->host, "%s", host);
    c->port = port;
    memcpy (c->user, parent->user, sizeof c->user);
    memcpy (c->password, parent->password, sizeof c->password);
    c->db = parent->cluster && !parent->cluster->single ? 0 : parent->db;
    c->timeout_ms = parent->timeout_ms;
    c->backoff_ms = 100;
    memcpy (c->tables, parent->tables, sizeof c->tables);
    c->ntables = parent->ntables;
    c->async = parent->async;
    c->wait_replicas = parent->wait_replicas;
    c->wait_ms = parent->wait_ms;
    return c;
}

//  The node host:port, added when new; -1 when the table is full.
int
cluster_node (imvo_redis_t *self, const char *host, int port)
{
    imvo_cluster_t *cl = self->cluster;
    for (int i = 0; i < cl->nnodes; i++)
        if (cl->nodes [i].port == port && streq (cl->nodes [i].host, host))
            return i;
    if (cl->nnodes == S_MAX_NODES)
        return -1;
    s_node_t *n = &cl->nodes [cl->nnodes];
    snprintf (n->host, sizeof n->host, "%s", host);
    n->port = port;
    n->conn = s_conn_new (self, host, port);
    n->epoll_fd = -1;
    return cl->nnodes++;
}

//  CLUSTER SLOTS from host:port on a connection of its own (a node connection may be
//  non-blocking, or in the middle of a pipeline).
static redisReply *
s_ask_slots (imvo_redis_t *self, const char *host, int port)
{
    struct timeval tv = { self->timeout_ms / 1000, (self->timeout_ms % 1000) * 1000 };
    redisContext *c = redisConnectWithTimeout (host, port, tv);
    if (!c || c->err) {
        if (c)
            redisFree (c);
        return NULL;
    }
    redisSetTimeout (c, tv);
    redisReply *r = NULL;
    if (self->password [0]) {
        r = self->user [0] ? redisCommand (c, "AUTH %s %s", self->user, self->password)
                           : redisCommand (c, "AUTH %s", self->password);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (r)
                freeReplyObject (r);
            redisFree (c);
            return NULL;
        }
        freeReplyObject (r);
    }
    r = redisCommand (c, "CLUSTER SLOTS");
    redisFree (c);
    return r;
}

static void
s_map_all_to (imvo_cluster_t *cl, int node)
{
    for (int s = 0; s < S_SLOTS; s++)
        cl->slots [s] = (int16_t) node;
    cl->mapped = true;
    cl->stale = false;
}

//  Asks the known nodes (connected ones first), then the URL's, for the slot map.
static int
s_refresh (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    cl->next_refresh = zclock_mono () + S_REFRESH_MS;
    self->next_attempt = cl->next_refresh;
    if (cl->single) {
        s_map_all_to (cl, 0);
        return 0;
    }
    int order [S_MAX_NODES], n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < cl->nnodes; i++)
            if ((cl->nodes [i].conn->ctx != NULL) == (pass == 0))
                order [n++] = i;
    for (int k = 0; k < n; k++) {
        char asked [256];
        snprintf (asked, sizeof asked, "%s", cl->nodes [order [k]].host);
        redisReply *r = s_ask_slots (self, asked, cl->nodes [order [k]].port);
        if (!r)
            continue;
        if (r->type == REDIS_REPLY_ERROR) {
            //  A user without CLUSTER SLOTS: everything to this node, and MOVED teaches the rest.
            zsys_warning ("redis: CLUSTER SLOTS refused by %s:%d (%s); following MOVED only",
                          asked, cl->nodes [order [k]].port, r->str);
            freeReplyObject (r);
            if (!cl->mapped)
                s_map_all_to (cl, order [k]);
            cl->stale = false;
            return 0;
        }
        if (r->type != REDIS_REPLY_ARRAY) {
            freeReplyObject (r);
            continue;
        }
        int16_t slots [S_SLOTS];
        for (int s = 0; s < S_SLOTS; s++)
            slots [s] = -1;
        for (size_t i = 0; i < r->elements; i++) {
            redisReply *range = r->element [i];
            if (range->type != REDIS_REPLY_ARRAY || range->elements < 3
            ||  range->element [2]->type != REDIS_REPLY_ARRAY || range->element [2]->elements < 2)
                continue;
            redisReply *master = range->element [2];
            const char *host = master->element [0]->type == REDIS_REPLY_STRING && master->element [0]->len
                             ? master->element [0]->str : asked;
            int node = cluster_node (self, host, (int) master->element [1]->integer);
            long long from = range->element [0]->integer, to = range->element [1]->integer;
            for (long long s = from; node >= 0 && s <= to && s < S_SLOTS; s++)
                if (s >= 0)
                    slots [s] = (int16_t) node;
        }
        freeReplyObject (r);
        int covered = 0;
        for (int s = 0; s < S_SLOTS; s++)
            covered += slots [s] >= 0;
        if (covered == 0)
            continue;               //  a node of a cluster not made yet: no slots at all
        bool changed = !cl->mapped || memcmp (slots, cl->slots, sizeof slots) != 0;
        memcpy (cl->slots, slots, sizeof slots);
        if (changed && cl->mapped)
            zsys_info ("redis cluster: slot map changed (asked %s:%d)", asked, cl->nodes [order [k]].port);
        cl->mapped = true;
        //  Slots without a master (being assigned, or their master failed with no replica):
        //  asked again, at most every S_REFRESH_MS, until every slot has one.
        cl->stale = covered < S_SLOTS;
        return 0;
    }
    return -1;
}

static void
s_maybe_refresh (imvo_redis_t *self)
{
    imvo_cluster_t *cl = self->cluster;
    if ((!cl->mapped || cl->stale) && zclock_mono () >= cl->next_refresh)
        s_refresh (self);
}

//  The node for a slot (-1: keyless, the first master), or -1 when none is known.
int
cluster_route (imvo_redis_t *self, int slot)
{
    imvo_cluster_t *cl = self->cluster;
    s_maybe_refresh (self);
    if (!cl->mapped)
        return -1;
    if (slot >= 0)
        return cl->slots [slot];
    for (int s = 0; s < S_SLOTS; s += 64)
        if (cl->slots [s] >= 0)
            return cl->slots [s];
    return -1;
}

imvo_cluster_t *
imvo_cluster_new (imvo_redis_t *self)
{
    self->wait_replicas = (int) imvo_env_long ("IMVO_REDIS_WAIT_REPLICAS", 0, 0, 64);
    self->wait_ms = imvo_env_long ("IMVO_REDIS_WAIT_MS", 1000, 1, 600000);
    bool on = s_cluster_on ();
    if (!on && self->wait_replicas == 0)
        return NULL;
    imvo_cluster_t *cl = calloc (1, sizeof *cl);
    assert (cl);
    cl->single = !on;
    cl->epfd = -1;
    for (int s = 0; s < S_SLOTS; s++)
        cl->slots [s] = -1;
    self->cluster = cl;
    cluster_node (self, self->host, self->port);      //  node 0: the URL's
    return cl;
}

void
imvo_cluster_destroy (imvo_cluster_t **self_p)
{
    imvo_cluster_t *cl = *self_p;
    if (!cl)
        return;
    for (size_t i = 0; i < cl->count; i++) {
        s_entry_t *e = &cl->fifo [(cl->head + i) % cl->cap];
        if (e->reply)
            freeReplyObject (e->reply);
        if (e->copied) {
            imvo_args_release (&e->keys);
            imvo_args_release (&e->args);
        }
    }
    free (cl->fifo);
    for (int i = 0; i < cl->nnodes; i++)
        imvo_redis_destroy (&cl->nodes [i].conn);
    if (cl->epfd >= 0)
        close (cl->epfd);
    free (cl);
    *self_p = NULL;
}

void
imvo_cluster_add_scripts (imvo_redis_t *self, const imvo_script_t *scripts)
{
    for (int i = 0; i < self->cluster->nnodes; i++)
        imvo_redis_add_scripts (self->cluster->nodes [i].conn, scripts);
}

int
imvo_cluster_ensure (imvo_redis_t *self)
{
    s_maybe_refresh (self);
    if (!self->cluster->mapped)
        return -1;
    int node = cluster_route (self, -1);
    return node >= 0 ? imvo_redis_ensure (self->cluster->nodes [node].conn) : -1;
}

int
imvo_cluster_probe (imvo_redis_t *self)
{
    self->cluster->next_refresh = 0;
    if (!self->cluster->mapped || self->cluster->stale)
        s_refresh (self);
    int node = cluster_route (self, -1);
    return node >= 0 ? imvo_redis_probe (self->cluster->nodes [node].conn) : -1;
}

bool
imvo_cluster_connected (imvo_redis_t *self)
{
    return self->cluster->mapped;
}

size_t
imvo_cluster_connects (imvo_redis_t *self)
{
    size_t n = 0;
    for (int i = 0; i < self->cluster->nnodes; i++)
        n += imvo_redis_connects (self->cluster->nodes [i].conn);
    return n;
}

//  ---------------------------------------------------------------------------------------
//  Blocking calls, following redirections

static redisReply *
s_run (imvo_redis_t *self, int slot, const char *script, const imvo_args_t *keys,
       const imvo_args_t *args, bool write);

redisReply *
cluster_run (imvo_redis_t *self, int slot, const char *script, const imvo_args_t *keys,
       const imvo_args_t *args)
{
    return s_run (self, slot, script, keys, args, false);
}

//  A write command outside a script: WAIT follows it on the node that took it.
redisReply *
imvo_cluster_write_argv (imvo_redis_t *self, const imvo_args_t *args)
{
    return s_run (self, cluster_args_slot (args), NULL, NULL, args, true);
}

static redisReply *
s_run (imvo_redis_t *self, int slot, const char *script, const imvo_args_t *keys,
       const imvo_args_t *args, bool write)
{
    imvo_cluster_t *cl = self->cluster;
    int node = cluster_route (self, slot);
    bool ask = false;
    for (int hop = 0; hop < S_MAX_HOPS && node >= 0; hop++) {
        imvo_redis_t *c = cl->nodes [node].conn;
        if (imvo_redis_ensure (c)) {
            //  Not sent: after a failover the slot's new master takes it.
            cl->stale = true;
            int again = cluster_route (self, slot);
            if (again == node || again < 0 || ask)
                return NULL;
            node = again;
            continue;
        }
        if (ask) {
            redisReply *a = imvo_redis_cmd (c, "ASKING");
            if (!a) {
                cl->stale = true;
                return NULL;
            }
            freeReplyObject (a);
        }
        redisReply *r = script ? imvo_redis_eval (c, script, keys, args)
                      : write ? imvo_redis_write_argv (c, args) : imvo_redis_argv (c, args);
        if (!r) {
            cl->stale = true;
            return NULL;
        }
        int rslot, port;
        char host [256];
        if (!cluster_redirect (r, &ask, &rslot, host, sizeof host, &port))
            return r;
        int target = cluster_node (self, host [0] ? host : c->host, port);
        if (target < 0)
            return r;
        if (!ask) {
            cl->slots [rslot] = (int16_t) target;
            cl->stale = true;
        }
        freeReplyObject (r);
        node = target;
    }
    return NULL;
}

redisReply *
imvo_cluster_argv (imvo_redis_t *self, const imvo_args_t *args)
{
    return cluster_run (self, cluster_args_slot (args), NULL, NULL, args);
}

//  A printf-style command: formatted as Redis's protocol, then read back as arguments.
redisReply *
imvo_cluster_vcmd (imvo_redis_t *self, const char *fmt, va_list ap)
{
    char *cmd = NULL;
    int len = redisvFormatCommand (&cmd, fmt, ap);
    if (len < 0 || !cmd)
        return NULL;
    imvo_args_t a;
    imvo_args_init (&a);
    const char *p = cmd, *end = cmd + len;
    long argc = *p == '*' ? strtol (p + 1, NULL, 10) : 0;
    p = strstr (p, "\r\n");
    for (long i = 0; p && i < argc; i++) {
        p += 2;
        if (p >= end || *p != '$')
            break;
        long n = strtol (p + 1, NULL, 10);
        p = strstr (p, "\r\n");
        if (!p || p + 2 + n > end)
            break;
        imvo_args_add (&a, p + 2, (size_t) n);
        p += 2 + n;
    }
    redisReply *r = a.argc == argc ? imvo_cluster_argv (self, &a) : NULL;
    imvo_args_release (&a);
    free (cmd);
    return r;
}

redisReply *
imvo_cluster_eval (imvo_redis_t *self, const char *script,
                   const imvo_args_t *keys, const imvo_args_t *args)
{
    int slot = keys && keys->argc ? cluster_keyslot (keys->argv [0], keys->lens [0]) : -1;
    return cluster_run (self, slot, script, keys, args);
}

/*  imvo_redis_pipeline: many script calls on one connection before their replies are read,
    blocking (a worker's batch) or driven by a poll loop (the main thread); see imvo_redis.h.
*/
#include "imvo_redis.h"
#include "imvo_redis_internal.h"

#include <czmq.h>

//  The argument vector of EVALSHA for a script: on the stack for the usual sizes.
#define S_ARGV_STACK 48

int
imvo_redis_append_eval (imvo_redis_t *self, const char *script,
                        const imvo_args_t *keys, const imvo_args_t *args)
{
    if (self->cluster)
        return imvo_cluster_append_eval (self, script, keys, args);
    //  Before the first call of a pipeline: replace a connection Redis closed meanwhile.
    if ((self->pending == 0 || !self->ctx) && imvo_redis_ensure (self))
        return -1;
    int index = -1;
    const imvo_script_t *entry = imvo_redis_script (self, script, &index);
    assert (entry);
    (void) entry;
    int nkeys = keys ? keys->argc : 0;
    int nargs = args ? args->argc : 0;
    int argc = 3 + nkeys + nargs;
    const char *stack_argv [S_ARGV_STACK];
    size_t stack_lens [S_ARGV_STACK];
    const char **argv = argc <= S_ARGV_STACK ? stack_argv : malloc ((size_t) argc * sizeof *argv);
    size_t *lens = argc <= S_ARGV_STACK ? stack_lens : malloc ((size_t) argc * sizeof *lens);
    assert (argv && lens);
    char nkeys_str [16];
    argv [0] = "EVALSHA";
    lens [0] = 7;
    argv [1] = self->shas [index];
    lens [1] = 40;
    lens [2] = (size_t) snprintf (nkeys_str, sizeof nkeys_str, "%d", nkeys);
    argv [2] = nkeys_str;
    for (int i = 0; i < nkeys; i++) {
        argv [3 + i] = keys->argv [i];
        lens [3 + i] = keys->lens [i];
    }
    for (int i = 0; i < nargs; i++) {
        argv [3 + nkeys + i] = args->argv [i];
        lens [3 + nkeys + i] = args->lens [i];
    }
    int rc = redisAppendCommandArgv (self->ctx, argc, argv, lens) == REDIS_OK ? 0 : -1;
    if (argv != stack_argv) {
        free (argv);
        free (lens);
    }
    if (rc == 0)
        self->pending++;
    return rc;
}

int
imvo_redis_append_argv (imvo_redis_t *self, const imvo_args_t *args)
{
    if (self->cluster)
        return imvo_cluster_append_argv (self, args);
    if ((self->pending == 0 || !self->ctx) && imvo_redis_ensure (self))
        return -1;
    if (redisAppendCommandArgv (self->ctx, args->argc, args->argv, args->lens) != REDIS_OK)
        return -1;
    self->pending++;
    return 0;
}

redisReply *
imvo_redis_next_reply (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_next_reply (self);
    if (!self->ctx || self->pending == 0)
        return NULL;
    void *r = NULL;
    if (redisGetReply (self->ctx, &r) != REDIS_OK || !r) {
        imvo_redis_drop (self, self->ctx->errstr [0] ? self->ctx->errstr : "no reply");
        return NULL;
    }
    self->pending--;
    return (redisReply *) r;
}

int
imvo_redis_connect_async (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_connect_async (self);
    self->async = true;
    return imvo_redis_ensure (self);
}

int
imvo_redis_fd (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_fd (self);
    return self->ctx ? self->ctx->fd : -1;
}

size_t
imvo_redis_pending (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_pending (self);
    return self->ctx ? self->pending : 0;
}

int
imvo_redis_flush (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_flush (self);
    if (!self->ctx)
        return -1;
    int done = 0;
    if (redisBufferWrite (self->ctx, &done) != REDIS_OK) {
        imvo_redis_drop (self, self->ctx->errstr [0] ? self->ctx->errstr : "write failed");
        return -1;
    }
    return done ? 0 : 1;
}

int
imvo_redis_feed (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_feed (self);
    if (!self->ctx)
        return -1;
    if (redisBufferRead (self->ctx) != REDIS_OK) {
        imvo_redis_drop (self, self->ctx->errstr [0] ? self->ctx->errstr : "read failed");
        return -1;
    }
    return 0;
}

redisReply *
imvo_redis_take (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_take (self);
    if (!self->ctx || self->pending == 0)
        return NULL;
    void *r = NULL;
    if (redisGetReplyFromReader (self->ctx, &r) != REDIS_OK) {
        imvo_redis_drop (self, self->ctx->errstr [0] ? self->ctx->errstr : "unreadable reply");
        return NULL;
    }
    if (r)
        self->pending--;
    return (redisReply *) r;
}


int
imvo_redis_run_all (imvo_redis_t *self, const imvo_args_t *cmds, size_t n, redisReply **replies)
{
    size_t appended = 0;
    for (size_t i = 0; i < n; i++)
        replies [i] = NULL;
    while (appended < n && imvo_redis_append_argv (self, &cmds [appended]) == 0)
        appended++;
    int rc = appended == n ? 0 : -1;
    for (size_t i = 0; i < appended; i++)
        if (!(replies [i] = imvo_redis_next_reply (self)))
            rc = -1;
    return rc;
}

zlistx_t *
imvo_redis_scan (imvo_redis_t *self, const char *key, bool hash)
{
    zlistx_t *out = zlistx_new ();
    zlistx_set_destructor (out, (zlistx_destructor_fn *) zchunk_destroy);
    char cursor [24] = "0";
    do {
        redisReply *r = imvo_redis_cmd (self, "%s %s %s COUNT 250", hash ? "HSCAN" : "SSCAN", key, cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element [0]->type != REDIS_REPLY_STRING
        ||  r->element [1]->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject (r);
            zlistx_destroy (&out);
            return NULL;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element [0]->str);
        for (size_t i = 0; i < r->element [1]->elements; i++) {
            redisReply *e = r->element [1]->element [i];
            zchunk_t *c = zchunk_new (e->str, e->len + 1);
            zchunk_data (c) [e->len] = 0;
            zlistx_add_end (out, c);
        }
        freeReplyObject (r);
    } while (!streq (cursor, "0"));
    return out;
}

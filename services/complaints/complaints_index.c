/*  complaints_index: builds the case indexes complaint.list filters by (status, assigned
    person, late, words; complaints_server.c lists them) for a covenant whose cases came
    before complaints kept them. complaint.submit keeps them from a covenant's first case on
    and marks the covenant (:index_version); a covenant with cases and without the mark is
    built here, by a timer, S_STEP cases a call of lua/complaint_index.lua and S_STEPS calls a
    run, oldest first. The rank of the next case is kept in Redis (:index_build), so a restart
    goes on where it stopped, and new cases (indexed at submit) come after the ones it walks.
    Until a covenant is marked, complaint.list answers its status filter by reading the cases
    and its other filters with `unavailable`.
*/
#include "complaints_server.h"

#include <stdatomic.h>

#define S_STEP 100
#define S_STEPS 10

static atomic_int s_all_built;

//  One step of one covenant: true when it still has cases to index.
static bool
s_step (imvo_ctx_t *ctx, const char *covenant)
{
    //  (GET, not MGET: the daemon's Redis user has the commands it uses, deploy/redis/users.acl.)
    redisReply *r = imvo_redis_cmd (ctx->redis, "GET imvo:complaints:{%s}:index_build", covenant);
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
        if (r)
            freeReplyObject (r);
        return false;
    }
    long long start = r->type == REDIS_REPLY_STRING ? strtoll (r->str, NULL, 10) : 0;
    freeReplyObject (r);
    redisReply *ids = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:complaints:{%s}:cases %lld %lld", covenant, start,
                                      start + S_STEP - 1);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        if (ids)
            freeReplyObject (ids);
        return false;
    }
    size_t n = ids->elements;
    imvo_args_t cmds [S_STEP];
    redisReply *out [S_STEP];
    for (size_t i = 0; i < n; i++) {
        imvo_args_init (&cmds [i]);
        imvo_args_str (&cmds [i], "HMGET");
        imvo_args_fmt (&cmds [i], "imvo:complaints:{%s}:case:%s", covenant, ids->element [i]->str);
        imvo_args_str (&cmds [i], "summary");
        imvo_args_str (&cmds [i], "file");
    }
    bool read = n > 0 && imvo_redis_run_all (ctx->redis, cmds, n, out) == 0;
    bool ok = n == 0 || read;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:index_build", covenant);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_str (&args, n < S_STEP ? "1" : "0");
    imvo_args_fmt (&args, "%lld", start + (long long) n);
    for (size_t i = 0; ok && i < n; i++) {
        zhashx_t *words = zhashx_new ();
        redisReply *c = out [i];
        if (c && c->type == REDIS_REPLY_ARRAY && c->elements == 2) {
            if (c->element [0]->type == REDIS_REPLY_STRING)
                complaints_words (c->element [0]->str, words, COMPLAINTS_CASE_WORDS);
            msgpack_zone zone;
            msgpack_zone_init (&zone, 1024);
            msgpack_object file;
            const char *why;
            char *description = NULL;
            if (c->element [1]->type == REDIS_REPLY_STRING
            &&  imvo_msg_unpack (c->element [1]->str, c->element [1]->len, &zone, &file, &why) == 0)
                description = imvo_map_strdup (&file, "description");
            if (description)
                complaints_words (description, words, COMPLAINTS_CASE_WORDS);
            free (description);
            msgpack_zone_destroy (&zone);
        }
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
        complaints_words_pack (words, &pk);
        imvo_args_str (&args, ids->element [i]->str);
        imvo_args_add (&args, buf.data, buf.size);
        imvo_args_own (&args);              //  buf goes now
        msgpack_sbuffer_destroy (&buf);
        zhashx_destroy (&words);
    }
    redisReply *done = ok ? imvo_redis_eval (ctx->redis, "complaint_index", &keys, &args) : NULL;
    ok = done && done->type == REDIS_REPLY_INTEGER;
    if (done && !ok)
        zsys_warning ("cannot index the cases of %s: %s", covenant, done->type == REDIS_REPLY_ERROR ? done->str : "?");
    if (ok && n < S_STEP)
        zsys_info ("the case indexes of %s hold its %lld cases", covenant, start + (long long) n);
    if (done)
        freeReplyObject (done);
    for (size_t i = 0; i < n; i++) {
        imvo_args_release (&cmds [i]);
        if (read && out [i])
            freeReplyObject (out [i]);
    }
    imvo_args_release (&keys);
    imvo_args_release (&args);
    freeReplyObject (ids);
    return ok && n == S_STEP;
}

//  Timer: a few steps of every covenant that has cases without indexes, until none has.
void
complaints_index_run (imvo_ctx_t *ctx)
{
    if (atomic_load (&s_all_built))
        return;
    zlist_t *covenants = complaints_covenants (ctx);
    if (!covenants)
        return;
    bool pending = false;
    for (const char *covenant = zlist_first (covenants); covenant; covenant = zlist_next (covenants)) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "EXISTS imvo:complaints:{%s}:index_version", covenant);
        bool built = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
        if (r)
            freeReplyObject (r);
        if (built)
            continue;
        pending = true;
        for (int k = 0; k < S_STEPS && s_step (ctx, covenant); k++)
            ;
    }
    zlist_destroy (&covenants);
    if (!pending)
        atomic_store (&s_all_built, 1);
}

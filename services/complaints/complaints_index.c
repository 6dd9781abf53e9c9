/*  complaints_index: builds the case indexes complaint.list filters by (status, assigned
    person, late, words; complaints_server.c lists them) for a covenant whose cases came
    before complaints kept them. complaint.submit keeps them from a covenant's first case on
    and marks the covenant (:index_version); a covenant with cases and without the mark is
    built here, by a timer, S_STEP cases a call of lua/complaint_index.lua and S_STEPS calls a
    run, oldest first. The rank of the next case is kept in Redis (:index_build), so a restart
    goes on where it stopped, and new cases (in :cases by the step below) come after the ones
    it walks.
    Until a covenant is marked, complaint.list answers its status filter by reading the cases
    and its other filters with `unavailable`.

    Also here: the new cases' indexes (:cases, status, respondent, deadlines, receipts), which
    complaint.submit leaves to imvo_cases_index (common/lua/prelude.lua) since issue 21, 6: a
    timer keeps them near the counters, every read of them catches up first
    (complaints_cases_ready), and complaint_deadlines.lua calls it itself.
*/
#include "complaints_server.h"

#include <stdatomic.h>
#include <time.h>

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

#define S_CATCH_UP_BUDGET 200       //  cases a call of complaint_catch_up.lua indexes (< 1 ms)
#define S_CATCH_UP_CALLS 20         //  calls a catch-up makes before it answers "still behind"

//  One call of lua/complaint_catch_up.lua: the cases left, or -1 when Redis failed. this_year:
//  0, or (at start) the year to look for counters without a mark up to. A covenant that has
//  some gets them from lua/complaint_catch_up_marks.lua, which WAIT follows
//  (IMVO_REDIS_WAIT_REPLICAS); complaint_catch_up.lua is followed by none, so that a start or
//  a read does not wait for a replica (none is needed: docs/CLUSTER.md).
//  The keys and arguments of a call of complaint_catch_up.lua for covenant (the caller
//  releases them).
static void
s_catch_up_args (imvo_args_t *keys, imvo_args_t *args, const char *covenant)
{
    imvo_args_init (keys);
    imvo_args_init (args);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:indexed", covenant);
    imvo_args_fmt (args, "imvo:complaints:{%s}", covenant);
    imvo_args_fmt (args, "%d", S_CATCH_UP_BUDGET);
}

static long long
s_catch_up_call (imvo_ctx_t *ctx, const char *covenant, int this_year)
{
    imvo_args_t keys, args;
    s_catch_up_args (&keys, &args, covenant);
    if (this_year)
        imvo_args_fmt (&args, "%d", this_year);
    redisReply *r = imvo_redis_eval (ctx->redis, "complaint_catch_up", &keys, &args);
    if (this_year && r && r->type == REDIS_REPLY_STRING && streq (r->str, "marks")) {
        freeReplyObject (r);
        r = imvo_redis_eval (ctx->redis, "complaint_catch_up_marks", &keys, &args);
    }
    long long left = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r && left < 0)
        zsys_warning ("cannot index the new cases of %s: %s", covenant, r->type == REDIS_REPLY_ERROR ? r->str : "?");
    if (r)
        freeReplyObject (r);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return left;
}

int
complaints_cases_catch_up (imvo_ctx_t *ctx, const char *covenant)
{
    for (int k = 0; k < S_CATCH_UP_CALLS; k++) {
        long long left = s_catch_up_call (ctx, covenant, 0);
        if (left <= 0)
            return left < 0 ? -1 : 0;
    }
    return 1;
}

int
complaints_cases_ready (imvo_ctx_t *ctx, const char *covenant, const char *field, imvo_reply_t *reply)
{
    int behind = complaints_cases_catch_up (ctx, covenant);
    if (behind == 0)
        return 0;
    return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, field, behind > 0
                            ? "the case indexes are taking in many new cases; try again shortly"
                            : "Redis is not available; try again shortly");
}

int
complaints_cases_ready_all (imvo_ctx_t *ctx, zlist_t *covenants, const char *field, imvo_reply_t *reply)
{
    //  One round trip for all of them (complaint.list of every covenant); a covenant with
    //  more to do, or a reply that is not a count (NOSCRIPT after a Redis restart), then
    //  catches up on its own.
    size_t n = zlist_size (covenants), k = 0;
    long long *left = calloc (n + 1, sizeof *left);
    assert (left);
    for (const char *c = zlist_first (covenants); c; c = zlist_next (covenants), k++) {
        imvo_args_t keys, args;
        s_catch_up_args (&keys, &args, c);
        left [k] = imvo_redis_append_eval (ctx->redis, "complaint_catch_up", &keys, &args) ? -1 : 0;
        imvo_args_release (&keys);
        imvo_args_release (&args);
    }
    for (k = 0; k < n; k++) {
        redisReply *r = left [k] == 0 ? imvo_redis_next_reply (ctx->redis) : NULL;
        left [k] = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
        if (r)
            freeReplyObject (r);
    }
    int rc = 0;
    k = 0;
    for (const char *c = zlist_first (covenants); c && rc == 0; c = zlist_next (covenants), k++)
        if (left [k] != 0)
            rc = complaints_cases_ready (ctx, c, field, reply);
    free (left);
    return rc;
}

//  At start, before a request is served: the covenants whose cases were indexed by the submit
//  of an earlier version get their marks (lua/complaint_catch_up_marks.lua). 0, or -1 when Redis failed.
int
complaints_cases_start (imvo_ctx_t *ctx)
{
    zlist_t *covenants = complaints_covenants (ctx);
    if (!covenants)
        return -1;
    time_t secs = (time_t) (imvo_now_ms () / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    int rc = 0;
    for (const char *c = zlist_first (covenants); c && rc == 0; c = zlist_next (covenants))
        rc = s_catch_up_call (ctx, c, tm.tm_year + 1900) < 0 ? -1 : 0;
    zlist_destroy (&covenants);
    return rc;
}

//  Timer: every covenant's new cases into its indexes.
void
complaints_cases_run (imvo_ctx_t *ctx)
{
    zlist_t *covenants = complaints_covenants (ctx);
    for (const char *c = covenants ? zlist_first (covenants) : NULL; c; c = zlist_next (covenants))
        complaints_cases_catch_up (ctx, c);
    zlist_destroy (&covenants);
}

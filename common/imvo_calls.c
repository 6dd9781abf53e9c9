/*  imvo_calls: script calls that handlers park for the pipeline; see imvo_service.h. */
#include "imvo_service.h"
#include "imvo_internal.h"

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
        if (ctx->call_room > 0) {       //  the next call parks in the next slot
            ctx->call++;
            ctx->call_room--;
        }
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

//  Calls one EVALSHA carries at most: a merged script applies its items one after the other,
//  and 8 of notify's inbox items stay well under Redis's 1 ms (16 reached 0.95 ms).
#define S_MERGE_MAX 8

//  Merges each mergeable call into the first like it (same script, same keys) that has room.
static void
s_merge (imvo_call_t *calls, size_t n)
{
    int merged [n ? n : 1];                 //  calls a leader carries, itself included
    for (size_t i = 0; i < n; i++) {
        calls [i].leader = -1;
        merged [i] = 1;
        if (!calls [i].script || !calls [i].merge)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (calls [j].script && calls [j].merge && calls [j].leader < 0 && merged [j] < S_MERGE_MAX
            &&  streq (calls [j].script, calls [i].script) && s_same_keys (&calls [j].keys, &calls [i].keys)) {
                for (int a = 0; a < calls [i].args.argc; a++)
                    imvo_args_add (&calls [j].args, calls [i].args.argv [a], calls [i].args.lens [a]);
                calls [i].leader = (int) j;
                merged [j]++;
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

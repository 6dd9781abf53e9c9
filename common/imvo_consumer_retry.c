/*  imvo_consumer_retry: what a consumer does about entries that are not going well: moving
    those delivered IMVO_MAX_ATTEMPTS times to <stream>:dead, reclaiming those idle for
    IMVO_CLAIM_IDLE_MS, and trimming streams below what every group still needs.
*/
#include "imvo_service.h"
#include "imvo_internal.h"
#include "imvo_consumer_internal.h"

//  Moves entries delivered too often to <stream>:dead, then reclaims idle ones.
void
imvo_consumer_retry (imvo_consumer_t *self, const char *stream)
{
    redisReply *p = imvo_redis_cmd (self->ctx.redis, "XPENDING %s %s IDLE %ld - + %d",
                                    stream, self->group, self->claim_idle_ms, S_BATCH);
    for (size_t i = 0; p && p->type == REDIS_REPLY_ARRAY && i < p->elements; i++) {
        redisReply *e = p->element [i];         //  [id, consumer, idle, deliveries]
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 4 || e->element [3]->integer < self->max_attempts)
            continue;
        const char *id = e->element [0]->str;
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_str (&keys, stream);
        imvo_args_fmt (&keys, "%s:dead", stream);
        imvo_args_str (&args, id);
        imvo_args_str (&args, self->group);
        imvo_args_fmt (&args, "%lld", e->element [3]->integer);
        redisReply *x = imvo_redis_eval (self->ctx.redis, "consumer_dead_letter", &keys, &args);
        imvo_args_release (&keys);
        imvo_args_release (&args);
        if (x && x->type == REDIS_REPLY_INTEGER)
            zsys_warning ("event %s of %s failed %lld times: moved to %s:dead",
                          id, stream, e->element [3]->integer, stream);
        else
            zsys_error ("event %s of %s failed %lld times; moving it to %s:dead failed: %s",
                        id, stream, e->element [3]->integer, stream,
                        x && x->type == REDIS_REPLY_ERROR ? x->str : "no reply");
        if (x)
            freeReplyObject (x);
    }
    if (p)
        freeReplyObject (p);
    redisReply *c = imvo_redis_cmd (self->ctx.redis, "XAUTOCLAIM %s %s %s %ld 0-0 COUNT %d",
                                    stream, self->group, self->consumer, self->claim_idle_ms, S_BATCH);
    if (c && c->type == REDIS_REPLY_ARRAY && c->elements >= 2 && c->element [1]->type == REDIS_REPLY_ARRAY)
        imvo_consumer_apply_list (self, stream, c->element [1], NULL, 0);
    if (c)
        freeReplyObject (c);
}

//  Trims a stream below the oldest entry any of its groups still needs.
void
imvo_consumer_trim (imvo_consumer_t *self, const char *stream)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&keys, stream);
    //  Stream ids are Redis's real time: the floor is too, whatever clock the tests set.
    imvo_args_fmt (&args, "%lld-0", (long long) (zclock_time () - 24LL * 3600 * 1000));
    redisReply *r = imvo_redis_eval (self->ctx.redis, "consumer_trim", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    if (r)
        freeReplyObject (r);
}


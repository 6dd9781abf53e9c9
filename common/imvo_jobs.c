/*  imvo_jobs: the background work a daemon declares in its description (imvo_service.h):
    timers, all on one thread, and queues, each on a thread of its own. Each thread has its
    own Redis connection with the daemon's scripts and a PUSH socket to the runtime's PUB (so
    imvo_outbox_commit publishes what a job commits), and answers $TERM: a timer thread at
    once, a queue thread after the blocking read in hand (at most a second).
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"

//  A job thread's context: Redis with the scripts, and events to the runtime's PUB.
static void
s_ctx_init (imvo_ctx_t *ctx, const imvo_jobs_args_t *a)
{
    *ctx = (imvo_ctx_t) { .service = a->service, .name = a->def->name, .state = a->def->state, .worker = -3 };
    ctx->redis = imvo_redis_new (imvo_config_redis_url ());
    imvo_redis_add_scripts (ctx->redis, imvo_common_scripts);
    if (a->def->scripts)
        imvo_redis_add_scripts (ctx->redis, a->def->scripts);
    ctx->events = zsock_new_push (a->events_endpoint);
}

static void
s_ctx_destroy (imvo_ctx_t *ctx)
{
    imvo_ctx_clients_destroy (ctx);
    zsock_destroy (&ctx->events);
    imvo_redis_destroy (&ctx->redis);
}

void
imvo_timers_actor (zsock_t *pipe, void *args)
{
    imvo_jobs_args_t a = *(const imvo_jobs_args_t *) args;
    imvo_ctx_t ctx;
    s_ctx_init (&ctx, &a);
    int n = 0;
    while (a.def->timers [n].run)
        n++;
    int64_t *due = calloc ((size_t) n, sizeof *due);
    assert (due);
    for (int i = 0; i < n; i++)
        due [i] = zclock_mono () + a.def->timers [i].every_ms;
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zsock_signal (pipe, 0);
    while (true) {
        //  Sleep until the next timer is due (a real timeout, never 0), or $TERM.
        int64_t next = due [0];
        for (int i = 1; i < n; i++)
            next = due [i] < next ? due [i] : next;
        int64_t wait = next - zclock_mono ();
        if (wait > 0 && zpoller_wait (poller, (int) (wait > 60000 ? 60000 : wait)) == pipe)
            break;
        if (zpoller_terminated (poller))
            break;
        for (int i = 0; i < n; i++) {
            if (zclock_mono () < due [i])
                continue;
            if (imvo_redis_ensure (ctx.redis) == 0)
                a.def->timers [i].run (&ctx);
            due [i] = zclock_mono () + a.def->timers [i].every_ms;
        }
    }
    zpoller_destroy (&poller);
    free (due);
    s_ctx_destroy (&ctx);
}

//  $TERM (or anything) waiting on the pipe: time to stop.
static bool
s_asked_to_stop (zsock_t *pipe)
{
    return (zsock_events (pipe) & ZMQ_POLLIN) != 0;
}

void
imvo_queue_actor (zsock_t *pipe, void *args)
{
    imvo_jobs_args_t a = *(const imvo_jobs_args_t *) args;
    const imvo_queue_t *q = a.queue;
    imvo_ctx_t ctx;
    s_ctx_init (&ctx, &a);
    char consumer [128];
    snprintf (consumer, sizeof consumer, "%s", imvo_env ("IMVO_CONSUMER_NAME", q->group));
    //  The blocking read must end before the connection's own timeout does.
    long block_ms = imvo_env_long ("IMVO_REDIS_TIMEOUT_MS", 2000, 10, 600000) / 2;
    block_ms = block_ms > 1000 ? 1000 : block_ms;
    bool group_made = false, pending = true;
    size_t seen_connects = 0;
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zsock_signal (pipe, 0);
    while (!s_asked_to_stop (pipe)) {
        if (imvo_redis_ensure (ctx.redis) || (q->ready && !q->ready (&ctx))) {
            if (zpoller_wait (poller, 200) == pipe || zpoller_terminated (poller))
                break;
            continue;
        }
        //  After Redis came back, what we had taken may not have been settled.
        if (imvo_redis_connects (ctx.redis) != seen_connects) {
            seen_connects = imvo_redis_connects (ctx.redis);
            pending = true;
        }
        if (!group_made) {
            //  From the stream's start: entries queued before the daemon ever ran are read too.
            redisReply *r = imvo_redis_cmd (ctx.redis, "XGROUP CREATE %s %s 0 MKSTREAM", q->stream, q->group);
            group_made = r && (r->type == REDIS_REPLY_STATUS
                               || (r->type == REDIS_REPLY_ERROR && strstr (r->str, "BUSYGROUP")));
            if (r && !group_made)
                zsys_error ("cannot make the group %s on %s: %s", q->group, q->stream,
                            r->type == REDIS_REPLY_ERROR ? r->str : "?");
            if (r)
                freeReplyObject (r);
            if (!group_made) {
                if (zpoller_wait (poller, 1000) == pipe || zpoller_terminated (poller))
                    break;
                continue;
            }
        }
        //  Our pending list first (never blocks), then new entries as they come.
        redisReply *r = pending
            ? imvo_redis_cmd (ctx.redis, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s 0", q->group, consumer,
                              q->count, q->stream)
            : imvo_redis_cmd (ctx.redis, "XREADGROUP GROUP %s %s COUNT %d BLOCK %ld STREAMS %s >", q->group,
                              consumer, q->count, block_ms, q->stream);
        size_t got = 0;
        int rc = 0;
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element [0]->type == REDIS_REPLY_ARRAY
        &&  r->element [0]->elements == 2 && r->element [0]->element [1]->type == REDIS_REPLY_ARRAY) {
            redisReply *entries = r->element [0]->element [1];
            got = entries->elements;
            if (got)
                rc = q->handle (&ctx, entries);
        }
        else
        if (r && r->type == REDIS_REPLY_ERROR) {
            zsys_error ("reading %s: %s", q->stream, r->str);
            group_made = !strstr (r->str, "NOGROUP");
            rc = -1;
        }
        if (r)
            freeReplyObject (r);
        if (rc) {
            //  Some entries stay pending: read them again after a pause, not in a hot loop.
            pending = true;
            if (zpoller_wait (poller, 200) == pipe || zpoller_terminated (poller))
                break;
        }
        else
        if (pending && got < (size_t) q->count)
            pending = false;
    }
    zpoller_destroy (&poller);
    s_ctx_destroy (&ctx);
}

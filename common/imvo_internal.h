/*  imvo_internal: what the runtime's own files share and daemons do not see. */
#ifndef IMVO_INTERNAL_H
#define IMVO_INTERNAL_H

#include "imvo_service.h"

#include <stdatomic.h>

#define IMVO_MAX_HANDLERS 62                //  handlers a daemon may have (stats counts each)

struct _imvo_service_t {
    const imvo_service_def_t *def;          //  the daemon's description
    bool curve;                             //  CURVE on: the actor comes from certificates
    char workers_endpoint [128];            //  inproc endpoint of the worker DEALER
    char events_endpoint [128];             //  inproc endpoint of the event PULL
    int64_t started;                        //  zclock_mono at start, for uptime
    int nworkers;                           //  worker threads
    atomic_ullong requests;                 //  requests decoded or not
    atomic_ullong by_type [IMVO_MAX_HANDLERS + 2];  //  per handler (def->handlers order), then ping, stats
    atomic_ullong errors [IMVO_ERR_COUNT];  //  error replies by code
    atomic_ullong events_emitted;           //  events committed by this daemon
    atomic_ullong events_consumed;          //  events applied by its consumers
    atomic_ullong events_failed;            //  event deliveries that failed
    atomic_ullong batches;                  //  batches served by workers
    atomic_ullong largest_batch;            //  the most requests in one batch
    atomic_ullong pipelined;                //  requests whose script call went in the pipeline
    int batch;                              //  most requests a worker takes at once
};

#define IMVO_MAX_PARTS 32                   //  routing frames + body of one request

//  What a worker actor is started with (imvo_worker.c); freed by the worker.
typedef struct {
    imvo_service_t *service;
    int worker;
} imvo_worker_args_t;

//  A worker: takes batches from the poll loop and answers them (imvo_worker.c).
void imvo_worker_actor (zsock_t *pipe, void *args);

//  The poll loop (imvo_loop.c): runs until zsys_interrupted or, when pipe is not NULL (the
//  server as an actor), until $TERM arrives on pipe; then answers what it took (for up to
//  10 s). ctx is the calling thread's context (its Redis connection blocks; the loop opens
//  its own pipelined one).
void imvo_loop_run (imvo_service_t *s, const imvo_ctx_t *ctx, zsock_t *frontend, zsock_t *backend,
                    zsock_t *pull, zsock_t *pub, zsock_t *pipe);

//  Dispatch (imvo_dispatch.c). The handler of a type, or NULL.
const imvo_handler_t *imvo_handler_find (const imvo_service_def_t *def, const char *type);
//  Answers ping and stats; false for any other type.
bool imvo_builtin (imvo_ctx_t *ctx, const imvo_request_t *req, imvo_reply_t *reply);
//  Checks the actor (catalogue roles), validates the body and runs the handler, which either
//  finishes reply or parks one script call in *call.
void imvo_dispatch (imvo_ctx_t *ctx, const imvo_handler_t *h, imvo_request_t *req, imvo_call_t *call,
                    imvo_reply_t *reply);
//  Moves one multipart message between sockets; false when nothing was waiting.
bool imvo_forward (zsock_t *from, zsock_t *to, bool dontwait);

//  The scripts of common/lua (dead-lettering, trimming), registered on every connection.
extern const imvo_script_t imvo_common_scripts [];

//  The audit trail (imvo_audit.c; the rule is imvo_service.h's). Whether the reply to req is
//  recorded.
bool imvo_audit_wanted (const imvo_request_t *req, const imvo_reply_t *reply);
//  Makes the commands that record it in cmds [0..]: the XADD, and the SADD that registers its
//  stream until Redis confirmed one. Returns how many (1 or 2); the caller releases them.
int imvo_audit_cmds (const char *service, const imvo_request_t *req, const imvo_reply_t *reply, imvo_args_t *cmds);
//  Takes Redis's answer to one of them (NULL: none came): logs a failure, remembers a
//  registered stream.
void imvo_audit_settle (const imvo_args_t *cmd, const redisReply *r);
//  Runs n of them as one pipeline on ctx->redis, settles and releases them.
void imvo_audit_run (imvo_ctx_t *ctx, imvo_args_t *cmds, size_t n);

//  What imvo_service_run hands a consumer actor; copied before the actor signals.
typedef struct {
    imvo_service_t *service;
    const imvo_service_def_t *def;
    const imvo_subscription_t *sub;
    const char *events_endpoint;        //  inproc PULL of the runtime's PUB
} imvo_consumer_args_t;

//  One actor per subscription (imvo_consumer.c).
void imvo_consumer_actor (zsock_t *pipe, void *args);

//  What imvo_service_run hands a job actor (imvo_jobs.c); copied before the actor signals.
typedef struct {
    imvo_service_t *service;
    const imvo_service_def_t *def;
    const imvo_queue_t *queue;          //  the queue of a queue actor; NULL for the timers
    const char *events_endpoint;        //  inproc PULL of the runtime's PUB
} imvo_jobs_args_t;

//  One actor for all of a daemon's timers, one per queue (imvo_jobs.c).
void imvo_timers_actor (zsock_t *pipe, void *args);
void imvo_queue_actor (zsock_t *pipe, void *args);

#endif

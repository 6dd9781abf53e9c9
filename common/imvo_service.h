/*  imvo_service: the runtime every daemon is built on.

    A daemon describes itself with an imvo_service_def_t (name, handler table, Lua scripts,
    an optional start hook and event subscriptions) and calls imvo_service_run. The runtime:

    - binds a ROUTER socket (IMVO_<SERVICE>_BIND) that serves DEALER and REQ clients alike:
      every frame before the last is routing envelope and goes back unchanged with the reply;
    - hands requests to IMVO_WORKERS worker threads (default 4), each with its own Redis
      connection, in batches: a worker that is free takes every request waiting (up to
      IMVO_BATCH, default 256) in one message, and a busy worker gets nothing (so a slow
      request delays only its own batch); threads share no state except the atomic counters
      behind `stats`;
    - pipelines the batch's script calls: a handler that ends in one script call hands it to
      imvo_script_call, the worker sends all of the batch's calls to Redis at once and reads
      the replies in order, so one fsync covers many writes and nothing waits for a round
      trip per request. Handlers that need several calls make them synchronously as before;
    - decodes the envelope, finds the handler by message type, checks that the actor may send
      it (the catalogue entry's roles; the default is no), validates the body against the
      catalogue, checks the own-org rule, and only then calls the handler; answers `ping` and
      `stats` itself;
    - binds a PUB socket (IMVO_<SERVICE>_EVENTS_BIND) and publishes committed events there;
    - sets ZMQ_MAXMSGSIZE (IMVO_MAX_MSG_BYTES, default the description's max_msg_bytes or
      1 MiB) on the request socket;
    - waits for Redis at start, runs the start hook, starts the event consumers, the timers
      and the queues of the description (imvo_jobs.c), each on a thread of its own;
    - on SIGTERM or SIGINT stops taking requests, lets each worker finish the message in hand,
      sends the replies and exits 0.
*/
#ifndef IMVO_SERVICE_H
#define IMVO_SERVICE_H

#include "imvo_proto.h"
#include "imvo_redis.h"

#include <czmq.h>

typedef struct _imvo_service_t imvo_service_t;

#define IMVO_CTX_CLIENTS 4      //  the daemons a handler may ask (membership, complaints, scoring, notify)

//  What a handler works with: one per worker thread, never shared.
typedef struct {
    imvo_service_t *service;    //  the runtime (for counters)
    const char *name;           //  the daemon's name, e.g. "complaints"
    imvo_redis_t *redis;        //  this thread's Redis connection
    zsock_t *events;            //  PUSH to the runtime's PUB socket (use imvo_outbox_commit)
    void *state;                //  the def's state pointer
    int worker;                 //  worker number, 0-based
    struct _imvo_client_t *clients [IMVO_CTX_CLIENTS];  //  imvo_ctx_client's, made on first use
    struct _imvo_call_t *call;  //  where imvo_script_call may park its call; NULL: run now
    int call_room;              //  more slots after *call for further calls (an event handler
                                //  that writes to several hash tags); 0: one call parks
} imvo_ctx_t;

//  This thread's client of another daemon (membership, complaints, scoring or notify), as the
//  actor `service`: made on first use and kept with its CURVE session until the thread's
//  context ends (imvo_ctx_clients_destroy), not one socket and handshake a request; timeout_ms
//  per attempt and attempts are this call's. NULL for another name, or when it cannot be made.
//  Never destroyed by the caller.
struct _imvo_client_t *imvo_ctx_client (imvo_ctx_t *ctx, const char *service, int timeout_ms, int attempts);
//  Closes the context's clients (the runtime, when the thread's context ends).
void imvo_ctx_clients_destroy (imvo_ctx_t *ctx);

//  Turns a script's result into the reply, and frees r (NULL: Redis was unreachable).
//  0, or -1 with the error in reply. imvo_outbox_commit and imvo_packed_done are two.
typedef int (imvo_done_fn) (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply);

//  A script call parked for the worker's pipeline (see imvo_script_call).
typedef struct _imvo_call_t {
    const char *script;         //  registered script name; NULL when nothing is parked
    imvo_args_t keys;
    imvo_args_t args;
    imvo_done_fn *done;
    redisReply *result;         //  the script's reply, once read
    bool merge;                 //  may share one EVALSHA with like calls (imvo_script_call_merged)
    int leader;                 //  in a batch: the call this one was merged into, or -1
} imvo_call_t;

//  The value imvo_script_call returns when it parked the call: the handler returns it.
#define IMVO_DEFERRED 1

//  Runs script with keys and args (taking both: they are released) and finishes the reply
//  with done. Inside a worker the call joins the batch's pipeline and IMVO_DEFERRED comes
//  back: return it from the handler, done runs when the reply is read. Elsewhere (or for a
//  second call in one handler) it runs at once and returns done's result.
int imvo_script_call (imvo_ctx_t *ctx, imvo_reply_t *reply, const char *script,
                      imvo_args_t *keys, imvo_args_t *args, imvo_done_fn *done);

//  The same, for a script that takes its arguments in groups of equal size and applies each
//  group on its own (the same key, many items): calls of one batch with the same script and
//  the same keys become one EVALSHA with their arguments one after the other, at most 8 calls
//  to one EVALSHA (so that no script holds Redis for a millisecond). done runs once, for the
//  first of them; the others take over its outcome (ok, or its error).
int imvo_script_call_merged (imvo_ctx_t *ctx, imvo_reply_t *reply, const char *script,
                             imvo_args_t *keys, imvo_args_t *args, imvo_done_fn *done);

//  imvo_done_fn for read scripts that return a packed map (imvo_redis_packed_reply).
int imvo_packed_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply);

//  A handler answers one message type. values holds the body fields in catalogue order
//  (see imvo_proto.h). It packs one map into imvo_reply_pk (reply), or returns
//  imvo_reply_fail (reply, ...). The return value is informational.
typedef int (imvo_handler_fn) (imvo_ctx_t *ctx, const imvo_request_t *req,
                               const imvo_value_t *values, imvo_reply_t *reply);

//  A daemon's answer to one message type. Everything else about the message (who may send
//  it, its fields, where its handler runs, how long its idempotency key lasts, its reply,
//  its script) is its catalogue entry's (imvo_proto.h). A daemon does not start when a
//  handler has no entry of that daemon, or an entry of that daemon has no handler.
typedef struct {
    const char *type;
    imvo_handler_fn *handler;
} imvo_handler_t;

//  An event as a consumer sees it.
typedef struct {
    const char *stream;         //  the Redis stream it came from
    const char *id;             //  its stream id: the event id
    const char *type;           //  e.g. complaint.received
    const char *source;         //  the emitting daemon
    int64_t at;                 //  unix ms
    msgpack_object body;        //  a map (nil when the entry has no readable body)
} imvo_event_t;

//  Applies an event's effects. 0: done (acknowledged); -1: failed, retried later and moved
//  to the dead-letter stream after IMVO_MAX_ATTEMPTS deliveries.
typedef int (imvo_event_fn) (imvo_ctx_t *ctx, const imvo_event_t *event);

typedef struct {
    const char *source;         //  the daemon whose events to consume, e.g. "complaints"
    imvo_event_fn *handler;
} imvo_subscription_t;

//  Work on a clock (czmq's zloop timers): the runtime runs every timer of a daemon on one
//  thread of its own, with its own Redis connection and the daemon's scripts, each every
//  every_ms after its previous run ended (the first run every_ms after the start). A run
//  that meets Redis down is simply the next one's to do.
typedef struct {
    const char *name;                       //  for the log, e.g. "deadlines"
    long every_ms;
    void (*run) (imvo_ctx_t *ctx);
} imvo_timer_t;

//  A Redis stream the daemon consumes as a work queue (the intake queue): the runtime reads it
//  with the consumer group `group` on a thread and a Redis connection of its own, with
//  XREADGROUP BLOCK (an entry is taken as soon as it is added, and an idle queue costs one
//  command a second). It makes the group (from the stream's start) and reads its pending list
//  again after a start and whenever handle says some entries stay pending.
typedef struct {
    const char *stream;                     //  e.g. "imvo:complaints:intake"
    const char *group;                      //  also the consumer name unless IMVO_CONSUMER_NAME
    int count;                              //  entries per read
    //  Settles the entries of one read (XREADGROUP's [[id, [field, value, ...]], ...]) and
    //  acknowledges those it settled. 0, or -1 when some stay pending (Redis or a view was
    //  unavailable): they are read again after a short wait.
    int (*handle) (imvo_ctx_t *ctx, redisReply *entries);
    //  Optional: read only once this says yes (complaints: once it has read every covenant).
    bool (*ready) (imvo_ctx_t *ctx);
} imvo_queue_t;

typedef struct {
    const char *name;                       //  "complaints"
    const imvo_handler_t *handlers;         //  ends with {NULL, NULL}
    const imvo_script_t *scripts;           //  the daemon's Lua scripts, or NULL
    int (*on_start) (imvo_ctx_t *ctx);      //  once, after Redis is up, before serving; or NULL
    const imvo_subscription_t *subscriptions;   //  ends with {NULL, NULL}, or NULL
    void *state;                            //  passed to handlers as ctx->state
    //  Optional: an actor for work beside the requests (notify's deliveries), started after
    //  the consumers and stopped (with $TERM) first. Its args is an imvo_ctx_t of its own: a
    //  Redis connection with the daemon's scripts, and events (imvo_outbox_commit publishes).
    zactor_fn *background;
    const imvo_timer_t *timers;             //  ends with {NULL}, or NULL
    const imvo_queue_t *queues;             //  ends with {NULL}, or NULL
    //  Optional: packs one more stats field (its key and value), in a worker; returns 0.
    int (*stats) (imvo_ctx_t *ctx, msgpack_packer *pk);
    //  Optional: the default of IMVO_MAX_MSG_BYTES (0: 1 MiB), for a daemon whose messages carry
    //  files (complaints: complaint.attach's 10 MiB in one call).
    long max_msg_bytes;
} imvo_service_def_t;

//  Event handlers may use imvo_script_call too: the consumer pipelines a batch of events,
//  and an event whose call's done sets an error in its reply is not acknowledged.

//  Runs the daemon until SIGTERM/SIGINT. Returns the process exit status. It does not start
//  when imvo_service_check finds the description and the catalogue at odds.
int imvo_service_run (const imvo_service_def_t *def);

//  Whether a daemon's handlers and the catalogue agree: every handler's type has an entry
//  that this daemon answers (its service), and every entry this daemon answers has a handler.
//  0, or -1 with what is wrong in why (for the log).
int imvo_service_check (const imvo_service_def_t *def, char *why, size_t size);

//  The same runtime as a czmq actor (malamute's server shape), for selftests and embedding:
//
//      imvo_server_args_t args = { &def, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*" };
//      zactor_t *server = zactor_new (imvo_server_actor, &args);
//      int port, events_port;
//      zsock_recv (server, "ii", &port, &events_port);     //  -1, -1: it could not start
//      ...
//      zactor_destroy (&server);                           //  answers what it took, stops
//
//  bind and events_bind (NULL: the environment's, as a daemon) may use port *: the ports it
//  got are reported. It does not wait for Redis: while Redis is unreachable, a request that
//  needs it gets `unavailable`; def->on_start runs only if Redis answered at start.
typedef struct {
    const imvo_service_def_t *def;
    const char *bind;
    const char *events_bind;
} imvo_server_args_t;
void imvo_server_actor (zsock_t *pipe, void *args);

//  Counters behind `stats` (thread-safe).
void imvo_service_count_event_consumed (imvo_service_t *self);
void imvo_service_count_event_failed (imvo_service_t *self);

//  The outbox: turns the result of a state-changing script (see common/lua/prelude.lua)
//  into the reply, publishes the events it committed, frees r. Returns 0 or -1 (reply
//  holds the error).
int imvo_outbox_commit (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply);

//  Handles a decoded request as if it came on the socket (for queues of envelopes): finds
//  the handler, checks the actor and the body, and runs it; its script call, if any, is
//  parked in call (run them with imvo_calls_run). unknown_type when no handler answers it.
void imvo_service_dispatch (imvo_ctx_t *ctx, imvo_request_t *req, imvo_call_t *call, imvo_reply_t *reply);

//  Runs the parked calls of n slots (calls [i].script NULL: nothing parked) in one pipeline
//  and finishes each with its done into replies [i]. The calls are released.
void imvo_calls_run (imvo_ctx_t *ctx, imvo_call_t *calls, imvo_reply_t *replies, size_t n);

//  Adds KEYS[1] (the idempotency record imvo:<service>:{<tag>}:idem:<type>:<key>) and
//  ARGV[1] (its lifetime, the catalogue entry's idem_ttl, and a digest of the body; or 0 when
//  the request has no key) for a script that follows the prelude's conventions.
void imvo_idem_args (imvo_ctx_t *ctx, const imvo_request_t *req, const char *tag,
                     imvo_args_t *keys, imvo_args_t *args);

//  A script's arguments by name: the daemon packs them as one map, ARGV[2] after the
//  idempotency argument, and the script reads imvo_named().covenant and so on. The names, in
//  order, are the catalogue entry's script_args: each call gives the next of them.
//
//      imvo_named_t named;
//      imvo_named_init (&named, req->type);
//      imvo_named_str (&named, "covenant", covenant);
//      ...
//      imvo_named_done (&named, &args);        //  appends the map to args (which owns it)
typedef struct {
    msgpack_sbuffer buf;
    msgpack_packer pk;
    const char *next;               //  the names still to give
} imvo_named_t;
void imvo_named_init (imvo_named_t *self, const char *type);
//  Packs the next name and returns the packer for its value (any msgpack value).
msgpack_packer *imvo_named_key (imvo_named_t *self, const char *name);
void imvo_named_str (imvo_named_t *self, const char *name, const char *value);
void imvo_named_fmt (imvo_named_t *self, const char *name, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
//  A value as bytes: a string of known length, or an already packed msgpack value (the script
//  splices or unpacks it).
void imvo_named_bytes (imvo_named_t *self, const char *name, const char *data, size_t size);
void imvo_named_done (imvo_named_t *self, imvo_args_t *args);

//  Runs a state-changing script the way every daemon does (the prelude's conventions):
//  KEYS = the idempotency record under tag, then keys; ARGV = its lifetime, then args.
//  Publishes the events it committed and makes the reply (imvo_outbox_commit). Releases
//  keys and args. 0, or -1 with the error in reply.
int imvo_commit (imvo_ctx_t *ctx, const imvo_request_t *req, const char *tag, const char *script,
                 imvo_args_t *keys, imvo_args_t *args, imvo_reply_t *reply);

//  The audit trail: "every change, every reading of a complainant's identity, every export,
//  by person" (docs/ARCHITECTURE.md, "The audit trail"). After every ok reply to a message that
//  changes something (its catalogue entry keeps an idempotency key: idem_ttl > 0) the runtime
//  appends an entry {at, person, role, org, action, target, covenant} to the daemon's own
//  stream imvo:<daemon>:{<covenant>}:audit, or imvo:<daemon>:{audit}:audit when the request
//  names no covenant, and registers the stream in the set imvo:<daemon>:{audit}:streams.
//  - person, role, org: the envelope's actor (person "" for a certificate without a person);
//  - action: the message type, or the action a handler marked (below);
//  - target: the first of case_id, org_id, username, flag_id, round_id, appeal_id,
//    location_id that the request names, else that the reply names (the case
//    complaint.submit filed), else the covenant (framework.put); never a receipt, and nothing
//    else of the body, so no password, token or text reaches the audit;
//  - covenant: the request's covenant or its case_id's, else the reply's;
//  - at: the daemon's clock (imvo_now_ms), unix ms.
//  Streams are trimmed with XADD MAXLEN ~ IMVO_AUDIT_MAXLEN entries (the environment's
//  IMVO_AUDIT_MAXLEN overrides it). Pipelined, the entry joins the poll loop's pipeline right
//  after the script (no round trip waits for it); in a worker, a batch's entries go to Redis
//  in one pipeline before the batch's replies. An error reply records nothing.
//
//  A read that is audited (complaint.get that shows a complainant's identity, an export)
//  says so from its handler or from its script's done function:
//
//      imvo_audit_mark (reply, "complaint.identity", case_id);
//
//  The runtime then records the reply, if it is ok, with that action (instead of the message
//  type) and that target (NULL: the default rule above). It costs the handler no Redis call,
//  works the same pipelined and in a worker, and a later imvo_reply_reset forgets it.
void imvo_audit_mark (imvo_reply_t *reply, const char *action, const char *target);
#define IMVO_AUDIT_MAXLEN 100000L           //  entries a stream keeps, about (XADD MAXLEN ~)
#define IMVO_AUDIT_NO_COVENANT "audit"      //  the hash tag of entries that name no covenant
#define IMVO_AUDIT_COVENANT_MAX 32          //  longest covenant code (the catalogue's bound)

//  Records the entries of a batch handled outside the socket (a queue's entries, dispatched
//  with imvo_service_dispatch and run with imvo_calls_run): every reply the rule above
//  records, in one pipeline on ctx's connection.
void imvo_audit_record (imvo_ctx_t *ctx, const imvo_request_t *reqs, const imvo_reply_t *replies, size_t n);

//  Milliseconds since the epoch: the daemon's clock, moved by IMVO_CLOCK_OFFSET_S (seconds,
//  for tests of time-based rules; the daemon says so in its log).
int64_t imvo_now_ms (void);

#endif

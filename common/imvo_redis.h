/*  imvo_redis: one Redis connection that survives Redis going away.

    Wraps a hiredis 0.14 synchronous context. Connection details come from a redis:// URL
    (user, password, host, port, database). After every (re)connect the command timeout,
    TCP keepalive, AUTH and SELECT are applied again and the Lua scripts are loaded again.
    A context that returned an I/O error is dropped, never reused; the next call reconnects,
    with exponential backoff between attempts (100 ms doubling to 2 s), cut short as soon as
    any other connection of the process got through, so while Redis is down
    calls fail fast and the daemon answers `unavailable`.

    Scripts are embedded at build time (common/EmbedLua.cmake), loaded with SCRIPT LOAD and run
    with EVALSHA; a NOSCRIPT answer (Redis restarted without its script cache) loads the script
    again and retries once.

    With IMVO_REDIS_CLUSTER=on (or IMVO_REDIS_WAIT_REPLICAS > 0) every function below routes
    through imvo_redis_cluster.c: a connection per cluster node, calls by their key's slot,
    MOVED/ASK and failovers followed, WAIT after write scripts; the interface stays the same.

    Lua scripts report domain errors as error replies "code|field|message" (see
    common/lua/prelude.lua); imvo_redis_fail turns such a reply into an envelope error.
*/
#ifndef IMVO_REDIS_H
#define IMVO_REDIS_H

#include "imvo_envelope.h"

#include <czmq.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>

typedef struct {
    const char *name;           //  script name: the .lua file name without extension
    const char *source;         //  prelude + script text
} imvo_script_t;

typedef struct _imvo_redis_t imvo_redis_t;

//  Growable argument vector for binary-safe commands; strings added with _fmt are owned.
typedef struct {
    int argc;
    int cap;
    const char **argv;
    size_t *lens;
    char **owned;
    int nowned;
} imvo_args_t;

void imvo_args_init (imvo_args_t *a);
void imvo_args_release (imvo_args_t *a);
void imvo_args_add (imvo_args_t *a, const char *data, size_t len);     //  not copied
void imvo_args_str (imvo_args_t *a, const char *s);                     //  not copied
void imvo_args_fmt (imvo_args_t *a, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
//  Copies every argument into one block that a owns, so a outlives what it pointed to.
void imvo_args_own (imvo_args_t *a);

//  Parses url; returns NULL when it is not a redis:// URL. Does not connect yet.
imvo_redis_t *imvo_redis_new (const char *url);
void imvo_redis_destroy (imvo_redis_t **self_p);
//  Registers a NULL-terminated script table (kept by pointer). Several tables may be added.
void imvo_redis_add_scripts (imvo_redis_t *self, const imvo_script_t *scripts);
//  Connects when not connected and the backoff allows. 0 when connected.
int imvo_redis_ensure (imvo_redis_t *self);
bool imvo_redis_connected (imvo_redis_t *self);
//  Connects, waiting up to timeout_ms (-1: until *stop becomes true); for daemons that start
//  before Redis. 0 when connected.
int imvo_redis_wait (imvo_redis_t *self, long timeout_ms, volatile int *stop);

//  Runs a command. NULL when Redis is unreachable (the connection is dropped and will be
//  retried). The caller frees the reply with freeReplyObject.
redisReply *imvo_redis_cmd (imvo_redis_t *self, const char *fmt, ...);
redisReply *imvo_redis_argv (imvo_redis_t *self, const imvo_args_t *args);
//  A write outside a script (the portal's XADD to the intake queue): with
//  IMVO_REDIS_WAIT_REPLICAS=N its reply stands only once N replicas hold it (WAIT on the
//  node that took it), else a "NOREPLICAS ..." error, as after a write script.
redisReply *imvo_redis_write_argv (imvo_redis_t *self, const imvo_args_t *args);
//  Runs a registered script with EVALSHA; keys and args may be NULL.
redisReply *imvo_redis_eval (imvo_redis_t *self, const char *script,
                             const imvo_args_t *keys, const imvo_args_t *args);

//  Pipelining: append any number of script calls, then read their replies in order with
//  imvo_redis_next_reply. Redis runs them in one go, and one fsync covers their writes.
//  append: 0, or -1 when Redis is unreachable. next_reply: NULL when the connection broke
//  (the rest of the pipeline is lost; the connection is dropped and retried) or when no
//  reply is pending. A NOSCRIPT error reply is the caller's to retry with imvo_redis_eval.
int imvo_redis_append_eval (imvo_redis_t *self, const char *script,
                            const imvo_args_t *keys, const imvo_args_t *args);
redisReply *imvo_redis_next_reply (imvo_redis_t *self);
//  The same for any command (read with imvo_redis_next_reply).
int imvo_redis_append_argv (imvo_redis_t *self, const imvo_args_t *args);
//  Runs n commands in one pipeline and puts their replies in replies[0..n) (the caller frees
//  each non-NULL one). 0, or -1 when the connection failed part-way (the replies not read
//  are NULL).
int imvo_redis_run_all (imvo_redis_t *self, const imvo_args_t *cmds, size_t n, redisReply **replies);
//  Every member of a set (hash false: SSCAN) or every field and value of a hash (HSCAN), 1000
//  a call, so that no call holds Redis for long. A list of chunks, each NUL-terminated (its
//  size counts the NUL), that the caller destroys; NULL when Redis failed. A page may repeat
//  an entry while the hash or set resizes.
zlistx_t *imvo_redis_scan (imvo_redis_t *self, const char *key, bool hash);

//  The same pipeline driven by a poll loop instead of blocking reads: connect_async sets the
//  connection up (blocking, as ensure) and then makes its socket non-blocking; poll
//  imvo_redis_fd for input (and for output while imvo_redis_flush returns 1); feed reads
//  what arrived; take returns the next complete reply or NULL. A connection in this mode is
//  for imvo_redis_append_eval, flush, feed and take only. On any failure (-1) the
//  connection is dropped, and the replies still pending are lost: imvo_redis_connected
//  turns false.
int imvo_redis_connect_async (imvo_redis_t *self);
int imvo_redis_fd (imvo_redis_t *self);
size_t imvo_redis_pending (imvo_redis_t *self);
int imvo_redis_flush (imvo_redis_t *self);
int imvo_redis_feed (imvo_redis_t *self);
redisReply *imvo_redis_take (imvo_redis_t *self);

//  Connects now, without waiting out the backoff (for `ping`, the health check). 0 when
//  connected. A success lets every other connection of the process retry at once.
int imvo_redis_probe (imvo_redis_t *self);

//  Turns a failed call into an error reply: NULL -> unavailable, a "code|field|message"
//  error -> that code, any other error -> internal (logged). Returns -1.
int imvo_redis_fail (redisReply *r, imvo_reply_t *reply);
//  The same, and frees r (when there is one).
int imvo_redis_fail_free (redisReply *r, imvo_reply_t *reply);

//  For read scripts that return a packed msgpack map: uses it as the reply body, or turns
//  the failure into an error reply. Frees r. 0 or -1.
int imvo_redis_packed_reply (redisReply *r, imvo_reply_t *reply);

//  True for a MOVED or ASK answer (IMVO_REDIS_CLUSTER=on): a poll loop's pipelined call that
//  got one is run again on a blocking connection, which follows it.
bool imvo_redis_redirected (const redisReply *r);

//  Number of successful (re)connects so far, for stats and tests.
size_t imvo_redis_connects (imvo_redis_t *self);

#endif

/*  imvo_redis_internal: the connection's state, for imvo_redis.c and imvo_redis_pipeline.c. */
#ifndef IMVO_REDIS_INTERNAL_H
#define IMVO_REDIS_INTERNAL_H

#include "imvo_redis.h"

#include <stdarg.h>

#define S_MAX_TABLES 8
#define S_MAX_SCRIPTS 64

struct _imvo_redis_t {
    char host [256];                        //  host name or address
    int port;                               //  TCP port
    char user [128];                        //  ACL user, "" for the default user
    char password [256];                    //  "" when none
    int db;                                 //  database number
    long timeout_ms;                        //  connect and command timeout
    redisContext *ctx;                      //  NULL while disconnected
    int64_t next_attempt;                   //  zclock_mono time of the next connect attempt
    long backoff_ms;                        //  current backoff
    const imvo_script_t *tables [S_MAX_TABLES];   //  registered script tables
    int ntables;
    char shas [S_MAX_SCRIPTS][41];          //  SHA1 of each script, by flat index
    size_t connects;                        //  successful connects so far
    bool down_logged;                       //  we said "Redis down" already
    unsigned long epoch_seen;               //  s_epoch when we last tried to connect
    bool async;                             //  driven by a poll loop: non-blocking socket
    size_t pending;                         //  pipelined commands whose replies are unread
    int wait_replicas;                      //  IMVO_REDIS_WAIT_REPLICAS: WAIT after a write script
    long wait_ms;                           //  IMVO_REDIS_WAIT_MS: WAIT's timeout
    signed char writes [S_MAX_SCRIPTS];     //  per script: 0 unknown, 1 writes, 2 only reads
    struct _imvo_cluster_t *cluster;        //  routing (imvo_redis_cluster.c), NULL: one Redis
};

//  The line common/EmbedLua.cmake puts between the prelude and a script's own text, and what
//  Redis runs of it: the prelude's functions the script calls, then its text (imvo_lua_prune.c;
//  the caller frees it).
#define IMVO_LUA_PRELUDE_END "\n-- (the end of the prelude: the script follows)\n"
char *imvo_lua_pruned (const char *source);

//  A registered script by name: its flat index (for shas) and entry; NULL when unknown.
const imvo_script_t *imvo_redis_script (imvo_redis_t *self, const char *name, int *index);
//  Drops a broken connection (logged once) and schedules the next attempt with backoff.
void imvo_redis_drop (imvo_redis_t *self, const char *why);


//  imvo_redis_cluster.c: with IMVO_REDIS_CLUSTER=on (or IMVO_REDIS_WAIT_REPLICAS > 0) the
//  connection routes every call to a connection per node; these are its hooks.
typedef struct _imvo_cluster_t imvo_cluster_t;
//  A cluster router for self when the environment asks for one, else NULL.
imvo_cluster_t *imvo_cluster_new (imvo_redis_t *self);
void imvo_cluster_destroy (imvo_cluster_t **self_p);
void imvo_cluster_add_scripts (imvo_redis_t *self, const imvo_script_t *scripts);
int imvo_cluster_ensure (imvo_redis_t *self);
int imvo_cluster_probe (imvo_redis_t *self);
bool imvo_cluster_connected (imvo_redis_t *self);
size_t imvo_cluster_connects (imvo_redis_t *self);
redisReply *imvo_cluster_argv (imvo_redis_t *self, const imvo_args_t *args);
redisReply *imvo_cluster_write_argv (imvo_redis_t *self, const imvo_args_t *args);
redisReply *imvo_cluster_vcmd (imvo_redis_t *self, const char *fmt, va_list ap);
redisReply *imvo_cluster_eval (imvo_redis_t *self, const char *script,
                               const imvo_args_t *keys, const imvo_args_t *args);
int imvo_cluster_append_eval (imvo_redis_t *self, const char *script,
                              const imvo_args_t *keys, const imvo_args_t *args);
int imvo_cluster_append_argv (imvo_redis_t *self, const imvo_args_t *args);
redisReply *imvo_cluster_next_reply (imvo_redis_t *self);
int imvo_cluster_connect_async (imvo_redis_t *self);
int imvo_cluster_fd (imvo_redis_t *self);
size_t imvo_cluster_pending (imvo_redis_t *self);
int imvo_cluster_flush (imvo_redis_t *self);
int imvo_cluster_feed (imvo_redis_t *self);
redisReply *imvo_cluster_take (imvo_redis_t *self);
//  imvo_redis_cluster_commands.c: true when the script (flat index) writes: its text past the
//  shared prelude calls a writing command or the prelude's commit and emit helpers.
bool imvo_redis_script_writes (imvo_redis_t *self, int index);
//  After a write script's reply r on this connection: WAIT for the replicas; r, an error
//  reply "NOREPLICAS ..." when fewer acknowledged in time, or NULL when the connection broke.
redisReply *imvo_redis_after_write (imvo_redis_t *self, redisReply *r);
//  An error reply made here (freed with freeReplyObject).
redisReply *imvo_redis_error_reply (const char *message);

#endif

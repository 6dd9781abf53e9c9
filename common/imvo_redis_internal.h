/*  imvo_redis_internal: the connection's state, for imvo_redis.c and imvo_redis_pipeline.c. */
#ifndef IMVO_REDIS_INTERNAL_H
#define IMVO_REDIS_INTERNAL_H

#include "imvo_redis.h"

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
};

//  A registered script by name: its flat index (for shas) and entry; NULL when unknown.
const imvo_script_t *imvo_redis_script (imvo_redis_t *self, const char *name, int *index);
//  Drops a broken connection (logged once) and schedules the next attempt with backoff.
void imvo_redis_drop (imvo_redis_t *self, const char *why);

#endif

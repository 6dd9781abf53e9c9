/*  imvo_redis_cluster_internal: what the parts of the cluster router share:
    imvo_redis_cluster.c (the slot map, nodes, routing, blocking calls),
    imvo_redis_cluster_commands.c (a command's slot, redirections, which scripts write) and
    imvo_redis_cluster_pipeline.c (pipelines per node, WAIT, the poll loop's epoll set).
    See imvo_redis_cluster.c's opening comment for how it works.
*/
#ifndef IMVO_REDIS_CLUSTER_INTERNAL_H
#define IMVO_REDIS_CLUSTER_INTERNAL_H

#include "imvo_redis.h"
#include "imvo_redis_internal.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>

#define S_SLOTS 16384
#define S_MAX_NODES 64
#define S_MAX_HOPS 5
#define S_REFRESH_MS 200

typedef struct {
    char host [256];
    int port;
    imvo_redis_t *conn;             //  its connection (never freed before the router)
    int epoll_fd;                   //  the socket registered in the epoll set, or -1
    size_t epoll_connects;          //  of which connection (a new one may reuse the number)
    uint32_t epoll_events;
    bool unwaited;                  //  write scripts appended since its last WAIT
    uint64_t assigned;              //  sequence number after the last call given a reply
} s_node_t;

//  A call in a pipeline, in the order of the calls.
typedef struct {
    uint64_t seq;
    int node;
    int slot;                       //  -1: keyless
    bool have;                      //  its reply came (or its node failed)
    bool wait;                      //  our own WAIT, not the caller's
    bool write;                     //  a write script that a WAIT must confirm
    bool waited;                    //  that WAIT answered
    redisReply *reply;
    const char *script;             //  for a retry after MOVED/ASK (blocking readers)
    imvo_args_t keys, args;         //  owned copies (script), or the command (args)
    bool copied;
} s_entry_t;

struct _imvo_cluster_t {
    bool single;                    //  one Redis (WAIT only): every slot on node 0
    s_node_t nodes [S_MAX_NODES];
    int nnodes;
    int16_t slots [S_SLOTS];        //  node by slot, -1 unknown
    bool mapped, stale;
    int64_t next_refresh;
    s_entry_t *fifo;
    size_t cap, head, count;
    uint64_t next_seq;
    int epfd;                       //  the poll loop's descriptor, -1 until connect_async
};

//  The slot of a key (of its {tag} when there is one).
int cluster_keyslot (const char *key, size_t len);
//  The slot of a command's first key, -1 when it has none.
int cluster_args_slot (const imvo_args_t *a);
//  A MOVED or ASK error: its slot, and the node it names ("" host: the answering node's).
bool cluster_redirect (const redisReply *r, bool *ask, int *slot, char *host, size_t hostsz, int *port);
//  The node host:port, added when new; -1 when the table is full.
int cluster_node (imvo_redis_t *self, const char *host, int port);
//  The node for a slot (-1: keyless, the first master), or -1 when none is known.
int cluster_route (imvo_redis_t *self, int slot);
//  A script (keys, args) or a command (args) on its slot's node, following redirections.
redisReply *cluster_run (imvo_redis_t *self, int slot, const char *script, const imvo_args_t *keys,
                         const imvo_args_t *args);

#endif

/*  imvo_loop_internal: what the poll loop's files share: imvo_loop.c (the front end, the
    pipeline to Redis, the turn of the loop) and imvo_loop_workers.c (the batches to and from
    the workers).
*/
#ifndef IMVO_LOOP_INTERNAL_H
#define IMVO_LOOP_INTERNAL_H

#include "imvo_service.h"
#include "imvo_internal.h"

//  A request the poll loop holds: its frames, and for a pipelined one its decoding, reply and
//  parked call while the script runs. Held requests form two queues, on the `next` links:
//  the pipeline (waiting for Redis, in the order of their calls) and the queue for workers.
typedef struct _loop_held_t {
    zmq_msg_t parts [IMVO_MAX_PARTS];
    int nparts;
    bool decoded;
    imvo_request_t req;
    imvo_reply_t reply;
    imvo_call_t call;
    //  For the worker: [curve flag] role \0 org \0 client, the certificate's actor (used
    //  instead of the envelope's with CURVE) and the client's identity (imvo_request_t).
    char actor [180];
    size_t actor_len;
    bool audit;                     //  not a request: an audit command (in call.args) whose
                                    //  answer the pipeline reads and nobody waits for
    struct _loop_held_t *next;
} loop_held_t;

typedef struct {
    loop_held_t *head, *tail;
    size_t size;
} loop_queue_t;

//  The main thread's poll loop: the front end, the pipeline to Redis, the workers.
typedef struct {
    imvo_service_t *s;
    imvo_ctx_t ctx;                 //  for pipelined handlers; ctx.redis blocks (rare uses)
    imvo_redis_t *pipe;             //  the pipelined connection, driven by the poll loop
    zsock_t *frontend, *backend, *pub;
    int free [64];                  //  workers waiting for a batch
    int nfree;
    loop_queue_t pipeline;          //  requests whose script call is in the pipeline
    loop_queue_t queue;             //  requests waiting for a free worker
    loop_held_t *spare;             //  held structures to reuse
    size_t max_held;                //  IMVO_PIPELINE: held requests before the loop stops reading
    bool want_write;                //  the pipeline has output the socket did not take yet
    msgpack_sbuffer out;
    zsock_t *actor_pipe;            //  the actor's command pipe, or NULL (a daemon)
    bool terminated;                //  $TERM came on actor_pipe
} loop_t;

//  The first request of a queue, taken off it; NULL when it is empty.
loop_held_t *loop_queue_pop (loop_queue_t *q);
//  A request the loop is done with: its frames and decoding released, the structure kept to reuse.
void loop_held_free (loop_t *loop, loop_held_t *h);
//  Sends what waits for workers to the free ones, one batch each (imvo_loop_workers.c).
void loop_deal (loop_t *loop);
//  Receives what the workers sent: hellos (the worker is free) and replies, which go out on
//  the front end (imvo_loop_workers.c).
void loop_collect_all (loop_t *loop);

#endif

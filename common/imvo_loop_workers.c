/*  imvo_loop_workers: the poll loop's side of its workers (imvo_loop.c, imvo_worker.c).

    A worker says hello (an empty message) when it starts and sends each batch's replies when
    it is done; it is then free. The loop deals the requests that wait for a worker to the free
    ones, up to IMVO_BATCH a worker, and forwards the replies to the front end as they come.
*/
#include "imvo_service.h"
#include "imvo_internal.h"
#include "imvo_loop_internal.h"

//  Sends what waits for workers to the free ones, one batch each:
//  [identity] ([count] [frames...])* [""].
void
loop_deal (loop_t *loop)
{
    void *back = zsock_resolve (loop->backend);
    while (loop->nfree && loop->queue.size) {
        int w = loop->free [--loop->nfree];
        char identity [8];
        int idlen = snprintf (identity, sizeof identity, "w%d", w);
        zmq_send (back, identity, (size_t) idlen, ZMQ_SNDMORE);
        for (int n = 0; n < loop->s->batch && loop->queue.size; n++) {
            loop_held_t *h = loop_queue_pop (&loop->queue);
            //  [count curve role \0 org \0 client]: who sent it (imvo_worker.c reads it).
            unsigned char head [1 + sizeof h->actor];
            head [0] = (unsigned char) h->nparts;
            memcpy (head + 1, h->actor, h->actor_len);
            zmq_send (back, head, 1 + h->actor_len, ZMQ_SNDMORE);
            for (int i = 0; i < h->nparts; i++)
                zmq_msg_send (&h->parts [i], back, ZMQ_SNDMORE);
            loop_held_free (loop, h);
        }
        zmq_send (back, "", 0, 0);
    }
}

//  Receives one message from a worker: its hello (free now) or a batch of replies, which go
//  out on the front end. Returns the worker's number, or -1.
static int
s_collect (zsock_t *backend, zsock_t *frontend)
{
    void *back = zsock_resolve (backend);
    void *front = zsock_resolve (frontend);
    zmq_msg_t part;
    zmq_msg_init (&part);
    if (zmq_msg_recv (&part, back, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&part);
        return -1;
    }
    int w = -1;
    if (zmq_msg_size (&part) > 1 && zmq_msg_size (&part) < 8) {
        char identity [8];
        memcpy (identity, zmq_msg_data (&part), zmq_msg_size (&part));
        identity [zmq_msg_size (&part)] = 0;
        w = atoi (identity + 1);
    }
    //  [count, parts...]* then "" (the hello is just ""). A sent frame no longer says
    //  whether more follow, so that is kept apart.
    bool more = zmq_msg_more (&part);
    while (more) {
        zmq_msg_recv (&part, back, 0);
        more = zmq_msg_more (&part);
        if (!more)
            break;                              //  the terminator
        int nparts = zmq_msg_size (&part) == 1 ? *(unsigned char *) zmq_msg_data (&part) : 0;
        for (int i = 0; i < nparts && more; i++) {
            zmq_msg_recv (&part, back, 0);
            more = zmq_msg_more (&part);
            zmq_msg_send (&part, front, i + 1 < nparts ? ZMQ_SNDMORE : 0);
        }
    }
    zmq_msg_close (&part);
    return w;
}

void
loop_collect_all (loop_t *loop)
{
    int w;
    while ((w = s_collect (loop->backend, loop->frontend)) >= 0)
        if (w < loop->s->nworkers && loop->nfree < loop->s->nworkers)
            loop->free [loop->nfree++] = w;
}

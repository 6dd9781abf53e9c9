/*  bench_submit: load generator for the complaints daemon.

    bench_submit ENDPOINT CONNECTIONS DEPTH TOTAL RESPONDENT [TYPE]
    One thread drives CONNECTIONS DEALER sockets with DEPTH requests in flight on each (so
    CONNECTIONS x DEPTH in all), each a complaint.submit with a unique idempotency key, until
    TOTAL complaints are acknowledged. A request that gets no reply within 10 s counts as an
    error. Prints one line:
      acked=N errors=E seconds=S per_second=R p50_ms=.. p99_ms=.. max_ms=.. cpu_us_per_req=..
    cpu_us_per_req is this generator's own CPU. Used by bench_complaints.py.
*/
#include "imvo_envelope.h"

#include <czmq.h>
#include <sys/resource.h>

typedef struct {
    int64_t sent_us;            //  0: free
    char id [24];
} s_slot_t;

static int
s_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static double
s_cpu_seconds (void)
{
    struct rusage ru;
    getrusage (RUSAGE_SELF, &ru);
    return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
main (int argc, char **argv)
{
    if (argc < 6) {
        fprintf (stderr, "usage: bench_submit ENDPOINT CONNECTIONS DEPTH TOTAL RESPONDENT\n");
        return 1;
    }
    zsys_init ();
    const char *endpoint = argv [1];
    int nconn = atoi (argv [2]), depth = atoi (argv [3]), total = atoi (argv [4]);
    const char *respondent = argv [5];
    if (nconn < 1 || nconn > 256 || depth < 1 || depth > 1024 || total < 1)
        return 1;
    void **socks = calloc ((size_t) nconn, sizeof *socks);
    zmq_pollitem_t *items = calloc ((size_t) nconn, sizeof *items);
    s_slot_t *slots = calloc ((size_t) nconn * (size_t) depth, sizeof *slots);
    int64_t *latency = calloc ((size_t) total, sizeof *latency);
    assert (socks && items && slots && latency);
    for (int c = 0; c < nconn; c++) {
        socks [c] = zmq_socket (zsys_init (), ZMQ_DEALER);
        int zero = 0, hwm = 100000;
        zmq_setsockopt (socks [c], ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt (socks [c], ZMQ_SNDHWM, &hwm, sizeof hwm);
        zmq_setsockopt (socks [c], ZMQ_RCVHWM, &hwm, sizeof hwm);
        if (zmq_connect (socks [c], endpoint)) {
            fprintf (stderr, "cannot connect to %s\n", endpoint);
            return 1;
        }
        items [c] = (zmq_pollitem_t) { socks [c], 0, ZMQ_POLLIN, 0 };
    }
    //  The body is the same for every request of a covenant (textile, or in turn each of
    //  BENCH_COVENANTS=a,b,c: spread over a cluster's masters); keys make each one a new complaint.
    char covenants [512];
    snprintf (covenants, sizeof covenants, "%s", getenv ("BENCH_COVENANTS") ? getenv ("BENCH_COVENANTS") : "textile");
    msgpack_sbuffer bodies [16], req;
    int nbodies = 0;
    msgpack_sbuffer_init (&req);
    for (char *save = NULL, *c = strtok_r (covenants, ",", &save); c && nbodies < 16; c = strtok_r (NULL, ",", &save)) {
        msgpack_sbuffer *body = &bodies [nbodies++];
        msgpack_sbuffer_init (body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 5);
        imvo_pack_kv_str (&pk, "covenant", c);
        imvo_pack_kv_str (&pk, "respondent", respondent);
        imvo_pack_kv_str (&pk, "summary", "Benchmark complaint");
        imvo_pack_kv_str (&pk, "description", "Unpaid overtime reported by workers of a supplier.");
        imvo_pack_str (&pk, "complainant");
        msgpack_pack_map (&pk, 1);
        imvo_pack_kv_bool (&pk, "anonymous", true);
    }
    if (nbodies == 0)
        return 1;

    int next = 0, acked = 0, errors = 0, done = 0;
    int64_t start = zclock_usecs ();
    double cpu0 = s_cpu_seconds ();
    //  Fill every slot, then send one new request per reply.
    while (done < total) {
        for (int c = 0; c < nconn; c++)
            for (int d = 0; d < depth && next < total; d++) {
                s_slot_t *slot = &slots [c * depth + d];
                if (slot->sent_us)
                    continue;
                snprintf (slot->id, sizeof slot->id, "%d", next);
                char key [64];
                snprintf (key, sizeof key, "bench-%d-%lld-%d", getpid (), (long long) start, next);
                msgpack_sbuffer_clear (&req);
                msgpack_sbuffer *body = &bodies [next % nbodies];
                imvo_request_pack (&req, slot->id, "complaint.submit", key, NULL, NULL, body->data, body->size);
                slot->sent_us = zclock_usecs ();
                zmq_send (socks [c], req.data, req.size, 0);
                next++;
            }
        if (zmq_poll (items, nconn, 1000) < 0)
            break;
        for (int c = 0; c < nconn; c++) {
            zmq_msg_t msg;
            zmq_msg_init (&msg);
            while (zmq_msg_recv (&msg, socks [c], ZMQ_DONTWAIT) >= 0) {
                imvo_response_t resp;
                int rc = imvo_response_decode (&resp, zmq_msg_data (&msg), zmq_msg_size (&msg));
                int n = atoi (resp.id);
                if (rc == 0 && resp.id [0] && n >= 0 && n < total) {
                    //  Find the slot by id.
                    for (int d = 0; d < depth; d++) {
                        s_slot_t *slot = &slots [c * depth + d];
                        if (slot->sent_us && streq (slot->id, resp.id)) {
                            latency [done++] = zclock_usecs () - slot->sent_us;
                            slot->sent_us = 0;
                            if (resp.ok)
                                acked++;
                            else {
                                if (errors < 5)
                                    fprintf (stderr, "error: %s %s\n", imvo_err_name (resp.err.code), resp.err.message);
                                errors++;
                            }
                            break;
                        }
                    }
                }
                imvo_response_release (&resp);
            }
            zmq_msg_close (&msg);
        }
        //  Requests without a reply for 10 s are errors.
        int64_t now = zclock_usecs ();
        for (int i = 0; i < nconn * depth; i++)
            if (slots [i].sent_us && now - slots [i].sent_us > 10000000) {
                slots [i].sent_us = 0;
                latency [done++] = 10000000;
                errors++;
            }
    }
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    double cpu = s_cpu_seconds () - cpu0;
    qsort (latency, (size_t) done, sizeof *latency, s_cmp);
    printf ("acked=%d errors=%d seconds=%.3f per_second=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f cpu_us_per_req=%.1f\n",
            acked, errors, seconds, acked / seconds,
            done ? latency [done / 2] / 1000.0 : 0, done ? latency [(size_t) done * 99 / 100] / 1000.0 : 0,
            done ? latency [done - 1] / 1000.0 : 0, done ? cpu * 1e6 / done : 0);
    for (int c = 0; c < nconn; c++)
        zmq_close (socks [c]);
    for (int i = 0; i < nbodies; i++)
        msgpack_sbuffer_destroy (&bodies [i]);
    msgpack_sbuffer_destroy (&req);
    free (socks);
    free (items);
    free (slots);
    free (latency);
    return errors ? 1 : 0;
}

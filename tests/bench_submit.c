/*  bench_submit: load generator for the complaints daemon.

    bench_submit ENDPOINT CLIENTS TOTAL RESPONDENT
    CLIENTS threads, each with its own imvo_client (DEALER), send complaint.submit with a
    unique idempotency key, one request in flight per client, until TOTAL complaints are
    acknowledged. Prints "acked=N seconds=S per_second=R errors=E". Used by
    bench_complaints.py, which runs redis-benchmark on the same Redis as the reference.
*/
#include "imvo_client.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>

static const char *s_endpoint;
static atomic_int s_next;
static atomic_int s_errors;
static int s_total;
static const char *s_respondent;

static void *
s_client (void *arg)
{
    (void) arg;
    imvo_client_t *client = imvo_client_new (s_endpoint);
    imvo_client_set_timeout (client, 10000);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    int n;
    while ((n = atomic_fetch_add (&s_next, 1)) < s_total) {
        msgpack_sbuffer_clear (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 5);
        imvo_pack_kv_str (&pk, "covenant", "textile");
        imvo_pack_kv_str (&pk, "respondent", s_respondent);
        imvo_pack_kv_str (&pk, "summary", "Benchmark complaint");
        imvo_pack_kv_str (&pk, "description", "Unpaid overtime reported by workers of a supplier.");
        imvo_pack_str (&pk, "complainant");
        msgpack_pack_map (&pk, 1);
        imvo_pack_kv_bool (&pk, "anonymous", true);
        char key [64];
        snprintf (key, sizeof key, "bench-%d-%d", getpid (), n);
        imvo_response_t resp;
        if (imvo_client_call (client, "complaint.submit", key, body.data, body.size, &resp) || !resp.ok)
            atomic_fetch_add (&s_errors, 1);
        imvo_response_release (&resp);
    }
    msgpack_sbuffer_destroy (&body);
    imvo_client_destroy (&client);
    return NULL;
}

int
main (int argc, char **argv)
{
    if (argc != 5) {
        fprintf (stderr, "usage: bench_submit ENDPOINT CLIENTS TOTAL RESPONDENT\n");
        return 1;
    }
    zsys_init ();
    s_endpoint = argv [1];
    int clients = atoi (argv [2]);
    s_total = atoi (argv [3]);
    s_respondent = argv [4];
    pthread_t threads [64];
    if (clients < 1 || clients > 64 || s_total < 1)
        return 1;
    int64_t start = zclock_usecs ();
    for (int i = 0; i < clients; i++)
        pthread_create (&threads [i], NULL, s_client, NULL);
    for (int i = 0; i < clients; i++)
        pthread_join (threads [i], NULL);
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    int errors = atomic_load (&s_errors);
    printf ("acked=%d seconds=%.3f per_second=%.0f errors=%d\n", s_total - errors, seconds,
            (s_total - errors) / seconds, errors);
    return errors ? 1 : 0;
}

/*  bench_script: the physical limit of complaint intake in this design.

    bench_script REDIS_URL CONNECTIONS DEPTH TOTAL RESPONDENT
    CONNECTIONS threads, each with its own hiredis connection, run the complaints daemon's own
    submit script (lua/complaint_submit.lua, embedded as in the daemon) with the arguments the
    daemon would send, DEPTH calls pipelined at a time, until TOTAL complaints are committed.
    No ZeroMQ, no envelope, no validation: what is left is Redis running the script and its
    fsyncs. The arguments follow complaints_server.c's s_complaint_submit, by the names of complaint.submit's catalogue entry. Prints "acked=N errors=E seconds=S per_second=R". Used by bench_complaints.py.
*/
#include "imvo_service.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>

extern const imvo_script_t complaints_scripts [];

static const char *s_url;
static const char *s_respondent;
static char s_year [16];             //  this year (UTC), as the daemon numbers cases
static int s_depth;
static int s_total;
static atomic_int s_next;
static atomic_int s_acked;
static atomic_int s_errors;
static msgpack_sbuffer s_packed [5];     //  file, history, event body, reply, deadlines: as the daemon packs them

static void
s_pack (void)
{
    for (int i = 0; i < 5; i++)
        msgpack_sbuffer_init (&s_packed [i]);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &s_packed [0], msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "description", "Unpaid overtime reported by workers of a supplier.");
    imvo_pack_str (&pk, "complainant");
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_bool (&pk, "anonymous", true);
    imvo_pack_kv_bool (&pk, "share_identity", false);
    msgpack_packer_init (&pk, &s_packed [1], msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 1);
    msgpack_pack_map (&pk, 5);
    imvo_pack_kv_int (&pk, "at", zclock_time ());
    imvo_pack_kv_str (&pk, "by", "anonymous");
    imvo_pack_kv_str (&pk, "from", NULL);
    imvo_pack_kv_str (&pk, "to", "received");
    imvo_pack_kv_str (&pk, "reason", "complaint received");
    msgpack_packer_init (&pk, &s_packed [2], msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    imvo_pack_kv_str (&pk, "covenant", "textile");
    imvo_pack_kv_str (&pk, "respondent", s_respondent);
    imvo_pack_kv_str (&pk, "summary", "Benchmark complaint");
    imvo_pack_kv_bool (&pk, "anonymous", true);
    imvo_pack_kv_int (&pk, "received_at", zclock_time ());
    msgpack_packer_init (&pk, &s_packed [3], msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "status", "received");
    imvo_pack_kv_str (&pk, "receipt", "TEXTILE-0000-0000-0000-0000");
    msgpack_packer_init (&pk, &s_packed [4], msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    imvo_pack_kv_int (&pk, "acknowledge", zclock_time () + 7 * 86400000LL);
    imvo_pack_kv_int (&pk, "feedback", zclock_time () + 91 * 86400000LL);
    imvo_pack_kv_int (&pk, "decision", zclock_time () + 365 * 86400000LL);
}

static void *
s_run (void *arg)
{
    (void) arg;
    imvo_redis_t *redis = imvo_redis_new (s_url);
    imvo_redis_add_scripts (redis, complaints_scripts);
    if (imvo_redis_wait (redis, 5000, NULL)) {
        atomic_fetch_add (&s_errors, 1);
        imvo_redis_destroy (&redis);
        return NULL;
    }
    while (true) {
        int first = atomic_fetch_add (&s_next, s_depth);
        if (first >= s_total)
            break;
        int n = first + s_depth > s_total ? s_total - first : s_depth;
        for (int i = 0; i < n; i++) {
            imvo_args_t keys, args;
            imvo_args_init (&keys);
            imvo_args_init (&args);
            imvo_args_fmt (&keys, "imvo:complaints:{textile}:idem:complaint.submit:script-%d-%d", getpid (), first + i);
            imvo_args_fmt (&args, "86400 %040d", first + i);
            //  Its arguments by name, as the daemon gives them (complaint.submit's script_args).
            imvo_named_t named;
            imvo_named_init (&named, "complaint.submit");
            const char *names [] = { "prefix", "covenant", "year", "respondent", "summary", "receipt_hash" };
            const char *values [] = { "imvo:complaints:{textile}", "textile", s_year, s_respondent,
                                      "Benchmark complaint", "0123456789abcdef0123456789abcdef01234567" };
            for (int a = 0; a < 6; a++)
                imvo_named_str (&named, names [a], values [a]);
            imvo_named_fmt (&named, "now", "%lld", (long long) zclock_time ());
            imvo_named_str (&named, "views_ready", "1");
            const char *packed [] = { "file", "history", "event", "reply", "deadlines" };
            for (int p = 0; p < 5; p++)
                imvo_named_bytes (&named, packed [p], s_packed [p].data, s_packed [p].size);
            imvo_named_str (&named, "lang", "nl");
            imvo_named_str (&named, "kind", "complaint");
            imvo_named_str (&named, "claimant_org", "");
            imvo_named_str (&named, "link", "");
            imvo_named_done (&named, &args);
            if (imvo_redis_append_eval (redis, "complaint_submit", &keys, &args))
                atomic_fetch_add (&s_errors, 1);
            imvo_args_release (&keys);
            imvo_args_release (&args);
        }
        for (int i = 0; i < n; i++) {
            redisReply *r = imvo_redis_next_reply (redis);
            if (r && r->type == REDIS_REPLY_ARRAY)
                atomic_fetch_add (&s_acked, 1);
            else {
                if (atomic_fetch_add (&s_errors, 1) < 3)
                    fprintf (stderr, "error: %s\n", r && r->str ? r->str : "no reply");
            }
            if (r)
                freeReplyObject (r);
        }
    }
    imvo_redis_destroy (&redis);
    return NULL;
}

int
main (int argc, char **argv)
{
    if (argc != 6) {
        fprintf (stderr, "usage: bench_script REDIS_URL CONNECTIONS DEPTH TOTAL RESPONDENT\n");
        return 1;
    }
    s_url = argv [1];
    int nconn = atoi (argv [2]);
    s_depth = atoi (argv [3]);
    s_total = atoi (argv [4]);
    s_respondent = argv [5];
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    snprintf (s_year, sizeof s_year, "%04d", tm.tm_year + 1900);
    if (nconn < 1 || nconn > 64 || s_depth < 1 || s_total < 1)
        return 1;
    s_pack ();
    pthread_t threads [64];
    int64_t start = zclock_usecs ();
    for (int i = 0; i < nconn; i++)
        pthread_create (&threads [i], NULL, s_run, NULL);
    for (int i = 0; i < nconn; i++)
        pthread_join (threads [i], NULL);
    double seconds = (double) (zclock_usecs () - start) / 1e6;
    int acked = atomic_load (&s_acked), errors = atomic_load (&s_errors);
    printf ("acked=%d errors=%d seconds=%.3f per_second=%.0f\n", acked, errors, seconds, acked / seconds);
    return errors ? 1 : 0;
}

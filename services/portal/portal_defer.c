/*  portal_defer: requests to the daemons that an HTTP thread does not wait for.

    Why: libmicrohttpd's pool gives each HTTP thread its own connections, so whatever one
    thread waits for, its share of the visitors waits with it. Most pages ask the daemons for
    a fraction of a millisecond; some requests cost more: signing in (account.login: membership
    checks the password with Argon2id, about 100 ms), changing a password and enrolling (the
    same, once or twice), and the CSV export (up to 200 pages of complaint.export). Those, and
    every write of the staff console, are made on the portal's own worker threads (S_WORKERS)
    while the HTTP connection is suspended (MHD_suspend_connection: it leaves its thread's poll
    set, the thread goes on serving the others); when the daemon has answered, the worker
    resumes the connection and libmicrohttpd calls the handler again, which finds the outcome
    in the request's jobs (portal_req_t.jobs) and answers. The export's later pages are asked
    the same way, one page at a time as the download drains (staff_export.c).

    The idempotency key: a console form carries a one-time key (its field `idem`), which goes
    out as the envelope's key, so a double-click or a resent form is one change: the daemon
    answers the second with the first's stored reply. For the account.* messages whose daemon
    keeps no record (login, enroll, password: their bodies hold passwords) or whose reply
    holds a secret given once (create, reset: the enrollment token), the portal itself keeps
    the first outcome for S_KEPT_MS under the message's type and key, with a hash of the body:
    the same form again (while the first is still on its way, it waits for it) gets the same
    outcome, and nothing is asked twice; different values under that key are `conflict` after
    a success, and asked anew after a refusal (the form corrected; portal_defer_kept.c). So a
    double-clicked sign-in does not burn its TOTP code and count a failure, and a double-clicked
    "create account" still shows its enrollment link. The kept replies are wiped when they go.

    Each worker has its own client of each daemon (ZeroMQ sockets are not shared between
    threads), with the portal's certificate; a request for a person states her actor.

    At most S_QUEUE jobs wait; beyond that (and while the portal stops) the caller asks at
    once, on its own thread. At stop the workers finish what is queued (each ask is bounded by
    its timeout), so every suspended connection is resumed before libmicrohttpd stops.
*/
#include "portal.h"

#include <pthread.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_WORKERS 4
#define S_QUEUE 256
#define S_TIMEOUT_MS 1500
#define S_ATTEMPTS 2
//  A password's check (Argon2id, ~80 ms of a core) may queue behind others' on a busy
//  membership: it gets longer, and one attempt only: the daemon keeps no key for it, so a
//  second try after a late first would find the TOTP code used and refuse the person.
#define S_PASSWORD_TIMEOUT_MS 10000

struct portal_job_s {
    char service [16], type [48], key [IMVO_KEY_MAX + 1];
    bool as;                        //  for a person (actor), else as the portal itself
    portal_actor_t actor;
    char *body;
    size_t size;
    struct MHD_Connection *c;       //  suspended until done
    bool done;
    int rc;
    imvo_response_t resp;
};

typedef struct {
    void (*fn) (void *);
    void *arg;
} s_task_t;

static s_task_t s_queue [S_QUEUE];
static int s_head, s_count;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_wake = PTHREAD_COND_INITIALIZER;
static bool s_stopping;
static bool s_started;
static pthread_t s_threads [S_WORKERS];
static int s_nthreads;

//  --- each thread's clients (the workers', and an HTTP thread's when it asks at once) --------

static const char *const s_services [] = { "membership", "complaints", "scoring", "notify" };
#define S_SERVICES 4

static pthread_key_t s_clients_key;

static void
s_clients_destroy (void *arg)
{
    imvo_client_t **clients = arg;
    for (int i = 0; i < S_SERVICES; i++)
        imvo_client_destroy (&clients [i]);
    free (clients);
}

int
portal_worker_call (const char *service, const char *type, const char *key, const char *body, size_t size,
                    const portal_actor_t *actor, imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 64);
    int i = 0;
    while (i < S_SERVICES && !streq (s_services [i], service))
        i++;
    if (i == S_SERVICES)
        return -1;
    imvo_client_t **clients = pthread_getspecific (s_clients_key);
    if (!clients) {
        clients = calloc (S_SERVICES, sizeof *clients);
        assert (clients);
        pthread_setspecific (s_clients_key, clients);
    }
    if (!clients [i])
        clients [i] = imvo_client_new_gateway (service, S_TIMEOUT_MS, S_ATTEMPTS);
    if (!clients [i]) {
        imvo_error_set (&resp->err, IMVO_ERR_UNAVAILABLE, "", "%s cannot be reached", service);
        return -1;
    }
    bool password = streq (type, "account.login") || streq (type, "account.enroll") || streq (type, "account.password");
    imvo_client_set_timeout (clients [i], password ? S_PASSWORD_TIMEOUT_MS : S_TIMEOUT_MS);
    imvo_client_set_attempts (clients [i], password ? 1 : S_ATTEMPTS);
    imvo_response_release (resp);
    return actor && actor->role [0]
         ? imvo_client_call_as (clients [i], type, key, actor->role, actor->org, actor->person, body, size, resp)
         : imvo_client_call (clients [i], type, key, body, size, resp);
}

//  Asks, or gives the outcome kept for the same type and key (portal_defer_kept.c).
static void
s_ask (portal_job_t *job)
{
    job->rc = portal_defer_kept (job->service, job->type, job->key, job->body, job->size, job->as ? &job->actor : NULL,
                                 &job->resp);
}

//  --- the workers ------------------------------------------------------------------------------

static void *
s_worker (void *arg)
{
    (void) arg;
    pthread_mutex_lock (&s_lock);
    for (;;) {
        while (!s_count && !s_stopping)
            pthread_cond_wait (&s_wake, &s_lock);
        if (!s_count)
            break;                      //  stopping, and nothing left to do
        s_task_t task = s_queue [s_head];
        s_head = (s_head + 1) % S_QUEUE;
        s_count--;
        pthread_mutex_unlock (&s_lock);
        task.fn (task.arg);
        pthread_mutex_lock (&s_lock);
    }
    pthread_mutex_unlock (&s_lock);
    return NULL;
}

bool
portal_defer_run (void (*fn) (void *), void *arg)
{
    bool queued = false;
    pthread_mutex_lock (&s_lock);
    if (s_started && !s_stopping && s_count < S_QUEUE) {
        s_queue [(s_head + s_count) % S_QUEUE] = (s_task_t) { fn, arg };
        s_count++;
        queued = true;
        pthread_cond_signal (&s_wake);
    }
    pthread_mutex_unlock (&s_lock);
    return queued;
}

int
portal_defer_start (void)
{
    pthread_key_create (&s_clients_key, s_clients_destroy);
    s_started = true;
    for (s_nthreads = 0; s_nthreads < S_WORKERS; s_nthreads++)
        if (pthread_create (&s_threads [s_nthreads], NULL, s_worker, NULL))
            return -1;
    return 0;
}

void
portal_defer_stop (void)
{
    pthread_mutex_lock (&s_lock);
    s_stopping = true;
    pthread_cond_broadcast (&s_wake);
    pthread_mutex_unlock (&s_lock);
    for (int i = 0; i < s_nthreads; i++)
        pthread_join (s_threads [i], NULL);
    portal_defer_kept_clear ();
}

//  --- a request's jobs ----------------------------------------------------------------------------

static void
s_job_run (void *arg)
{
    portal_job_t *job = arg;
    s_ask (job);
    struct MHD_Connection *c = job->c;
    pthread_mutex_lock (&s_lock);
    job->done = true;
    pthread_mutex_unlock (&s_lock);
    //  The last touch of the job: once resumed, the connection may end and free it.
    MHD_resume_connection (c);
}

static portal_job_t *
s_job_new (const char *service, const char *type, const char *key, const char *body, size_t size,
           const portal_actor_t *actor)
{
    portal_job_t *job = calloc (1, sizeof *job);
    assert (job);
    snprintf (job->service, sizeof job->service, "%s", service);
    snprintf (job->type, sizeof job->type, "%s", type);
    snprintf (job->key, sizeof job->key, "%s", key ? key : "");
    if (actor) {
        job->as = true;
        job->actor = *actor;
    }
    if (size) {
        job->body = malloc (size);
        assert (job->body);
        memcpy (job->body, body, size);
        job->size = size;
    }
    return job;
}

bool
portal_defer (struct MHD_Connection *c, portal_req_t *r, const char *service, const char *type, const char *key,
              const char *body, size_t size, const portal_actor_t *actor)
{
    if (r->njobs >= PORTAL_MAX_JOBS)
        return false;
    portal_job_t *job = s_job_new (service, type, key, body, size, actor);
    job->c = c;
    //  Suspended before a worker can resume it: resuming a connection that is not suspended
    //  is undefined.
    MHD_suspend_connection (c);
    if (!portal_defer_run (s_job_run, job)) {
        MHD_resume_connection (c);
        free (job->body);
        free (job);
        return false;
    }
    r->jobs [r->njobs++] = job;
    return true;
}

int
portal_ask_now (portal_req_t *r, const char *service, const char *type, const char *key, const char *body,
                size_t size, const portal_actor_t *actor, imvo_response_t *resp)
{
    //  Through the same keeping as a worker's, so the outcome is the same either way.
    portal_job_t *job = s_job_new (service, type, key, body, size, actor);
    s_ask (job);
    job->done = true;
    int rc = portal_job_result (job, resp);
    if (r && r->njobs < PORTAL_MAX_JOBS)
        r->jobs [r->njobs++] = job;
    else
        portal_job_free (job);
    return rc;
}

int
portal_job_result (const portal_job_t *job, imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 1024);
    resp->ok = job->resp.ok;
    resp->err = job->resp.err;
    if (job->resp.ok && job->resp.body) {
        //  A copy of its own: the job keeps its reply for the next time the handler runs.
        msgpack_sbuffer packed;
        msgpack_sbuffer_init (&packed);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &packed, msgpack_sbuffer_write);
        msgpack_pack_object (&pk, *job->resp.body);
        char *copy = msgpack_zone_malloc (&resp->zone, packed.size ? packed.size : 1);
        memcpy (copy, packed.data, packed.size);
        size_t off = 0;
        if (msgpack_unpack (copy, packed.size, &off, &resp->zone, &resp->root) == MSGPACK_UNPACK_SUCCESS)
            resp->body = &resp->root;
        else {
            resp->ok = false;
            imvo_error_set (&resp->err, IMVO_ERR_INTERNAL, "", "the reply could not be copied");
        }
        sodium_memzero (packed.data, packed.size);
        msgpack_sbuffer_destroy (&packed);
    }
    return job->rc;
}

bool
portal_job_done (const portal_job_t *job)
{
    pthread_mutex_lock (&s_lock);
    bool done = job->done;
    pthread_mutex_unlock (&s_lock);
    return done;
}

void
portal_job_free (portal_job_t *job)
{
    if (!job)
        return;
    if (job->done)
        imvo_response_release (&job->resp);
    if (job->body) {
        sodium_memzero (job->body, job->size);
        free (job->body);
    }
    free (job);
}

/*  imvo_service: sets a daemon up and runs it; see imvo_service.h. The parts: imvo_loop.c
    (the main thread's poll loop; its side of the workers in imvo_loop_workers.c),
    imvo_worker.c (worker threads), imvo_dispatch.c (the checks before a handler, ping and
    stats), imvo_calls.c (parked script calls, pipelined),
    imvo_outbox.c (idempotency record, outbox commit), imvo_consumer.c (event consumers).
    Counters are C11 atomics: the one piece of state the threads share, and only for `stats`.
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"
#include "imvo_curve.h"

#include <errno.h>
#include <sys/time.h>
#include <unistd.h>


//  IMVO_CLOCK_OFFSET_S moves the daemon's clock (tests of deadlines, late submissions and
//  appeal windows); read once, and stated in the log at start.
static int64_t
s_clock_offset_ms (void)
{
    static atomic_llong offset = -1;
    static atomic_int read;
    if (!atomic_load (&read)) {
        atomic_store (&offset, (long long) imvo_env_long ("IMVO_CLOCK_OFFSET_S", 0, -3153600000L, 3153600000L) * 1000);
        atomic_store (&read, 1);
    }
    return atomic_load (&offset);
}

int64_t
imvo_now_ms (void)
{
    struct timeval tv;
    gettimeofday (&tv, NULL);
    return (int64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000 + s_clock_offset_ms ();
}

void
imvo_service_count_event_consumed (imvo_service_t *self)
{
    atomic_fetch_add (&self->events_consumed, 1);
}

void
imvo_service_count_event_failed (imvo_service_t *self)
{
    atomic_fetch_add (&self->events_failed, 1);
}

static int s_port (zsock_t *sock);

//  Says where the daemon listens once both sockets are bound (with port * the kernel chose):
//  in the log, and, when IMVO_READY_FILE is set, in that file ("requests ENDPOINT" and
//  "events ENDPOINT" lines), written to a temporary file and renamed so that a reader never
//  sees half of it. Clients may name it as IMVO_<SERVICE>_ENDPOINT=@FILE (imvo_config.h).
static void
s_report_bound (const char *name, zsock_t *frontend, zsock_t *pub)
{
    zsys_info ("%s bound: requests on %s, events on %s", name, zsock_endpoint (frontend), zsock_endpoint (pub));
    const char *path = imvo_env ("IMVO_READY_FILE", NULL);
    if (!path)
        return;
    char tmp [4096];
    snprintf (tmp, sizeof tmp, "%s.%d.tmp", path, (int) getpid ());
    FILE *f = fopen (tmp, "w");
    bool written = f && fprintf (f, "requests %s\nevents %s\n", zsock_endpoint (frontend), zsock_endpoint (pub)) > 0;
    if (f && fclose (f))
        written = false;
    if (!written || rename (tmp, path)) {
        zsys_error ("IMVO_READY_FILE: cannot write %s: %s", path, strerror (errno));
        unlink (tmp);
    }
}

//  Sets the daemon up, binds, and runs it until SIGTERM (or, as an actor, $TERM on pipe).
//  bind and events_bind override the environment's when given. As an actor it reports its
//  ports on pipe and does not wait for Redis.
static int
s_serve (const imvo_service_def_t *def, const char *bind_arg, const char *events_bind_arg, zsock_t *pipe)
{
    imvo_service_t *s = calloc (1, sizeof *s);
    assert (s);
    s->def = def;
    s->started = zclock_mono ();
    s->nworkers = (int) imvo_env_long ("IMVO_WORKERS", 4, 1, 64);
    s->batch = (int) imvo_env_long ("IMVO_BATCH", 256, 1, 4096);
    //  Unique per instance: a process may run several (tests run servers as actors).
    snprintf (s->workers_endpoint, sizeof s->workers_endpoint, "inproc://imvo-%s-workers-%p", def->name, (void *) s);
    snprintf (s->events_endpoint, sizeof s->events_endpoint, "inproc://imvo-%s-events-%p", def->name, (void *) s);
    int rc = 1;

    char bind [256], events_bind [256];
    imvo_config_bind (def->name, bind, sizeof bind);
    imvo_config_events_bind (def->name, events_bind, sizeof events_bind);
    if (bind_arg)
        snprintf (bind, sizeof bind, "%s", bind_arg);
    if (events_bind_arg)
        snprintf (events_bind, sizeof events_bind, "%s", events_bind_arg);
    zsys_info ("starting %s %s; requests on %s, events on %s", def->name, IMVO_VERSION, bind, events_bind);
    if (s_clock_offset_ms ())
        zsys_warning ("IMVO_CLOCK_OFFSET_S: the clock is moved by %lld s (tests only)",
                      (long long) s_clock_offset_ms () / 1000);
    s->curve = imvo_curve_on ();
    if (!s->curve)
        zsys_warning ("IMVO_CURVE=off: NO ENCRYPTION AND NO AUTHENTICATION; any client may claim any role "
                      "in the envelope's actor (local development and tests only)");

    //  Wait for Redis (a daemon may start before it), then run the start hook. An actor
    //  waits for nothing: without Redis its requests get unavailable.
    imvo_ctx_t main_ctx = { .service = s, .name = def->name, .state = def->state, .worker = -1 };
    main_ctx.redis = imvo_redis_new (imvo_config_redis_url ());
    if (!main_ctx.redis) {
        zsys_error ("IMVO_REDIS_URL is not a redis:// URL");
        free (s);
        return 1;
    }
    imvo_redis_add_scripts (main_ctx.redis, imvo_common_scripts);
    if (def->scripts)
        imvo_redis_add_scripts (main_ctx.redis, def->scripts);
    bool redis_up = imvo_redis_wait (main_ctx.redis, 0, NULL) == 0;
    if (!redis_up && !pipe) {
        zsys_info ("waiting for redis at %s", imvo_config_redis_url ());
        if (imvo_redis_wait (main_ctx.redis, -1, &zsys_interrupted)) {
            imvo_redis_destroy (&main_ctx.redis);
            free (s);
            return 0;
        }
        redis_up = true;
    }
    if (def->on_start && redis_up && def->on_start (&main_ctx)) {
        zsys_error ("start-up of %s failed", def->name);
        imvo_ctx_clients_destroy (&main_ctx);
        imvo_redis_destroy (&main_ctx.redis);
        free (s);
        if (pipe)
            zsock_send (pipe, "ii", -1, -1);
        return 1;
    }
    int nhandlers = 0;
    while (def->handlers && def->handlers [nhandlers].type)
        nhandlers++;
    assert (nhandlers <= IMVO_MAX_HANDLERS);    //  stats counts each type (imvo_internal.h)
    //  A field that may be longer than the socket lets a message be is a promise the daemon
    //  cannot keep: refuse to start, naming it.
    long max_msg = imvo_env_long ("IMVO_MAX_MSG_BYTES", def->max_msg_bytes ? def->max_msg_bytes : 1 << 20, 1024, 1 << 30);
    for (const imvo_handler_t *h = def->handlers; h && h->type; h++) {
        const imvo_proto_msg_t *msg = imvo_proto_find (h->type);
        for (int i = 0; msg && i < msg->nfields; i++)
            if ((msg->fields [i].kind == IMVO_F_STR || msg->fields [i].kind == IMVO_F_BIN)
            &&  msg->fields [i].max > max_msg) {
                zsys_error ("%s.%s may be %lld bytes, but IMVO_MAX_MSG_BYTES is %ld: raise it",
                            h->type, msg->fields [i].name, (long long) msg->fields [i].max, max_msg);
                imvo_ctx_clients_destroy (&main_ctx);
                imvo_redis_destroy (&main_ctx.redis);
                free (s);
                if (pipe)
                    zsock_send (pipe, "ii", -1, -1);
                return 1;
            }
    }
    //  With CURVE, only the clients whose certificates are in IMVO_CERT_DIR get in.
    bool auth_ok;
    zactor_t *auth = imvo_curve_auth_new (&auth_ok);
    zsock_t *frontend = zsock_new (ZMQ_ROUTER);
    zsock_t *backend = zsock_new (ZMQ_ROUTER);
    zsock_t *pull = zsock_new_pull (NULL);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    zsock_set_maxmsgsize (frontend, (int) max_msg);
    zsock_set_router_mandatory (frontend, 0);
    zsock_set_linger (frontend, 2000);
    zsock_set_linger (pub, 1000);
    zsock_set_sndhwm (backend, 0);
    zsock_set_rcvhwm (backend, 0);
    zsock_set_rcvhwm (pull, 0);
    zsock_set_sndhwm (pub, 100000);
    if (!auth_ok || imvo_curve_server (frontend) || imvo_curve_server (pub)) {
        if (pipe)
            zsock_send (pipe, "ii", -1, -1);
        goto cleanup;
    }
    if (zsock_bind (frontend, "%s", bind) < 0 || zsock_bind (pub, "%s", events_bind) < 0
    ||  zsock_bind (backend, "%s", s->workers_endpoint) < 0 || zsock_bind (pull, "%s", s->events_endpoint) < 0) {
        zsys_error ("cannot bind %s or %s: %s", bind, events_bind, zmq_strerror (zmq_errno ()));
        if (pipe)
            zsock_send (pipe, "ii", -1, -1);
        goto cleanup;
    }
    if (pipe)
        zsock_send (pipe, "ii", s_port (frontend), s_port (pub));
    else
        s_report_bound (def->name, frontend, pub);
    main_ctx.events = pub;              //  the loop publishes its events itself

    zactor_t *workers [64] = { NULL };
    for (int i = 0; i < s->nworkers; i++) {
        imvo_worker_args_t *a = calloc (1, sizeof *a);
        assert (a);
        a->service = s;
        a->worker = i;
        workers [i] = zactor_new (imvo_worker_actor, a);
    }
    zactor_t *consumers [8] = { NULL };
    int nconsumers = 0;
    for (const imvo_subscription_t *sub = def->subscriptions; sub && sub->source && nconsumers < 8; sub++) {
        imvo_consumer_args_t args = { s, def, sub, s->events_endpoint };
        consumers [nconsumers++] = zactor_new (imvo_consumer_actor, &args);
    }
    //  The timers and queues of the description, each actor with a context of its own.
    zactor_t *jobs [9] = { NULL };
    int njobs = 0;
    if (def->timers && def->timers [0].run) {
        imvo_jobs_args_t args = { s, def, NULL, s->events_endpoint };
        jobs [njobs++] = zactor_new (imvo_timers_actor, &args);
    }
    for (const imvo_queue_t *q = def->queues; q && q->stream && njobs < 9; q++) {
        imvo_jobs_args_t args = { s, def, q, s->events_endpoint };
        jobs [njobs++] = zactor_new (imvo_queue_actor, &args);
    }
    //  The daemon's background actor, with a context of its own.
    imvo_ctx_t background_ctx = { .service = s, .name = def->name, .state = def->state, .worker = -2 };
    zactor_t *background = NULL;
    if (def->background) {
        background_ctx.redis = imvo_redis_new (imvo_config_redis_url ());
        imvo_redis_add_scripts (background_ctx.redis, imvo_common_scripts);
        if (def->scripts)
            imvo_redis_add_scripts (background_ctx.redis, def->scripts);
        background_ctx.events = zsock_new_push (s->events_endpoint);
        background = zactor_new (def->background, &background_ctx);
    }
    zsys_info ("%s ready with %d workers on %s, events on %s", def->name, s->nworkers, zsock_endpoint (frontend),
               zsock_endpoint (pub));

    imvo_loop_run (s, &main_ctx, frontend, backend, pull, pub, pipe);
    zactor_destroy (&background);
    for (int i = 0; i < njobs; i++)
        zactor_destroy (&jobs [i]);
    imvo_ctx_clients_destroy (&background_ctx);
    zsock_destroy (&background_ctx.events);
    imvo_redis_destroy (&background_ctx.redis);
    for (int i = 0; i < nconsumers; i++)
        zactor_destroy (&consumers [i]);
    for (int i = 0; i < s->nworkers; i++)
        zactor_destroy (&workers [i]);
    while (imvo_forward (pull, pub, true))
        ;
    rc = 0;
cleanup:
    zsock_destroy (&pub);
    zsock_destroy (&pull);
    zsock_destroy (&backend);
    zsock_destroy (&frontend);
    zactor_destroy (&auth);
    imvo_ctx_clients_destroy (&main_ctx);
    imvo_redis_destroy (&main_ctx.redis);
    zsys_info ("%s stopped", def->name);
    free (s);
    return rc;
}

//  The TCP port a socket is bound to (its last endpoint), or 0.
static int
s_port (zsock_t *sock)
{
    const char *endpoint = zsock_endpoint (sock);
    const char *colon = endpoint ? strrchr (endpoint, ':') : NULL;
    return colon ? atoi (colon + 1) : 0;
}

int
imvo_service_check (const imvo_service_def_t *def, char *why, size_t size)
{
    for (const imvo_handler_t *h = def->handlers; h && h->type; h++) {
        const imvo_proto_msg_t *msg = imvo_proto_find (h->type);
        if (!msg) {
            snprintf (why, size, "%s has a handler for %s, which has no catalogue entry", def->name, h->type);
            return -1;
        }
        if (strcmp (msg->service, def->name) != 0) {
            snprintf (why, size, "%s has a handler for %s, which the catalogue gives to %s", def->name, h->type,
                      msg->service);
            return -1;
        }
    }
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++) {
            if (strcmp ((*m)->service, def->name) != 0)
                continue;
            const imvo_handler_t *h = def->handlers;
            while (h && h->type && strcmp (h->type, (*m)->type) != 0)
                h++;
            if (!h || !h->type) {
                snprintf (why, size, "the catalogue gives %s to %s, which has no handler for it", (*m)->type,
                          def->name);
                return -1;
            }
        }
    return 0;
}

int
imvo_service_run (const imvo_service_def_t *def)
{
    zsys_init ();
    zsys_set_logident (def->name);
    zsys_set_logstream (stderr);
    char why [256];
    if (imvo_service_check (def, why, sizeof why)) {
        zsys_error ("cannot start: %s", why);
        return 1;
    }
    return s_serve (def, NULL, NULL, NULL);
}

void
imvo_server_actor (zsock_t *pipe, void *args)
{
    imvo_server_args_t a = *(const imvo_server_args_t *) args;
    zsock_signal (pipe, 0);
    s_serve (a.def, a.bind, a.events_bind, pipe);
}

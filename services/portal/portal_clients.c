/*  portal_clients: how the portal asks the daemons. Each HTTP thread keeps one long-lived
    client per daemon (a DEALER socket with its CURVE session) and one Redis connection (the
    intake queue, as the Redis user `intake`), made on first use and closed when the thread
    ends: ZeroMQ sockets and hiredis contexts must not be shared between threads. A daemon that
    did not answer is not asked again for a second, and the public lists the form shows are
    kept for a moment (portal_call_cached). See portal_server.c for the threads.
*/
#include "portal.h"
#include "imvo_curve.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <pthread.h>

//  --- each HTTP thread's clients -------------------------------------------------------------

static const char *const s_services [] = { "membership", "complaints", "scoring", "notify" };
#define S_SERVICES 4

typedef struct {
    imvo_client_t *clients [S_SERVICES];    //  one per daemon, made on first use
    imvo_redis_t *redis;                    //  the intake queue, as the Redis user `intake`
} s_thread_t;

static pthread_key_t s_thread_key;

//  A daemon that did not answer is not asked again for a second (zclock_mono until when):
//  meanwhile its pages say "unavailable" at once instead of each holding an HTTP thread, and
//  every visitor that thread serves, for the whole timeout.
static _Atomic int64_t s_down_until [S_SERVICES];

//  Runs when an HTTP thread ends (libmicrohttpd joins its pool in MHD_stop_daemon).
static void
s_thread_destroy (void *arg)
{
    s_thread_t *t = arg;
    for (int i = 0; i < S_SERVICES; i++) {
        imvo_client_destroy (&t->clients [i]);
    }
    imvo_redis_destroy (&t->redis);
    free (t);
}

static s_thread_t *
s_thread (void)
{
    s_thread_t *t = pthread_getspecific (s_thread_key);
    if (!t) {
        t = calloc (1, sizeof *t);
        assert (t);
        pthread_setspecific (s_thread_key, t);
    }
    return t;
}

imvo_redis_t *
portal_redis (void)
{
    s_thread_t *t = s_thread ();
    if (!t->redis)
        t->redis = imvo_redis_new (imvo_config_redis_url ());
    return t->redis;
}

static int
s_call (const char *service, const char *type, const char *body, size_t size, int timeout_ms, int attempts,
        const portal_actor_t *actor, imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 64);
    s_thread_t *t = s_thread ();
    int i = 0;
    while (i < S_SERVICES && !streq (s_services [i], service))
        i++;
    if (i == S_SERVICES)
        return -1;
    if (zclock_mono () < s_down_until [i]) {
        imvo_error_set (&resp->err, IMVO_ERR_UNAVAILABLE, "", "%s did not answer a moment ago", service);
        return -1;
    }
    //  One client per daemon, with the portal's certificate (role gateway): as itself (the
    //  actor `gateway`) for the public pages, or for the person signed in to the staff console.
    imvo_client_t **client = &t->clients [i];
    if (!*client)
        *client = imvo_client_new_gateway (service, timeout_ms, attempts);
    if (!*client)
        return -1;
    imvo_client_set_timeout (*client, timeout_ms);
    imvo_client_set_attempts (*client, attempts);
    imvo_response_release (resp);
    int rc = actor ? imvo_client_call_as (*client, type, NULL, actor->role [0] ? actor->role : "gateway", actor->org,
                                          actor->person, body, size, resp)
                   : imvo_client_call (*client, type, NULL, body, size, resp);
    if (rc && resp->err.code == IMVO_ERR_UNAVAILABLE)
        s_down_until [i] = zclock_mono () + 1000;
    return rc;
}

int
portal_call_within (const char *service, const char *type, const char *body, size_t size, int timeout_ms,
                    int attempts, imvo_response_t *resp)
{
    return s_call (service, type, body, size, timeout_ms, attempts, NULL, resp);
}

int
portal_call_as (const char *service, const char *type, const char *body, size_t size, const portal_actor_t *actor,
                imvo_response_t *resp)
{
    return s_call (service, type, body, size, 1500, 2, actor, resp);
}

int
portal_call (const char *service, const char *type, const char *body, size_t size, imvo_response_t *resp)
{
    return portal_call_within (service, type, body, size, 1500, 2, resp);
}

int
portal_check (const char *type, const char *body, size_t size, imvo_error_t *err)
{
    memset (err, 0, sizeof *err);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object obj;
    imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
    size_t off = 0;
    int rc = 0;
    if (msgpack_unpack (body, size, &off, &zone, &obj) != MSGPACK_UNPACK_SUCCESS)
        rc = imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "", "not msgpack");
    else
        rc = imvo_proto_validate (imvo_proto_find (type), &obj, &zone, values, err);
    msgpack_zone_destroy (&zone);
    return rc;
}

//  --- public lists, kept for a moment ------------------------------------------------------

//  The covenants and a covenant's members change seldom and every form page shows them: the
//  process keeps each reply for ttl_ms, so a crowd on the form costs the daemons one request a
//  second, not one per visitor. Only public lists go here; a submit that does not find its
//  company in a kept list asks again (s_respondent), so a company that just joined is found.
#define S_CACHED 64

typedef struct {
    char *request;              //  service, type and body: what was asked
    size_t request_size;
    int64_t expires;            //  zclock_mono
    char *reply;                //  the reply's body, packed
    size_t reply_size;
} s_cached_t;

static s_cached_t s_cache [S_CACHED];
static pthread_mutex_t s_cache_lock = PTHREAD_MUTEX_INITIALIZER;

int
portal_call_cached (const char *service, const char *type, const char *body, size_t size, int ttl_ms,
                    imvo_response_t *resp)
{
    //  What was asked, as one string: service NUL type NUL body.
    size_t ns = strlen (service) + 1, nt = strlen (type) + 1, n = ns + nt + size;
    char *request = malloc (n);
    assert (request);
    memcpy (request, service, ns);
    memcpy (request + ns, type, nt);
    if (size)
        memcpy (request + ns + nt, body, size);
    int64_t now = zclock_mono ();
    bool hit = false;
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 1024);
    pthread_mutex_lock (&s_cache_lock);
    for (int i = 0; i < S_CACHED && !hit; i++) {
        s_cached_t *c = &s_cache [i];
        if (c->request && c->expires > now && c->request_size == n && memcmp (c->request, request, n) == 0) {
            size_t off = 0;
            hit = msgpack_unpack (c->reply, c->reply_size, &off, &resp->zone, &resp->root) == MSGPACK_UNPACK_SUCCESS;
        }
    }
    pthread_mutex_unlock (&s_cache_lock);
    if (hit) {
        resp->ok = true;
        resp->body = &resp->root;
        free (request);
        return 0;
    }
    imvo_response_release (resp);
    int rc = portal_call (service, type, body, size, resp);
    if (rc == 0 && resp->ok) {
        msgpack_sbuffer packed;
        msgpack_sbuffer_init (&packed);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &packed, msgpack_sbuffer_write);
        msgpack_pack_object (&pk, *resp->body);
        pthread_mutex_lock (&s_cache_lock);
        //  The same request's slot, else a free or expired one, else the one expiring first.
        int slot = 0;
        for (int i = 0; i < S_CACHED; i++) {
            s_cached_t *c = &s_cache [i];
            if (c->request && c->request_size == n && memcmp (c->request, request, n) == 0) {
                slot = i;
                break;
            }
            if (!c->request || c->expires < s_cache [slot].expires)
                slot = i;
        }
        s_cached_t *c = &s_cache [slot];
        free (c->request);
        free (c->reply);
        c->request = request;
        c->request_size = n;
        c->reply = packed.data;             //  the sbuffer's block, now the cache's
        c->reply_size = packed.size;
        c->expires = now + ttl_ms;
        request = NULL;
        pthread_mutex_unlock (&s_cache_lock);
    }
    free (request);
    return rc;
}

int
portal_ask (imvo_response_t *resp, const char *service, const char *type, const char *spec, ...)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, (uint32_t) strlen (spec));
    va_list ap;
    va_start (ap, spec);
    for (const char *t = spec; *t; t++) {
        const char *name = va_arg (ap, const char *);
        if (*t == 'i')
            imvo_pack_kv_int (&pk, name, va_arg (ap, int64_t));
        else
            imvo_pack_kv_str (&pk, name, va_arg (ap, const char *));
    }
    va_end (ap);
    int rc = portal_call (service, type, body.data, body.size, resp);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

//  The catalogue's upper bound of a request field (a string's bytes), for the forms' maxlength.
long
portal_max (const char *type, const char *field)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (type);
    for (int i = 0; msg && i < msg->nfields; i++)
        if (streq (msg->fields [i].name, field))
            return (long) msg->fields [i].max;
    assert (false);                         //  the portal names a field the catalogue lacks
    return 0;
}

void
portal_clients_init (void)
{
    pthread_key_create (&s_thread_key, s_thread_destroy);
}

void
portal_clients_destroy (void)
{
    for (int i = 0; i < S_CACHED; i++) {
        free (s_cache [i].request);
        free (s_cache [i].reply);
    }
}

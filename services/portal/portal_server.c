/*  portal_server: the HTTP server (libmicrohttpd): requests and their form fields, responses,
    language, CSRF tokens, per-address limits, the clients of the daemons, and the dispatcher.
    The pages are portal_complaint.c (the form, the receipt, following a case) and
    portal_public.c (decisions, production locations); see portal.h.

    Threads: libmicrohttpd's thread pool (IMVO_PORTAL_THREADS, default 4), each thread polling
    its own share of the connections with epoll. A page asks the daemons on the thread that
    serves it; each thread keeps one long-lived client per daemon (a DEALER socket with its
    CURVE session) and one Redis connection, made on first use and closed when the thread ends
    (ZeroMQ sockets and hiredis contexts must not be shared between threads). Nothing on an HTTP
    thread sleeps or waits for the intake queue: a submit queues the complaint and answers at
    once, and the receipt page waits suspended (portal_wait.c). So /healthz, /style.css and /metrics
    never wait behind a submit. What a thread still waits for is a daemon's reply (a fraction
    of a millisecond), and that is bounded: the public lists on the form are kept for a moment
    (portal_call_cached), and a daemon that did not answer is not asked again for a second.
    Trade-off: libmicrohttpd's pool gives each thread its own connections, so while one thread
    waits for a daemon, its share of the visitors waits with it; the others do not.

    Safety: request bodies over 64 KiB are refused; a request must arrive whole within
    IMVO_PORTAL_REQUEST_S (10 s) of its first byte, else a watchdog shuts its socket; a
    connection idle for 10 s is closed; at most IMVO_PORTAL_PER_ADDRESS connections per client
    address (64; behind a trusted proxy 1000) and 1000 in all; request line and headers must fit
    in 16 KiB (else 414 or 431) and a URL may carry at most 32 query parameters (else 414);
    every POST carries a CSRF token (an HMAC of a cookie with a key of the process), or gets
    403; a strict Content-Security-Policy and no third-party assets; receipts and the
    complainant's data travel only in POST bodies and cookies, never in a URL, and are never
    logged; per client address, 5 submissions per 10 minutes and 10 wrong receipts a minute.
*/
#include "portal.h"
#include "imvo_curve.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <pthread.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_MAX_BODY (64 * 1024)
#define S_MAX_QUERY_ARGS 32
#define S_MEMORY_LIMIT (16 * 1024)      //  per connection: the request line and headers must fit

static unsigned char s_csrf_key [crypto_auth_hmacsha256_KEYBYTES];
static char s_proxy [64];                   //  the trusted reverse proxy's address, or ""
static int64_t s_request_ms = 10000;        //  a request must arrive whole within this

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
    for (int i = 0; i < S_SERVICES; i++)
        imvo_client_destroy (&t->clients [i]);
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

int
portal_call_within (const char *service, const char *type, const char *body, size_t size, int timeout_ms,
                    int attempts, imvo_response_t *resp)
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
    if (!t->clients [i] && !(t->clients [i] = imvo_client_new_service (service, timeout_ms, attempts)))
        return -1;
    imvo_client_set_timeout (t->clients [i], timeout_ms);
    imvo_client_set_attempts (t->clients [i], attempts);
    imvo_response_release (resp);
    int rc = imvo_client_call (t->clients [i], type, NULL, body, size, resp);
    if (rc && resp->err.code == IMVO_ERR_UNAVAILABLE)
        s_down_until [i] = zclock_mono () + 1000;
    return rc;
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

//  --- per client address limits ------------------------------------------------------------

portal_limit_t portal_submits [1024], portal_misses [1024];
static pthread_mutex_t s_limits_lock = PTHREAD_MUTEX_INITIALIZER;      //  both tables

//  True when the address may go on: fewer than max events in the window (counted when count).
bool
portal_allowed (portal_limit_t *table, const char *addr, int max, int64_t window_ms, bool count)
{
    uint32_t h = 2166136261u;
    for (const char *p = addr; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    portal_limit_t *l = &table [h % 1024];
    int64_t now = zclock_mono ();
    pthread_mutex_lock (&s_limits_lock);
    if (!streq (l->addr, addr) || now - l->window_start > window_ms) {
        snprintf (l->addr, sizeof l->addr, "%s", addr);
        l->window_start = now;
        l->count = 0;
    }
    bool allowed = l->count < max;
    if (allowed && count)
        l->count++;
    pthread_mutex_unlock (&s_limits_lock);
    return allowed;
}

//  --- a request in progress ---------------------------------------------------------------

static void
s_req_free (portal_req_t *r)
{
    if (!r)
        return;
    free (r->body);
    for (int i = 0; i < r->nfields; i++) {
        free (r->names [i]);
        free (r->values [i]);
    }
    free (r);
}

static int
s_hex (char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

//  Decodes one application/x-www-form-urlencoded part in place.
static char *
s_urldecode (const char *s, size_t n)
{
    char *out = malloc (n + 1), *o = out;
    assert (out);
    for (size_t i = 0; i < n; i++) {
        if (s [i] == '+')
            *o++ = ' ';
        else
        if (s [i] == '%' && i + 2 < n && s_hex (s [i + 1]) >= 0 && s_hex (s [i + 2]) >= 0) {
            *o++ = (char) (s_hex (s [i + 1]) * 16 + s_hex (s [i + 2]));
            i += 2;
        }
        else
            *o++ = s [i];
    }
    *o = 0;
    return out;
}

static void
s_parse_form (portal_req_t *r)
{
    const char *p = r->body ? r->body : "", *end = p + r->size;
    while (p < end && r->nfields < PORTAL_MAX_FIELDS) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr (p, '=', (size_t) (stop - p));
        if (eq) {
            r->names [r->nfields] = s_urldecode (p, (size_t) (eq - p));
            r->values [r->nfields] = s_urldecode (eq + 1, (size_t) (stop - eq - 1));
            r->nfields++;
        }
        p = stop + 1;
    }
}

//  A form field, trimmed, or "" when absent.
const char *
portal_field (portal_req_t *r, const char *name)
{
    for (int i = 0; r && i < r->nfields; i++)
        if (streq (r->names [i], name)) {
            char *v = r->values [i];
            while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
                v++;
            size_t n = strlen (v);
            while (n && (v [n - 1] == ' ' || v [n - 1] == '\t' || v [n - 1] == '\n' || v [n - 1] == '\r'))
                v [--n] = 0;
            return v;
        }
    return "";
}

//  --- responses ----------------------------------------------------------------------------

enum MHD_Result
portal_send (struct MHD_Connection *c, unsigned status, const char *type, const char *data, size_t size,
        const char *cookie)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer (size, (void *) data, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header (resp, "Content-Type", type);
    MHD_add_response_header (resp, "Content-Security-Policy",
                             "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                             "frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header (resp, "Cache-Control", "no-store");
    if (cookie)
        MHD_add_response_header (resp, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response (c, status, resp);
    MHD_destroy_response (resp);
    return rc;
}

enum MHD_Result
portal_redirect (struct MHD_Connection *c, const char *location, const char *cookie)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer (0, (void *) "", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header (resp, "Location", location);
    MHD_add_response_header (resp, "Cache-Control", "no-store");
    MHD_add_response_header (resp, "Referrer-Policy", "no-referrer");
    if (cookie)
        MHD_add_response_header (resp, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response (c, MHD_HTTP_SEE_OTHER, resp);
    MHD_destroy_response (resp);
    return rc;
}

enum MHD_Result
portal_page (struct MHD_Connection *c, unsigned status, portal_buf_t *b, const char *cookie)
{
    enum MHD_Result rc = portal_send (c, status, "text/html; charset=utf-8", b->data, b->len, cookie);
    portal_buf_release (b);
    return rc;
}

//  --- language and CSRF ----------------------------------------------------------------------

static portal_lang_t
s_lang (struct MHD_Connection *c, portal_req_t *r)
{
    const char *q = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "lang");
    const char *f = portal_field (r, "lang");
    const char *chosen = *f ? f : q;
    if (chosen)
        return streq (chosen, "en") ? PORTAL_EN : PORTAL_NL;
    const char *accept = MHD_lookup_connection_value (c, MHD_HEADER_KIND, "Accept-Language");
    //  The first of nl and en the browser names; Dutch when it names neither.
    const char *nl = accept ? strstr (accept, "nl") : NULL, *en = accept ? strstr (accept, "en") : NULL;
    return en && (!nl || en < nl) ? PORTAL_EN : PORTAL_NL;
}

//  The form token: HMAC(process key, the browser's csrf cookie), hex.
void
portal_csrf_token (const char *cookie, char hex [65])
{
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256 (mac, (const unsigned char *) cookie, strlen (cookie), s_csrf_key);
    sodium_bin2hex (hex, 65, mac, sizeof mac);
}

//  The browser's csrf cookie, or a new one (then *set is the Set-Cookie header to send).
void
portal_csrf_cookie (struct MHD_Connection *c, char cookie [33], char set [128])
{
    const char *have = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "csrf");
    set [0] = 0;
    if (have && strlen (have) == 32) {
        snprintf (cookie, 33, "%s", have);
        return;
    }
    unsigned char raw [16];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (cookie, 33, raw, sizeof raw);
    snprintf (set, 128, "csrf=%s; Path=/; HttpOnly; SameSite=Strict", cookie);
}

bool
portal_csrf_ok (struct MHD_Connection *c, portal_req_t *r)
{
    const char *cookie = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "csrf");
    if (!cookie || strlen (cookie) != 32)
        return false;
    char want [65];
    portal_csrf_token (cookie, want);
    const char *got = portal_field (r, "csrf");
    return strlen (got) == 64 && sodium_memcmp (want, got, 64) == 0;
}

void
portal_hidden (portal_buf_t *b, const char *name, const char *value)
{
    portal_buf_add (b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    portal_buf_str (b, value);
    portal_buf_add (b, "\">");
}

//  --- connections: the whole-request deadline ------------------------------------------------

//  Each open connection, for the watchdog: a request must arrive whole within s_request_ms of
//  its first byte (for a kept-alive connection, of the end of the request before). A trickle
//  of one byte every few seconds keeps libmicrohttpd's idle timeout from firing, and
//  libmicrohttpd has no deadline of its own; the watchdog shuts such a socket, and
//  libmicrohttpd closes the connection as it would any other that the client dropped.
typedef struct s_conn_t {
    struct s_conn_t *prev, *next;
    int fd;                     //  the socket, valid until the CLOSED notification (under s_conns_lock)
    int64_t started;            //  when the request in progress began
    bool whole;                 //  it arrived whole and is being answered
    bool cut;                   //  the watchdog has shut its socket
} s_conn_t;

static s_conn_t *s_conns;
static pthread_mutex_t s_conns_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile bool s_watchdog_stop;

static void
s_connection (void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code)
{
    (void) cls;
    pthread_mutex_lock (&s_conns_lock);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info (c, MHD_CONNECTION_INFO_CONNECTION_FD);
        s_conn_t *conn = calloc (1, sizeof *conn);
        assert (conn);
        conn->fd = info ? info->connect_fd : -1;
        conn->started = zclock_mono ();
        conn->next = s_conns;
        if (s_conns)
            s_conns->prev = conn;
        s_conns = conn;
        *socket_context = conn;
    }
    else
    if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        //  libmicrohttpd tells us before it closes the socket: the watchdog never shuts a
        //  descriptor that has been reused.
        s_conn_t *conn = *socket_context;
        if (conn->prev)
            conn->prev->next = conn->next;
        else
            s_conns = conn->next;
        if (conn->next)
            conn->next->prev = conn->prev;
        free (conn);
        *socket_context = NULL;
    }
    pthread_mutex_unlock (&s_conns_lock);
}

//  Marks the request on c whole (answering) or, when it ended, starts the next one's clock.
static void
s_conn_mark (struct MHD_Connection *c, bool whole)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pthread_mutex_lock (&s_conns_lock);
    s_conn_t *conn = info ? info->socket_context : NULL;
    if (conn) {
        conn->whole = whole;
        if (!whole)
            conn->started = zclock_mono ();
    }
    pthread_mutex_unlock (&s_conns_lock);
}

static void *
s_watchdog (void *arg)
{
    (void) arg;
    while (!s_watchdog_stop) {
        zclock_sleep (250);
        int64_t now = zclock_mono ();
        pthread_mutex_lock (&s_conns_lock);
        for (s_conn_t *conn = s_conns; conn; conn = conn->next)
            if (!conn->whole && !conn->cut && conn->fd >= 0 && now - conn->started > s_request_ms) {
                shutdown (conn->fd, SHUT_RDWR);
                conn->cut = true;
            }
        pthread_mutex_unlock (&s_conns_lock);
    }
    return NULL;
}

//  --- the dispatcher -------------------------------------------------------------------------

//  Called with the request line, before its headers: the request's state starts here. A URL
//  with more than S_MAX_QUERY_ARGS parameters is answered 414 without looking at them.
//  libmicrohttpd (0.9.75) splits the query into the connection's memory pool right after this
//  call; a few thousand short parameters exhaust the pool, and then it neither answers nor
//  closes (the client waits for the idle timeout). So the query is cut here, in
//  libmicrohttpd's own read buffer (writable; uri points into it), and the 414 follows.
static void *
s_request_line (void *cls, const char *uri, struct MHD_Connection *c)
{
    (void) cls, (void) c;
    portal_req_t *r = calloc (1, sizeof *r);
    assert (r);
    char *q = strchr (uri, '?');
    int args = q && q [1] ? 1 : 0;
    for (const char *p = q; p && *p; p++)
        args += *p == '&' || *p == ';';
    if (args > S_MAX_QUERY_ARGS) {
        r->refuse = MHD_HTTP_URI_TOO_LONG;
        q [1] = 0;
    }
    return r;
}

static enum MHD_Result
s_text (struct MHD_Connection *c, unsigned status, const char *text)
{
    return portal_send (c, status, "text/plain; charset=utf-8", text, strlen (text), NULL);
}

static enum MHD_Result
s_route (struct MHD_Connection *c, portal_req_t *r, const char *url, bool post)
{
    if (r->refuse)
        return s_text (c, r->refuse, "too many query parameters\n");
    if (r->too_large)
        return s_text (c, MHD_HTTP_CONTENT_TOO_LARGE, "too large\n");
    //  The constant pages first: nothing they do waits for anyone.
    if (streq (url, "/healthz") && !post)
        return s_text (c, MHD_HTTP_OK, "ok\n");
    if (streq (url, "/style.css"))
        return portal_send (c, MHD_HTTP_OK, "text/css; charset=utf-8", portal_css, strlen (portal_css), NULL);
    if (post)
        s_parse_form (r);
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr [64] = "-";
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) info->client_addr)->sin_addr, addr, sizeof addr);
    else
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) info->client_addr)->sin6_addr, addr, sizeof addr);
    //  Behind the reverse proxy named by IMVO_PORTAL_TRUSTED_PROXY (its address, or its host
    //  name as resolved at start), the client is the last address it put in X-Forwarded-For.
    const char *forwarded = s_proxy [0] && streq (addr, s_proxy)
                          ? MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Forwarded-For") : NULL;
    if (forwarded) {
        const char *last = strrchr (forwarded, ',');
        last = last ? last + 1 : forwarded;
        while (*last == ' ')
            last++;
        snprintf (addr, sizeof addr, "%.63s", last);
    }
    portal_lang_t lang = s_lang (c, r);
    //  Every POST proves it comes from our own form; else 403 and, for the complaint, the
    //  form again with what was typed and a fresh token.
    if (post && !portal_csrf_ok (c, r)) {
        const char *covenant = portal_field (r, "covenant");
        if (streq (url, "/submit"))
            return portal_form (c, r, lang, portal_code_ok (covenant) ? covenant : "", portal_t (lang, T_EXPIRED),
                                MHD_HTTP_FORBIDDEN);
        portal_buf_t b;
        portal_buf_init (&b);
        portal_page_start (&b, lang, portal_t (lang, T_EXPIRED), lang == PORTAL_EN ? "/?lang=nl" : "/?lang=en");
        portal_buf_add (&b, "<p><a href=\"/?lang=%s\">%s</a></p>", lang == PORTAL_EN ? "en" : "nl",
                        portal_t (lang, T_TITLE));
        portal_page_end (&b);
        return portal_page (c, MHD_HTTP_FORBIDDEN, &b, NULL);
    }
    if (streq (url, "/metrics") && !post) {
        portal_buf_t b;
        portal_buf_init (&b);
        portal_metrics (&b);
        enum MHD_Result rc = portal_send (c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, NULL);
        portal_buf_release (&b);
        return rc;
    }
    if (streq (url, "/") && !post) {
        const char *covenant = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "covenant");
        return portal_form (c, NULL, lang, covenant && portal_code_ok (covenant) ? covenant : "", NULL, 0);
    }
    if (streq (url, "/submit") && post)
        return portal_submit (c, r, lang, addr);
    if (streq (url, "/received") && !post)
        return portal_received (c, r, lang);
    if (streq (url, "/status"))
        return portal_status (c, r, lang, addr, post);
    if (strncmp (url, "/decisions/", 11) == 0 && !post)
        return portal_decisions (c, lang, url + 11);
    if (strncmp (url, "/locations/", 11) == 0 && !post) {
        char covenant [40] = "";
        const char *slash = strchr (url + 11, '/');
        if (slash && (size_t) (slash - url - 11) < sizeof covenant) {
            memcpy (covenant, url + 11, (size_t) (slash - url - 11));
            return portal_locations (c, lang, covenant, slash + 1);
        }
    }
    return portal_not_found (c, lang);
}

static enum MHD_Result
s_handle (void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
          const char *upload, size_t *upload_size, void **con_cls)
{
    (void) cls, (void) version;
    bool post = streq (method, "POST");
    if (!*con_cls) {
        *con_cls = calloc (1, sizeof (portal_req_t));
        assert (*con_cls);
    }
    portal_req_t *r = *con_cls;
    if (!r->begun) {
        r->begun = true;
        if (!r->refuse)
            return MHD_YES;
    }
    if (post && *upload_size && !r->refuse) {
        if (r->size + *upload_size > S_MAX_BODY)
            r->too_large = true;
        else {
            r->body = realloc (r->body, r->size + *upload_size + 1);
            assert (r->body);
            memcpy (r->body + r->size, upload, *upload_size);
            r->size += *upload_size;
            r->body [r->size] = 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    s_conn_mark (c, true);
    return s_route (c, r, url, post);
}

static void
s_done (void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) code;
    s_req_free (*con_cls);
    *con_cls = NULL;
    s_conn_mark (c, false);
}

//  imvo-portal --health: 0 when the portal on IMVO_PORTAL_LISTEN serves a page (the
//  containers' health check; no shell or curl needed).
static int
s_health (const char *host, int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    if (fd < 0 || inet_pton (AF_INET, streq (host, "0.0.0.0") || streq (host, "*") ? "127.0.0.1" : host,
                             &sa.sin_addr) != 1
    ||  connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        if (fd >= 0)
            close (fd);
        return 1;
    }
    static const char req [] = "GET /healthz HTTP/1.0\r\n\r\n";
    char buf [64] = "";
    bool ok = write (fd, req, sizeof req - 1) == (ssize_t) (sizeof req - 1)
           && read (fd, buf, sizeof buf - 1) > 12 && strncmp (buf + 8, " 200", 4) == 0;
    close (fd);
    return ok ? 0 : 1;
}

int
main (int argc, char **argv)
{
    zsys_init ();
    zsys_set_logident ("portal");
    zsys_set_logstream (stderr);
    if (sodium_init () < 0)
        return 1;
    randombytes_buf (s_csrf_key, sizeof s_csrf_key);
    const char *listen = imvo_env ("IMVO_PORTAL_LISTEN", "127.0.0.1:7180");
    char host [64] = "127.0.0.1";
    const char *colon = strrchr (listen, ':');
    int port = colon ? atoi (colon + 1) : 0;
    if (colon && (size_t) (colon - listen) < sizeof host)
        snprintf (host, sizeof host, "%.*s", (int) (colon - listen), listen);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    if (port < 0 || port > 65535 || !colon || inet_pton (AF_INET, streq (host, "*") ? "0.0.0.0" : host, &sa.sin_addr) != 1) {
        zsys_error ("IMVO_PORTAL_LISTEN must be HOST:PORT (an IPv4 address), not %s", listen);
        return 1;
    }
    if (argc > 1 && streq (argv [1], "--health"))
        return s_health (host, port);
    const char *proxy = imvo_env ("IMVO_PORTAL_TRUSTED_PROXY", NULL);
    if (proxy) {
        struct addrinfo hints = { .ai_family = AF_INET }, *res = NULL;
        if (getaddrinfo (proxy, NULL, &hints, &res) == 0 && res) {
            inet_ntop (AF_INET, &((struct sockaddr_in *) res->ai_addr)->sin_addr, s_proxy, sizeof s_proxy);
            freeaddrinfo (res);
        }
        else
            zsys_warning ("IMVO_PORTAL_TRUSTED_PROXY %s does not resolve: X-Forwarded-For is ignored", proxy);
    }
    if (!imvo_curve_on ())
        zsys_warning ("IMVO_CURVE=off: the portal speaks to the daemons without CURVE (local development only)");
    //  The intake queue, as the Redis user `intake` (IMVO_REDIS_URL): XADD and XLEN only; each
    //  HTTP thread connects on first use.
    imvo_redis_t *probe = imvo_redis_new (imvo_config_redis_url ());
    if (!probe)
        zsys_warning ("IMVO_REDIS_URL is not a redis:// URL: complaints cannot be filed");
    imvo_redis_destroy (&probe);
    pthread_key_create (&s_thread_key, s_thread_destroy);
    s_request_ms = imvo_env_long ("IMVO_PORTAL_REQUEST_S", 10, 1, 3600) * 1000;
    unsigned threads = (unsigned) imvo_env_long ("IMVO_PORTAL_THREADS", 4, 1, 64);
    //  Behind a trusted proxy every visitor comes from its address: the proxy limits per client
    //  (nginx limit_conn), the portal only in all.
    unsigned per_address = (unsigned) imvo_env_long ("IMVO_PORTAL_PER_ADDRESS", s_proxy [0] ? 1000 : 64, 1, 1000);
    pthread_t watchdog;
    if (pthread_create (&watchdog, NULL, s_watchdog, NULL) || portal_wait_start ()) {
        zsys_error ("cannot start the watchdog and waiter threads");
        return 1;
    }
    struct MHD_Daemon *d = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME
                                             | MHD_USE_ERROR_LOG,
                                             (uint16_t) port, NULL, NULL, &s_handle, NULL,
                                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                             MHD_OPTION_THREAD_POOL_SIZE, threads,
                                             MHD_OPTION_URI_LOG_CALLBACK, &s_request_line, NULL,
                                             MHD_OPTION_NOTIFY_CONNECTION, &s_connection, NULL,
                                             MHD_OPTION_NOTIFY_COMPLETED, &s_done, NULL,
                                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) S_MEMORY_LIMIT,
                                             MHD_OPTION_CONNECTION_LIMIT, 1000u,
                                             MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
                                             MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!d) {
        zsys_error ("cannot listen on %s", listen);
        portal_wait_stop ();
        s_watchdog_stop = true;
        pthread_join (watchdog, NULL);
        return 1;
    }
    //  Port 0 takes a free one: the log says which (the tests read it).
    const union MHD_DaemonInfo *bound = MHD_get_daemon_info (d, MHD_DAEMON_INFO_BIND_PORT);
    zsys_info ("portal on http://%s:%u/ (IMVO_PORTAL_LISTEN), %u threads", host,
               bound ? (unsigned) bound->port : (unsigned) port, threads);
    while (!zsys_interrupted)
        zclock_sleep (200);
    //  No new connections, then no suspended ones, then stop.
    MHD_socket listening = MHD_quiesce_daemon (d);
    portal_wait_stop ();
    MHD_stop_daemon (d);
    if (listening != MHD_INVALID_SOCKET)
        close (listening);              //  quiesced: ours to close
    s_watchdog_stop = true;
    pthread_join (watchdog, NULL);
    for (int i = 0; i < S_CACHED; i++) {
        free (s_cache [i].request);
        free (s_cache [i].reply);
    }
    zsys_info ("portal stopped");
    return 0;
}

/*  portal_server: the HTTP server (libmicrohttpd): the language of a request, the dispatcher and
    main. A request's form fields and the responses are portal_http.c; CSRF tokens,
    per-address limits and the whole-request deadline are portal_guard.c.
    The clients of the daemons are portal_clients.c; the pages are portal_complaint.c (the form, the receipt, following a case) and
    portal_public.c (decisions, production locations); see portal.h.

    Threads: libmicrohttpd's thread pool (IMVO_PORTAL_THREADS, default 4), each thread polling
    its own share of the connections with epoll. A page asks the daemons on the thread that
    serves it; each thread keeps one long-lived client per daemon (a DEALER socket with its
    CURVE session) and one Redis connection, made on first use and closed when the thread ends
    (ZeroMQ sockets and hiredis contexts must not be shared between threads). Nothing on an HTTP
    thread sleeps or waits for the intake queue: a submit queues the complaint and answers at
    once, and the receipt page waits suspended (portal_wait.c); the staff console's sign-in,
    changes and export are asked on worker threads while their connection waits suspended
    (portal_defer.c). So /healthz, /style.css and /metrics
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
#include "imvo_keys.h"
#include "staff.h"

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

static char s_proxy [64];                   //  the trusted reverse proxy's address, or ""

//  --- language ----------------------------------------------------------------------------

static portal_lang_t
s_lang (struct MHD_Connection *c, portal_req_t *r)
{
    const char *q = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "lang");
    const char *f = portal_field (r, "lang");
    //  ?lang= or the form's lang, else the browser's Accept-Language (q-values), else Dutch.
    return portal_lang_choose (*f ? f : q, MHD_lookup_connection_value (c, MHD_HEADER_KIND, "Accept-Language"));
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
    if (post && !r->parsed)
        portal_req_parse (r);
    r->parsed = true;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr [64] = "-";
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) info->client_addr)->sin_addr, addr, sizeof addr);
    else
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) info->client_addr)->sin6_addr, addr, sizeof addr);
    //  Behind the reverse proxy named by IMVO_PORTAL_TRUSTED_PROXY (its address, or its host
    //  name as resolved at start), the client is the last address it put in X-Forwarded-For.
    bool from_proxy = s_proxy [0] && streq (addr, s_proxy);
    const char *forwarded = from_proxy ? MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Forwarded-For") : NULL;
    if (forwarded) {
        const char *last = strrchr (forwarded, ',');
        last = last ? last + 1 : forwarded;
        while (*last == ' ')
            last++;
        snprintf (addr, sizeof addr, "%.63s", last);
    }
    portal_lang_t lang = s_lang (c, r);
    //  The staff console (staff_*.c) checks its own forms: their CSRF token is bound to the
    //  session. Its cookie is Secure when the portal runs behind TLS: IMVO_PORTAL_TLS=1, or
    //  X-Forwarded-Proto: https from the trusted proxy.
    if (strncmp (url, "/staff", 6) == 0 && (url [6] == 0 || url [6] == '/')) {
        const char *proto = from_proxy ? MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Forwarded-Proto") : NULL;
        bool tls = streq (imvo_env ("IMVO_PORTAL_TLS", "0"), "1") || (proto && streq (proto, "https"));
        //  The console speaks Dutch and English only.
        return staff_route (c, r, url, post, lang == PORTAL_EN ? PORTAL_EN : PORTAL_NL, addr, tls);
    }
    //  Every POST proves it comes from our own form; else 403 and, for the complaint, the
    //  form again with what was typed and a fresh token.
    if (post && !portal_csrf_ok (c, r)) {
        const char *covenant = portal_field (r, "covenant");
        if (streq (url, "/submit"))
            return portal_form (c, r, lang, portal_code_ok (covenant) ? covenant : "", portal_t (lang, T_EXPIRED),
                                MHD_HTTP_FORBIDDEN);
        portal_buf_t b;
        portal_buf_init (&b);
        portal_page_start (&b, lang, portal_t (lang, T_EXPIRED), "/");
        portal_buf_add (&b, "<p><a href=\"/?lang=%s\">%s</a></p>", portal_lang_code (lang),
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
        if (post && !r->refuse)
            portal_evidence_begin (c, r, url);      //  multipart/form-data: streamed, files aside
        if (!r->refuse)
            return MHD_YES;
    }
    if (post && *upload_size && !r->refuse && portal_evidence_feed (c, r, upload, *upload_size)) {
        *upload_size = 0;
        return MHD_YES;
    }
    portal_evidence_end (r);
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
    portal_guard_mark (c, true);
    return s_route (c, r, url, post);
}

static void
s_done (void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) code;
    portal_req_free (*con_cls);
    *con_cls = NULL;
    portal_guard_mark (c, false);
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
    else {
        //  The portal speaks for persons (the staff console) and for anonymous complainants:
        //  its certificate must be a gateway's. With any other role the daemons would take every
        //  person's request as that certificate's (a service's could do what no person may).
        char role [33];
        if (imvo_curve_own_role (role, sizeof role))
            return 1;
        if (!streq (role, "gateway")) {
            zsys_error ("IMVO_CERT names role '%s': the portal needs a certificate of role gateway "
                        "(imvoctl cert new --role gateway)", role);
            return 1;
        }
    }
    //  A complainant is sealed to complaints' key before she is queued (IMVO_DATA_PUBLIC_KEY_FILE,
    //  required with CURVE): without it no complaint could be filed.
    if (!imvo_data_public_key ())
        return 1;
    //  The intake queue, as the Redis user `intake` (IMVO_REDIS_URL): XADD and XLEN only; each
    //  HTTP thread connects on first use.
    imvo_redis_t *probe = imvo_redis_new (imvo_config_redis_url ());
    if (!probe)
        zsys_warning ("IMVO_REDIS_URL is not a redis:// URL: complaints cannot be filed");
    imvo_redis_destroy (&probe);
    portal_clients_init ();
    //  The pages' languages (gettext; the locales must exist: deploy/install-deps.sh).
    imvo_i18n_init (PORTAL_DOMAIN);
    zsys_info ("translations from %s", imvo_i18n_dir ());
    unsigned threads = (unsigned) imvo_env_long ("IMVO_PORTAL_THREADS", 4, 1, 64);
    //  Behind a trusted proxy every visitor comes from its address: the proxy limits per client
    //  (nginx limit_conn), the portal only in all.
    unsigned per_address = (unsigned) imvo_env_long ("IMVO_PORTAL_PER_ADDRESS", s_proxy [0] ? 1000 : 64, 1, 1000);
    if (portal_guard_start (imvo_env_long ("IMVO_PORTAL_REQUEST_S", 10, 1, 3600) * 1000) || portal_wait_start ()
    ||  portal_defer_start () || portal_evidence_start ()) {
        zsys_error ("cannot start the watchdog and waiter threads");
        return 1;
    }
    struct MHD_Daemon *d = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME
                                             | MHD_USE_ERROR_LOG,
                                             (uint16_t) port, NULL, NULL, &s_handle, NULL,
                                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                             MHD_OPTION_THREAD_POOL_SIZE, threads,
                                             MHD_OPTION_URI_LOG_CALLBACK, &s_request_line, NULL,
                                             MHD_OPTION_NOTIFY_CONNECTION, &portal_guard_connection, NULL,
                                             MHD_OPTION_NOTIFY_COMPLETED, &s_done, NULL,
                                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) S_MEMORY_LIMIT,
                                             MHD_OPTION_CONNECTION_LIMIT, 1000u,
                                             MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
                                             MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!d) {
        zsys_error ("cannot listen on %s", listen);
        portal_wait_stop ();
        portal_defer_stop ();
        portal_evidence_stop ();
        portal_guard_stop ();
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
    portal_defer_stop ();
    portal_evidence_stop ();
    MHD_stop_daemon (d);
    if (listening != MHD_INVALID_SOCKET)
        close (listening);              //  quiesced: ours to close
    portal_guard_stop ();
    portal_clients_destroy ();
    zsys_info ("portal stopped");
    return 0;
}

/*  portal_server: the HTTP server (libmicrohttpd, one polling thread): requests and their form
    fields, responses, language, CSRF tokens, per-address limits, and the dispatcher. The pages
    are portal_complaint.c (the form, the receipt, following a case) and portal_public.c
    (decisions, production locations); see portal.h.

    Safety: request bodies over 64 KiB are refused; every form carries a CSRF token (an HMAC of
    a cookie with a key of the process); a strict Content-Security-Policy and no third-party
    assets; receipts and the complainant's data travel only in POST bodies, never in a URL, and
    are never logged; per client address, 5 submissions per 10 minutes and 10 wrong receipts a
    minute.
*/
#include "portal.h"
#include "imvo_curve.h"

#include <stdarg.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_MAX_BODY (64 * 1024)

imvo_redis_t *portal_redis;                 //  as the `intake` user: XADD to the queue only
static unsigned char s_csrf_key [crypto_auth_hmacsha256_KEYBYTES];
static char s_proxy [64];                   //  the trusted reverse proxy's address, or ""

//  --- daemons ------------------------------------------------------------------------------

int
portal_call (const char *service, const char *type, const char *body, size_t size, imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 64);
    imvo_client_t *client = imvo_client_new_service (service, 1500, 2);
    if (!client)
        return -1;
    imvo_response_release (resp);
    int rc = imvo_client_call (client, type, NULL, body, size, resp);
    imvo_client_destroy (&client);
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

//  --- per client address limits ------------------------------------------------------------

portal_limit_t portal_submits [1024], portal_misses [1024];

//  True when the address may go on: fewer than max events in the window (counted when count).
bool
portal_allowed (portal_limit_t *table, const char *addr, int max, int64_t window_ms, bool count)
{
    uint32_t h = 2166136261u;
    for (const char *p = addr; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    portal_limit_t *l = &table [h % 1024];
    int64_t now = zclock_mono ();
    if (!streq (l->addr, addr) || now - l->window_start > window_ms) {
        snprintf (l->addr, sizeof l->addr, "%s", addr);
        l->window_start = now;
        l->count = 0;
    }
    if (l->count >= max)
        return false;
    if (count)
        l->count++;
    return true;
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

//  --- the dispatcher -------------------------------------------------------------------------

static enum MHD_Result
s_handle (void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
          const char *upload, size_t *upload_size, void **con_cls)
{
    (void) cls, (void) version;
    bool post = streq (method, "POST");
    if (!*con_cls) {
        portal_req_t *r = calloc (1, sizeof *r);
        assert (r);
        *con_cls = r;
        return MHD_YES;
    }
    portal_req_t *r = *con_cls;
    if (post && *upload_size) {
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
    if (r->too_large)
        return portal_send (c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", "too large\n", 10, NULL);
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
    if (streq (url, "/style.css"))
        return portal_send (c, MHD_HTTP_OK, "text/css; charset=utf-8", portal_css, strlen (portal_css), NULL);
    if (streq (url, "/metrics") && !post) {
        portal_buf_t b;
        portal_buf_init (&b);
        portal_metrics (&b, portal_redis);
        enum MHD_Result rc = portal_send (c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, NULL);
        portal_buf_release (&b);
        return rc;
    }
    if (streq (url, "/") && !post) {
        const char *covenant = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "covenant");
        return portal_form (c, NULL, lang, covenant && portal_code_ok (covenant) ? covenant : "", NULL);
    }
    if (streq (url, "/submit") && post)
        return portal_submit (c, r, lang, addr);
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

static void
s_done (void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) c, (void) code;
    s_req_free (*con_cls);
    *con_cls = NULL;
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
    static const char req [] = "GET /style.css HTTP/1.0\r\n\r\n";
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
    if (port <= 0 || port > 65535 || inet_pton (AF_INET, streq (host, "*") ? "0.0.0.0" : host, &sa.sin_addr) != 1) {
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
    //  The intake queue, as the Redis user `intake` (IMVO_REDIS_URL): XADD and XLEN only.
    portal_redis = imvo_redis_new (imvo_config_redis_url ());
    if (!portal_redis)
        zsys_warning ("IMVO_REDIS_URL is not a redis:// URL: complaints cannot be filed");
    struct MHD_Daemon *d = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t) port,
                                             NULL, NULL, &s_handle, NULL,
                                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                             MHD_OPTION_NOTIFY_COMPLETED, &s_done, NULL,
                                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (256 * 1024),
                                             MHD_OPTION_CONNECTION_LIMIT, 256u,
                                             MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) {
        zsys_error ("cannot listen on %s", listen);
        imvo_redis_destroy (&portal_redis);
        return 1;
    }
    zsys_info ("portal on http://%s/ (IMVO_PORTAL_LISTEN)", listen);
    while (!zsys_interrupted)
        zclock_sleep (200);
    MHD_stop_daemon (d);
    imvo_redis_destroy (&portal_redis);
    zsys_info ("portal stopped");
    return 0;
}

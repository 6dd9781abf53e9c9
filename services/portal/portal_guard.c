/*  portal_guard: what keeps visitors from harming others. CSRF tokens on every form (an HMAC
    of the browser's csrf cookie with a key of the process, made at start). Per client address,
    a count of events in a window (submissions, wrong receipts); and for every connection a
    deadline for its request to arrive whole, kept by a watchdog thread. See portal_server.c
    for the limits libmicrohttpd keeps itself (connections per address and in all, header size).
*/
#include "portal.h"

#include <pthread.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <sodium.h>

static unsigned char s_csrf_key [crypto_auth_hmacsha256_KEYBYTES];

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

void
portal_guard_connection (void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code)
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
void
portal_guard_mark (struct MHD_Connection *c, bool whole)
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

static int64_t s_request_ms = 10000;        //  a request must arrive whole within this
static pthread_t s_watchdog_thread;

void
portal_guard_extend (struct MHD_Connection *c, int64_t ms)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    pthread_mutex_lock (&s_conns_lock);
    s_conn_t *conn = info ? info->socket_context : NULL;
    if (conn) {
        int64_t now = zclock_mono ();
        conn->started = conn->started + ms < now ? conn->started + ms : now;
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

int
portal_guard_start (int64_t request_ms)
{
    randombytes_buf (s_csrf_key, sizeof s_csrf_key);
    s_request_ms = request_ms;
    s_watchdog_stop = false;
    return pthread_create (&s_watchdog_thread, NULL, s_watchdog, NULL) ? -1 : 0;
}

void
portal_guard_stop (void)
{
    s_watchdog_stop = true;
    pthread_join (s_watchdog_thread, NULL);
}

/*  imvo_redis: reconnecting hiredis connection with embedded scripts; see imvo_redis.h. */
#include "imvo_redis.h"
#include "imvo_config.h"
#include "imvo_redis_internal.h"

#include <czmq.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>

//  Counts successful connects in this process. A connection that waits out its backoff
//  tries again at once when another connection (e.g. the one `ping` uses) got through:
//  once Redis answers one thread, it answers all of them.
static atomic_ulong s_epoch;

//  redis://[[user]:password@]host[:port][/db]
static int
s_parse_url (imvo_redis_t *self, const char *url)
{
    if (strncmp (url, "redis://", 8) != 0)
        return -1;
    const char *p = url + 8;
    const char *at = strrchr (p, '@');
    if (at) {
        const char *colon = memchr (p, ':', (size_t) (at - p));
        if (colon) {
            snprintf (self->user, sizeof self->user, "%.*s", (int) (colon - p), p);
            snprintf (self->password, sizeof self->password, "%.*s", (int) (at - colon - 1), colon + 1);
        }
        else
            snprintf (self->password, sizeof self->password, "%.*s", (int) (at - p), p);
        p = at + 1;
    }
    const char *slash = strchr (p, '/');
    size_t hostlen = slash ? (size_t) (slash - p) : strlen (p);
    char hostport [256];
    if (hostlen == 0 || hostlen >= sizeof hostport)
        return -1;
    memcpy (hostport, p, hostlen);
    hostport [hostlen] = 0;
    char *colon = strrchr (hostport, ':');
    self->port = 6379;
    if (colon) {
        *colon = 0;
        self->port = atoi (colon + 1);
        if (self->port <= 0 || self->port > 65535)
            return -1;
    }
    snprintf (self->host, sizeof self->host, "%s", hostport);
    self->db = slash && slash [1] ? atoi (slash + 1) : 0;
    return 0;
}

imvo_redis_t *
imvo_redis_new (const char *url)
{
    imvo_redis_t *self = calloc (1, sizeof *self);
    assert (self);
    if (s_parse_url (self, url)) {
        free (self);
        return NULL;
    }
    self->timeout_ms = imvo_env_long ("IMVO_REDIS_TIMEOUT_MS", 2000, 10, 600000);
    self->backoff_ms = 100;
    self->cluster = imvo_cluster_new (self);       //  NULL unless IMVO_REDIS_CLUSTER=on or WAIT
    return self;
}

void
imvo_redis_destroy (imvo_redis_t **self_p)
{
    if (*self_p) {
        imvo_cluster_destroy (&(*self_p)->cluster);
        if ((*self_p)->ctx)
            redisFree ((*self_p)->ctx);
        free (*self_p);
        *self_p = NULL;
    }
}

void
imvo_redis_add_scripts (imvo_redis_t *self, const imvo_script_t *scripts)
{
    assert (self->ntables < S_MAX_TABLES);
    self->tables [self->ntables++] = scripts;
    if (self->cluster)
        imvo_cluster_add_scripts (self, scripts);
}

//  Finds a script by name: its flat index (for shas) and entry.
const imvo_script_t *
imvo_redis_script (imvo_redis_t *self, const char *name, int *index)
{
    int flat = 0;
    for (int t = 0; t < self->ntables; t++)
        for (const imvo_script_t *s = self->tables [t]; s->name; s++, flat++)
            if (strcmp (s->name, name) == 0) {
                *index = flat;
                return s;
            }
    return NULL;
}

void
imvo_redis_drop (imvo_redis_t *self, const char *why)
{
    if (!self->down_logged)
        zsys_warning ("redis %s:%d unreachable (%s); retrying with backoff",
                      self->host, self->port, why);
    self->down_logged = true;
    if (self->ctx)
        redisFree (self->ctx);
    self->ctx = NULL;
    self->next_attempt = zclock_mono () + self->backoff_ms;
    self->backoff_ms = self->backoff_ms * 2 > 1000 ? 1000 : self->backoff_ms * 2;
    self->pending = 0;
    self->epoch_seen = atomic_load (&s_epoch);
}

static int
s_load (imvo_redis_t *self, const imvo_script_t *script, int index)
{
    char *text = imvo_lua_pruned (script->source);
    redisReply *r = redisCommand (self->ctx, "SCRIPT LOAD %s", text);
    free (text);
    if (!r) {
        imvo_redis_drop (self, self->ctx->errstr);
        return -1;
    }
    int rc = -1;
    if (r->type == REDIS_REPLY_STRING && r->len == 40) {
        memcpy (self->shas [index], r->str, 41);
        rc = 0;
    }
    else
        zsys_error ("redis: cannot load script %s: %s", script->name,
                    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    freeReplyObject (r);
    return rc;
}

//  Sends a command on a fresh context during setup; 0 when it did not fail.
static int
s_setup_cmd (imvo_redis_t *self, redisReply *r, const char *what)
{
    if (!r) {
        imvo_redis_drop (self, self->ctx->errstr);
        return -1;
    }
    int rc = r->type == REDIS_REPLY_ERROR ? -1 : 0;
    if (rc) {
        zsys_error ("redis: %s failed: %s", what, r->str);
        freeReplyObject (r);
        imvo_redis_drop (self, what);
        return -1;
    }
    freeReplyObject (r);
    return 0;
}

//  True when the idle connection has something to read: between commands that can only be
//  the peer closing it (Redis restarted) or an error. Checked before each command so a
//  stale connection is replaced before use instead of failing one request.
static bool
s_stale (imvo_redis_t *self)
{
    struct pollfd p = { .fd = self->ctx->fd, .events = POLLIN };
    return poll (&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR));
}

int
imvo_redis_ensure (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_ensure (self);
    if (self->ctx && self->pending == 0 && s_stale (self)) {
        zsys_info ("redis %s:%d closed the connection; reconnecting", self->host, self->port);
        redisFree (self->ctx);
        self->ctx = NULL;
        self->next_attempt = 0;
    }
    if (self->ctx)
        return 0;
    unsigned long epoch = atomic_load (&s_epoch);
    if (zclock_mono () < self->next_attempt && epoch == self->epoch_seen)
        return -1;
    self->epoch_seen = epoch;
    struct timeval tv = { self->timeout_ms / 1000, (self->timeout_ms % 1000) * 1000 };
    self->ctx = redisConnectWithTimeout (self->host, self->port, tv);
    if (!self->ctx || self->ctx->err) {
        imvo_redis_drop (self, self->ctx ? self->ctx->errstr : "out of memory");
        return -1;
    }
    //  hiredis 0.14 forgets none of these on its own, but a new context starts bare:
    //  apply them again on every connect.
    redisSetTimeout (self->ctx, tv);
    redisEnableKeepAlive (self->ctx);
    if (self->password [0]) {
        redisReply *r = self->user [0]
            ? redisCommand (self->ctx, "AUTH %s %s", self->user, self->password)
            : redisCommand (self->ctx, "AUTH %s", self->password);
        if (s_setup_cmd (self, r, "AUTH"))
            return -1;
    }
    if (self->db && s_setup_cmd (self, redisCommand (self->ctx, "SELECT %d", self->db), "SELECT"))
        return -1;
    int flat = 0;
    for (int t = 0; t < self->ntables; t++)
        for (const imvo_script_t *s = self->tables [t]; s->name; s++, flat++) {
            assert (flat < S_MAX_SCRIPTS);
            if (s_load (self, s, flat)) {
                if (self->ctx) {
                    redisFree (self->ctx);
                    self->ctx = NULL;
                }
                self->next_attempt = zclock_mono () + 1000;
                return -1;
            }
        }
    if (self->async) {
        //  Set up blocking (above), then hand the socket to the poll loop.
        int flags = fcntl (self->ctx->fd, F_GETFL);
        if (flags < 0 || fcntl (self->ctx->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            imvo_redis_drop (self, "cannot make the socket non-blocking");
            return -1;
        }
        self->ctx->flags &= ~REDIS_BLOCK;
    }
    if (self->down_logged)
        zsys_info ("redis %s:%d reachable again", self->host, self->port);
    self->down_logged = false;
    self->backoff_ms = 100;
    self->connects++;
    self->pending = 0;
    self->epoch_seen = atomic_fetch_add (&s_epoch, 1) + 1;
    return 0;
}

int
imvo_redis_probe (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_probe (self);
    if (!self->ctx)
        self->next_attempt = 0;
    return imvo_redis_ensure (self);
}

bool
imvo_redis_connected (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_connected (self);
    return self->ctx != NULL;
}

int
imvo_redis_wait (imvo_redis_t *self, long timeout_ms, volatile int *stop)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    while (imvo_redis_ensure (self)) {
        if ((timeout_ms >= 0 && zclock_mono () >= deadline) || (stop && *stop))
            return -1;
        int64_t wait = self->next_attempt - zclock_mono ();
        zclock_sleep ((int) (wait > 0 ? (wait < 200 ? wait : 200) : 10));
    }
    return 0;
}

//  Checks a reply from the live context; drops the context on I/O errors.
static redisReply *
s_checked (imvo_redis_t *self, redisReply *r)
{
    if (!r)
        imvo_redis_drop (self, self->ctx->errstr [0] ? self->ctx->errstr : "no reply");
    return r;
}

redisReply *
imvo_redis_cmd (imvo_redis_t *self, const char *fmt, ...)
{
    va_list ap;
    if (self->cluster) {
        va_start (ap, fmt);
        redisReply *r = imvo_cluster_vcmd (self, fmt, ap);
        va_end (ap);
        return r;
    }
    if (imvo_redis_ensure (self))
        return NULL;
    va_start (ap, fmt);
    redisReply *r = redisvCommand (self->ctx, fmt, ap);
    va_end (ap);
    return s_checked (self, r);
}

redisReply *
imvo_redis_argv (imvo_redis_t *self, const imvo_args_t *args)
{
    if (self->cluster)
        return imvo_cluster_argv (self, args);
    if (imvo_redis_ensure (self))
        return NULL;
    return s_checked (self, redisCommandArgv (self->ctx, args->argc, args->argv, args->lens));
}

redisReply *
imvo_redis_write_argv (imvo_redis_t *self, const imvo_args_t *args)
{
    if (self->cluster)
        return imvo_cluster_write_argv (self, args);
    redisReply *r = imvo_redis_argv (self, args);
    if (self->wait_replicas > 0 && r && r->type != REDIS_REPLY_ERROR)
        r = imvo_redis_after_write (self, r);       //  IMVO_REDIS_WAIT_REPLICAS
    return r;
}

redisReply *
imvo_redis_eval (imvo_redis_t *self, const char *script,
                 const imvo_args_t *keys, const imvo_args_t *args)
{
    if (self->cluster)
        return imvo_cluster_eval (self, script, keys, args);
    int index = -1;
    const imvo_script_t *entry = imvo_redis_script (self, script, &index);
    assert (entry);                     //  a script name is a programming constant
    imvo_args_t all;
    imvo_args_init (&all);
    imvo_args_str (&all, "EVALSHA");
    imvo_args_add (&all, self->shas [index], 40);
    int nkeys = keys ? keys->argc : 0;
    imvo_args_fmt (&all, "%d", nkeys);
    for (int i = 0; i < nkeys; i++)
        imvo_args_add (&all, keys->argv [i], keys->lens [i]);
    for (int i = 0; args && i < args->argc; i++)
        imvo_args_add (&all, args->argv [i], args->lens [i]);
    redisReply *r = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (imvo_redis_ensure (self))
            break;
        all.argv [1] = self->shas [index];      //  a reconnect may have reloaded it
        r = s_checked (self, redisCommandArgv (self->ctx, all.argc, all.argv, all.lens));
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject (r);
            r = NULL;
            if (s_load (self, entry, index))
                break;
            continue;
        }
        break;
    }
    imvo_args_release (&all);
    if (self->wait_replicas > 0 && r && r->type != REDIS_REPLY_ERROR && imvo_redis_script_writes (self, index))
        r = imvo_redis_after_write (self, r);       //  IMVO_REDIS_WAIT_REPLICAS
    return r;
}

int
imvo_redis_fail (redisReply *r, imvo_reply_t *reply)
{
    if (!r)
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "", "the data store is unreachable; try again shortly");
    if (r->type == REDIS_REPLY_ERROR) {
        //  "code|field|message" from a script, possibly behind Redis's own prefix.
        const char *s = r->str;
        const char *bar1 = strchr (s, '|');
        const char *bar2 = bar1 ? strchr (bar1 + 1, '|') : NULL;
        if (bar2) {
            const char *code = s;
            const char *space = memchr (s, ' ', (size_t) (bar1 - s));
            if (space)
                code = space + 1;
            imvo_err_t c = imvo_err_from_name (code, (size_t) (bar1 - code));
            char field [96];
            snprintf (field, sizeof field, "%.*s", (int) (bar2 - bar1 - 1), bar1 + 1);
            const char *msg = bar2 + 1;
            //  Redis appends " script: <sha>, on @user_script:..." to script errors.
            const char *tail = strstr (msg, " script: ");
            int mlen = tail ? (int) (tail - msg) : (int) strlen (msg);
            return imvo_reply_fail (reply, c, field, "%.*s", mlen, msg);
        }
        if (strncmp (s, "NOREPLICAS", 10) == 0)
            return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "",
                                    "the write is not yet confirmed by enough replicas; it may have been saved, "
                                    "and a retry with the same idempotency key is safe");
        if (strncmp (s, "MOVED ", 6) == 0 || strncmp (s, "ASK ", 4) == 0)
            return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "", "the data store is moving this data; try again shortly");
        if (strncmp (s, "BUSY", 4) == 0)
            return imvo_reply_fail (reply, IMVO_ERR_BUSY, "", "the data store is busy; try again shortly");
        if (strncmp (s, "LOADING", 7) == 0 || strncmp (s, "MASTERDOWN", 10) == 0
        ||  strncmp (s, "CLUSTERDOWN", 11) == 0 || strncmp (s, "TRYAGAIN", 8) == 0
        ||  strncmp (s, "READONLY", 8) == 0 || strncmp (s, "MISCONF", 7) == 0)
            return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "", "the data store cannot take writes now; try again shortly");
        zsys_error ("redis error: %s", s);
    }
    return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unexpected answer from the data store");
}

int
imvo_redis_fail_free (redisReply *r, imvo_reply_t *reply)
{
    int rc = imvo_redis_fail (r, reply);
    if (r)
        freeReplyObject (r);
    return rc;
}

int
imvo_redis_packed_reply (redisReply *r, imvo_reply_t *reply)
{
    int rc = 0;
    if (r && r->type == REDIS_REPLY_STRING)
        imvo_reply_raw (reply, r->str, r->len);
    else
        rc = imvo_redis_fail (r, reply);
    if (r)
        freeReplyObject (r);
    return rc;
}

size_t
imvo_redis_connects (imvo_redis_t *self)
{
    if (self->cluster)
        return imvo_cluster_connects (self);
    return self->connects;
}

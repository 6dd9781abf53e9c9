/*  imvo_redis_cluster_commands: what the cluster router (imvo_redis_cluster.c) reads of a
    command and of its reply: the slot of its first key, a MOVED or ASK redirection, whether a
    script writes (and so is followed by WAIT when IMVO_REDIS_WAIT_REPLICAS asks for it), and
    WAIT itself after a write on one connection.
*/
#include "imvo_redis.h"
#include "imvo_redis_internal.h"
#include "imvo_redis_cluster_internal.h"

#include <czmq.h>
#include <strings.h>

//  CRC16-CCITT (XMODEM), as the cluster specification gives it.
static uint16_t
s_crc16 (const char *buf, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t) ((unsigned char) buf [i] << 8);
        for (int b = 0; b < 8; b++)
            crc = crc & 0x8000 ? (uint16_t) ((crc << 1) ^ 0x1021) : (uint16_t) (crc << 1);
    }
    return crc;
}

int
cluster_keyslot (const char *key, size_t len)
{
    const char *open = memchr (key, '{', len);
    if (open) {
        size_t before = (size_t) (open - key);
        const char *close = memchr (open + 1, '}', len - before - 1);
        if (close && close > open + 1) {
            key = open + 1;
            len = (size_t) (close - open - 1);
        }
    }
    return s_crc16 (key, len) & (S_SLOTS - 1);
}

static bool
s_is (const char *word, size_t len, const char *name)
{
    return len == strlen (name) && strncasecmp (word, name, len) == 0;
}

//  The argument that holds a command's first key, or -1 when it has none.
static int
s_key_index (int argc, const char *const *argv, const size_t *lens)
{
    if (argc < 2)
        return -1;
    const char *c = argv [0];
    size_t n = lens [0];
    if (s_is (c, n, "EVALSHA") || s_is (c, n, "EVAL") || s_is (c, n, "EVALSHA_RO") || s_is (c, n, "EVAL_RO")
    ||  s_is (c, n, "FCALL") || s_is (c, n, "FCALL_RO"))
        return argc > 3 && lens [2] > 0 && argv [2][0] != '0' ? 3 : -1;
    if (s_is (c, n, "XREAD") || s_is (c, n, "XREADGROUP")) {
        for (int i = 1; i + 1 < argc; i++)
            if (s_is (argv [i], lens [i], "STREAMS"))
                return i + 1;
        return -1;
    }
    if (s_is (c, n, "XGROUP") || s_is (c, n, "XINFO") || s_is (c, n, "OBJECT") || s_is (c, n, "MEMORY"))
        return argc > 2 ? 2 : -1;
    static const char *keyless [] = {
        "PING", "SCAN", "INFO", "DBSIZE", "TIME", "CLUSTER", "SCRIPT", "CONFIG", "WAIT", "ASKING",
        "FLUSHALL", "FLUSHDB", "KEYS", "RANDOMKEY", "CLIENT", "COMMAND", "ACL", "SLOWLOG", "LATENCY",
        "DEBUG", "ECHO", "AUTH", "HELLO", "SELECT", "PUBLISH", "LASTSAVE", "SAVE", "BGSAVE",
        "BGREWRITEAOF", "ROLE", "FUNCTION", "READONLY", "READWRITE", NULL
    };
    for (const char **k = keyless; *k; k++)
        if (s_is (c, n, *k))
            return -1;
    return 1;
}

int
cluster_args_slot (const imvo_args_t *a)
{
    int k = s_key_index (a->argc, a->argv, a->lens);
    return k < 0 ? -1 : cluster_keyslot (a->argv [k], a->lens [k]);
}

//  A MOVED or ASK error: its slot, and the node it names ("" host: the answering node's).
bool
cluster_redirect (const redisReply *r, bool *ask, int *slot, char *host, size_t hostsz, int *port)
{
    if (!r || r->type != REDIS_REPLY_ERROR)
        return false;
    const char *p;
    if (strncmp (r->str, "MOVED ", 6) == 0) {
        *ask = false;
        p = r->str + 6;
    }
    else
    if (strncmp (r->str, "ASK ", 4) == 0) {
        *ask = true;
        p = r->str + 4;
    }
    else
        return false;
    char *end;
    long s = strtol (p, &end, 10);
    if (*end != ' ' || s < 0 || s >= S_SLOTS)
        return false;
    const char *hp = end + 1;
    const char *colon = strrchr (hp, ':');
    if (!colon)
        return false;
    snprintf (host, hostsz, "%.*s", (int) (colon - hp), hp);
    *port = atoi (colon + 1);
    *slot = (int) s;
    return *port > 0;
}

bool
imvo_redis_redirected (const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR
        && (strncmp (r->str, "MOVED ", 6) == 0 || strncmp (r->str, "ASK ", 4) == 0);
}

redisReply *
imvo_redis_error_reply (const char *message)
{
    redisReply *r = calloc (1, sizeof *r);
    assert (r);
    r->type = REDIS_REPLY_ERROR;
    r->str = strdup (message);
    assert (r->str);
    r->len = strlen (message);
    return r;
}

//  ---------------------------------------------------------------------------------------
//  Which scripts write

bool
imvo_redis_script_writes (imvo_redis_t *self, int index)
{
    assert (index >= 0 && index < S_MAX_SCRIPTS);
    if (self->writes [index])
        return self->writes [index] == 1;
    //  Every script starts with the same prelude: what follows the longest prefix shared
    //  with another script (cut back to a line) is the script's own text.
    const imvo_script_t *mine = NULL, *other = NULL;
    int flat = 0;
    for (int t = 0; t < self->ntables; t++)
        for (const imvo_script_t *s = self->tables [t]; s->name; s++, flat++) {
            if (flat == index)
                mine = s;
            else
            if (!other)
                other = s;
        }
    assert (mine);
    size_t shared = 0;
    if (other)
        while (mine->source [shared] && mine->source [shared] == other->source [shared])
            shared++;
    while (shared > 0 && mine->source [shared - 1] != '\n')
        shared--;
    const char *body = mine->source + shared;
    static const char *writers [] = {
        "imvo_commit", "imvo_emit", "imvo_limited_hget",
        "SET", "SETEX", "PSETEX", "SETNX", "GETDEL", "APPEND", "DEL", "UNLINK", "RENAME", "EXPIRE",
        "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST", "INCR", "INCRBY", "DECR", "DECRBY", "HSET",
        "HMSET", "HSETNX", "HDEL", "HINCRBY", "SADD", "SREM", "SMOVE", "ZADD", "ZREM", "ZINCRBY",
        "ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZPOPMIN", "ZPOPMAX", "LPUSH", "RPUSH", "LPOP", "RPOP",
        "LTRIM", "LSET", "LREM", "XADD", "XDEL", "XTRIM", "XACK", "XCLAIM", "XAUTOCLAIM", "XGROUP",
        "XREADGROUP", "COPY", "RESTORE", NULL
    };
    bool writes = false;
    for (const char **w = writers; *w && !writes; w++) {
        char quoted [40];
        if (strncmp (*w, "imvo_", 5) == 0)
            writes = strstr (body, *w) != NULL;
        else {
            snprintf (quoted, sizeof quoted, "'%s'", *w);
            writes = strstr (body, quoted) != NULL;
            snprintf (quoted, sizeof quoted, "\"%s\"", *w);
            writes = writes || strstr (body, quoted) != NULL;
        }
    }
    self->writes [index] = writes ? 1 : 2;
    return writes;
}

redisReply *
imvo_redis_after_write (imvo_redis_t *self, redisReply *r)
{
    if (!self->ctx)
        return r;
    redisReply *w = redisCommand (self->ctx, "WAIT %d %ld", self->wait_replicas, self->wait_ms);
    if (!w) {
        imvo_redis_drop (self, self->ctx->errstr [0] ? self->ctx->errstr : "no reply to WAIT");
        freeReplyObject (r);
        return NULL;
    }
    long long acks = w->type == REDIS_REPLY_INTEGER ? w->integer : -1;
    if (w->type == REDIS_REPLY_ERROR)
        zsys_error ("redis: WAIT failed: %s", w->str);
    freeReplyObject (w);
    if (acks >= self->wait_replicas)
        return r;
    freeReplyObject (r);
    return imvo_redis_error_reply ("NOREPLICAS the write is not confirmed by enough replicas in time");
}

/*  imvo_audit: the audit trail the runtime keeps for every daemon; see imvo_service.h
    (imvo_audit_mark) and docs/ARCHITECTURE.md ("The audit trail").

    After an ok reply to a message that changes something (its catalogue entry keeps an
    idempotency key) or that its handler marked, the runtime appends one entry to the
    daemon's own stream: who (person, role, org), what (action, target), where (covenant) and
    when (at, the daemon's clock). The entry is made of the envelope's actor, the message type
    (or the handler's action) and a few id fields of the body or the reply, never anything
    else: no password, token, receipt or text reaches the audit.

    Here the entry becomes Redis commands; the caller sends them on the connection it already
    has (the poll loop appends them to its pipeline and does not wait for them; a worker sends
    a batch's entries in one pipeline before the batch's replies go out).
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"

#include <pthread.h>

//  The fields a target is taken from, in order: the request's, then the reply's (the case
//  complaint.submit filed, the org org.register made), and only then a covenant (a
//  framework's). Never receipt: a receipt is the complainant's key to the case, the audit
//  names the case instead.
static const char *const s_target_fields [] = {
    "case_id", "org_id", "username", "flag_id", "round_id", "appeal_id", "location_id", NULL };

void
imvo_audit_mark (imvo_reply_t *reply, const char *action, const char *target)
{
    assert (reply && action && *action);
    snprintf (reply->audit, sizeof reply->audit, "%s", action);
    snprintf (reply->audit_target, sizeof reply->audit_target, "%s", target ? target : "");
}

bool
imvo_audit_wanted (const imvo_request_t *req, const imvo_reply_t *reply)
{
    if (reply->err.code != IMVO_ERR_NONE)
        return false;
    if (reply->audit [0])
        return true;
    const imvo_proto_msg_t *msg = req->type [0] ? imvo_proto_find (req->type) : NULL;
    return msg && msg->idem_ttl > 0;
}

//  The string value of name in map when it is an id (printable ASCII, no spaces) that fits.
static bool
s_id_field (const msgpack_object *map, const char *name, char *buf, size_t size)
{
    const msgpack_object *v = map ? imvo_map_get (map, name) : NULL;
    return v && imvo_obj_strcpy (v, buf, size) == 0 && buf [0]
        && imvo_proto_format_ok (IMVO_FMT_ID, buf, strlen (buf));
}

//  The covenant a map names: its covenant, else its case_id's.
static bool
s_covenant (const msgpack_object *map, char *buf, size_t size)
{
    char case_id [97];
    if (s_id_field (map, "covenant", buf, size) && imvo_proto_format_ok (IMVO_FMT_CODE, buf, strlen (buf)))
        return true;
    return s_id_field (map, "case_id", case_id, sizeof case_id)
        && imvo_case_id_covenant (case_id, buf, size) == 0
        && imvo_proto_format_ok (IMVO_FMT_CODE, buf, strlen (buf));
}

//  Streams whose registration (SADD to imvo:<daemon>:{audit}:streams) Redis confirmed, so
//  that an entry costs one XADD and not two; per process, like imvo_outbox.c's registry.
static struct {
    pthread_mutex_t lock;
    char *names [1024];
    int count;
} s_known = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool
s_known_has (const char *stream)
{
    pthread_mutex_lock (&s_known.lock);
    bool known = false;
    for (int i = 0; i < s_known.count && !known; i++)
        known = streq (s_known.names [i], stream);
    pthread_mutex_unlock (&s_known.lock);
    return known;
}

//  Bigger reply bodies are not read for a target (a year's list): the request named it.
#define S_REPLY_PEEK_MAX 65536

int
imvo_audit_cmds (const char *service, const imvo_request_t *req, const imvo_reply_t *reply, imvo_args_t *cmds)
{
    static atomic_long maxlen;
    if (!atomic_load (&maxlen))
        atomic_store (&maxlen, imvo_env_long ("IMVO_AUDIT_MAXLEN", IMVO_AUDIT_MAXLEN, 1000, 100000000L));
    //  The reply is read only when the request leaves the target or the covenant open.
    msgpack_zone zone;
    msgpack_object body = { .type = MSGPACK_OBJECT_NIL };
    bool unpacked = false;
    char target [97] = "", covenant [IMVO_AUDIT_COVENANT_MAX + 1] = "";
    snprintf (target, sizeof target, "%s", reply->audit_target);
    for (const char *const *f = s_target_fields; !target [0] && *f; f++)
        s_id_field (req->body, *f, target, sizeof target);
    bool has_covenant = s_covenant (req->body, covenant, sizeof covenant);
    bool unpack = !target [0] || !has_covenant;
    if (unpack && reply->body.size && reply->body.size <= S_REPLY_PEEK_MAX) {
        msgpack_zone_init (&zone, 1024);
        unpacked = true;
        const char *why;
        if (imvo_msg_unpack (reply->body.data, reply->body.size, &zone, &body, &why) == 0) {
            for (const char *const *f = s_target_fields; !target [0] && *f; f++)
                s_id_field (&body, *f, target, sizeof target);
            if (!has_covenant)
                has_covenant = s_covenant (&body, covenant, sizeof covenant);
        }
    }
    if (!target [0] && !s_id_field (req->body, "covenant", target, sizeof target))
        s_id_field (&body, "covenant", target, sizeof target);
    if (!has_covenant)
        covenant [0] = 0;
    imvo_args_t *xadd = &cmds [0];
    imvo_args_init (xadd);
    imvo_args_str (xadd, "XADD");
    imvo_args_fmt (xadd, "imvo:%s:{%s}:audit", service, covenant [0] ? covenant : IMVO_AUDIT_NO_COVENANT);
    imvo_args_str (xadd, "MAXLEN");
    imvo_args_str (xadd, "~");
    imvo_args_fmt (xadd, "%ld", (long) atomic_load (&maxlen));
    imvo_args_str (xadd, "*");
    imvo_args_str (xadd, "at");
    imvo_args_fmt (xadd, "%lld", (long long) imvo_now_ms ());
    const char *fields [][2] = {
        { "person", req->person }, { "role", req->role }, { "org", req->org },
        { "action", reply->audit [0] ? reply->audit : req->type }, { "target", target }, { "covenant", covenant },
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++) {
        imvo_args_str (xadd, fields [i][0]);
        imvo_args_fmt (xadd, "%s", fields [i][1]);
    }
    if (unpacked)
        msgpack_zone_destroy (&zone);
    if (s_known_has (xadd->argv [1]))
        return 1;
    imvo_args_t *sadd = &cmds [1];
    imvo_args_init (sadd);
    imvo_args_str (sadd, "SADD");
    imvo_args_fmt (sadd, "imvo:%s:{%s}:streams", service, IMVO_AUDIT_NO_COVENANT);
    imvo_args_fmt (sadd, "%.*s", (int) xadd->lens [1], xadd->argv [1]);
    return 2;
}

void
imvo_audit_settle (const imvo_args_t *cmd, const redisReply *r)
{
    bool ok = r && r->type != REDIS_REPLY_ERROR;
    if (!ok) {
        zsys_warning ("audit: %.*s %.*s failed (%s): an entry is missing", (int) cmd->lens [0], cmd->argv [0],
                      (int) cmd->lens [1], cmd->argv [1], r ? r->str : "redis unreachable");
        return;
    }
    if (cmd->lens [0] != 4 || memcmp (cmd->argv [0], "SADD", 4))
        return;
    char *stream = strndup (cmd->argv [2], cmd->lens [2]);
    assert (stream);
    pthread_mutex_lock (&s_known.lock);
    bool known = false;
    for (int i = 0; i < s_known.count && !known; i++)
        known = streq (s_known.names [i], stream);
    if (!known && s_known.count < 1024) {
        s_known.names [s_known.count++] = stream;
        stream = NULL;
    }
    pthread_mutex_unlock (&s_known.lock);
    free (stream);
}

void
imvo_audit_run (imvo_ctx_t *ctx, imvo_args_t *cmds, size_t n)
{
    if (n == 0)
        return;
    redisReply **replies = calloc (n, sizeof *replies);
    assert (replies);
    imvo_redis_run_all (ctx->redis, cmds, n, replies);
    for (size_t i = 0; i < n; i++) {
        imvo_audit_settle (&cmds [i], replies [i]);
        if (replies [i])
            freeReplyObject (replies [i]);
        imvo_args_release (&cmds [i]);
    }
    free (replies);
}

void
imvo_audit_record (imvo_ctx_t *ctx, const imvo_request_t *reqs, const imvo_reply_t *replies, size_t n)
{
    imvo_args_t *cmds = calloc (2 * n + 1, sizeof *cmds);
    assert (cmds);
    size_t ncmds = 0;
    for (size_t i = 0; i < n; i++)
        if (imvo_audit_wanted (&reqs [i], &replies [i]))
            ncmds += (size_t) imvo_audit_cmds (ctx->name, &reqs [i], &replies [i], cmds + ncmds);
    imvo_audit_run (ctx, cmds, ncmds);
    free (cmds);
}

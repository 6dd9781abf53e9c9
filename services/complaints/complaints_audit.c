/*  complaints_audit: audit.list, the audit trail of every daemon for the secretariat.

    Each daemon's runtime writes its own streams (imvo_service.h, imvo_audit_mark):
    imvo:<daemon>:{<covenant>}:audit, and imvo:<daemon>:{audit}:audit for what names no
    covenant, each registered in imvo:<daemon>:{audit}:streams. complaints may read them (its
    Redis user has XREVRANGE and SMEMBERS on them, nothing else of the other daemons), and
    merges them here newest first by `at`.

    Bounded: each stream is read S_PAGE entries at a time (XREVRANGE ... COUNT 64, a few tens
    of microseconds of Redis), the pages of every stream that needs one in one pipeline, and a
    request reads at most S_SCAN_MAX entries in all. A filter that matches little may stop
    there before it found `limit` entries: the reply then says partial. With a covenant (or a
    case, whose id names its covenant) only that covenant's streams are read.
*/
#include "complaints_server.h"
#include "catalogue_audit.h"

#define S_PAGE 64                   //  entries one XREVRANGE reads
#define S_SCAN_MAX 5000             //  entries a request reads at most, every stream together
#define S_STREAMS_MAX 128           //  streams a request merges
#define S_SERVICES_MAX 16

//  One audit stream being read backwards.
typedef struct {
    char *key;
    redisReply *page;               //  XREVRANGE's [[id, [field, value, ...]], ...], or NULL
    size_t next;                    //  the next entry of page
    char last [48];                 //  the id of the last entry read: the next page is older
    bool done;                      //  no older entries
} s_stream_t;

//  The daemons that answer messages: each keeps audit streams.
static int
s_services (const char **out, int max)
{
    int n = 0;
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++) {
            const char *svc = (*m)->service;
            bool seen = streq (svc, "*");
            for (int i = 0; i < n && !seen; i++)
                seen = streq (out [i], svc);
            if (!seen && n < max)
                out [n++] = svc;
        }
    return n;
}

//  A field of an entry ([id, [field, value, ...]]), "" when absent.
static const char *
s_field (const redisReply *entry, const char *name)
{
    const redisReply *f = entry->element [1];
    for (size_t i = 0; i + 1 < f->elements; i += 2)
        if (f->element [i]->type == REDIS_REPLY_STRING && streq (f->element [i]->str, name)
        &&  f->element [i + 1]->type == REDIS_REPLY_STRING)
            return f->element [i + 1]->str;
    return "";
}

static bool
s_entry_ok (const redisReply *e)
{
    return e->type == REDIS_REPLY_ARRAY && e->elements == 2 && e->element [0]->type == REDIS_REPLY_STRING
        && e->element [1]->type == REDIS_REPLY_ARRAY;
}

//  The streams to read: the covenant's of every daemon, or every registered one.
static int
s_streams (imvo_ctx_t *ctx, const char *covenant, s_stream_t *streams, int max, imvo_reply_t *reply)
{
    const char *services [S_SERVICES_MAX];
    int nservices = s_services (services, S_SERVICES_MAX), n = 0;
    if (covenant) {
        for (int i = 0; i < nservices && n < max; i++)
            if (asprintf (&streams [n].key, "imvo:%s:{%s}:audit", services [i], covenant) > 0)
                n++;
        return n;
    }
    imvo_args_t cmds [S_SERVICES_MAX];
    redisReply *sets [S_SERVICES_MAX];
    for (int i = 0; i < nservices; i++) {
        imvo_args_init (&cmds [i]);
        imvo_args_str (&cmds [i], "SMEMBERS");
        imvo_args_fmt (&cmds [i], "imvo:%s:{%s}:streams", services [i], IMVO_AUDIT_NO_COVENANT);
    }
    int rc = imvo_redis_run_all (ctx->redis, cmds, (size_t) nservices, sets);
    for (int i = 0; i < nservices; i++) {
        redisReply *r = sets [i];
        if (rc == 0 && (!r || r->type != REDIS_REPLY_ARRAY)) {
            zsys_error ("audit.list: cannot read %s: %s", cmds [i].argv [1], r && r->str ? r->str : "no reply");
            rc = -1;
        }
        //  Only that daemon's audit streams, whatever else the set may hold.
        char prefix [64];
        snprintf (prefix, sizeof prefix, "imvo:%s:{", services [i]);
        for (size_t k = 0; rc == 0 && k < r->elements && n < max; k++) {
            const char *key = r->element [k]->str;
            size_t len = key ? strlen (key) : 0;
            if (key && strncmp (key, prefix, strlen (prefix)) == 0 && len > 7 && streq (key + len - 7, "}:audit"))
                streams [n++].key = strdup (key);
        }
        if (r)
            freeReplyObject (r);
        imvo_args_release (&cmds [i]);
    }
    if (rc)
        return imvo_redis_fail (NULL, reply);
    return n;
}

//  Reads the next page of every stream whose page is used up, in one pipeline. 0 or -1.
static int
s_refill (imvo_ctx_t *ctx, s_stream_t *streams, int n, imvo_reply_t *reply)
{
    imvo_args_t cmds [S_STREAMS_MAX];
    int which [S_STREAMS_MAX], ncmds = 0;
    for (int i = 0; i < n; i++) {
        s_stream_t *s = &streams [i];
        if (s->done || (s->page && s->next < s->page->elements))
            continue;
        if (s->page)
            freeReplyObject (s->page);
        s->page = NULL;
        s->next = 0;
        imvo_args_init (&cmds [ncmds]);
        imvo_args_str (&cmds [ncmds], "XREVRANGE");
        imvo_args_str (&cmds [ncmds], s->key);
        if (s->last [0])
            imvo_args_fmt (&cmds [ncmds], "(%s", s->last);      //  older than the last one read
        else
            imvo_args_str (&cmds [ncmds], "+");
        imvo_args_str (&cmds [ncmds], "-");
        imvo_args_str (&cmds [ncmds], "COUNT");
        imvo_args_fmt (&cmds [ncmds], "%d", S_PAGE);
        which [ncmds++] = i;
    }
    if (ncmds == 0)
        return 0;
    redisReply *pages [S_STREAMS_MAX];
    int rc = imvo_redis_run_all (ctx->redis, cmds, (size_t) ncmds, pages);
    for (int c = 0; c < ncmds; c++) {
        s_stream_t *s = &streams [which [c]];
        redisReply *r = pages [c];
        if (rc == 0 && (!r || r->type != REDIS_REPLY_ARRAY)) {
            zsys_error ("audit.list: cannot read %s: %s", s->key, r && r->str ? r->str : "no reply");
            rc = -1;
        }
        if (rc == 0) {
            s->page = r;
            s->done = r->elements < S_PAGE;
            r = NULL;
        }
        if (r)
            freeReplyObject (r);
        imvo_args_release (&cmds [c]);
    }
    return rc ? imvo_redis_fail (NULL, reply) : 0;
}

int
complaints_audit_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *case_id = f [AUDIT_LIST_CASE_ID].present ? f [AUDIT_LIST_CASE_ID].str : NULL;
    const char *person = f [AUDIT_LIST_PERSON].present ? f [AUDIT_LIST_PERSON].str : NULL;
    int64_t limit = f [AUDIT_LIST_LIMIT].present ? f [AUDIT_LIST_LIMIT].i : 100;
    char covenant [IMVO_AUDIT_COVENANT_MAX + 1] = "";
    if (f [AUDIT_LIST_COVENANT].present)
        snprintf (covenant, sizeof covenant, "%s", f [AUDIT_LIST_COVENANT].str);
    else
    if (case_id && imvo_case_id_covenant (case_id, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "case_id %s names no covenant", case_id);

    s_stream_t streams [S_STREAMS_MAX];
    memset (streams, 0, sizeof streams);
    int n = s_streams (ctx, covenant [0] ? covenant : NULL, streams, S_STREAMS_MAX, reply);
    msgpack_sbuffer items;
    msgpack_sbuffer_init (&items);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &items, msgpack_sbuffer_write);
    int64_t found = 0, scanned = 0;
    int rc = n < 0 ? -1 : 0;
    bool more = false;
    while (rc == 0 && found < limit) {
        if ((rc = s_refill (ctx, streams, n, reply)))
            break;
        //  The newest of the streams' next entries.
        int best = -1;
        int64_t best_at = 0;
        for (int i = 0; i < n; i++) {
            s_stream_t *s = &streams [i];
            if (!s->page || s->next >= s->page->elements)
                continue;
            const redisReply *e = s->page->element [s->next];
            int64_t at = s_entry_ok (e) ? strtoll (s_field (e, "at"), NULL, 10) : 0;
            if (best < 0 || at > best_at) {
                best = i;
                best_at = at;
            }
        }
        if (best < 0)
            break;
        if (scanned == S_SCAN_MAX) {
            more = true;                //  entries are left that this request did not read
            break;
        }
        s_stream_t *s = &streams [best];
        const redisReply *e = s->page->element [s->next++];
        scanned++;
        if (!s_entry_ok (e))
            continue;
        snprintf (s->last, sizeof s->last, "%s", e->element [0]->str);
        if ((case_id && !streq (s_field (e, "target"), case_id))
        ||  (person && !streq (s_field (e, "person"), person)))
            continue;
        msgpack_pack_map (&pk, 7);
        imvo_pack_kv_int (&pk, "at", best_at);
        static const char *const names [] = { "person", "role", "org", "action", "target", "covenant" };
        for (size_t k = 0; k < sizeof names / sizeof names [0]; k++)
            imvo_pack_kv_str (&pk, names [k], s_field (e, names [k]));
        found++;
    }
    if (rc == 0) {
        msgpack_packer *out = imvo_reply_pk (reply);
        msgpack_pack_map (out, more ? 2 : 1);
        imvo_pack_str (out, "items");
        msgpack_pack_array (out, (uint32_t) found);
        msgpack_sbuffer_write (&reply->body, items.data, items.size);
        if (more)
            imvo_pack_kv_bool (out, "partial", true);
    }
    msgpack_sbuffer_destroy (&items);
    for (int i = 0; i < n; i++) {
        free (streams [i].key);
        if (streams [i].page)
            freeReplyObject (streams [i].page);
    }
    return rc;
}

/*  complaints_publish: publication that protects the complainant (PROTOCOL.md, third part,
    "Publication"). The committee writes a public statement on a case that ended decided,
    settled or inadmissible (complaint.publish, lua/complaint_publish.lua); the public reads
    those statements, and nothing else of a case (complaint.decisions, the portal's
    /decisions/<covenant>): never the complainant's summary or description, which are her own
    words, nor the decision text, which may quote them, nor anything of who she is.

    A decided case also gets a follow_up deadline, the committee's check on what was decided
    (lua/complaint_transition.lua, its length in complaints_cases.c). */
#include "complaints_server.h"
#include "catalogue_complaints.h"

#include <time.h>

#define S_MAX_DECISIONS 100            //  statements complaint.decisions returns, newest first

int
complaints_publish (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *case_id = f [COMPLAINT_PUBLISH_CASE_ID].str;
    char covenant [40];
    if (imvo_case_id_covenant (case_id, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "case_id must look like TEXTILE-2026-0042");
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_named_t named;
    imvo_named_init (&named, req->type);
    imvo_named_fmt (&named, "prefix", "imvo:complaints:{%s}", covenant);
    imvo_named_str (&named, "statement", f [COMPLAINT_PUBLISH_STATEMENT].str);
    imvo_named_str (&named, "by", req->role);
    imvo_named_str (&named, "person", req->person);
    imvo_named_fmt (&named, "now", "%lld", (long long) imvo_now_ms ());
    imvo_args_init (&args);
    imvo_named_done (&named, &args);
    return imvo_commit (ctx, req, covenant, "complaint_publish", &keys, &args, reply);
}

//  A day (YYYY-MM-DD, UTC) of a time in ms given as a Redis string.
static void
s_day (const redisReply *v, char day [11])
{
    time_t secs = (time_t) (strtoll (v->str, NULL, 10) / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (day, 11, "%Y-%m-%d", &tm);
}

//  complaint.decisions: public; the newest S_MAX_DECISIONS statements. Each: case_id,
//  respondent, conclusion (decided, settled, inadmissible), outcome (decided only, else nil),
//  decided_on (the day the case ended so), published_at (ms), statement. Only the fields
//  named here are read from the case.
int
complaints_decisions (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [COMPLAINT_COVENANT_CODE].str;
    redisReply *ids = imvo_redis_cmd (ctx->redis, "ZREVRANGE imvo:complaints:{%s}:published 0 %d", covenant,
                                      S_MAX_DECISIONS - 1);
    if (!ids || ids->type != REDIS_REPLY_ARRAY)
        return imvo_redis_fail_free (ids, reply);
    static const char *const fields [] = { "case_id", "respondent", "concluded", "outcome", "concluded_at",
                                           "published_at", "statement" };
    static const char *const names [] = { "case_id", "respondent", "conclusion", "outcome", "decided_on",
                                          "published_at", "statement" };
    enum { NFIELDS = 7, CONCLUDED = 2, OUTCOME = 3, DECIDED_ON = 4, PUBLISHED_AT = 5 };
    size_t n = ids->elements;
    imvo_args_t cmds [S_MAX_DECISIONS];
    redisReply *out [S_MAX_DECISIONS];
    for (size_t i = 0; i < n; i++) {
        imvo_args_init (&cmds [i]);
        imvo_args_str (&cmds [i], "HMGET");
        imvo_args_fmt (&cmds [i], "imvo:complaints:{%s}:case:%s", covenant, ids->element [i]->str);
        for (int k = 0; k < NFIELDS; k++)
            imvo_args_str (&cmds [i], fields [k]);
    }
    int rc = imvo_redis_run_all (ctx->redis, cmds, n, out) ? imvo_redis_fail (NULL, reply) : 0;
    if (rc == 0) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_str (pk, "decisions");
        msgpack_pack_array (pk, (uint32_t) n);
        for (size_t i = 0; i < n; i++) {
            bool whole = out [i]->type == REDIS_REPLY_ARRAY && out [i]->elements == NFIELDS;
            const redisReply *concluded = whole ? out [i]->element [CONCLUDED] : NULL;
            bool decided = concluded && concluded->type == REDIS_REPLY_STRING && streq (concluded->str, "decided");
            msgpack_pack_map (pk, NFIELDS);
            for (int k = 0; k < NFIELDS; k++) {
                const redisReply *v = whole ? out [i]->element [k] : NULL;
                imvo_pack_str (pk, names [k]);
                if (!v || v->type != REDIS_REPLY_STRING || (k == OUTCOME && !decided))
                    msgpack_pack_nil (pk);
                else
                if (k == DECIDED_ON) {
                    char day [11];
                    s_day (v, day);
                    imvo_pack_str (pk, day);
                }
                else
                if (k == PUBLISHED_AT)
                    msgpack_pack_int64 (pk, strtoll (v->str, NULL, 10));
                else
                    imvo_pack_strn (pk, v->str, v->len);
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        imvo_args_release (&cmds [i]);
        if (out [i])
            freeReplyObject (out [i]);
    }
    freeReplyObject (ids);
    return rc;
}

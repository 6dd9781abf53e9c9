/*  scoring_appeals: the committee decides an appeal. An accepted appeal rescores the company
    with its corrected answers; a change of SCORING_CORRECTION_POINTS or more replaces the
    result, updates the round's summary and publishes assessment.corrected, a smaller change
    is recorded with the appeal only. Also the report request, and the appeals of a round as
    assessment.round gives them (and its filter of the companies that appealed). */
#include "scoring_internal.h"

#include <math.h>

//  r, or NULL (after turning the failure into the reply's error) when Redis failed.
static redisReply *
s_checked (redisReply *r, imvo_reply_t *reply)
{
    if (r && r->type != REDIS_REPLY_ERROR)
        return r;
    imvo_redis_fail_free (r, reply);
    return NULL;
}

static msgpack_object
s_unpack (redisReply *v, msgpack_zone *zone)
{
    msgpack_object o = { .type = MSGPACK_OBJECT_NIL };
    if (!v || v->type != REDIS_REPLY_STRING)
        return o;
    char *bytes = msgpack_zone_malloc (zone, v->len + 1);
    memcpy (bytes, v->str, v->len);
    const char *why;
    if (imvo_msg_unpack (bytes, v->len, zone, &o, &why))
        o.type = MSGPACK_OBJECT_NIL;
    return o;
}

//  The submission with the corrected answers over its own.
void
scoring_pack_corrected (msgpack_packer *pk, const msgpack_object *sub, const msgpack_object *answers)
{
    const msgpack_object *old = sub ? imvo_map_get (sub, "answers") : NULL;
    uint32_t nfields = sub ? sub->via.map.size : 0, kept = 0;
    for (uint32_t i = 0; i < nfields; i++)
        kept += !imvo_obj_streq (&sub->via.map.ptr [i].key, "answers");
    msgpack_pack_map (pk, kept + 1);
    for (uint32_t i = 0; i < nfields; i++)
        if (!imvo_obj_streq (&sub->via.map.ptr [i].key, "answers")) {
            msgpack_pack_object (pk, sub->via.map.ptr [i].key);
            msgpack_pack_object (pk, sub->via.map.ptr [i].val);
        }
    imvo_pack_str (pk, "answers");
    uint32_t n = answers ? answers->via.map.size : 0, extra = 0;
    for (uint32_t i = 0; old && old->type == MSGPACK_OBJECT_MAP && i < old->via.map.size; i++) {
        char id [128] = "";
        imvo_obj_strcpy (&old->via.map.ptr [i].key, id, sizeof id);
        extra += !(answers && imvo_map_get (answers, id));
    }
    msgpack_pack_map (pk, n + extra);
    for (uint32_t i = 0; old && old->type == MSGPACK_OBJECT_MAP && i < old->via.map.size; i++) {
        char id [128] = "";
        imvo_obj_strcpy (&old->via.map.ptr [i].key, id, sizeof id);
        if (!(answers && imvo_map_get (answers, id))) {
            msgpack_pack_object (pk, old->via.map.ptr [i].key);
            msgpack_pack_object (pk, old->via.map.ptr [i].val);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        msgpack_pack_object (pk, answers->via.map.ptr [i].key);
        msgpack_pack_object (pk, answers->via.map.ptr [i].val);
    }
}

static double
s_num (const msgpack_object *o)
{
    return !o ? 0 : o->type == MSGPACK_OBJECT_FLOAT64 ? o->via.f64
         : o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (double) o->via.u64 : 0;
}

//  After a correction: the summary again from every stored result, the risks as they were.
int
scoring_resummarise (imvo_ctx_t *ctx, const char *covenant, int64_t year, const scoring_fw_t *fw, msgpack_zone *zone)
{
    size_t n = 0;
    zlistx_t *keep = NULL;
    zchunk_t **pairs = scoring_results_read (ctx, covenant, year, &n, &keep);
    if (!pairs)
        return -1;
    scoring_brief_t *briefs = calloc (n + 1, sizeof *briefs);
    for (size_t i = 0; i < n; i++) {
        msgpack_object r;
        const char *why;
        if (imvo_msg_unpack ((const char *) zchunk_data (pairs [2 * i + 1]), zchunk_size (pairs [2 * i + 1]) - 1, zone,
                             &r, &why) == 0)
            scoring_brief_from (&r, &briefs [i]);
    }
    redisReply *p = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld summary", covenant,
                                    (long long) year - 1);
    msgpack_object prev = s_unpack (p, zone);
    msgpack_sbuffer summary;
    msgpack_sbuffer_init (&summary);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &summary, msgpack_sbuffer_write);
    scoring_pack_summary (&pk, fw, briefs, n, prev.type == MSGPACK_OBJECT_MAP ? &prev : NULL);
    redisReply *w = imvo_redis_cmd (ctx->redis, "HSET imvo:scoring:{%s}:round:%lld summary %b", covenant,
                                    (long long) year,
                                    summary.data, summary.size);
    int rc = w && w->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (w)
        freeReplyObject (w);
    if (p)
        freeReplyObject (p);
    msgpack_sbuffer_destroy (&summary);
    free (briefs);
    free (pairs);
    zlistx_destroy (&keep);
    return rc;
}

int
scoring_assessment_decide (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *appeal_id = f [ASSESSMENT_DECIDE_APPEAL].str;
    char round_id [64] = "", org [64] = "", covenant [40];
    int64_t year;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 8192);
    //  The appeal id is <round id>-<org id>; the round id ends in -<year>.
    const char *p = appeal_id;
    int dashes = 0;
    while (*p && dashes < 2)
        dashes += *p++ == '-';
    if (dashes < 2 || (size_t) (p - appeal_id - 1) >= sizeof round_id) {
        msgpack_zone_destroy (&zone);
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "appeal_id", "no appeal with this id");
    }
    snprintf (round_id, sizeof round_id, "%.*s", (int) (p - appeal_id - 1), appeal_id);
    snprintf (org, sizeof org, "%s", p);
    if (scoring_round_parse (round_id, covenant, sizeof covenant, &year)) {
        msgpack_zone_destroy (&zone);
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "appeal_id", "no appeal with this id");
    }
    redisReply *appeal = s_checked (imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:appeals %s", covenant,
                                                    appeal_id), reply);
    redisReply *rnd = appeal ? s_checked (imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld version",
                                                          covenant, (long long) year), reply) : NULL;
    redisReply *sub = rnd ? s_checked (imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:sub:%lld %s", covenant,
                                                       (long long) year, org), reply) : NULL;
    redisReply *old = sub ? s_checked (imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld:results %s",
                                                       covenant, (long long) year, org), reply) : NULL;
    redisReply *prev = old ? s_checked (imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld:results %s",
                                                        covenant, (long long) year - 1, org), reply) : NULL;
    int rc = prev ? 0 : -1;
    if (rc == 0 && appeal->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "appeal_id", "no appeal with this id");
    scoring_fw_t fw;
    char *fw_packed = NULL;
    size_t fw_len;
    if (rc == 0)
        rc = scoring_framework_read (ctx, covenant, rnd->type == REDIS_REPLY_STRING ? atoll (rnd->str) : 0, &fw, &zone,
                                     &fw_packed, &fw_len, reply);
    const msgpack_object *answers = f [ASSESSMENT_DECIDE_ANSWERS].present ? f [ASSESSMENT_DECIDE_ANSWERS].obj : NULL;
    if (rc == 0 && answers)
        rc = scoring_check_answers (&fw, answers, reply);
    bool accept = f [ASSESSMENT_DECIDE_ACCEPT].b, publish = false;
    msgpack_object a = s_unpack (appeal, &zone), s = s_unpack (sub, &zone), o = s_unpack (old, &zone),
                   pr = s_unpack (prev, &zone);
    double old_score = s_num (imvo_map_get (&o, "score")), new_score = old_score;
    msgpack_sbuffer result, decided, corrected, merged;
    msgpack_sbuffer_init (&result);
    msgpack_sbuffer_init (&decided);
    msgpack_sbuffer_init (&corrected);
    msgpack_sbuffer_init (&merged);
    scoring_result_t r;
    memset (&r, 0, sizeof r);
    if (rc == 0 && accept) {
        msgpack_packer mpk;
        msgpack_packer_init (&mpk, &merged, msgpack_sbuffer_write);
        scoring_pack_corrected (&mpk, s.type == MSGPACK_OBJECT_MAP ? &s : NULL, answers);
        redisReply as_reply = { .type = REDIS_REPLY_STRING, .str = merged.data, .len = merged.size };
        msgpack_object m = s_unpack (&as_reply, &zone);
        int64_t company_year = 0;
        imvo_obj_int (imvo_map_get (&o, "company_year"), &company_year);
        snprintf (r.org_id, sizeof r.org_id, "%s", org);
        imvo_obj_strcpy (imvo_map_get (&o, "name"), r.name, sizeof r.name);
        scoring_mandatory_t mp;
        if (scoring_mandatory_load (ctx, covenant, year, &mp) == 0)
            scoring_mandatory_apply (&mp, org, &r);
        scoring_mandatory_release (&mp);
        scoring_score (&fw, covenant, year, year - company_year, &m, pr.type == MSGPACK_OBJECT_MAP ? &pr : NULL,
                       &r);
        new_score = round (r.score * 10) / 10;
        publish = fabs (new_score - old_score) >= SCORING_CORRECTION_POINTS;
    }
    if (rc == 0) {
        msgpack_packer pk;
        msgpack_packer_init (&pk, &decided, msgpack_sbuffer_write);
        uint32_t kept = 0;
        for (uint32_t i = 0; a.type == MSGPACK_OBJECT_MAP && i < a.via.map.size; i++)
            kept += !imvo_obj_streq (&a.via.map.ptr [i].key, "status");
        msgpack_pack_map (&pk, kept + 6);
        for (uint32_t i = 0; a.type == MSGPACK_OBJECT_MAP && i < a.via.map.size; i++)
            if (!imvo_obj_streq (&a.via.map.ptr [i].key, "status")) {
                msgpack_pack_object (&pk, a.via.map.ptr [i].key);
                msgpack_pack_object (&pk, a.via.map.ptr [i].val);
            }
        imvo_pack_kv_str (&pk, "status", accept ? "accepted" : "rejected");
        const imvo_value_t *why = &f [ASSESSMENT_DECIDE_REASON];
        imvo_pack_kv_str (&pk, "decision_reason", why->present ? why->str : NULL);
        imvo_pack_kv_int (&pk, "decided_at", imvo_now_ms ());
        imvo_pack_str (&pk, "old_score");
        scoring_pack_value (&pk, old_score);
        imvo_pack_str (&pk, "new_score");
        scoring_pack_value (&pk, new_score);
        imvo_pack_kv_bool (&pk, "published", publish);
        if (publish) {
            msgpack_packer rpk, cpk;
            msgpack_packer_init (&rpk, &result, msgpack_sbuffer_write);
            scoring_pack_result (&rpk, &fw, &r);
            msgpack_packer_init (&cpk, &corrected, msgpack_sbuffer_write);
            msgpack_pack_map (&cpk, 7);
            imvo_pack_kv_str (&cpk, "round_id", round_id);
            imvo_pack_kv_str (&cpk, "covenant", covenant);
            imvo_pack_kv_int (&cpk, "year", year);
            imvo_pack_kv_str (&cpk, "org_id", org);
            imvo_pack_str (&cpk, "old_score");
            scoring_pack_value (&cpk, old_score);
            imvo_pack_str (&cpk, "new_score");
            scoring_pack_value (&cpk, new_score);
            imvo_pack_kv_str (&cpk, "band", r.band);
        }
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
        imvo_args_fmt (&keys, "imvo:scoring:{%s}:appeals", covenant);
        imvo_args_str (&args, appeal_id);
        imvo_args_add (&args, decided.data, decided.size);
        imvo_args_fmt (&args, "%lld", (long long) year);
        imvo_args_str (&args, org);
        imvo_args_add (&args, result.data ? result.data : "", result.size);
        imvo_args_add (&args, corrected.data ? corrected.data : "", corrected.size);
        rc = imvo_commit (ctx, req, covenant, "appeal_decide", &keys, &args, reply);
        if (rc == 0 && publish && scoring_resummarise (ctx, covenant, year, &fw, &zone))
            zsys_warning ("scoring: the summary of %s was not updated after %s; it is on the next correction", round_id,
                          appeal_id);
    }
    msgpack_sbuffer_destroy (&result);
    msgpack_sbuffer_destroy (&decided);
    msgpack_sbuffer_destroy (&corrected);
    msgpack_sbuffer_destroy (&merged);
    free (fw_packed);
    redisReply *all [] = { appeal, rnd, sub, old, prev };
    for (size_t i = 0; i < 5; i++)
        if (all [i])
            freeReplyObject (all [i]);
    msgpack_zone_destroy (&zone);
    return rc;
}

int
scoring_assessment_report (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40];
    int64_t year;
    if (scoring_round_parse (f [ASSESSMENT_REPORT_ROUND].str, covenant, sizeof covenant, &year))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "round_id",
                                "a round id reads <covenant>-<year>, e.g. textile-2025");
    bool html = f [ASSESSMENT_REPORT_FORMAT].present && streq (f [ASSESSMENT_REPORT_FORMAT].str, "html");
    //  The committee's version names every company; the public one none below the threshold.
    bool named = streq (req->role, "monitoring") || imvo_actor_staff (req);
    return scoring_report (ctx, covenant, year, html, named, reply);
}

//  --- assessment.round's appeals (scoring_watch.c) ----------------------------------------------

static int
s_cmp_str (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
scoring_pack_appeals (msgpack_packer *pk, redisReply *r, const char *round_id)
{
    size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0, k = 0, len = strlen (round_id);
    const char **ids = calloc (n + 1, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const char *id = r->element [2 * i]->str;
        if (id && strncmp (id, round_id, len) == 0 && id [len] == '-')
            ids [k++] = id;
    }
    qsort (ids, k, sizeof *ids, s_cmp_str);
    imvo_pack_str (pk, "appeals");
    msgpack_pack_array (pk, (uint32_t) k);
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < n; i++)
            if (r->element [2 * i]->str == ids [j])
                msgpack_sbuffer_write (pk->data, r->element [2 * i + 1]->str, r->element [2 * i + 1]->len);
    free (ids);
}

//  The org ids that appealed against round_id (an appeal's id is <round_id>-<org_id>), as a set
//  whose keys point into r.
zhashx_t *
scoring_appealed (redisReply *r, const char *round_id)
{
    zhashx_t *orgs = zhashx_new ();
    zhashx_set_key_duplicator (orgs, NULL);
    zhashx_set_key_destructor (orgs, NULL);
    size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0, len = strlen (round_id);
    for (size_t i = 0; i < n; i++) {
        const char *id = r->element [2 * i]->str;
        if (id && strncmp (id, round_id, len) == 0 && id [len] == '-')
            zhashx_insert (orgs, id + len + 1, (void *) 1);
    }
    return orgs;
}

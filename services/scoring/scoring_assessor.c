/*  scoring_assessor: the monitoring committee's own step (issue 23, item 7); its publication
    (assessment.publish, assessment.results) is scoring_assessor_publish.c's.

    "De jaarlijkse plannen van aanpak van bedrijven hierover, worden beoordeeld volgens een
    vast Beoordelingskader." (001_efafd7b1e78fecd8.txt): the committee does not only add up
    what a company says of itself. Per criterion it verifies the answer or adjusts its score,
    always with a comment (assessment.verify); an adjustment rescores the company at once.
    The company may comment for two weeks (COLLECTIVE_COMMENT_DAYS) from the round's
    completion (assessment.comment); the committee publishes the results only after that
    window (assessment.publish). The published results (assessment.results) name the companies
    on track, with the link to every company's public due-diligence report (the plan's
    public_report_url): "Tot nu toe hebben 5 van de aangesloten bedrijven in het tweede jaar
    een due diligence rapportage gepubliceerd" (001).

    Keys under imvo:scoring:{<covenant>}: round:<year>:review:<org> (hash "v:<criterion>" ->
    packed verdict, "c:<at>" -> packed comment); the round hash's published_at.
*/
#include "scoring_internal.h"
#include "catalogue_collective.h"

#include <stdatomic.h>

#define S_MAX_COMMENTS 50           //  a company's comments on its review in a round
#define S_KEY 160                   //  a review hash's or a round hash's key, with its NUL

//  The keys assessment.verify and assessment.comment put a review record under: the company's
//  review hash and the round hash (S_KEY bytes each).
static void
s_review_keys (const scoring_review_round_t *rd, const char *org, char *hash, char *round_key)
{
    snprintf (hash, S_KEY, "imvo:scoring:{%s}:round:%lld:review:%s", rd->covenant, (long long) rd->year, org);
    snprintf (round_key, S_KEY, "imvo:scoring:{%s}:round:%lld", rd->covenant, (long long) rd->year);
}

//  Starts the event that tells of a review record (assessment.verified, assessment.commented)
//  in event, packed by epk (the caller destroys event): a map of `pairs` pairs, the first four
//  naming the round and the company.
static void
s_review_event (msgpack_sbuffer *event, msgpack_packer *epk, uint32_t pairs, const char *round_id,
                const scoring_review_round_t *rd, const char *org)
{
    msgpack_sbuffer_init (event);
    msgpack_packer_init (epk, event, msgpack_sbuffer_write);
    msgpack_pack_map (epk, pairs);
    imvo_pack_kv_str (epk, "round_id", round_id);
    imvo_pack_kv_str (epk, "covenant", rd->covenant);
    imvo_pack_kv_int (epk, "year", rd->year);
    imvo_pack_kv_str (epk, "org_id", org);
}

int
scoring_review_round (imvo_ctx_t *ctx, const char *round_id, scoring_review_round_t *rd, imvo_reply_t *reply)
{
    memset (rd, 0, sizeof *rd);
    if (scoring_round_parse (round_id, rd->covenant, sizeof rd->covenant, &rd->year))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "round_id", "a round id reads <covenant>-<year>");
    redisReply *r = imvo_redis_cmd (ctx->redis, "HMGET imvo:scoring:{%s}:round:%lld status version completed_at "
                                    "published_at", rd->covenant, (long long) rd->year);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 4)
        return imvo_redis_fail_free (r, reply);
    int rc = 0;
    if (r->element [0]->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "round_id", "no round %s", round_id);
    else {
        snprintf (rd->status, sizeof rd->status, "%s", r->element [0]->str);
        int64_t *out [] = { &rd->version, &rd->completed_at, &rd->published_at };
        for (int i = 0; i < 3; i++)
            *out [i] = r->element [i + 1]->type == REDIS_REPLY_STRING ? strtoll (r->element [i + 1]->str, NULL, 10) : 0;
        if (strcmp (rd->status, "completed"))
            rc = imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "round_id", "the round %s is still running", round_id);
    }
    freeReplyObject (r);
    return rc;
}

void
scoring_review_day (int64_t ms, char *buf, size_t size)
{
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (buf, size, "%Y-%m-%d %H:%M UTC", &tm);
}

msgpack_object
scoring_review_unpack (redisReply *v, msgpack_zone *zone)
{
    msgpack_object o = { .type = MSGPACK_OBJECT_NIL };
    const char *why;
    if (!v || v->type != REDIS_REPLY_STRING || imvo_msg_unpack (v->str, v->len, zone, &o, &why))
        o.type = MSGPACK_OBJECT_NIL;
    return o;
}

static double
s_num (const msgpack_object *o)
{
    return !o ? 0 : o->type == MSGPACK_OBJECT_FLOAT64 ? o->via.f64
         : o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (double) o->via.u64 : 0;
}

int
scoring_assessment_verify (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *round_id = f [ASSESSMENT_VERIFY_ROUND].str, *org = f [ASSESSMENT_VERIFY_ORG_ID].str;
    const char *criterion = f [ASSESSMENT_VERIFY_CRITERION].str;
    bool adjusted = streq (f [ASSESSMENT_VERIFY_VERDICT].str, "adjusted");
    scoring_review_round_t rd;
    if (scoring_review_round (ctx, round_id, &rd, reply))
        return -1;
    if (rd.published_at)
        return imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "round_id", "the results of %s are published: appeal instead",
                                round_id);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 8192);
    scoring_fw_t fw;
    char *fw_packed = NULL;
    size_t fw_len;
    int rc = scoring_framework_read (ctx, rd.covenant, rd.version, &fw, &zone, &fw_packed, &fw_len, reply);
    int c = rc == 0 ? scoring_fw_criterion (&fw, criterion, strlen (criterion)) : -1;
    if (rc == 0 && c < 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "criterion", "%s is not a criterion of framework version %lld",
                              criterion, (long long) fw.version);
    if (rc == 0 && adjusted && (uint64_t) f [ASSESSMENT_VERIFY_SCORE].i > fw.criteria [c].max)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "score", "%s gives 0 to %llu points", criterion,
                              (unsigned long long) fw.criteria [c].max);
    long long y = (long long) rd.year;
    redisReply *sub = NULL, *old = NULL, *prev = NULL, *review = NULL;
    if (rc == 0) {
        sub = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:sub:%lld %s", rd.covenant, y, org);
        old = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld:results %s", rd.covenant, y, org);
        prev = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld:results %s", rd.covenant, y - 1, org);
        review = imvo_redis_cmd (ctx->redis, "HGETALL imvo:scoring:{%s}:round:%lld:review:%s", rd.covenant, y, org);
        if (!sub || !old || !prev || !review || review->type != REDIS_REPLY_ARRAY)
            rc = imvo_redis_fail (NULL, reply);
        else
        if (old->type != REDIS_REPLY_STRING)
            rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "org_id", "%s has no result in %s", org, round_id);
        else
        if (sub->type != REDIS_REPLY_STRING)
            rc = imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "org_id", "%s sent no action plan for %lld: nothing to verify",
                                  org, y);
    }
    msgpack_sbuffer verdict, result, answers, merged;
    msgpack_sbuffer_init (&verdict);
    msgpack_sbuffer_init (&result);
    msgpack_sbuffer_init (&answers);
    msgpack_sbuffer_init (&merged);
    if (rc == 0) {
        msgpack_object s = scoring_review_unpack (sub, &zone), o = scoring_review_unpack (old, &zone), pr = scoring_review_unpack (prev, &zone);
        //  The committee's scores: every earlier adjustment, and this one.
        msgpack_packer apk;
        msgpack_packer_init (&apk, &answers, msgpack_sbuffer_write);
        uint32_t n = adjusted;
        msgpack_object *adj = calloc (review->elements / 2 + 1, sizeof *adj);
        for (size_t i = 0; i + 1 < review->elements; i += 2) {
            msgpack_object v = scoring_review_unpack (review->element [i + 1], &zone);
            if (strncmp (review->element [i]->str, "v:", 2) || streq (review->element [i]->str + 2, criterion)
            ||  !imvo_obj_streq (imvo_map_get (&v, "verdict"), "adjusted"))
                continue;
            adj [i / 2] = v;
            n++;
        }
        msgpack_pack_map (&apk, n);
        for (size_t i = 0; i + 1 < review->elements; i += 2)
            if (adj [i / 2].type == MSGPACK_OBJECT_MAP) {
                imvo_pack_str (&apk, review->element [i]->str + 2);
                msgpack_pack_object (&apk, *imvo_map_get (&adj [i / 2], "score"));
            }
        if (adjusted) {
            imvo_pack_str (&apk, criterion);
            msgpack_pack_int64 (&apk, f [ASSESSMENT_VERIFY_SCORE].i);
        }
        free (adj);
        msgpack_object committee;
        const char *why;
        imvo_msg_unpack (answers.data, answers.size, &zone, &committee, &why);
        msgpack_packer mpk;
        msgpack_packer_init (&mpk, &merged, msgpack_sbuffer_write);
        scoring_pack_corrected (&mpk, &s, &committee);
        redisReply as = { .type = REDIS_REPLY_STRING, .str = merged.data, .len = merged.size };
        msgpack_object m = scoring_review_unpack (&as, &zone);
        scoring_result_t r;
        memset (&r, 0, sizeof r);
        int64_t company_year = 0;
        imvo_obj_int (imvo_map_get (&o, "company_year"), &company_year);
        snprintf (r.org_id, sizeof r.org_id, "%s", org);
        imvo_obj_strcpy (imvo_map_get (&o, "name"), r.name, sizeof r.name);
        scoring_mandatory_t mp;
        if (scoring_mandatory_load (ctx, rd.covenant, rd.year, &mp) == 0)
            scoring_mandatory_apply (&mp, org, &r);
        scoring_mandatory_release (&mp);
        scoring_score (&fw, rd.covenant, rd.year, rd.year - company_year, &m, pr.type == MSGPACK_OBJECT_MAP ? &pr : NULL,
                       &r);
        msgpack_packer rpk, vpk;
        msgpack_packer_init (&rpk, &result, msgpack_sbuffer_write);
        scoring_pack_result (&rpk, &fw, &r);
        msgpack_packer_init (&vpk, &verdict, msgpack_sbuffer_write);
        msgpack_pack_map (&vpk, 11);
        imvo_pack_kv_str (&vpk, "round_id", round_id);
        imvo_pack_kv_str (&vpk, "org_id", org);
        imvo_pack_kv_str (&vpk, "criterion", criterion);
        imvo_pack_kv_str (&vpk, "verdict", f [ASSESSMENT_VERIFY_VERDICT].str);
        imvo_pack_str (&vpk, "score");
        if (adjusted)
            msgpack_pack_int64 (&vpk, f [ASSESSMENT_VERIFY_SCORE].i);
        else
            msgpack_pack_nil (&vpk);
        const msgpack_object *own = imvo_map_get (imvo_map_get (&s, "answers"), criterion);
        imvo_pack_str (&vpk, "answer");
        if (own)
            msgpack_pack_object (&vpk, *own);
        else
            msgpack_pack_nil (&vpk);
        imvo_pack_kv_str (&vpk, "comment", f [ASSESSMENT_VERIFY_COMMENT].str);
        imvo_pack_str (&vpk, "score_before");
        scoring_pack_value (&vpk, s_num (imvo_map_get (&o, "score")));
        imvo_pack_str (&vpk, "score_after");
        scoring_pack_value (&vpk, r.score);
        imvo_pack_kv_int (&vpk, "at", imvo_now_ms ());
        imvo_pack_kv_str (&vpk, "by", req->person [0] ? req->person : req->role);
        //  The company hears of it (notify): it may comment until the window ends.
        char ends [40];
        scoring_review_day (rd.completed_at + SCORING_COMMENT_WINDOW_MS, ends, sizeof ends);
        msgpack_sbuffer event;
        msgpack_packer epk;
        s_review_event (&event, &epk, 8, round_id, &rd, org);
        imvo_pack_kv_str (&epk, "criterion", criterion);
        imvo_pack_kv_str (&epk, "verdict", f [ASSESSMENT_VERIFY_VERDICT].str);
        imvo_pack_str (&epk, "score_after");
        scoring_pack_value (&epk, r.score);
        imvo_pack_kv_str (&epk, "window_ends", ends);
        char hash [S_KEY], field [220], results [128], round_key [S_KEY];
        s_review_keys (&rd, org, hash, round_key);
        snprintf (field, sizeof field, "v:%s", criterion);
        snprintf (results, sizeof results, "imvo:scoring:{%s}:round:%lld:results", rd.covenant, y);
        rc = scoring_record_put (ctx, req, rd.covenant, hash, field, &verdict, round_key, "assessment.verified", &event,
                                 results, org, &result, reply);
        msgpack_sbuffer_destroy (&event);
        if (rc == 0 && scoring_resummarise (ctx, rd.covenant, rd.year, &fw, &zone))
            zsys_warning ("scoring: the summary of %s was not updated after a verdict on %s", round_id, org);
    }
    msgpack_sbuffer_destroy (&verdict);
    msgpack_sbuffer_destroy (&result);
    msgpack_sbuffer_destroy (&answers);
    msgpack_sbuffer_destroy (&merged);
    redisReply *all [] = { sub, old, prev, review };
    for (int i = 0; i < 4; i++)
        if (all [i])
            freeReplyObject (all [i]);
    free (fw_packed);
    msgpack_zone_destroy (&zone);
    return rc;
}

//  0 when org has a result in the round and fewer than S_MAX_COMMENTS comments on its review;
//  else -1 with the reply's error naming org_id (not_found) or comment (too_large).
static int
s_comment_allowed (imvo_ctx_t *ctx, const scoring_review_round_t *rd, const char *round_id, const char *org, imvo_reply_t *reply)
{
    redisReply *has = imvo_redis_cmd (ctx->redis, "HEXISTS imvo:scoring:{%s}:round:%lld:results %s", rd->covenant,
                                      (long long) rd->year, org);
    redisReply *keys = has && has->type == REDIS_REPLY_INTEGER
                     ? imvo_redis_cmd (ctx->redis, "HKEYS imvo:scoring:{%s}:round:%lld:review:%s", rd->covenant,
                                       (long long) rd->year, org) : NULL;
    int rc = 0;
    if (!keys || keys->type != REDIS_REPLY_ARRAY)
        rc = imvo_redis_fail (NULL, reply);
    else
    if (has->integer == 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "org_id", "%s has no result in %s: only a company the round "
                              "assessed comments on it", org, round_id);
    else {
        size_t comments = 0;
        for (size_t i = 0; i < keys->elements; i++)
            comments += keys->element [i]->type == REDIS_REPLY_STRING && keys->element [i]->str [0] == 'c';
        if (comments >= S_MAX_COMMENTS)
            rc = imvo_reply_fail (reply, IMVO_ERR_TOO_LARGE, "comment", "a company comments at most %d times on its "
                                  "assessment in a round", S_MAX_COMMENTS);
    }
    if (has)
        freeReplyObject (has);
    if (keys)
        freeReplyObject (keys);
    return rc;
}

int
scoring_assessment_comment (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *round_id = f [ASSESSMENT_COMMENT_ROUND].str, *org = f [ASSESSMENT_COMMENT_ORG_ID].str;
    scoring_review_round_t rd;
    if (scoring_review_round (ctx, round_id, &rd, reply))
        return -1;
    int64_t now = imvo_now_ms (), ends = rd.completed_at + SCORING_COMMENT_WINDOW_MS;
    char day [40];
    scoring_review_day (ends, day, sizeof day);
    if (rd.published_at || now > ends)
        return imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "round_id",
                                "the two-week comment window on %s closed on %s", round_id, day);
    //  Only a company the round assessed comments, and a bounded number of times.
    if (s_comment_allowed (ctx, &rd, round_id, org, reply))
        return -1;
    msgpack_sbuffer c;
    msgpack_sbuffer_init (&c);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &c, msgpack_sbuffer_write);
    const imvo_value_t *criterion = &f [ASSESSMENT_COMMENT_CRITERION];
    msgpack_pack_map (&pk, 7);
    imvo_pack_kv_str (&pk, "round_id", round_id);
    imvo_pack_kv_str (&pk, "org_id", org);
    imvo_pack_kv_str (&pk, "criterion", criterion->present ? criterion->str : NULL);
    imvo_pack_kv_str (&pk, "comment", f [ASSESSMENT_COMMENT_TEXT].str);
    imvo_pack_kv_int (&pk, "at", now);
    imvo_pack_kv_int (&pk, "window_ends_at", ends);
    imvo_pack_kv_str (&pk, "by", req->person [0] ? req->person : req->role);
    //  The committee hears of it (notify).
    msgpack_sbuffer event;
    msgpack_packer epk;
    s_review_event (&event, &epk, 5, round_id, &rd, org);
    imvo_pack_kv_str (&epk, "window_ends", day);
    char hash [S_KEY], round_key [S_KEY];
    s_review_keys (&rd, org, hash, round_key);
    //  Two comments in the same millisecond are two fields: the request's id tells them apart.
    static atomic_uint s_seq;
    char field [160];
    if (req->id [0])
        snprintf (field, sizeof field, "c:%lld:%s", (long long) now, req->id);
    else
        snprintf (field, sizeof field, "c:%lld:%u", (long long) now, atomic_fetch_add (&s_seq, 1));
    int rc = scoring_record_put (ctx, req, rd.covenant, hash, field, &c, round_key, "assessment.commented", &event, NULL,
                                 NULL, NULL, reply);
    msgpack_sbuffer_destroy (&c);
    msgpack_sbuffer_destroy (&event);
    return rc;
}

//  assessment.review {round_id, org_id}: the committee's verdicts and the company's comments.
int
scoring_assessment_review (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *round_id = f [ASSESSMENT_REVIEW_ROUND].str, *org = f [ASSESSMENT_REVIEW_ORG_ID].str;
    scoring_review_round_t rd;
    if (scoring_review_round (ctx, round_id, &rd, reply))
        return -1;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGETALL imvo:scoring:{%s}:round:%lld:review:%s", rd.covenant,
                                    (long long) rd.year, org);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return imvo_redis_fail_free (r, reply);
    uint32_t nv = 0, nc = 0;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        r->element [i]->str [0] == 'v' ? nv++ : nc++;
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 6);
    imvo_pack_kv_str (pk, "round_id", round_id);
    imvo_pack_kv_str (pk, "org_id", org);
    imvo_pack_kv_int (pk, "window_ends_at", rd.completed_at + SCORING_COMMENT_WINDOW_MS);
    imvo_pack_str (pk, "published_at");
    if (rd.published_at)
        msgpack_pack_int64 (pk, rd.published_at);
    else
        msgpack_pack_nil (pk);
    for (int pass = 0; pass < 2; pass++) {
        imvo_pack_str (pk, pass ? "comments" : "verifications");
        msgpack_pack_array (pk, pass ? nc : nv);
        for (size_t i = 0; i + 1 < r->elements; i += 2)
            if ((r->element [i]->str [0] == 'v') == !pass)
                msgpack_sbuffer_write (pk->data, r->element [i + 1]->str, r->element [i + 1]->len);
    }
    freeReplyObject (r);
    return 0;
}

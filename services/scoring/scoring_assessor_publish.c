/*  scoring_assessor_publish: the results of the assessor's step made public (issue 23, item 7).

    assessment.publish: the monitoring committee publishes a round's results only after the
    companies' comment window (SCORING_COMMENT_WINDOW_MS from the round's completion), once
    (lua/round_publish.lua, event assessment.published). assessment.results: the published
    results, public: the companies on track named, and every company's public due-diligence
    report linked. The step itself (verify, comment, review): scoring_assessor.c.
*/
#include "scoring_internal.h"
#include "catalogue_collective.h"

int
scoring_assessment_publish (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *round_id = f [ASSESSMENT_PUBLISH_ROUND].str;
    scoring_review_round_t rd;
    if (scoring_review_round (ctx, round_id, &rd, reply))
        return -1;
    int64_t now = imvo_now_ms (), ends = rd.completed_at + SCORING_COMMENT_WINDOW_MS;
    if (!rd.published_at && now <= ends) {
        char day [40];
        scoring_review_day (ends, day, sizeof day);
        return imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "round_id",
                                "the companies may comment for two weeks: the results of %s are published after %s",
                                round_id, day);
    }
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:scoring:{%s}:round:%lld", rd.covenant, (long long) rd.year);
    imvo_args_fmt (&args, "imvo:scoring:{%s}", rd.covenant);
    imvo_args_str (&args, round_id);
    imvo_args_str (&args, rd.covenant);
    imvo_args_fmt (&args, "%lld", (long long) rd.year);
    imvo_args_fmt (&args, "%lld", (long long) now);
    return imvo_commit (ctx, req, rd.covenant, "round_publish", &keys, &args, reply);
}

//  The published results: the companies on track by name (the public report's rule), and
//  every company's public due-diligence report.
int
scoring_assessment_results (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *round_id = f [ASSESSMENT_PUBLISH_ROUND].str;
    scoring_review_round_t rd;
    if (scoring_review_round (ctx, round_id, &rd, reply))
        return -1;
    if (!rd.published_at)
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "round_id",
                                "the results of %s are not published yet (after the companies' two weeks)", round_id);
    size_t n = 0;
    zlistx_t *keep = NULL;
    zchunk_t **pairs = scoring_results_read (ctx, rd.covenant, rd.year, &n, &keep);
    redisReply *subs = pairs ? imvo_redis_cmd (ctx->redis, "HGETALL imvo:scoring:{%s}:sub:%lld", rd.covenant,
                                               (long long) rd.year) : NULL;
    if (!subs || subs->type != REDIS_REPLY_ARRAY) {
        int rc = imvo_redis_fail (subs, reply);
        if (subs)
            freeReplyObject (subs);
        free (pairs);
        zlistx_destroy (&keep);
        return rc;
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 8192);
    msgpack_object *res = calloc (n + 1, sizeof *res);
    const char **urls = calloc (n + 1, sizeof *urls);
    uint32_t named = 0, reports = 0;
    for (size_t i = 0; i < n; i++) {
        const char *why;
        if (imvo_msg_unpack ((const char *) zchunk_data (pairs [2 * i + 1]), zchunk_size (pairs [2 * i + 1]) - 1, &zone,
                             &res [i], &why))
            res [i].type = MSGPACK_OBJECT_NIL;
        const msgpack_object *on = imvo_map_get (&res [i], "on_track");
        named += on && on->type == MSGPACK_OBJECT_BOOLEAN && on->via.boolean;
        for (size_t k = 0; k + 1 < subs->elements; k += 2)
            if (streq (subs->element [k]->str, (const char *) zchunk_data (pairs [2 * i]))) {
                redisReply *v = subs->element [k + 1];
                msgpack_object s = scoring_review_unpack (v, &zone);
                const msgpack_object *url = imvo_map_get (&s, "public_report_url");
                if (imvo_obj_is_str (url)) {
                    char *copy = msgpack_zone_malloc (&zone, url->via.str.size + 1);
                    memcpy (copy, url->via.str.ptr, url->via.str.size);
                    copy [url->via.str.size] = 0;
                    urls [i] = copy;
                    reports++;
                }
            }
    }
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 7);
    imvo_pack_kv_str (pk, "round_id", round_id);
    imvo_pack_kv_str (pk, "covenant", rd.covenant);
    imvo_pack_kv_int (pk, "year", rd.year);
    imvo_pack_kv_int (pk, "published_at", rd.published_at);
    static const char *const shown [] = { "org_id", "name", "score", "band", "track" };
    for (int pass = 0; pass < 2; pass++) {
        imvo_pack_str (pk, pass ? "reports" : "results");
        msgpack_pack_array (pk, pass ? reports : named);
        for (size_t i = 0; i < n; i++) {
            const msgpack_object *on = imvo_map_get (&res [i], "on_track");
            bool is_on = on && on->type == MSGPACK_OBJECT_BOOLEAN && on->via.boolean;
            if (pass ? !urls [i] : !is_on)
                continue;
            msgpack_pack_map (pk, pass ? 3 : 6);
            for (int k = 0; k < (pass ? 2 : 5); k++) {
                const msgpack_object *v = imvo_map_get (&res [i], shown [k]);
                imvo_pack_str (pk, shown [k]);
                if (v)
                    msgpack_pack_object (pk, *v);
                else
                    msgpack_pack_nil (pk);
            }
            imvo_pack_kv_str (pk, "report_url", urls [i]);
        }
        if (!pass)
            imvo_pack_kv_int (pk, "not_named", (int64_t) (n - named));
    }
    free (res);
    free (urls);
    msgpack_zone_destroy (&zone);
    freeReplyObject (subs);
    free (pairs);
    zlistx_destroy (&keep);
    return 0;
}

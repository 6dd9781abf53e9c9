/*  scoring_results: a round's results (assessment.get), appeals (assessment.appeal and
    assessment.appeal_decide) and the report request. The monitoring committee and staff see
    every result; a company sees only its own. */
#include "scoring_internal.h"

//  Reads a round's hash fields; status NULL (not_found) when there is no such round.
static redisReply *
s_round (imvo_ctx_t *ctx, const char *round_id, char *covenant, size_t size, int64_t *year, imvo_reply_t *reply)
{
    if (scoring_round_parse (round_id, covenant, size, year)) {
        imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "round_id", "a round id reads <covenant>-<year>, e.g. textile-2025");
        return NULL;
    }
    redisReply *r = imvo_redis_cmd (ctx->redis,
                                    "HMGET imvo:scoring:{%s}:round:%lld status version started_at completed_at run_ms "
                                    "summary risks", covenant, (long long) *year);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 7) {
        imvo_redis_fail_free (r, reply);
        return NULL;
    }
    if (r->element [0]->type != REDIS_REPLY_STRING) {
        freeReplyObject (r);
        imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "round_id", "no round %s: the monitoring committee starts it", round_id);
        return NULL;
    }
    return r;
}

static void
s_pack_field (msgpack_packer *pk, const char *key, redisReply *v, bool packed, bool number)
{
    imvo_pack_str (pk, key);
    if (v->type != REDIS_REPLY_STRING)
        msgpack_pack_nil (pk);
    else
    if (packed)
        msgpack_sbuffer_write (pk->data, v->str, v->len);
    else
    if (number)
        msgpack_pack_int64 (pk, strtoll (v->str, NULL, 10));
    else
        imvo_pack_strn (pk, v->str, v->len);
}

static int
s_chunk_cmp (const void *a, const void *b)
{
    return strcmp ((char *) zchunk_data (*(zchunk_t *const *) a), (char *) zchunk_data (*(zchunk_t *const *) b));
}

//  The stored results as sorted (org id, packed result) chunk pairs; NULL when Redis failed.
zchunk_t **
scoring_results_read (imvo_ctx_t *ctx, const char *covenant, int64_t year, size_t *n, zlistx_t **keep)
{
    char key [128];
    snprintf (key, sizeof key, "imvo:scoring:{%s}:round:%lld:results", covenant, (long long) year);
    *keep = imvo_redis_scan (ctx->redis, key, true);
    if (!*keep)
        return NULL;
    *n = zlistx_size (*keep) / 2;
    zchunk_t **pairs = calloc (*n + 1, 2 * sizeof (zchunk_t *));
    size_t k = 0;
    for (zchunk_t *c = zlistx_first (*keep); c && k < 2 * *n; c = zlistx_next (*keep))
        pairs [k++] = c;
    qsort (pairs, *n, 2 * sizeof (zchunk_t *), s_chunk_cmp);
    //  A page may repeat a field while the hash resizes: keep each once.
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (w == 0 || s_chunk_cmp (&pairs [2 * i], &pairs [2 * (w - 1)])) {
            pairs [2 * w] = pairs [2 * i];
            pairs [2 * w + 1] = pairs [2 * i + 1];
            w++;
        }
    *n = w;
    return pairs;
}

int
scoring_assessment_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40];
    int64_t year;
    redisReply *round = s_round (ctx, f [ASSESSMENT_GET_ROUND].str, covenant, sizeof covenant, &year, reply);
    if (!round)
        return -1;
    bool company = streq (req->role, "company");
    size_t n = 0;
    zlistx_t *keep = NULL;
    zchunk_t **pairs = NULL;
    redisReply *own = NULL, *appeal = NULL;
    int rc = 0;
    if (company) {
        own = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld:results %s", covenant, (long long) year,
                              req->org);
        if (!own || own->type == REDIS_REPLY_ERROR)
            rc = imvo_redis_fail (own, reply);
        //  A company sees its own appeal of the round too, and how it was decided.
        appeal = rc ? NULL : imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:appeals %s-%s", covenant,
                                             f [ASSESSMENT_GET_ROUND].str, req->org);
        if (!rc && (!appeal || appeal->type == REDIS_REPLY_ERROR))
            rc = imvo_redis_fail (appeal, reply);
    }
    else
    if (!(pairs = scoring_results_read (ctx, covenant, year, &n, &keep)))
        rc = imvo_redis_fail (NULL, reply);
    if (rc == 0) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        bool appealed = company && appeal->type == REDIS_REPLY_STRING;
        msgpack_pack_map (pk, 11 + appealed);
        if (appealed) {
            imvo_pack_str (pk, "appeal");
            msgpack_sbuffer_write (pk->data, appeal->str, appeal->len);
        }
        imvo_pack_kv_str (pk, "round_id", f [ASSESSMENT_GET_ROUND].str);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_kv_int (pk, "year", year);
        s_pack_field (pk, "status", round->element [0], false, false);
        s_pack_field (pk, "version", round->element [1], false, true);
        s_pack_field (pk, "started_at", round->element [2], false, true);
        s_pack_field (pk, "completed_at", round->element [3], false, true);
        s_pack_field (pk, "run_ms", round->element [4], false, true);
        imvo_pack_str (pk, "results");
        if (company) {
            bool has = own->type == REDIS_REPLY_STRING;
            msgpack_pack_array (pk, has);
            if (has)
                msgpack_sbuffer_write (pk->data, own->str, own->len);
        }
        else {
            msgpack_pack_array (pk, (uint32_t) n);
            for (size_t i = 0; i < n; i++)
                msgpack_sbuffer_write (pk->data, (const char *) zchunk_data (pairs [2 * i + 1]),
                                       zchunk_size (pairs [2 * i + 1]) - 1);
        }
        //  A company sees the sector's aggregate, not others' results.
        s_pack_field (pk, "summary", round->element [5], true, false);
        s_pack_field (pk, "collective_risks", round->element [6], true, false);
    }
    if (own)
        freeReplyObject (own);
    if (appeal)
        freeReplyObject (appeal);
    free (pairs);
    zlistx_destroy (&keep);
    freeReplyObject (round);
    return rc;
}

int
scoring_assessment_appeal (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40];
    int64_t year;
    const char *round_id = f [ASSESSMENT_APPEAL_ROUND].str, *org = f [ASSESSMENT_APPEAL_ORG_ID].str;
    redisReply *round = s_round (ctx, round_id, covenant, sizeof covenant, &year, reply);
    if (!round)
        return -1;
    freeReplyObject (round);
    char appeal_id [128];
    snprintf (appeal_id, sizeof appeal_id, "%s-%s", round_id, org);
    int64_t now = imvo_now_ms ();
    msgpack_sbuffer appeal;
    msgpack_sbuffer_init (&appeal);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &appeal, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 7);
    imvo_pack_kv_str (&pk, "appeal_id", appeal_id);
    imvo_pack_kv_str (&pk, "round_id", round_id);
    imvo_pack_kv_str (&pk, "org_id", org);
    imvo_pack_kv_str (&pk, "reason", f [ASSESSMENT_APPEAL_REASON].str);
    imvo_pack_kv_str (&pk, "status", "open");
    imvo_pack_kv_int (&pk, "at", now);
    imvo_pack_kv_str (&pk, "by", req->role);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
    imvo_args_fmt (&keys, "imvo:scoring:{%s}:round:%lld", covenant, (long long) year);
    imvo_args_fmt (&args, "%lld", (long long) year);
    imvo_args_str (&args, org);
    imvo_args_str (&args, appeal_id);
    imvo_args_add (&args, appeal.data, appeal.size);
    imvo_args_fmt (&args, "%lld", (long long) now);
    imvo_args_fmt (&args, "%lld", (long long) SCORING_APPEAL_DAYS * 86400000LL);
    int rc = imvo_commit (ctx, req, covenant, "appeal_put", &keys, &args, reply);
    msgpack_sbuffer_destroy (&appeal);
    return rc;
}


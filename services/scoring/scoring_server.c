/*  scoring_server: the monitoring committee's yearly assessment (proto/README.md,
    "scoring"): frameworks, companies' action plans, the round, appeals and the sector report.
    The round itself runs in scoring_round.c, beside the requests; see scoring_internal.h. */
#include "scoring_internal.h"

#include <time.h>

extern const imvo_script_t scoring_scripts [];

int
scoring_round_parse (const char *round_id, char *covenant, size_t size, int64_t *year)
{
    const char *dash = strrchr (round_id, '-');
    if (!dash || dash == round_id || (size_t) (dash - round_id) >= size || strlen (dash + 1) != 4)
        return -1;
    char *end;
    *year = strtoll (dash + 1, &end, 10);
    if (*end || *year < 2000 || *year > 2100)
        return -1;
    snprintf (covenant, size, "%.*s", (int) (dash - round_id), round_id);
    return 0;
}


static int
s_framework_put (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [FRAMEWORK_PUT_COVENANT].str;
    msgpack_sbuffer packed;
    msgpack_sbuffer_init (&packed);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &packed, msgpack_sbuffer_write);
    msgpack_pack_object (&pk, *req->body);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
    imvo_args_fmt (&keys, "imvo:scoring:{%s}:frameworks", covenant);
    imvo_args_str (&args, covenant);
    imvo_args_fmt (&args, "%lld", (long long) f [FRAMEWORK_PUT_VERSION].i);
    imvo_args_add (&args, packed.data, packed.size);
    int rc = imvo_commit (ctx, req, covenant, "framework_put", &keys, &args, reply);
    msgpack_sbuffer_destroy (&packed);
    return rc;
}

static int
s_framework_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    scoring_fw_t fw;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    char *packed;
    size_t len;
    int rc = scoring_framework_read (ctx, f [FRAMEWORK_GET_COVENANT].str,
                                     f [FRAMEWORK_GET_VERSION].present ? f [FRAMEWORK_GET_VERSION].i : 0, &fw, &zone,
                                     &packed, &len, reply);
    if (rc == 0)
        imvo_reply_raw (reply, packed, len);
    free (packed);
    msgpack_zone_destroy (&zone);
    return rc;
}

//  The end of the due date of a year, in ms (UTC).
static int64_t
s_due_ms (const char *due, int64_t year)
{
    struct tm tm = { .tm_year = (int) year - 1900, .tm_hour = 23, .tm_min = 59, .tm_sec = 59 };
    tm.tm_mon = atoi (due) - 1;
    tm.tm_mday = atoi (due + 3);
    return (int64_t) timegm (&tm) * 1000 + 999;
}

static int
s_submission_put (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [SUBMISSION_PUT_COVENANT].str;
    scoring_fw_t fw;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    char *packed = NULL;
    size_t len;
    int rc = scoring_framework_read (ctx, covenant, 0, &fw, &zone, &packed, &len, reply);
    if (rc == 0)
        rc = scoring_check_answers (&fw, f [SUBMISSION_PUT_ANSWERS].obj, reply);
    if (rc == 0) {
        int64_t now = imvo_now_ms ();
        bool late = now > s_due_ms (fw.due, f [SUBMISSION_PUT_YEAR].i);
        msgpack_sbuffer sub;
        msgpack_sbuffer_init (&sub);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sub, msgpack_sbuffer_write);
        const imvo_value_t *risks = &f [SUBMISSION_PUT_RISKS], *url = &f [SUBMISSION_PUT_REPORT_URL],
                           *projects = &f [SUBMISSION_PUT_PROJECTS];
        msgpack_pack_map (&pk, 5 + risks->present + url->present + projects->present);
        imvo_pack_str (&pk, "answers");
        msgpack_pack_object (&pk, *f [SUBMISSION_PUT_ANSWERS].obj);
        imvo_pack_kv_bool (&pk, "late", late);
        imvo_pack_kv_int (&pk, "at", now);
        imvo_pack_kv_str (&pk, "by", req->role);
        imvo_pack_kv_int (&pk, "version", fw.version);
        if (risks->present) {
            imvo_pack_str (&pk, "risks");
            msgpack_pack_object (&pk, *risks->obj);
        }
        if (url->present)
            imvo_pack_kv_str (&pk, "public_report_url", url->str);
        if (projects->present) {
            imvo_pack_str (&pk, "projects");
            msgpack_pack_object (&pk, *projects->obj);
        }
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
        imvo_args_fmt (&keys, "imvo:scoring:{%s}:sub:%lld", covenant, (long long) f [SUBMISSION_PUT_YEAR].i);
        imvo_args_str (&args, f [SUBMISSION_PUT_ORG_ID].str);
        imvo_args_fmt (&args, "%lld", (long long) f [SUBMISSION_PUT_YEAR].i);
        imvo_args_add (&args, sub.data, sub.size);
        imvo_args_str (&args, late ? "1" : "0");
        imvo_args_fmt (&args, "%lld", (long long) now);
        rc = imvo_commit (ctx, req, covenant, "submission_put", &keys, &args, reply);
        msgpack_sbuffer_destroy (&sub);
    }
    free (packed);
    msgpack_zone_destroy (&zone);
    return rc;
}

//  submission.get: the stored plan as it was put, with org_id, year and its documents (the
//  catalogue keeps a company to its own org_id).
static int
s_submission_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [SUBMISSION_GET_COVENANT].str, *org = f [SUBMISSION_GET_ORG_ID].str;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:sub:%lld %s", covenant,
                                    (long long) f [SUBMISSION_GET_YEAR].i, org);
    if (!r || r->type == REDIS_REPLY_ERROR)
        return imvo_redis_fail_free (r, reply);
    int rc = 0;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object sub;
    const char *why;
    redisReply *docs = r->type == REDIS_REPLY_STRING
                     ? scoring_documents_read (ctx, covenant, f [SUBMISSION_GET_YEAR].i, org) : NULL;
    if (r->type == REDIS_REPLY_STRING && !docs)
        rc = imvo_redis_fail (NULL, reply);
    else
    if (r->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "year", "%s has no action plan for %lld in %s", org,
                              (long long) f [SUBMISSION_GET_YEAR].i, covenant);
    else
    if (imvo_msg_unpack (r->str, r->len, &zone, &sub, &why) || sub.type != MSGPACK_OBJECT_MAP)
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable submission");
    else {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, sub.via.map.size + 3);
        imvo_pack_kv_str (pk, "org_id", org);
        imvo_pack_kv_int (pk, "year", f [SUBMISSION_GET_YEAR].i);
        for (uint32_t i = 0; i < sub.via.map.size; i++) {
            msgpack_pack_object (pk, sub.via.map.ptr [i].key);
            msgpack_pack_object (pk, sub.via.map.ptr [i].val);
        }
        scoring_documents_pack (pk, docs);          //  scoring_documents.c
    }
    if (docs)
        freeReplyObject (docs);
    msgpack_zone_destroy (&zone);
    freeReplyObject (r);
    return rc;
}

static int
s_assessment_start (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [ASSESSMENT_START_COVENANT].str;
    long long year = (long long) f [ASSESSMENT_START_YEAR].i;
    scoring_fw_t fw;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    char *packed = NULL;
    size_t len;
    int rc = scoring_framework_read (ctx, covenant, 0, &fw, &zone, &packed, &len, reply);
    free (packed);
    msgpack_zone_destroy (&zone);
    if (rc)
        return rc;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
    imvo_args_fmt (&keys, "imvo:scoring:{%s}:round:%lld", covenant, year);
    imvo_args_str (&args, covenant);
    imvo_args_fmt (&args, "%lld", year);
    imvo_args_fmt (&args, "%lld", (long long) fw.version);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    imvo_args_fmt (&args, "%s-%lld", covenant, year);
    rc = imvo_commit (ctx, req, covenant, "round_start", &keys, &args, reply);
    if (rc == 0) {
        //  The runner takes it from here (and again after a restart, until it completes).
        redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld status", covenant, year);
        if (r && r->type == REDIS_REPLY_STRING && streq (r->str, "running")) {
            freeReplyObject (r);
            r = imvo_redis_cmd (ctx->redis, "SADD %s %s|%lld", SCORING_RUNNING, covenant, year);
        }
        if (r)
            freeReplyObject (r);
    }
    return rc;
}

static int
s_start (imvo_ctx_t *ctx)
{
    (void) ctx;
    return scoring_seed_load ();
}

static const imvo_handler_t s_handlers [] = {
    { "framework.put", s_framework_put },
    { "framework.get", s_framework_get },
    { "submission.put", s_submission_put },
    { "submission.get", s_submission_get },
    { "submission.attach", scoring_submission_attach },
    { "submission.document", scoring_submission_document },
    { "assessment.start", s_assessment_start },
    { "assessment.get", scoring_assessment_get },
    { "assessment.appeal", scoring_assessment_appeal },
    { "assessment.appeal_decide", scoring_assessment_decide },
    { "assessment.report", scoring_assessment_report },
    { "collective.choose", scoring_collective_choose },
    { "project.put", scoring_project_put },
    { "project.list", scoring_project_list },
    { "assessment.verify", scoring_assessment_verify },
    { "assessment.comment", scoring_assessment_comment },
    { "assessment.review", scoring_assessment_review },
    { "assessment.publish", scoring_assessment_publish },
    { "assessment.results", scoring_assessment_results },
    { "assessment.round", scoring_assessment_round },
    { NULL, NULL },
};

//  The runner: rounds that were started are scored, a batch of companies at a time.
static const imvo_timer_t s_timers [] = {
    { "rounds", 250, scoring_rounds_tick },
    { NULL, 0, NULL },
};

const imvo_service_def_t scoring_service = {
    .name = "scoring",
    .handlers = s_handlers,
    .scripts = scoring_scripts,
    .on_start = s_start,
    .timers = s_timers,
    .max_msg_bytes = 5L << 20,      //  submission.attach: a document of 4 MiB in one call
};

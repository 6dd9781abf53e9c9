/*  The scoring daemon's messages: assessment frameworks, companies' yearly action plans
    (submissions), the monitoring committee's round, appeals and the sector report
    (proto/README.md "scoring"). Round ids read "<covenant>-<year>". */
#include "imvo_proto.h"
#include "catalogue_scoring.h"
#include "catalogue_collective.h"

#include <stdio.h>
#include <string.h>

static const char *const s_formats [] = { "markdown", "html", NULL };

#define COVENANT(i) [i] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" }
#define YEAR(i) [i] = { "year", IMVO_F_INT, true, 2000, 2100, 0, NULL, "the year assessed" }
#define ROUND(i) [i] = { "round_id", IMVO_F_STR, true, 6, 40, IMVO_FMT_CODE, NULL, "a round, e.g. textile-2025" }

static const imvo_field_t s_framework_put [] = {
    COVENANT (FRAMEWORK_PUT_COVENANT),
    [FRAMEWORK_PUT_VERSION] = { "version", IMVO_F_INT, true, 1, 1000, 0, NULL, "the framework's version (a version a round used is frozen)" },
    [FRAMEWORK_PUT_DUE] = { "due", IMVO_F_STR, true, 5, 5, IMVO_FMT_LINE, NULL, "the yearly submission date, MM-DD" },
    [FRAMEWORK_PUT_PARTS] = { "parts", IMVO_F_ARRAY, true, 1, SCORING_MAX_PARTS, 0, NULL,
                              "[{code, name, weight, criteria: [{id, text, max}]}], weights adding up to 100" },
    [FRAMEWORK_PUT_BANDS] = { "bands", IMVO_F_ARRAY, true, 1, SCORING_MAX_BANDS, 0, NULL, "[{code, min}], one with min 0" },
    [FRAMEWORK_PUT_NAME] = { "name", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "what the framework is called" },
};
static const imvo_field_t s_framework_get [] = {
    COVENANT (FRAMEWORK_GET_COVENANT),
    [FRAMEWORK_GET_VERSION] = { "version", IMVO_F_INT, false, 1, 1000, 0, NULL, "a version (default: the latest)" },
};
static const imvo_field_t s_submission_put [] = {
    COVENANT (SUBMISSION_PUT_COVENANT),
    [SUBMISSION_PUT_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company" },
    YEAR (SUBMISSION_PUT_YEAR),
    [SUBMISSION_PUT_ANSWERS] = { "answers", IMVO_F_MAP, true, 1, SCORING_MAX_CRITERIA, 0, NULL, "{criterion id: points}" },
    [SUBMISSION_PUT_RISKS] = { "risks", IMVO_F_ARRAY, false, 0, SCORING_MAX_RISKS, 0, NULL,
                               "identified risks: [{theme, country, severity 1-4}]" },
    [SUBMISSION_PUT_REPORT_URL] = { "public_report_url", IMVO_F_STR, false, 8, 500, IMVO_FMT_URL, NULL, "the company's public due-diligence report" },
    [SUBMISSION_PUT_PROJECTS] = { "projects", IMVO_F_STRLIST, false, 0, 20, IMVO_FMT_CODE, NULL, "collective projects the company says it takes part in (the year-3 rule reads project.put's participants instead)" },
};
static const imvo_field_t s_submission_get [] = {
    COVENANT (SUBMISSION_GET_COVENANT),
    [SUBMISSION_GET_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company (a company: itself)" },
    YEAR (SUBMISSION_GET_YEAR),
};
//  The documents of an action plan: their types are checked against their bytes (libmagic).
static const char *const s_doc_types [] = { "application/pdf", "text/plain", "text/csv", "image/png", "image/jpeg", NULL };
static const imvo_field_t s_submission_attach [] = {
    COVENANT (SUBMISSION_ATTACH_COVENANT),
    [SUBMISSION_ATTACH_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company (a company: itself)" },
    YEAR (SUBMISSION_ATTACH_YEAR),
    [SUBMISSION_ATTACH_NAME] = { "name", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "the document's file name" },
    [SUBMISSION_ATTACH_TYPE] = { "content_type", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, s_doc_types, "application/pdf, text/plain, text/csv, image/png or image/jpeg, as its bytes say" },
    [SUBMISSION_ATTACH_DATA] = { "data", IMVO_F_BIN, true, 1, SCORING_DOC_MAX, 0, NULL, "the document's bytes (up to 4 MiB)" },
};
static const imvo_field_t s_submission_document [] = {
    COVENANT (SUBMISSION_DOCUMENT_COVENANT),
    [SUBMISSION_DOCUMENT_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company (a company: itself)" },
    YEAR (SUBMISSION_DOCUMENT_YEAR),
    [SUBMISSION_DOCUMENT_DOC] = { "doc_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "a document of the plan (submission.get lists them)" },
};
static const imvo_field_t s_assessment_start [] = { COVENANT (ASSESSMENT_START_COVENANT), YEAR (ASSESSMENT_START_YEAR) };
static const imvo_field_t s_assessment_get [] = { ROUND (ASSESSMENT_GET_ROUND) };
static const imvo_field_t s_assessment_appeal [] = {
    ROUND (ASSESSMENT_APPEAL_ROUND),
    [ASSESSMENT_APPEAL_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company appealing" },
    [ASSESSMENT_APPEAL_REASON] = { "reason", IMVO_F_STR, true, 1, 2000, IMVO_FMT_TEXT, NULL, "why the result is wrong" },
};
static const imvo_field_t s_assessment_decide [] = {
    [ASSESSMENT_DECIDE_APPEAL] = { "appeal_id", IMVO_F_STR, true, 8, 80, IMVO_FMT_ID, NULL, "the appeal" },
    [ASSESSMENT_DECIDE_ACCEPT] = { "accept", IMVO_F_BOOL, true, 0, 0, 0, NULL, "true: rescore with the corrected answers" },
    [ASSESSMENT_DECIDE_ANSWERS] = { "answers", IMVO_F_MAP, false, 1, SCORING_MAX_CRITERIA, 0, NULL, "corrected answers {criterion id: points}" },
    [ASSESSMENT_DECIDE_REASON] = { "reason", IMVO_F_STR, false, 1, 2000, IMVO_FMT_TEXT, NULL, "the committee's reasons" },
};
static const imvo_field_t s_assessment_report [] = {
    ROUND (ASSESSMENT_REPORT_ROUND),
    [ASSESSMENT_REPORT_FORMAT] = { "format", IMVO_F_STR, false, 1, 16, IMVO_FMT_CODE, s_formats, "markdown (default) or html" },
};

static const char *const s_plan_statuses [] = { "submitted", "late", "missing", NULL };
static const imvo_field_t s_assessment_round [] = {
    COVENANT (ASSESSMENT_ROUND_COVENANT),
    YEAR (ASSESSMENT_ROUND_YEAR),
    [ASSESSMENT_ROUND_Q] = { "q", IMVO_F_STR, false, 1, 100, IMVO_FMT_LINE, NULL, "only companies whose name or org_id holds these letters (any case)" },
    [ASSESSMENT_ROUND_STATUS] = { "status", IMVO_F_STR, false, 1, 16, IMVO_FMT_CODE, s_plan_statuses, "only companies whose plan is submitted (on time), late or missing" },
    [ASSESSMENT_ROUND_OFFSET] = { "offset", IMVO_F_INT, false, 0, 1000000, 0, NULL, "skip this many companies (default 0)" },
    [ASSESSMENT_ROUND_LIMIT] = { "limit", IMVO_F_INT, false, 0, 500, 0, NULL, "most companies to show (default 100; 0: the counts only)" },
    [ASSESSMENT_ROUND_APPEALED] = { "appealed", IMVO_F_BOOL, false, 0, 0, 0, NULL, "only companies that appealed against this round (the appeals page: their names and results in one call)" },
};

static bool
s_is_str (const msgpack_object *o)
{
    return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size > 0 && o->via.str.size <= 200;
}

static bool
s_is_uint (const msgpack_object *o, uint64_t max)
{
    return o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= max;
}

//  A framework's parts, criteria and bands: codes, weights adding up to 100, criteria ids
//  unique, bands with one starting at 0.
static int
s_framework_check (const imvo_value_t *f, imvo_error_t *err)
{
    const char *due = f [FRAMEWORK_PUT_DUE].str;
    int month, day;
    if (sscanf (due, "%2d-%2d", &month, &day) != 2 || due [2] != '-' || month < 1 || month > 12 || day < 1 || day > 31)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "due", "due must be a month and day, MM-DD");
    const msgpack_object *parts = f [FRAMEWORK_PUT_PARTS].obj;
    uint64_t weights = 0;
    size_t ncriteria = 0;
    char field [96];
    for (uint32_t p = 0; p < parts->via.array.size; p++) {
        const msgpack_object *part = &parts->via.array.ptr [p], *criteria = imvo_map_get (part, "criteria");
        snprintf (field, sizeof field, "parts.%u", p);
        if (part->type != MSGPACK_OBJECT_MAP || !s_is_str (imvo_map_get (part, "code"))
        ||  !s_is_str (imvo_map_get (part, "name")) || !s_is_uint (imvo_map_get (part, "weight"), 100)
        ||  !criteria || criteria->type != MSGPACK_OBJECT_ARRAY || criteria->via.array.size == 0)
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field,
                                   "%s must be {code, name, weight 0-100, criteria: [{id, text, max}, ...]}", field);
        weights += imvo_map_get (part, "weight")->via.u64;
        for (uint32_t c = 0; c < criteria->via.array.size; c++) {
            const msgpack_object *cr = &criteria->via.array.ptr [c];
            snprintf (field, sizeof field, "parts.%u.criteria.%u", p, c);
            if (cr->type != MSGPACK_OBJECT_MAP || !s_is_str (imvo_map_get (cr, "id"))
            ||  !s_is_uint (imvo_map_get (cr, "max"), SCORING_CRITERION_MAX) || imvo_map_get (cr, "max")->via.u64 == 0
            ||  (imvo_map_get (cr, "text") && !imvo_obj_is_str (imvo_map_get (cr, "text"))))
                return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field,
                                       "%s must be {id, text, max 1-%d}", field, SCORING_CRITERION_MAX);
            if (++ncriteria > SCORING_MAX_CRITERIA)
                return imvo_error_set (err, IMVO_ERR_TOO_LARGE, "parts", "a framework has at most %d criteria",
                                       SCORING_MAX_CRITERIA);
        }
    }
    if (weights != 100)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "parts", "the parts' weights add up to %llu, not 100",
                               (unsigned long long) weights);
    const msgpack_object *bands = f [FRAMEWORK_PUT_BANDS].obj;
    bool zero = false;
    for (uint32_t b = 0; b < bands->via.array.size; b++) {
        const msgpack_object *band = &bands->via.array.ptr [b];
        snprintf (field, sizeof field, "bands.%u", b);
        if (band->type != MSGPACK_OBJECT_MAP || !s_is_str (imvo_map_get (band, "code"))
        ||  !s_is_uint (imvo_map_get (band, "min"), 100))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be {code, min 0-100}", field);
        zero |= imvo_map_get (band, "min")->via.u64 == 0;
    }
    if (!zero)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "bands", "one band must start at min 0");
    return 0;
}

//  Answers are whole points; the criteria themselves are checked against the framework by
//  the daemon (unknown criterion, out of range). Risks name a theme, a country and a severity.
static int
s_submission_check (const imvo_value_t *f, imvo_error_t *err)
{
    const msgpack_object *answers = f [SUBMISSION_PUT_ANSWERS].obj;
    char field [96];
    for (uint32_t i = 0; i < answers->via.map.size; i++) {
        const msgpack_object_kv *kv = &answers->via.map.ptr [i];
        if (!s_is_str (&kv->key))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "answers", "answers' keys are criterion ids");
        snprintf (field, sizeof field, "answers.%.*s", (int) kv->key.via.str.size, kv->key.via.str.ptr);
        if (!s_is_uint (&kv->val, SCORING_CRITERION_MAX))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be whole points, 0 or more", field);
    }
    const msgpack_object *risks = f [SUBMISSION_PUT_RISKS].present ? f [SUBMISSION_PUT_RISKS].obj : NULL;
    for (uint32_t i = 0; risks && i < risks->via.array.size; i++) {
        const msgpack_object *r = &risks->via.array.ptr [i], *country = imvo_map_get (r, "country");
        snprintf (field, sizeof field, "risks.%u", i);
        if (r->type != MSGPACK_OBJECT_MAP || !s_is_str (imvo_map_get (r, "theme")) || !imvo_obj_is_str (country)
        ||  !imvo_proto_format_ok (IMVO_FMT_COUNTRY, country->via.str.ptr, country->via.str.size)
        ||  !s_is_uint (imvo_map_get (r, "severity"), 4) || imvo_map_get (r, "severity")->via.u64 == 0)
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field,
                                   "%s must be {theme, country (ISO code), severity 1-4}", field);
    }
    return 0;
}

#define MSG(var, type, summary, fields, who, own, check, ...) \
    static const imvo_proto_msg_t var = { type, summary, IMVO_FIELDS (fields), who, own, NULL, check, \
                                          .service = "scoring", __VA_ARGS__ };
#define MONITORING (IMVO_ROLE_MONITORING)

MSG (s_framework_put_msg, "framework.put", "set a covenant's assessment framework (a version a round used is frozen)", s_framework_put, MONITORING | IMVO_ROLE_SECRETARIAT, NULL, s_framework_check, .idem_ttl = IMVO_WEEK, .reply = "covenant version replaced")
MSG (s_framework_get_msg, "framework.get", "a covenant's assessment framework (the latest version by default)", s_framework_get, IMVO_PUBLIC, NULL, NULL, .reply = "covenant version due parts bands name? sources?")
MSG (s_submission_put_msg, "submission.put", "a company's yearly due-diligence action plan: answers per criterion, risks, public report; only from a company the round assesses (a company party of the covenant, or one its trade associations list)", s_submission_put, IMVO_ROLE_COMPANY | IMVO_ROLE_SECRETARIAT, "org_id", s_submission_check, .idem_ttl = IMVO_WEEK, .reply = "org_id year late at")
MSG (s_submission_get_msg, "submission.get", "a company's action plan of a year as submitted (a company sees only its own)", s_submission_get, IMVO_ROLE_COMPANY | IMVO_STAFF | MONITORING, "org_id", NULL, .reply = "org_id year answers late at by version risks? public_report_url? projects? documents")
MSG (s_submission_attach_msg, "submission.attach", "a document with a company's action plan of a year (up to 4 MiB, at most 10 a plan; its type checked against its bytes)", s_submission_attach, IMVO_ROLE_COMPANY | IMVO_ROLE_SECRETARIAT, "org_id", NULL, .idem_ttl = IMVO_WEEK, .reply = "doc_id name content_type size")
MSG (s_submission_document_msg, "submission.document", "one document of a company's action plan, with its bytes (a company only its own)", s_submission_document, IMVO_ROLE_COMPANY | IMVO_STAFF | MONITORING, "org_id", NULL, .reply = "doc_id name content_type size at data")
MSG (s_assessment_start_msg, "assessment.start", "the monitoring committee starts a covenant's yearly round (the same round again when started twice)", s_assessment_start, MONITORING, NULL, NULL, .idem_ttl = IMVO_WEEK, .reply = "round_id status started")
MSG (s_assessment_get_msg, "assessment.get", "a round: results, summary, collective risks (a company sees only its own result, and its own appeal)", s_assessment_get, MONITORING | IMVO_STAFF | IMVO_ROLE_COMPANY, NULL, NULL, .reply = "round_id covenant year status version started_at completed_at run_ms results summary collective_risks appeal?")
MSG (s_assessment_appeal_msg, "assessment.appeal", "a company appeals its result, within 4 weeks of the round's completion", s_assessment_appeal, IMVO_ROLE_COMPANY | IMVO_ROLE_SECRETARIAT, "org_id", NULL, .idem_ttl = IMVO_WEEK, .reply = "appeal_id status")
MSG (s_assessment_decide_msg, "assessment.appeal_decide", "the monitoring committee decides an appeal (accepted: rescored with the corrected answers)", s_assessment_decide, MONITORING, NULL, NULL, .idem_ttl = IMVO_WEEK, .reply = "appeal_id round_id org_id reason status at by decision_reason decided_at old_score new_score published")
MSG (s_assessment_round_msg, "assessment.round", "a covenant's year as it runs: per company submitted, late or missing with its result, a page at a time in the round's order (the steering group: the counts only); before the round starts, the plans received so far", s_assessment_round, MONITORING | IMVO_STAFF | IMVO_ROLE_STEERING, NULL, NULL, .reply = "round_id covenant year status version? started_at? completed_at? counts total offset companies summary? collective_risks? appeals")
MSG (s_assessment_report_msg, "assessment.report", "the sector report as Markdown or one HTML page (public: no company below the threshold named)", s_assessment_report, IMVO_PUBLIC, NULL, NULL, .reply = "format report")

const imvo_proto_msg_t *const imvo_proto_scoring [] = {
    &s_framework_put_msg, &s_framework_get_msg, &s_submission_put_msg, &s_submission_get_msg, &s_submission_attach_msg,
    &s_submission_document_msg, &s_assessment_start_msg,
    &s_assessment_get_msg, &s_assessment_appeal_msg, &s_assessment_decide_msg, &s_assessment_report_msg, &s_assessment_round_msg,
    &collective_choose_msg, &project_put_msg, &project_list_msg, &assessment_verify_msg, &assessment_comment_msg,
    &assessment_review_msg, &assessment_publish_msg, &assessment_results_msg, NULL };

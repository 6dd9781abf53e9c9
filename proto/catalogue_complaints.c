/*  The complaints daemon's messages (PROTOCOL.md "complaints"; extra fields documented in
    proto/README.md). */
#include "imvo_proto.h"
#include "catalogue_complaints.h"

static const char *const s_complainant_kinds [] = {
    "worker", "union", "ngo", "representative", "other", NULL };

static const imvo_field_t s_submit [] = {
    [COMPLAINT_SUBMIT_COVENANT] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" },
    [COMPLAINT_SUBMIT_RESPONDENT] = { "respondent", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "org_id of the company complained about" },
    [COMPLAINT_SUBMIT_SUMMARY] = { "summary", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "one line" },
    [COMPLAINT_SUBMIT_DESCRIPTION] = { "description", IMVO_F_STR, true, 1, 20000, IMVO_FMT_TEXT, NULL, "what happened" },
    [COMPLAINT_SUBMIT_COMPLAINANT] = { "complainant", IMVO_F_MAP, true, 0, 16, 0, NULL, NULL },
    [COMPLAINT_SUBMIT_ANONYMOUS] = { "complainant.anonymous", IMVO_F_BOOL, true, 0, 0, 0, NULL, "file anonymously: you get a receipt to follow the case" },
    [COMPLAINT_SUBMIT_NAME] = { "complainant.name", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "complainant's name (not with --anonymous)" },
    [COMPLAINT_SUBMIT_CONTACT] = { "complainant.contact", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "e-mail or phone" },
    [COMPLAINT_SUBMIT_KIND] = { "complainant.kind", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, s_complainant_kinds, "worker, union, ngo, representative or other" },
    [COMPLAINT_SUBMIT_SHARE] = { "complainant.share_identity", IMVO_F_BOOL, false, 0, 0, 0, NULL, "let the company see who complains" },
    [COMPLAINT_SUBMIT_COUNTRY] = { "country", IMVO_F_STR, false, 2, 2, IMVO_FMT_COUNTRY, NULL, "where the harm happened (ISO code)" },
    [COMPLAINT_SUBMIT_LOCATION] = { "location_id", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "production location id" },
};

static const imvo_field_t s_get [] = {
    [COMPLAINT_GET_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
};

static const imvo_field_t s_status [] = {
    [COMPLAINT_STATUS_RECEIPT] = { "receipt", IMVO_F_STR, true, 1, 80, IMVO_FMT_RECEIPT, NULL, NULL },
};

static const char *const s_statuses [] = { "received", NULL };

static const imvo_field_t s_list [] = {
    [COMPLAINT_LIST_COVENANT] = { "covenant", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, NULL, "one covenant (default: all)" },
    [COMPLAINT_LIST_STATUS] = { "status", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, s_statuses, "only cases with this status" },
    [COMPLAINT_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most cases to show (default 100)" },
    [COMPLAINT_LIST_CURSOR] = { "cursor", IMVO_F_STR, false, 3, 128, IMVO_FMT_ID, NULL, "the next page: the next_cursor a page ended with" },
};

//  An anonymous complainant gives no name and does not share an identity; a named one gives
//  a name and a way to reach them.
static int
s_submit_check (const imvo_value_t *f, imvo_error_t *err)
{
    bool anonymous = f [COMPLAINT_SUBMIT_ANONYMOUS].b;
    if (anonymous && f [COMPLAINT_SUBMIT_NAME].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.name",
                               "an anonymous complaint must not carry complainant.name");
    if (anonymous && f [COMPLAINT_SUBMIT_SHARE].present && f [COMPLAINT_SUBMIT_SHARE].b)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.share_identity",
                               "complainant.share_identity cannot be true when complainant.anonymous is true");
    if (!anonymous && !f [COMPLAINT_SUBMIT_NAME].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.name",
                               "complainant.name is required unless complainant.anonymous is true");
    if (!anonymous && !f [COMPLAINT_SUBMIT_CONTACT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.contact",
                               "complainant.contact is required unless complainant.anonymous is true");
    return 0;
}

static const imvo_proto_msg_t s_complaint_submit = {
    "complaint.submit", "file a complaint about harm in a company's supply chain", IMVO_FIELDS (s_submit),
    IMVO_PUBLIC, NULL, NULL, s_submit_check };
static const imvo_proto_msg_t s_complaint_get = {
    "complaint.get", "a case as the secretariat sees it, with its history (a company: its own cases)",
    IMVO_FIELDS (s_get), IMVO_STAFF | IMVO_ROLE_COMPANY, NULL, NULL, NULL };
static const imvo_proto_msg_t s_complaint_status = {
    "complaint.status", "the complainant's view of a case, by receipt", IMVO_FIELDS (s_status),
    IMVO_PUBLIC, NULL, NULL, NULL };

static const imvo_proto_msg_t s_complaint_list = {
    "complaint.list", "cases, newest first, of one covenant or all, a page at a time (limit: default 100; cursor: the next_cursor of the page before)", IMVO_FIELDS (s_list),
    IMVO_STAFF, NULL, NULL, NULL };

static const imvo_field_t s_intake_result [] = {
    [COMPLAINT_INTAKE_RESULT_KEY] = { "key", IMVO_F_STR, true, 1, IMVO_KEY_MAX, IMVO_FMT_LINE, NULL,
                                      "the key the entry was queued with" },
};
static const imvo_proto_msg_t s_complaint_intake_result = {
    "complaint.intake_result", "the outcome of a complaint queued on imvo:complaints:intake, by its key: pending, done (case_id, receipt for 24 hours) or failed (error)",
    IMVO_FIELDS (s_intake_result), IMVO_ROLE_SERVICE | IMVO_ROLE_SECRETARIAT, NULL, NULL, NULL };

const imvo_proto_msg_t *const imvo_proto_complaints [] = {
    &s_complaint_submit, &s_complaint_get, &s_complaint_status, &s_complaint_list, &s_complaint_intake_result, NULL };

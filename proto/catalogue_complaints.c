/*  The complaints daemon's messages (proto/README.md "complaints", with the extra fields). */
#include "imvo_proto.h"
#include "catalogue_complaints.h"
#include "catalogue_evidence.h"
#include "catalogue_translation.h"

#include <string.h>

static const char *const s_complainant_kinds [] = {
    "worker", "union", "ngo", "representative", "other", NULL };

//  Seed 001 (textile): "Onafhankelijke klachten- en geschillenmechanisme ingesteld": beside
//  complaints, disputes (geschillen) between two parties, with the same life cycle.
static const char *const s_case_kinds [] = { "complaint", "dispute", NULL };

static const imvo_field_t s_submit [] = {
    [COMPLAINT_SUBMIT_COVENANT] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" },
    [COMPLAINT_SUBMIT_RESPONDENT] = { "respondent", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "org_id of the company complained about (else the secretariat sets it with complaint.update before the case moves on)" },
    [COMPLAINT_SUBMIT_SUMMARY] = { "summary", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "one line" },
    [COMPLAINT_SUBMIT_DESCRIPTION] = { "description", IMVO_F_STR, true, 1, 20000, IMVO_FMT_TEXT, NULL, "what happened" },
    [COMPLAINT_SUBMIT_COMPLAINANT] = { "complainant", IMVO_F_MAP, true, 0, 16, 0, NULL, NULL },
    [COMPLAINT_SUBMIT_ANONYMOUS] = { "complainant.anonymous", IMVO_F_BOOL, true, 0, 0, 0, NULL, "file anonymously: you get a receipt to follow the case" },
    [COMPLAINT_SUBMIT_NAME] = { "complainant.name", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "complainant's name (not with --anonymous)" },
    [COMPLAINT_SUBMIT_CONTACT] = { "complainant.contact", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "e-mail or phone" },
    [COMPLAINT_SUBMIT_KIND] = { "complainant.kind", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, s_complainant_kinds, "worker, union, ngo, representative or other" },
    [COMPLAINT_SUBMIT_SHARE] = { "complainant.share_identity", IMVO_F_BOOL, false, 0, 0, 0, NULL, "let the company see who complains" },
    [COMPLAINT_SUBMIT_COUNTRY] = { "country", IMVO_F_STR, false, 2, 2, IMVO_FMT_COUNTRY, NULL, "where the harm happened (ISO code)" },
    [COMPLAINT_SUBMIT_LOCATION] = { "location_id", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "production location id (location.search finds it in the published lists)" },
    [COMPLAINT_SUBMIT_PLACE] = { "place", IMVO_F_STR, false, 1, 300, IMVO_FMT_LINE, NULL, "a place not on the published lists, in the complainant's words (name, town, country): kept in the case file for the secretariat to match" },
    [COMPLAINT_SUBMIT_LANG] = { "lang", IMVO_F_STR, false, 2, 2, IMVO_FMT_CODE, complaint_langs, "the language the complainant wrote in: nl (default), en, fr, es, bn, hi, zh, tr or vi (the portal sends its page's)" },
    [COMPLAINT_SUBMIT_CASE_KIND] = { "kind", IMVO_F_STR, false, 1, 16, IMVO_FMT_CODE, s_case_kinds, "complaint (default) or dispute: a dispute between two parties of the covenant (claimant_org against respondent)" },
    [COMPLAINT_SUBMIT_CLAIMANT_ORG] = { "claimant_org", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "a dispute's claimant: a party of the covenant (its own certificate or account files it, or the secretariat for it)" },
};

static const imvo_field_t s_get [] = {
    [COMPLAINT_GET_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_GET_IDENTITY] = { "identity", IMVO_F_BOOL, false, 0, 0, 0, NULL, "staff: show the complainant's name and contact (the read is recorded on the case and audited)" },
};

static const imvo_field_t s_status [] = {
    [COMPLAINT_STATUS_RECEIPT] = { "receipt", IMVO_F_STR, true, 1, 80, IMVO_FMT_RECEIPT, NULL, NULL },
};

const char *const complaint_statuses [] = {
    "received", "admissibility", "inadmissible", "response", "mediation", "ruling", "decided", "settled",
    "withdrawn", "closed", NULL };
const char *const complaint_outcomes [] = { "founded", "partly_founded", "unfounded", NULL };
#define s_statuses complaint_statuses
//  parties: both sides of a dispute (the claimant party and the respondent).
static const char *const s_audiences [] = { "complainant", "company", "parties", NULL };

#define CASE_OR_RECEIPT(c, r) \
    [c] = { "case_id", IMVO_F_STR, false, 1, 64, IMVO_FMT_CASE_ID, NULL, "the case (staff, the company)" }, \
    [r] = { "receipt", IMVO_F_STR, false, 1, 80, IMVO_FMT_RECEIPT, NULL, "the complainant's receipt, instead of case_id" }

static const imvo_field_t s_transition [] = {
    CASE_OR_RECEIPT (COMPLAINT_TRANSITION_CASE_ID, COMPLAINT_TRANSITION_RECEIPT),
    [COMPLAINT_TRANSITION_TO] = { "to", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, complaint_statuses, "the status to move to" },
    [COMPLAINT_TRANSITION_REASON] = { "reason", IMVO_F_STR, true, 1, 2000, IMVO_FMT_TEXT, NULL, "why (for inadmissible: the grounds)" },
    [COMPLAINT_TRANSITION_OUTCOME] = { "outcome", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, complaint_outcomes, "for decided: founded, partly_founded or unfounded" },
    [COMPLAINT_TRANSITION_DECISION] = { "decision", IMVO_F_STR, false, 1, 20000, IMVO_FMT_TEXT, NULL, "for decided: the decision text" },
};
static const imvo_field_t s_respond [] = {
    [COMPLAINT_RESPOND_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_RESPOND_TEXT] = { "text", IMVO_F_STR, true, 1, 20000, IMVO_FMT_TEXT, NULL, "the company's response (in a dispute: the party's)" },
};
static const imvo_field_t s_message [] = {
    CASE_OR_RECEIPT (COMPLAINT_MESSAGE_CASE_ID, COMPLAINT_MESSAGE_RECEIPT),
    [COMPLAINT_MESSAGE_TEXT] = { "text", IMVO_F_STR, true, 1, 20000, IMVO_FMT_TEXT, NULL, "the message" },
    [COMPLAINT_MESSAGE_TO] = { "to", IMVO_F_STR, false, 1, 16, IMVO_FMT_CODE, s_audiences, "staff only: complainant (default) or company (a company's own message always goes to its thread)" },
};
static const imvo_field_t s_messages [] = {
    CASE_OR_RECEIPT (COMPLAINT_MESSAGES_CASE_ID, COMPLAINT_MESSAGES_RECEIPT),
};
static const imvo_field_t s_covenant_req [] = {
    [COMPLAINT_COVENANT_CODE] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" },
};

//  A case is named by its id or, for the complainant, by the receipt: one of the two.
static int
s_case_or_receipt (const imvo_value_t *f, imvo_error_t *err)
{
    if (f [0].present == f [1].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "case_id", "give case_id or receipt (one of the two)");
    return 0;
}

//  decided needs an outcome and the decision; no other status takes them.
static int
s_transition_check (const imvo_value_t *f, imvo_error_t *err)
{
    if (s_case_or_receipt (f, err))
        return -1;
    bool decided = strcmp (f [COMPLAINT_TRANSITION_TO].str, "decided") == 0;
    if (decided && !f [COMPLAINT_TRANSITION_OUTCOME].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "outcome", "decided needs an outcome: founded, partly_founded or unfounded");
    if (decided && !f [COMPLAINT_TRANSITION_DECISION].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "decision", "decided needs the decision text");
    if (!decided && (f [COMPLAINT_TRANSITION_OUTCOME].present || f [COMPLAINT_TRANSITION_DECISION].present))
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f [COMPLAINT_TRANSITION_OUTCOME].present ? "outcome" : "decision",
                               "only decided takes an outcome and a decision");
    return 0;
}

static const imvo_field_t s_list [] = {
    [COMPLAINT_LIST_COVENANT] = { "covenant", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, NULL, "one covenant (default: all)" },
    [COMPLAINT_LIST_STATUS] = { "status", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, s_statuses, "only cases with this status" },
    [COMPLAINT_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most cases to show (default 100)" },
    [COMPLAINT_LIST_CURSOR] = { "cursor", IMVO_F_STR, false, 3, 128, IMVO_FMT_ID, NULL, "the next page: the next_cursor a page ended with" },
    [COMPLAINT_LIST_OVERDUE] = { "overdue", IMVO_F_BOOL, false, 0, 0, 0, NULL, "true: only cases with a deadline passed; false: only cases without" },
    [COMPLAINT_LIST_RESPONDENT] = { "respondent", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "only cases against this company (org_id)" },
    [COMPLAINT_LIST_ASSIGNED] = { "assigned", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "only cases assigned to this person (username)" },
    [COMPLAINT_LIST_Q] = { "q", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "words that must all occur in the summary, the description or the respondent's name; or a case id" },
};

//  A username as accounts have them (membership's account.create): a-z, 0-9, '-', '_', '.'.
static int
s_username (const imvo_value_t *v, const char *field, bool empty_ok, imvo_error_t *err)
{
    if (!v->present)
        return 0;
    if (v->len == 0 && empty_ok)
        return 0;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->str [i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field,
                                   "%s must be a username: a-z, 0-9, '-', '_' and '.' only", field);
    }
    if (v->len < 3)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be a username of 3 to 64 characters", field);
    return 0;
}

static int
s_list_check (const imvo_value_t *f, imvo_error_t *err)
{
    return s_username (&f [COMPLAINT_LIST_ASSIGNED], "assigned", false, err);
}

static const imvo_field_t s_assign [] = {
    [COMPLAINT_ASSIGN_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_ASSIGN_PERSON] = { "person", IMVO_F_STR, true, 0, 64, IMVO_FMT_ID, NULL, "the username of an account of the secretariat or the committee, not disabled, who handles the case; \"\" unassigns" },
};

static int
s_assign_check (const imvo_value_t *f, imvo_error_t *err)
{
    return s_username (&f [COMPLAINT_ASSIGN_PERSON], "person", true, err);
}

static const imvo_field_t s_note [] = {
    [COMPLAINT_NOTE_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_NOTE_TEXT] = { "text", IMVO_F_STR, true, 1, 4000, IMVO_FMT_TEXT, NULL, "the note: staff only, never shown to the company or the complainant" },
};

static const imvo_field_t s_export [] = {
    [COMPLAINT_EXPORT_COVENANT] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" },
    [COMPLAINT_EXPORT_STATUS] = { "status", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, complaint_statuses, "only cases with this status" },
    [COMPLAINT_EXPORT_CURSOR] = { "cursor", IMVO_F_STR, false, 3, 128, IMVO_FMT_ID, NULL, "the next page: the cursor the page before ended with" },
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
    //  A dispute: a named claimant party against another party.
    bool dispute = f [COMPLAINT_SUBMIT_CASE_KIND].present && strcmp (f [COMPLAINT_SUBMIT_CASE_KIND].str, "dispute") == 0;
    if (dispute && !f [COMPLAINT_SUBMIT_CLAIMANT_ORG].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "claimant_org", "a dispute names its claimant party in claimant_org");
    if (!dispute && f [COMPLAINT_SUBMIT_CLAIMANT_ORG].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "claimant_org", "claimant_org is for a dispute (kind: dispute)");
    if (dispute && !f [COMPLAINT_SUBMIT_RESPONDENT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "respondent", "a dispute names the party it is against in respondent");
    if (dispute && anonymous)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.anonymous", "a dispute is filed in the claimant party's name, not anonymously");
    if (dispute && strcmp (f [COMPLAINT_SUBMIT_CLAIMANT_ORG].str, f [COMPLAINT_SUBMIT_RESPONDENT].str) == 0)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "respondent", "a dispute is between two parties: respondent is the claimant itself");
    return 0;
}

static const imvo_proto_msg_t s_complaint_submit = {
    "complaint.submit", "file a complaint about harm in a company's supply chain (the respondent: a member company, or a company a trade association lists: member.associates), or a dispute between two parties (kind dispute, claimant_org)", IMVO_FIELDS (s_submit),
    IMVO_PUBLIC, NULL, NULL, s_submit_check,
    .service = "complaints", .mode = IMVO_PIPELINED, .idem_ttl = IMVO_DAY, .reply = "case_id status receipt",
    .script = "complaint_submit", .script_keys = "idem",
    .script_args = "prefix covenant year respondent summary receipt_hash now views_ready "
                   "file history event reply deadlines lang kind claimant_org link" };
static const imvo_proto_msg_t s_complaint_get = {
    "complaint.get", "a case as staff see it, with its history, assignment and internal notes; the complainant's name and contact only with identity: true (a company: its own cases, the identity only if the complainant shared it)",
    IMVO_FIELDS (s_get), IMVO_STAFF | IMVO_ROLE_COMPANY, NULL, NULL, NULL,
    .service = "complaints", .mode = IMVO_PIPELINED,
    .reply = "case_id covenant respondent kind? claimant_org? association? responses? summary description lang translations? status received_at updated_at country? location_id? place? complainant history outcome? decision? decided_at? statement? published_at? deadlines attachments linked? identity_reads? assigned? notes?" };
static const imvo_proto_msg_t s_complaint_status = {
    "complaint.status", "the complainant's view of a case, by receipt", IMVO_FIELDS (s_status),
    IMVO_PUBLIC, NULL, NULL, NULL,
    //  On a worker (not the poll loop's pipeline): it first brings :receipts up to date, a call
    //  of its own (complaints_cases_ready), so that a receipt given a moment ago opens its case.
    .service = "complaints", .unlimited = IMVO_FRONT_ENDS,
    .reply = "case_id status lang received_at updated_at statement? published_at? conclusion? outcome?" };

static const imvo_proto_msg_t s_complaint_list = {
    "complaint.list", "cases, newest first, of one covenant or all, a page at a time (limit: default 100; cursor: the next_cursor of the page before), filtered by status, overdue, respondent, assigned person and words (q); each with assigned and overdue", IMVO_FIELDS (s_list),
    IMVO_STAFF, NULL, NULL, s_list_check,
    .service = "complaints",
    .reply = "cases next_cursor?" };

static const imvo_field_t s_intake_result [] = {
    [COMPLAINT_INTAKE_RESULT_KEY] = { "key", IMVO_F_STR, true, 1, IMVO_KEY_MAX, IMVO_FMT_LINE, NULL,
                                      "the key the entry was queued with" },
};
static const imvo_proto_msg_t s_complaint_intake_result = {
    "complaint.intake_result", "the outcome of a complaint queued on imvo:complaints:intake, by its key: pending, done (case_id, receipt for 24 hours) or failed (error)",
    IMVO_FIELDS (s_intake_result), IMVO_FRONT_ENDS | IMVO_ROLE_SECRETARIAT, NULL, NULL, NULL,
    .service = "complaints",
    .reply = "state key case_id? at? receipt? error?" };

static const imvo_proto_msg_t s_complaint_transition = {
    "complaint.transition", "move a case along its life cycle (who may make which move: proto/README.md, the life cycle); the complainant withdraws by receipt",
    IMVO_FIELDS (s_transition), IMVO_STAFF | IMVO_ROLE_COMPLAINANT, NULL, NULL, s_transition_check,
    .service = "complaints", .idem_ttl = IMVO_WEEK, .for_complainant = IMVO_ROLE_COMPLAINANT, .unlimited = IMVO_FRONT_ENDS,
    .reply = "case_id covenant respondent summary status from outcome?",
    .script = "complaint_transition", .script_keys = "idem case", .script_args = "prefix to reason outcome decision by person now covenant lengths" };
static const imvo_proto_msg_t s_complaint_respond = {
    "complaint.respond", "the respondent company answers, while the case is in response; in a dispute each party answers (side: respondent or claimant), both sides see both answers", IMVO_FIELDS (s_respond),
    IMVO_ROLE_COMPANY, NULL, NULL, NULL,
    .service = "complaints", .idem_ttl = IMVO_WEEK,
    .reply = "case_id at from side?",
    .script = "complaint_note", .script_keys = "idem case", .script_args = "prefix kind by person org text audience now feedback_ms" };
static const imvo_proto_msg_t s_complaint_message = {
    "complaint.message", "a message on a case: from the complainant (by receipt; or a gateway for them), the secretariat, the committee, or the respondent company (its own thread with them, never to the complainant)",
    IMVO_FIELDS (s_message), IMVO_STAFF | IMVO_ROLE_COMPLAINANT | IMVO_ROLE_COMPANY | IMVO_FRONT_ENDS, NULL, NULL, s_case_or_receipt,
    .service = "complaints", .idem_ttl = IMVO_WEEK, .for_complainant = IMVO_ROLE_COMPLAINANT | IMVO_FRONT_ENDS, .unlimited = IMVO_FRONT_ENDS,
    .reply = "case_id at from",
    .script = "complaint_note", .script_keys = "idem case", .script_args = "prefix kind by person org text audience now feedback_ms" };
static const imvo_proto_msg_t s_complaint_messages = {
    "complaint.messages", "the messages on a case that the reader may see, each {at, from, text}; staff also read audience (complainant or company: the thread) and person", IMVO_FIELDS (s_messages),
    IMVO_STAFF | IMVO_ROLE_COMPLAINANT | IMVO_ROLE_COMPANY | IMVO_FRONT_ENDS, NULL, NULL, s_case_or_receipt,
    .service = "complaints", .for_complainant = IMVO_ROLE_COMPLAINANT | IMVO_FRONT_ENDS, .unlimited = IMVO_FRONT_ENDS,
    .reply = "case_id messages" };
static const imvo_proto_msg_t s_complaint_decisions = {
    "complaint.decisions", "a covenant's published statements (complaint.publish), newest first: each case's statement, how it ended (decided with its outcome, settled, inadmissible) and when; never the complainant's summary or description, nor the decision text",
    IMVO_FIELDS (s_covenant_req), IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "complaints",
    .reply = "covenant decisions" };
static const imvo_field_t s_update [] = {
    [COMPLAINT_UPDATE_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_UPDATE_RESPONDENT] = { "respondent", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "org_id of the company complained about: a member of the case's covenant" },
};
static const imvo_proto_msg_t s_complaint_update = {
    "complaint.update", "the secretariat sets the respondent of a case that arrived without one (while it is received)",
    IMVO_FIELDS (s_update), IMVO_ROLE_SECRETARIAT, NULL, NULL, NULL,
    .service = "complaints", .idem_ttl = IMVO_DAY,
    .reply = "case_id respondent status" };
static const imvo_field_t s_open [] = {
    [COMPLAINT_OPEN_COVENANT] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" },
    [COMPLAINT_OPEN_RESPONDENT] = { "respondent", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company's org_id" },
};
static const imvo_proto_msg_t s_complaint_open = {
    "complaint.open", "a company's open cases in a covenant, newest first, then the open disputes it filed as the "
    "claimant party (each with `side: claimant` and the other party as `respondent`; for staff, and membership's org.get)",
    IMVO_FIELDS (s_open), IMVO_STAFF | IMVO_ROLE_SERVICE, NULL, NULL, NULL,
    //  On a worker: it first brings the respondent and claimant indexes up to date (a call of
    //  its own: complaints_cases_ready), which the poll loop's one-call pipeline does not allow.
    .service = "complaints",
    .reply = "cases" };
static const imvo_proto_msg_t s_complaint_overdue = {
    "complaint.overdue", "a covenant's deadlines that have passed without the action they ask for",
    IMVO_FIELDS (s_covenant_req), IMVO_STAFF, NULL, NULL, NULL,
    .service = "complaints",
    .reply = "covenant deadlines" };
static const imvo_proto_msg_t s_complaint_stats = {
    "complaint.stats", "a covenant's cases per status and outcome, days from receipt to decision (median, p90), overdue (the steering group reads it too)",
    IMVO_FIELDS (s_covenant_req), IMVO_STAFF | IMVO_ROLE_STEERING, NULL, NULL, NULL,
    .service = "complaints",
    .reply = "covenant cases per_status per_outcome days_to_decision_median days_to_decision_p90 overdue" };

static const imvo_proto_msg_t s_complaint_assign = {
    "complaint.assign", "give a case to a person of the secretariat or the committee (\"\" unassigns): an account of either role that is not disabled (membership's account.get; not_found or invalid_argument on person, unavailable when membership does not answer, and nothing changes)",
    IMVO_FIELDS (s_assign), IMVO_STAFF, NULL, NULL, s_assign_check,
    .service = "complaints", .idem_ttl = IMVO_DAY,
    .reply = "case_id assigned?",
    .script = "complaint_assign", .script_keys = "idem case", .script_args = "prefix person by by_person now" };
static const imvo_proto_msg_t s_complaint_note = {
    "complaint.note", "an internal note on a case, for staff only (never shown to the company or the complainant)",
    IMVO_FIELDS (s_note), IMVO_STAFF, NULL, NULL, NULL,
    .service = "complaints", .idem_ttl = IMVO_WEEK,
    .reply = "case_id at",
    .script = "complaint_internal_note", .script_keys = "idem case", .script_args = "role person text now" };
static const imvo_proto_msg_t s_complaint_export = {
    "complaint.export", "a covenant's cases as CSV (case_id, received_at, status, respondent, summary, assigned, overdue), never who complained, up to 1000 a page, newest first; audited",
    IMVO_FIELDS (s_export), IMVO_ROLE_SECRETARIAT, NULL, NULL, NULL,
    .service = "complaints",
    .reply = "csv cursor?" };

//  Publication: the committee's statement is what the public reads of a case, never the
//  complainant's own summary or description (complaints_publish.c).
static const imvo_field_t s_publish [] = {
    [COMPLAINT_PUBLISH_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_PUBLISH_STATEMENT] = { "statement", IMVO_F_STR, true, 1, 4000, IMVO_FMT_TEXT, NULL, "the committee's public statement: in its own words, with nothing that identifies the complainant" },
};

static int
s_publish_check (const imvo_value_t *f, imvo_error_t *err)
{
    const imvo_value_t *v = &f [COMPLAINT_PUBLISH_STATEMENT];
    for (size_t i = 0; i < v->len; i++)
        if (v->str [i] != ' ' && v->str [i] != '\t' && v->str [i] != '\n' && v->str [i] != '\r')
            return 0;
    return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "statement", "statement must hold more than white space");
}

static const imvo_proto_msg_t s_complaint_publish = {
    "complaint.publish", "the committee's public statement on a decided, settled or inadmissible case (or one closed from there): complaint.decisions and /decisions/<covenant> show it, and never the complainant's own words; publishing again corrects it (published_at stays)",
    IMVO_FIELDS (s_publish), IMVO_ROLE_COMMITTEE, NULL, NULL, s_publish_check,
    .service = "complaints", .idem_ttl = IMVO_WEEK,
    .reply = "case_id published_at",
    .script = "complaint_publish", .script_keys = "idem case", .script_args = "prefix statement by person now" };

const imvo_proto_msg_t *const imvo_proto_complaints [] = {
    &s_complaint_submit, &s_complaint_update, &s_complaint_open, &s_complaint_get, &s_complaint_status, &s_complaint_list, &s_complaint_intake_result,
    &s_complaint_transition, &s_complaint_respond, &s_complaint_message, &s_complaint_messages,
    &s_complaint_decisions, &s_complaint_overdue, &s_complaint_stats, &s_complaint_assign, &s_complaint_note,
    &s_complaint_export, &complaint_attach_msg, &complaint_attachment_msg, &s_complaint_publish, &complaint_translate_msg, NULL };

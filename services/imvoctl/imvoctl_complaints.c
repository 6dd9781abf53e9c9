/*  imvoctl commands for the complaints daemon. */
#include "imvoctl.h"

static const imvoctl_opt_t s_submit [] = {
    { "--covenant", "covenant", IMVOCTL_STR, true, NULL, "covenant code, e.g. textile" },
    { "--respondent", "respondent", IMVOCTL_STR, true, NULL, "org_id of the company complained about" },
    { "--summary", "summary", IMVOCTL_STR, true, NULL, "one line" },
    { "--description", "description", IMVOCTL_STR, false, NULL, "what happened" },
    { "--description-file", "description", IMVOCTL_FILE, false, NULL, "read the description from a file (- for stdin)" },
    { "--anonymous", "complainant.anonymous", IMVOCTL_FLAG, false, "false", "file anonymously: you get a receipt to follow the case" },
    { "--name", "complainant.name", IMVOCTL_STR, false, NULL, "complainant's name (not with --anonymous)" },
    { "--contact", "complainant.contact", IMVOCTL_STR, false, NULL, "e-mail or phone" },
    { "--kind", "complainant.kind", IMVOCTL_STR, false, NULL, "worker, union, ngo, representative or other" },
    { "--share-identity", "complainant.share_identity", IMVOCTL_FLAG, false, NULL, "let the company see who complains" },
    { "--country", "country", IMVOCTL_STR, false, NULL, "where the harm happened (ISO code)" },
    { "--location", "location_id", IMVOCTL_STR, false, NULL, "production location id" },
    { NULL, NULL, 0, false, NULL, NULL },
};

static const imvoctl_opt_t s_list [] = {
    { "--covenant", "covenant", IMVOCTL_STR, false, NULL, "one covenant (default: all)" },
    { "--status", "status", IMVOCTL_STR, false, NULL, "only cases with this status" },
    { "--limit", "limit", IMVOCTL_INT, false, NULL, "most cases to show (default 100)" },
    { "--cursor", "cursor", IMVOCTL_STR, false, NULL, "the next page: the next_cursor a page ended with" },
    { NULL, NULL, 0, false, NULL, NULL },
};

const imvoctl_cmd_t imvoctl_complaints_cmds [] = {
    { "complaint list", "complaints", "complaint.list", { NULL }, s_list, "cases",
      "case_id,status,respondent,received_at,summary", "cases, newest first" },
    { "complaint submit", "complaints", "complaint.submit", { NULL }, s_submit, NULL, NULL,
      "file a complaint (use --key to make a retry safe)" },
    { "complaint get", "complaints", "complaint.get", { "case_id" }, NULL, "history", "at,status,by,note",
      "show a case with its history: complaint get CASE_ID" },
    { "complaint status", "complaints", "complaint.status", { "receipt" }, NULL, NULL, NULL,
      "follow a case with its receipt: complaint status RECEIPT" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

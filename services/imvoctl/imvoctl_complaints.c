/*  imvoctl commands for the complaints daemon. */
#include "imvoctl.h"

static const imvoctl_opt_t s_submit [] = {
    { "--description-file", "description", IMVOCTL_FILE, false, NULL, "read the description from a file (- for stdin)" },
    { "--location", "location_id", IMVOCTL_STR, false, NULL, "the same as --location-id" },
    { NULL, NULL, 0, false, NULL, NULL },
};

const imvoctl_cmd_t imvoctl_complaints_cmds [] = {
    { "complaint list", "complaints", "complaint.list", { NULL }, NULL, "cases",
      "case_id,status,respondent,received_at,summary", "cases, newest first" },
    { "complaint submit", "complaints", "complaint.submit", { NULL }, s_submit, NULL, NULL,
      "file a complaint (use --key to make a retry safe)" },
    { "complaint get", "complaints", "complaint.get", { "case_id" }, NULL, "history", "at,status,by,note",
      "show a case with its history: complaint get CASE_ID" },
    { "complaint status", "complaints", "complaint.status", { "receipt" }, NULL, NULL, NULL,
      "follow a case with its receipt: complaint status RECEIPT" },
    { "complaint intake-result", "complaints", "complaint.intake_result", { "key" }, NULL, NULL, NULL,
      "the outcome of a complaint queued on imvo:complaints:intake: complaint intake-result KEY" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

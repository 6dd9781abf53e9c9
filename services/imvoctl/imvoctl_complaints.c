/*  imvoctl commands for the complaints daemon. */
#include "imvoctl.h"

static const imvoctl_opt_t s_submit [] = {
    { "--description-file", "description", IMVOCTL_FILE, false, NULL, "read the description from a file (- for stdin)" },
    { "--location", "location_id", IMVOCTL_STR, false, NULL, "the same as --location-id" },
    { NULL, NULL, 0, false, NULL, NULL },
};

static const imvoctl_opt_t s_audit [] = {
    { "--case", "case_id", IMVOCTL_STR, false, NULL, "the same as --case-id" },
    { NULL, NULL, 0, false, NULL, NULL },
};

const imvoctl_cmd_t imvoctl_complaints_cmds [] = {
    { "complaint list", "complaints", "complaint.list", { NULL }, NULL, "cases",
      "case_id,status,respondent,received_at,assigned,overdue,summary",
      "cases, newest first: complaint list [--covenant C] [--status S] [--overdue] [--respondent ORG] [--assigned USER] [--q WORDS]" },
    { "complaint submit", "complaints", "complaint.submit", { NULL }, s_submit, NULL, NULL,
      "file a complaint (--lang: the language it is written in, default nl; use --key to make a retry safe)" },
    { "complaint get", "complaints", "complaint.get", { "case_id" }, NULL, "history", "at,from,to,by,reason",
      "show a case with its history: complaint get CASE_ID [--identity: the complainant's name and contact, audited]" },
    { "complaint status", "complaints", "complaint.status", { "receipt" }, NULL, NULL, NULL,
      "follow a case with its receipt: complaint status RECEIPT" },
    { "complaint update", "complaints", "complaint.update", { "case_id" }, NULL, NULL, NULL,
      "set the respondent of a case that came without one: complaint update CASE_ID --respondent ORG_ID" },
    { "complaint transition", "complaints", "complaint.transition", { "?case_id" }, NULL, NULL, NULL,
      "move a case: complaint transition CASE_ID --to STATUS --reason TEXT [--outcome O --decision TEXT]" },
    { "complaint respond", "complaints", "complaint.respond", { "case_id" }, NULL, NULL, NULL,
      "the respondent company answers (--actor-role company --actor-org ORG): complaint respond CASE_ID --text TEXT" },
    { "complaint message", "complaints", "complaint.message", { "?case_id" }, NULL, NULL, NULL,
      "a message on a case: complaint message CASE_ID --text TEXT [--to company]" },
    { "complaint messages", "complaints", "complaint.messages", { "?case_id" }, NULL, "messages", "at,from,audience,text",
      "the messages on a case you may see: complaint messages CASE_ID (or --receipt R)" },
    { "complaint decisions", "complaints", "complaint.decisions", { "covenant" }, NULL, "decisions",
      "case_id,decided_on,conclusion,outcome,respondent,statement",
      "a covenant's published statements, newest first: complaint decisions COVENANT" },
    { "complaint publish", "complaints", "complaint.publish", { "case_id" }, NULL, NULL, NULL,
      "the committee's public statement on a decided, settled or inadmissible case: complaint publish CASE_ID --statement TEXT" },
    { "complaint translate", "complaints", "complaint.translate", { "case_id", "lang" }, NULL, NULL, NULL,
      "the secretariat's translation of a complaint, kept beside her own words: complaint translate CASE_ID LANG --summary TEXT --description TEXT" },
    { "complaint overdue", "complaints", "complaint.overdue", { "covenant" }, NULL, "deadlines",
      "case_id,deadline,due_at,owner", "deadlines that passed: complaint overdue COVENANT" },
    { "complaint stats", "complaints", "complaint.stats", { "covenant" }, NULL, NULL, NULL,
      "cases per status and outcome, days to a decision, overdue: complaint stats COVENANT" },
    { "complaint intake-result", "complaints", "complaint.intake_result", { "key" }, NULL, NULL, NULL,
      "the outcome of a complaint queued on imvo:complaints:intake: complaint intake-result KEY" },
    { "complaint assign", "complaints", "complaint.assign", { "case_id", "person" }, NULL, NULL, NULL,
      "give a case to a person: complaint assign CASE_ID USERNAME (\"\" unassigns)" },
    { "complaint note", "complaints", "complaint.note", { "case_id" }, NULL, NULL, NULL,
      "an internal note, for staff only: complaint note CASE_ID --text TEXT" },
    { "complaint export", "complaints", "complaint.export", { "covenant" }, NULL, "csv", NULL,
      "a covenant's cases as CSV, a page of 1000 (--cursor for the next): complaint export COVENANT [--status S]" },
    { "audit list", "complaints", "audit.list", { NULL }, s_audit, "items", "at,person,role,org,action,target,covenant",
      "the audit trail, newest first: audit list [--covenant C] [--case ID] [--person P] [--limit N]" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

/*  imvoctl commands for the scoring daemon: frameworks, action plans, the round, appeals and
    the sector report. */
#include "imvoctl.h"

#define END { NULL, NULL, 0, false, NULL, NULL }

static const imvoctl_opt_t s_framework_put [] = {
    { "--file", "", IMVOCTL_BODY, true, NULL, "the framework as JSON: {covenant, version, due, parts, bands} (- for stdin)" },
    END,
};
static const imvoctl_opt_t s_submission_put [] = {
    { "--file", "", IMVOCTL_BODY, false, NULL,
      "the plan as JSON ({answers, risks, public_report_url, projects}) or CSV rows criterion,answer" },
    { "--answers", "answers", IMVOCTL_JSON, false, NULL, "answers as JSON: {\"policy.1\": 3}" },
    END,
};
static const imvoctl_opt_t s_decide [] = {
    { "--answers", "answers", IMVOCTL_JSON, false, NULL, "corrected answers as JSON: {\"policy.1\": 3}" },
    END,
};

const imvoctl_cmd_t imvoctl_scoring_cmds [] = {
    { "framework show", "scoring", "framework.get", { "covenant" }, NULL, "parts", "code,weight,name",
      "a covenant's assessment framework: framework show COVENANT [--version N]" },
    { "framework put", "scoring", "framework.put", { NULL }, s_framework_put, NULL, NULL,
      "set a framework version from a JSON file: framework put --file FRAMEWORK.json" },
    { "submission put", "scoring", "submission.put", { NULL }, s_submission_put, NULL, NULL,
      "a company's action plan for a year: --covenant C --org-id ORG --year Y --file PLAN.json|PLAN.csv" },
    { "submission show", "scoring", "submission.get", { "covenant", "org_id" }, NULL, NULL, NULL,
      "a company's action plan of a year as submitted: submission show COVENANT ORG --year Y" },
    { "assessment start", "scoring", "assessment.start", { "covenant" }, NULL, NULL, NULL,
      "start the yearly round (monitoring committee): assessment start COVENANT --year Y" },
    { "assessment get", "scoring", "assessment.get", { "round_id" }, NULL, "results",
      "org_id,name,score,band,status,track", "a round's results: assessment get ROUND (e.g. textile-2025)" },
    { "assessment report", "scoring", "assessment.report", { "round_id" }, NULL, "report", NULL,
      "the sector report: assessment report ROUND [--format html] > report.html" },
    { "assessment appeal", "scoring", "assessment.appeal", { "round_id" }, NULL, NULL, NULL,
      "appeal a result within 4 weeks: assessment appeal ROUND --org-id ORG --reason TEXT" },
    { "assessment decide", "scoring", "assessment.appeal_decide", { "appeal_id" }, s_decide, NULL, NULL,
      "decide an appeal: assessment decide APPEAL_ID [--accept --answers JSON] [--reason TEXT]" },
    { "assessment round", "scoring", "assessment.round", { "covenant" }, NULL, "companies", "org_id,name,status",
      "a year's round as it runs, 100 companies a page: assessment round COVENANT --year Y [--q TEXT] [--status late] [--offset N]" },
    { "collective choose", "scoring", "collective.choose", { "round_id" }, NULL, NULL, NULL,
      "the working group's two collective risks from the ranking: collective choose ROUND --risks '[{\"theme\":..,\"country\":..},{..}]'" },
    { "project put", "scoring", "project.put", { "covenant", "code" }, NULL, NULL, NULL,
      "a collective project: project put COVENANT CODE --name NAME --participants ORG,ORG [--from-year Y] [--mandatory-from-company-year 3]" },
    { "project list", "scoring", "project.list", { "covenant" }, NULL, "projects", "code,from_year,to_year,participants,name",
      "a covenant's collective projects: project list COVENANT" },
    { "assessment verify", "scoring", "assessment.verify", { "round_id", "org_id", "criterion" }, NULL, NULL, NULL,
      "the committee verifies or adjusts one criterion: assessment verify ROUND ORG CRITERION --verdict verified|adjusted [--score N] --comment TEXT" },
    { "assessment comment", "scoring", "assessment.comment", { "round_id", "org_id" }, NULL, NULL, NULL,
      "a company's comment within two weeks: assessment comment ROUND ORG --comment TEXT [--criterion ID]" },
    { "assessment review", "scoring", "assessment.review", { "round_id", "org_id" }, NULL, "verifications",
      "criterion,verdict,answer,score,comment", "the committee's verdicts and the company's comments: assessment review ROUND ORG" },
    { "assessment publish", "scoring", "assessment.publish", { "round_id" }, NULL, NULL, NULL,
      "publish a round's results after the two-week comment window: assessment publish ROUND" },
    { "assessment results", "scoring", "assessment.results", { "round_id" }, NULL, "results", "org_id,name,score,band,report_url",
      "a round's published results with the companies' due-diligence reports: assessment results ROUND" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

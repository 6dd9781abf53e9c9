/*  Collective work, the assessor's step, the SRA sectors, general meetings and the steering
    group (issue 23, items 6-9). The rules quote the seeds (../shared/seeds/):
    - "De werkgroep kiest hieruit twee collectieve risico's waarop gezamenlijk actie wordt
      ondernomen." (004): collective.choose takes exactly two risks from the round's ranking.
    - "Het project leefbaar loon is verplicht voor alle deelnemende bedrijven vanaf jaar 3 na
      ondertekening." (001): a project's mandatory_from_company_year; scoring reads who takes
      part from the project, not from a code the company writes in its plan.
    - "Als steunbetuiger heeft u geen stem in de besluitvorming." (004): meeting.record refuses
      a supporter's (and an expert's) vote, naming the field.
    - "De voorzitter is een onafhankelijk persoon." (004): steering.put refuses a chair who
      is not independent.
*/
#include "catalogue_collective.h"
#include "imvo_msg.h"

#include <stdio.h>
#include <string.h>

static const char *const s_verdicts [] = { "verified", "adjusted", NULL };

#define ROUND(i) [i] = { "round_id", IMVO_F_STR, true, 6, 40, IMVO_FMT_CODE, NULL, "a round, e.g. metals-2025" }
#define COVENANT(i) [i] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" }
#define ORG(i) [i] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the company" }
#define SOURCE(i) [i] = { "source", IMVO_F_STR, false, 1, 500, IMVO_FMT_LINE, NULL, "where it is written (a seed file and its sentence, minutes, a URL)" }

static const imvo_field_t s_choose [] = {
    ROUND (COLLECTIVE_CHOOSE_ROUND),
    [COLLECTIVE_CHOOSE_RISKS] = { "risks", IMVO_F_ARRAY, true, 2, 2, 0, NULL,
                                  "the two risks the working group chose from the round's ranking: [{theme, country}, {theme, country}]" },
    [COLLECTIVE_CHOOSE_WORKING_GROUP] = { "working_group", IMVO_F_STR, false, 1, 40, IMVO_FMT_CODE, NULL, "the working group that chose, e.g. collective-action" },
    [COLLECTIVE_CHOOSE_NOTE] = { "note", IMVO_F_STR, false, 1, 2000, IMVO_FMT_TEXT, NULL, "the working group's reasons" },
};
static const imvo_field_t s_project_put [] = {
    COVENANT (PROJECT_PUT_COVENANT),
    [PROJECT_PUT_CODE] = { "code", IMVO_F_STR, true, 1, 40, IMVO_FMT_CODE, NULL, "the project, e.g. living-wage" },
    [PROJECT_PUT_NAME] = { "name", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "what it is called" },
    [PROJECT_PUT_FROM_YEAR] = { "from_year", IMVO_F_INT, false, 2000, 2100, 0, NULL, "the year it started" },
    [PROJECT_PUT_TO_YEAR] = { "to_year", IMVO_F_INT, false, 2000, 2100, 0, NULL, "the last year it runs" },
    [PROJECT_PUT_PARTICIPANTS] = { "participants", IMVO_F_STRLIST, true, 0, COLLECTIVE_MAX_PARTICIPANTS, IMVO_FMT_ID, NULL,
                                   "the organisations taking part (org ids); replaces the list" },
    [PROJECT_PUT_MANDATORY_FROM] = { "mandatory_from_company_year", IMVO_F_INT, false, 1, 10, 0, NULL,
                                     "companies must take part from their n-th year in the covenant (textile's living wage: 3)" },
    SOURCE (PROJECT_PUT_SOURCE),
};
static const imvo_field_t s_project_list [] = { COVENANT (PROJECT_LIST_COVENANT) };
static const imvo_field_t s_verify [] = {
    ROUND (ASSESSMENT_VERIFY_ROUND),
    ORG (ASSESSMENT_VERIFY_ORG_ID),
    [ASSESSMENT_VERIFY_CRITERION] = { "criterion", IMVO_F_STR, true, 1, 200, IMVO_FMT_ID, NULL, "a criterion of the round's framework, e.g. policy.1" },
    [ASSESSMENT_VERIFY_VERDICT] = { "verdict", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_verdicts,
                                    "verified (the company's answer holds) or adjusted (the committee's score replaces it)" },
    [ASSESSMENT_VERIFY_SCORE] = { "score", IMVO_F_INT, false, 0, 1000, 0, NULL, "the committee's points (adjusted only)" },
    [ASSESSMENT_VERIFY_COMMENT] = { "comment", IMVO_F_STR, true, 1, 2000, IMVO_FMT_TEXT, NULL, "the committee's comment" },
};
static const imvo_field_t s_comment [] = {
    ROUND (ASSESSMENT_COMMENT_ROUND),
    ORG (ASSESSMENT_COMMENT_ORG_ID),
    [ASSESSMENT_COMMENT_TEXT] = { "comment", IMVO_F_STR, true, 1, 4000, IMVO_FMT_TEXT, NULL, "the company's comment on its assessment" },
    [ASSESSMENT_COMMENT_CRITERION] = { "criterion", IMVO_F_STR, false, 1, 200, IMVO_FMT_ID, NULL, "the criterion it is about (default: the whole)" },
};
static const imvo_field_t s_review [] = { ROUND (ASSESSMENT_REVIEW_ROUND), ORG (ASSESSMENT_REVIEW_ORG_ID) };
static const imvo_field_t s_publish [] = { ROUND (ASSESSMENT_PUBLISH_ROUND) };
static const imvo_field_t s_none [] = { { "", IMVO_F_MAP, false, 0, 0, 0, NULL, NULL } };
static const imvo_field_t s_meeting_record [] = {
    COVENANT (MEETING_RECORD_COVENANT),
    [MEETING_RECORD_DATE] = { "date", IMVO_F_STR, true, 10, 10, IMVO_FMT_DATE, NULL, "the day of the general meeting, YYYY-MM-DD" },
    [MEETING_RECORD_ATTENDEES] = { "attendees", IMVO_F_STRLIST, true, 1, COLLECTIVE_MAX_ATTENDEES, IMVO_FMT_ID, NULL,
                                   "the members present (org ids)" },
    [MEETING_RECORD_VOTES] = { "votes", IMVO_F_ARRAY, false, 0, COLLECTIVE_MAX_MOTIONS, 0, NULL,
                               "[{motion, for: [org], against: [org], abstain: [org]}]; only parties vote" },
    SOURCE (MEETING_RECORD_SOURCE),
};
static const imvo_field_t s_meeting_list [] = { COVENANT (MEETING_LIST_COVENANT) };
static const imvo_field_t s_steering_put [] = {
    COVENANT (STEERING_PUT_COVENANT),
    [STEERING_PUT_CHAIR] = { "chair", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "the chair's name" },
    [STEERING_PUT_CHAIR_INDEPENDENT] = { "chair_independent", IMVO_F_BOOL, true, 0, 0, 0, NULL,
                                         "the chair is an independent person (required: true)" },
    [STEERING_PUT_MEMBERS] = { "members", IMVO_F_ARRAY, true, 1, 50, 0, NULL,
                               "[{name, org_id}]: representatives of the parties; replaces the list" },
    SOURCE (STEERING_PUT_SOURCE),
};
static const imvo_field_t s_steering_get [] = { COVENANT (STEERING_GET_COVENANT) };

static bool
s_str (const msgpack_object *o, size_t max)
{
    return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size > 0 && o->via.str.size <= max;
}

static int
s_choose_check (const imvo_value_t *f, imvo_error_t *err)
{
    const msgpack_object *risks = f [COLLECTIVE_CHOOSE_RISKS].obj;
    char field [32];
    for (uint32_t i = 0; i < risks->via.array.size; i++) {
        const msgpack_object *r = &risks->via.array.ptr [i], *country = imvo_map_get (r, "country");
        snprintf (field, sizeof field, "risks.%u", i);
        if (r->type != MSGPACK_OBJECT_MAP || !s_str (imvo_map_get (r, "theme"), 200) || !s_str (country, 2)
        ||  !imvo_proto_format_ok (IMVO_FMT_COUNTRY, country->via.str.ptr, country->via.str.size))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be {theme, country (ISO code)}", field);
    }
    const msgpack_object *a = &risks->via.array.ptr [0], *b = &risks->via.array.ptr [1];
    if (msgpack_object_equal (*imvo_map_get (a, "theme"), *imvo_map_get (b, "theme"))
    &&  msgpack_object_equal (*imvo_map_get (a, "country"), *imvo_map_get (b, "country")))
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "risks.1", "the working group chooses two different risks");
    return 0;
}

static int
s_project_check (const imvo_value_t *f, imvo_error_t *err)
{
    if (f [PROJECT_PUT_FROM_YEAR].present && f [PROJECT_PUT_TO_YEAR].present
    &&  f [PROJECT_PUT_TO_YEAR].i < f [PROJECT_PUT_FROM_YEAR].i)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "to_year", "to_year comes before from_year");
    return 0;
}

static int
s_verify_check (const imvo_value_t *f, imvo_error_t *err)
{
    bool adjusted = strcmp (f [ASSESSMENT_VERIFY_VERDICT].str, "adjusted") == 0;
    if (adjusted && !f [ASSESSMENT_VERIFY_SCORE].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "score", "an adjusted criterion needs the committee's score");
    if (!adjusted && f [ASSESSMENT_VERIFY_SCORE].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "score", "a verified criterion keeps the company's answer: no score");
    return 0;
}

//  An org id list inside a motion: strings of org ids, each once in the motion.
static int
s_orgs_check (const msgpack_object *list, const char *field, imvo_error_t *err)
{
    if (!list)
        return 0;
    if (list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size > COLLECTIVE_MAX_ATTENDEES)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be a list of org ids", field);
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        const msgpack_object *o = &list->via.array.ptr [i];
        if (!s_str (o, 64) || !imvo_proto_format_ok (IMVO_FMT_ID, o->via.str.ptr, o->via.str.size))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s.%u must be an org id", field, i);
    }
    return 0;
}

static int
s_meeting_check (const imvo_value_t *f, imvo_error_t *err)
{
    const msgpack_object *votes = f [MEETING_RECORD_VOTES].present ? f [MEETING_RECORD_VOTES].obj : NULL;
    char field [64];
    for (uint32_t i = 0; votes && i < votes->via.array.size; i++) {
        const msgpack_object *v = &votes->via.array.ptr [i];
        snprintf (field, sizeof field, "votes.%u", i);
        if (v->type != MSGPACK_OBJECT_MAP || !s_str (imvo_map_get (v, "motion"), 500))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field,
                                   "%s must be {motion, for: [org], against: [org], abstain: [org]}", field);
        static const char *const sides [] = { "for", "against", "abstain" };
        for (int s = 0; s < 3; s++) {
            snprintf (field, sizeof field, "votes.%u.%s", i, sides [s]);
            if (s_orgs_check (imvo_map_get (v, sides [s]), field, err))
                return -1;
        }
    }
    return 0;
}

static int
s_steering_check (const imvo_value_t *f, imvo_error_t *err)
{
    if (!f [STEERING_PUT_CHAIR_INDEPENDENT].b)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "chair_independent",
                               "the chair is an independent person (De voorzitter is een onafhankelijk persoon.)");
    const msgpack_object *members = f [STEERING_PUT_MEMBERS].obj;
    char field [32];
    for (uint32_t i = 0; i < members->via.array.size; i++) {
        const msgpack_object *m = &members->via.array.ptr [i], *org = imvo_map_get (m, "org_id");
        snprintf (field, sizeof field, "members.%u", i);
        if (m->type != MSGPACK_OBJECT_MAP || !s_str (imvo_map_get (m, "name"), 200) || !s_str (org, 64)
        ||  !imvo_proto_format_ok (IMVO_FMT_ID, org->via.str.ptr, org->via.str.size))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be {name, org_id}", field);
    }
    return 0;
}

#define MSG(var, type, summary, fields, who, own, check, svc, ...) \
    const imvo_proto_msg_t var = { type, summary, IMVO_FIELDS (fields), who, own, NULL, check, .service = svc, __VA_ARGS__ };

MSG (collective_choose_msg, "collective.choose", "the working group's choice of the two collective risks it acts on, from a completed round's ranking (the report then shows these, not the ranking's top two)", s_choose, IMVO_ROLE_SECRETARIAT | IMVO_ROLE_STEERING, NULL, s_choose_check, "scoring", .idem_ttl = IMVO_WEEK, .reply = "round_id risks working_group? note? chosen_at by")
MSG (project_put_msg, "project.put", "a collective project of a covenant: its name, years and participants (scoring's year-3 rule reads the participants)", s_project_put, IMVO_ROLE_SECRETARIAT, NULL, s_project_check, "scoring", .idem_ttl = IMVO_WEEK, .reply = "covenant code name from_year? to_year? participants mandatory_from_company_year? source? updated_at by")
MSG (project_list_msg, "project.list", "a covenant's collective projects, the seeded ones with their sources", s_project_list, IMVO_PUBLIC, NULL, NULL, "scoring", .reply = "covenant projects")
MSG (assessment_verify_msg, "assessment.verify", "the monitoring committee verifies a company's answer on one criterion, or adjusts its score, with a comment (the result is rescored)", s_verify, IMVO_ROLE_MONITORING, NULL, s_verify_check, "scoring", .idem_ttl = IMVO_WEEK, .reply = "round_id org_id criterion verdict score? answer? comment score_before score_after at by")
MSG (assessment_comment_msg, "assessment.comment", "a company's comment on its assessment, within two weeks of the round's completion", s_comment, IMVO_ROLE_COMPANY | IMVO_ROLE_SECRETARIAT, "org_id", NULL, "scoring", .idem_ttl = IMVO_WEEK, .reply = "round_id org_id criterion? comment at window_ends_at by")
MSG (assessment_review_msg, "assessment.review", "a company's assessment under review: the committee's verdicts per criterion and the company's comments, and when the comment window ends", s_review, IMVO_ROLE_MONITORING | IMVO_STAFF | IMVO_ROLE_COMPANY, "org_id", NULL, "scoring", .reply = "round_id org_id window_ends_at published_at verifications comments")
MSG (assessment_publish_msg, "assessment.publish", "the monitoring committee publishes a round's results, once the companies' two-week comment window has passed", s_publish, IMVO_ROLE_MONITORING, NULL, NULL, "scoring", .idem_ttl = IMVO_WEEK, .reply = "round_id published_at published")
MSG (assessment_results_msg, "assessment.results", "a round's published results: the companies on track named with score and band, and every company's public due-diligence report", s_publish, IMVO_PUBLIC, NULL, NULL, "scoring", .reply = "round_id covenant year published_at results not_named reports")
//  No fields (as ping).
const imvo_proto_msg_t sector_list_msg = { "sector.list", "the SRA's sectors with raised risk (12 named, 13 counted) and which have a covenant or were in dialogue, with sources", s_none, 0, IMVO_PUBLIC, NULL, NULL, NULL, .service = "membership", .reply = "version about count_stated sectors outside_the_sra sources" };
MSG (meeting_record_msg, "meeting.record", "a general meeting: the members present and the parties' votes (supporters and experts have no vote)", s_meeting_record, IMVO_ROLE_SECRETARIAT, NULL, s_meeting_check, "membership", .idem_ttl = IMVO_WEEK, .reply = "covenant meeting_id date attendees votes results source? recorded_at by")
MSG (meeting_list_msg, "meeting.list", "a covenant's general meetings, newest first; who attended and who voted how only for its members, committees, steering group and secretariat, others the motions' tallies", s_meeting_list, IMVO_ANY_ROLE, NULL, NULL, "membership", .reply = "covenant meetings")
MSG (steering_put_msg, "steering.put", "a covenant's steering group: its independent chair and the parties' representatives", s_steering_put, IMVO_ROLE_SECRETARIAT, NULL, s_steering_check, "membership", .idem_ttl = IMVO_WEEK, .reply = "covenant chair chair_independent members source? updated_at by")
MSG (steering_get_msg, "steering.get", "a covenant's steering group (the seeded chair with its source until one is recorded)", s_steering_get, IMVO_PUBLIC, NULL, NULL, "membership", .reply = "covenant chair? chair_independent members source? updated_at? by?")

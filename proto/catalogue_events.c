/*  Every event type the daemons emit, with the fields of its body: the other half of the
    contract (consumers read these bodies; notify's texts name their fields and are checked
    against this table when notify starts). An emitting script that adds a field adds it here.
    Fields are space-separated; '?' marks one that may be absent or nil.
*/
#include "imvo_proto.h"

#include <string.h>

const imvo_proto_event_t imvo_proto_events [] = {
    { "member.joined", "membership", "an organisation joined a covenant",
      "covenant org_id name kind role country" },
    { "member.left", "membership", "an organisation left a covenant", "covenant org_id role" },
    { "member.listed", "membership",
      "a trade association listed its member companies in a covenant (companies: each {org_id, name}; the whole list)",
      "covenant org_id companies added removed" },
    { "location.list_published", "membership", "a covenant's list of production locations for a year is public",
      "covenant year locations" },
    { "covenant.term_due", "membership", "a covenant's term has run out: the secretariat records an extension or the end",
      "covenant runs_out_on starts_on years?" },
    { "covenant.term_recorded", "membership", "the secretariat recorded that a covenant's term was extended or ended",
      "covenant decision until source" },
    { "location.disclosure_reminder", "membership", "a company has not yet disclosed its production locations for the year's list",
      "covenant org_id year deadline days_left publish_on" },
    { "location.disclosure_overdue", "membership", "a company's disclosure deadline for the year's list has passed without its locations",
      "covenant org_id year deadline" },
    { "complaint.received", "complaints", "a complaint was filed and has a case",
      "case_id covenant respondent summary anonymous received_at location_id? kind? claimant_org? association?" },
    { "complaint.status_changed", "complaints", "a case moved in its life cycle",
      "case_id covenant respondent from to by reason kind? claimant_org? association?" },
    { "complaint.decided", "complaints", "the committee decided a case",
      "case_id covenant respondent outcome decided_at summary decision kind? claimant_org? association?" },
    { "complaint.published", "complaints", "the committee published (or corrected) the public statement on a case",
      "case_id covenant respondent? conclusion statement published_at corrected" },
    { "complaint.deadline_due", "complaints", "a case's deadline passed without the action it asks for",
      "case_id covenant deadline due_at owner respondent?" },
    { "complaint.linked", "complaints", "the companies that disclosed the place a complaint names",
      "case_id covenant location_id companies" },
    { "assessment.started", "scoring", "the monitoring committee started a round", "round_id covenant year version" },
    { "assessment.scored", "scoring", "one company's result in a round",
      "round_id covenant year org_id score? band? status track" },
    { "assessment.completed", "scoring", "every company of a round is scored", "round_id covenant year summary" },
    { "assessment.corrected", "scoring", "an accepted appeal changed a published result",
      "round_id covenant year org_id old_score new_score band" },
    { "assessment.published", "scoring", "a round's results are public, after the companies' comment window",
      "round_id covenant year published_at" },
    { "collective.chosen", "scoring", "the working group chose the two collective risks of a round",
      "round_id covenant year risks" },
    { "assessment.verified", "scoring", "the monitoring committee verified or adjusted a company's answer on a criterion",
      "round_id covenant year org_id criterion verdict score_after window_ends" },
    { "assessment.commented", "scoring", "a company commented on its assessment within the two weeks",
      "round_id covenant year org_id window_ends" },
    { "notification.delivered", "notify", "a webhook or e-mail was delivered",
      "event_id type recipient channel attempts" },
    { "notification.failed", "notify", "a delivery failed for good after a day of retries",
      "event_id type recipient channel attempts" },
    { NULL, NULL, NULL, NULL },
};

const imvo_proto_event_t *
imvo_proto_event_find (const char *type)
{
    for (const imvo_proto_event_t *e = imvo_proto_events; e->type; e++)
        if (strcmp (e->type, type) == 0)
            return e;
    return NULL;
}

/*  The covenants' terms and the 4 July list (issue 23, items 1 and 3). The rules quote the
    seeds (../shared/seeds/):
    - "Het convenant heeft een looptijd van 5 jaar" (000, gold) and "5 jaar (2019-2024)" (004,
      metals): covenant.get's term. When it has run out the secretariat records what happened,
      covenant.term_record: extended (until a new date) or ended; nothing ends on its own.
    - "Productielocaties van bij het convenant aangesloten bedrijven staan online. Jaarlijks
      wordt op 4 juli een nieuwe lijst gepubliceerd." (001, textile): location.disclosures,
      the secretariat's view of who disclosed for a year before the covenant's deadline.
*/
#include "catalogue_dates.h"

#include <string.h>

static const char *const s_term_decisions [] = { "extended", "ended", NULL };

#define COVENANT(i) [i] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. gold" }

static const imvo_field_t s_term_record [] = {
    COVENANT (TERM_RECORD_COVENANT),
    [TERM_RECORD_DECISION] = { "decision", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_term_decisions, "extended or ended" },
    [TERM_RECORD_UNTIL] = { "until", IMVO_F_STR, false, 10, 10, IMVO_FMT_DATE, NULL,
                            "extended: the new end (needed); ended: the day it ended (default: when the term ran out)" },
    [TERM_RECORD_SOURCE] = { "source", IMVO_F_STR, true, 1, 500, IMVO_FMT_LINE, NULL, "where the decision is written (minutes, a letter, a URL)" },
};

static int
s_term_record_check (const imvo_value_t *values, imvo_error_t *err)
{
    if (strcmp (values [TERM_RECORD_DECISION].str, "extended") == 0 && !values [TERM_RECORD_UNTIL].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "until", "an extension needs its new end date (until)");
    return 0;
}

static const imvo_field_t s_disclosures [] = {
    COVENANT (DISCLOSURES_COVENANT),
    [DISCLOSURES_YEAR] = { "year", IMVO_F_INT, false, 2000, 2100, 0, NULL, "the list's year (default: this year)" },
};

const imvo_proto_msg_t covenant_term_record_msg = {
    "covenant.term_record", "the secretariat records what happened when a covenant's term ran out: extended (until a new date) or ended; nothing ends on its own",
    IMVO_FIELDS (s_term_record), IMVO_ROLE_SECRETARIAT, NULL, NULL, s_term_record_check,
    .service = "membership", .idem_ttl = IMVO_WEEK, .reply = "covenant decision until source status term",
    .script = "covenant_term_record", .script_keys = "idem covenant",
    .script_args = "prefix covenant decision until_on source today actor" };

const imvo_proto_msg_t location_disclosures_msg = {
    "location.disclosures", "the 4 July list's deadline for a year: which member companies disclosed, were reminded, are overdue; when the list is published",
    IMVO_FIELDS (s_disclosures), IMVO_STAFF, NULL, NULL, NULL,
    .service = "membership", .reply = "covenant year deadline publish_on published_on? auto_published? companies" };

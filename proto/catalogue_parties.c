/*  Parties as the covenants really have them (catalogue_parties.h).

    A trade association that signed for its members lists them: member.associates replaces the
    list of its member companies in a covenant; member.associated reads every association's
    list (scoring's rounds of food and insurance assess those companies; complaints admits
    them as respondents, reachable through their association). Seed 002 (food): "De
    brancheorganisaties moeten ervoor zorgen dat al hun leden risico's in kaart brengen en
    aanpakken."

    member.contribute records a supporter's contribution. Seed 004 (metals): "U kunt
    financieel bijdragen aan specifieke activiteiten die in het kader van het convenant worden
    georganiseerd. U kunt ook in natura bijdragen aan collectieve activiteiten." Financial: an
    amount to a named activity; in kind: a description (and the collective activity, if named).
*/
#include "catalogue_parties.h"

#include <string.h>

static const char *const s_contribution_kinds [] = { "financial", "in_kind", NULL };

#define COVENANT(i) [i] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. food" }

static const imvo_field_t s_associates [] = {
    COVENANT (MEMBER_ASSOCIATES_COVENANT),
    [MEMBER_ASSOCIATES_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the trade association: a party of the covenant" },
    [MEMBER_ASSOCIATES_COMPANIES] = { "companies", IMVO_F_STRLIST, true, 0, MEMBER_ASSOCIATES_MAX, IMVO_FMT_ID, NULL,
                                      "its member companies' org ids, comma-separated: the whole list (it replaces the one before)" },
};
static const imvo_field_t s_associated [] = {
    COVENANT (MEMBER_ASSOCIATED_COVENANT),
    [MEMBER_ASSOCIATED_ASSOCIATION] = { "association", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "only this association's member companies" },
};
static const imvo_field_t s_contribute [] = {
    COVENANT (MEMBER_CONTRIBUTE_COVENANT),
    [MEMBER_CONTRIBUTE_ORG_ID] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the supporter" },
    [MEMBER_CONTRIBUTE_KIND] = { "kind", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_contribution_kinds, "financial (an amount to a named activity) or in_kind (a description)" },
    [MEMBER_CONTRIBUTE_YEAR] = { "year", IMVO_F_INT, true, 2000, 2100, 0, NULL, "the year of the contribution" },
    [MEMBER_CONTRIBUTE_AMOUNT] = { "amount_eur", IMVO_F_INT, false, 1, 100000000, 0, NULL, "financial: the amount in euro" },
    [MEMBER_CONTRIBUTE_ACTIVITY] = { "activity", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "the activity it is for (financial: required)" },
    [MEMBER_CONTRIBUTE_DESCRIPTION] = { "description", IMVO_F_STR, false, 1, 2000, IMVO_FMT_TEXT, NULL, "in_kind: what is given (required)" },
};

//  Financial: an amount and the activity; in kind: a description, and no amount.
static int
s_contribute_check (const imvo_value_t *f, imvo_error_t *err)
{
    bool financial = strcmp (f [MEMBER_CONTRIBUTE_KIND].str, "financial") == 0;
    if (financial && !f [MEMBER_CONTRIBUTE_AMOUNT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "amount_eur", "a financial contribution needs amount_eur");
    if (financial && !f [MEMBER_CONTRIBUTE_ACTIVITY].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "activity",
                               "a financial contribution goes to a specific activity: name it in activity");
    if (!financial && !f [MEMBER_CONTRIBUTE_DESCRIPTION].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "description", "an in_kind contribution needs a description");
    if (!financial && f [MEMBER_CONTRIBUTE_AMOUNT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "amount_eur",
                               "an in_kind contribution has no amount_eur (record money as financial)");
    return 0;
}

const imvo_proto_msg_t member_associates_msg = {
    "member.associates", "a trade association that is a party lists its member companies in a covenant (the whole list, replacing the one before): the rounds assess them, complaints reach them through it",
    IMVO_FIELDS (s_associates), IMVO_STAFF | IMVO_ROLE_COMPANY, "org_id", NULL, NULL,
    .service = "membership", .idem_ttl = IMVO_WEEK,
    .reply = "covenant org_id companies added removed",
    .script = "member_associates", .script_keys = "idem member",
    .script_args = "prefix org_id companies today actor" };
const imvo_proto_msg_t member_associated_msg = {
    "member.associated", "the member companies the covenant's trade associations list, each with its association",
    IMVO_FIELDS (s_associated), IMVO_ANY_ROLE, NULL, NULL, NULL,
    .service = "membership",
    .reply = "covenant companies" };
const imvo_proto_msg_t member_contribute_msg = {
    "member.contribute", "record a supporter's contribution: financial (amount_eur to a named activity) or in_kind (a description); member.get lists them",
    IMVO_FIELDS (s_contribute), IMVO_STAFF, NULL, NULL, s_contribute_check,
    .service = "membership", .idem_ttl = IMVO_WEEK,
    .reply = "covenant org_id contribution",
    .script = "member_contribute", .script_keys = "idem member",
    .script_args = "prefix org_id contribution actor" };

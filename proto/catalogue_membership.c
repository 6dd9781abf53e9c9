/*  The membership daemon's messages: covenants, organisations, memberships, production
    locations, and the accounts of persons (account.*). Market shares are in basis points (hundredths of a percent: 48 % = 4800). */
#include "imvo_proto.h"
#include "catalogue_membership.h"
#include "catalogue_parties.h"
#include "catalogue_collective.h"
#include "catalogue_dates.h"

#include <string.h>

static const char *const s_kinds [] = {
    "company", "trade_association", "ngo", "union", "government", "knowledge_institution", "other", NULL };
static const char *const s_roles [] = { "party", "supporter", "expert", NULL };
static const char *const s_decisions [] = { "confirm", "reject", NULL };
static const char *const s_account_roles [] = { "secretariat", "committee", "monitoring", "company", "steering", NULL };
static const char *const s_langs [] = { "nl", "en", "fr", "es", "bn", "hi", "zh", "tr", "vi", NULL };
static const char *const s_reset_what [] = { "password", "totp", NULL };

#define COVENANT(i) [i] = { "covenant", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, "covenant code, e.g. textile" }
#define ORG_ID(i) [i] = { "org_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "an organisation's id, e.g. org-12" }
#define YEAR(i) [i] = { "year", IMVO_F_INT, true, 2000, 2100, 0, NULL, "the year" }

static const imvo_field_t s_covenant_get [] = {
    [COVENANT_GET_CODE] = { "code", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, NULL, NULL },
};
static const imvo_field_t s_org_register [] = {
    [ORG_REGISTER_NAME] = { "name", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "organisation name" },
    [ORG_REGISTER_KIND] = { "kind", IMVO_F_STR, true, 1, 32, IMVO_FMT_CODE, s_kinds, "company, trade_association, ngo, union, government, knowledge_institution, other" },
    [ORG_REGISTER_COUNTRY] = { "country", IMVO_F_STR, true, 2, 2, IMVO_FMT_COUNTRY, NULL, "ISO 3166 alpha-2 code, e.g. NL" },
    [ORG_REGISTER_EMAIL] = { "contacts.email", IMVO_F_STR, false, 3, 200, IMVO_FMT_EMAIL, NULL, "contact for notifications" },
    [ORG_REGISTER_WEBHOOK] = { "contacts.webhook", IMVO_F_STR, false, 8, 500, IMVO_FMT_URL, NULL, "https URL for notifications" },
    [ORG_REGISTER_SHARE] = { "market_share_bp", IMVO_F_INT, false, 0, 10000, 0, NULL, "declared market share in basis points (48 % = 4800)" },
};
static const imvo_field_t s_org_get [] = { ORG_ID (ORG_GET_ORG_ID) };
static const imvo_field_t s_org_list [] = {
    [ORG_LIST_KIND] = { "kind", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, s_kinds, "only this kind" },
    [ORG_LIST_COUNTRY] = { "country", IMVO_F_STR, false, 2, 2, IMVO_FMT_COUNTRY, NULL, "only this country" },
    [ORG_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most to show (default 500)" },
    [ORG_LIST_CURSOR] = { "cursor", IMVO_F_STR, false, 1, 32, IMVO_FMT_ID, NULL, "the next page: the next_cursor a page ended with" },
};
static const imvo_field_t s_org_update [] = {
    ORG_ID (ORG_UPDATE_ORG_ID),
    [ORG_UPDATE_NAME] = { "name", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, NULL },
    [ORG_UPDATE_COUNTRY] = { "country", IMVO_F_STR, false, 2, 2, IMVO_FMT_COUNTRY, NULL, NULL },
    [ORG_UPDATE_EMAIL] = { "contacts.email", IMVO_F_STR, false, 3, 200, IMVO_FMT_EMAIL, NULL, NULL },
    [ORG_UPDATE_WEBHOOK] = { "contacts.webhook", IMVO_F_STR, false, 8, 500, IMVO_FMT_URL, NULL, NULL },
    [ORG_UPDATE_SHARE] = { "market_share_bp", IMVO_F_INT, false, 0, 10000, 0, NULL, NULL },
};
static const imvo_field_t s_member_join [] = {
    COVENANT (MEMBER_JOIN_COVENANT), ORG_ID (MEMBER_JOIN_ORG_ID),
    [MEMBER_JOIN_ROLE] = { "role", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_roles, "party, supporter or expert" },
    [MEMBER_JOIN_GROUPS] = { "working_groups", IMVO_F_STRLIST, false, 0, 20, IMVO_FMT_CODE, NULL, "comma-separated working group codes" },
    //  The real signing date (today or earlier; staff only when earlier) and where it is written.
    [MEMBER_JOIN_SINCE] = { "since", IMVO_F_STR, false, 10, 10, IMVO_FMT_DATE, NULL, "signing date YYYY-MM-DD, today or earlier (default today)" },
    [MEMBER_JOIN_SOURCE] = { "source", IMVO_F_STR, false, 1, 300, IMVO_FMT_LINE, NULL, "where the signing date is written (needed for an earlier date)" },
};
static const imvo_field_t s_member_leave [] = {
    COVENANT (MEMBER_LEAVE_COVENANT), ORG_ID (MEMBER_LEAVE_ORG_ID),
    [MEMBER_LEAVE_REASON] = { "reason", IMVO_F_STR, false, 1, 500, IMVO_FMT_LINE, NULL, "why" },
};
static const imvo_field_t s_member_list [] = {
    COVENANT (MEMBER_LIST_COVENANT),
    [MEMBER_LIST_ROLE] = { "role", IMVO_F_STR, false, 1, 16, IMVO_FMT_CODE, s_roles, "only this role" },
    [MEMBER_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most to show (default 500)" },
    [MEMBER_LIST_CURSOR] = { "cursor", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "the next page: the next_cursor a page ended with" },
};
static const imvo_field_t s_member_get [] = { COVENANT (MEMBER_GET_COVENANT), ORG_ID (MEMBER_GET_ORG_ID) };
static const imvo_field_t s_member_pay [] = {
    COVENANT (MEMBER_PAY_COVENANT), ORG_ID (MEMBER_PAY_ORG_ID), YEAR (MEMBER_PAY_YEAR),
    [MEMBER_PAY_AMOUNT] = { "amount_eur", IMVO_F_INT, false, 0, 100000000, 0, NULL, NULL },
};
static const imvo_field_t s_member_unpaid [] = { COVENANT (MEMBER_UNPAID_COVENANT), YEAR (MEMBER_UNPAID_YEAR) };
static const imvo_field_t s_location_add [] = {
    COVENANT (LOCATION_ADD_COVENANT), ORG_ID (LOCATION_ADD_ORG_ID), YEAR (LOCATION_ADD_YEAR),
    [LOCATION_ADD_NAME] = { "name", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "location name" },
    [LOCATION_ADD_ADDRESS] = { "address", IMVO_F_STR, true, 1, 300, IMVO_FMT_LINE, NULL, "street address" },
    [LOCATION_ADD_CITY] = { "city", IMVO_F_STR, false, 1, 100, IMVO_FMT_LINE, NULL, "city" },
    [LOCATION_ADD_REGION] = { "region", IMVO_F_STR, false, 1, 100, IMVO_FMT_LINE, NULL, "region" },
    [LOCATION_ADD_COUNTRY] = { "country", IMVO_F_STR, true, 2, 2, IMVO_FMT_COUNTRY, NULL, "ISO code" },
    [LOCATION_ADD_WORKERS] = { "workers", IMVO_F_INT, false, 0, 10000000, 0, NULL, "number of workers" },
    [LOCATION_ADD_PRODUCT] = { "product_type", IMVO_F_STR, false, 1, 100, IMVO_FMT_LINE, NULL, "what is made there" },
};
static const imvo_field_t s_location_import [] = {
    COVENANT (LOCATION_IMPORT_COVENANT), ORG_ID (LOCATION_IMPORT_ORG_ID), YEAR (LOCATION_IMPORT_YEAR),
    //  Under the default IMVO_MAX_MSG_BYTES (1 MiB) with room for the envelope: 10,000 rows.
    [LOCATION_IMPORT_CSV] = { "csv", IMVO_F_STR, true, 1, 1000000, IMVO_FMT_TEXT, NULL, NULL },
    [LOCATION_IMPORT_PREVIEW] = { "preview", IMVO_F_BOOL, false, 0, 0, 0, NULL, "true: check and match every row and answer as an import would, writing nothing (no flag, no location)" },
};
static const imvo_field_t s_location_year [] = { COVENANT (LOCATION_YEAR_COVENANT), YEAR (LOCATION_YEAR_YEAR) };
static const imvo_field_t s_location_covenant [] = { COVENANT (LOCATION_COUNTS_COVENANT) };
static const imvo_field_t s_location_sourcing [] = {
    [LOCATION_SOURCING_COVENANT] = { "covenant", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, NULL, "one covenant (default: every covenant)" },
    [LOCATION_SOURCING_LOCATION] = { "location_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, NULL },
    [LOCATION_SOURCING_YEAR] = { "year", IMVO_F_INT, false, 2000, 2100, 0, NULL, "one year (default: every year)" },
};
static const imvo_field_t s_location_search [] = {
    COVENANT (LOCATION_SEARCH_COVENANT),
    [LOCATION_SEARCH_Q] = { "q", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "words of the place's name, city, region, address or country (each word the start of one; case, accents and scripts do not count)" },
    [LOCATION_SEARCH_COUNTRY] = { "country", IMVO_F_STR, false, 2, 2, IMVO_FMT_COUNTRY, NULL, "only this country (ISO code)" },
    [LOCATION_SEARCH_CITY] = { "city", IMVO_F_STR, false, 1, 100, IMVO_FMT_LINE, NULL, "only this city (its words)" },
    [LOCATION_SEARCH_LIMIT] = { "limit", IMVO_F_INT, false, 1, 50, 0, NULL, "most to show (default 20)" },
};

static int
s_location_search_check (const imvo_value_t *values, imvo_error_t *err)
{
    if (!values [LOCATION_SEARCH_Q].present && !values [LOCATION_SEARCH_COUNTRY].present
    &&  !values [LOCATION_SEARCH_CITY].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "q", "give q, country or city to search by");
    return 0;
}

static const imvo_field_t s_location_resolve [] = {
    COVENANT (LOCATION_RESOLVE_COVENANT),
    [LOCATION_RESOLVE_FLAG] = { "flag_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, NULL },
    [LOCATION_RESOLVE_DECISION] = { "decision", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_decisions, NULL },
    [LOCATION_RESOLVE_LOCATION] = { "location_id", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, NULL },
};

//  Usernames: lower-case ASCII letters, digits, '-', '_' and '.', 3 to 64 bytes (IMVO_FMT_ID
//  and the bounds are checked first).
static int
s_username_check (const imvo_value_t *v, imvo_error_t *err)
{
    for (size_t i = 0; i < v->len; i++) {
        char c = v->str [i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "username",
                                   "a username has lower-case letters, digits, '-', '_' and '.' only");
    }
    return 0;
}

static int
s_account_create_check (const imvo_value_t *values, imvo_error_t *err)
{
    if (s_username_check (&values [ACCOUNT_CREATE_USERNAME], err))
        return -1;
    if (strcmp (values [ACCOUNT_CREATE_ROLE].str, "company") == 0 && !values [ACCOUNT_CREATE_ORG].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "org", "a company's account names its org");
    return 0;
}

#define USERNAME(i) [i] = { "username", IMVO_F_STR, true, 3, 64, IMVO_FMT_ID, NULL, "a person's username: a-z, 0-9, '-', '_', '.'" }
static const imvo_field_t s_account_create [] = {
    USERNAME (ACCOUNT_CREATE_USERNAME),
    [ACCOUNT_CREATE_NAME] = { "name", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "the person's name" },
    [ACCOUNT_CREATE_EMAIL] = { "email", IMVO_F_STR, true, 3, 200, IMVO_FMT_EMAIL, NULL, "the person's e-mail address" },
    [ACCOUNT_CREATE_ROLE] = { "role", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_account_roles, "secretariat, committee, monitoring, company or steering" },
    [ACCOUNT_CREATE_ORG] = { "org", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "the person's organisation (required for role company), e.g. org-12" },
    [ACCOUNT_CREATE_LANG] = { "lang", IMVO_F_STR, false, 2, 2, IMVO_FMT_CODE, s_langs, "nl (default), en, fr, es, bn, hi, zh, tr or vi" },
    [ACCOUNT_CREATE_ADMIN] = { "admin", IMVO_F_BOOL, false, 0, 0, 0, NULL, "role company: the company's administrator, who creates and disables its accounts (set by the secretariat only)" },
};
static const imvo_field_t s_account_enroll [] = {
    [ACCOUNT_ENROLL_TOKEN] = { "enroll_token", IMVO_F_STR, true, 1, 128, IMVO_FMT_ID, NULL, "the enrollment token account.create or account.reset gave" },
    [ACCOUNT_ENROLL_PASSWORD] = { "password", IMVO_F_STR, true, 12, 200, IMVO_FMT_LINE, NULL, "the new password, 12 to 200 bytes" },
};
static const imvo_field_t s_account_login [] = {
    [ACCOUNT_LOGIN_USERNAME] = { "username", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, NULL },
    [ACCOUNT_LOGIN_PASSWORD] = { "password", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, NULL },
    [ACCOUNT_LOGIN_TOTP] = { "totp", IMVO_F_STR, true, 6, 6, IMVO_FMT_ID, NULL, "the 6-digit code of the authenticator" },
};
#define SESSION(i, req, help) [i] = { "session", IMVO_F_STR, req, 1, 128, IMVO_FMT_ID, NULL, help }
static const imvo_field_t s_account_session [] = { SESSION (ACCOUNT_SESSION_SESSION, true, "the session token account.login gave") };
static const imvo_field_t s_account_logout [] = { SESSION (ACCOUNT_LOGOUT_SESSION, true, "the session token account.login gave") };
static const imvo_field_t s_account_password [] = {
    USERNAME (ACCOUNT_PASSWORD_USERNAME),
    [ACCOUNT_PASSWORD_PASSWORD] = { "password", IMVO_F_STR, true, 1, 200, IMVO_FMT_LINE, NULL, "the present password" },
    [ACCOUNT_PASSWORD_NEW] = { "new_password", IMVO_F_STR, true, 12, 200, IMVO_FMT_LINE, NULL, "the new password, 12 to 200 bytes" },
    SESSION (ACCOUNT_PASSWORD_SESSION, false, "the session the change is made in: it stays; every other session of the person ends"),
};

static int
s_account_password_check (const imvo_value_t *values, imvo_error_t *err)
{
    if (strcmp (values [ACCOUNT_PASSWORD_PASSWORD].str, values [ACCOUNT_PASSWORD_NEW].str) == 0)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "new_password", "the new password is the present one");
    return 0;
}

static const imvo_field_t s_account_list [] = {
    [ACCOUNT_LIST_ORG] = { "org", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "only this organisation's accounts" },
};
static const imvo_field_t s_account_get [] = { USERNAME (ACCOUNT_GET_USERNAME) };
static const imvo_field_t s_account_disable [] = { USERNAME (ACCOUNT_DISABLE_USERNAME) };
static const imvo_field_t s_account_reset [] = {
    USERNAME (ACCOUNT_RESET_USERNAME),
    [ACCOUNT_RESET_WHAT] = { "what", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_reset_what, "password or totp: either way the person enrolls again" },
};

#define MSG(var, type, summary, fields, who, own, ...) \
    static const imvo_proto_msg_t var = { type, summary, IMVO_FIELDS (fields), who, own, NULL, NULL, \
                                          .service = "membership", __VA_ARGS__ };
//  Writes by the secretariat, or by a company for itself.
#define SELF (IMVO_STAFF | IMVO_ROLE_COMPANY)
static const imvo_field_t s_none [] = { { "", IMVO_F_MAP, false, 0, 0, 0, NULL, NULL } };

static const imvo_proto_msg_t s_covenant_list_msg = {
    "covenant.list", "the covenants: code, name, sector, status, dates", s_none, 0, IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "membership",
    .reply = "covenants" };
MSG (s_covenant_get_msg, "covenant.get", "a covenant with its facts and sources, counts per role and constituency, targets, market coverage", s_covenant_get, IMVO_PUBLIC, NULL, .reply = "code name name_nl name_en sector status signed_on? ends_on? term_years? secretariat chair? targets? figures? notes? themes? sources? term? disclosure? working_groups counts summary market_coverage_pct target_progress")
MSG (s_org_register_msg, "org.register", "register an organisation (market share in basis points)", s_org_register, IMVO_STAFF | IMVO_ROLE_SERVICE, NULL, .idem_ttl = IMVO_WEEK, .reply = "org_id")
MSG (s_org_get_msg, "org.get", "an organisation (staff, and a company of itself: its memberships and open cases too)", s_org_get, IMVO_ANY_ROLE, NULL, .reply = "org_id name kind country registered_at updated_at? market_share_bp? contacts memberships? open_cases?")
MSG (s_org_list_msg, "org.list", "organisations, optionally of one kind or country, a page at a time (limit: default 500; cursor: next_cursor)", s_org_list, IMVO_ANY_ROLE, NULL, .reply = "orgs next_cursor?")
MSG (s_org_update_msg, "org.update", "change an organisation's name, country, contacts or market share", s_org_update, SELF, "org_id", .idem_ttl = IMVO_WEEK, .reply = "org_id name kind country registered_at updated_at email? webhook? market_share_bp?")
MSG (s_member_join_msg, "member.join", "join a covenant as party, supporter or expert", s_member_join, SELF, "org_id", .idem_ttl = IMVO_WEEK, .reply = "membership", .script = "member_join", .script_keys = "idem covenant",
     .script_args = "prefix org_id role working_groups name kind share_bp today actor country since source")
MSG (s_member_leave_msg, "member.leave", "leave a covenant (the history is kept)", s_member_leave, SELF, "org_id", .idem_ttl = IMVO_WEEK, .reply = "covenant org_id status left_on")
MSG (s_member_list_msg, "member.list", "a covenant's current members, optionally of one role, a page at a time (limit: default 500; cursor: next_cursor)", s_member_list, IMVO_PUBLIC, NULL, .reply = "members next_cursor?")
MSG (s_member_get_msg, "member.get", "one membership with its history; a trade association's member companies, the association a company is listed by, a supporter's contributions (not to another company)", s_member_get, IMVO_ANY_ROLE, NULL, .reply = "org_id role status since source? joined_at name kind market_share_bp? working_groups votes owes_contribution left_on? history companies? association? contributions?")
MSG (s_member_pay_msg, "member.pay", "record a party's yearly contribution", s_member_pay, IMVO_STAFF, NULL, .idem_ttl = IMVO_WEEK, .reply = "org_id year amount_eur?")
MSG (s_member_unpaid_msg, "member.unpaid", "parties that are companies and have not paid for a year (a company: only itself, when it has not)", s_member_unpaid, IMVO_STAFF | IMVO_ROLE_COMPANY, NULL, .reply = "year unpaid")
MSG (s_location_add_msg, "location.add", "disclose one production location for a year", s_location_add, SELF, "org_id", .idem_ttl = IMVO_WEEK, .reply = "rows counts near flagged location_id match similarity flag_id? candidates?")
MSG (s_location_import_msg, "location.import", "disclose a year's locations as CSV (all rows or none; preview: true writes nothing and answers what would match and be flagged)", s_location_import, SELF, "org_id", .idem_ttl = IMVO_WEEK, .reply = "rows counts near flagged location_id? match? similarity? flag_id? candidates?")
MSG (s_location_list_msg, "location.list", "the published list for a covenant and year, each location once, no company names", s_location_year, IMVO_PUBLIC, NULL, .reply = "year count published_on draft locations")
MSG (s_location_export_msg, "location.export", "the published list as CSV", s_location_year, IMVO_PUBLIC, NULL, .reply = "year count published_on draft csv")
MSG (s_location_publish_msg, "location.publish", "publish a year's list (event location.list_published)", s_location_year, IMVO_STAFF, NULL, .idem_ttl = IMVO_WEEK, .reply = "covenant year locations published_on")
MSG (s_location_counts_msg, "location.counts", "locations per year, with the published figures from the seeds", s_location_covenant, IMVO_PUBLIC, NULL, .reply = "years published_figures")
MSG (s_location_flags_msg, "location.flags", "ambiguous matches waiting for the secretariat", s_location_covenant, IMVO_STAFF, NULL, .reply = "flags")
MSG (s_location_resolve_msg, "location.resolve", "confirm (merge into location_id) or reject an ambiguous match", s_location_resolve, IMVO_STAFF, NULL, .idem_ttl = IMVO_WEEK, .reply = "flag_id decision location_id")
MSG (s_location_sourcing_msg, "location.sourcing", "staff and services only: the companies that disclosed a location, per covenant, with the years", s_location_sourcing, IMVO_STAFF | IMVO_ROLE_SERVICE, NULL, .reply = "location_id companies")
static const imvo_proto_msg_t s_location_search_msg = {
    "location.search", "find a place in a covenant's published lists (every year's, each location once) by words of its name, city or country: the workplace a complainant knows; no company names",
    IMVO_FIELDS (s_location_search), IMVO_PUBLIC, NULL, NULL, s_location_search_check,
    .service = "membership", .reply = "locations more" };
//  Accounts. account.enroll, account.login and account.password keep no idempotency key: their
//  body holds a password, and the key's record would keep a fast digest of it; an enrollment
//  token works once anyway, and a TOTP code too. account.create and account.reset keep theirs,
//  but their stored reply holds only the token's hash: a retry with the key is told so
//  (conflict), never given the token again. Sessions (account.login, .session, .logout) are
//  for a gateway (the portal) and services.
static const imvo_proto_msg_t s_account_create_msg = {
    "account.create", "a person's account (the secretariat; a company's admin, or its certificate, for its own org, role company): gives an enrollment token, good once for 72 h",
    IMVO_FIELDS (s_account_create), IMVO_ROLE_SECRETARIAT | IMVO_ROLE_COMPANY, "org", NULL, s_account_create_check,
    .service = "membership", .idem_ttl = IMVO_WEEK, .reply = "username enroll_token" };
MSG (s_account_enroll_msg, "account.enroll", "set a password (12-200 bytes) with an enrollment token, once; gives the TOTP secret (base32, RFC 6238: SHA-1, 6 digits, 30 s)", s_account_enroll, IMVO_PUBLIC, NULL, .reply = "username totp_secret")
MSG (s_account_login_msg, "account.login", "sign a person in with password and TOTP code (a code works once); gives a session token, once (ends after 30 min idle, 12 h in all: expires_at, ms); five wrong tries lock the account for 15 minutes", s_account_login, IMVO_ROLE_GATEWAY | IMVO_ROLE_SERVICE, NULL, .reply = "session username name role org lang expires_at")
MSG (s_account_session_msg, "account.session", "the person a session is for, and it is used now (idle time starts again); an ended session: forbidden on session", s_account_session, IMVO_ROLE_GATEWAY | IMVO_ROLE_SERVICE, NULL, .reply = "username name role org lang expires_at")
MSG (s_account_logout_msg, "account.logout", "end a session (ended: true also when it had ended)", s_account_logout, IMVO_ROLE_GATEWAY | IMVO_ROLE_SERVICE, NULL, .reply = "ended")
static const imvo_proto_msg_t s_account_password_msg = {
    "account.password", "a person changes her own password (the present one checked, a wrong one counts as a wrong login); her other sessions end",
    IMVO_FIELDS (s_account_password), IMVO_STAFF | IMVO_ROLE_MONITORING | IMVO_ROLE_COMPANY | IMVO_ROLE_STEERING | IMVO_ROLE_GATEWAY | IMVO_ROLE_SERVICE,
    NULL, NULL, s_account_password_check, .service = "membership", .reply = "username" };
MSG (s_account_list_msg, "account.list", "persons' accounts (a company: its own org's; admin marks a company's administrator), never their secrets", s_account_list, IMVO_ROLE_SECRETARIAT | IMVO_ROLE_COMPANY, "org", .reply = "accounts")
//  For a daemon that hands work to a person (complaints: complaint.assign) and must know she
//  exists and what she is; no e-mail, no secrets.
MSG (s_account_get_msg, "account.get", "one person's account: role, organisation and status (pending, active, disabled), never the e-mail or secrets; not_found on username when there is none", s_account_get, IMVO_ROLE_SECRETARIAT | IMVO_ROLE_SERVICE, NULL, .reply = "username name role org? status")
MSG (s_account_disable_msg, "account.disable", "disable a person's account (a company's admin or certificate: its own org's)", s_account_disable, IMVO_ROLE_SECRETARIAT | IMVO_ROLE_COMPANY, NULL, .idem_ttl = IMVO_WEEK, .reply = "username status")
MSG (s_account_reset_msg, "account.reset", "a new enrollment token for a person, who then sets a new password and TOTP", s_account_reset, IMVO_ROLE_SECRETARIAT, NULL, .idem_ttl = IMVO_WEEK, .reply = "username enroll_token")

const imvo_proto_msg_t *const imvo_proto_membership [] = {
    &s_covenant_list_msg, &s_covenant_get_msg,
    &s_org_register_msg, &s_org_get_msg, &s_org_list_msg, &s_org_update_msg,
    &s_member_join_msg, &s_member_leave_msg, &s_member_list_msg, &s_member_get_msg,
    &s_member_pay_msg, &s_member_unpaid_msg, &member_associates_msg, &member_associated_msg, &member_contribute_msg,
    &s_location_add_msg, &s_location_import_msg, &s_location_list_msg, &s_location_export_msg,
    &s_location_publish_msg, &s_location_counts_msg, &s_location_flags_msg, &s_location_resolve_msg,
    &s_location_sourcing_msg, &s_location_search_msg, &location_disclosures_msg, &covenant_term_record_msg,
    &s_account_create_msg, &s_account_enroll_msg, &s_account_login_msg, &s_account_session_msg,
    &s_account_logout_msg, &s_account_password_msg, &s_account_list_msg, &s_account_disable_msg,
    &s_account_reset_msg, &s_account_get_msg,
    &sector_list_msg, &meeting_record_msg, &meeting_list_msg, &steering_put_msg, &steering_get_msg, NULL };

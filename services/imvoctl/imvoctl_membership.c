/*  imvoctl commands for the membership daemon. */
#include "imvoctl.h"

#define END { NULL, NULL, 0, false, NULL, NULL }

static const imvoctl_opt_t s_location_import [] = {
    { "--file", "csv", IMVOCTL_FILE, true, NULL, "the CSV to read the csv from: a header naming the columns, then a row a location (- for stdin)" },
    END,
};

static const imvoctl_opt_t s_account_enroll [] = {
    { "--token", "enroll_token", IMVOCTL_STR, false, NULL, "the enrollment token (the same as --enroll-token)" },
    END,
};

const imvoctl_cmd_t imvoctl_membership_cmds [] = {
    { "covenant list", "membership", "covenant.list", { NULL }, NULL, "covenants",
      "code,status,signed_on,ends_on,name", "the covenants" },
    { "covenant show", "membership", "covenant.get", { "code" }, NULL, NULL, NULL,
      "a covenant with its facts, sources, counts and targets: covenant show CODE" },
    { "covenant term", "membership", "covenant.term_record", { "covenant" }, NULL, NULL, NULL,
      "record what happened when a term ran out: covenant term CODE --decision extended|ended [--until DATE] --source TEXT" },
    { "org register", "membership", "org.register", { NULL }, NULL, NULL, NULL, "register an organisation" },
    { "org show", "membership", "org.get", { "org_id" }, NULL, NULL, NULL, "an organisation: org show ORG_ID" },
    { "org list", "membership", "org.list", { NULL }, NULL, "orgs", "org_id,kind,country,name", "organisations" },
    { "member join", "membership", "member.join", { NULL }, NULL, NULL, NULL, "join a covenant" },
    { "member leave", "membership", "member.leave", { NULL }, NULL, NULL, NULL, "leave a covenant" },
    { "member list", "membership", "member.list", { "covenant" }, NULL, "members",
      "org_id,role,kind,since,name", "a covenant's members: member list COVENANT" },
    { "location add", "membership", "location.add", { NULL }, NULL, NULL, NULL, "disclose one production location" },
    { "location import", "membership", "location.import", { NULL }, s_location_import, NULL, NULL,
      "disclose a year's locations from CSV (all rows or none)" },
    { "location list", "membership", "location.list", { "covenant" }, NULL, "locations",
      "location_id,country,city,name,address", "the published list: location list COVENANT --year Y" },
    { "location export", "membership", "location.export", { "covenant" }, NULL, "csv", NULL,
      "the published list as CSV (--json for the raw reply)" },
    { "location search", "membership", "location.search", { "covenant" }, NULL, "locations",
      "location_id,country,city,name", "find a place in the published lists: location search COVENANT --q WORDS" },
    { "location counts", "membership", "location.counts", { "covenant" }, NULL, "years", "year,locations,published_on",
      "locations per year: location counts COVENANT" },
    { "account create", "membership", "account.create", { NULL }, NULL, NULL, NULL,
      "a person's account: prints the enrollment token (good once, for 72 hours)" },
    { "account enroll", "membership", "account.enroll", { NULL }, s_account_enroll, NULL, NULL,
      "set the password with an enrollment token: prints the TOTP secret and its otpauth:// URI" },
    { "account login", "membership", "account.login", { NULL }, NULL, NULL, NULL,
      "sign a person in (--actor-role service): prints the session token, given once" },
    { "account session", "membership", "account.session", { "session" }, NULL, NULL, NULL,
      "who a session is for, and it is used now: account session TOKEN (--actor-role service)" },
    { "account logout", "membership", "account.logout", { "session" }, NULL, NULL, NULL,
      "end a session: account logout TOKEN (--actor-role service)" },
    { "account password", "membership", "account.password", { "username" }, NULL, NULL, NULL,
      "change a password (the present one checked): account password USERNAME --password P --new-password N" },
    { "account list", "membership", "account.list", { NULL }, NULL, "accounts", "username,role,org,status,lang,name",
      "persons' accounts" },
    { "account disable", "membership", "account.disable", { "username" }, NULL, NULL, NULL,
      "disable an account: account disable USERNAME" },
    { "account reset", "membership", "account.reset", { "username" }, NULL, NULL, NULL,
      "a new enrollment token (new password and TOTP): account reset USERNAME --what password|totp" },
    { "location disclosures", "membership", "location.disclosures", { "covenant" }, NULL, "companies",
      "org_id,disclosed,reminded,overdue,since,name",
      "the 4 July list's deadline: who disclosed, was reminded, is overdue: location disclosures COVENANT [--year Y]" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

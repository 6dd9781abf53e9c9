/*  imvoctl commands for the membership daemon. */
#include "imvoctl.h"

#define END { NULL, NULL, 0, false, NULL, NULL }

static const imvoctl_opt_t s_org_register [] = {
    { "--name", "name", IMVOCTL_STR, true, NULL, "organisation name" },
    { "--kind", "kind", IMVOCTL_STR, true, NULL, "company, trade_association, ngo, union, government, knowledge_institution, other" },
    { "--country", "country", IMVOCTL_STR, true, NULL, "ISO 3166 alpha-2 code, e.g. NL" },
    { "--email", "contacts.email", IMVOCTL_STR, false, NULL, "contact for notifications" },
    { "--webhook", "contacts.webhook", IMVOCTL_STR, false, NULL, "https URL for notifications" },
    { "--market-share-bp", "market_share_bp", IMVOCTL_INT, false, NULL, "declared market share in basis points (48 % = 4800)" },
    END,
};
static const imvoctl_opt_t s_org_list [] = {
    { "--kind", "kind", IMVOCTL_STR, false, NULL, "only this kind" },
    { "--country", "country", IMVOCTL_STR, false, NULL, "only this country" },
    { "--limit", "limit", IMVOCTL_INT, false, NULL, "most to show (default 500)" },
    { "--cursor", "cursor", IMVOCTL_STR, false, NULL, "the next page: the next_cursor a page ended with" },
    END,
};
static const imvoctl_opt_t s_member_join [] = {
    { "--covenant", "covenant", IMVOCTL_STR, true, NULL, "covenant code" },
    { "--org-id", "org_id", IMVOCTL_STR, true, NULL, "org_id" },
    { "--role", "role", IMVOCTL_STR, true, NULL, "party, supporter or expert" },
    { "--working-groups", "working_groups", IMVOCTL_LIST, false, NULL, "comma-separated working group codes" },
    END,
};
static const imvoctl_opt_t s_member_leave [] = {
    { "--covenant", "covenant", IMVOCTL_STR, true, NULL, "covenant code" },
    { "--org-id", "org_id", IMVOCTL_STR, true, NULL, "org_id" },
    { "--reason", "reason", IMVOCTL_STR, false, NULL, "why" },
    END,
};
static const imvoctl_opt_t s_member_list [] = {
    { "--role", "role", IMVOCTL_STR, false, NULL, "only this role" },
    { "--limit", "limit", IMVOCTL_INT, false, NULL, "most to show (default 500)" },
    { "--cursor", "cursor", IMVOCTL_STR, false, NULL, "the next page: the next_cursor a page ended with" },
    END,
};
static const imvoctl_opt_t s_location_add [] = {
    { "--covenant", "covenant", IMVOCTL_STR, true, NULL, "covenant code" },
    { "--org-id", "org_id", IMVOCTL_STR, true, NULL, "the disclosing company" },
    { "--year", "year", IMVOCTL_INT, true, NULL, "disclosure year" },
    { "--name", "name", IMVOCTL_STR, true, NULL, "location name" },
    { "--address", "address", IMVOCTL_STR, true, NULL, "street address" },
    { "--city", "city", IMVOCTL_STR, true, NULL, "city" },
    { "--region", "region", IMVOCTL_STR, false, NULL, "region" },
    { "--country", "country", IMVOCTL_STR, true, NULL, "ISO code" },
    { "--workers", "workers", IMVOCTL_INT, false, NULL, "number of workers" },
    { "--product-type", "product_type", IMVOCTL_STR, false, NULL, "what is made there" },
    END,
};
static const imvoctl_opt_t s_location_import [] = {
    { "--covenant", "covenant", IMVOCTL_STR, true, NULL, "covenant code" },
    { "--org-id", "org_id", IMVOCTL_STR, true, NULL, "the disclosing company" },
    { "--year", "year", IMVOCTL_INT, true, NULL, "disclosure year" },
    { "--file", "csv", IMVOCTL_FILE, true, NULL, "CSV: name,address,city,region,country,workers,product_type (- for stdin)" },
    END,
};
static const imvoctl_opt_t s_location_year [] = {
    { "--year", "year", IMVOCTL_INT, true, NULL, "year" },
    END,
};

const imvoctl_cmd_t imvoctl_membership_cmds [] = {
    { "covenant list", "membership", "covenant.list", { NULL }, NULL, "covenants",
      "code,status,signed_on,ends_on,name", "the covenants" },
    { "covenant show", "membership", "covenant.get", { "code" }, NULL, NULL, NULL,
      "a covenant with its facts, sources, counts and targets: covenant show CODE" },
    { "org register", "membership", "org.register", { NULL }, s_org_register, NULL, NULL, "register an organisation" },
    { "org show", "membership", "org.get", { "org_id" }, NULL, NULL, NULL, "an organisation: org show ORG_ID" },
    { "org list", "membership", "org.list", { NULL }, s_org_list, "orgs", "org_id,kind,country,name", "organisations" },
    { "member join", "membership", "member.join", { NULL }, s_member_join, NULL, NULL, "join a covenant" },
    { "member leave", "membership", "member.leave", { NULL }, s_member_leave, NULL, NULL, "leave a covenant" },
    { "member list", "membership", "member.list", { "covenant" }, s_member_list, "members",
      "org_id,role,kind,since,name", "a covenant's members: member list COVENANT" },
    { "location add", "membership", "location.add", { NULL }, s_location_add, NULL, NULL, "disclose one production location" },
    { "location import", "membership", "location.import", { NULL }, s_location_import, NULL, NULL,
      "disclose a year's locations from CSV (all rows or none)" },
    { "location list", "membership", "location.list", { "covenant" }, s_location_year, "locations",
      "location_id,country,city,name,address", "the published list: location list COVENANT --year Y" },
    { "location export", "membership", "location.export", { "covenant" }, s_location_year, "csv", NULL,
      "the published list as CSV (--json for the raw reply)" },
    { "location counts", "membership", "location.counts", { "covenant" }, NULL, "years", "year,locations,published_on",
      "locations per year: location counts COVENANT" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

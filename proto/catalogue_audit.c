/*  The audit trail's messages. Every daemon writes its own audit streams (the runtime does,
    imvo_service.h: imvo_audit_mark); complaints reads them all for the secretariat. */
#include "imvo_proto.h"
#include "catalogue_audit.h"

#include <string.h>

static const imvo_field_t s_list [] = {
    [AUDIT_LIST_COVENANT] = { "covenant", IMVO_F_STR, false, 1, 32, IMVO_FMT_CODE, NULL, "one covenant's entries (default: every covenant's and those of none)" },
    [AUDIT_LIST_CASE_ID] = { "case_id", IMVO_F_STR, false, 1, 64, IMVO_FMT_CASE_ID, NULL, "only the entries about this case" },
    [AUDIT_LIST_PERSON] = { "person", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, NULL, "only what this person (a username) did" },
    [AUDIT_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 500, 0, NULL, "most entries to show (default 100)" },
};

//  A case belongs to the covenant its id names: both given, they must agree.
static int
s_list_check (const imvo_value_t *f, imvo_error_t *err)
{
    char covenant [64];
    if (f [AUDIT_LIST_CASE_ID].present && f [AUDIT_LIST_COVENANT].present
    &&  (imvo_case_id_covenant (f [AUDIT_LIST_CASE_ID].str, covenant, sizeof covenant)
         || strcmp (covenant, f [AUDIT_LIST_COVENANT].str) != 0))
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "case_id", "case %s is not a case of covenant %s",
                               f [AUDIT_LIST_CASE_ID].str, f [AUDIT_LIST_COVENANT].str);
    return 0;
}

static const imvo_proto_msg_t s_audit_list = {
    "audit.list", "the audit trail of every daemon, newest first: who changed what, who read a complainant's identity, who exported (filters: covenant, case_id, person)",
    IMVO_FIELDS (s_list), IMVO_ROLE_SECRETARIAT, NULL, NULL, s_list_check,
    .service = "complaints",
    .reply = "items partial?" };

const imvo_proto_msg_t *const imvo_proto_audit [] = { &s_audit_list, NULL };

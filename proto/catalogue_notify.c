/*  The notify daemon's messages. */
#include "imvo_proto.h"
#include "catalogue_notify.h"

static const imvo_field_t s_inbox_list [] = {
    [INBOX_LIST_RECIPIENT] = { "recipient", IMVO_F_STR, true, 1, 128, IMVO_FMT_ID, NULL, NULL },
    [INBOX_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most items to show (default 100)" },
    [INBOX_LIST_CURSOR] = { "cursor", IMVO_F_STR, false, 3, 128, IMVO_FMT_ID, NULL, "the next page: the next_cursor a page ended with" },
};

static const imvo_proto_msg_t s_inbox_list_msg = {
    "inbox.list", "a recipient's inbox, newest first, a page at a time (limit: default 100; cursor: the next_cursor of the page before)", IMVO_FIELDS (s_inbox_list),
    IMVO_STAFF | IMVO_ROLE_COMPANY, "recipient", "org:", NULL };

const imvo_proto_msg_t *const imvo_proto_notify [] = { &s_inbox_list_msg, NULL };

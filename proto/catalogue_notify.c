/*  The notify daemon's messages. */
#include "imvo_proto.h"
#include "catalogue_notify.h"

#include <string.h>

static const imvo_field_t s_inbox_list [] = {
    [INBOX_LIST_RECIPIENT] = { "recipient", IMVO_F_STR, true, 1, 128, IMVO_FMT_ID, NULL, NULL },
    [INBOX_LIST_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most items to show (default 100)" },
    [INBOX_LIST_CURSOR] = { "cursor", IMVO_F_STR, false, 3, 128, IMVO_FMT_ID, NULL, "the next page: the next_cursor a page ended with" },
};

static const imvo_proto_msg_t s_inbox_list_msg = {
    "inbox.list", "a recipient's inbox, newest first, a page at a time (limit: default 100; cursor: the next_cursor of the page before); the secretariat reads every inbox, a committee <its role>:<covenant>, a company org:<its id>", IMVO_FIELDS (s_inbox_list),
    IMVO_STAFF | IMVO_ROLE_MONITORING | IMVO_ROLE_COMPANY, "recipient", "org:", NULL,
    .service = "notify", .mode = IMVO_PIPELINED,
    .reply = "items total unread next_cursor?" };

#define RECIPIENT(i) [i] = { "recipient", IMVO_F_STR, true, 3, 128, IMVO_FMT_ID, NULL, "secretariat:<covenant>, committee:<covenant>, monitoring:<covenant> or org:<org_id>" }
static const char *const s_channels [] = { "inbox", "webhook", "email", NULL };
static const char *const s_langs [] = { "nl", "en", "fr", "es", "bn", "hi", "zh", "tr", "vi", NULL };

static const imvo_field_t s_mark [] = {
    RECIPIENT (INBOX_MARK_RECIPIENT),
    [INBOX_MARK_EVENTS] = { "event_ids", IMVO_F_STRLIST, true, 1, 1000, IMVO_FMT_ID, NULL, "the items read" },
};
static const imvo_field_t s_sub_put [] = {
    RECIPIENT (SUB_PUT_RECIPIENT),
    [SUB_PUT_CHANNEL] = { "channel", IMVO_F_STR, true, 1, 16, IMVO_FMT_CODE, s_channels, "inbox, webhook or email" },
    [SUB_PUT_ADDRESS] = { "address", IMVO_F_STR, false, 3, 500, IMVO_FMT_LINE, NULL, "the webhook's URL or the e-mail address" },
    [SUB_PUT_SECRET] = { "secret", IMVO_F_STR, false, 16, 200, IMVO_FMT_LINE, NULL, "webhooks: signs each POST (X-IMVO-Signature, HMAC-SHA256)" },
    [SUB_PUT_LANG] = { "lang", IMVO_F_STR, true, 2, 2, IMVO_FMT_CODE, s_langs, "nl, en, fr, es, bn, hi, zh, tr or vi (PROTOCOL.md, \"Languages\")" },
    [SUB_PUT_TYPES] = { "types", IMVO_F_STRLIST, false, 0, 50, IMVO_FMT_ID, NULL, "only these event types (default: all the recipient hears)" },
};
static const imvo_field_t s_sub_list [] = { RECIPIENT (SUB_LIST_RECIPIENT) };
static const imvo_field_t s_failures [] = {
    [FAILURES_RECIPIENT] = { "recipient", IMVO_F_STR, false, 3, 128, IMVO_FMT_ID, NULL, "one recipient (default: all with subscriptions)" },
};

//  A webhook needs an http(s) URL, an e-mail subscription an address; the inbox needs neither.
static int
s_sub_check (const imvo_value_t *f, imvo_error_t *err)
{
    const char *channel = f [SUB_PUT_CHANNEL].str, *address = f [SUB_PUT_ADDRESS].present ? f [SUB_PUT_ADDRESS].str : NULL;
    if (strcmp (channel, "webhook") == 0 && (!address || !imvo_proto_format_ok (IMVO_FMT_URL, address, strlen (address))))
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "address", "a webhook needs address: an http:// or https:// URL");
    if (strcmp (channel, "email") == 0 && (!address || !imvo_proto_format_ok (IMVO_FMT_EMAIL, address, strlen (address))))
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "address", "an e-mail subscription needs address: an e-mail address");
    if (strcmp (channel, "webhook") != 0 && f [SUB_PUT_SECRET].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "secret", "only a webhook has a secret");
    return 0;
}

static const imvo_field_t s_by_receipt [] = {
    [BY_RECEIPT_RECEIPT] = { "receipt", IMVO_F_STR, true, 1, 80, IMVO_FMT_RECEIPT, NULL, "the complainant's receipt" },
    [BY_RECEIPT_LIMIT] = { "limit", IMVO_F_INT, false, 1, 1000, 0, NULL, "most items to show (default 100)" },
};
static const imvo_proto_msg_t s_by_receipt_msg = {
    "inbox.by_receipt", "the complainant's inbox (status changes and the decision of the case), by receipt",
    IMVO_FIELDS (s_by_receipt), IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "notify",
    .reply = "items total unread next_cursor?" };

static const imvo_proto_msg_t s_mark_msg = {
    "inbox.mark_read", "mark inbox items read (in the inboxes the actor may read: inbox.list)", IMVO_FIELDS (s_mark), IMVO_STAFF | IMVO_ROLE_MONITORING | IMVO_ROLE_COMPANY,
    "recipient", "org:", NULL,
    .service = "notify", .mode = IMVO_PIPELINED,
    .reply = "marked" };
static const imvo_proto_msg_t s_sub_put_msg = {
    "subscription.put", "how a recipient hears: inbox, webhook or e-mail, in Dutch or English (a company for org:<its id>)",
    IMVO_FIELDS (s_sub_put), IMVO_STAFF | IMVO_ROLE_MONITORING | IMVO_ROLE_COMPANY, "recipient", "org:", s_sub_check,
    .service = "notify",
    .reply = "recipient channel lang" };
static const imvo_proto_msg_t s_sub_list_msg = {
    "subscription.list", "a recipient's subscriptions (secrets not shown)", IMVO_FIELDS (s_sub_list),
    IMVO_STAFF | IMVO_ROLE_MONITORING | IMVO_ROLE_COMPANY, "recipient", "org:", NULL,
    .service = "notify",
    .reply = "subscriptions" };
static const imvo_proto_msg_t s_failures_msg = {
    "notify.failures", "deliveries that failed for good (after 24 hours of retries), for operators",
    IMVO_FIELDS (s_failures), IMVO_STAFF | IMVO_ROLE_SERVICE, NULL, NULL, NULL,
    .service = "notify",
    .reply = "failures" };

const imvo_proto_msg_t *const imvo_proto_notify [] = {
    &s_inbox_list_msg, &s_by_receipt_msg, &s_mark_msg, &s_sub_put_msg, &s_sub_list_msg, &s_failures_msg, NULL };

/*  notify_server: turns events into notifications for the right people.

    Events arrive through the runtime's consumer (at least once); each recipient's inbox
    applies an event at most once (lua/inbox_add.lua, keyed by event id), so a replayed or
    reclaimed event never shows twice. Recipients are strings: secretariat:<covenant>,
    committee:<covenant>, org:<org_id>.

    Keys, under the recipient's hash tag:
      imvo:notify:{<recipient>}:inbox   zset of event ids by event time
      imvo:notify:{<recipient>}:items   hash event id -> packed item (also: the event was applied)
*/
#include "notify_server.h"
#include "catalogue_notify.h"

extern const imvo_script_t notify_scripts [];

//  The end of inbox_add: 1 (added) or 0 (there already) is success.
static int
s_inbox_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    (void) ctx;
    int rc = 0;
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r && r->type == REDIS_REPLY_ERROR)
            zsys_error ("inbox_add failed: %s", r->str);
        rc = imvo_redis_fail (r, reply);
    }
    if (r)
        freeReplyObject (r);
    return rc;
}

//  Adds one item to recipient's inbox, as a script call the consumer pipelines.
static int
s_inbox_add (imvo_ctx_t *ctx, const char *recipient, const imvo_event_t *ev,
             const char *title, const char *text, const char *case_id)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, case_id ? 6 : 5);
    imvo_pack_kv_str (&pk, "event_id", ev->id);
    imvo_pack_kv_str (&pk, "type", ev->type);
    imvo_pack_kv_str (&pk, "title", title);
    imvo_pack_kv_str (&pk, "text", text);
    imvo_pack_kv_int (&pk, "at", ev->at);
    if (case_id)
        imvo_pack_kv_str (&pk, "case_id", case_id);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:inbox", recipient);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:items", recipient);
    imvo_args_str (&args, ev->id);
    imvo_args_fmt (&args, "%lld", (long long) ev->at);
    imvo_args_add (&args, buf.data, buf.size);
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    int rc = imvo_script_call_merged (ctx, &reply, "inbox_add", &keys, &args, s_inbox_done);
    imvo_reply_release (&reply);
    msgpack_sbuffer_destroy (&buf);
    return rc;
}

static int
s_on_complaint_event (imvo_ctx_t *ctx, const imvo_event_t *ev)
{
    if (!streq (ev->type, "complaint.received"))
        return 0;               //  nothing to tell anyone yet about other complaint events
    char *case_id = imvo_map_strdup (&ev->body, "case_id");
    char *covenant = imvo_map_strdup (&ev->body, "covenant");
    char *respondent = imvo_map_strdup (&ev->body, "respondent");
    char *summary = imvo_map_strdup (&ev->body, "summary");
    int rc = -1;
    if (case_id && covenant && respondent && summary) {
        char recipient [160], title [160], text [512];
        snprintf (recipient, sizeof recipient, "secretariat:%s", covenant);
        snprintf (title, sizeof title, "New complaint %s", case_id);
        snprintf (text, sizeof text, "Complaint %s against %s was received in the %s covenant: %s",
                  case_id, respondent, covenant, summary);
        rc = s_inbox_add (ctx, recipient, ev, title, text, case_id);
    }
    else
        zsys_error ("event %s (%s) lacks case_id, covenant, respondent or summary", ev->id, ev->type);
    free (case_id);
    free (covenant);
    free (respondent);
    free (summary);
    return rc;
}

static int
s_inbox_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *recipient = f [INBOX_LIST_RECIPIENT].str;
    if (!strchr (recipient, ':'))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "recipient",
                                "recipient must look like secretariat:<covenant> or org:<org_id>");
    //  Staff read every inbox, a company only org:<its own id> (the catalogue's rules).
    (void) req;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:inbox", recipient);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:items", recipient);
    imvo_args_fmt (&args, "%lld", (long long) (f [INBOX_LIST_LIMIT].present ? f [INBOX_LIST_LIMIT].i : 100));
    //  The cursor "<at>:<event_id>" of the page before, as two arguments.
    const char *cursor = f [INBOX_LIST_CURSOR].present ? f [INBOX_LIST_CURSOR].str : "";
    const char *colon = strchr (cursor, ':');
    char *end = NULL;
    if (cursor [0] && (!colon || colon == cursor || (strtoll (cursor, &end, 10), end != colon) || !colon [1])) {
        imvo_args_release (&keys);
        imvo_args_release (&args);
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "cursor",
                                "cursor must be the next_cursor of an earlier page");
    }
    imvo_args_add (&args, cursor, colon ? (size_t) (colon - cursor) : 0);
    imvo_args_str (&args, colon ? colon + 1 : "");
    return imvo_script_call (ctx, reply, "inbox_list", &keys, &args, imvo_packed_done);
}

static const imvo_handler_t s_handlers [] = {
    { "inbox.list", s_inbox_list, IMVO_PIPELINED },
    { NULL, NULL, IMVO_IN_WORKER },
};

static const imvo_subscription_t s_subscriptions [] = {
    { "complaints", s_on_complaint_event, NULL },
    { NULL, NULL, NULL },
};

const imvo_service_def_t notify_service = {
    .name = "notify",
    .handlers = s_handlers,
    .scripts = notify_scripts,
    .subscriptions = s_subscriptions,
};

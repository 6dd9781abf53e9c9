/*  notify_server: turns every daemon's events into notifications for the right people, and
    answers for inboxes and subscriptions (keys: notify_internal.h).

    Events arrive through the runtime's consumers (at least once); each recipient's inbox
    applies an event at most once (lua/inbox_add.lua, keyed by event id), so a replayed or
    reclaimed event never shows twice, and queues each webhook or e-mail delivery once.
*/
#include "notify_internal.h"
#include "imvo_i18n.h"
#include "imvo_client.h"

#include <pthread.h>

extern const imvo_script_t notify_scripts [];

//  Organisations' names, for texts: kept in imvo:notify:{org:<id>}:name from member.joined
//  (lua/org_joined.lua) and, for the companies a trade association lists, member.listed
//  (s_on_listed), and cached here, shared by the consumer threads, for S_NAME_TTL_MS (a
//  name may change when the organisation joins another covenant).
#define S_NAME_MAX 256
#define S_NAME_TTL_MS 60000

typedef struct {
    int64_t at;                     //  when it was read
    char name [S_NAME_MAX];
} s_name_t;

static zhashx_t *s_names;           //  org id -> s_name_t
static pthread_mutex_t s_names_lock = PTHREAD_MUTEX_INITIALIZER;

static void
s_name_destroy (void **item)
{
    free (*item);
    *item = NULL;
}

static void
s_name_put (const char *org, const char *name)
{
    s_name_t *entry = calloc (1, sizeof *entry);
    entry->at = zclock_mono ();
    snprintf (entry->name, sizeof entry->name, "%s", name);
    pthread_mutex_lock (&s_names_lock);
    if (!s_names) {
        s_names = zhashx_new ();
        zhashx_set_destructor (s_names, s_name_destroy);
    }
    if (zhashx_size (s_names) >= 100000)
        zhashx_purge (s_names);     //  more organisations than any covenant has: start again
    zhashx_update (s_names, org, entry);
    pthread_mutex_unlock (&s_names_lock);
}

//  The name of an organisation into name, or "" when notify has not seen it join.
static void
s_name_get (imvo_ctx_t *ctx, const char *org, char *name, size_t size)
{
    name [0] = 0;
    pthread_mutex_lock (&s_names_lock);
    s_name_t *entry = s_names ? zhashx_lookup (s_names, org) : NULL;
    if (entry && zclock_mono () - entry->at < S_NAME_TTL_MS)
        snprintf (name, size, "%s", entry->name);
    pthread_mutex_unlock (&s_names_lock);
    if (name [0])
        return;
    redisReply *r = imvo_redis_cmd (ctx->redis, "GET imvo:notify:{org:%s}:name", org);
    if (r && r->type == REDIS_REPLY_STRING && r->len) {
        snprintf (name, size, "%s", r->str);
        s_name_put (org, name);
    }
    if (r)
        freeReplyObject (r);
}

//  member.listed: a trade association listed its member companies, each {org_id, name}. Such a
//  company never joins (no member.joined), so this is where notify learns its name, for the
//  texts of the cases against it that it and its association read. One SET per company, in
//  its own slot, pipelined 256 a call (a list has at most MEMBER_ASSOCIATES_MAX).
#define S_LISTED_BATCH 256

static int
s_on_listed (imvo_ctx_t *ctx, const imvo_event_t *ev)
{
    const msgpack_object *list = imvo_map_get (&ev->body, "companies");
    if (!list || list->type != MSGPACK_OBJECT_ARRAY) {
        zsys_warning ("event %s (%s) has no companies list: ignored", ev->id, ev->type);
        return 0;
    }
    int rc = 0;
    for (uint32_t at = 0; rc == 0 && at < list->via.array.size; at += S_LISTED_BATCH) {
        imvo_args_t cmds [S_LISTED_BATCH];
        redisReply *replies [S_LISTED_BATCH];
        size_t m = 0;
        for (uint32_t j = at; j < list->via.array.size && j < at + S_LISTED_BATCH; j++) {
            char org [72], name [S_NAME_MAX];
            const msgpack_object *c = &list->via.array.ptr [j];
            if (c->type != MSGPACK_OBJECT_MAP
            ||  imvo_obj_strcpy (imvo_map_get (c, "org_id"), org, sizeof org) || !*org
            ||  imvo_obj_strcpy (imvo_map_get (c, "name"), name, sizeof name) || !*name)
                continue;           //  a company without a name: its id stays in texts
            s_name_put (org, name);
            imvo_args_init (&cmds [m]);
            imvo_args_str (&cmds [m], "SET");
            imvo_args_fmt (&cmds [m], "imvo:notify:{org:%s}:name", org);
            imvo_args_fmt (&cmds [m], "%s", name);
            m++;
        }
        if (imvo_redis_run_all (ctx->redis, cmds, m, replies))
            rc = -1;                //  Redis failed: the event is retried
        for (size_t j = 0; j < m; j++) {
            if (replies [j] && replies [j]->type == REDIS_REPLY_ERROR) {
                zsys_error ("member.listed %s: %s", ev->id, replies [j]->str);
                rc = -1;
            }
            if (replies [j])
                freeReplyObject (replies [j]);
            imvo_args_release (&cmds [j]);
        }
    }
    return rc;
}

//  The end of inbox_add: the number of items written is success.
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

//  The inbox item in one language: {event_id, type, at, case_id?, status?, title, text}; status
//  is the status a case moved to, for readers that say it in their own words (the portal).
static void
s_pack_item (msgpack_sbuffer *buf, const imvo_event_t *ev, const msgpack_object *case_id, const notify_text_t *t)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    const msgpack_object *to = streq (ev->type, "complaint.status_changed") ? imvo_map_get (&ev->body, "to") : NULL;
    msgpack_pack_map (&pk, 5 + (case_id != NULL) + (to != NULL));
    if (to) {
        imvo_pack_str (&pk, "status");
        msgpack_pack_object (&pk, *to);
    }
    imvo_pack_kv_str (&pk, "event_id", ev->id);
    imvo_pack_kv_str (&pk, "type", ev->type);
    imvo_pack_kv_int (&pk, "at", ev->at);
    if (case_id) {
        imvo_pack_str (&pk, "case_id");
        msgpack_pack_object (&pk, *case_id);
    }
    imvo_pack_kv_str (&pk, "title", t->title);
    imvo_pack_kv_str (&pk, "text", t->text);
}

//  What a webhook or an e-mail sends, in one language: {event_id, type, at, body, title, text,
//  html, lang}.
static void
s_pack_content (msgpack_sbuffer *buf, const imvo_event_t *ev, const char *lang, const notify_text_t *t)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 8);
    imvo_pack_kv_str (&pk, "event_id", ev->id);
    imvo_pack_kv_str (&pk, "type", ev->type);
    imvo_pack_kv_int (&pk, "at", ev->at);
    imvo_pack_str (&pk, "body");
    msgpack_pack_object (&pk, ev->body);
    imvo_pack_kv_str (&pk, "title", t->title);
    imvo_pack_kv_str (&pk, "text", t->text);
    imvo_pack_kv_str (&pk, "html", t->html);
    imvo_pack_kv_str (&pk, "lang", lang);
}

//  Every event of every daemon: its recipients by the table (notify_route.c), each given the
//  item and the delivery in every language (imvo_lang_codes' order), packed here; lua/inbox_add.lua keeps the one in the
//  recipient's language and queues a delivery per webhook or e-mail subscription, once per
//  event and channel.
static int
s_on_event (imvo_ctx_t *ctx, const imvo_event_t *ev)
{
    if (ev->body.type != MSGPACK_OBJECT_MAP) {
        //  Not an event any daemon sends: failed, so it goes to the dead-letter stream.
        zsys_warning ("event %s (%s) has no body map: not applied", ev->id, ev->type);
        return -1;
    }
    if (streq (ev->type, "member.listed"))
        return s_on_listed (ctx, ev);  //  nobody hears it (notify_route.c)
    //  A member's inbox speaks Dutch to a Dutch organisation and English to others, until it
    //  subscribes in another language; and texts name it from now on.
    char org [72], country [8] = "", name [S_NAME_MAX] = "";
    if (streq (ev->type, "member.joined")
    &&  imvo_obj_strcpy (imvo_map_get (&ev->body, "org_id"), org, sizeof org) == 0) {
        imvo_obj_strcpy (imvo_map_get (&ev->body, "country"), country, sizeof country);
        imvo_obj_strcpy (imvo_map_get (&ev->body, "name"), name, sizeof name);
        if (*name)
            s_name_put (org, name);
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_fmt (&keys, "imvo:notify:{org:%s}:subs", org);
        imvo_args_fmt (&keys, "imvo:notify:{org:%s}:name", org);
        imvo_args_str (&args, !*country ? "" : streq (country, "NL") ? "nl" : "en");
        imvo_args_str (&args, name);
        imvo_reply_t reply;
        imvo_reply_init (&reply);
        int rc = imvo_script_call (ctx, &reply, "org_joined", &keys, &args, s_inbox_done);
        imvo_reply_release (&reply);
        if (rc == -1)
            return -1;
    }
    char recipients [16][NOTIFY_RECIPIENT_MAX];
    int n = notify_route (ev->type, &ev->body, recipients, 16);
    if (n == 0)
        return 0;                   //  nobody hears this one (e.g. notify's own events)
    //  The organisation the event is about (a complaint's respondent, a member, a scored
    //  company), by name when notify knows it.
    char about [72] = "";
    if (imvo_obj_strcpy (imvo_map_get (&ev->body, "respondent"), about, sizeof about) || !*about)
        imvo_obj_strcpy (imvo_map_get (&ev->body, "org_id"), about, sizeof about);
    if (*about && !*name)
        s_name_get (ctx, about, name, sizeof name);
    notify_text_t texts [IMVO_LANGS] = { { 0 } };
    for (int l = 0; l < IMVO_LANGS; l++)
        if (notify_render (ev->type, imvo_lang_codes [l], &ev->body, name, &texts [l])) {
            zsys_error ("no template for %s in %s: the event %s is not delivered", ev->type, imvo_lang_codes [l], ev->id);
            for (int k = 0; k < IMVO_LANGS; k++)
                notify_text_release (&texts [k]);
            return 0;
        }
    const msgpack_object *case_id = imvo_map_get (&ev->body, "case_id");
    //  The items in every language, then the deliveries in every language.
    msgpack_sbuffer packed [2 * IMVO_LANGS];
    for (int k = 0; k < 2 * IMVO_LANGS; k++)
        msgpack_sbuffer_init (&packed [k]);
    for (int l = 0; l < IMVO_LANGS; l++) {
        s_pack_item (&packed [l], ev, case_id, &texts [l]);
        s_pack_content (&packed [IMVO_LANGS + l], ev, imvo_lang_codes [l], &texts [l]);
    }
    int rc = 0;
    for (int i = 0; i < n && rc != -1; i++) {
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        static const char *const parts [] = { "inbox", "items", "subs", "delivered", "out", "due", "backlog", "queued" };
        for (int k = 0; k < 8; k++)
            imvo_args_fmt (&keys, "imvo:notify:{%s}:%s", recipients [i], parts [k]);
        imvo_args_str (&args, ev->id);
        imvo_args_fmt (&args, "%lld", (long long) ev->at);
        imvo_args_str (&args, ev->type);
        for (int k = 0; k < 2 * IMVO_LANGS; k++)
            imvo_args_add (&args, packed [k].data, packed [k].size);
        imvo_reply_t reply;
        imvo_reply_init (&reply);
        rc = imvo_script_call_merged (ctx, &reply, "inbox_add", &keys, &args, s_inbox_done);
        imvo_reply_release (&reply);
    }
    for (int k = 0; k < 2 * IMVO_LANGS; k++)
        msgpack_sbuffer_destroy (&packed [k]);
    for (int l = 0; l < IMVO_LANGS; l++)
        notify_text_release (&texts [l]);
    return rc == -1 ? -1 : rc;
}

//  A page of one recipient's inbox (lua/inbox_list.lua).
static int
s_inbox_page (imvo_ctx_t *ctx, const char *recipient, const imvo_value_t *limit, const char *cursor,
              imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:inbox", recipient);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:items", recipient);
    imvo_args_fmt (&keys, "imvo:notify:{%s}:read", recipient);
    imvo_args_fmt (&args, "%lld", (long long) (limit->present ? limit->i : 100));
    //  The cursor "<at>:<event_id>" of the page before, as two arguments.
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

static int
s_inbox_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *recipient = f [INBOX_LIST_RECIPIENT].str;
    if (!strchr (recipient, ':'))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "recipient",
                                "recipient must look like secretariat:<covenant> or org:<org_id>");
    //  The secretariat reads every inbox, a committee its own, a company org:<its own id>.
    if (notify_recipient_check (req, recipient, reply))
        return -1;
    return s_inbox_page (ctx, recipient, &f [INBOX_LIST_LIMIT],
                         f [INBOX_LIST_CURSOR].present ? f [INBOX_LIST_CURSOR].str : "", reply);
}

//  inbox.by_receipt: complaints knows which case a receipt opens (complaint.status, asked as
//  the complainant would); its inbox is complainant:<case id>. A wrong receipt gets the same
//  not_found as from complaints.
static int
s_inbox_by_receipt (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    imvo_client_t *complaints = imvo_ctx_client (ctx, "complaints", 1500, 2);
    if (!complaints)
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "receipt", "cannot reach complaints to check the receipt");
    imvo_client_set_actor (complaints, "complainant", NULL);
    msgpack_sbuffer body;
    imvo_pack_one_str (&body, "receipt", f [BY_RECEIPT_RECEIPT].str);
    imvo_response_t resp;
    char recipient [NOTIFY_RECIPIENT_MAX] = "complainant:";
    int rc = imvo_client_call (complaints, "complaint.status", NULL, body.data, body.size, &resp);
    if (rc == 0 && resp.ok
    &&  imvo_obj_strcpy (imvo_map_get (resp.body, "case_id"), recipient + 12, sizeof recipient - 12) == 0)
        rc = s_inbox_page (ctx, recipient, &f [BY_RECEIPT_LIMIT], "", reply);
    else
    if (rc == 0 && !resp.ok && resp.err.code == IMVO_ERR_NOT_FOUND)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "receipt", "no case has this receipt");
    else
        rc = imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "receipt",
                              "complaints did not answer, so the receipt cannot be checked; try again shortly");
    imvo_response_release (&resp);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

static int
s_start (imvo_ctx_t *ctx)
{
    (void) ctx;
    return notify_templates_load ();
}

static const imvo_handler_t s_handlers [] = {
    { "inbox.list", s_inbox_list },
    { "inbox.by_receipt", s_inbox_by_receipt },
    { "inbox.mark_read", notify_inbox_mark_read },
    { "subscription.put", notify_subscription_put },
    { "subscription.list", notify_subscription_list },
    { "notify.failures", notify_failures },
    { NULL, NULL },
};

static const imvo_subscription_t s_subscriptions [] = {
    { "complaints", s_on_event },
    { "scoring", s_on_event },
    { "membership", s_on_event },
    { NULL, NULL },
};

const imvo_service_def_t notify_service = {
    .name = "notify",
    .handlers = s_handlers,
    .scripts = notify_scripts,
    .on_start = s_start,
    .subscriptions = s_subscriptions,
    .background = notify_deliver_actor,
    .stats = notify_stats,
};

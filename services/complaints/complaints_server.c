/*  complaints_server: the complaints and disputes mechanism.

    A complaint arrives as complaint.submit (the daemon's request socket is its queue), is
    checked by the catalogue (proto/catalogue_complaints.c) and then here for the rules that
    span fields, and is committed with its complaint.received event by one script
    (lua/complaint_submit.lua), idempotent by the request's key. That script also checks the
    respondent against complaints' own view of each covenant's members, which membership's
    member.joined / member.left events keep current (lua/member_view.lua) and which is read
    once from membership's member.list when it does not exist yet: no request leaves the
    daemon on the way from a complaint to its commit.

    Keys, all under the covenant's hash tag so a case and its event share a slot:
      imvo:complaints:{<covenant>}:case:<case_id>          hash, the case: case_id, covenant,
                                                           respondent, summary, status, received_at,
                                                           updated_at, receipt_hash; file (packed:
                                                           description, complainant (name and
                                                           contact sealed: complaints_identity.c), country,
                                                           location_id, place); history (packed array)
      imvo:complaints:{<covenant>}:cases                   zset of case ids by arrival
      imvo:complaints:{<covenant>}:seq:<year>              case counter
      imvo:complaints:{<covenant>}:receipts                hash: receipt hash -> case id
      imvo:complaints:{<covenant>}:to_link                 zset "<case id> <location id>" by time:
                                                           cases to link to a place (complaints_link_queue.c)
      imvo:complaints:{<covenant>}:events                  the outbox stream
      imvo:complaints:{<covenant>}:members                 hash org id -> kind, current members
      imvo:complaints:{<covenant>}:member_events           hash org id -> last member event applied
      imvo:complaints:{<covenant>}:view                    set once the members were read
      imvo:complaints:{<covenant>}:view_at                 the newest membership event it applied
      imvo:complaints:{<covenant>}:member_words            hash org id -> packed words of its name
    The indexes complaint.list filters by, each a zset of case ids scored by received_at:
      imvo:complaints:{<covenant>}:status:<status>         cases in that status
      imvo:complaints:{<covenant>}:respondent:<org_id>     cases against that company
      imvo:complaints:{<covenant>}:claimant:<org_id>       disputes that party filed (complaint.open)
      imvo:complaints:{<covenant>}:assigned:<username>     cases given to that person
      imvo:complaints:{<covenant>}:late                    cases with a deadline passed
      imvo:complaints:{<covenant>}:word:<word>             cases whose summary, description or
                                                           respondent's name has that word
                                                           (case-folded: complaints_words.c)
      imvo:complaints:{<covenant>}:index_version           set once the indexes hold every case
      imvo:complaints:{<covenant>}:indexed                 hash year -> the number of the last case in
                                                           :cases, the status, respondent and deadline
                                                           indexes and :receipts (imvo_cases_index)
      imvo:complaints:{<covenant>}:claimants_backfill      after an upgrade, hash year -> the newest case
                                                           not yet looked at for :claimant:<org_id>
                                                           (imvo_claimants_backfill)
      imvo:complaints:{<covenant>}:words_at                hash year -> the number of the last case
                                                           whose words are indexed (complaints_word_index.c)
      imvo:complaints:{<covenant>}:index_build             while building: the next case's rank
    and beside each case: <case>:messages, <case>:notes (internal, staff only), <case>:access
    (who read the complainant's identity), <case>:translations (hash lang -> packed translation
    of the summary and description: complaint.translate, staff only). The case's lang is the
    language the complainant wrote in.
    (the complete map of every daemon's keys: docs/ARCHITECTURE.md)

    Confidentiality: only a BLAKE2b hash of a complaint's receipt, keyed with the server's
    secret (IMVO_RECEIPT_KEY_FILE, complaints_receipt.c), is kept with the case: without the
    key nobody can test a guess against it, and the receipt holds 80 random bits. The receipt
    itself lives in the reply, in the idempotency record that lets a retried submit return the
    same receipt, and in the intake queue's outcome for a complaint that came that way; both
    expire after a day (the catalogue entry's idem_ttl; complaints_intake.c).
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"
#include "imvo_config.h"
#include "imvo_keys.h"

#include <time.h>


extern const imvo_script_t complaints_scripts [];

static const char *
s_actor (const imvo_request_t *req)
{
    return req->role [0] ? req->role : "anonymous";
}

static int
s_complaint_submit (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    //  The rules across the complainant's fields are the catalogue's (s_submit_check).
    bool anonymous = f [COMPLAINT_SUBMIT_ANONYMOUS].b;
    const char *covenant = f [COMPLAINT_SUBMIT_COVENANT].str;
    //  Every complainant gets a receipt: an anonymous one has no other way to follow the case,
    //  a named one uses it the same way.
    char receipt [64] = "", receipt_hash [65] = "";
    if (complaints_receipt_new (covenant, receipt, sizeof receipt))
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "no randomness for a receipt");
    complaints_receipt_hash (receipt, receipt_hash);
    int64_t now = imvo_now_ms ();
    time_t secs = (time_t) (now / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    //  A complaint may arrive without its respondent (a mail, a report about a place): the
    //  secretariat sets it with complaint.update before the case moves on.
    const char *respondent = f [COMPLAINT_SUBMIT_RESPONDENT].present ? f [COMPLAINT_SUBMIT_RESPONDENT].str : "";
    //  A dispute between two parties is filed by the claimant party itself (its certificate or
    //  a person's account, role company: the role table's role of a member organisation) or
    //  by the secretariat for it; lua/complaint_submit.lua checks that both are parties.
    const imvo_value_t *claimant = &f [COMPLAINT_SUBMIT_CLAIMANT_ORG];
    if (claimant->present && !streq (req->role, "secretariat")
    &&  !(streq (req->role, "company") && streq (req->org, claimant->str)))
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "claimant_org",
                                "a dispute is filed by the claimant party itself (role company, its org) or by the secretariat");

    //  What the daemon knows already it packs itself, in one buffer: the complaint's file,
    //  the history, the event body and the reply (each map without the case id, which the
    //  script adds).
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    size_t at [6];
    at [0] = buf.size;
    const imvo_value_t *country = &f [COMPLAINT_SUBMIT_COUNTRY], *location = &f [COMPLAINT_SUBMIT_LOCATION];
    const imvo_value_t *place = &f [COMPLAINT_SUBMIT_PLACE];        //  for the secretariat to match
    msgpack_pack_map (&pk, 2 + country->present + location->present + place->present);
    imvo_pack_kv_str (&pk, "description", f [COMPLAINT_SUBMIT_DESCRIPTION].str);
    if (country->present)
        imvo_pack_kv_str (&pk, "country", country->str);
    if (location->present)
        imvo_pack_kv_str (&pk, "location_id", location->str);
    if (place->present)
        imvo_pack_kv_str (&pk, "place", place->str);
    //  The name and the contact only sealed under the data key (complaints_identity.c).
    imvo_pack_str (&pk, "complainant");
    if (complaints_identity_pack (&pk, f, receipt_hash)) {
        msgpack_sbuffer_destroy (&buf);
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "", "complaints has no data key (IMVO_DATA_KEY_FILE)");
    }
    at [1] = buf.size;
    msgpack_pack_array (&pk, 1);                            //  the history
    msgpack_pack_map (&pk, 5 + (req->person [0] != 0));
    imvo_pack_kv_int (&pk, "at", now);
    imvo_pack_kv_str (&pk, "by", s_actor (req));
    if (req->person [0])                                    //  a gateway's signed-in person
        imvo_pack_kv_str (&pk, "person", req->person);
    imvo_pack_kv_str (&pk, "from", NULL);
    imvo_pack_kv_str (&pk, "to", "received");
    imvo_pack_kv_str (&pk, "reason", "complaint received");
    at [2] = buf.size;
    msgpack_pack_map (&pk, 5 + location->present);          //  the complaint.received body
    if (location->present)                                  //  complaints links the companies
        imvo_pack_kv_str (&pk, "location_id", location->str);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "respondent", respondent);
    imvo_pack_kv_str (&pk, "summary", f [COMPLAINT_SUBMIT_SUMMARY].str);
    imvo_pack_kv_bool (&pk, "anonymous", anonymous);
    imvo_pack_kv_int (&pk, "received_at", now);
    at [3] = buf.size;
    msgpack_pack_map (&pk, receipt [0] ? 2 : 1);            //  the reply
    imvo_pack_kv_str (&pk, "status", "received");
    if (receipt [0])
        imvo_pack_kv_str (&pk, "receipt", receipt);
    at [4] = buf.size;
    complaints_pack_first_deadlines (&pk, now);            //  acknowledge, feedback, decision
    at [5] = buf.size;
    //  (The words complaint.list's q finds the case by: complaints_word_index.c, after the commit.)

    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_idem_args (ctx, req, covenant, &keys, &args);
    char prefix [64], year [16], at_ms [24];
    snprintf (prefix, sizeof prefix, "imvo:complaints:{%s}", covenant);
    snprintf (year, sizeof year, "%04d", tm.tm_year + 1900);
    snprintf (at_ms, sizeof at_ms, "%lld", (long long) now);
    imvo_named_t named;
    imvo_named_init (&named, req->type);
    imvo_named_str (&named, "prefix", prefix);
    imvo_named_str (&named, "covenant", covenant);
    imvo_named_str (&named, "year", year);
    imvo_named_str (&named, "respondent", respondent);
    imvo_named_str (&named, "summary", f [COMPLAINT_SUBMIT_SUMMARY].str);
    imvo_named_str (&named, "receipt_hash", receipt_hash);
    imvo_named_str (&named, "now", at_ms);
    imvo_named_str (&named, "views_ready", complaints_views_ready () ? "1" : "0");
    static const char *const packed [] = { "file", "history", "event", "reply", "deadlines" };
    for (int i = 0; i < 5; i++)
        imvo_named_bytes (&named, packed [i], buf.data + at [i], at [i + 1] - at [i]);
    //  The language she wrote in: the case keeps it (translations: complaints_translate.c).
    imvo_named_str (&named, "lang", f [COMPLAINT_SUBMIT_LANG].present ? f [COMPLAINT_SUBMIT_LANG].str : "nl");
    imvo_named_str (&named, "kind", claimant->present ? "dispute" : "complaint");
    imvo_named_str (&named, "claimant_org", claimant->present ? claimant->str : "");
    imvo_named_str (&named, "link", location->present ? location->str : "");    //  complaints_link_queue.c
    imvo_named_done (&named, &args);
    int rc = imvo_script_call (ctx, reply, "complaint_submit", &keys, &args, imvo_outbox_commit);
    msgpack_sbuffer_destroy (&buf);
    return rc;
}

//  complaint.get that showed staff the complainant's identity: audited as complaint.identity.
static int
s_identity_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    int rc = complaints_identity_done (ctx, r, reply);
    if (rc == 0)
        imvo_audit_mark (reply, "complaint.identity", NULL);
    return rc;
}

static int
s_complaint_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *case_id = f [COMPLAINT_GET_CASE_ID].str;
    char covenant [40];
    if (imvo_case_id_covenant (case_id, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id",
                                "case_id must look like TEXTILE-2026-0042");
    //  The catalogue lets staff and companies ask; whether this company is the case's
    //  respondent is the script's to check (the view).
    char view [80] = "full";
    if (streq (req->role, "company"))
        snprintf (view, sizeof view, "company:%s", req->org);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_args_str (&args, view);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    if (req->person [0])
        imvo_args_fmt (&args, "%s:%s:%s", s_actor (req), req->org, req->person);
    else
        imvo_args_fmt (&args, "%s:%s", s_actor (req), req->org);
    //  Only staff see who complained, and only when they ask (a company: when it was shared).
    bool identity = f [COMPLAINT_GET_IDENTITY].present && f [COMPLAINT_GET_IDENTITY].b && streq (view, "full");
    imvo_args_str (&args, identity ? "1" : "0");
    return imvo_script_call (ctx, reply, "complaint_get", &keys, &args, identity ? s_identity_done : complaints_identity_done);
}

static int
s_complaint_status (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char receipt [96], covenant [40], hash [65];
    snprintf (receipt, sizeof receipt, "%s", f [COMPLAINT_STATUS_RECEIPT].str);
    if (imvo_receipt_normalise (receipt, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "receipt",
                                "receipt must look like TEXTILE-7KQ4-M9PX-2HRT-WC3D");
    complaints_receipt_hash (receipt, hash);
    if (complaints_cases_ready (ctx, covenant, "receipt", reply))      //  a receipt given a moment ago
        return -1;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:receipts", covenant);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_str (&args, hash);
    complaints_receipt_limit (req, covenant, &keys, &args);
    return imvo_script_call (ctx, reply, "complaint_status", &keys, &args, imvo_packed_done);
}

static const imvo_handler_t s_handlers [] = {
    { "complaint.submit", s_complaint_submit },
    { "complaint.get", s_complaint_get },
    { "complaint.status", s_complaint_status },
    { "complaint.list", complaints_list },
    { "complaint.intake_result", complaints_intake_result },
    { "complaint.transition", complaints_transition },
    { "complaint.respond", complaints_respond },
    { "complaint.update", complaints_update },
    { "complaint.open", complaints_open },
    { "complaint.message", complaints_message },
    { "complaint.messages", complaints_messages },
    { "complaint.decisions", complaints_decisions },
    { "complaint.overdue", complaints_overdue },
    { "complaint.stats", complaints_stats },
    { "complaint.assign", complaints_assign },
    { "complaint.note", complaints_note },
    { "complaint.export", complaints_export },
    { "complaint.attach", complaints_attach },
    { "complaint.attachment", complaints_attachment },
    { "complaint.publish", complaints_publish },
    { "complaint.translate", complaints_translate },
    { "audit.list", complaints_audit_list },
    { NULL, NULL },
};

static const imvo_subscription_t s_subscriptions [] = {
    { "membership", complaints_on_member_event },
    //  (A complaint about a place gets its linked companies from :to_link: complaints_link_queue.c.)
    { NULL, NULL },
};

static const imvo_timer_t s_timers [] = {
    { "members views", 2000, complaints_views_build },     //  until every covenant's was read
    { "deadlines", 500, complaints_deadlines_run },
    { "retention", 1000, complaints_retention_run },
    { "case indexes", 1000, complaints_index_run },      //  until every covenant's are built
    { "new cases", 200, complaints_cases_run },          //  the new cases' indexes
    { "word index", 200, complaints_words_run },         //  the new cases' words
    { "place links", 250, complaints_link_queue_run },   //  the cases that name a place
    { NULL, 0, NULL },
};

//  Once Redis is up: the receipt and data keys, the intake queue's older results and settled
//  entries, the members views.
static int
s_start (imvo_ctx_t *ctx)
{
    if (complaints_receipt_key ())
        return -1;                  //  no receipt can be made or checked without the key
    if (!imvo_data_key ())
        return -1;                  //  nor a complainant's identity kept (IMVO_DATA_KEY_FILE)
    complaints_intake_start (ctx);
    complaints_link_queue_start (ctx);      //  after an upgrade: the former consumer's events
    if (complaints_cases_start (ctx))       //  after an upgrade: the marks of the new cases' indexes
        return -1;
    return complaints_views_start (ctx);
}

const imvo_service_def_t complaints_service = {
    .name = "complaints",
    .handlers = s_handlers,
    .scripts = complaints_scripts,
    .on_start = s_start,
    .subscriptions = s_subscriptions,
    .timers = s_timers,
    .queues = complaints_queues,
    .max_msg_bytes = 11L << 20,     //  complaint.attach: a file of 10 MiB in one call
};

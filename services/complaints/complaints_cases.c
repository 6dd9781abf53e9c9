/*  complaints_cases: the case after intake (proto/README.md): moves along the life
    cycle (lua/complaint_transition.lua), the company's response and the messages
    (lua/complaint_note.lua), deadlines that fall due once (lua/complaint_deadlines.lua, run in
    the consumer's rounds), the published decisions, what is overdue, and the figures the
    secretariat is asked for.

    Deadline lengths (the same for every covenant for now): acknowledge 7 days after receipt
    (the EU whistle-blower directive), admissibility 6 weeks, the company's response 6 weeks
    after it was asked, feedback to the complainant every 3 months while the case is open, a
    decision within 12 months of receipt, and once decided the committee's follow_up: its check
    on what was decided, 26 weeks after the decision (the six months a covenant gives itself
    for what it agrees, e.g. the gold covenant's code of conduct "binnen zes maanden"); closing
    the case ends it. They run on the daemon's clock (imvo_now_ms, which
    IMVO_CLOCK_OFFSET_S moves for tests).
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"

#define S_DAY 86400000LL

static const struct {
    const char *name;
    int64_t ms;
} s_lengths [] = {
    { "acknowledge", 7 * S_DAY }, { "admissibility", 42 * S_DAY }, { "response", 42 * S_DAY },
    { "feedback", 91 * S_DAY }, { "decision", 365 * S_DAY }, { "follow_up", 182 * S_DAY } };
#define S_NLENGTHS 6

static int64_t
s_length (const char *name)
{
    for (int i = 0; i < S_NLENGTHS; i++)
        if (streq (s_lengths [i].name, name))
            return s_lengths [i].ms;
    return 0;
}

void
complaints_pack_first_deadlines (msgpack_packer *pk, int64_t now)
{
    msgpack_pack_map (pk, 3);
    imvo_pack_kv_int (pk, "acknowledge", now + s_length ("acknowledge"));
    imvo_pack_kv_int (pk, "feedback", now + s_length ("feedback"));
    imvo_pack_kv_int (pk, "decision", now + s_length ("decision"));
}

//  The case a request names: its case_id, or the complainant's receipt (looked up by its
//  hash). Fills covenant and case_id; -1 with the reply's error.
int
complaints_case_named (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *id, const imvo_value_t *receipt, char *covenant, size_t csize,
        char *case_id, size_t isize, imvo_reply_t *reply)
{
    if (id->present) {
        if (imvo_case_id_covenant (id->str, covenant, csize))
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "not a case id");
        snprintf (case_id, isize, "%s", id->str);
        return 0;
    }
    char typed [96], hash [65];
    snprintf (typed, sizeof typed, "%s", receipt->str);
    if (imvo_receipt_normalise (typed, covenant, csize))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "receipt", "receipt must look like TEXTILE-7KQ4-M9PX-2HRT-WC3D");
    complaints_receipt_hash (typed, hash);
    if (complaints_cases_ready (ctx, covenant, "receipt", reply))      //  a receipt given a moment ago
        return -1;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:receipts", covenant);
    imvo_args_str (&args, hash);
    complaints_receipt_limit (req, covenant, &keys, &args);
    redisReply *r = imvo_redis_eval (ctx->redis, "receipt_find", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    int rc = 0;
    if (!r || r->type != REDIS_REPLY_STRING)
        rc = imvo_redis_fail (r, reply);        //  not_found or busy, named by the script
    else
        snprintf (case_id, isize, "%s", r->str);
    if (r)
        freeReplyObject (r);
    return rc;
}

//  A complainant speaks by receipt only; staff by case id.
static int
s_by_receipt_only_for_complainants (const imvo_request_t *req, const imvo_value_t *id, imvo_reply_t *reply)
{
    if (imvo_proto_for_complainant (req) && id->present)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "case_id", "a complainant names the case by its receipt");
    return 0;
}

//  A move on a case: KEYS[2] the case (after the idempotency record imvo_commit adds), and
//  the first of its arguments by name, the covenant's key prefix.
static void
s_case_named (const imvo_request_t *req, const char *covenant, const char *case_id, imvo_args_t *keys,
              imvo_named_t *named)
{
    imvo_args_init (keys);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_named_init (named, req->type);
    imvo_named_fmt (named, "prefix", "imvo:complaints:{%s}", covenant);
}

int
complaints_transition (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40], case_id [80];
    if (s_by_receipt_only_for_complainants (req, &f [COMPLAINT_TRANSITION_CASE_ID], reply)
    ||  complaints_case_named (ctx, req, &f [COMPLAINT_TRANSITION_CASE_ID], &f [COMPLAINT_TRANSITION_RECEIPT], covenant, sizeof covenant,
                case_id, sizeof case_id, reply))
        return -1;
    //  Who may make which move is the script's table; the catalogue lets staff and
    //  complainants send the message at all.
    msgpack_sbuffer lengths;
    msgpack_sbuffer_init (&lengths);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &lengths, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, S_NLENGTHS);
    for (int i = 0; i < S_NLENGTHS; i++)
        imvo_pack_kv_int (&pk, s_lengths [i].name, s_lengths [i].ms);
    imvo_args_t keys, args;
    imvo_named_t named;
    s_case_named (req, covenant, case_id, &keys, &named);
    imvo_named_str (&named, "to", f [COMPLAINT_TRANSITION_TO].str);
    imvo_named_str (&named, "reason", f [COMPLAINT_TRANSITION_REASON].str);
    imvo_named_str (&named, "outcome", f [COMPLAINT_TRANSITION_OUTCOME].present ? f [COMPLAINT_TRANSITION_OUTCOME].str : "");
    imvo_named_str (&named, "decision", f [COMPLAINT_TRANSITION_DECISION].present ? f [COMPLAINT_TRANSITION_DECISION].str : "");
    imvo_named_str (&named, "by", req->role);
    imvo_named_str (&named, "person", req->person);
    imvo_named_fmt (&named, "now", "%lld", (long long) imvo_now_ms ());
    imvo_named_str (&named, "covenant", covenant);
    imvo_named_bytes (&named, "lengths", lengths.data, lengths.size);
    imvo_args_init (&args);
    imvo_named_done (&named, &args);
    int rc = imvo_commit (ctx, req, covenant, "complaint_transition", &keys, &args, reply);
    msgpack_sbuffer_destroy (&lengths);
    return rc;
}

static int
s_note (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *case_id, const char *kind,
        const char *text, const char *audience, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_named_t named;
    s_case_named (req, covenant, case_id, &keys, &named);
    imvo_named_str (&named, "kind", kind);
    //  A gateway's message by receipt is the complainant's.
    imvo_named_str (&named, "by", imvo_proto_for_complainant (req) ? "complainant" : req->role);
    imvo_named_str (&named, "person", req->person);
    imvo_named_str (&named, "org", req->org);
    imvo_named_str (&named, "text", text);
    imvo_named_str (&named, "audience", audience);
    imvo_named_fmt (&named, "now", "%lld", (long long) imvo_now_ms ());
    imvo_named_fmt (&named, "feedback_ms", "%lld", (long long) s_length ("feedback"));
    imvo_args_init (&args);
    imvo_named_done (&named, &args);
    return imvo_commit (ctx, req, covenant, "complaint_note", &keys, &args, reply);
}

int
complaints_respond (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40];
    if (imvo_case_id_covenant (f [COMPLAINT_RESPOND_CASE_ID].str, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "not a case id");
    return s_note (ctx, req, covenant, f [COMPLAINT_RESPOND_CASE_ID].str, "respond", f [COMPLAINT_RESPOND_TEXT].str,
                   "company", reply);
}

int
complaints_message (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40], case_id [80];
    if (s_by_receipt_only_for_complainants (req, &f [COMPLAINT_MESSAGE_CASE_ID], reply)
    ||  complaints_case_named (ctx, req, &f [COMPLAINT_MESSAGE_CASE_ID], &f [COMPLAINT_MESSAGE_RECEIPT], covenant, sizeof covenant, case_id,
                sizeof case_id, reply))
        return -1;
    //  The complainant's messages are between them and the committee; staff choose; the
    //  respondent company writes in its own thread (complaint_note.lua checks it is the one).
    const char *to = streq (req->role, "company") ? "company"
                   : f [COMPLAINT_MESSAGE_TO].present && !imvo_proto_for_complainant (req)
                   ? f [COMPLAINT_MESSAGE_TO].str : "complainant";
    return s_note (ctx, req, covenant, case_id, "message", f [COMPLAINT_MESSAGE_TEXT].str, to, reply);
}


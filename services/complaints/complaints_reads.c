/*  complaints_reads: what readers see of cases after intake: the messages each reader may
    see (the published statements: complaints_publish.c), what is overdue, the secretariat's figures, and the deadline
    runner of the consumer's rounds. Every read is bounded: lists in pages or capped. */
#include "complaints_server.h"
#include "catalogue_complaints.h"

#include <math.h>

#define S_MAX_MESSAGES 1000
#define COMPLAINTS_RETENTION_DAYS (2 * 365)     //  after closing, then personal data goes

static redisReply *
s_ok (redisReply *r, imvo_reply_t *reply)
{
    if (r && r->type != REDIS_REPLY_ERROR)
        return r;
    imvo_redis_fail_free (r, reply);
    return NULL;
}

//  complaint.messages: staff see all; the complainant (by receipt) the messages between them
//  and the committee; the respondent company its own thread, never the complainant's.

//  Whether the trade association org still lists the respondent (membership's index, in the
//  covenant's slot): an association that took the company off its list, or left, no longer
//  reads the case (lua/complaint_get.lua and complaint_note.lua ask the same).
static bool
s_still_listed (imvo_ctx_t *ctx, const char *covenant, const char *respondent, const char *org)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{%s}:associated %s", covenant, respondent);
    bool listed = r && r->type == REDIS_REPLY_STRING && streq (r->str, org);
    if (r)
        freeReplyObject (r);
    return listed;
}

int
complaints_messages (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40], case_id [80];
    bool complainant = imvo_proto_for_complainant (req), company = streq (req->role, "company");
    if (complainant && f [COMPLAINT_MESSAGES_CASE_ID].present)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "case_id", "a complainant names the case by its receipt");
    if (complaints_case_named (ctx, req, &f [COMPLAINT_MESSAGES_CASE_ID], &f [COMPLAINT_MESSAGES_RECEIPT], covenant,
                               sizeof covenant, case_id, sizeof case_id, reply))
        return -1;
    //  A dispute's claimant party reads the claimant's side (as a complainant does), the
    //  association a respondent is reached through the respondent's; both sides read the
    //  messages to both ("parties": complaint_note.lua).
    redisReply *respondent = s_ok (imvo_redis_cmd (ctx->redis, "HMGET imvo:complaints:{%s}:case:%s respondent claimant_org association",
                                                   covenant, case_id), reply);
    if (!respondent)
        return -1;
    int rc = 0;
    redisReply **sides = respondent->type == REDIS_REPLY_ARRAY && respondent->elements == 3 ? respondent->element : NULL;
    bool claimant_side = company && sides && sides [1]->type == REDIS_REPLY_STRING && streq (sides [1]->str, req->org);
    if (!sides || sides [0]->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "case_id", "no case with this id");
    else
    if (company && !streq (sides [0]->str, req->org) && !claimant_side
    &&  !(sides [2]->type == REDIS_REPLY_STRING && streq (sides [2]->str, req->org)
          && s_still_listed (ctx, covenant, sides [0]->str, req->org)))
        rc = imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "case_id", "a company sees only the cases against itself");
    if (claimant_side) {
        company = false;
        complainant = true;
    }
    redisReply *list = rc ? NULL : s_ok (imvo_redis_cmd (ctx->redis, "LRANGE imvo:complaints:{%s}:case:%s:messages 0 %d",
                                                         covenant, case_id, S_MAX_MESSAGES - 1), reply);
    if (rc == 0 && !list)
        rc = -1;
    if (rc == 0) {
        msgpack_zone zone;
        msgpack_zone_init (&zone, 4096);
        msgpack_sbuffer out;
        msgpack_sbuffer_init (&out);
        msgpack_packer opk;
        msgpack_packer_init (&opk, &out, msgpack_sbuffer_write);
        uint32_t shown = 0;
        for (size_t i = 0; i < list->elements; i++) {
            msgpack_object m;
            const char *why;
            if (imvo_msg_unpack (list->element [i]->str, list->element [i]->len, &zone, &m, &why))
                continue;
            const msgpack_object *audience = imvo_map_get (&m, "audience");
            bool mine = !(complainant || company)
                     || (complainant && imvo_obj_streq (audience, "complainant"))
                     || (company && imvo_obj_streq (audience, "company"))
                     || ((complainant || company) && imvo_obj_streq (audience, "parties"));
            if (!mine)
                continue;
            //  Staff also read whom it was for (the thread: complainant or company) and who wrote it.
            const msgpack_object *person = imvo_map_get (&m, "person");
            bool staff = !(complainant || company);
            bool with_audience = staff && audience, with_person = staff && person;
            msgpack_pack_map (&opk, 3 + with_audience + with_person);
            imvo_pack_str (&opk, "at");
            msgpack_pack_object (&opk, *imvo_map_get (&m, "at"));
            imvo_pack_str (&opk, "from");
            msgpack_pack_object (&opk, *imvo_map_get (&m, "from"));
            imvo_pack_str (&opk, "text");
            msgpack_pack_object (&opk, *imvo_map_get (&m, "text"));
            if (with_audience) {
                imvo_pack_str (&opk, "audience");
                msgpack_pack_object (&opk, *audience);
            }
            if (with_person) {
                imvo_pack_str (&opk, "person");
                msgpack_pack_object (&opk, *person);
            }
            shown++;
        }
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_str (pk, "case_id", case_id);
        imvo_pack_str (pk, "messages");
        msgpack_pack_array (pk, shown);
        msgpack_sbuffer_write (pk->data, out.data, out.size);
        msgpack_sbuffer_destroy (&out);
        msgpack_zone_destroy (&zone);
    }
    if (list)
        freeReplyObject (list);
    freeReplyObject (respondent);
    return rc;
}

static const char *
s_owner (const char *deadline)
{
    return streq (deadline, "response") ? "company"
         : streq (deadline, "admissibility") || streq (deadline, "decision") || streq (deadline, "follow_up") ? "committee"
         : "secretariat";
}

//  complaint.overdue: the deadlines that passed without their action (at most 1000).
int
complaints_overdue (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [COMPLAINT_COVENANT_CODE].str;
    redisReply *r = s_ok (imvo_redis_cmd (ctx->redis, "ZRANGE imvo:complaints:{%s}:overdue 0 999 WITHSCORES", covenant),
                          reply);
    if (!r)
        return -1;
    size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0;
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 2);
    imvo_pack_kv_str (pk, "covenant", covenant);
    imvo_pack_str (pk, "deadlines");
    msgpack_pack_array (pk, (uint32_t) n);
    for (size_t i = 0; i < n; i++) {
        const char *member = r->element [2 * i]->str, *bar = strrchr (member, '|');
        msgpack_pack_map (pk, 4);
        imvo_pack_str (pk, "case_id");
        imvo_pack_strn (pk, member, bar ? (size_t) (bar - member) : strlen (member));
        imvo_pack_kv_str (pk, "deadline", bar ? bar + 1 : "");
        imvo_pack_kv_int (pk, "due_at", strtoll (r->element [2 * i + 1]->str, NULL, 10));
        imvo_pack_kv_str (pk, "owner", s_owner (bar ? bar + 1 : ""));
    }
    freeReplyObject (r);
    return 0;
}

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

//  complaint.stats: cases per status and outcome, the median and p90 days from receipt to
//  decision, and the overdue count. Counted from the indexes (a ZCARD a status; the outcomes of
//  the decided cases, :decisions, read in pipelined pages), not by reading every case: the
//  steering committee's page asks it for every covenant. A covenant whose indexes are still
//  being built (complaints_index.c, after an upgrade) answers unavailable meanwhile.
int
complaints_stats (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [COMPLAINT_COVENANT_CODE].str;
    if (complaints_cases_ready (ctx, covenant, "covenant", reply))    //  the newest cases first
        return -1;
    enum { S_STATUSES = 10 };
    imvo_args_t reads [S_STATUSES + 2];
    redisReply *counts [S_STATUSES + 2] = { NULL };
    size_t nreads = 0;
    for (; complaint_statuses [nreads]; nreads++) {
        assert (nreads < S_STATUSES);
        imvo_args_init (&reads [nreads]);
        imvo_args_str (&reads [nreads], "ZCARD");
        imvo_args_fmt (&reads [nreads], "imvo:complaints:{%s}:status:%s", covenant, complaint_statuses [nreads]);
    }
    imvo_args_init (&reads [nreads]);
    imvo_args_str (&reads [nreads], "ZCARD");
    imvo_args_fmt (&reads [nreads++], "imvo:complaints:{%s}:cases", covenant);
    imvo_args_init (&reads [nreads]);
    imvo_args_str (&reads [nreads], "EXISTS");
    imvo_args_fmt (&reads [nreads++], "imvo:complaints:{%s}:index_version", covenant);
    int rc = imvo_redis_run_all (ctx->redis, reads, nreads, counts) ? imvo_redis_fail (NULL, reply) : 0;
    for (size_t k = 0; rc == 0 && k < nreads; k++)
        if (!counts [k] || counts [k]->type != REDIS_REPLY_INTEGER)
            rc = imvo_redis_fail (NULL, reply);
    if (rc == 0 && counts [nreads - 1]->integer == 0 && counts [nreads - 2]->integer > 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "covenant",
                              "the case indexes of this covenant are being built; try again shortly");
    zhashx_t *statuses = zhashx_new (), *outcomes = zhashx_new ();
    size_t total = rc == 0 ? (size_t) counts [nreads - 2]->integer : 0;
    for (size_t k = 0; rc == 0 && complaint_statuses [k]; k++)
        if (counts [k]->integer > 0)
            zhashx_insert (statuses, complaint_statuses [k], (void *) (uintptr_t) counts [k]->integer);
    for (size_t k = 0; k < nreads; k++) {
        if (counts [k])
            freeReplyObject (counts [k]);
        imvo_args_release (&reads [k]);
    }
    //  The decided cases' outcomes, 500 a round.
    for (long start = 0; rc == 0; start += 500) {
        redisReply *ids = s_ok (imvo_redis_cmd (ctx->redis, "ZRANGE imvo:complaints:{%s}:decisions %ld %ld", covenant,
                                                start, start + 499), reply);
        if (!ids) {
            rc = -1;
            break;
        }
        size_t n = ids->type == REDIS_REPLY_ARRAY ? ids->elements : 0;
        imvo_args_t cmds [500];
        redisReply *out [500];
        for (size_t i = 0; i < n; i++) {
            imvo_args_init (&cmds [i]);
            imvo_args_str (&cmds [i], "HGET");
            imvo_args_fmt (&cmds [i], "imvo:complaints:{%s}:case:%s", covenant, ids->element [i]->str);
            imvo_args_str (&cmds [i], "outcome");
        }
        if (n && imvo_redis_run_all (ctx->redis, cmds, n, out))
            rc = imvo_redis_fail (NULL, reply);
        for (size_t i = 0; i < n; i++) {
            redisReply *o = out [i];
            if (rc == 0 && o && o->type == REDIS_REPLY_STRING)
                zhashx_update (outcomes, o->str, (void *) ((uintptr_t) zhashx_lookup (outcomes, o->str) + 1));
            if (o)
                freeReplyObject (o);
            imvo_args_release (&cmds [i]);
        }
        freeReplyObject (ids);
        if (n < 500)
            break;
    }
    redisReply *days = rc ? NULL : s_ok (imvo_redis_cmd (ctx->redis, "ZRANGE imvo:complaints:{%s}:decision_days 0 -1 "
                                                         "WITHSCORES", covenant), reply);
    redisReply *late = days ? s_ok (imvo_redis_cmd (ctx->redis, "ZCARD imvo:complaints:{%s}:overdue", covenant), reply)
                            : NULL;
    if (rc == 0 && (!days || !late))
        rc = -1;
    if (rc == 0) {
        size_t nd = days->type == REDIS_REPLY_ARRAY ? days->elements / 2 : 0;
        double *d = calloc (nd + 1, sizeof (double));
        for (size_t i = 0; i < nd; i++)
            d [i] = strtod (days->element [2 * i + 1]->str, NULL);
        qsort (d, nd, sizeof (double), s_cmp_double);
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 7);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_kv_int (pk, "cases", (int64_t) total);
        for (int k = 0; k < 2; k++) {
            zhashx_t *h = k ? outcomes : statuses;
            imvo_pack_str (pk, k ? "per_outcome" : "per_status");
            msgpack_pack_map (pk, zhashx_size (h));
            for (void *v = zhashx_first (h); v; v = zhashx_next (h)) {
                imvo_pack_str (pk, (const char *) zhashx_cursor (h));
                msgpack_pack_int64 (pk, (int64_t) (uintptr_t) v);
            }
        }
        imvo_pack_str (pk, "days_to_decision_median");
        if (nd)
            msgpack_pack_double (pk, round (d [(nd - 1) / 2] * 10) / 10);
        else
            msgpack_pack_nil (pk);
        imvo_pack_str (pk, "days_to_decision_p90");
        if (nd)
            msgpack_pack_double (pk, round (d [(size_t) ceil (0.9 * (double) nd) - 1] * 10) / 10);
        else
            msgpack_pack_nil (pk);
        imvo_pack_kv_int (pk, "overdue", late->integer);
        free (d);
    }
    if (days)
        freeReplyObject (days);
    if (late)
        freeReplyObject (late);
    zhashx_destroy (&statuses);
    zhashx_destroy (&outcomes);
    return rc;
}

//  Retention: a closed case's personal data is erased COMPLAINTS_RETENTION_DAYS after it
//  closed (lua/complaint_erase.lua), 100 cases a call.
static void
s_erase (imvo_ctx_t *ctx, const char *covenant)
{
    int64_t now = imvo_now_ms ();
    for (int rounds = 0; rounds < 10; rounds++) {
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:closed", covenant);
        imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
        imvo_args_fmt (&args, "%lld", (long long) now);
        imvo_args_fmt (&args, "%lld", (long long) (now - COMPLAINTS_RETENTION_DAYS * 86400000LL));
        imvo_args_str (&args, "100");
        redisReply *r = imvo_redis_eval (ctx->redis, "complaint_erase", &keys, &args);
        bool more = r && r->type == REDIS_REPLY_INTEGER && r->integer == 100;
        if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
            zsys_info ("retention: erased the personal data of %lld closed cases of %s", r->integer, covenant);
        if (r)
            freeReplyObject (r);
        imvo_args_release (&keys);
        imvo_args_release (&args);
        if (!more)
            break;
    }
}

//  Calls fn for every covenant with a case (complaints_covenants).
static void
s_each_covenant (imvo_ctx_t *ctx, void (*fn) (imvo_ctx_t *ctx, const char *covenant))
{
    zlist_t *covenants = complaints_covenants (ctx);
    for (const char *c = covenants ? zlist_first (covenants) : NULL; c; c = zlist_next (covenants))
        fn (ctx, c);
    zlist_destroy (&covenants);
}

//  Timer: retention, for every covenant.
void
complaints_retention_run (imvo_ctx_t *ctx)
{
    s_each_covenant (ctx, s_erase);
}

//  One covenant's deadlines that have passed, once each (the script moves each to the
//  overdue set as it emits it).
static void
s_deadlines (imvo_ctx_t *ctx, const char *covenant)
{
    for (int rounds = 0; rounds < 10; rounds++) {
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:idem:-", covenant);
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:deadlines", covenant);
        imvo_args_str (&args, "0");
        imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
        imvo_args_str (&args, "100");
        imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
        imvo_args_str (&args, covenant);
        imvo_reply_t reply;
        imvo_reply_init (&reply);
        int rc = imvo_outbox_commit (ctx, imvo_redis_eval (ctx->redis, "complaint_deadlines", &keys, &args), &reply);
        int64_t due = 0;
        if (rc == 0) {
            msgpack_zone zone;
            msgpack_zone_init (&zone, 256);
            msgpack_object o;
            const char *why;
            if (imvo_msg_unpack (reply.body.data, reply.body.size, &zone, &o, &why) == 0)
                imvo_obj_int (imvo_map_get (&o, "due"), &due);
            msgpack_zone_destroy (&zone);
        }
        imvo_reply_release (&reply);
        imvo_args_release (&keys);
        imvo_args_release (&args);
        if (due < 100)
            break;
    }
}

//  Timer: every covenant's deadlines that have passed.
void
complaints_deadlines_run (imvo_ctx_t *ctx)
{
    s_each_covenant (ctx, s_deadlines);
}

/*  scoring_round: runs the rounds that assessment.start put in imvo:scoring:running, beside
    the requests (in the consumer's thread, about twice a second).

    A runner takes a round's lease (SET NX PX, renewed by every chunk it writes), so two
    replicas never run one round at once. It fetches the covenant's company parties from
    membership once (kept in the round), reads the submissions and last year's results in
    pipelined batches, scores everyone in C, and writes the results S_CHUNK at a time with
    lua/round_commit.lua, which stores each company once (HSETNX) and emits assessment.scored
    only for the ones it stored: a round resumed after a restart scores no one twice. Then
    lua/round_complete.lua stores the summary and the collective risks and emits
    assessment.completed.
*/
#include "scoring_internal.h"
#include "imvo_client.h"

#include <math.h>

#define S_CHUNK 20                  //  results per round_commit call (well under 1 ms of Redis)
#define S_BATCH 250                 //  fields per HMGET (1000 took over 1 ms)
#define S_LEASE_MS 10000

typedef struct {
    char org_id [64];
    char name [201];
    int64_t since;                  //  the year it joined
    char association [64];          //  the trade association that lists it, "" for a party
} s_party_t;

//  The covenant's current company parties, from membership, packed as [{org_id, name, since}].
int
scoring_fetch_parties (const char *covenant, msgpack_sbuffer *out)
{
    imvo_client_t *membership = imvo_client_new_service ("membership", 5000, 3);
    if (!membership)
        return -1;
    msgpack_sbuffer body, list;
    msgpack_sbuffer_init (&body);
    msgpack_sbuffer_init (&list);
    msgpack_packer pk, lpk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_packer_init (&lpk, &list, msgpack_sbuffer_write);
    char cursor [72] = "";
    uint32_t count = 0;
    int rc = 0;
    do {
        msgpack_sbuffer_clear (&body);
        msgpack_pack_map (&pk, cursor [0] ? 4 : 3);
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_str (&pk, "role", "party");
        imvo_pack_kv_int (&pk, "limit", 1000);
        if (cursor [0])
            imvo_pack_kv_str (&pk, "cursor", cursor);
        imvo_response_t resp;
        rc = imvo_client_call (membership, "member.list", NULL, body.data, body.size, &resp) == 0 && resp.ok ? 0 : -1;
        const msgpack_object *members = rc == 0 ? imvo_map_get (resp.body, "members") : NULL;
        if (rc == 0 && imvo_obj_strcpy (imvo_map_get (resp.body, "next_cursor"), cursor, sizeof cursor))
            cursor [0] = 0;
        for (uint32_t i = 0; members && members->type == MSGPACK_OBJECT_ARRAY && i < members->via.array.size; i++) {
            const msgpack_object *m = &members->via.array.ptr [i], *since = imvo_map_get (m, "since");
            char org [64], name [201] = "", sincebuf [16] = "";
            if (!imvo_obj_streq (imvo_map_get (m, "kind"), "company")
            ||  imvo_obj_strcpy (imvo_map_get (m, "org_id"), org, sizeof org))
                continue;
            imvo_obj_strcpy (imvo_map_get (m, "name"), name, sizeof name);
            imvo_obj_strcpy (since, sincebuf, sizeof sincebuf);
            msgpack_pack_map (&lpk, 3);
            imvo_pack_kv_str (&lpk, "org_id", org);
            imvo_pack_kv_str (&lpk, "name", name);
            imvo_pack_kv_int (&lpk, "since", atoll (sincebuf));
            count++;
        }
        if (rc)
            zsys_warning ("scoring: member.list of %s failed: %s", covenant, resp.err.message);
        imvo_response_release (&resp);
    } while (rc == 0 && cursor [0]);
    if (rc == 0) {
        msgpack_packer opk;
        msgpack_packer_init (&opk, out, msgpack_sbuffer_write);
        msgpack_pack_array (&opk, count);
        msgpack_sbuffer_write (out, list.data, list.size);
    }
    msgpack_sbuffer_destroy (&body);
    msgpack_sbuffer_destroy (&list);
    imvo_client_destroy (&membership);
    return rc;
}

//  HMGET key for every party, in pipelined batches: replies [i] is party i's value or NULL.
//  The caller frees the batch replies in *batches (count *nbatches).
static int
s_read_all (imvo_ctx_t *ctx, const char *key, s_party_t *parties, size_t n, redisReply ***batches, size_t *nbatches,
            redisReply **values)
{
    size_t nb = (n + S_BATCH - 1) / S_BATCH;
    imvo_args_t *cmds = calloc (nb + 1, sizeof *cmds);
    *batches = calloc (nb + 1, sizeof **batches);
    *nbatches = nb;
    for (size_t b = 0; b < nb; b++) {
        imvo_args_init (&cmds [b]);
        imvo_args_str (&cmds [b], "HMGET");
        imvo_args_str (&cmds [b], key);
        for (size_t i = b * S_BATCH; i < n && i < (b + 1) * S_BATCH; i++)
            imvo_args_str (&cmds [b], parties [i].org_id);
    }
    int rc = imvo_redis_run_all (ctx->redis, cmds, nb, *batches);
    for (size_t b = 0; b < nb; b++) {
        imvo_args_release (&cmds [b]);
        redisReply *r = (*batches) [b];
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            rc = -1;
            continue;
        }
        for (size_t k = 0; k < r->elements && b * S_BATCH + k < n; k++)
            values [b * S_BATCH + k] = r->element [k]->type == REDIS_REPLY_STRING ? r->element [k] : NULL;
    }
    free (cmds);
    return rc;
}

static void
s_free_batches (redisReply **batches, size_t n)
{
    for (size_t b = 0; batches && b < n; b++)
        if (batches [b])
            freeReplyObject (batches [b]);
    free (batches);
}

//  Unpacks a stored value into zone (its bytes copied there); a nil object when unreadable.
static msgpack_object
s_unpack (redisReply *v, msgpack_zone *zone)
{
    msgpack_object o = { .type = MSGPACK_OBJECT_NIL };
    if (!v)
        return o;
    char *bytes = msgpack_zone_malloc (zone, v->len + 1);
    memcpy (bytes, v->str, v->len);
    const char *why;
    if (imvo_msg_unpack_items (bytes, v->len, IMVO_MSG_MAX_REPLY_ITEMS, zone, &o, &why))
        o.type = MSGPACK_OBJECT_NIL;
    return o;
}

//  The keys and first arguments of the round scripts (no idempotency record; the round hash).
static void
s_round_args (const char *covenant, int64_t year, imvo_args_t *keys, imvo_args_t *a)
{
    imvo_args_init (keys);
    imvo_args_init (a);
    imvo_args_fmt (keys, "imvo:scoring:{%s}:idem:-", covenant);
    imvo_args_fmt (keys, "imvo:scoring:{%s}:round:%lld", covenant, (long long) year);
    imvo_args_str (a, "0");
    imvo_args_fmt (a, "imvo:scoring:{%s}", covenant);
    imvo_args_fmt (a, "%lld", (long long) year);
}

//  Finishes a round script's result: its events are published; 0, or -1 (logged).
static int
s_round_done (imvo_ctx_t *ctx, const char *script, const char *covenant, int64_t year, redisReply *r)
{
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    int rc = imvo_outbox_commit (ctx, r, &reply);
    if (rc)
        zsys_warning ("scoring: %s of %s %lld: %s", script, covenant, (long long) year, reply.err.message);
    imvo_reply_release (&reply);
    return rc;
}

//  Runs an outbox script with no idempotency record (its events are published after it).
static int
s_round_script (imvo_ctx_t *ctx, const char *script, const char *covenant, int64_t year, imvo_args_t *args)
{
    imvo_args_t keys, a;
    s_round_args (covenant, year, &keys, &a);
    for (int i = 0; i < args->argc; i++)
        imvo_args_add (&a, args->argv [i], args->lens [i]);
    int rc = s_round_done (ctx, script, covenant, year, imvo_redis_eval (ctx->redis, script, &keys, &a));
    imvo_args_release (&keys);
    imvo_args_release (&a);
    return rc;
}

//  Scores every party and writes the results; packs the summary and the risks.
static int
s_score_all (imvo_ctx_t *ctx, const char *covenant, int64_t year, const char *token, const scoring_fw_t *fw,
             s_party_t *parties, size_t n, msgpack_sbuffer *summary, msgpack_sbuffer *risks_out, msgpack_zone *zone)
{
    char key [128];
    redisReply **subs = calloc (n + 1, sizeof *subs), **prevs = calloc (n + 1, sizeof *prevs);
    redisReply **sb = NULL, **pb = NULL;
    size_t nsb = 0, npb = 0;
    snprintf (key, sizeof key, "imvo:scoring:{%s}:sub:%lld", covenant, (long long) year);
    int rc = s_read_all (ctx, key, parties, n, &sb, &nsb, subs);
    snprintf (key, sizeof key, "imvo:scoring:{%s}:round:%lld:results", covenant, (long long) year - 1);
    if (rc == 0)
        rc = s_read_all (ctx, key, parties, n, &pb, &npb, prevs);
    scoring_brief_t *briefs = calloc (n + 1, sizeof *briefs);
    zhashx_t *risks = zhashx_new ();
    zhashx_set_destructor (risks, (zhashx_destructor_fn *) zstr_free);
    size_t nchunks = (n + S_CHUNK - 1) / S_CHUNK;
    //  The covenant's mandatory collective project: its participants, read once.
    scoring_mandatory_t mandatory = { .participants = NULL };
    if (rc == 0 && scoring_mandatory_load (ctx, covenant, year, &mandatory))
        rc = -1;
    //  Every chunk's call in one pipeline, then their results in order.
    msgpack_sbuffer *chunks = calloc (nchunks + 1, sizeof *chunks);
    imvo_args_t *ckeys = calloc (nchunks + 1, sizeof *ckeys), *cargs = calloc (nchunks + 1, sizeof *cargs);
    size_t appended = 0;
    for (size_t c = 0; rc == 0 && c < nchunks; c++) {
        msgpack_sbuffer_init (&chunks [c]);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &chunks [c], msgpack_sbuffer_write);
        size_t from = c * S_CHUNK, to = from + S_CHUNK < n ? from + S_CHUNK : n;
        msgpack_pack_array (&pk, (uint32_t) (to - from));
        for (size_t i = from; i < to; i++) {
            msgpack_object sub = s_unpack (subs [i], zone), prev = s_unpack (prevs [i], zone);
            scoring_result_t r;
            memset (&r, 0, sizeof r);
            snprintf (r.org_id, sizeof r.org_id, "%s", parties [i].org_id);
            snprintf (r.name, sizeof r.name, "%s", parties [i].name);
            scoring_mandatory_apply (&mandatory, r.org_id, &r);
            scoring_score (fw, covenant, year, parties [i].since, sub.type == MSGPACK_OBJECT_MAP ? &sub : NULL,
                           prev.type == MSGPACK_OBJECT_MAP ? &prev : NULL, &r);
            scoring_assoc_apply (parties [i].association, sub.type == MSGPACK_OBJECT_MAP ? &sub : NULL, &r);
            if (sub.type == MSGPACK_OBJECT_MAP)
                scoring_risks_add (risks, &sub);
            briefs [i] = (scoring_brief_t) { r.has_score, streq (r.status, "late"), r.on_track, r.score, "" };
            snprintf (briefs [i].band, sizeof briefs [i].band, "%s", r.band);
            msgpack_sbuffer one;
            msgpack_sbuffer_init (&one);
            msgpack_packer opk;
            msgpack_packer_init (&opk, &one, msgpack_sbuffer_write);
            scoring_pack_result (&opk, fw, &r);
            msgpack_pack_map (&pk, 3);
            imvo_pack_kv_str (&pk, "org_id", r.org_id);
            imvo_pack_str (&pk, "result");
            imvo_pack_strn (&pk, one.data, one.size);
            imvo_pack_str (&pk, "event");
            msgpack_pack_map (&pk, 8);
            char round_id [64];
            snprintf (round_id, sizeof round_id, "%s-%lld", covenant, (long long) year);
            imvo_pack_kv_str (&pk, "round_id", round_id);
            imvo_pack_kv_str (&pk, "covenant", covenant);
            imvo_pack_kv_int (&pk, "year", year);
            imvo_pack_kv_str (&pk, "org_id", r.org_id);
            imvo_pack_str (&pk, "score");
            if (r.has_score)
                scoring_pack_value (&pk, r.score);
            else
                msgpack_pack_nil (&pk);
            imvo_pack_kv_str (&pk, "band", r.has_score ? r.band : NULL);
            imvo_pack_kv_str (&pk, "status", r.status);
            imvo_pack_kv_str (&pk, "track", r.on_track ? "on_track" : "improvement");
            msgpack_sbuffer_destroy (&one);
        }
        s_round_args (covenant, year, &ckeys [c], &cargs [c]);
        imvo_args_str (&cargs [c], token);
        imvo_args_fmt (&cargs [c], "%d", S_LEASE_MS);
        imvo_args_add (&cargs [c], chunks [c].data, chunks [c].size);
        if (imvo_redis_append_eval (ctx->redis, "round_commit", &ckeys [c], &cargs [c]) == 0)
            appended++;
        else
            rc = -1;
    }
    for (size_t c = 0; c < appended; c++) {
        redisReply *r = imvo_redis_next_reply (ctx->redis);
        //  After a Redis restart the script is loaded again, and the chunk written again.
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject (r);
            r = imvo_redis_eval (ctx->redis, "round_commit", &ckeys [c], &cargs [c]);
        }
        if (s_round_done (ctx, "round_commit", covenant, year, r))
            rc = -1;
    }
    for (size_t c = 0; c < nchunks; c++) {
        imvo_args_release (&ckeys [c]);
        imvo_args_release (&cargs [c]);
        msgpack_sbuffer_destroy (&chunks [c]);
    }
    free (chunks);
    free (ckeys);
    free (cargs);
    if (rc == 0) {
        //  The previous round's summary, for the change since last year.
        redisReply *p = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld summary", covenant,
                                        (long long) year - 1);
        msgpack_object prev = s_unpack (p && p->type == REDIS_REPLY_STRING ? p : NULL, zone);
        msgpack_packer spk, rpk;
        msgpack_packer_init (&spk, summary, msgpack_sbuffer_write);
        msgpack_packer_init (&rpk, risks_out, msgpack_sbuffer_write);
        scoring_pack_summary (&spk, fw, briefs, n, prev.type == MSGPACK_OBJECT_MAP ? &prev : NULL);
        scoring_pack_risks (&rpk, risks);
        if (p)
            freeReplyObject (p);
    }
    zhashx_destroy (&risks);
    scoring_mandatory_release (&mandatory);
    free (briefs);
    s_free_batches (sb, nsb);
    s_free_batches (pb, npb);
    free (subs);
    free (prevs);
    return rc;
}

//  Runs one round to its end, if no other runner holds it.
static void
s_run (imvo_ctx_t *ctx, const char *covenant, int64_t year)
{
    int64_t started = zclock_mono ();
    char token [33];
    zuuid_t *uuid = zuuid_new ();
    snprintf (token, sizeof token, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);
    redisReply *r = imvo_redis_cmd (ctx->redis, "SET imvo:scoring:{%s}:round:%lld:lease %s NX PX %d", covenant,
                                    (long long) year, token, S_LEASE_MS);
    bool mine = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject (r);
    if (!mine)
        return;
    r = imvo_redis_cmd (ctx->redis, "HMGET imvo:scoring:{%s}:round:%lld status version parties", covenant,
                        (long long) year);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element [0]->type != REDIS_REPLY_STRING
    ||  !streq (r->element [0]->str, "running")) {
        //  Completed (or gone): nothing to run.
        if (r && r->type == REDIS_REPLY_ARRAY)
            freeReplyObject (imvo_redis_cmd (ctx->redis, "SREM %s %s|%lld", SCORING_RUNNING, covenant, (long long) year));
        if (r)
            freeReplyObject (r);
        freeReplyObject (imvo_redis_cmd (ctx->redis, "DEL imvo:scoring:{%s}:round:%lld:lease", covenant, (long long) year));
        return;
    }
    int64_t version = r->element [1]->type == REDIS_REPLY_STRING ? atoll (r->element [1]->str) : 0;
    msgpack_sbuffer parties_packed;
    msgpack_sbuffer_init (&parties_packed);
    int rc = 0;
    if (r->element [2]->type == REDIS_REPLY_STRING)
        msgpack_sbuffer_write (&parties_packed, r->element [2]->str, r->element [2]->len);
    else {
        //  The parties on the day the round runs, fetched once and kept with the round.
        rc = scoring_fetch_parties (covenant, &parties_packed);
        if (rc == 0)
            rc = scoring_assoc_append (covenant, &parties_packed);
        redisReply *w = rc ? NULL : imvo_redis_cmd (ctx->redis, "HSET imvo:scoring:{%s}:round:%lld parties %b", covenant,
                                                    (long long) year, parties_packed.data, parties_packed.size);
        rc = w && w->type == REDIS_REPLY_INTEGER ? 0 : -1;
        if (w)
            freeReplyObject (w);
    }
    freeReplyObject (r);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 65536);
    msgpack_object list = { .type = MSGPACK_OBJECT_NIL };
    const char *why;
    if (rc == 0 && imvo_msg_unpack_items (parties_packed.data, parties_packed.size, IMVO_MSG_MAX_REPLY_ITEMS, &zone,
                                          &list, &why))
        rc = -1;
    size_t n = list.type == MSGPACK_OBJECT_ARRAY ? list.via.array.size : 0;
    s_party_t *parties = calloc (n + 1, sizeof *parties);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const msgpack_object *p = &list.via.array.ptr [i];
        imvo_obj_strcpy (imvo_map_get (p, "org_id"), parties [i].org_id, sizeof parties [i].org_id);
        imvo_obj_strcpy (imvo_map_get (p, "name"), parties [i].name, sizeof parties [i].name);
        imvo_obj_int (imvo_map_get (p, "since"), &parties [i].since);
        imvo_obj_strcpy (imvo_map_get (p, "association"), parties [i].association, sizeof parties [i].association);
    }
    scoring_fw_t fw;
    char *fw_packed = NULL;
    size_t fw_len;
    imvo_reply_t err;
    imvo_reply_init (&err);
    if (rc == 0)
        rc = scoring_framework_read (ctx, covenant, version, &fw, &zone, &fw_packed, &fw_len, &err);
    msgpack_sbuffer summary, risks, done;
    msgpack_sbuffer_init (&summary);
    msgpack_sbuffer_init (&risks);
    msgpack_sbuffer_init (&done);
    if (rc == 0)
        rc = s_score_all (ctx, covenant, year, token, &fw, parties, n, &summary, &risks, &zone);
    if (rc == 0) {
        msgpack_packer pk;
        msgpack_packer_init (&pk, &done, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 4);
        char round_id [64];
        snprintf (round_id, sizeof round_id, "%s-%lld", covenant, (long long) year);
        imvo_pack_kv_str (&pk, "round_id", round_id);
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_int (&pk, "year", year);
        imvo_pack_str (&pk, "summary");
        msgpack_sbuffer_write (&done, summary.data, summary.size);
        imvo_args_t args;
        imvo_args_init (&args);
        imvo_args_str (&args, token);
        imvo_args_add (&args, summary.data, summary.size);
        imvo_args_add (&args, risks.data, risks.size);
        imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
        imvo_args_fmt (&args, "%lld", (long long) (zclock_mono () - started));
        imvo_args_add (&args, done.data, done.size);
        rc = s_round_script (ctx, "round_complete", covenant, year, &args);
        imvo_args_release (&args);
    }
    if (rc == 0) {
        freeReplyObject (imvo_redis_cmd (ctx->redis, "SREM %s %s|%lld", SCORING_RUNNING, covenant, (long long) year));
        zsys_info ("scoring: round %s-%lld completed: %zu companies in %lld ms", covenant, (long long) year, n,
                   (long long) (zclock_mono () - started));
    }
    else
        //  Tried again at the next tick (by whichever replica takes the lease).
        freeReplyObject (imvo_redis_cmd (ctx->redis, "DEL imvo:scoring:{%s}:round:%lld:lease", covenant, (long long) year));
    imvo_reply_release (&err);
    free (fw_packed);
    free (parties);
    msgpack_sbuffer_destroy (&summary);
    msgpack_sbuffer_destroy (&risks);
    msgpack_sbuffer_destroy (&done);
    msgpack_sbuffer_destroy (&parties_packed);
    msgpack_zone_destroy (&zone);
}

void
scoring_rounds_tick (imvo_ctx_t *ctx)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "SMEMBERS %s", SCORING_RUNNING);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        char covenant [40];
        const char *bar = strchr (r->element [i]->str, '|');
        if (!bar || bar - r->element [i]->str >= (long) sizeof covenant)
            continue;
        snprintf (covenant, sizeof covenant, "%.*s", (int) (bar - r->element [i]->str), r->element [i]->str);
        s_run (ctx, covenant, atoll (bar + 1));
    }
    if (r)
        freeReplyObject (r);
}

/*  scoring_watch: assessment.round, a covenant's year as the monitoring committee watches it
    run: per company whether its plan is submitted (on time), late or missing, its result once
    scored, a page at a time (the console's pages of 10,000 companies), with the counts, the
    summary, the collective risks and the round's appeals (scoring_appeals.c packs them); with
    `appealed`, the companies are those that appealed (the appeals page, in one call).

    The companies are the round's parties (kept with the round when it starts to run), in their
    order; before that, the covenant's company parties as membership has them now. A page costs
    one read of the round, one pipeline of HLEN/SCARD for the counts and one for the page's
    results and plan states; a status filter reads the plans' org ids (HKEYS) and the late set
    once. The round's parties are stored once when it runs and never change: each replica keeps
    the last S_CACHE rounds' parties unpacked (a round of 10,000 is 500 KB to read and unpack,
    most of a page's cost otherwise). The steering group gets the counts, summary and risks,
    never a company's result. */
#include "scoring_internal.h"

#include <ctype.h>
#include <pthread.h>

#define S_DEFAULT_LIMIT 100
#define S_CACHE 16                  //  rounds whose parties are kept unpacked

//  A round's parties, unpacked; shared (refs) by the cache and the requests reading it.
typedef struct {
    char key [112];                 //  covenant|year|started_at
    char *packed;
    msgpack_zone zone;
    msgpack_object list;
    char **hay;                     //  per party "org_id\nname" in lower case, for the search
    char *plan;                     //  of a completed round, once asked: per party 's'ubmitted, 'l'ate, 'm'issing
    int refs;
} s_parties_t;

static s_parties_t *s_cache [S_CACHE];
static size_t s_cache_next;
static pthread_mutex_t s_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void
s_parties_release (s_parties_t **pp)
{
    s_parties_t *p = *pp;
    *pp = NULL;
    if (!p)
        return;
    pthread_mutex_lock (&s_cache_lock);
    bool gone = --p->refs == 0;
    pthread_mutex_unlock (&s_cache_lock);
    if (gone) {
        for (uint32_t i = 0; p->hay && i < p->list.via.array.size; i++)
            free (p->hay [i]);
        free (p->hay);
        free (p->plan);
        msgpack_zone_destroy (&p->zone);
        free (p->packed);
        free (p);
    }
}

static const char *s_str (const msgpack_object *party, const char *key, char *buf, size_t size);

//  The packed list [{org_id, name, since}] unpacked (a copy of data), or NULL when it is not one.
static s_parties_t *
s_parties_new (const char *key, const char *data, size_t len)
{
    s_parties_t *p = calloc (1, sizeof *p);
    snprintf (p->key, sizeof p->key, "%s", key);
    p->packed = malloc (len + 1);
    memcpy (p->packed, data, len);
    p->refs = 1;
    msgpack_zone_init (&p->zone, 65536);
    const char *why;
    if (imvo_msg_unpack_items (p->packed, len, IMVO_MSG_MAX_REPLY_ITEMS, &p->zone, &p->list, &why)
    ||  p->list.type != MSGPACK_OBJECT_ARRAY) {
        p->list.type = MSGPACK_OBJECT_NIL;
        s_parties_release (&p);
        return NULL;
    }
    p->hay = calloc (p->list.via.array.size + 1, sizeof *p->hay);
    for (uint32_t i = 0; i < p->list.via.array.size; i++) {
        char org [72], name [208];
        s_str (&p->list.via.array.ptr [i], "org_id", org, sizeof org);
        s_str (&p->list.via.array.ptr [i], "name", name, sizeof name);
        p->hay [i] = zsys_sprintf ("%s\n%s", org, name);
        for (char *c = p->hay [i]; *c; c++)
            *c = (char) tolower ((unsigned char) *c);
    }
    return p;
}

//  The cached parties of key (a reference the caller releases), or NULL.
static s_parties_t *
s_cache_get (const char *key)
{
    s_parties_t *found = NULL;
    pthread_mutex_lock (&s_cache_lock);
    for (size_t i = 0; i < S_CACHE && !found; i++)
        if (s_cache [i] && streq (s_cache [i]->key, key)) {
            found = s_cache [i];
            found->refs++;
        }
    pthread_mutex_unlock (&s_cache_lock);
    return found;
}

//  Keeps p (the cache takes a reference of its own), in place of the oldest.
static void
s_cache_put (s_parties_t *p)
{
    pthread_mutex_lock (&s_cache_lock);
    s_parties_t *old = s_cache [s_cache_next];
    s_cache [s_cache_next] = p;
    s_cache_next = (s_cache_next + 1) % S_CACHE;
    p->refs++;
    pthread_mutex_unlock (&s_cache_lock);
    s_parties_release (&old);
}

//  A string field of a party (a map) as a NUL-terminated copy in buf.
static const char *
s_str (const msgpack_object *party, const char *key, char *buf, size_t size)
{
    buf [0] = 0;
    imvo_obj_strcpy (imvo_map_get (party, key), buf, size);
    return buf;
}

//  Every value of a set-like reply (HKEYS, SMEMBERS) as the keys of a hash.
static zhashx_t *
s_keys (redisReply *r)
{
    zhashx_t *h = zhashx_new ();
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        if (r->element [i]->type == REDIS_REPLY_STRING)
            zhashx_insert (h, r->element [i]->str, (void *) 1);
    return h;
}

static int64_t
s_int (redisReply *r)
{
    return r && r->type == REDIS_REPLY_INTEGER ? (int64_t) r->integer : 0;
}

static int64_t
s_summary_int (const msgpack_object *summary, const char *key, int64_t fallback)
{
    int64_t v;
    return summary && imvo_obj_int (imvo_map_get (summary, key), &v) == 0 ? v : fallback;
}

//  A round hash field as an int, or nil.
static void
s_pack_opt_int (msgpack_packer *pk, const char *key, redisReply *v)
{
    imvo_pack_str (pk, key);
    if (v && v->type == REDIS_REPLY_STRING)
        msgpack_pack_int64 (pk, strtoll (v->str, NULL, 10));
    else
        msgpack_pack_nil (pk);
}

static void
s_pack_raw (msgpack_packer *pk, const char *key, redisReply *v)
{
    imvo_pack_str (pk, key);
    if (v && v->type == REDIS_REPLY_STRING && v->len)
        msgpack_sbuffer_write (pk->data, v->str, v->len);
    else
        msgpack_pack_nil (pk);
}

int
scoring_assessment_round (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [ASSESSMENT_ROUND_COVENANT].str;
    long long year = (long long) f [ASSESSMENT_ROUND_YEAR].i;
    const char *q = f [ASSESSMENT_ROUND_Q].present ? f [ASSESSMENT_ROUND_Q].str : "";
    const char *want = f [ASSESSMENT_ROUND_STATUS].present ? f [ASSESSMENT_ROUND_STATUS].str : NULL;
    int64_t offset = f [ASSESSMENT_ROUND_OFFSET].present ? f [ASSESSMENT_ROUND_OFFSET].i : 0;
    int64_t limit = f [ASSESSMENT_ROUND_LIMIT].present ? f [ASSESSMENT_ROUND_LIMIT].i : S_DEFAULT_LIMIT;
    //  The steering group reads the counts, never a company's result.
    bool steering = streq (req->role, "steering");
    if (steering)
        limit = 0;
    char round_id [64];
    snprintf (round_id, sizeof round_id, "%s-%lld", covenant, year);
    //  The covenant's appeals (the steering group's reply has none), for the reply and for the
    //  appealed filter (the appeals page: the appealed companies' names and results at once).
    redisReply *appeals = steering ? NULL : imvo_redis_cmd (ctx->redis, "HGETALL imvo:scoring:{%s}:appeals", covenant);
    zhashx_t *appealed = f [ASSESSMENT_ROUND_APPEALED].present && f [ASSESSMENT_ROUND_APPEALED].b
                       ? scoring_appealed (appeals, round_id) : NULL;

    redisReply *round = imvo_redis_cmd (ctx->redis, "HMGET imvo:scoring:{%s}:round:%lld status version started_at "
                                        "completed_at summary risks", covenant, year);
    if (!round || round->type != REDIS_REPLY_ARRAY || round->elements != 6) {
        zhashx_destroy (&appealed);
        if (appeals)
            freeReplyObject (appeals);
        return imvo_redis_fail_free (round, reply);
    }
    bool started = round->element [0]->type == REDIS_REPLY_STRING;
    bool completed = started && streq (round->element [0]->str, "completed");

    //  The counts: plans, late plans, results so far.
    imvo_args_t cmds [3];
    redisReply *counts [3] = { NULL, NULL, NULL };
    for (int i = 0; i < 3; i++)
        imvo_args_init (&cmds [i]);
    imvo_args_str (&cmds [0], "HLEN");
    imvo_args_fmt (&cmds [0], "imvo:scoring:{%s}:sub:%lld", covenant, year);
    imvo_args_str (&cmds [1], "SCARD");
    imvo_args_fmt (&cmds [1], "imvo:scoring:{%s}:late:%lld", covenant, year);
    imvo_args_str (&cmds [2], "HLEN");
    imvo_args_fmt (&cmds [2], "imvo:scoring:{%s}:round:%lld:results", covenant, year);
    int rc = imvo_redis_run_all (ctx->redis, cmds, 3, counts);
    for (int i = 0; i < 3; i++)
        imvo_args_release (&cmds [i]);

    //  The companies: the round's parties (kept here once read), or (not yet running)
    //  membership's now.
    char key [112];
    snprintf (key, sizeof key, "%s|%lld|%s", covenant, year,
              started && round->element [2]->type == REDIS_REPLY_STRING ? round->element [2]->str : "");
    s_parties_t *cached = rc == 0 && started ? s_cache_get (key) : NULL;
    if (rc == 0 && started && !cached) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:round:%lld parties", covenant, year);
        if (!r || r->type == REDIS_REPLY_ERROR)
            rc = imvo_redis_fail (NULL, reply);
        else
        if (r->type == REDIS_REPLY_STRING && (cached = s_parties_new (key, r->str, r->len)))
            s_cache_put (cached);
        if (r)
            freeReplyObject (r);
    }
    if (rc == 0 && !cached) {
        msgpack_sbuffer fetched;
        msgpack_sbuffer_init (&fetched);
        if (scoring_fetch_parties (covenant, &fetched))
            rc = imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "covenant", "membership did not give the parties of %s",
                                  covenant);
        else
        if (!(cached = s_parties_new ("", fetched.data, fetched.size)))
            rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "covenant", "the parties of %s are unreadable", covenant);
        msgpack_sbuffer_destroy (&fetched);
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object parties = cached ? cached->list : (msgpack_object) { .type = MSGPACK_OBJECT_NIL };
    msgpack_object summary = { .type = MSGPACK_OBJECT_NIL };
    const char *why;
    if (rc == 0 && round->element [4]->type == REDIS_REPLY_STRING
    &&  imvo_msg_unpack (round->element [4]->str, round->element [4]->len, &zone, &summary, &why))
        summary.type = MSGPACK_OBJECT_NIL;
    size_t n = parties.type == MSGPACK_OBJECT_ARRAY ? parties.via.array.size : 0;

    //  A status filter: every party's plan from the plans' org ids and the late ones; kept with
    //  the parties once the round is completed (its plans are closed then).
    const char *plan = NULL;
    char *own = NULL;
    if (rc == 0 && want && limit > 0 && completed && cached->key [0]) {
        pthread_mutex_lock (&s_cache_lock);
        plan = cached->plan;
        pthread_mutex_unlock (&s_cache_lock);
    }
    if (rc == 0 && want && limit > 0 && !plan) {
        redisReply *k = imvo_redis_cmd (ctx->redis, "HKEYS imvo:scoring:{%s}:sub:%lld", covenant, year);
        redisReply *l = imvo_redis_cmd (ctx->redis, "SMEMBERS imvo:scoring:{%s}:late:%lld", covenant, year);
        if (!k || k->type != REDIS_REPLY_ARRAY || !l || l->type != REDIS_REPLY_ARRAY)
            rc = imvo_redis_fail (NULL, reply);
        zhashx_t *subs = s_keys (k), *late = s_keys (l);
        own = calloc (n + 1, 1);
        for (size_t i = 0; i < n; i++) {
            char org [72];
            s_str (&parties.via.array.ptr [i], "org_id", org, sizeof org);
            own [i] = zhashx_lookup (late, org) ? 'l' : zhashx_lookup (subs, org) ? 's' : 'm';
        }
        zhashx_destroy (&subs);
        zhashx_destroy (&late);
        if (k)
            freeReplyObject (k);
        if (l)
            freeReplyObject (l);
        plan = own;
        if (rc == 0 && completed && cached->key [0]) {
            pthread_mutex_lock (&s_cache_lock);
            if (!cached->plan) {
                cached->plan = own;
                own = NULL;
            }
            plan = cached->plan;
            pthread_mutex_unlock (&s_cache_lock);
        }
    }
    //  The matching companies (q in any case), and the page of them.
    char lower [112];
    snprintf (lower, sizeof lower, "%s", q);
    for (char *c = lower; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    size_t *page = calloc ((size_t) limit + 1, sizeof *page), npage = 0, total = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (*q && !strstr (cached->hay [i], lower))
            continue;
        if (want && limit > 0 && plan [i] != want [0])
            continue;
        char org [72];
        if (appealed && !zhashx_lookup (appealed, s_str (&parties.via.array.ptr [i], "org_id", org, sizeof org)))
            continue;
        if (total >= (size_t) offset && npage < (size_t) limit)
            page [npage++] = i;
        total++;
    }
    //  The page's results and (before the round completes: a result then says it) plan states,
    //  in one pipeline. (HEXISTS and SISMEMBER: the commands scoring's Redis user has,
    //  deploy/redis/users.acl.)
    size_t ncmds = !npage ? 0 : completed ? 1 : 1 + 2 * npage;
    imvo_args_t *pc = calloc (ncmds + 1, sizeof *pc);
    redisReply **pr = calloc (ncmds + 1, sizeof *pr);
    char (*orgs) [72] = calloc (npage + 1, sizeof *orgs);
    for (size_t c = 0; c < ncmds; c++)
        imvo_args_init (&pc [c]);
    if (npage) {
        imvo_args_str (&pc [0], "HMGET");
        imvo_args_fmt (&pc [0], "imvo:scoring:{%s}:round:%lld:results", covenant, year);
        for (size_t j = 0; j < npage; j++) {
            s_str (&parties.via.array.ptr [page [j]], "org_id", orgs [j], sizeof orgs [j]);
            imvo_args_str (&pc [0], orgs [j]);
            if (completed)
                continue;
            imvo_args_str (&pc [1 + 2 * j], "SISMEMBER");
            imvo_args_fmt (&pc [1 + 2 * j], "imvo:scoring:{%s}:late:%lld", covenant, year);
            imvo_args_str (&pc [1 + 2 * j], orgs [j]);
            imvo_args_str (&pc [2 + 2 * j], "HEXISTS");
            imvo_args_fmt (&pc [2 + 2 * j], "imvo:scoring:{%s}:sub:%lld", covenant, year);
            imvo_args_str (&pc [2 + 2 * j], orgs [j]);
        }
        if (rc == 0 && imvo_redis_run_all (ctx->redis, pc, ncmds, pr))
            rc = imvo_redis_fail (NULL, reply);
        if (rc == 0 && (!pr [0] || pr [0]->type != REDIS_REPLY_ARRAY || pr [0]->elements != npage))
            rc = imvo_redis_fail (NULL, reply);
    }
    if (rc == 0) {
        const msgpack_object *sm = summary.type == MSGPACK_OBJECT_MAP ? &summary : NULL;
        int64_t plans = s_int (counts [0]), nlate = s_int (counts [1]), scored = s_int (counts [2]);
        int64_t missing = (int64_t) n > plans ? (int64_t) n - plans : 0;
        if (completed && sm) {
            nlate = s_summary_int (sm, "late", nlate);
            missing = s_summary_int (sm, "missing", missing);
            plans = s_summary_int (sm, "scored", plans);
        }
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 14);
        imvo_pack_kv_str (pk, "round_id", round_id);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_kv_int (pk, "year", year);
        imvo_pack_str (pk, "status");
        if (started)
            imvo_pack_strn (pk, round->element [0]->str, round->element [0]->len);
        else
            imvo_pack_str (pk, "not_started");
        s_pack_opt_int (pk, "version", round->element [1]);
        s_pack_opt_int (pk, "started_at", round->element [2]);
        s_pack_opt_int (pk, "completed_at", round->element [3]);
        imvo_pack_str (pk, "counts");
        msgpack_pack_map (pk, 5);
        imvo_pack_kv_int (pk, "companies", (int64_t) n);
        imvo_pack_kv_int (pk, "submitted", plans > nlate ? plans - nlate : 0);
        imvo_pack_kv_int (pk, "late", nlate);
        imvo_pack_kv_int (pk, "missing", missing);
        imvo_pack_kv_int (pk, "scored", scored);
        imvo_pack_kv_int (pk, "total", (int64_t) total);
        imvo_pack_kv_int (pk, "offset", offset);
        imvo_pack_str (pk, "companies");
        msgpack_pack_array (pk, (uint32_t) npage);
        for (size_t j = 0; j < npage; j++) {
            const msgpack_object *p = &parties.via.array.ptr [page [j]];
            redisReply *res = pr [0]->element [j];
            bool is_late, has_plan;
            if (completed) {
                //  The result's status: scored, late or missing.
                msgpack_object r = { .type = MSGPACK_OBJECT_NIL };
                if (res->type == REDIS_REPLY_STRING && imvo_msg_unpack (res->str, res->len, &zone, &r, &why))
                    r.type = MSGPACK_OBJECT_NIL;
                const msgpack_object *st = r.type == MSGPACK_OBJECT_MAP ? imvo_map_get (&r, "status") : NULL;
                is_late = imvo_obj_streq (st, "late");
                has_plan = st && !imvo_obj_streq (st, "missing");
            }
            else {
                is_late = s_int (pr [1 + 2 * j]) > 0;
                has_plan = s_int (pr [2 + 2 * j]) > 0;
            }
            msgpack_pack_map (pk, 4);
            imvo_pack_kv_str (pk, "org_id", orgs [j]);
            imvo_pack_str (pk, "name");
            const msgpack_object *name = imvo_map_get (p, "name");
            if (name && name->type == MSGPACK_OBJECT_STR)
                msgpack_pack_object (pk, *name);
            else
                msgpack_pack_nil (pk);
            imvo_pack_kv_str (pk, "status", is_late ? "late" : has_plan ? "submitted" : "missing");
            s_pack_raw (pk, "result", res);
        }
        s_pack_raw (pk, "summary", round->element [4]);
        s_pack_raw (pk, "collective_risks", round->element [5]);
        scoring_pack_appeals (pk, appeals, round_id);
    }
    for (size_t c = 0; c < ncmds; c++) {
        imvo_args_release (&pc [c]);
        if (pr [c])
            freeReplyObject (pr [c]);
    }
    for (int i = 0; i < 3; i++)
        if (counts [i])
            freeReplyObject (counts [i]);
    free (pc);
    free (pr);
    free (orgs);
    free (page);
    free (own);
    msgpack_zone_destroy (&zone);
    s_parties_release (&cached);
    freeReplyObject (round);
    zhashx_destroy (&appealed);
    if (appeals)
        freeReplyObject (appeals);
    return rc;
}

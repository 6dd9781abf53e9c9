/*  complaints_word_index: the word index complaint.list's q finds cases by
    (imvo:complaints:{<covenant>}:word:<w>, a zset of case ids scored by received_at), kept
    behind the submit instead of inside it.

    Why: the words were most of what a complaint cost Redis. One ZADD per word, a dozen or
    more a complaint, each a command of its own inside the submit script and a record of its
    own in the AOF (issue 21, 6). Here a timer indexes a step of new cases at a time: words
    that the step's cases share go in one ZADD (a common word costs one command per step, not
    one per case), with no Lua.

    Which cases are new: a case is numbered by the year's counter (:seq:<y>) in the same
    script that files it, so every number up to the counter has its case. :words_at (a hash,
    year -> the number of that year's last case indexed) says how far the index is; the cases
    after it are the new ones. Checked each run: the years in :words_at, this year and the one
    before (a case filed just before the new year).

    Read your own writes: complaint.list with q first brings the covenant's index up to date
    (complaints_words_catch_up), so a case acknowledged a moment ago is found; when more than
    S_CATCH_UP_STEPS steps are missing the answer is `unavailable`, never a short list.

    The writes are plain commands in one pipeline: the ZADDs, then the :words_at mark. Indexing
    a case twice changes nothing, so a step cut off by a broken connection, or two indexers
    at once (the timer, a list catching up), only repeat work; the mark may then go back, and
    the next run indexes those cases again.
*/
#include "complaints_server.h"

#include <ctype.h>
#include <time.h>

#define S_STEP 50               //  cases a step reads (a ZADD of 50 members stays far below 1 ms)
#define S_RUN_STEPS 100         //  steps a covenant gets in one timer run
#define S_CATCH_UP_STEPS 40     //  steps complaint.list waits for

//  Whether an HMGET of a case found it (received_at, respondent, summary, file).
static bool
s_found (const redisReply *c)
{
    return c && c->type == REDIS_REPLY_ARRAY && c->elements == 4 && c->element [0]->type == REDIS_REPLY_STRING;
}

//  The index of one covenant's year, from after number `from` up to `to` at most: one step.
//  Returns the number of the last case indexed, or -1 when Redis failed.
static long long
s_step (imvo_ctx_t *ctx, const char *covenant, const char *upper, int year, long long from, long long to)
{
    long long last = from + S_STEP < to ? from + S_STEP : to;
    size_t n = (size_t) (last - from);
    if (n == 0)
        return last;
    imvo_args_t cmds [S_STEP] = { { 0 } };
    redisReply *cases [S_STEP] = { NULL };
    char ids [S_STEP][72];
    for (size_t i = 0; i < n; i++) {
        snprintf (ids [i], sizeof ids [i], "%s-%04d-%04lld", upper, year, from + 1 + (long long) i);
        imvo_args_init (&cmds [i]);
        imvo_args_str (&cmds [i], "HMGET");
        imvo_args_fmt (&cmds [i], "imvo:complaints:{%s}:case:%s", covenant, ids [i]);
        imvo_args_str (&cmds [i], "received_at");
        imvo_args_str (&cmds [i], "respondent");
        imvo_args_str (&cmds [i], "summary");
        imvo_args_str (&cmds [i], "file");
    }
    int rc = imvo_redis_run_all (ctx->redis, cmds, n, cases);
    for (size_t i = 0; i < n; i++)
        imvo_args_release (&cmds [i]);
    //  The step's respondents' names (:member_words) in one round.
    zhashx_t *named = zhashx_new ();            //  respondent -> its words ("" when none)
    zhashx_set_destructor (named, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_duplicator (named, (zhashx_duplicator_fn *) strdup);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (s_found (cases [i]) && cases [i]->element [1]->type == REDIS_REPLY_STRING && cases [i]->element [1]->str [0])
            zhashx_insert (named, cases [i]->element [1]->str, "");
    if (rc == 0 && zhashx_size (named) > 0) {
        zlistx_t *orgs = zhashx_keys (named);
        size_t m = zlistx_size (orgs), k = 0;
        imvo_args_t *gets = calloc (m, sizeof *gets);
        redisReply **names = calloc (m, sizeof *names);
        assert (gets && names);
        for (const char *org = zlistx_first (orgs); org; org = zlistx_next (orgs), k++) {
            imvo_args_init (&gets [k]);
            imvo_args_str (&gets [k], "HGET");
            imvo_args_fmt (&gets [k], "imvo:complaints:{%s}:member_words", covenant);
            imvo_args_str (&gets [k], org);
        }
        rc = imvo_redis_run_all (ctx->redis, gets, m, names);
        k = 0;
        for (const char *org = zlistx_first (orgs); org; org = zlistx_next (orgs), k++) {
            if (rc == 0 && names [k] && names [k]->type == REDIS_REPLY_STRING)
                zhashx_update (named, org, names [k]->str);
            if (names [k])
                freeReplyObject (names [k]);
            imvo_args_release (&gets [k]);
        }
        free (gets);
        free (names);
        zlistx_destroy (&orgs);
    }
    //  Each case's words: its summary's, its description's and its respondent's name's.
    zhashx_t *by_word = zhashx_new ();          //  word -> zlistx of case indexes (+1)
    zhashx_set_destructor (by_word, (zhashx_destructor_fn *) zlistx_destroy);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        redisReply *c = cases [i];
        if (!s_found (c))
            continue;                           //  no such case (a script cut short)
        zhashx_t *words = zhashx_new ();
        if (c->element [2]->type == REDIS_REPLY_STRING)
            complaints_words (c->element [2]->str, words, COMPLAINTS_CASE_WORDS);
        if (c->element [3]->type == REDIS_REPLY_STRING) {
            msgpack_zone zone;
            msgpack_zone_init (&zone, 1024);
            msgpack_object file;
            const char *why;
            char *description = imvo_msg_unpack (c->element [3]->str, c->element [3]->len, &zone, &file, &why) == 0
                              ? imvo_map_strdup (&file, "description") : NULL;
            if (description)
                complaints_words (description, words, COMPLAINTS_CASE_WORDS);
            free (description);
            msgpack_zone_destroy (&zone);
        }
        const char *name = c->element [1]->type == REDIS_REPLY_STRING ? zhashx_lookup (named, c->element [1]->str) : NULL;
        char *copy = name ? strdup (name) : NULL, *save = NULL;
        for (char *w = copy ? strtok_r (copy, " ", &save) : NULL; w; w = strtok_r (NULL, " ", &save))
            zhashx_insert (words, w, (void *) 1);
        free (copy);
        for (void *v = zhashx_first (words); v; v = zhashx_next (words)) {
            const char *w = zhashx_cursor (words);
            zlistx_t *list = zhashx_lookup (by_word, w);
            if (!list) {
                list = zlistx_new ();
                zhashx_insert (by_word, w, list);
            }
            zlistx_add_end (list, (void *) (i + 1));
        }
        zhashx_destroy (&words);
    }
    //  One ZADD a word, then the mark, in one pipeline.
    size_t m = zhashx_size (by_word) + 1, k = 0;
    imvo_args_t *writes = calloc (m, sizeof *writes);
    redisReply **done = calloc (m, sizeof *done);
    assert (writes && done);
    for (zlistx_t *list = zhashx_first (by_word); rc == 0 && list; list = zhashx_next (by_word), k++) {
        imvo_args_init (&writes [k]);
        imvo_args_str (&writes [k], "ZADD");
        imvo_args_fmt (&writes [k], "imvo:complaints:{%s}:word:%s", covenant, (const char *) zhashx_cursor (by_word));
        for (void *item = zlistx_first (list); item; item = zlistx_next (list)) {
            size_t i = (size_t) item - 1;
            imvo_args_add (&writes [k], cases [i]->element [0]->str, cases [i]->element [0]->len);
            imvo_args_str (&writes [k], ids [i]);
        }
    }
    if (rc == 0) {
        imvo_args_init (&writes [k]);
        imvo_args_str (&writes [k], "HSET");
        imvo_args_fmt (&writes [k], "imvo:complaints:{%s}:words_at", covenant);
        imvo_args_fmt (&writes [k], "%d", year);
        imvo_args_fmt (&writes [k], "%lld", last);
        k++;
        rc = imvo_redis_run_all (ctx->redis, writes, k, done);
    }
    for (size_t j = 0; j < k; j++) {
        if (rc == 0 && done [j] && done [j]->type == REDIS_REPLY_ERROR) {
            zsys_warning ("cannot index the words of %s's cases: %s", covenant, done [j]->str);
            rc = -1;
        }
        if (done [j])
            freeReplyObject (done [j]);
        imvo_args_release (&writes [j]);
    }
    free (writes);
    free (done);
    zhashx_destroy (&named);
    zhashx_destroy (&by_word);
    for (size_t i = 0; i < n; i++)
        if (cases [i])
            freeReplyObject (cases [i]);
    return rc == 0 ? last : -1;
}

//  Brings one covenant's word index up to date, at most max_steps steps: 0 when it is, 1
//  when cases are still left, -1 when Redis failed.
static int
s_covenant (imvo_ctx_t *ctx, const char *covenant, int max_steps)
{
    char upper [48];
    size_t len = strlen (covenant);
    if (len >= sizeof upper)
        return 0;
    for (size_t i = 0; i <= len; i++)
        upper [i] = (char) toupper ((unsigned char) covenant [i]);
    time_t secs = (time_t) (imvo_now_ms () / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    int now_year = tm.tm_year + 1900;
    //  One round: the marks, and the counters of this year and the one before.
    imvo_args_t reads [3];
    redisReply *got [3] = { NULL };
    for (int j = 0; j < 3; j++)
        imvo_args_init (&reads [j]);
    imvo_args_str (&reads [0], "HGETALL");
    imvo_args_fmt (&reads [0], "imvo:complaints:{%s}:words_at", covenant);
    for (int j = 1; j < 3; j++) {
        imvo_args_str (&reads [j], "GET");
        imvo_args_fmt (&reads [j], "imvo:complaints:{%s}:seq:%04d", covenant, now_year - 2 + j);
    }
    int rc = imvo_redis_run_all (ctx->redis, reads, 3, got) == 0 && got [0]->type == REDIS_REPLY_ARRAY ? 0 : -1;
    //  The years to look at, with where the index of each is and how far its counter went
    //  (-1: not read yet: a year in the marks other than these two, read on its own).
    int years [16] = { now_year - 1, now_year };
    long long marks [16] = { 0, 0 }, tops [16];
    size_t ny = 2;
    for (int j = 1; j < 3; j++)
        tops [j - 1] = rc == 0 && got [j]->type == REDIS_REPLY_STRING ? strtoll (got [j]->str, NULL, 10) : 0;
    for (size_t i = 0; rc == 0 && i + 1 < got [0]->elements; i += 2) {
        int y = atoi (got [0]->element [i]->str);
        size_t j = 0;
        while (j < ny && years [j] != y)
            j++;
        if (j == ny && ny == 16)
            continue;
        if (j == ny) {
            years [ny] = y;
            tops [ny++] = -1;
        }
        marks [j] = strtoll (got [0]->element [i + 1]->str, NULL, 10);
    }
    for (int j = 0; j < 3; j++) {
        if (got [j])
            freeReplyObject (got [j]);
        imvo_args_release (&reads [j]);
    }
    int steps = 0;
    for (size_t j = 0; rc == 0 && j < ny; j++) {
        if (tops [j] < 0) {
            redisReply *r = imvo_redis_cmd (ctx->redis, "GET imvo:complaints:{%s}:seq:%04d", covenant, years [j]);
            if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL))
                rc = -1;
            tops [j] = r && r->type == REDIS_REPLY_STRING ? strtoll (r->str, NULL, 10) : 0;
            if (r)
                freeReplyObject (r);
        }
        for (long long mark = marks [j]; rc == 0 && mark < tops [j]; steps++) {
            if (steps == max_steps) {
                rc = 1;
                break;
            }
            mark = s_step (ctx, covenant, upper, years [j], mark, tops [j]);
            if (mark < 0)
                rc = -1;
        }
    }
    return rc;
}

int
complaints_words_catch_up (imvo_ctx_t *ctx, const char *covenant)
{
    return s_covenant (ctx, covenant, S_CATCH_UP_STEPS);
}

//  Timer: the new cases of every covenant that has cases.
void
complaints_words_run (imvo_ctx_t *ctx)
{
    zlist_t *covenants = complaints_covenants (ctx);
    for (const char *c = covenants ? zlist_first (covenants) : NULL; c; c = zlist_next (covenants))
        s_covenant (ctx, c, S_RUN_STEPS);
    zlist_destroy (&covenants);
}

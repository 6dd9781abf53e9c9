/*  complaints_list: complaint.list, the cases newest first, a page at a time.

    Each covenant's cases are read by lua/complaint_list.lua through its indexes (status,
    respondent, assigned, late, words: the key map in complaints_server.c), at most
    S_LIST_READ_MAX a call; the covenants' pages are merged here by position
    (received_at, then case id) and the cursor says where the next page begins.
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"

#include <ctype.h>

#define S_LIST_READ_MAX 1000       //  cases one covenant's list script reads at most per call

//  A position in the newest-first order of cases: received_at, then case id (descending).
typedef struct {
    int64_t at;
    char id [72];
} s_pos_t;

//  "<received_at>:<case_id>" into pos; -1 when it is not one.
static int
s_pos_parse (const char *text, s_pos_t *pos)
{
    char *end;
    long long at = strtoll (text, &end, 10);
    if (end == text || *end != ':' || at < 0 || strlen (end + 1) >= sizeof pos->id || !end [1])
        return -1;
    pos->at = at;
    snprintf (pos->id, sizeof pos->id, "%s", end + 1);
    return 0;
}

//  Newer first: > 0 when a comes after b in the list.
static int
s_pos_cmp (const s_pos_t *a, const s_pos_t *b)
{
    if (a->at != b->at)
        return a->at < b->at ? 1 : -1;
    return -strcmp (a->id, b->id);
}

static void
s_pos_of (const msgpack_object *c, s_pos_t *pos)
{
    pos->at = 0;
    imvo_obj_int (imvo_map_get (c, "received_at"), &pos->at);
    pos->id [0] = 0;
    imvo_obj_strcpy (imvo_map_get (c, "case_id"), pos->id, sizeof pos->id);
}

static int
s_by_position (const void *a, const void *b)
{
    s_pos_t x, y;
    s_pos_of (*(const msgpack_object *const *) a, &x);
    s_pos_of (*(const msgpack_object *const *) b, &y);
    return s_pos_cmp (&x, &y);
}

//  complaint.list's filters, checked.
typedef struct {
    const char *status;             //  "" for any
    const char *overdue;            //  "" any, "1" late only, "0" the others
    const char *respondent, *assigned;      //  NULL for any
    zlistx_t *words;                //  q's words (case-folded), or NULL
    char only [72];                 //  q named a case: that case alone ("" otherwise)
} s_filter_t;

#define S_Q_WORDS 8                 //  words a query may hold

//  One page of one covenant's cases from lua/complaint_list.lua; NULL when Redis is down.
static redisReply *
s_list_covenant (imvo_ctx_t *ctx, const char *covenant, long limit, const s_filter_t *filter, const s_pos_t *after)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:cases", covenant);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:late", covenant);
    if (filter->status [0])
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:status:%s", covenant, filter->status);
    if (filter->respondent)
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:respondent:%s", covenant, filter->respondent);
    if (filter->assigned)
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:assigned:%s", covenant, filter->assigned);
    for (const char *w = filter->words ? zlistx_first (filter->words) : NULL; w; w = zlistx_next (filter->words))
        imvo_args_fmt (&keys, "imvo:complaints:{%s}:word:%s", covenant, w);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_fmt (&args, "%ld", limit);
    imvo_args_str (&args, filter->status);
    if (after) {
        imvo_args_fmt (&args, "%lld", (long long) after->at);
        imvo_args_str (&args, after->id);
    }
    else {
        imvo_args_str (&args, "");
        imvo_args_str (&args, "");
    }
    imvo_args_fmt (&args, "%d", S_LIST_READ_MAX);
    imvo_args_str (&args, filter->overdue);
    imvo_args_str (&args, filter->only);
    redisReply *r = imvo_redis_eval (ctx->redis, "complaint_list", &keys, &args);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return r;
}

//  q: a case id (any case of letters) finds that case; else its words, each of which a case
//  must hold. 0, or -1 with the error naming q.
static int
s_query (const char *q, s_filter_t *filter, imvo_reply_t *reply)
{
    char id [72];
    size_t n = 0;
    while (*q == ' ')
        q++;
    for (; q [n] && q [n] != ' ' && n < sizeof id - 1; n++)
        id [n] = (char) toupper ((unsigned char) q [n]);
    id [n] = 0;
    const char *rest = q + n;
    while (*rest == ' ')
        rest++;
    if (!*rest && n > 0 && imvo_proto_format_ok (IMVO_FMT_CASE_ID, id, n)) {
        snprintf (filter->only, sizeof filter->only, "%s", id);
        return 0;
    }
    zhashx_t *words = zhashx_new ();
    complaints_words (q, words, S_Q_WORDS + 1);
    int rc = 0;
    if (zhashx_size (words) == 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "q", "q needs a word of two letters or more, or a case id");
    else
    if (zhashx_size (words) > S_Q_WORDS)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "q", "q takes at most %d words", S_Q_WORDS);
    else {
        filter->words = zhashx_keys (words);
    }
    zhashx_destroy (&words);
    return rc;
}

zlist_t *
complaints_covenants (imvo_ctx_t *ctx)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "SMEMBERS imvo:complaints:streams");
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return NULL;
    }
    zlist_t *covenants = zlist_new ();
    zlist_autofree (covenants);
    for (size_t i = 0; i < r->elements; i++) {
        const char *key = r->element [i]->str;          //  imvo:complaints:{c}:events
        const char *open = key ? strchr (key, '{') : NULL, *close = open ? strchr (open, '}') : NULL;
        if (close && close - open <= 40 && streq (close, "}:events")) {
            char covenant [48];
            snprintf (covenant, sizeof covenant, "%.*s", (int) (close - open - 1), open + 1);
            zlist_append (covenants, covenant);
        }
    }
    freeReplyObject (r);
    return covenants;
}

//  Cases newest first, of one covenant or of all that have cases, a page at a time. Each
//  covenant's script reads at most S_LIST_READ_MAX cases; the pages are merged, and the page
//  ends where the first of the covenants stopped reading, so the next one (from next_cursor)
//  misses nothing and repeats nothing.
int
complaints_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    long limit = f [COMPLAINT_LIST_LIMIT].present ? (long) f [COMPLAINT_LIST_LIMIT].i : 100;
    s_filter_t filter = {
        .status = f [COMPLAINT_LIST_STATUS].present ? f [COMPLAINT_LIST_STATUS].str : "",
        .overdue = !f [COMPLAINT_LIST_OVERDUE].present ? "" : f [COMPLAINT_LIST_OVERDUE].b ? "1" : "0",
        .respondent = f [COMPLAINT_LIST_RESPONDENT].present ? f [COMPLAINT_LIST_RESPONDENT].str : NULL,
        .assigned = f [COMPLAINT_LIST_ASSIGNED].present ? f [COMPLAINT_LIST_ASSIGNED].str : NULL,
    };
    s_pos_t after;
    if (f [COMPLAINT_LIST_CURSOR].present && s_pos_parse (f [COMPLAINT_LIST_CURSOR].str, &after))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "cursor",
                                "cursor must be the next_cursor of an earlier page");
    if (f [COMPLAINT_LIST_Q].present && s_query (f [COMPLAINT_LIST_Q].str, &filter, reply))
        return -1;
    const s_pos_t *cursor = f [COMPLAINT_LIST_CURSOR].present ? &after : NULL;
    zlist_t *covenants;
    char of_case [40];
    if (filter.only [0]) {
        //  A case id names its covenant: only there (and not at all in another one asked for).
        imvo_case_id_covenant (filter.only, of_case, sizeof of_case);
        covenants = zlist_new ();
        zlist_autofree (covenants);
        if (!f [COMPLAINT_LIST_COVENANT].present || streq (f [COMPLAINT_LIST_COVENANT].str, of_case))
            zlist_append (covenants, of_case);
        cursor = NULL;
    }
    else
    if (f [COMPLAINT_LIST_COVENANT].present) {
        covenants = zlist_new ();
        zlist_autofree (covenants);
        zlist_append (covenants, (void *) f [COMPLAINT_LIST_COVENANT].str);
    }
    else
    if (!(covenants = complaints_covenants (ctx))) {
        zlistx_destroy (&filter.words);
        return imvo_redis_fail (NULL, reply);
    }
    zlist_t *replies = zlist_new ();
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    size_t total = 0, cap = 0;
    const msgpack_object **all = NULL;
    bool bounded = false;
    s_pos_t bound = { 0, "" };          //  the newest place where a covenant stopped reading
    //  Read your own writes: the case indexes and the word index take in the newest cases first
    //  (a case shown alone is read from its hash).
    int rc = filter.only [0] ? 0 : complaints_cases_ready_all (ctx, covenants, "covenant", reply);
    for (const char *c = zlist_first (covenants); c && rc == 0; c = zlist_next (covenants)) {
        int behind = filter.words ? complaints_words_catch_up (ctx, c) : 0;
        if (behind) {
            rc = imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "q", behind > 0
                                  ? "the word index is taking in many new cases; try again shortly"
                                  : "Redis is not available; try again shortly");
            break;
        }
        redisReply *r = s_list_covenant (ctx, c, limit, &filter, cursor);
        msgpack_object page;
        const char *why;
        if (!r || r->type != REDIS_REPLY_STRING)
            rc = imvo_redis_fail (r, reply);
        else
        if (imvo_msg_unpack (r->str, r->len, &zone, &page, &why))
            rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable case list: %s", why);
        if (rc) {
            if (r)
                freeReplyObject (r);
            break;
        }
        zlist_append (replies, r);
        char text [128];
        s_pos_t frontier;
        if (imvo_obj_strcpy (imvo_map_get (&page, "frontier"), text, sizeof text) == 0
        &&  s_pos_parse (text, &frontier) == 0 && (!bounded || s_pos_cmp (&frontier, &bound) < 0)) {
            bound = frontier;
            bounded = true;
        }
        const msgpack_object *list = imvo_map_get (&page, "cases");
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
            if (total == cap) {
                cap = cap ? cap * 2 : 64;
                all = realloc (all, cap * sizeof *all);
                assert (all);
            }
            all [total++] = &list->via.array.ptr [i];
        }
    }
    if (rc == 0) {
        if (total > 1)
            qsort (all, total, sizeof *all, s_by_position);
        //  Only what comes before every covenant's stopping place; at most limit.
        size_t n = 0;
        while (n < total && n < (size_t) limit) {
            s_pos_t pos;
            s_pos_of (all [n], &pos);
            if (bounded && s_pos_cmp (&pos, &bound) > 0)
                break;
            n++;
        }
        char next [128] = "";
        if (n > 0 && (n < total || (n == (size_t) limit && bounded))) {
            s_pos_t last;
            s_pos_of (all [n - 1], &last);
            snprintf (next, sizeof next, "%lld:%s", (long long) last.at, last.id);
        }
        else
        if (bounded)
            snprintf (next, sizeof next, "%lld:%s", (long long) bound.at, bound.id);
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, next [0] ? 2 : 1);
        imvo_pack_str (pk, "cases");
        msgpack_pack_array (pk, (uint32_t) n);
        for (size_t i = 0; i < n; i++)
            msgpack_pack_object (pk, *all [i]);
        if (next [0])
            imvo_pack_kv_str (pk, "next_cursor", next);
    }
    free (all);
    msgpack_zone_destroy (&zone);
    for (redisReply *r = zlist_first (replies); r; r = zlist_next (replies))
        freeReplyObject (r);
    zlist_destroy (&replies);
    zlist_destroy (&covenants);
    zlistx_destroy (&filter.words);
    return rc;
}

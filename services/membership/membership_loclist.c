/*  membership_loclist: a year's list of production locations (location.list, location.export)
    and the open flags (location.flags), read in pages (SSCAN, HSCAN, pipelined HMGET) and
    sorted here, so that no call holds Redis for long however many locations a covenant has.
*/
#include "membership_internal.h"

#define S_PAGE 1000                 //  set members per SSCAN, and location reads per pipeline

static const char *const s_fields [] = {
    "name", "address", "city", "region", "country", "workers", "product_type" };
#define S_NFIELDS 7

typedef struct {
    char *id;
    redisReply *r;                  //  HMGET of s_fields
} s_loc_t;

static int
s_loc_cmp (const void *a, const void *b)
{
    const s_loc_t *x = a, *y = b;
    int c = strcmp (x->r->element [4]->str, y->r->element [4]->str);
    if (c == 0)
        c = strcmp (x->r->element [0]->str, y->r->element [0]->str);
    return c ? c : strcmp (x->id, y->id);
}

static const char *
s_value (const s_loc_t *l, int f)
{
    redisReply *v = l->r->element [f];
    return v->type == REDIS_REPLY_STRING ? v->str : "";
}

//  A CSV cell: quoted when it holds a comma, a quote or a line break.
static void
s_csv_cell (zchunk_t *out, const char *v, bool last)
{
    if (strpbrk (v, ",\"\r\n")) {
        zchunk_extend (out, "\"", 1);
        for (const char *q; (q = strchr (v, '"')); v = q + 1) {
            zchunk_extend (out, v, (size_t) (q - v) + 1);
            zchunk_extend (out, "\"", 1);
        }
        zchunk_extend (out, v, strlen (v));
        zchunk_extend (out, "\"", 1);
    }
    else
        zchunk_extend (out, v, strlen (v));
    zchunk_extend (out, last ? "\n" : ",", 1);
}

static void
s_pack_list (msgpack_packer *pk, s_loc_t *locs, size_t n, bool csv)
{
    if (csv) {
        zchunk_t *out = zchunk_new (NULL, 4096 + n * 96);
        const char *header = "location_id,name,address,city,region,country,workers,product_type\n";
        zchunk_extend (out, header, strlen (header));
        for (size_t i = 0; i < n; i++) {
            s_csv_cell (out, locs [i].id, false);
            for (int f = 0; f < S_NFIELDS; f++)
                s_csv_cell (out, s_value (&locs [i], f), f == S_NFIELDS - 1);
        }
        imvo_pack_str (pk, "csv");
        imvo_pack_strn (pk, (const char *) zchunk_data (out), zchunk_size (out));
        zchunk_destroy (&out);
        return;
    }
    imvo_pack_str (pk, "locations");
    msgpack_pack_array (pk, (uint32_t) n);
    for (size_t i = 0; i < n; i++) {
        int set = 1;
        for (int f = 0; f < S_NFIELDS; f++)
            set += *s_value (&locs [i], f) != 0;
        msgpack_pack_map (pk, (size_t) set);
        imvo_pack_kv_str (pk, "location_id", locs [i].id);
        for (int f = 0; f < S_NFIELDS; f++) {
            const char *v = s_value (&locs [i], f);
            if (!*v)
                continue;
            if (streq (s_fields [f], "workers"))
                imvo_pack_kv_int (pk, "workers", strtoll (v, NULL, 10));
            else
                imvo_pack_kv_str (pk, s_fields [f], v);
        }
    }
}

//  The list of a covenant and year, as locations (list) or as CSV (export): as published for
//  everyone, as disclosed so far (the draft) for staff.
static int
s_year (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, bool csv, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_YEAR_COVENANT].str;
    long long year = (long long) f [LOCATION_YEAR_YEAR].i;
    bool draft = imvo_actor_staff (req);
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    redisReply *p = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{%s}:published %lld", covenant, year);
    if (!p || p->type == REDIS_REPLY_ERROR)
        return imvo_redis_fail_free (p, reply);
    char published_on [16] = "";
    if (p->type == REDIS_REPLY_STRING)
        snprintf (published_on, sizeof published_on, "%s", p->str);
    freeReplyObject (p);
    if (!draft && !*published_on)
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "year", "the list for %lld has not been published", year);
    char key [128];
    snprintf (key, sizeof key, "imvo:membership:{%s}:%s:%lld:locs", covenant, draft ? "year" : "published", year);
    zlistx_t *ids = imvo_redis_scan (ctx->redis, key, false);
    if (!ids)
        return imvo_redis_fail (NULL, reply);
    size_t n = zlistx_size (ids), got = 0;
    s_loc_t *locs = calloc (n + 1, sizeof *locs);
    imvo_args_t *cmds = calloc (S_PAGE, sizeof *cmds);
    redisReply **out = calloc (S_PAGE, sizeof *out);
    int rc = locs && cmds && out ? 0 : imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    zchunk_t *c = zlistx_first (ids);
    while (rc == 0 && c) {
        size_t m = 0;
        char *batch [S_PAGE];
        for (; c && m < S_PAGE; c = zlistx_next (ids), m++) {
            char *id = (char *) zchunk_data (c);
            imvo_args_init (&cmds [m]);
            imvo_args_str (&cmds [m], "HMGET");
            imvo_args_fmt (&cmds [m], "imvo:membership:{%s}:loc:%s", covenant, id);
            for (int k = 0; k < S_NFIELDS; k++)
                imvo_args_str (&cmds [m], s_fields [k]);
            batch [m] = id;
        }
        if (imvo_redis_run_all (ctx->redis, cmds, m, out))
            rc = imvo_redis_fail (NULL, reply);
        for (size_t j = 0; j < m; j++) {
            imvo_args_release (&cmds [j]);
            //  A location merged away since the list was read is left out.
            if (rc == 0 && out [j]->type == REDIS_REPLY_ARRAY && out [j]->elements == S_NFIELDS
            &&  out [j]->element [0]->type == REDIS_REPLY_STRING && out [j]->element [4]->type == REDIS_REPLY_STRING)
                locs [got++] = (s_loc_t) { batch [j], out [j] };
            else
            if (out [j])
                freeReplyObject (out [j]);
        }
    }
    if (rc == 0) {
        qsort (locs, got, sizeof *locs, s_loc_cmp);
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 5);
        imvo_pack_kv_int (pk, "year", year);
        imvo_pack_kv_int (pk, "count", (int64_t) got);
        imvo_pack_kv_str (pk, "published_on", *published_on ? published_on : NULL);
        imvo_pack_kv_bool (pk, "draft", draft);
        s_pack_list (pk, locs, got, csv);
    }
    for (size_t i = 0; locs && i < got; i++)
        freeReplyObject (locs [i].r);
    free (locs);
    free (cmds);
    free (out);
    zlistx_destroy (&ids);
    return rc;
}

int
membership_location_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    return s_year (ctx, req, f, false, reply);
}

int
membership_location_export (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    return s_year (ctx, req, f, true, reply);
}

static int
s_chunk_cmp (const void *a, const void *b)
{
    return strcmp ((char *) zchunk_data (*(zchunk_t *const *) a), (char *) zchunk_data (*(zchunk_t *const *) b));
}

//  The open flags, by flag id: each stored as the packed map the secretariat reads.
int
membership_location_flags (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_COUNTS_COVENANT].str;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    char key [96];
    snprintf (key, sizeof key, "imvo:membership:{%s}:flags", covenant);
    zlistx_t *kv = imvo_redis_scan (ctx->redis, key, true);
    if (!kv)
        return imvo_redis_fail (NULL, reply);
    //  Field and value pairs, each field once (a page may repeat one while the hash resizes).
    size_t n = zlistx_size (kv) / 2, k = 0;
    zchunk_t **pairs = calloc (n + 1, 2 * sizeof (zchunk_t *));
    for (zchunk_t *c = zlistx_first (kv); c && pairs && k < 2 * n; c = zlistx_next (kv))
        pairs [k++] = c;
    if (pairs)
        qsort (pairs, n, 2 * sizeof (zchunk_t *), s_chunk_cmp);
    size_t distinct = 0;
    for (size_t i = 0; pairs && i < n; i++)
        distinct += i == 0 || s_chunk_cmp (&pairs [2 * i], &pairs [2 * i - 2]);
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_str (pk, "flags");
    msgpack_pack_array (pk, (uint32_t) distinct);
    for (size_t i = 0; pairs && i < n; i++)
        if (i == 0 || s_chunk_cmp (&pairs [2 * i], &pairs [2 * i - 2]))
            msgpack_sbuffer_write (pk->data, (const char *) zchunk_data (pairs [2 * i + 1]),
                                   zchunk_size (pairs [2 * i + 1]) - 1);
    free (pairs);
    zlistx_destroy (&kv);
    return 0;
}

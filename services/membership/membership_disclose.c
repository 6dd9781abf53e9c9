/*  membership_disclose: a company's production locations for a year (location.add, one row;
    location.import, every row of a CSV), matched here in the daemon and written to Redis in
    short scripts, so that no script holds Redis for long however large the covenant's list.

    Matching: the same country + normal-form name + normal-form address is the same location
    (exact, through the covenant's normal-form index). Otherwise the candidates are the
    locations in the same country whose normal name starts with the same three bytes (a
    bucket) and whose similarity is LOCATION_NEAR or more (location_match.c). The single
    candidate with the same numbers (unit, plot, house number) links the row (near, reported);
    otherwise any candidates make a new location flagged for the secretariat (location.resolve).

    One covenant's locations change under its lock (membership_lock), held from the first read
    to the commit, so that what was matched is what is written. The rows are written DISCLOSE_CHUNK at
    a time by lua/location_write.lua, pipelined; lua/location_commit.lua then stores the reply
    under the idempotency record and frees the lock. Every write is idempotent: a request that
    failed part-way (the daemon died, the lock expired) is retried with its idempotency key and
    completes; rows already written then match exactly.
*/
#include "membership_internal.h"
#include "membership_disclose.h"

void
disclose_bucket_destroy (void **item)
{
    disclose_bucket_t *b = (disclose_bucket_t *) *item;
    for (size_t i = 0; i < b->count; i++) {
        free (b->entries [i].id);
        location_sig_release (&b->entries [i].sig);
    }
    free (b->entries);
    free (b);
    *item = NULL;
}

static int
s_bucket_add (disclose_bucket_t *b, const char *id, size_t id_len, const char *text)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        disclose_entry_t *e = realloc (b->entries, cap * sizeof *e);
        if (!e)
            return -1;
        b->entries = e;
        b->cap = cap;
    }
    disclose_entry_t *e = &b->entries [b->count];
    e->id = strndup (id, id_len);
    if (!e->id || location_sig_init (&e->sig, text)) {
        free (e->id);
        return -1;
    }
    b->count++;
    return 0;
}

//  The row's string field as a NUL-terminated copy in buf.
const char *
disclose_row_cpy (const disclose_row_t *r, const char *key, char *buf, size_t size)
{
    const msgpack_object *o = imvo_map_get (r->row, key);
    buf [0] = 0;
    if (o)
        imvo_obj_strcpy (o, buf, size);
    return buf;
}

//  Reads the normal-form index for every row: HMGET in batches, pipelined.
int
disclose_read_index (disclose_job_t *job, imvo_reply_t *reply)
{
    size_t nb = (job->nrows + DISCLOSE_BATCH - 1) / DISCLOSE_BATCH;
    imvo_args_t *cmds = calloc (nb, sizeof *cmds);
    redisReply **out = calloc (nb, sizeof *out);
    int rc = cmds && out ? 0 : imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    for (size_t b = 0; rc == 0 && b < nb; b++) {
        imvo_args_init (&cmds [b]);
        imvo_args_str (&cmds [b], "HMGET");
        imvo_args_fmt (&cmds [b], "%s:locnorm", job->prefix);
        for (size_t i = b * DISCLOSE_BATCH; i < job->nrows && i < (b + 1) * DISCLOSE_BATCH; i++)
            imvo_args_str (&cmds [b], job->rows [i].key);
    }
    if (rc == 0 && imvo_redis_run_all (job->ctx->redis, cmds, nb, out))
        rc = imvo_redis_fail (NULL, reply);
    for (size_t b = 0; rc == 0 && b < nb; b++) {
        if (out [b]->type != REDIS_REPLY_ARRAY) {
            rc = imvo_redis_fail (out [b], reply);
            break;
        }
        for (size_t i = b * DISCLOSE_BATCH, k = 0; i < job->nrows && k < out [b]->elements; i++, k++) {
            redisReply *v = out [b]->element [k];
            if (!zhashx_lookup (job->index, job->rows [i].key) || v->type == REDIS_REPLY_STRING)
                zhashx_update (job->index, job->rows [i].key, v->type == REDIS_REPLY_STRING ? v->str : "");
        }
    }
    for (size_t b = 0; cmds && b < nb; b++) {
        imvo_args_release (&cmds [b]);
        if (out && out [b])
            freeReplyObject (out [b]);
    }
    free (cmds);
    free (out);
    return rc;
}

static int
s_entry_cmp (const void *a, const void *b)
{
    return strcmp (((const disclose_entry_t *) a)->id, ((const disclose_entry_t *) b)->id);
}

//  Reads every bucket that a row without an exact match needs: HLEN first, for the
//  comparison budget, then HSCAN in pages, all buckets' pages pipelined.
int
disclose_read_buckets (disclose_job_t *job, imvo_reply_t *reply)
{
    for (size_t i = 0; i < job->nrows; i++) {
        const char *id = zhashx_lookup (job->index, job->rows [i].key);
        if ((!id || !*id) && !zhashx_lookup (job->buckets, job->rows [i].bucket)) {
            disclose_bucket_t *b = calloc (1, sizeof *b);
            if (!b)
                return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
            zhashx_insert (job->buckets, job->rows [i].bucket, b);
        }
    }
    size_t n = zhashx_size (job->buckets);
    if (n == 0)
        return 0;
    zlistx_t *names = zhashx_keys (job->buckets);
    const char **name = calloc (n, sizeof *name);
    char (*cursor) [24] = calloc (n, sizeof *cursor);
    imvo_args_t *cmds = calloc (n, sizeof *cmds);
    redisReply **out = calloc (n, sizeof *out);
    size_t *of = calloc (n, sizeof *of);
    int rc = name && cursor && cmds && out && of ? 0 : imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    size_t k = 0;
    for (const char *s = zlistx_first (names); rc == 0 && s; s = zlistx_next (names))
        name [k++] = s;
    //  The budget, counted in row order as rows add to their buckets.
    for (size_t i = 0; rc == 0 && i < n; i++) {
        imvo_args_init (&cmds [i]);
        imvo_args_str (&cmds [i], "HLEN");
        imvo_args_str (&cmds [i], name [i]);
    }
    if (rc == 0 && imvo_redis_run_all (job->ctx->redis, cmds, n, out))
        rc = imvo_redis_fail (NULL, reply);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (out [i]->type != REDIS_REPLY_INTEGER)
            rc = imvo_redis_fail (out [i], reply);
        else
            ((disclose_bucket_t *) zhashx_lookup (job->buckets, name [i]))->size = out [i]->integer;
    long long pairs = 0;
    zhashx_t *seen = zhashx_new ();
    for (size_t i = 0; rc == 0 && i < job->nrows; i++) {
        disclose_row_t *r = &job->rows [i];
        const char *id = zhashx_lookup (job->index, r->key);
        if ((!id || !*id) && !zhashx_lookup (seen, r->key)) {
            disclose_bucket_t *b = zhashx_lookup (job->buckets, r->bucket);
            pairs += b->size++;
        }
        zhashx_update (seen, r->key, (void *) "");
    }
    zhashx_destroy (&seen);
    if (rc == 0 && pairs > DISCLOSE_MAX_COMPARISONS)
        rc = imvo_reply_fail (reply, IMVO_ERR_TOO_LARGE, job->rows [0].line > 0 ? "csv" : "name",
                              "matching these rows would compare %lld pairs of locations (at most %lld): "
                              "split the file into smaller imports", pairs, DISCLOSE_MAX_COMPARISONS);
    for (size_t i = 0; i < n; i++) {
        if (out && out [i])
            freeReplyObject (out [i]);
        if (cmds)
            imvo_args_release (&cmds [i]);
        if (cursor)
            strcpy (cursor [i], "0");
    }
    //  Pages until every cursor is back at 0.
    size_t open = rc == 0 ? n : 0;
    bool first = true;
    while (rc == 0 && open > 0) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (first || !streq (cursor [i], "0")) {
                imvo_args_init (&cmds [m]);
                imvo_args_str (&cmds [m], "HSCAN");
                imvo_args_str (&cmds [m], name [i]);
                imvo_args_str (&cmds [m], cursor [i]);
                imvo_args_str (&cmds [m], "COUNT");
                imvo_args_fmt (&cmds [m], "%d", DISCLOSE_BATCH);
                of [m++] = i;
            }
        first = false;
        if (imvo_redis_run_all (job->ctx->redis, cmds, m, out))
            rc = imvo_redis_fail (NULL, reply);
        open = 0;
        for (size_t j = 0; j < m; j++) {
            redisReply *p = out [j];
            if (rc == 0 && (p->type != REDIS_REPLY_ARRAY || p->elements != 2
            ||  p->element [0]->type != REDIS_REPLY_STRING || p->element [1]->type != REDIS_REPLY_ARRAY))
                rc = imvo_redis_fail (p, reply);
            if (rc == 0) {
                disclose_bucket_t *b = zhashx_lookup (job->buckets, name [of [j]]);
                snprintf (cursor [of [j]], sizeof cursor [of [j]], "%s", p->element [0]->str);
                open += !streq (cursor [of [j]], "0");
                redisReply *kv = p->element [1];
                for (size_t e = 0; rc == 0 && e + 1 < kv->elements; e += 2)
                    if (s_bucket_add (b, kv->element [e]->str, kv->element [e]->len, kv->element [e + 1]->str))
                        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
            }
            if (out [j])
                freeReplyObject (out [j]);
            imvo_args_release (&cmds [j]);
        }
    }
    //  A page may repeat an entry while the hash resizes: keep each location once.
    for (disclose_bucket_t *b = zhashx_first (job->buckets); rc == 0 && b; b = zhashx_next (job->buckets)) {
        if (b->count > 1)
            qsort (b->entries, b->count, sizeof (disclose_entry_t), s_entry_cmp);
        size_t w = 0;
        for (size_t i = 0; i < b->count; i++)
            if (w > 0 && streq (b->entries [w - 1].id, b->entries [i].id)) {
                free (b->entries [i].id);
                location_sig_release (&b->entries [i].sig);
            }
            else
                b->entries [w++] = b->entries [i];
        b->count = w;
    }
    zlistx_destroy (&names);
    free (name);
    free (cursor);
    free (cmds);
    free (out);
    free (of);
    return rc;
}

static int
s_cand_cmp (const void *a, const void *b)
{
    const disclose_cand_t *x = a, *y = b;
    if (x->similarity != y->similarity)
        return x->similarity < y->similarity ? 1 : -1;
    return strcmp (x->id, y->id);
}

//  Matches every row in order: later rows see the locations that earlier rows made.
int
disclose_match (disclose_job_t *job, imvo_reply_t *reply)
{
    for (size_t i = 0; i < job->nrows; i++) {
        disclose_row_t *r = &job->rows [i];
        const char *id = zhashx_lookup (job->index, r->key);
        if (id && *id) {
            snprintf (r->id, sizeof r->id, "%s", id);
            r->match = "exact";
            r->similarity = 1;
            continue;
        }
        location_sig_t sig;
        if (location_sig_init (&sig, r->text))
            return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
        disclose_bucket_t *b = zhashx_lookup (job->buckets, r->bucket);
        size_t same_numbers = 0, same = 0;
        for (size_t e = 0; e < b->count; e++) {
            double s = location_similarity (&sig, &b->entries [e].sig);
            if (s < LOCATION_NEAR)
                continue;
            disclose_cand_t *c = realloc (r->cands, (r->ncands + 1) * sizeof *c);
            if (!c) {
                location_sig_release (&sig);
                return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
            }
            r->cands = c;
            snprintf (c [r->ncands].id, sizeof c [r->ncands].id, "%s", b->entries [e].id);
            c [r->ncands].similarity = floor (s * 1000) / 1000;
            if (streq (b->entries [e].sig.numbers, sig.numbers))
                same_numbers++, same = r->ncands;
            r->ncands++;
        }
        r->index_write = true;
        if (same_numbers == 1) {
            //  The one candidate whose numbers agree links; the others are other places.
            snprintf (r->id, sizeof r->id, "%s", r->cands [same].id);
            r->match = "near";
            r->similarity = r->cands [same].similarity;
            r->ncands = 0;
            location_sig_release (&sig);
        }
        else {
            zdigest_t *digest = zdigest_new ();
            zdigest_update (digest, (const byte *) r->key, strlen (r->key));
            snprintf (r->id, sizeof r->id, "L%.12s", zdigest_string (digest));
            zdigest_destroy (&digest);
            for (char *c = r->id; *c; c++)
                *c = (char) tolower ((unsigned char) *c);
            r->id [0] = 'L';
            r->created = true;
            r->match = r->ncands ? "flagged" : "new";
            r->similarity = 1;
            if (r->ncands) {
                snprintf (r->flag_id, sizeof r->flag_id, "F%s", r->id + 1);
                qsort (r->cands, r->ncands, sizeof (disclose_cand_t), s_cand_cmp);
            }
            location_sig_release (&sig);
            if (s_bucket_add (b, r->id, strlen (r->id), r->text))
                return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
        }
        zhashx_update (job->index, r->key, r->id);
    }
    return 0;
}

void
disclose_pack_similarity (msgpack_packer *pk, double s)
{
    if (s == floor (s))
        msgpack_pack_int64 (pk, (int64_t) s);
    else
        msgpack_pack_double (pk, s);
}

void
disclose_pack_cands (msgpack_packer *pk, const disclose_row_t *r)
{
    imvo_pack_str (pk, "candidates");
    msgpack_pack_array (pk, (uint32_t) r->ncands);
    for (size_t c = 0; c < r->ncands; c++) {
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_str (pk, "location_id", r->cands [c].id);
        imvo_pack_str (pk, "similarity");
        disclose_pack_similarity (pk, r->cands [c].similarity);
    }
}

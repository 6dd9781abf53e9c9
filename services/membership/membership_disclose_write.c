/*  membership_disclose_write: writes what membership_disclose.c matched, DISCLOSE_CHUNK rows
    per script, and commits the reply; the covenant's location lock. */
#include "membership_disclose.h"

#define S_LOCK_MS 15000             //  the lock's lease: a daemon that dies frees it after this
#define S_LOCK_WAIT_MS 15000        //  how long a request waits for another one's lock

int
membership_lock (imvo_ctx_t *ctx, const char *covenant, char token [33], imvo_reply_t *reply)
{
    zuuid_t *uuid = zuuid_new ();
    snprintf (token, 33, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);
    int64_t deadline = zclock_mono () + S_LOCK_WAIT_MS;
    int pause = 1;
    while (true) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "SET imvo:membership:{%s}:loclock %s NX PX %d", covenant, token,
                                        S_LOCK_MS);
        if (!r || r->type == REDIS_REPLY_ERROR)
            return imvo_redis_fail_free (r, reply);
        bool taken = r->type == REDIS_REPLY_STATUS;
        freeReplyObject (r);
        if (taken)
            return 0;
        if (zclock_mono () >= deadline)
            return imvo_reply_fail (reply, IMVO_ERR_BUSY, "covenant",
                                    "another change to the %s covenant's production locations is still being "
                                    "written; try again", covenant);
        zclock_sleep (pause);
        pause = pause < 32 ? pause * 2 : 50;
    }
}

void
membership_unlock (imvo_ctx_t *ctx, const char *covenant, const char *token)
{
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "loclock");
    imvo_args_release (&args);
    imvo_args_init (&args);
    imvo_args_str (&args, token);
    redisReply *r = imvo_redis_eval (ctx->redis, "location_unlock", &keys, &args);
    if (r)
        freeReplyObject (r);
    imvo_args_release (&keys);
    imvo_args_release (&args);
}

//  One row's writes for lua/location_write.lua.
static void
s_pack_op (msgpack_packer *pk, const disclose_row_t *r, const char *org, int64_t year, int64_t now)
{
    const msgpack_object *workers = imvo_map_get (r->row, "workers"),
                         *product = imvo_map_get (r->row, "product_type"),
                         *extra = imvo_map_get (r->row, "extra");
    size_t n = 1 + r->index_write + 7 * r->created + 3 * (r->ncands > 0) + (workers != NULL) + (product != NULL)
             + (extra != NULL);
    msgpack_pack_map (pk, n);
    imvo_pack_kv_str (pk, "id", r->id);
    if (r->index_write)
        imvo_pack_kv_str (pk, "key", r->key);
    char buf [LOCATION_ADDRESS_MAX + 1];
    if (r->created) {
        static const char *const fields [] = { "name", "address", "city", "region", "country" };
        for (int f = 0; f < 5; f++)
            imvo_pack_kv_str (pk, fields [f], disclose_row_cpy (r, fields [f], buf, sizeof buf));
        imvo_pack_kv_str (pk, "text", r->text);
        imvo_pack_kv_str (pk, "bucket", r->bucket);
    }
    if (r->ncands) {
        //  The flag the secretariat settles with location.resolve, packed as it is stored.
        msgpack_sbuffer flag;
        msgpack_sbuffer_init (&flag);
        msgpack_packer fpk;
        msgpack_packer_init (&fpk, &flag, msgpack_sbuffer_write);
        msgpack_pack_map (&fpk, 10);
        imvo_pack_kv_str (&fpk, "flag_id", r->flag_id);
        imvo_pack_kv_str (&fpk, "location_id", r->id);
        static const char *const fields [] = { "name", "address", "city", "country" };
        for (int f = 0; f < 4; f++)
            imvo_pack_kv_str (&fpk, fields [f], disclose_row_cpy (r, fields [f], buf, sizeof buf));
        disclose_pack_cands (&fpk, r);
        imvo_pack_kv_str (&fpk, "org_id", org);
        imvo_pack_kv_int (&fpk, "year", year);
        imvo_pack_kv_int (&fpk, "at", now);
        imvo_pack_kv_str (pk, "flag_id", r->flag_id);
        imvo_pack_str (pk, "flag");
        imvo_pack_strn (pk, flag.data, flag.size);
        msgpack_sbuffer_destroy (&flag);
        imvo_pack_str (pk, "candidates");
        msgpack_pack_array (pk, (uint32_t) r->ncands);
        for (size_t c = 0; c < r->ncands; c++)
            imvo_pack_str (pk, r->cands [c].id);
    }
    if (workers) {
        imvo_pack_str (pk, "workers");
        msgpack_pack_object (pk, *workers);
    }
    if (product) {
        imvo_pack_str (pk, "product_type");
        msgpack_pack_object (pk, *product);
    }
    if (extra) {
        //  Stored as packed msgpack in the location's hash.
        msgpack_sbuffer e;
        msgpack_sbuffer_init (&e);
        msgpack_packer epk;
        msgpack_packer_init (&epk, &e, msgpack_sbuffer_write);
        msgpack_pack_object (&epk, *extra);
        imvo_pack_str (pk, "extra");
        imvo_pack_strn (pk, e.data, e.size);
        msgpack_sbuffer_destroy (&e);
    }
}

//  Writes every row, DISCLOSE_CHUNK per script call, all calls in one pipeline.
static int
s_write (disclose_job_t *job, const char *token, const char *org, int64_t year, imvo_reply_t *reply)
{
    size_t nc = (job->nrows + DISCLOSE_CHUNK - 1) / DISCLOSE_CHUNK;
    int64_t now = imvo_now_ms ();
    msgpack_sbuffer *bufs = calloc (nc, sizeof *bufs);
    imvo_args_t *keys = calloc (nc, sizeof *keys), *args = calloc (nc, sizeof *args);
    if (!bufs || !keys || !args) {
        free (bufs), free (keys), free (args);
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    }
    size_t appended = 0;
    for (size_t c = 0; c < nc; c++) {
        msgpack_sbuffer_init (&bufs [c]);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &bufs [c], msgpack_sbuffer_write);
        size_t from = c * DISCLOSE_CHUNK, to = from + DISCLOSE_CHUNK < job->nrows ? from + DISCLOSE_CHUNK : job->nrows;
        msgpack_pack_array (&pk, (uint32_t) (to - from));
        for (size_t i = from; i < to; i++)
            s_pack_op (&pk, &job->rows [i], org, year, now);
        membership_args (&keys [c], &args [c], job->covenant, "loclock");
        imvo_args_str (&args [c], token);
        imvo_args_str (&args [c], org);
        imvo_args_fmt (&args [c], "%lld", (long long) year);
        imvo_args_fmt (&args [c], "%lld", (long long) now);
        imvo_args_add (&args [c], bufs [c].data, bufs [c].size);
        if (appended == c && imvo_redis_append_eval (job->ctx->redis, "location_write", &keys [c], &args [c]) == 0)
            appended++;
    }
    int rc = appended == nc ? 0 : imvo_redis_fail (NULL, reply);
    for (size_t c = 0; c < appended; c++) {
        redisReply *r = imvo_redis_next_reply (job->ctx->redis);
        //  After a Redis restart the script is loaded again, and the chunk written again.
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0 && rc == 0) {
            freeReplyObject (r);
            r = imvo_redis_eval (job->ctx->redis, "location_write", &keys [c], &args [c]);
        }
        if (rc == 0 && (!r || r->type != REDIS_REPLY_INTEGER))
            rc = imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
    }
    for (size_t c = 0; c < nc; c++) {
        imvo_args_release (&keys [c]);
        imvo_args_release (&args [c]);
        msgpack_sbuffer_destroy (&bufs [c]);
    }
    free (bufs), free (keys), free (args);
    return rc;
}

//  The reply: counts, the near matches and the flags, and for one row its outcome.
static void
s_pack_reply (disclose_job_t *job, msgpack_sbuffer *out)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    static const char *const kinds [] = { "new", "exact", "near", "flagged" };
    int64_t counts [4] = { 0 };
    size_t nnear = 0, nflagged = 0;
    for (size_t i = 0; i < job->nrows; i++) {
        for (int k = 0; k < 4; k++)
            counts [k] += streq (job->rows [i].match, kinds [k]);
        nnear += streq (job->rows [i].match, "near");
        nflagged += job->rows [i].ncands > 0;
    }
    const disclose_row_t *one = job->nrows == 1 ? &job->rows [0] : NULL;
    msgpack_pack_map (&pk, 4 + (one ? 3 + 2 * (one->ncands > 0) : 0));
    imvo_pack_kv_int (&pk, "rows", (int64_t) job->nrows);
    imvo_pack_str (&pk, "counts");
    msgpack_pack_map (&pk, 4);
    for (int k = 0; k < 4; k++)
        imvo_pack_kv_int (&pk, kinds [k], counts [k]);
    char name [LOCATION_NAME_MAX + 1];
    imvo_pack_str (&pk, "near");
    msgpack_pack_array (&pk, (uint32_t) nnear);
    for (size_t i = 0; i < job->nrows; i++)
        if (streq (job->rows [i].match, "near")) {
            msgpack_pack_map (&pk, 4);
            imvo_pack_kv_int (&pk, "line", job->rows [i].line);
            imvo_pack_kv_str (&pk, "location_id", job->rows [i].id);
            imvo_pack_str (&pk, "similarity");
            disclose_pack_similarity (&pk, job->rows [i].similarity);
            imvo_pack_kv_str (&pk, "name", disclose_row_cpy (&job->rows [i], "name", name, sizeof name));
        }
    imvo_pack_str (&pk, "flagged");
    msgpack_pack_array (&pk, (uint32_t) nflagged);
    for (size_t i = 0; i < job->nrows; i++)
        if (job->rows [i].ncands) {
            msgpack_pack_map (&pk, 4);
            imvo_pack_kv_int (&pk, "line", job->rows [i].line);
            imvo_pack_kv_str (&pk, "location_id", job->rows [i].id);
            imvo_pack_kv_str (&pk, "flag_id", job->rows [i].flag_id);
            disclose_pack_cands (&pk, &job->rows [i]);
        }
    if (one) {
        imvo_pack_kv_str (&pk, "location_id", one->id);
        imvo_pack_kv_str (&pk, "match", one->match);
        imvo_pack_str (&pk, "similarity");
        disclose_pack_similarity (&pk, one->similarity);
        if (one->ncands) {
            imvo_pack_kv_str (&pk, "flag_id", one->flag_id);
            disclose_pack_cands (&pk, one);
        }
    }
}

//  A retried request whose first attempt was committed gets its reply without matching again.
static bool
s_replayed (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, imvo_reply_t *reply, int *rc)
{
    if (!req->key [0])
        return false;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_idem_args (ctx, req, covenant, &keys, &args);
    redisReply *r = imvo_redis_cmd (ctx->redis, "EXISTS %s", keys.argv [0]);
    bool seen = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r)
        freeReplyObject (r);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    if (seen) {
        membership_args (&keys, &args, covenant, "loclock");
        imvo_args_str (&args, "-");
        imvo_args_str (&args, "");
        *rc = imvo_commit (ctx, req, covenant, "location_commit", &keys, &args, reply);
    }
    return seen;
}

int
membership_upsert (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org, int64_t year,
                   const char *rows, size_t rows_len, bool preview, imvo_reply_t *reply)
{
    int rc = 0;
    if (!preview && s_replayed (ctx, req, covenant, reply, &rc))
        return rc;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object list;
    const char *why;
    if (imvo_msg_unpack_items (rows, rows_len, IMVO_MSG_MAX_REPLY_ITEMS, &zone, &list, &why)
    ||  list.type != MSGPACK_OBJECT_ARRAY || list.via.array.size == 0) {
        msgpack_zone_destroy (&zone);
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable rows");
    }
    disclose_job_t job = { .ctx = ctx, .covenant = covenant, .nrows = list.via.array.size };
    snprintf (job.prefix, sizeof job.prefix, "imvo:membership:{%s}", covenant);
    job.rows = calloc (job.nrows, sizeof *job.rows);
    job.index = zhashx_new ();
    zhashx_set_duplicator (job.index, (zhashx_duplicator_fn *) strdup);
    zhashx_set_destructor (job.index, (zhashx_destructor_fn *) zstr_free);
    job.buckets = zhashx_new ();
    zhashx_set_destructor (job.buckets, disclose_bucket_destroy);
    if (!job.rows)
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    for (size_t i = 0; rc == 0 && i < job.nrows; i++) {
        disclose_row_t *r = &job.rows [i];
        r->row = &list.via.array.ptr [i];
        char country [3], nn [LOCATION_NAME_MAX * 3 + 8], na [LOCATION_ADDRESS_MAX * 3 + 8];
        disclose_row_cpy (r, "country", country, sizeof country);
        disclose_row_cpy (r, "norm_name", nn, sizeof nn);
        disclose_row_cpy (r, "norm_address", na, sizeof na);
        r->key = zsys_sprintf ("%s|%s|%s", country, nn, na);
        r->text = zsys_sprintf ("%s %s", nn, na);
        snprintf (r->bucket, sizeof r->bucket, "%s:bucket:%s:%.3s", job.prefix, country, nn);
        const msgpack_object *line = imvo_map_get (r->row, "line");
        if (line)
            imvo_obj_int (line, &r->line);
        if (!r->key || !r->text)
            rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    }
    char token [33] = "";
    //  A preview reads only: it takes no lock (a write in between may make the import differ).
    bool locked = rc == 0 && !preview && membership_lock (ctx, covenant, token, reply) == 0;
    if (!locked && !preview)
        rc = -1;
    if (rc == 0)
        rc = disclose_read_index (&job, reply);
    if (rc == 0)
        rc = disclose_read_buckets (&job, reply);
    if (rc == 0)
        rc = disclose_match (&job, reply);
    if (rc == 0 && preview) {
        msgpack_sbuffer out;
        msgpack_sbuffer_init (&out);
        s_pack_reply (&job, &out);
        imvo_reply_raw (reply, out.data, out.size);
        msgpack_sbuffer_destroy (&out);
    }
    if (rc == 0 && !preview)
        rc = s_write (&job, token, org, year, reply);
    if (rc == 0 && !preview) {
        msgpack_sbuffer out;
        msgpack_sbuffer_init (&out);
        s_pack_reply (&job, &out);
        imvo_args_t keys, args;
        membership_args (&keys, &args, covenant, "loclock");
        imvo_args_str (&args, token);
        imvo_args_add (&args, out.data, out.size);
        rc = imvo_commit (ctx, req, covenant, "location_commit", &keys, &args, reply);
        msgpack_sbuffer_destroy (&out);
        locked = rc != 0;           //  the commit frees the lock
    }
    if (locked)
        membership_unlock (ctx, covenant, token);
    for (size_t i = 0; job.rows && i < job.nrows; i++) {
        zstr_free (&job.rows [i].key);
        zstr_free (&job.rows [i].text);
        free (job.rows [i].cands);
    }
    free (job.rows);
    zhashx_destroy (&job.index);
    zhashx_destroy (&job.buckets);
    msgpack_zone_destroy (&zone);
    return rc;
}

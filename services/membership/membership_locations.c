/*  membership_locations: production locations: disclosure of one (location.add), the counts
    per year, who sources where, publishing a year's list, settling a flag. Matching and
    writing are in membership_disclose*.c, the lists in membership_loclist.c. */
#include "membership_internal.h"

//  --- production locations ------------------------------------------------------------------


//  Packs one row with its normal forms for matching (membership_disclose.c).
void
membership_pack_row (msgpack_packer *pk, const membership_row_t *r)
{
    char norm_name [LOCATION_NAME_MAX * 3 + 8], norm_address [LOCATION_ADDRESS_MAX * 3 + 8];
    location_normalise (r->name, norm_name, sizeof norm_name, true);
    location_normalise (r->address, norm_address, sizeof norm_address, false);
    int n = 8 + (r->region && *r->region) + (r->workers >= 0) + (r->product_type && *r->product_type)
              + (r->extra != NULL);
    msgpack_pack_map (pk, (size_t) n);
    imvo_pack_kv_str (pk, "name", r->name);
    imvo_pack_kv_str (pk, "address", r->address);
    imvo_pack_kv_str (pk, "city", r->city);
    imvo_pack_kv_str (pk, "country", r->country);
    imvo_pack_kv_str (pk, "norm_name", norm_name);
    imvo_pack_kv_str (pk, "norm_address", norm_address);
    imvo_pack_kv_int (pk, "line", r->line);
    imvo_pack_kv_str (pk, "source", r->line ? "import" : "add");
    if (r->region && *r->region)
        imvo_pack_kv_str (pk, "region", r->region);
    if (r->workers >= 0)
        imvo_pack_kv_int (pk, "workers", r->workers);
    if (r->product_type && *r->product_type)
        imvo_pack_kv_str (pk, "product_type", r->product_type);
    if (r->extra) {
        imvo_pack_str (pk, "extra");
        msgpack_sbuffer_write (pk->data, r->extra, r->extra_len);
    }
}

//  A company discloses its own locations; the secretariat may do it for any member.
int
membership_check_discloser (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org,
                            imvo_reply_t *reply)
{
    (void) req;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{%s}:member:%s status", covenant, org);
    int rc = 0;
    if (!r || r->type == REDIS_REPLY_ERROR)
        rc = imvo_redis_fail (r, reply);
    else
    if (r->type != REDIS_REPLY_STRING || !streq (r->str, "active"))
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "org_id", "%s is not a member of the %s covenant", org, covenant);
    if (r)
        freeReplyObject (r);
    return rc;
}

int
membership_location_add (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_ADD_COVENANT].str, *org = f [LOCATION_ADD_ORG_ID].str;
    if (membership_check_discloser (ctx, req, covenant, org, reply))
        return -1;
    membership_row_t row = { f [LOCATION_ADD_NAME].str, f [LOCATION_ADD_ADDRESS].str, membership_opt (&f [LOCATION_ADD_CITY]),
                    membership_opt (&f [LOCATION_ADD_REGION]), f [LOCATION_ADD_COUNTRY].str,
                    membership_opt (&f [LOCATION_ADD_PRODUCT]),
                    f [LOCATION_ADD_WORKERS].present ? f [LOCATION_ADD_WORKERS].i : -1, 0, NULL, 0 };
    msgpack_sbuffer rows;
    msgpack_sbuffer_init (&rows);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &rows, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 1);
    membership_pack_row (&pk, &row);
    int rc = membership_upsert (ctx, req, covenant, org, f [LOCATION_ADD_YEAR].i, rows.data, rows.size, false, reply);
    msgpack_sbuffer_destroy (&rows);
    return rc;
}


static int
s_location_read (imvo_ctx_t *ctx, const char *covenant, const char *mode, const char *a, const char *b,
                 imvo_reply_t *reply)
{
    return membership_read_tagged (ctx, "location_read", covenant, "covenant", mode, a, b, reply);
}

int
membership_location_counts (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_location_read (ctx, f [LOCATION_COUNTS_COVENANT].str, "counts", "", "", reply);
}

//  location.sourcing: who disclosed a location, in one covenant or all, in one year or all:
//  {location_id, companies: [{org_id, name, covenant, years}]} (for the complaints about a place).
int
membership_location_sourcing (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *location = f [LOCATION_SOURCING_LOCATION].str;
    char year [8] = "";
    if (f [LOCATION_SOURCING_YEAR].present)
        snprintf (year, sizeof year, "%lld", (long long) f [LOCATION_SOURCING_YEAR].i);
    zlistx_t *covenants = zlistx_new ();
    zlistx_set_destructor (covenants, (zlistx_destructor_fn *) zstr_free);
    if (f [LOCATION_SOURCING_COVENANT].present)
        zlistx_add_end (covenants, strdup (f [LOCATION_SOURCING_COVENANT].str));
    else {
        redisReply *codes = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:membership:{catalog}:covenants 0 -1");
        for (size_t i = 0; codes && codes->type == REDIS_REPLY_ARRAY && i < codes->elements; i++)
            zlistx_add_end (covenants, strdup (codes->element [i]->str));
        if (codes)
            freeReplyObject (codes);
    }
    //  Per covenant, [[org, year], ...]; gathered as org+covenant -> years.
    msgpack_sbuffer list;
    msgpack_sbuffer_init (&list);
    msgpack_packer lpk;
    msgpack_packer_init (&lpk, &list, msgpack_sbuffer_write);
    uint32_t n = 0;
    int rc = 0;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    for (const char *cov = zlistx_first (covenants); cov && rc == 0; cov = zlistx_next (covenants)) {
        imvo_reply_t got;
        imvo_reply_init (&got);
        rc = s_location_read (ctx, cov, "sourcing", year, location, &got);
        if (rc && got.err.code == IMVO_ERR_NOT_FOUND && !f [LOCATION_SOURCING_COVENANT].present)
            rc = 0;                 //  a covenant without locations
        else
        if (rc)
            reply->err = got.err;
        msgpack_object pairs;
        const char *why;
        if (rc == 0 && got.body.size && imvo_msg_unpack (got.body.data, got.body.size, &zone, &pairs, &why) == 0
        &&  pairs.type == MSGPACK_OBJECT_ARRAY) {
            //  One entry per org, with its years (the pairs come year by year).
            for (uint32_t i = 0; i < pairs.via.array.size; i++) {
                char org [80];
                const msgpack_object *pair = &pairs.via.array.ptr [i];
                if (pair->type != MSGPACK_OBJECT_ARRAY || pair->via.array.size != 2
                ||  imvo_obj_strcpy (&pair->via.array.ptr [0], org, sizeof org))
                    continue;
                bool first = true;
                for (uint32_t j = 0; j < i && first; j++)
                    first = !imvo_obj_streq (&pairs.via.array.ptr [j].via.array.ptr [0], org);
                if (!first)
                    continue;
                uint32_t years = 0;
                for (uint32_t j = i; j < pairs.via.array.size; j++)
                    years += imvo_obj_streq (&pairs.via.array.ptr [j].via.array.ptr [0], org);
                redisReply *name = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{orgs}:org:%s name", org);
                msgpack_pack_map (&lpk, 4);
                imvo_pack_kv_str (&lpk, "org_id", org);
                imvo_pack_kv_str (&lpk, "name", name && name->type == REDIS_REPLY_STRING ? name->str : NULL);
                imvo_pack_kv_str (&lpk, "covenant", cov);
                imvo_pack_str (&lpk, "years");
                msgpack_pack_array (&lpk, years);
                for (uint32_t j = i; j < pairs.via.array.size; j++)
                    if (imvo_obj_streq (&pairs.via.array.ptr [j].via.array.ptr [0], org))
                        msgpack_pack_object (&lpk, pairs.via.array.ptr [j].via.array.ptr [1]);
                if (name)
                    freeReplyObject (name);
                n++;
            }
        }
        imvo_reply_release (&got);
    }
    if (rc == 0) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_str (pk, "location_id", location);
        imvo_pack_str (pk, "companies");
        msgpack_pack_array (pk, n);
        msgpack_sbuffer_write (pk->data, list.data, list.size);
    }
    msgpack_zone_destroy (&zone);
    msgpack_sbuffer_destroy (&list);
    zlistx_destroy (&covenants);
    return rc;
}

//  Publishing copies the year's list (the draft) to the published list: member by member
//  into a staging set under the lock, then lua/location_publish.lua swaps it in.
int
membership_location_publish (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_YEAR_COVENANT].str;
    long long year = (long long) f [LOCATION_YEAR_YEAR].i;
    char today [11], token [33], key [128];
    membership_today (today);
    if (membership_lock (ctx, covenant, token, reply))
        return -1;
    snprintf (key, sizeof key, "imvo:membership:{%s}:year:%lld:locs", covenant, year);
    zlistx_t *ids = imvo_redis_scan (ctx->redis, key, false);
    int rc = ids ? 0 : imvo_redis_fail (NULL, reply);
    redisReply *r = NULL;
    if (rc == 0)
        r = imvo_redis_cmd (ctx->redis, "UNLINK imvo:membership:{%s}:published:%lld:next", covenant, year);
    if (rc == 0 && (!r || r->type == REDIS_REPLY_ERROR))
        rc = imvo_redis_fail (r, reply);
    if (r)
        freeReplyObject (r);
    //  250 ids per SADD: 1000 held Redis for up to half a millisecond.
    zchunk_t *c = ids ? zlistx_first (ids) : NULL;
    while (rc == 0 && c) {
        imvo_args_t add;
        imvo_args_init (&add);
        imvo_args_str (&add, "SADD");
        imvo_args_fmt (&add, "imvo:membership:{%s}:published:%lld:next", covenant, year);
        for (int m = 0; c && m < 250; c = zlistx_next (ids), m++)
            imvo_args_str (&add, (const char *) zchunk_data (c));
        r = imvo_redis_argv (ctx->redis, &add);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            rc = imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        imvo_args_release (&add);
    }
    zlistx_destroy (&ids);
    if (rc == 0) {
        imvo_args_t keys, args;
        membership_args (&keys, &args, covenant, "covenant");
        imvo_args_fmt (&keys, "imvo:membership:{%s}:loclock", covenant);
        imvo_args_str (&args, covenant);
        imvo_args_fmt (&args, "%lld", year);
        imvo_args_str (&args, today);
        imvo_args_str (&args, token);
        rc = imvo_commit (ctx, req, covenant, "location_publish", &keys, &args, reply);
    }
    membership_unlock (ctx, covenant, token);
    return rc;
}

//  Settling a flag changes the index and the buckets that matching reads: under the lock.
int
membership_location_resolve (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_RESOLVE_COVENANT].str;
    char token [33];
    if (membership_lock (ctx, covenant, token, reply))
        return -1;
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "flags");
    imvo_args_fmt (&keys, "imvo:membership:{%s}:locnorm", covenant);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:loclock", covenant);
    imvo_args_str (&args, f [LOCATION_RESOLVE_FLAG].str);
    imvo_args_str (&args, f [LOCATION_RESOLVE_DECISION].str);
    imvo_args_str (&args, membership_opt (&f [LOCATION_RESOLVE_LOCATION]));
    imvo_args_str (&args, token);
    int rc = imvo_commit (ctx, req, covenant, "location_resolve", &keys, &args, reply);
    membership_unlock (ctx, covenant, token);
    return rc;
}

/*  membership_server: covenants, organisations, memberships and production locations.

    Keys (see README.md in this folder for the whole layout):
      imvo:membership:{catalog}:covenants            zset of covenant codes in seed order
      imvo:membership:{<covenant>}:covenant          hash, the covenant's facts (seeded)
      imvo:membership:{<covenant>}:wg                hash, working groups
      imvo:membership:{<covenant>}:member:<org>      hash, a membership (kept after leaving)
      imvo:membership:{<covenant>}:members           set of current members
      imvo:membership:{<covenant>}:loc:<id>, :locnorm, :bucket:..., :year:<y>:...  locations
      imvo:membership:{orgs}:org:<id>, :all, :seq     organisations
    Everything one script changes shares the covenant's (or the orgs') hash tag. Reads of an
    organisation before a membership script (its name, kind and share are copied into the
    membership) cross slots; organisations are never deleted, so the read cannot go stale in
    a way that matters.
*/
#include "membership_server.h"
#include "catalogue_membership.h"
#include "imvo_config.h"
#include "location_csv.h"
#include "location_norm.h"

#include <time.h>

#define IDEM_TTL (7 * 86400)    //  a retried write within a week gets the first reply

extern const imvo_script_t membership_scripts [];

static void
s_today (char buf [11])
{
    time_t now = time (NULL);
    struct tm tm;
    gmtime_r (&now, &tm);
    strftime (buf, 11, "%Y-%m-%d", &tm);
}

static const char *
s_opt (const imvo_value_t *v)
{
    return v->present ? v->str : "";
}

//  Runs a state-changing script: KEYS = idempotency record + extra keys. Releases keys and args.
static int
s_commit (imvo_ctx_t *ctx, const imvo_request_t *req, const char *tag, const char *script,
          imvo_args_t *keys, imvo_args_t *args, imvo_reply_t *reply)
{
    imvo_args_t k, a;
    imvo_args_init (&k);
    imvo_args_init (&a);
    imvo_idem_args (ctx, req, tag, IDEM_TTL, &k, &a);
    for (int i = 0; i < keys->argc; i++)
        imvo_args_add (&k, keys->argv [i], keys->lens [i]);
    for (int i = 0; i < args->argc; i++)
        imvo_args_add (&a, args->argv [i], args->lens [i]);
    redisReply *r = imvo_redis_eval (ctx->redis, script, &k, &a);
    imvo_args_release (&k);
    imvo_args_release (&a);
    imvo_args_release (keys);
    imvo_args_release (args);
    return imvo_outbox_commit (ctx, r, reply);
}

//  Runs a read script whose result is a packed map.
static int
s_read (imvo_ctx_t *ctx, const char *script, imvo_args_t *keys, imvo_args_t *args, imvo_reply_t *reply)
{
    return imvo_redis_packed_reply (imvo_redis_eval (ctx->redis, script, keys, args), reply);
}

//  The same, on the data hash-tagged tag (a covenant, or "orgs"): KEYS[1] is
//  imvo:membership:{tag}:key, ARGV the prefix imvo:membership:{tag}, then mode and up to two
//  arguments (the first NULL ends them).
static int
s_read_tagged (imvo_ctx_t *ctx, const char *script, const char *tag, const char *key,
               const char *mode, const char *a, const char *b, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:%s", tag, key);
    imvo_args_fmt (&args, "imvo:membership:{%s}", tag);
    imvo_args_str (&args, mode);
    if (a) {
        imvo_args_str (&args, a);
        if (b)
            imvo_args_str (&args, b);
    }
    int rc = s_read (ctx, script, &keys, &args, reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

//  --- seed data -----------------------------------------------------------------------------

extern const char membership_seed_covenants [];

static int
s_load_seeds (imvo_ctx_t *ctx)
{
    //  The seeds are part of the program (deploy/covenants.json, embedded at build time);
    //  IMVO_DATA_DIR names a directory whose covenants.json is read instead.
    char path [512] = "deploy/covenants.json (built in)";
    char *text;
    const char *dir = imvo_env ("IMVO_DATA_DIR", NULL);
    if (dir) {
        snprintf (path, sizeof path, "%s/covenants.json", dir);
        text = imvo_file_read (path);
        if (!text) {
            zsys_error ("cannot read the seed covenants %s: %s (IMVO_DATA_DIR)", path, strerror (errno));
            return -1;
        }
    }
    else {
        text = strdup (membership_seed_covenants);
        assert (text);
    }
    msgpack_sbuffer packed;
    msgpack_sbuffer_init (&packed);
    char err [128];
    int rc = -1;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object doc;
    const char *why;
    if (imvo_json_to_msgpack (text, &packed, err, sizeof err))
        zsys_error ("%s is not JSON: %s", path, err);
    else
    if (imvo_msg_unpack (packed.data, packed.size, &zone, &doc, &why)
    ||  !imvo_map_get (&doc, "covenants") || imvo_map_get (&doc, "covenants")->type != MSGPACK_OBJECT_ARRAY)
        zsys_error ("%s has no covenants array", path);
    else {
        const msgpack_object *list = imvo_map_get (&doc, "covenants");
        int created = 0;
        rc = 0;
        for (uint32_t i = 0; i < list->via.array.size && rc == 0; i++) {
            char code [40];
            if (imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "code"), code, sizeof code)
            ||  !imvo_proto_format_ok (IMVO_FMT_CODE, code, strlen (code))) {
                zsys_error ("%s: covenant %u has no valid code", path, i);
                rc = -1;
                break;
            }
            msgpack_sbuffer one;
            msgpack_sbuffer_init (&one);
            msgpack_packer pk;
            msgpack_packer_init (&pk, &one, msgpack_sbuffer_write);
            msgpack_pack_object (&pk, list->via.array.ptr [i]);
            imvo_args_t keys, args;
            imvo_args_init (&keys);
            imvo_args_init (&args);
            imvo_args_fmt (&keys, "imvo:membership:{%s}:covenant", code);
            imvo_args_fmt (&keys, "imvo:membership:{%s}:wg", code);
            imvo_args_add (&args, one.data, one.size);
            redisReply *r = imvo_redis_eval (ctx->redis, "seed_covenant", &keys, &args);
            if (r && r->type == REDIS_REPLY_INTEGER)
                created += (int) r->integer;
            else {
                zsys_error ("seeding %s failed: %s", code, r && r->type == REDIS_REPLY_ERROR ? r->str : "redis down");
                rc = -1;
            }
            if (r)
                freeReplyObject (r);
            r = imvo_redis_cmd (ctx->redis, "ZADD imvo:membership:{catalog}:covenants NX %u %s", i, code);
            if (r)
                freeReplyObject (r);
            imvo_args_release (&keys);
            imvo_args_release (&args);
            msgpack_sbuffer_destroy (&one);
        }
        if (rc == 0)
            zsys_info ("seed covenants from %s: %d new, %u already present", path, created,
                       list->via.array.size - (uint32_t) created);
    }
    msgpack_zone_destroy (&zone);
    msgpack_sbuffer_destroy (&packed);
    free (text);
    return rc;
}

//  --- covenants -----------------------------------------------------------------------------

static void
s_covenant_keys (imvo_args_t *keys, const char *code)
{
    imvo_args_fmt (keys, "imvo:membership:{%s}:covenant", code);
    imvo_args_fmt (keys, "imvo:membership:{%s}:wg", code);
    imvo_args_fmt (keys, "imvo:membership:{%s}:members", code);
}

static int
s_covenant_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    s_covenant_keys (&keys, f [COVENANT_GET_CODE].str);
    imvo_args_fmt (&args, "imvo:membership:{%s}", f [COVENANT_GET_CODE].str);
    imvo_args_str (&args, "full");
    int rc = s_read (ctx, "covenant_get", &keys, &args, reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

static int
s_covenant_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    (void) f;
    redisReply *codes = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:membership:{catalog}:covenants 0 -1");
    if (!codes || codes->type != REDIS_REPLY_ARRAY) {
        imvo_redis_fail (codes, reply);
        if (codes)
            freeReplyObject (codes);
        return -1;
    }
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_sbuffer items;
    msgpack_sbuffer_init (&items);
    uint32_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < codes->elements && rc == 0; i++) {
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        s_covenant_keys (&keys, codes->element [i]->str);
        imvo_args_fmt (&args, "imvo:membership:{%s}", codes->element [i]->str);
        imvo_args_str (&args, "summary");
        redisReply *r = imvo_redis_eval (ctx->redis, "covenant_get", &keys, &args);
        if (r && r->type == REDIS_REPLY_STRING) {
            msgpack_sbuffer_write (&items, r->str, r->len);
            n++;
        }
        else
            rc = imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        imvo_args_release (&keys);
        imvo_args_release (&args);
    }
    if (rc == 0) {
        msgpack_pack_map (pk, 1);
        imvo_pack_str (pk, "covenants");
        msgpack_pack_array (pk, n);
        msgpack_sbuffer_write (&reply->body, items.data, items.size);
    }
    msgpack_sbuffer_destroy (&items);
    freeReplyObject (codes);
    return rc;
}

//  --- organisations -------------------------------------------------------------------------

static int
s_org_register (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&keys, "imvo:membership:{orgs}:seq");
    imvo_args_str (&args, "imvo:membership:{orgs}");
    imvo_args_str (&args, f [ORG_REGISTER_NAME].str);
    imvo_args_str (&args, f [ORG_REGISTER_KIND].str);
    imvo_args_str (&args, f [ORG_REGISTER_COUNTRY].str);
    imvo_args_str (&args, s_opt (&f [ORG_REGISTER_EMAIL]));
    imvo_args_str (&args, s_opt (&f [ORG_REGISTER_WEBHOOK]));
    if (f [ORG_REGISTER_SHARE].present)
        imvo_args_fmt (&args, "%lld", (long long) f [ORG_REGISTER_SHARE].i);
    else
        imvo_args_str (&args, "");
    return s_commit (ctx, req, "orgs", "org_register", &keys, &args, reply);
}

//  Copies a changed name or market share into the organisation's memberships, one covenant
//  at a time (each is its own slot). The update is committed already: a covenant that cannot
//  be reached now keeps the old copy until the next update, and says so in the log.
static void
s_refresh_memberships (imvo_ctx_t *ctx, const char *org, const char *name, const char *share)
{
    redisReply *codes = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:membership:{catalog}:covenants 0 -1");
    for (size_t i = 0; codes && codes->type == REDIS_REPLY_ARRAY && i < codes->elements; i++) {
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        imvo_args_fmt (&keys, "imvo:membership:{%s}:member:%s", codes->element [i]->str, org);
        imvo_args_str (&args, name);
        imvo_args_str (&args, share);
        redisReply *r = imvo_redis_eval (ctx->redis, "member_refresh", &keys, &args);
        if (!r || r->type == REDIS_REPLY_ERROR)
            zsys_warning ("org.update %s: membership of %s not refreshed", org, codes->element [i]->str);
        if (r)
            freeReplyObject (r);
        imvo_args_release (&keys);
        imvo_args_release (&args);
    }
    if (codes)
        freeReplyObject (codes);
}

static int
s_org_update (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{orgs}:org:%s", f [ORG_UPDATE_ORG_ID].str);
    imvo_args_str (&args, s_opt (&f [ORG_UPDATE_NAME]));
    imvo_args_str (&args, s_opt (&f [ORG_UPDATE_COUNTRY]));
    imvo_args_str (&args, s_opt (&f [ORG_UPDATE_EMAIL]));
    imvo_args_str (&args, s_opt (&f [ORG_UPDATE_WEBHOOK]));
    char share [24] = "";                    //  '' = unchanged
    if (f [ORG_UPDATE_SHARE].present)
        snprintf (share, sizeof share, "%lld", (long long) f [ORG_UPDATE_SHARE].i);
    imvo_args_str (&args, share);
    if (s_commit (ctx, req, "orgs", "org_update", &keys, &args, reply))
        return -1;
    if (f [ORG_UPDATE_NAME].present || share [0])
        s_refresh_memberships (ctx, f [ORG_UPDATE_ORG_ID].str, s_opt (&f [ORG_UPDATE_NAME]), share);
    return 0;
}

static int
s_org_read (imvo_ctx_t *ctx, const char *mode, const char *a, const char *b, imvo_reply_t *reply)
{
    return s_read_tagged (ctx, "org_read", "orgs", "all", mode, a, b, reply);
}

static int
s_org_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_org_read (ctx, "get", f [ORG_GET_ORG_ID].str, "", reply);
}

static int
s_org_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_org_read (ctx, "list", s_opt (&f [ORG_LIST_KIND]), s_opt (&f [ORG_LIST_COUNTRY]), reply);
}

//  --- memberships ---------------------------------------------------------------------------

static int
s_member_join (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEMBER_JOIN_COVENANT].str;
    const char *org = f [MEMBER_JOIN_ORG_ID].str;
    (void) req;
    redisReply *o = imvo_redis_cmd (ctx->redis, "HMGET imvo:membership:{orgs}:org:%s name kind market_share_bp", org);
    if (!o || o->type != REDIS_REPLY_ARRAY || o->elements != 3) {
        imvo_redis_fail (o, reply);
        if (o)
            freeReplyObject (o);
        return -1;
    }
    if (o->element [0]->type != REDIS_REPLY_STRING) {
        freeReplyObject (o);
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "org_id", "no organisation with this id; register it first");
    }
    msgpack_sbuffer groups;
    msgpack_sbuffer_init (&groups);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &groups, msgpack_sbuffer_write);
    const imvo_value_t *wg = &f [MEMBER_JOIN_GROUPS];
    if (wg->present)
        msgpack_pack_object (&pk, *wg->obj);
    else
        msgpack_pack_array (&pk, 0);
    char today [11];
    s_today (today);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:covenant", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, org);
    imvo_args_str (&args, f [MEMBER_JOIN_ROLE].str);
    imvo_args_add (&args, groups.data, groups.size);
    for (int i = 0; i < 3; i++)
        imvo_args_add (&args, o->element [i]->type == REDIS_REPLY_STRING ? o->element [i]->str : "",
                       o->element [i]->type == REDIS_REPLY_STRING ? o->element [i]->len : 0);
    imvo_args_str (&args, today);
    imvo_args_str (&args, req->role [0] ? req->role : "local");
    int rc = s_commit (ctx, req, covenant, "member_join", &keys, &args, reply);
    msgpack_sbuffer_destroy (&groups);
    freeReplyObject (o);
    return rc;
}

static int
s_member_leave (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEMBER_LEAVE_COVENANT].str;
    (void) req;
    char today [11];
    s_today (today);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:member:%s", covenant, f [MEMBER_LEAVE_ORG_ID].str);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, covenant);
    imvo_args_str (&args, f [MEMBER_LEAVE_ORG_ID].str);
    imvo_args_str (&args, s_opt (&f [MEMBER_LEAVE_REASON]));
    imvo_args_str (&args, today);
    imvo_args_str (&args, req->role [0] ? req->role : "local");
    return s_commit (ctx, req, covenant, "member_leave", &keys, &args, reply);
}

static int
s_member_read (imvo_ctx_t *ctx, const char *covenant, const char *mode, const char *arg, imvo_reply_t *reply)
{
    return s_read_tagged (ctx, "member_read", covenant, "members", mode, arg, NULL, reply);
}

//  not_found naming the covenant when it does not exist (reads of an empty set cannot tell).
static int
s_check_covenant (imvo_ctx_t *ctx, const char *covenant, imvo_reply_t *reply)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "EXISTS imvo:membership:{%s}:covenant", covenant);
    int rc = 0;
    if (!r || r->type != REDIS_REPLY_INTEGER)
        rc = imvo_redis_fail (r, reply);
    else
    if (r->integer == 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "covenant", "no covenant '%s'", covenant);
    if (r)
        freeReplyObject (r);
    return rc;
}

static int
s_member_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (s_check_covenant (ctx, f [MEMBER_LIST_COVENANT].str, reply))
        return -1;
    return s_member_read (ctx, f [MEMBER_LIST_COVENANT].str, "list", s_opt (&f [MEMBER_LIST_ROLE]), reply);
}

static int
s_member_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (s_check_covenant (ctx, f [MEMBER_GET_COVENANT].str, reply))
        return -1;
    return s_member_read (ctx, f [MEMBER_GET_COVENANT].str, "get", f [MEMBER_GET_ORG_ID].str, reply);
}

static int
s_member_unpaid (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (s_check_covenant (ctx, f [MEMBER_UNPAID_COVENANT].str, reply))
        return -1;
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [MEMBER_UNPAID_YEAR].i);
    return s_member_read (ctx, f [MEMBER_UNPAID_COVENANT].str, "unpaid", year, reply);
}

static int
s_member_pay (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [MEMBER_PAY_COVENANT].str;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:member:%s", covenant, f [MEMBER_PAY_ORG_ID].str);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, f [MEMBER_PAY_ORG_ID].str);
    imvo_args_fmt (&args, "%lld", (long long) f [MEMBER_PAY_YEAR].i);
    if (f [MEMBER_PAY_AMOUNT].present)
        imvo_args_fmt (&args, "%lld", (long long) f [MEMBER_PAY_AMOUNT].i);
    else
        imvo_args_str (&args, "");
    imvo_args_str (&args, req->role [0] ? req->role : "local");
    return s_commit (ctx, req, covenant, "member_pay", &keys, &args, reply);
}

//  --- production locations ------------------------------------------------------------------

typedef struct {
    const char *name, *address, *city, *region, *country, *product_type;
    int64_t workers;                //  -1 when not given
    int line;                       //  CSV line, 0 for location.add
} s_row_t;

//  Packs one row with its normal forms for lua/location_upsert.lua.
static void
s_pack_row (msgpack_packer *pk, const s_row_t *r)
{
    char norm_name [LOCATION_NAME_MAX * 3 + 8], norm_address [LOCATION_ADDRESS_MAX * 3 + 8];
    location_normalise (r->name, norm_name, sizeof norm_name, true);
    location_normalise (r->address, norm_address, sizeof norm_address, false);
    int n = 8 + (r->region && *r->region) + (r->workers >= 0) + (r->product_type && *r->product_type);
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
}

//  A company discloses its own locations; the secretariat may do it for any member.
static int
s_check_discloser (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org,
                   imvo_reply_t *reply)
{
    (void) req;
    if (s_check_covenant (ctx, covenant, reply))
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

static int
s_upsert (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org, int64_t year,
          const char *rows, size_t rows_len, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:locnorm", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, org);
    imvo_args_fmt (&args, "%lld", (long long) year);
    imvo_args_add (&args, rows, rows_len);
    return s_commit (ctx, req, covenant, "location_upsert", &keys, &args, reply);
}

static int
s_location_add (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_ADD_COVENANT].str, *org = f [LOCATION_ADD_ORG_ID].str;
    if (s_check_discloser (ctx, req, covenant, org, reply))
        return -1;
    s_row_t row = { f [LOCATION_ADD_NAME].str, f [LOCATION_ADD_ADDRESS].str, f [LOCATION_ADD_CITY].str,
                    s_opt (&f [LOCATION_ADD_REGION]), f [LOCATION_ADD_COUNTRY].str, s_opt (&f [LOCATION_ADD_PRODUCT]),
                    f [LOCATION_ADD_WORKERS].present ? f [LOCATION_ADD_WORKERS].i : -1, 0 };
    msgpack_sbuffer rows;
    msgpack_sbuffer_init (&rows);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &rows, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 1);
    s_pack_row (&pk, &row);
    int rc = s_upsert (ctx, req, covenant, org, f [LOCATION_ADD_YEAR].i, rows.data, rows.size, reply);
    msgpack_sbuffer_destroy (&rows);
    return rc;
}

static const char *const s_csv_header [] = {
    "name", "address", "city", "region", "country", "workers", "product_type" };

//  Checks one CSV field like the catalogue checks location.add's; -1 with the error set.
static int
s_csv_field (location_csv_t *csv, int i, bool required, size_t max, imvo_format_t format, imvo_reply_t *reply)
{
    const char *v = csv->fields [i];
    size_t len = strlen (v);
    char field [96];
    snprintf (field, sizeof field, "csv.line.%d.%s", csv->line, s_csv_header [i]);
    if (required && len == 0)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: %s is empty", csv->line, s_csv_header [i]);
    if (len > max)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: %s is longer than %zu bytes",
                                csv->line, s_csv_header [i], max);
    if (len && !imvo_proto_format_ok (format, v, len))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: %s must be %s",
                                csv->line, s_csv_header [i], imvo_proto_format_name (format));
    return 0;
}

//  location.import is all-or-nothing: every row is checked before anything is written, and
//  the rows are committed by one script.
static int
s_location_import (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_IMPORT_COVENANT].str, *org = f [LOCATION_IMPORT_ORG_ID].str;
    if (s_check_discloser (ctx, req, covenant, org, reply))
        return -1;
    location_csv_t csv;
    location_csv_init (&csv, f [LOCATION_IMPORT_CSV].str);
    msgpack_sbuffer rows;
    msgpack_sbuffer_init (&rows);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &rows, msgpack_sbuffer_write);
    msgpack_sbuffer body;                   //  the rows, packed after counting them
    msgpack_sbuffer_init (&body);
    msgpack_packer bpk;
    msgpack_packer_init (&bpk, &body, msgpack_sbuffer_write);
    int rc = 0, got, count = 0;
    //  The header.
    got = location_csv_next (&csv);
    if (got <= 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "csv", "the CSV is empty; it starts with the header %s",
                              "name,address,city,region,country,workers,product_type");
    else {
        bool ok = csv.nfields == 7;
        for (int i = 0; ok && i < 7; i++) {
            char *h = csv.fields [i];
            while (*h == ' ' || *h == '\xef' || *h == '\xbb' || *h == '\xbf')   //  spaces, a BOM
                h++;
            size_t len = strlen (h);
            while (len && (h [len - 1] == ' ' || h [len - 1] == '\r'))
                h [--len] = 0;
            for (char *c = h; *c; c++)
                *c = (char) tolower ((unsigned char) *c);
            ok = streq (h, s_csv_header [i]);
        }
        if (!ok)
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "csv.line.1",
                                  "line 1 must be the header name,address,city,region,country,workers,product_type");
    }
    while (rc == 0 && (got = location_csv_next (&csv)) != 0) {
        char field [64];
        snprintf (field, sizeof field, "csv.line.%d", csv.line);
        if (got < 0) {
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: a quoted field is not closed", csv.line);
            break;
        }
        if (csv.nfields != 7) {
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d has %d fields; the header has 7",
                                  csv.line, csv.nfields > LOCATION_CSV_MAX_FIELDS ? LOCATION_CSV_MAX_FIELDS + 1 : csv.nfields);
            break;
        }
        //  Country codes are upper case; a company's spreadsheet may not be.
        for (char *c = csv.fields [4]; *c; c++)
            *c = (char) toupper ((unsigned char) *c);
        if (s_csv_field (&csv, 0, true, LOCATION_NAME_MAX, IMVO_FMT_LINE, reply)
        ||  s_csv_field (&csv, 1, true, LOCATION_ADDRESS_MAX, IMVO_FMT_LINE, reply)
        ||  s_csv_field (&csv, 2, true, LOCATION_CITY_MAX, IMVO_FMT_LINE, reply)
        ||  s_csv_field (&csv, 3, false, LOCATION_REGION_MAX, IMVO_FMT_LINE, reply)
        ||  s_csv_field (&csv, 4, true, 2, IMVO_FMT_COUNTRY, reply)
        ||  s_csv_field (&csv, 6, false, LOCATION_PRODUCT_MAX, IMVO_FMT_LINE, reply)) {
            rc = -1;
            break;
        }
        int64_t workers = -1;
        if (csv.fields [5][0]) {
            char *end;
            long long w = strtoll (csv.fields [5], &end, 10);
            if (*end || w < 0 || w > 10000000) {
                snprintf (field, sizeof field, "csv.line.%d.workers", csv.line);
                rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field,
                                      "line %d: workers must be a whole number from 0 to 10000000", csv.line);
                break;
            }
            workers = w;
        }
        s_row_t row = { csv.fields [0], csv.fields [1], csv.fields [2], csv.fields [3], csv.fields [4],
                        csv.fields [6], workers, csv.line };
        s_pack_row (&bpk, &row);
        if (++count > LOCATION_IMPORT_MAX_ROWS) {
            rc = imvo_reply_fail (reply, IMVO_ERR_TOO_LARGE, "csv", "an import holds at most %d rows; split the file",
                                  LOCATION_IMPORT_MAX_ROWS);
            break;
        }
    }
    if (rc == 0 && count == 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "csv", "the CSV has a header but no rows");
    if (rc == 0) {
        msgpack_pack_array (&pk, (uint32_t) count);
        msgpack_sbuffer_write (&rows, body.data, body.size);
        rc = s_upsert (ctx, req, covenant, org, f [LOCATION_IMPORT_YEAR].i, rows.data, rows.size, reply);
    }
    msgpack_sbuffer_destroy (&body);
    msgpack_sbuffer_destroy (&rows);
    location_csv_release (&csv);
    return rc;
}

static int
s_location_read (imvo_ctx_t *ctx, const char *covenant, const char *mode, const char *a, const char *b,
                 imvo_reply_t *reply)
{
    return s_read_tagged (ctx, "location_read", covenant, "covenant", mode, a, b, reply);
}

//  The list of a covenant and year, as locations (list) or as CSV (export): as published for
//  everyone, as disclosed so far (the draft) for staff.
static int
s_location_year (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, const char *mode,
                 imvo_reply_t *reply)
{
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [LOCATION_YEAR_YEAR].i);
    return s_location_read (ctx, f [LOCATION_YEAR_COVENANT].str, mode, year,
                            imvo_actor_staff (req) ? "draft" : "published", reply);
}

static int
s_location_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    return s_location_year (ctx, req, f, "list", reply);
}

static int
s_location_export (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    return s_location_year (ctx, req, f, "export", reply);
}

static int
s_location_counts (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_location_read (ctx, f [LOCATION_COUNTS_COVENANT].str, "counts", "", "", reply);
}

static int
s_location_flags (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_location_read (ctx, f [LOCATION_COUNTS_COVENANT].str, "flags", "", "", reply);
}

static int
s_location_sourcing (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_SOURCING_COVENANT].str;
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [LOCATION_SOURCING_YEAR].i);
    imvo_reply_t ids;
    imvo_reply_init (&ids);
    int rc = s_location_read (ctx, covenant, "sourcing", year, f [LOCATION_SOURCING_LOCATION].str, &ids);
    if (rc) {
        reply->err = ids.err;
        imvo_reply_release (&ids);
        return -1;
    }
    //  The org ids with their names, from the organisations' slot.
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object list;
    const char *why;
    rc = imvo_msg_unpack (ids.body.data, ids.body.size, &zone, &list, &why);
    if (rc == 0 && list.type == MSGPACK_OBJECT_ARRAY) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 4);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_kv_str (pk, "location_id", f [LOCATION_SOURCING_LOCATION].str);
        imvo_pack_kv_int (pk, "year", f [LOCATION_SOURCING_YEAR].i);
        imvo_pack_str (pk, "companies");
        msgpack_pack_array (pk, list.via.array.size);
        for (uint32_t i = 0; i < list.via.array.size; i++) {
            char org [80];
            imvo_obj_strcpy (&list.via.array.ptr [i], org, sizeof org);
            redisReply *n = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{orgs}:org:%s name", org);
            msgpack_pack_map (pk, 2);
            imvo_pack_kv_str (pk, "org_id", org);
            imvo_pack_kv_str (pk, "name", n && n->type == REDIS_REPLY_STRING ? n->str : NULL);
            if (n)
                freeReplyObject (n);
        }
    }
    else
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable sourcing list");
    msgpack_zone_destroy (&zone);
    imvo_reply_release (&ids);
    return rc;
}

static int
s_location_publish (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_YEAR_COVENANT].str;
    char today [11];
    s_today (today);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:covenant", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, covenant);
    imvo_args_fmt (&args, "%lld", (long long) f [LOCATION_YEAR_YEAR].i);
    imvo_args_str (&args, today);
    return s_commit (ctx, req, covenant, "location_publish", &keys, &args, reply);
}

static int
s_location_resolve (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_RESOLVE_COVENANT].str;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:flags", covenant);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:locnorm", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, f [LOCATION_RESOLVE_FLAG].str);
    imvo_args_str (&args, f [LOCATION_RESOLVE_DECISION].str);
    imvo_args_str (&args, s_opt (&f [LOCATION_RESOLVE_LOCATION]));
    return s_commit (ctx, req, covenant, "location_resolve", &keys, &args, reply);
}

static const imvo_handler_t s_handlers [] = {
    { "covenant.list", s_covenant_list, IMVO_IN_WORKER },
    { "covenant.get", s_covenant_get, IMVO_IN_WORKER },
    { "org.register", s_org_register, IMVO_IN_WORKER },
    { "org.get", s_org_get, IMVO_IN_WORKER },
    { "org.list", s_org_list, IMVO_IN_WORKER },
    { "org.update", s_org_update, IMVO_IN_WORKER },
    { "member.join", s_member_join, IMVO_IN_WORKER },
    { "member.leave", s_member_leave, IMVO_IN_WORKER },
    { "member.list", s_member_list, IMVO_IN_WORKER },
    { "member.get", s_member_get, IMVO_IN_WORKER },
    { "member.pay", s_member_pay, IMVO_IN_WORKER },
    { "member.unpaid", s_member_unpaid, IMVO_IN_WORKER },
    { "location.add", s_location_add, IMVO_IN_WORKER },
    { "location.import", s_location_import, IMVO_IN_WORKER },
    { "location.list", s_location_list, IMVO_IN_WORKER },
    { "location.export", s_location_export, IMVO_IN_WORKER },
    { "location.publish", s_location_publish, IMVO_IN_WORKER },
    { "location.counts", s_location_counts, IMVO_IN_WORKER },
    { "location.flags", s_location_flags, IMVO_IN_WORKER },
    { "location.resolve", s_location_resolve, IMVO_IN_WORKER },
    { "location.sourcing", s_location_sourcing, IMVO_IN_WORKER },
    { NULL, NULL, IMVO_IN_WORKER },
};

const imvo_service_def_t membership_service = {
    .name = "membership",
    .handlers = s_handlers,
    .scripts = membership_scripts,
    .on_start = s_load_seeds,
};

/*  membership_orgs: organisations: register, update (carried into their memberships), read. */
#include "membership_internal.h"
#include "imvo_client.h"

//  --- organisations -------------------------------------------------------------------------

int
membership_org_register (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&keys, "imvo:membership:{orgs}:seq");
    imvo_args_str (&args, "imvo:membership:{orgs}");
    imvo_args_str (&args, f [ORG_REGISTER_NAME].str);
    imvo_args_str (&args, f [ORG_REGISTER_KIND].str);
    imvo_args_str (&args, f [ORG_REGISTER_COUNTRY].str);
    imvo_args_str (&args, membership_opt (&f [ORG_REGISTER_EMAIL]));
    imvo_args_str (&args, membership_opt (&f [ORG_REGISTER_WEBHOOK]));
    if (f [ORG_REGISTER_SHARE].present)
        imvo_args_fmt (&args, "%lld", (long long) f [ORG_REGISTER_SHARE].i);
    else
        imvo_args_str (&args, "");
    return imvo_commit (ctx, req, "orgs", "org_register", &keys, &args, reply);
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

int
membership_org_update (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{orgs}:org:%s", f [ORG_UPDATE_ORG_ID].str);
    imvo_args_str (&args, membership_opt (&f [ORG_UPDATE_NAME]));
    imvo_args_str (&args, membership_opt (&f [ORG_UPDATE_COUNTRY]));
    imvo_args_str (&args, membership_opt (&f [ORG_UPDATE_EMAIL]));
    imvo_args_str (&args, membership_opt (&f [ORG_UPDATE_WEBHOOK]));
    char share [24] = "";                    //  '' = unchanged
    if (f [ORG_UPDATE_SHARE].present)
        snprintf (share, sizeof share, "%lld", (long long) f [ORG_UPDATE_SHARE].i);
    imvo_args_str (&args, share);
    if (imvo_commit (ctx, req, "orgs", "org_update", &keys, &args, reply))
        return -1;
    if (f [ORG_UPDATE_NAME].present || share [0])
        s_refresh_memberships (ctx, f [ORG_UPDATE_ORG_ID].str, membership_opt (&f [ORG_UPDATE_NAME]), share);
    return 0;
}

static int
s_org_read (imvo_ctx_t *ctx, const char *mode, const char *a, const char *b, imvo_reply_t *reply)
{
    return membership_read_tagged (ctx, "org_read", "orgs", "all", mode, a, b, reply);
}

//  Staff (and the company itself) see one view of a company across covenants: its memberships
//  and, per covenant, its open cases (asked of complaints, complaint.open, as a service).
static void
s_pack_across (imvo_ctx_t *ctx, const char *org, msgpack_packer *pk)
{
    redisReply *codes = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:membership:{catalog}:covenants 0 -1");
    msgpack_sbuffer mem, open;
    msgpack_sbuffer_init (&mem);
    msgpack_sbuffer_init (&open);
    msgpack_packer mpk, opk;
    msgpack_packer_init (&mpk, &mem, msgpack_sbuffer_write);
    msgpack_packer_init (&opk, &open, msgpack_sbuffer_write);
    uint32_t nmem = 0, nopen = 0;
    imvo_client_t *complaints = imvo_ctx_client (ctx, "complaints", 1500, 1);
    for (size_t i = 0; codes && codes->type == REDIS_REPLY_ARRAY && i < codes->elements; i++) {
        const char *cov = codes->element [i]->str;
        redisReply *m = imvo_redis_cmd (ctx->redis, "HMGET imvo:membership:{%s}:member:%s role status since left_on",
                                        cov, org);
        if (m && m->type == REDIS_REPLY_ARRAY && m->elements == 4 && m->element [0]->type == REDIS_REPLY_STRING) {
            static const char *const names [] = { "role", "status", "since", "left_on" };
            uint32_t present = 0;
            for (int k = 0; k < 4; k++)
                present += m->element [k]->type == REDIS_REPLY_STRING;
            msgpack_pack_map (&mpk, present + 1);
            imvo_pack_kv_str (&mpk, "covenant", cov);
            for (int k = 0; k < 4; k++)
                if (m->element [k]->type == REDIS_REPLY_STRING)
                    imvo_pack_kv_str (&mpk, names [k], m->element [k]->str);
            nmem++;
            msgpack_sbuffer body;
            msgpack_sbuffer_init (&body);
            msgpack_packer bpk;
            msgpack_packer_init (&bpk, &body, msgpack_sbuffer_write);
            msgpack_pack_map (&bpk, 2);
            imvo_pack_kv_str (&bpk, "covenant", cov);
            imvo_pack_kv_str (&bpk, "respondent", org);
            imvo_response_t resp;             //  set by imvo_client_call, asked or not
            if (complaints && imvo_client_call (complaints, "complaint.open", NULL, body.data, body.size, &resp) == 0
            &&  resp.ok) {
                const msgpack_object *cases = imvo_map_get (resp.body, "cases");
                if (cases && cases->type == MSGPACK_OBJECT_ARRAY && cases->via.array.size) {
                    imvo_pack_str (&opk, cov);
                    msgpack_pack_object (&opk, *cases);
                    nopen++;
                }
            }
            else
                zsys_warning ("complaints did not say %s's open cases in %s: org.get shows none", org, cov);
            if (complaints)
                imvo_response_release (&resp);
            msgpack_sbuffer_destroy (&body);
        }
        if (m)
            freeReplyObject (m);
    }
    imvo_pack_str (pk, "memberships");
    msgpack_pack_array (pk, nmem);
    msgpack_sbuffer_write (pk->data, mem.data, mem.size);
    imvo_pack_str (pk, "open_cases");
    msgpack_pack_map (pk, nopen);
    msgpack_sbuffer_write (pk->data, open.data, open.size);
    msgpack_sbuffer_destroy (&mem);
    msgpack_sbuffer_destroy (&open);
    if (codes)
        freeReplyObject (codes);
}

int
membership_org_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *org = f [ORG_GET_ORG_ID].str;
    //  A company sees the same view of itself (its memberships and open cases), no other's.
    bool self = streq (req->role, "company") && streq (req->org, org);
    if (!streq (req->role, "secretariat") && !streq (req->role, "committee") && !self)
        return s_org_read (ctx, "get", org, "", reply);
    imvo_reply_t got;
    imvo_reply_init (&got);
    int rc = s_org_read (ctx, "get", org, "", &got);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object o;
    const char *why;
    if (rc)
        reply->err = got.err;
    else
    if (imvo_msg_unpack (got.body.data, got.body.size, &zone, &o, &why) || o.type != MSGPACK_OBJECT_MAP)
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable organisation");
    else {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, o.via.map.size + 2);
        for (uint32_t i = 0; i < o.via.map.size; i++) {
            msgpack_pack_object (pk, o.via.map.ptr [i].key);
            msgpack_pack_object (pk, o.via.map.ptr [i].val);
        }
        s_pack_across (ctx, org, pk);
    }
    msgpack_zone_destroy (&zone);
    imvo_reply_release (&got);
    return rc;
}

int
membership_org_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return membership_read_page (ctx, "org_read", "orgs", "all", membership_opt (&f [ORG_LIST_KIND]),
                                 membership_opt (&f [ORG_LIST_COUNTRY]), &f [ORG_LIST_LIMIT],
                                 &f [ORG_LIST_CURSOR], reply);
}

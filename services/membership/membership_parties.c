/*  membership_parties: trade associations that sign for their member companies, and
    supporters' contributions (proto/catalogue_parties.c says which seed sentence each rule
    comes from).

    member.associates checks each listed company here (a registered organisation of kind
    company, named once: the organisations live in their own slot, read with pipelined HMGETs,
    256 a call) and lua/member_associates.lua stores the list on the association's membership
    and in the covenant's index {C}:associated (company -> association). member.associated
    lists them (lua/member_assoc_read.lua); member.contribute records a supporter's
    contribution (lua/member_contribute.lua), which member.get shows.
*/
#include "membership_internal.h"
#include "catalogue_parties.h"

#define S_BATCH 256

//  The listed companies as packed [{org_id, name}], each checked: registered, a company, once.
//  0, or -1 with the error naming companies.N.
static int
s_check_companies (imvo_ctx_t *ctx, const msgpack_object *list, msgpack_sbuffer *out, imvo_reply_t *reply)
{
    uint32_t n = list->via.array.size;
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, n);
    zhashx_t *seen = zhashx_new ();
    int rc = 0;
    for (uint32_t at = 0; rc == 0 && at < n; at += S_BATCH) {
        uint32_t m = n - at < S_BATCH ? n - at : S_BATCH;
        imvo_args_t cmds [S_BATCH];
        redisReply *replies [S_BATCH];
        char ids [S_BATCH][72];
        for (uint32_t j = 0; j < m; j++) {
            imvo_obj_strcpy (&list->via.array.ptr [at + j], ids [j], sizeof ids [j]);
            imvo_args_init (&cmds [j]);
            imvo_args_str (&cmds [j], "HMGET");
            imvo_args_fmt (&cmds [j], "imvo:membership:{orgs}:org:%s", ids [j]);
            imvo_args_str (&cmds [j], "name");
            imvo_args_str (&cmds [j], "kind");
        }
        if (imvo_redis_run_all (ctx->redis, cmds, m, replies))
            rc = imvo_redis_fail (NULL, reply);
        for (uint32_t j = 0; j < m; j++) {
            redisReply *r = replies [j];
            bool ok = rc == 0 && r && r->type == REDIS_REPLY_ARRAY && r->elements == 2;
            if (rc == 0 && !ok)
                rc = imvo_redis_fail (NULL, reply);
            else
            if (rc == 0 && r->element [0]->type != REDIS_REPLY_STRING)
                rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "", "no organisation %s; register it first", ids [j]);
            else
            if (rc == 0 && !streq (r->element [1]->str, "company"))
                rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "", "%s is not a company (%s)", ids [j],
                                      r->element [1]->str);
            else
            if (rc == 0 && zhashx_insert (seen, ids [j], (void *) 1))
                rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "", "%s is listed twice", ids [j]);
            else
            if (rc == 0) {
                msgpack_pack_map (&pk, 2);
                imvo_pack_kv_str (&pk, "org_id", ids [j]);
                imvo_pack_str (&pk, "name");
                imvo_pack_strn (&pk, r->element [0]->str, r->element [0]->len);
            }
            //  The error names the company's place in the list.
            if (rc && reply->err.field [0] == 0
            &&  (reply->err.code == IMVO_ERR_NOT_FOUND || reply->err.code == IMVO_ERR_INVALID_ARGUMENT))
                snprintf (reply->err.field, sizeof reply->err.field, "companies.%u", at + j);
            if (r)
                freeReplyObject (r);
            imvo_args_release (&cmds [j]);
        }
    }
    zhashx_destroy (&seen);
    return rc;
}

int
membership_member_associates (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEMBER_ASSOCIATES_COVENANT].str, *org = f [MEMBER_ASSOCIATES_ORG_ID].str;
    msgpack_sbuffer companies;
    msgpack_sbuffer_init (&companies);
    if (s_check_companies (ctx, f [MEMBER_ASSOCIATES_COMPANIES].obj, &companies, reply)) {
        msgpack_sbuffer_destroy (&companies);
        return -1;
    }
    char today [11];
    membership_today (today);
    imvo_args_t keys, args;
    imvo_named_t named;
    membership_named (&keys, &args, &named, req->type, covenant, "member:%s", org);
    imvo_named_str (&named, "org_id", org);
    imvo_named_bytes (&named, "companies", companies.data, companies.size);
    imvo_named_str (&named, "today", today);
    imvo_named_str (&named, "actor", membership_actor (req));
    imvo_named_done (&named, &args);
    int rc = imvo_commit (ctx, req, covenant, "member_associates", &keys, &args, reply);
    msgpack_sbuffer_destroy (&companies);
    return rc;
}

int
membership_member_associated (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [MEMBER_ASSOCIATED_COVENANT].str;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    return membership_read_tagged (ctx, "member_assoc_read", covenant, "members", "list",
                                   membership_opt (&f [MEMBER_ASSOCIATED_ASSOCIATION]), NULL, reply);
}

int
membership_member_contribute (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEMBER_CONTRIBUTE_COVENANT].str, *org = f [MEMBER_CONTRIBUTE_ORG_ID].str;
    const imvo_value_t *amount = &f [MEMBER_CONTRIBUTE_AMOUNT], *activity = &f [MEMBER_CONTRIBUTE_ACTIVITY];
    const imvo_value_t *description = &f [MEMBER_CONTRIBUTE_DESCRIPTION];
    msgpack_sbuffer c;
    msgpack_sbuffer_init (&c);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &c, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2 + amount->present + activity->present + description->present);
    imvo_pack_kv_str (&pk, "kind", f [MEMBER_CONTRIBUTE_KIND].str);
    imvo_pack_kv_int (&pk, "year", f [MEMBER_CONTRIBUTE_YEAR].i);
    if (amount->present)
        imvo_pack_kv_int (&pk, "amount_eur", amount->i);
    if (activity->present)
        imvo_pack_kv_str (&pk, "activity", activity->str);
    if (description->present)
        imvo_pack_kv_str (&pk, "description", description->str);
    imvo_args_t keys, args;
    imvo_named_t named;
    membership_named (&keys, &args, &named, req->type, covenant, "member:%s", org);
    imvo_named_str (&named, "org_id", org);
    imvo_named_bytes (&named, "contribution", c.data, c.size);
    imvo_named_str (&named, "actor", membership_actor (req));
    imvo_named_done (&named, &args);
    int rc = imvo_commit (ctx, req, covenant, "member_contribute", &keys, &args, reply);
    msgpack_sbuffer_destroy (&c);
    return rc;
}

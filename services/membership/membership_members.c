/*  membership_members: joining and leaving covenants, contributions, member lists. */
#include "membership_internal.h"

//  --- memberships ---------------------------------------------------------------------------

int
membership_member_join (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
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
    membership_today (today);
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "covenant");
    imvo_args_str (&args, org);
    imvo_args_str (&args, f [MEMBER_JOIN_ROLE].str);
    imvo_args_add (&args, groups.data, groups.size);
    for (int i = 0; i < 3; i++)
        imvo_args_add (&args, o->element [i]->type == REDIS_REPLY_STRING ? o->element [i]->str : "",
                       o->element [i]->type == REDIS_REPLY_STRING ? o->element [i]->len : 0);
    imvo_args_str (&args, today);
    imvo_args_str (&args, req->role [0] ? req->role : "local");
    int rc = membership_commit (ctx, req, covenant, "member_join", &keys, &args, reply);
    msgpack_sbuffer_destroy (&groups);
    freeReplyObject (o);
    return rc;
}

int
membership_member_leave (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEMBER_LEAVE_COVENANT].str;
    (void) req;
    char today [11];
    membership_today (today);
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "member:%s", f [MEMBER_LEAVE_ORG_ID].str);
    imvo_args_str (&args, covenant);
    imvo_args_str (&args, f [MEMBER_LEAVE_ORG_ID].str);
    imvo_args_str (&args, membership_opt (&f [MEMBER_LEAVE_REASON]));
    imvo_args_str (&args, today);
    imvo_args_str (&args, req->role [0] ? req->role : "local");
    return membership_commit (ctx, req, covenant, "member_leave", &keys, &args, reply);
}

static int
s_member_read (imvo_ctx_t *ctx, const char *covenant, const char *mode, const char *arg, imvo_reply_t *reply)
{
    return membership_read_tagged (ctx, "member_read", covenant, "members", mode, arg, NULL, reply);
}

//  not_found naming the covenant when it does not exist (reads of an empty set cannot tell).
int
membership_check_covenant (imvo_ctx_t *ctx, const char *covenant, imvo_reply_t *reply)
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

int
membership_member_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (membership_check_covenant (ctx, f [MEMBER_LIST_COVENANT].str, reply))
        return -1;
    return membership_read_page (ctx, "member_read", f [MEMBER_LIST_COVENANT].str, "members",
                                 membership_opt (&f [MEMBER_LIST_ROLE]), "", &f [MEMBER_LIST_LIMIT],
                                 &f [MEMBER_LIST_CURSOR], reply);
}

int
membership_member_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (membership_check_covenant (ctx, f [MEMBER_GET_COVENANT].str, reply))
        return -1;
    return s_member_read (ctx, f [MEMBER_GET_COVENANT].str, "get", f [MEMBER_GET_ORG_ID].str, reply);
}

int
membership_member_unpaid (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    if (membership_check_covenant (ctx, f [MEMBER_UNPAID_COVENANT].str, reply))
        return -1;
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [MEMBER_UNPAID_YEAR].i);
    return s_member_read (ctx, f [MEMBER_UNPAID_COVENANT].str, "unpaid", year, reply);
}

int
membership_member_pay (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [MEMBER_PAY_COVENANT].str;
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "member:%s", f [MEMBER_PAY_ORG_ID].str);
    imvo_args_str (&args, f [MEMBER_PAY_ORG_ID].str);
    imvo_args_fmt (&args, "%lld", (long long) f [MEMBER_PAY_YEAR].i);
    if (f [MEMBER_PAY_AMOUNT].present)
        imvo_args_fmt (&args, "%lld", (long long) f [MEMBER_PAY_AMOUNT].i);
    else
        imvo_args_str (&args, "");
    imvo_args_str (&args, req->role [0] ? req->role : "local");
    return membership_commit (ctx, req, covenant, "member_pay", &keys, &args, reply);
}

/*  membership_orgs: organisations: register, update (carried into their memberships), read. */
#include "membership_internal.h"

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
    return membership_commit (ctx, req, "orgs", "org_register", &keys, &args, reply);
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
    if (membership_commit (ctx, req, "orgs", "org_update", &keys, &args, reply))
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

int
membership_org_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_org_read (ctx, "get", f [ORG_GET_ORG_ID].str, "", reply);
}

int
membership_org_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return membership_read_page (ctx, "org_read", "orgs", "all", membership_opt (&f [ORG_LIST_KIND]),
                                 membership_opt (&f [ORG_LIST_COUNTRY]), &f [ORG_LIST_LIMIT],
                                 &f [ORG_LIST_CURSOR], reply);
}

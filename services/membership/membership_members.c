/*  membership_members: joining and leaving covenants, contributions, member lists. */
#include "membership_internal.h"
#include "membership_dates.h"

//  --- memberships ---------------------------------------------------------------------------

int
membership_member_join (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEMBER_JOIN_COVENANT].str;
    const char *org = f [MEMBER_JOIN_ORG_ID].str;
    (void) req;
    redisReply *o = imvo_redis_cmd (ctx->redis, "HMGET imvo:membership:{orgs}:org:%s name kind market_share_bp country", org);
    if (!o || o->type != REDIS_REPLY_ARRAY || o->elements != 4)
        return imvo_redis_fail_free (o, reply);
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
    if (membership_check_since (req, &f [MEMBER_JOIN_SINCE], &f [MEMBER_JOIN_SOURCE], today, reply)) {
        msgpack_sbuffer_destroy (&groups);
        freeReplyObject (o);
        return -1;
    }
    imvo_args_t keys, args;
    imvo_named_t named;
    membership_named (&keys, &args, &named, req->type, covenant, "covenant");
    imvo_named_str (&named, "org_id", org);
    imvo_named_str (&named, "role", f [MEMBER_JOIN_ROLE].str);
    imvo_named_bytes (&named, "working_groups", groups.data, groups.size);
    //  The organisation's name, kind, market share and country, as org_read gave them.
    static const char *const org_fields [] = { "name", "kind", "share_bp" };
    for (int i = 0; i < 3; i++)
        imvo_named_bytes (&named, org_fields [i], o->element [i]->type == REDIS_REPLY_STRING ? o->element [i]->str : "",
                           o->element [i]->type == REDIS_REPLY_STRING ? o->element [i]->len : 0);
    imvo_named_str (&named, "today", today);
    imvo_named_str (&named, "actor", membership_actor (req));
    imvo_named_str (&named, "country", o->element [3]->type == REDIS_REPLY_STRING ? o->element [3]->str : "");
    imvo_named_str (&named, "since", f [MEMBER_JOIN_SINCE].present ? f [MEMBER_JOIN_SINCE].str : today);
    imvo_named_str (&named, "source", membership_opt (&f [MEMBER_JOIN_SOURCE]));
    imvo_named_done (&named, &args);
    int rc = imvo_commit (ctx, req, covenant, "member_join", &keys, &args, reply);
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
    imvo_args_str (&args, membership_actor (req));
    return imvo_commit (ctx, req, covenant, "member_leave", &keys, &args, reply);
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

//  Org ids in natural order: org-2 before org-10 (glibc's strverscmp compares runs of digits
//  as numbers), so that every client lists members as a person counts them.
static int
s_id_cmp (const void *a, const void *b)
{
    return strverscmp ((const char *) zchunk_data (*(zchunk_t *const *) a),
                       (const char *) zchunk_data (*(zchunk_t *const *) b));
}

//  A covenant's current members by org id in natural order, a page at a time: the set read
//  in pages (SSCAN) and sorted here, the page's memberships read with pipelined HMGETs, so
//  that no call holds Redis for long however many members a covenant has.
int
membership_member_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [MEMBER_LIST_COVENANT].str, *role = membership_opt (&f [MEMBER_LIST_ROLE]);
    const char *after = membership_opt (&f [MEMBER_LIST_CURSOR]);
    size_t limit = f [MEMBER_LIST_LIMIT].present ? (size_t) f [MEMBER_LIST_LIMIT].i : 500;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    char key [96];
    snprintf (key, sizeof key, "imvo:membership:{%s}:members", covenant);
    zlistx_t *set = imvo_redis_scan (ctx->redis, key, false);
    if (!set)
        return imvo_redis_fail (NULL, reply);
    size_t n = zlistx_size (set), k = 0, first = 0;
    zchunk_t **orgs = calloc (n + 1, sizeof *orgs);
    for (zchunk_t *c = zlistx_first (set); c; c = zlistx_next (set))
        orgs [k++] = c;
    qsort (orgs, n, sizeof *orgs, s_id_cmp);
    while (first < n && *after && strverscmp ((const char *) zchunk_data (orgs [first]), after) <= 0)
        first++;
    static const char *const fields [] = { "org_id", "name", "kind", "role", "since", "votes", "working_groups" };
    msgpack_sbuffer page;
    msgpack_sbuffer_init (&page);
    msgpack_packer ppk;
    msgpack_packer_init (&ppk, &page, msgpack_sbuffer_write);
    size_t got = 0, at = first;
    int rc = 0;
    const char *last = NULL;
    //  Batches of memberships until the page is full (a role filter may skip some).
    while (rc == 0 && got < limit && at < n) {
        size_t m = n - at < 256 ? n - at : 256;
        imvo_args_t cmds [256];
        redisReply *out [256];
        for (size_t j = 0; j < m; j++) {
            imvo_args_init (&cmds [j]);
            imvo_args_str (&cmds [j], "HMGET");
            imvo_args_fmt (&cmds [j], "imvo:membership:{%s}:member:%s", covenant,
                           (const char *) zchunk_data (orgs [at + j]));
            for (int x = 0; x < 7; x++)
                imvo_args_str (&cmds [j], fields [x]);
        }
        if (imvo_redis_run_all (ctx->redis, cmds, m, out))
            rc = imvo_redis_fail (NULL, reply);
        for (size_t j = 0; j < m; j++) {
            redisReply *r = out [j];
            bool ok = rc == 0 && r && r->type == REDIS_REPLY_ARRAY && r->elements == 7
                   && r->element [0]->type == REDIS_REPLY_STRING;
            bool wanted = !*role || (r && r->type == REDIS_REPLY_ARRAY && r->elements == 7
                                     && r->element [3]->type == REDIS_REPLY_STRING && streq (r->element [3]->str, role));
            if (ok && got < limit && wanted) {
                msgpack_pack_map (&ppk, 7);
                for (int x = 0; x < 7; x++) {
                    redisReply *v = r->element [x];
                    imvo_pack_str (&ppk, fields [x]);
                    if (v->type != REDIS_REPLY_STRING)
                        msgpack_pack_nil (&ppk);
                    else
                    if (x == 5)
                        (streq (v->str, "1") ? msgpack_pack_true : msgpack_pack_false) (&ppk);
                    else
                    if (x == 6)
                        msgpack_sbuffer_write (&page, v->str, v->len);      //  packed already
                    else
                        imvo_pack_strn (&ppk, v->str, v->len);
                }
                got++;
                last = (const char *) zchunk_data (orgs [at + j]);
            }
            if (r)
                freeReplyObject (r);
            imvo_args_release (&cmds [j]);
        }
        at += m;
    }
    if (rc == 0) {
        //  More to come when members are left after the last one on this page.
        bool more = false;
        for (size_t i = first; last && got == limit && i < n && !more; i++)
            more = strverscmp ((const char *) zchunk_data (orgs [i]), last) > 0;
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, more ? 2 : 1);
        imvo_pack_str (pk, "members");
        msgpack_pack_array (pk, (uint32_t) got);
        msgpack_sbuffer_write (pk->data, page.data, page.size);
        if (more)
            imvo_pack_kv_str (pk, "next_cursor", last);
    }
    msgpack_sbuffer_destroy (&page);
    free (orgs);
    zlistx_destroy (&set);
    return rc;
}

int
membership_member_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (membership_check_covenant (ctx, f [MEMBER_GET_COVENANT].str, reply))
        return -1;
    //  A supporter's contributions (amounts, activities) are between it and the secretariat, as
    //  member.unpaid is: another company or a complainant reads the membership without them.
    const char *org = f [MEMBER_GET_ORG_ID].str;
    bool hidden = streq (req->role, "complainant") || (streq (req->role, "company") && !streq (req->org, org));
    return membership_read_tagged (ctx, "member_read", f [MEMBER_GET_COVENANT].str, "members", "get", org,
                                   hidden ? "0" : "1", reply);
}

//  member.unpaid for a company: only itself, in the list when it owes the year's contribution
//  and has not paid it (the same rule as lua/member_read.lua's 'unpaid').
static int
s_unpaid_self (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, int64_t year, imvo_reply_t *reply)
{
    redisReply *m = imvo_redis_cmd (ctx->redis, "HMGET imvo:membership:{%s}:member:%s owes_contribution status name since",
                                    covenant, req->org);
    redisReply *paid = imvo_redis_cmd (ctx->redis, "HEXISTS imvo:membership:{%s}:paid:%lld %s", covenant,
                                       (long long) year, req->org);
    int rc = 0;
    if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != 4 || !paid || paid->type != REDIS_REPLY_INTEGER)
        rc = imvo_redis_fail (!m || m->type != REDIS_REPLY_ARRAY ? m : paid, reply);
    else {
        bool owes = m->element [0]->type == REDIS_REPLY_STRING && streq (m->element [0]->str, "1")
                 && m->element [1]->type == REDIS_REPLY_STRING && streq (m->element [1]->str, "active")
                 && paid->integer == 0;
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_int (pk, "year", year);
        imvo_pack_str (pk, "unpaid");
        msgpack_pack_array (pk, owes);
        if (owes) {
            msgpack_pack_map (pk, 3);
            imvo_pack_kv_str (pk, "org_id", req->org);
            imvo_pack_kv_str (pk, "name", m->element [2]->type == REDIS_REPLY_STRING ? m->element [2]->str : "");
            imvo_pack_kv_str (pk, "since", m->element [3]->type == REDIS_REPLY_STRING ? m->element [3]->str : "");
        }
    }
    if (m)
        freeReplyObject (m);
    if (paid)
        freeReplyObject (paid);
    return rc;
}

int
membership_member_unpaid (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    if (membership_check_covenant (ctx, f [MEMBER_UNPAID_COVENANT].str, reply))
        return -1;
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [MEMBER_UNPAID_YEAR].i);
    if (streq (req->role, "company"))
        return s_unpaid_self (ctx, req, f [MEMBER_UNPAID_COVENANT].str, f [MEMBER_UNPAID_YEAR].i, reply);
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
    imvo_args_str (&args, membership_actor (req));
    return imvo_commit (ctx, req, covenant, "member_pay", &keys, &args, reply);
}

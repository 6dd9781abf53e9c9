/*  complaints_link_queue: the cases that name a production location wait in
    imvo:complaints:{<covenant>}:to_link (a zset of "<case id> <location id>" by time received,
    written by complaint_submit.lua) until the companies that disclosed the place are linked to
    the case (complaint_link.lua, which takes the entry out in the same step).

    Why a queue of its own: complaints used to read all its own complaint.received events with a
    consumer group to find the few that name a place, and every complaint then cost Redis a
    pending entry, its XCLAIM record in the AOF, its part of an XREADGROUP reply and an XACK
    (about 480 of a complaint's 3,200 AOF bytes; issue 21, 6). A complaint without a place now
    costs nothing here.

    A timer (every 250 ms) takes each covenant's oldest S_STEP entries, asks membership's
    location.sourcing (as a service) which companies disclosed each place, in any covenant and
    year, and links the case: at least once, as the consumer was. An entry whose link failed
    stays for a later run; an unknown place links nobody and its entry goes. Two daemons at once
    only ask twice: the script links a case once. While membership does not answer, the timer
    leaves the queue alone for S_BACKOFF_MS, so that the other timers (deadlines) are not held.

    After an upgrade (complaints_link_queue_start): the complaint.received events that the
    former consumer group ("complaints" on complaints' own streams) had not settled are queued
    here, and the group is removed, so that it holds back no trimming of the streams.
*/
#include "complaints_server.h"
#include "imvo_client.h"

#define S_STEP 16               //  entries of a covenant a run takes
#define S_BACKOFF_MS 5000       //  after membership did not answer

static int64_t s_quiet_until;   //  the timers' thread only

static int
s_linked (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    return imvo_outbox_commit (ctx, r, reply);
}

//  Links one case (entry: "<case id> <location id>") to the companies that disclosed its
//  place. 0 when it is done (or the place is unknown: its entry goes), -1 to try again later.
static int
s_link (imvo_ctx_t *ctx, imvo_client_t *membership, const char *covenant, const char *entry)
{
    char case_id [72], location [72];
    const char *space = strchr (entry, ' ');
    if (!space || space - entry >= (long) sizeof case_id || strlen (space + 1) >= sizeof location
    ||  !space [1]) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "ZREM imvo:complaints:{%s}:to_link %s", covenant, entry);
        if (r)
            freeReplyObject (r);
        return 0;                   //  not an entry of ours
    }
    snprintf (case_id, sizeof case_id, "%.*s", (int) (space - entry), entry);
    snprintf (location, sizeof location, "%s", space + 1);
    msgpack_sbuffer body;
    imvo_pack_one_str (&body, "location_id", location);
    imvo_response_t resp;
    int rc = imvo_client_call (membership, "location.sourcing", NULL, body.data, body.size, &resp);
    msgpack_sbuffer_destroy (&body);
    if (rc || !resp.ok) {
        //  Membership away: tried again later. An unknown place links nobody.
        bool unknown = rc == 0 && resp.err.code == IMVO_ERR_NOT_FOUND;
        if (!unknown)
            zsys_warning ("membership did not say who sources at %s (case %s): %s; tried again", location, case_id,
                          rc ? resp.err.message : imvo_err_name (resp.err.code));
        imvo_response_release (&resp);
        if (!unknown)
            return -1;
        redisReply *r = imvo_redis_cmd (ctx->redis, "ZREM imvo:complaints:{%s}:to_link %s", covenant, entry);
        rc = r && r->type != REDIS_REPLY_ERROR ? 0 : -1;
        if (r)
            freeReplyObject (r);
        return rc;
    }
    const msgpack_object *companies = imvo_map_get (resp.body, "companies");
    msgpack_sbuffer packed;
    msgpack_sbuffer_init (&packed);
    msgpack_packer ppk;
    msgpack_packer_init (&ppk, &packed, msgpack_sbuffer_write);
    if (companies && companies->type == MSGPACK_OBJECT_ARRAY)
        msgpack_pack_object (&ppk, *companies);
    else
        msgpack_pack_array (&ppk, 0);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:idem:-", covenant);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:to_link", covenant);
    imvo_args_str (&args, "0");
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_add (&args, packed.data, packed.size);
    imvo_args_str (&args, entry);
    //  Each company once, though it may have disclosed the place in several covenants.
    zhashx_t *seen = zhashx_new ();
    for (uint32_t i = 0; companies && companies->type == MSGPACK_OBJECT_ARRAY && i < companies->via.array.size; i++) {
        char org [72];
        if (imvo_obj_strcpy (imvo_map_get (&companies->via.array.ptr [i], "org_id"), org, sizeof org) == 0
        &&  zhashx_insert (seen, org, (void *) 1) == 0)
            imvo_args_fmt (&args, "%s", org);
    }
    zhashx_destroy (&seen);
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    rc = imvo_script_call (ctx, &reply, "complaint_link", &keys, &args, s_linked);
    imvo_reply_release (&reply);
    msgpack_sbuffer_destroy (&packed);
    imvo_response_release (&resp);
    return rc;
}

//  Timer: every covenant's cases waiting to be linked, S_STEP of each a run.
void
complaints_link_queue_run (imvo_ctx_t *ctx)
{
    if (imvo_now_ms () < s_quiet_until)
        return;
    zlist_t *covenants = complaints_covenants (ctx);
    imvo_client_t *membership = NULL;
    bool away = false;
    for (const char *covenant = covenants ? zlist_first (covenants) : NULL; covenant && !away;
         covenant = zlist_next (covenants)) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:complaints:{%s}:to_link 0 %d", covenant, S_STEP - 1);
        for (size_t j = 0; !away && r && r->type == REDIS_REPLY_ARRAY && j < r->elements; j++) {
            if (!membership)
                membership = imvo_ctx_client (ctx, "membership", 2000, 1);
            if (!membership || s_link (ctx, membership, covenant, r->element [j]->str))
                away = true;
        }
        if (r)
            freeReplyObject (r);
    }
    if (away)
        s_quiet_until = imvo_now_ms () + S_BACKOFF_MS;
    zlist_destroy (&covenants);
}

//  The former consumer group's unsettled events of one stream go to the covenant's queue,
//  then the group goes. Its pending entries and those it had not read yet: from the oldest
//  pending entry on, else from after the last one it read.
static void
s_upgrade (imvo_ctx_t *ctx, const char *stream, const char *covenant)
{
    redisReply *groups = imvo_redis_cmd (ctx->redis, "XINFO GROUPS %s", stream);
    char from [64] = "";
    bool found = false;
    for (size_t i = 0; groups && groups->type == REDIS_REPLY_ARRAY && i < groups->elements; i++) {
        redisReply *g = groups->element [i];
        const char *name = NULL, *last = NULL;
        long long pending = 0;
        for (size_t k = 0; g->type == REDIS_REPLY_ARRAY && k + 1 < g->elements; k += 2) {
            const char *field = g->element [k]->str;
            redisReply *v = g->element [k + 1];
            if (field && streq (field, "name") && v->type == REDIS_REPLY_STRING)
                name = v->str;
            else if (field && streq (field, "last-delivered-id") && v->type == REDIS_REPLY_STRING)
                last = v->str;
            else if (field && streq (field, "pending") && v->type == REDIS_REPLY_INTEGER)
                pending = v->integer;
        }
        if (name && streq (name, "complaints") && last) {
            found = true;
            snprintf (from, sizeof from, "(%s", last);
            if (pending > 0) {
                redisReply *p = imvo_redis_cmd (ctx->redis, "XPENDING %s complaints", stream);
                if (p && p->type == REDIS_REPLY_ARRAY && p->elements >= 2 && p->element [1]->type == REDIS_REPLY_STRING)
                    snprintf (from, sizeof from, "%s", p->element [1]->str);
                else
                    found = false;      //  not now: at the next start
                if (p)
                    freeReplyObject (p);
            }
        }
    }
    if (groups)
        freeReplyObject (groups);
    bool done = found;
    while (done) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "XRANGE %s %s + COUNT 200", stream, from);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            done = false;
            if (r)
                freeReplyObject (r);
            break;
        }
        for (size_t i = 0; done && i < r->elements; i++) {
            redisReply *e = r->element [i], *fields = e->element [1];
            snprintf (from, sizeof from, "(%s", e->element [0]->str);
            bool received = false;
            const char *body = NULL;
            size_t body_len = 0;
            for (size_t k = 0; fields->type == REDIS_REPLY_ARRAY && k + 1 < fields->elements; k += 2) {
                const char *field = fields->element [k]->str;
                if (field && streq (field, "type"))
                    received = fields->element [k + 1]->str && streq (fields->element [k + 1]->str, "complaint.received");
                else if (field && streq (field, "body")) {
                    body = fields->element [k + 1]->str;
                    body_len = fields->element [k + 1]->len;
                }
            }
            msgpack_zone zone;
            msgpack_zone_init (&zone, 1024);
            msgpack_object o;
            const char *why;
            char case_id [72], location [72];
            if (received && body && imvo_msg_unpack (body, body_len, &zone, &o, &why) == 0
            &&  imvo_obj_strcpy (imvo_map_get (&o, "location_id"), location, sizeof location) == 0
            &&  imvo_obj_strcpy (imvo_map_get (&o, "case_id"), case_id, sizeof case_id) == 0) {
                char member [160];
                snprintf (member, sizeof member, "%s %s", case_id, location);
                redisReply *z = imvo_redis_cmd (ctx->redis, "ZADD imvo:complaints:{%s}:to_link %lld %s", covenant,
                                                strtoll (e->element [0]->str, NULL, 10), member);
                done = z && z->type == REDIS_REPLY_INTEGER;
                if (z)
                    freeReplyObject (z);
            }
            msgpack_zone_destroy (&zone);
        }
        bool more = r->elements == 200;
        freeReplyObject (r);
        if (!more)
            break;
    }
    if (done) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "XGROUP DESTROY %s complaints", stream);
        if (!r || r->type == REDIS_REPLY_ERROR)
            zsys_warning ("cannot remove the former consumer group of %s: %s", stream, r ? r->str : "no reply");
        if (r)
            freeReplyObject (r);
    }
}

void
complaints_link_queue_start (imvo_ctx_t *ctx)
{
    zlist_t *covenants = complaints_covenants (ctx);
    for (const char *covenant = covenants ? zlist_first (covenants) : NULL; covenant; covenant = zlist_next (covenants)) {
        char stream [80];
        snprintf (stream, sizeof stream, "imvo:complaints:{%s}:events", covenant);
        s_upgrade (ctx, stream, covenant);
    }
    zlist_destroy (&covenants);
}

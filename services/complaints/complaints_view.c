/*  complaints_view: complaints' own view of each covenant's members, so that complaint.submit
    checks the respondent inside its own script without asking membership. Built once from
    membership's member.list (at start, then retried by a timer until it worked), kept
    current from member.joined / member.left (lua/member_view.lua, lua/member_view_build.lua).
    See complaints_server.h.
*/
#include "complaints_server.h"
#include "imvo_client.h"

#include <stdatomic.h>

//  The daemon's shared state: whether the members of every covenant have been read from
//  membership once (then a covenant without a view does not exist).
typedef struct {
    atomic_int views_ready;
} s_state_t;

static s_state_t s_state;

#define S_VIEWS_BUILT "imvo:complaints:views_built"

//  The keys of a covenant's members view (lua/member_view.lua), and empty arguments.
static void
s_view_args (const char *covenant, imvo_args_t *keys, imvo_args_t *args)
{
    imvo_args_init (keys);
    imvo_args_init (args);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:members", covenant);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:member_events", covenant);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:view", covenant);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:view_at", covenant);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:member_words", covenant);
}

//  The words of an organisation's name (NULL: none), separated by spaces, appended to args:
//  a case is found by its respondent's name (complaint.list's q).
static void
s_name_words (const msgpack_object *name, imvo_args_t *args)
{
    zhashx_t *words = zhashx_new ();
    char *text = imvo_obj_is_str (name) ? imvo_obj_strdup (name) : NULL;
    if (text)
        complaints_words (text, words, 64);
    free (text);
    char list [4096] = "";
    size_t used = 0;
    for (void *v = zhashx_first (words); v; v = zhashx_next (words)) {
        const char *w = zhashx_cursor (words);
        if (used + strlen (w) + 2 < sizeof list)
            used += (size_t) snprintf (list + used, sizeof list - used, "%s%s", used ? " " : "", w);
    }
    imvo_args_fmt (args, "%s", list);
    zhashx_destroy (&words);
}

//  Reads one covenant's members from membership into complaints' view. 0 on success.
static int
s_build_view (imvo_ctx_t *ctx, imvo_client_t *membership, const char *covenant)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    char cursor [72] = "";
    int rc = 0;
    //  member.list a page at a time; the last page marks the view built.
    do {
        msgpack_sbuffer_clear (&body);
        msgpack_pack_map (&pk, cursor [0] ? 3 : 2);
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_int (&pk, "limit", 1000);
        if (cursor [0])
            imvo_pack_kv_str (&pk, "cursor", cursor);
        imvo_response_t resp;
        rc = -1;
        if (imvo_client_call (membership, "member.list", NULL, body.data, body.size, &resp) == 0 && resp.ok) {
            const msgpack_object *members = imvo_map_get (resp.body, "members");
            if (imvo_obj_strcpy (imvo_map_get (resp.body, "next_cursor"), cursor, sizeof cursor))
                cursor [0] = 0;
            imvo_args_t keys, args;
            s_view_args (covenant, &keys, &args);
            imvo_args_str (&args, cursor [0] ? "0" : "1");
            for (uint32_t i = 0; members && members->type == MSGPACK_OBJECT_ARRAY && i < members->via.array.size; i++) {
                const msgpack_object *m = &members->via.array.ptr [i];
                const msgpack_object *org = imvo_map_get (m, "org_id"), *kind = imvo_map_get (m, "kind");
                const msgpack_object *status = imvo_map_get (m, "status");
                if (!imvo_obj_is_str (org) || !imvo_obj_is_str (kind) || (status && !imvo_obj_streq (status, "active")))
                    continue;
                imvo_args_add (&args, org->via.str.ptr, org->via.str.size);
                imvo_args_add (&args, kind->via.str.ptr, kind->via.str.size);
                s_name_words (imvo_map_get (m, "name"), &args);
            }
            redisReply *r = imvo_redis_eval (ctx->redis, "member_view_build", &keys, &args);
            rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
            if (r && rc)
                zsys_error ("cannot build the members view of %s: %s", covenant, r->type == REDIS_REPLY_ERROR ? r->str : "?");
            if (r)
                freeReplyObject (r);
            imvo_args_release (&keys);
            imvo_args_release (&args);
        }
        imvo_response_release (&resp);
    } while (rc == 0 && cursor [0]);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

//  Reads the members of every covenant that has no view yet from membership. 0 when every
//  covenant has one; -1 when membership or Redis did not answer (tried again later).
static int
s_build_views (imvo_ctx_t *ctx, int timeout_ms)
{
    redisReply *built = imvo_redis_cmd (ctx->redis, "EXISTS %s", S_VIEWS_BUILT);
    bool done = built && built->type == REDIS_REPLY_INTEGER && built->integer == 1;
    if (built)
        freeReplyObject (built);
    if (done) {
        atomic_store (&s_state.views_ready, 1);
        return 0;
    }
    imvo_client_t *membership = imvo_ctx_client (ctx, "membership", timeout_ms, 1);
    if (!membership)
        return -1;
    imvo_response_t resp;
    int rc = -1;
    if (imvo_client_call (membership, "covenant.list", NULL, NULL, 0, &resp) == 0 && resp.ok) {
        rc = 0;
        const msgpack_object *list = imvo_map_get (resp.body, "covenants");
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size && rc == 0; i++) {
            char code [40];
            if (imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "code"), code, sizeof code))
                continue;
            redisReply *r = imvo_redis_cmd (ctx->redis, "EXISTS imvo:complaints:{%s}:view", code);
            bool have = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
            if (r)
                freeReplyObject (r);
            if (!have)
                rc = s_build_view (ctx, membership, code);
        }
    }
    imvo_response_release (&resp);
    if (rc == 0) {
        redisReply *r = imvo_redis_cmd (ctx->redis, "SET %s 1", S_VIEWS_BUILT);
        if (r)
            freeReplyObject (r);
        atomic_store (&s_state.views_ready, 1);
        zsys_info ("read the members of every covenant from membership");
    }
    return rc;
}

int
complaints_views_start (imvo_ctx_t *ctx)
{
    //  One short try; the timer keeps trying while membership is not there.
    if (s_build_views (ctx, 1500))
        zsys_warning ("membership did not answer: complaints to covenants it has not read "
                      "yet get 'unavailable' until it does");
    return 0;
}

//  Timer: build the views until that has worked once.
void
complaints_views_build (imvo_ctx_t *ctx)
{
    if (!atomic_load (&s_state.views_ready))
        s_build_views (ctx, 3000);
}

static int
s_view_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    (void) ctx;
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : imvo_redis_fail (r, reply);
    if (r)
        freeReplyObject (r);
    return rc;
}

//  member.joined / member.left from membership: keep the members view current.
int
complaints_on_member_event (imvo_ctx_t *ctx, const imvo_event_t *ev)
{
    bool joined = streq (ev->type, "member.joined");
    if (!joined && !streq (ev->type, "member.left"))
        return 0;
    char covenant [40], org [72], kind [40] = "";
    if (imvo_obj_strcpy (imvo_map_get (&ev->body, "covenant"), covenant, sizeof covenant)
    ||  imvo_obj_strcpy (imvo_map_get (&ev->body, "org_id"), org, sizeof org)
    ||  (joined && imvo_obj_strcpy (imvo_map_get (&ev->body, "kind"), kind, sizeof kind))) {
        zsys_error ("event %s (%s) lacks covenant, org_id or kind: ignored", ev->id, ev->type);
        return 0;
    }
    imvo_args_t keys, args;
    s_view_args (covenant, &keys, &args);
    imvo_args_str (&args, ev->id);
    imvo_args_str (&args, joined ? "joined" : "left");
    imvo_args_str (&args, org);
    imvo_args_str (&args, kind);
    s_name_words (joined ? imvo_map_get (&ev->body, "name") : NULL, &args);
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    int rc = imvo_script_call (ctx, &reply, "member_view", &keys, &args, s_view_done);
    imvo_reply_release (&reply);
    return rc;
}

bool
complaints_views_ready (void)
{
    return atomic_load (&s_state.views_ready);
}

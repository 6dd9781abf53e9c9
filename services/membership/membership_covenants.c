/*  membership_covenants: the seed data (the ten covenants, built in) and covenant.get/list. */
#include "membership_internal.h"

//  --- seed data -----------------------------------------------------------------------------


int
membership_load_seeds (imvo_ctx_t *ctx)
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

int
membership_covenant_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    s_covenant_keys (&keys, f [COVENANT_GET_CODE].str);
    imvo_args_fmt (&args, "imvo:membership:{%s}", f [COVENANT_GET_CODE].str);
    imvo_args_str (&args, "full");
    char today [11];
    membership_today (today);
    imvo_args_str (&args, today);
    int rc = membership_read (ctx, "covenant_get", &keys, &args, reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

int
membership_covenant_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    (void) f;
    redisReply *codes = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:membership:{catalog}:covenants 0 -1");
    if (!codes || codes->type != REDIS_REPLY_ARRAY)
        return imvo_redis_fail_free (codes, reply);
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_sbuffer items;
    msgpack_sbuffer_init (&items);
    uint32_t n = 0;
    int rc = 0;
    char today [11];
    membership_today (today);
    for (size_t i = 0; i < codes->elements && rc == 0; i++) {
        imvo_args_t keys, args;
        imvo_args_init (&keys);
        imvo_args_init (&args);
        s_covenant_keys (&keys, codes->element [i]->str);
        imvo_args_fmt (&args, "imvo:membership:{%s}", codes->element [i]->str);
        imvo_args_str (&args, "summary");
        imvo_args_str (&args, today);
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

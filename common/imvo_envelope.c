/*  imvo_envelope: decoding and packing of the envelopes (proto/README.md).
    The decoder is the first line of defence against hostile frames: imvo_msg_unpack checks
    sizes and depth before msgpack-c allocates, then each envelope key is checked for type
    and length here, so handlers only ever see a well-formed request.
*/
#include "imvo_envelope.h"
#include "imvo_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *s_err_names [IMVO_ERR_COUNT] = {
    [IMVO_ERR_NONE] = "ok",
    [IMVO_ERR_BAD_REQUEST] = "bad_request",
    [IMVO_ERR_UNKNOWN_TYPE] = "unknown_type",
    [IMVO_ERR_INVALID_ARGUMENT] = "invalid_argument",
    [IMVO_ERR_NOT_FOUND] = "not_found",
    [IMVO_ERR_CONFLICT] = "conflict",
    [IMVO_ERR_FORBIDDEN] = "forbidden",
    [IMVO_ERR_TOO_LARGE] = "too_large",
    [IMVO_ERR_BUSY] = "busy",
    [IMVO_ERR_UNAVAILABLE] = "unavailable",
    [IMVO_ERR_INTERNAL] = "internal",
};

const char *
imvo_err_name (imvo_err_t code)
{
    return code < IMVO_ERR_COUNT ? s_err_names [code] : "internal";
}

imvo_err_t
imvo_err_from_name (const char *name, size_t len)
{
    for (int i = 1; i < IMVO_ERR_COUNT; i++)
        if (strlen (s_err_names [i]) == len && memcmp (s_err_names [i], name, len) == 0)
            return (imvo_err_t) i;
    return IMVO_ERR_INTERNAL;
}

static int
s_error_vset (imvo_error_t *err, imvo_err_t code, const char *field, const char *fmt, va_list ap)
{
    err->code = code;
    snprintf (err->field, sizeof err->field, "%s", field ? field : "");
    vsnprintf (err->message, sizeof err->message, fmt, ap);
    return -1;
}

int
imvo_error_set (imvo_error_t *err, imvo_err_t code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_error_vset (err, code, field, fmt, ap);
    va_end (ap);
    return -1;
}

//  Copies an optional string envelope key with a length limit.
static int
s_env_str (const msgpack_object *root, const char *name, char *buf, size_t bufsize,
           size_t min_len, bool required, imvo_error_t *err)
{
    const msgpack_object *o = imvo_map_get (root, name);
    buf [0] = 0;
    if (!o || o->type == MSGPACK_OBJECT_NIL) {
        if (required)
            return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, name, "envelope key '%s' is missing", name);
        return 0;
    }
    if (o->type != MSGPACK_OBJECT_STR)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, name, "envelope key '%s' must be a string", name);
    if (o->via.str.size < min_len || o->via.str.size >= bufsize)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, name,
                               "envelope key '%s' must be %zu to %zu bytes", name, min_len, bufsize - 1);
    //  Envelope strings come back in replies and logs: valid UTF-8 without control bytes.
    if (!imvo_proto_format_ok (IMVO_FMT_LINE, o->via.str.ptr, o->via.str.size))
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, name,
                               "envelope key '%s' must be one line of valid UTF-8", name);
    memcpy (buf, o->via.str.ptr, o->via.str.size);
    buf [o->via.str.size] = 0;
    return 0;
}

int
imvo_request_decode (imvo_request_t *req, const void *data, size_t size, imvo_error_t *err)
{
    memset (req, 0, sizeof *req);
    msgpack_zone_init (&req->zone, 2048);
    const char *why = NULL;
    if (imvo_msg_unpack ((const char *) data, size, &req->zone, &req->root, &why))
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "", "request is not readable msgpack: %s", why);
    if (req->root.type != MSGPACK_OBJECT_MAP)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "", "request must be a msgpack map");
    //  The id first, so that every later error can be correlated by the client.
    if (s_env_str (&req->root, "id", req->id, sizeof req->id, 1, true, err))
        return -1;
    const msgpack_object *v = imvo_map_get (&req->root, "v");
    int64_t version;
    if (!v)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "v", "envelope key 'v' is missing");
    if (imvo_obj_int (v, &version))
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "v", "envelope key 'v' must be an integer");
    if (version != IMVO_PROTOCOL_VERSION)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "v",
                               "protocol version %lld is not supported (this daemon speaks 1)",
                               (long long) version);
    if (s_env_str (&req->root, "type", req->type, sizeof req->type, 1, true, err))
        return -1;
    if (!imvo_proto_format_ok (IMVO_FMT_ID, req->type, strlen (req->type)))
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "type", "envelope key 'type' must be printable ASCII");
    if (s_env_str (&req->root, "key", req->key, sizeof req->key, 1, false, err))
        return -1;
    const msgpack_object *actor = imvo_map_get (&req->root, "actor");
    if (actor && actor->type != MSGPACK_OBJECT_NIL) {
        if (actor->type != MSGPACK_OBJECT_MAP)
            return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "actor", "envelope key 'actor' must be a map");
        imvo_error_t sub;
        if (s_env_str (actor, "role", req->role, sizeof req->role, 1, false, &sub))
            return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "actor.role", "actor.role must be a string of 1 to 32 bytes");
        //  A complainant has no organisation: actor.org may be absent, nil or "".
        if (s_env_str (actor, "org", req->org, sizeof req->org, 0, false, &sub))
            return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "actor.org", "actor.org must be a string of at most 64 bytes");
        if (s_env_str (actor, "person", req->person, sizeof req->person, 0, false, &sub)
        ||  !imvo_proto_format_ok (IMVO_FMT_ID, req->person, strlen (req->person)))
            return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "actor.person",
                                   "actor.person must be a username: printable ASCII without spaces, at most 64 bytes");
    }
    req->body = imvo_map_get (&req->root, "body");
    if (!req->body)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "body", "envelope key 'body' is missing");
    if (req->body->type != MSGPACK_OBJECT_MAP)
        return imvo_error_set (err, IMVO_ERR_BAD_REQUEST, "body", "envelope key 'body' must be a map");
    return 0;
}

void
imvo_request_release (imvo_request_t *req)
{
    msgpack_zone_destroy (&req->zone);
}

void
imvo_request_pack (msgpack_sbuffer *out, const char *id, const char *type, const char *key,
                   const char *role, const char *org, const char *body, size_t body_len)
{
    imvo_request_pack_as (out, id, type, key, role, org, NULL, body, body_len);
}

void
imvo_request_pack_as (msgpack_sbuffer *out, const char *id, const char *type, const char *key,
                      const char *role, const char *org, const char *person, const char *body, size_t body_len)
{
    if (person && !*person)
        person = NULL;
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    bool actor = role || org;
    msgpack_pack_map (&pk, 4 + (key != NULL) + actor);
    imvo_pack_kv_int (&pk, "v", IMVO_PROTOCOL_VERSION);
    imvo_pack_kv_str (&pk, "id", id);
    imvo_pack_kv_str (&pk, "type", type);
    if (key)
        imvo_pack_kv_str (&pk, "key", key);
    if (actor) {
        imvo_pack_str (&pk, "actor");
        msgpack_pack_map (&pk, (role != NULL) + (org != NULL) + (person != NULL));
        if (role)
            imvo_pack_kv_str (&pk, "role", role);
        if (org)
            imvo_pack_kv_str (&pk, "org", org);
        if (person)
            imvo_pack_kv_str (&pk, "person", person);
    }
    imvo_pack_str (&pk, "body");
    if (body && body_len)
        msgpack_sbuffer_write (out, body, body_len);
    else
        msgpack_pack_map (&pk, 0);
}

void
imvo_reply_init (imvo_reply_t *reply)
{
    memset (reply, 0, sizeof *reply);
    msgpack_sbuffer_init (&reply->body);
    msgpack_packer_init (&reply->pk, &reply->body, msgpack_sbuffer_write);
}

void
imvo_reply_release (imvo_reply_t *reply)
{
    msgpack_sbuffer_destroy (&reply->body);
}

void
imvo_reply_reset (imvo_reply_t *reply)
{
    msgpack_sbuffer_clear (&reply->body);
    memset (&reply->err, 0, sizeof reply->err);
    reply->audit [0] = 0;
    reply->audit_target [0] = 0;
}

msgpack_packer *
imvo_reply_pk (imvo_reply_t *reply)
{
    return &reply->pk;
}

void
imvo_reply_raw (imvo_reply_t *reply, const char *data, size_t len)
{
    msgpack_sbuffer_clear (&reply->body);
    msgpack_sbuffer_write (&reply->body, data, len);
}

int
imvo_reply_fail (imvo_reply_t *reply, imvo_err_t code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_error_vset (&reply->err, code, field, fmt, ap);
    va_end (ap);
    return -1;
}

bool
imvo_actor_staff (const imvo_request_t *req)
{
    return strcmp (req->role, "secretariat") == 0 || strcmp (req->role, "committee") == 0;
}

void
imvo_reply_pack (msgpack_sbuffer *out, const char *id, const imvo_reply_t *reply)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4);
    imvo_pack_kv_int (&pk, "v", IMVO_PROTOCOL_VERSION);
    imvo_pack_kv_str (&pk, "id", id && *id ? id : NULL);
    bool ok = reply->err.code == IMVO_ERR_NONE;
    imvo_pack_kv_bool (&pk, "ok", ok);
    if (ok) {
        imvo_pack_str (&pk, "body");
        if (reply->body.size)
            msgpack_sbuffer_write (out, reply->body.data, reply->body.size);
        else
            msgpack_pack_map (&pk, 0);
    }
    else {
        imvo_pack_str (&pk, "error");
        msgpack_pack_map (&pk, reply->err.field [0] ? 3 : 2);
        imvo_pack_kv_str (&pk, "code", imvo_err_name (reply->err.code));
        imvo_pack_kv_str (&pk, "message", reply->err.message);
        if (reply->err.field [0])
            imvo_pack_kv_str (&pk, "field", reply->err.field);
    }
}

int
imvo_response_decode (imvo_response_t *resp, const void *data, size_t size)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 2048);
    const char *why = NULL;
    //  msgpack-c points strings into the buffer it unpacks: give the response its own copy,
    //  in its zone, so it stays readable after the caller frees the frame it came in.
    char *copy = size ? msgpack_zone_malloc (&resp->zone, size) : NULL;
    if (size && !copy)
        return imvo_error_set (&resp->err, IMVO_ERR_INTERNAL, "", "no memory for a reply of %zu bytes", size);
    if (size)
        memcpy (copy, data, size);
    data = copy;
    //  Replies come from our own daemons and may be long lists: sizes and depth are still
    //  checked, the object count only against the bytes the frame has.
    if (imvo_msg_unpack_items ((const char *) data, size, IMVO_MSG_MAX_REPLY_ITEMS, &resp->zone, &resp->root, &why))
        return imvo_error_set (&resp->err, IMVO_ERR_INTERNAL, "", "reply is not readable: %s", why);
    if (resp->root.type != MSGPACK_OBJECT_MAP)
        return imvo_error_set (&resp->err, IMVO_ERR_INTERNAL, "", "reply is not a map");
    imvo_obj_strcpy (imvo_map_get (&resp->root, "id"), resp->id, sizeof resp->id);
    const msgpack_object *ok = imvo_map_get (&resp->root, "ok");
    resp->ok = ok && ok->type == MSGPACK_OBJECT_BOOLEAN && ok->via.boolean;
    if (resp->ok) {
        resp->body = imvo_map_get (&resp->root, "body");
        if (!resp->body || resp->body->type != MSGPACK_OBJECT_MAP) {
            resp->ok = false;                   //  "ok" promises a body map: not this one
            resp->body = NULL;
            return imvo_error_set (&resp->err, IMVO_ERR_INTERNAL, "body", "ok reply without a body map");
        }
        return 0;
    }
    const msgpack_object *e = imvo_map_get (&resp->root, "error");
    const msgpack_object *code = imvo_map_get (e, "code");
    resp->err.code = imvo_obj_is_str (code)
                   ? imvo_err_from_name (code->via.str.ptr, code->via.str.size)
                   : IMVO_ERR_INTERNAL;
    imvo_obj_strcpy (imvo_map_get (e, "message"), resp->err.message, sizeof resp->err.message);
    imvo_obj_strcpy (imvo_map_get (e, "field"), resp->err.field, sizeof resp->err.field);
    return 0;
}

void
imvo_response_release (imvo_response_t *resp)
{
    msgpack_zone_destroy (&resp->zone);
}

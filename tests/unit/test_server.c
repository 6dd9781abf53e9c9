/*  test_server: the runtime as an in-process actor (imvo_server_actor), bound to
    tcp://127.0.0.1:* and asked over a real DEALER socket: the checks before a handler (decoding,
    unknown types, who may send what, the catalogue's fields), a worker handler and a
    pipelined one, and Redis being unreachable. No process is spawned and no port is guessed.
*/
#include "imvo_msg.h"
#include "imvo_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_failures, s_checks;

#define CHECK(cond, ...) do { \
    s_checks++; \
    if (!(cond)) { \
        s_failures++; \
        fprintf (stderr, "%s:%d: ", __FILE__, __LINE__); \
        fprintf (stderr, __VA_ARGS__); \
        fputc ('\n', stderr); \
    } \
} while (0)

//  covenant.list (anyone) on a worker: says where it ran.
static int
s_covenant_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req, (void) f;
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_kv_int (pk, "worker", ctx->worker);
    return 0;
}

//  complaint.get in the poll loop: one script call, which needs Redis.
static int
s_complaint_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req, (void) f;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&keys, "imvo:selftest:{x}:events");
    imvo_args_str (&args, "0-0");
    return imvo_script_call (ctx, reply, "consumer_trim", &keys, &args, imvo_packed_done);
}

//  Handlers of other daemons' messages (where each runs is its catalogue entry's): the actor
//  form runs them; imvo_service_run would refuse (imvo_service_check, tested below).
static const imvo_handler_t s_handlers [] = {
    { "covenant.list", s_covenant_list },
    { "complaint.get", s_complaint_get },
    { "location.sourcing", s_covenant_list },
    { NULL, NULL } };

static const imvo_service_def_t s_def = { .name = "selftest", .handlers = s_handlers };

//  Sends one frame, returns the reply unpacked into zone (a map), or a nil object on timeout.
static msgpack_object
s_ask (zsock_t *client, const char *data, size_t size, msgpack_zone *zone)
{
    zframe_t *frame = zframe_new (data, size);
    zframe_send (&frame, client, 0);
    msgpack_object out = { .type = MSGPACK_OBJECT_NIL };
    zsock_set_rcvtimeo (client, 5000);
    zframe_t *reply = zframe_recv (client);
    const char *why;
    //  The unpacked strings point into the bytes: keep them in the zone.
    char *copy = reply ? msgpack_zone_malloc (zone, zframe_size (reply) + 1) : NULL;
    if (copy)
        memcpy (copy, zframe_data (reply), zframe_size (reply));
    if (!copy || imvo_msg_unpack (copy, zframe_size (reply), zone, &out, &why))
        out.type = MSGPACK_OBJECT_NIL;
    zframe_destroy (&reply);
    return out;
}

//  A request envelope of type with body (packed map given as key, value string pairs) and an
//  actor role (NULL: none).
static msgpack_object
s_request (zsock_t *client, const char *type, const char *role, const char *field, const char *value,
           msgpack_zone *zone)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, role ? 5 : 4);
    imvo_pack_kv_int (&pk, "v", 1);
    imvo_pack_kv_str (&pk, "id", "req-1");
    imvo_pack_kv_str (&pk, "type", type);
    imvo_pack_str (&pk, "body");
    msgpack_pack_map (&pk, field ? 1 : 0);
    if (field)
        imvo_pack_kv_str (&pk, field, value);
    if (role) {
        imvo_pack_str (&pk, "actor");
        msgpack_pack_map (&pk, 1);
        imvo_pack_kv_str (&pk, "role", role);
    }
    msgpack_object out = s_ask (client, buf.data, buf.size, zone);
    msgpack_sbuffer_destroy (&buf);
    return out;
}

static bool
s_ok (const msgpack_object *reply)
{
    const msgpack_object *ok = imvo_map_get (reply, "ok");
    return ok && ok->type == MSGPACK_OBJECT_BOOLEAN && ok->via.boolean;
}

//  The reply's error code and field as "code field" in buf.
static const char *
s_error (const msgpack_object *reply, char *buf, size_t size)
{
    char code [32] = "", field [64] = "";
    const msgpack_object *c = imvo_map_path (reply, "error.code"), *f = imvo_map_path (reply, "error.field");
    if (c)
        imvo_obj_strcpy (c, code, sizeof code);
    if (f)
        imvo_obj_strcpy (f, field, sizeof field);
    snprintf (buf, size, "%s %s", code, field);
    return buf;
}

static void
s_check_server (zactor_t *server)
{
    int port = -1, events_port = -1;
    CHECK (zsock_recv (server, "ii", &port, &events_port) == 0, "no ports reported");
    CHECK (port > 0 && events_port > 0 && port != events_port, "ports %d, %d", port, events_port);
    zsock_t *client = zsock_new_dealer (NULL);
    CHECK (zsock_connect (client, "tcp://127.0.0.1:%d", port) == 0, "cannot connect");
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    char err [128];

    msgpack_object r = s_request (client, "ping", NULL, NULL, NULL, &zone);
    const msgpack_object *service = imvo_map_path (&r, "body.service");
    CHECK (s_ok (&r) && service && imvo_obj_streq (service, "selftest"), "ping");

    r = s_request (client, "covenant.list", NULL, NULL, NULL, &zone);
    CHECK (s_ok (&r) && imvo_map_path (&r, "body.worker"), "a public message without a role runs on a worker");

    r = s_request (client, "location.sourcing", NULL, "covenant", "textile", &zone);
    CHECK (streq (s_error (&r, err, sizeof err), "forbidden actor.role"), "no role: forbidden, got '%s'", err);
    r = s_request (client, "location.sourcing", "company", "covenant", "textile", &zone);
    CHECK (streq (s_error (&r, err, sizeof err), "forbidden actor.role"), "a company: forbidden, got '%s'", err);

    r = s_request (client, "complaint.get", "secretariat", "case_id", "not a case", &zone);
    CHECK (streq (s_error (&r, err, sizeof err), "invalid_argument case_id"), "case id shape, got '%s'", err);
    r = s_request (client, "complaint.get", "secretariat", NULL, NULL, &zone);
    CHECK (streq (s_error (&r, err, sizeof err), "invalid_argument case_id"), "case id missing, got '%s'", err);
    r = s_request (client, "complaint.get", "secretariat", "case_id", "TEXTILE-2026-0001", &zone);
    CHECK (streq (s_error (&r, err, sizeof err), "unavailable "), "no Redis: unavailable, got '%s'", err);

    r = s_request (client, "no.such", "secretariat", NULL, NULL, &zone);
    CHECK (strncmp (s_error (&r, err, sizeof err), "unknown_type", 12) == 0, "unknown type, got '%s'", err);
    r = s_ask (client, "\xc1\x00garbage", 9, &zone);
    CHECK (strncmp (s_error (&r, err, sizeof err), "bad_request", 11) == 0, "hostile bytes, got '%s'", err);

    msgpack_zone_destroy (&zone);
    zsock_destroy (&client);
}

//  A daemon's handlers and the catalogue must agree, or it does not start.
static void
s_check_description (void)
{
    char why [256] = "";
    CHECK (imvo_service_check (&s_def, why, sizeof why) == -1 && strstr (why, "covenant.list")
           && strstr (why, "membership"), "a handler of another daemon's message: '%s'", why);
    static const imvo_handler_t unknown [] = { { "complaint.teleport", s_covenant_list }, { NULL, NULL } };
    const imvo_service_def_t with_unknown = { .name = "complaints", .handlers = unknown };
    CHECK (imvo_service_check (&with_unknown, why, sizeof why) == -1 && strstr (why, "no catalogue entry"),
           "a handler without an entry: '%s'", why);
    static const imvo_handler_t some [] = { { "ping", NULL }, { NULL, NULL } };
    const imvo_service_def_t partial = { .name = "scoring", .handlers = some + 1 };
    CHECK (imvo_service_check (&partial, why, sizeof why) == -1 && strstr (why, "no handler"),
           "an entry without a handler: '%s'", why);
    //  Every message of the catalogue has its owner.
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++)
            CHECK ((*m)->service && (*m)->service [0], "%s names no service", (*m)->type);
}

int
main (void)
{
    zsys_init ();
    s_check_description ();
    setenv ("IMVO_CURVE", "off", 1);     //  the runtime's plumbing; CURVE is tests/test_security.py's
    //  Nothing listens on port 1: Redis is unreachable for the whole test.
    setenv ("IMVO_REDIS_URL", "redis://127.0.0.1:1/0", 1);
    setenv ("IMVO_WORKERS", "2", 1);
    imvo_server_args_t args = { &s_def, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*" };
    //  Two servers of one kind in one process keep apart (their inproc endpoints differ).
    zactor_t *one = zactor_new (imvo_server_actor, &args);
    zactor_t *two = zactor_new (imvo_server_actor, &args);
    s_check_server (one);
    s_check_server (two);
    zactor_destroy (&one);
    zactor_destroy (&two);
    printf ("test_server: %d checks, %d failed\n", s_checks, s_failures);
    return s_failures ? 1 : 0;
}

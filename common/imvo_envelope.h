/*  imvo_envelope: the request and reply envelopes (proto/README.md, version 1).

    A request is decoded into an imvo_request_t whose strings are NUL-terminated copies
    checked against the protocol's limits; the body stays a msgpack_object in the request's
    zone. A reply is an imvo_reply_t: either a body the handler packs, or an error with one
    of the fixed codes, a message for humans and the offending field.
*/
#ifndef IMVO_ENVELOPE_H
#define IMVO_ENVELOPE_H

#include "imvo_msg.h"

#define IMVO_PROTOCOL_VERSION 1
#define IMVO_ID_MAX   64        //  request id, bytes
#define IMVO_TYPE_MAX 64        //  message type, bytes
#define IMVO_KEY_MAX  128       //  idempotency key, bytes

typedef enum {
    IMVO_ERR_NONE = 0,
    IMVO_ERR_BAD_REQUEST,
    IMVO_ERR_UNKNOWN_TYPE,
    IMVO_ERR_INVALID_ARGUMENT,
    IMVO_ERR_NOT_FOUND,
    IMVO_ERR_CONFLICT,
    IMVO_ERR_FORBIDDEN,
    IMVO_ERR_TOO_LARGE,
    IMVO_ERR_BUSY,
    IMVO_ERR_UNAVAILABLE,
    IMVO_ERR_INTERNAL,
    IMVO_ERR_COUNT
} imvo_err_t;

//  The wire name of a code ("invalid_argument").
const char *imvo_err_name (imvo_err_t code);
//  The code of a wire name; IMVO_ERR_INTERNAL when unknown.
imvo_err_t imvo_err_from_name (const char *name, size_t len);

typedef struct {
    imvo_err_t code;            //  IMVO_ERR_NONE when there is no error
    char field [96];            //  offending field as a dotted path, "" when none
    char message [256];         //  for humans
} imvo_error_t;

//  Sets err and returns -1, so callers can `return imvo_error_set (...)`.
int imvo_error_set (imvo_error_t *err, imvo_err_t code, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

typedef struct {
    msgpack_zone zone;                  //  owns root and everything under it
    msgpack_object root;                //  the decoded frame
    char id [IMVO_ID_MAX + 1];          //  "" when absent or unreadable
    char type [IMVO_TYPE_MAX + 1];
    char key [IMVO_KEY_MAX + 1];        //  "" when the request has no idempotency key
    char role [33];                     //  actor.role, "" when absent
    char org [65];                      //  actor.org, "" when absent
    char person [65];                   //  actor.person: the signed-in person a gateway speaks
                                        //  for (imvo_curve_apply), "" when none
    char client [72];                   //  who sent it, for limits: the CURVE client's public
                                        //  key, else its peer address ("" when unknown)
    const msgpack_object *body;         //  always a map after a successful decode
} imvo_request_t;

//  Decodes a request frame. On failure err says why (bad_request, or invalid_argument with
//  the envelope field) and req->id holds the id when it could be read. Always call
//  imvo_request_release afterwards.
int imvo_request_decode (imvo_request_t *req, const void *data, size_t size, imvo_error_t *err);
void imvo_request_release (imvo_request_t *req);

//  Packs a request frame. body is a packed msgpack map (NULL for {}); key, role, org may be NULL.
void imvo_request_pack (msgpack_sbuffer *out, const char *id, const char *type, const char *key,
                        const char *role, const char *org, const char *body, size_t body_len);
//  As imvo_request_pack, with actor.person too (a gateway speaking for a signed-in person;
//  person NULL or "": none).
void imvo_request_pack_as (msgpack_sbuffer *out, const char *id, const char *type, const char *key,
                           const char *role, const char *org, const char *person, const char *body,
                           size_t body_len);

typedef struct {
    msgpack_sbuffer body;               //  packed reply body (a map) when ok
    msgpack_packer pk;                  //  packs into body
    imvo_error_t err;                   //  err.code != NONE makes this an error reply
    char audit [IMVO_TYPE_MAX + 1];     //  the audit action a handler asked for (imvo_audit_mark
                                        //  in imvo_service.h), "" when none
    char audit_target [97];             //  its target, "" for the runtime's default
} imvo_reply_t;

void imvo_reply_init (imvo_reply_t *reply);
void imvo_reply_release (imvo_reply_t *reply);
//  Drops whatever was packed so far and starts again (used before retrying a handler).
void imvo_reply_reset (imvo_reply_t *reply);
//  The packer for the ok body; pack exactly one map.
msgpack_packer *imvo_reply_pk (imvo_reply_t *reply);
//  Uses an already packed map (e.g. from a Lua script) as the body.
void imvo_reply_raw (imvo_reply_t *reply, const char *data, size_t len);
//  Marks the reply as an error; returns -1.
int imvo_reply_fail (imvo_reply_t *reply, imvo_err_t code, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
//  Staff are the secretariat and the committee; a request without a role is not staff.
//  (Who may send a message is the catalogue's rule, imvo_proto_authorise; this is for
//  handlers whose answer depends on who asks, such as a draft list for staff.)
bool imvo_actor_staff (const imvo_request_t *req);
//  Packs the reply envelope for a request id (NULL -> nil).
void imvo_reply_pack (msgpack_sbuffer *out, const char *id, const imvo_reply_t *reply);

//  A decoded reply, as the client library sees it.
typedef struct {
    msgpack_zone zone;
    msgpack_object root;
    char id [IMVO_ID_MAX + 1];
    bool ok;
    const msgpack_object *body;         //  the body map when ok (never NULL then)
    imvo_error_t err;                   //  when !ok
} imvo_response_t;

int imvo_response_decode (imvo_response_t *resp, const void *data, size_t size);
void imvo_response_release (imvo_response_t *resp);

#endif

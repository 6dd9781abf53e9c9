/*  imvo_client: a request/reply client for the daemons, Lazy Pirate style.

    Each call sends the request on a DEALER socket and waits up to the timeout for the reply
    with the same id (stale replies of earlier attempts are dropped). On timeout it closes
    the socket, opens a new one (a dead peer's queue goes with the old one), and sends the
    same request again, with the same id and the same idempotency key, so a retried write
    happens once. After the last attempt it gives up with a clear error.

    Every call carries an idempotency key: the caller's, or a fresh one per call, so retries
    inside the call are always safe.
*/
#ifndef IMVO_CLIENT_H
#define IMVO_CLIENT_H

#include "imvo_envelope.h"

typedef struct _imvo_client_t imvo_client_t;

//  endpoint e.g. "tcp://127.0.0.1:7102". Defaults: 3000 ms timeout, 3 attempts.
imvo_client_t *imvo_client_new (const char *endpoint);
//  The endpoint of a daemon by name, from IMVO_<SERVICE>_ENDPOINT; NULL for unknown names.
imvo_client_t *imvo_client_new_for (const char *service);
//  A daemon's (or a gateway's) client of another daemon: the actor `service` (with CURVE its
//  certificate says so), timeout_ms per attempt. NULL for unknown names.
imvo_client_t *imvo_client_new_service (const char *service, int timeout_ms, int attempts);
//  A gateway's client of a daemon (the portal): the actor `gateway` (with CURVE its certificate,
//  IMVO_CERT, must say so), for what the gateway asks for nobody in particular (the public
//  form's lists, a complainant's status by receipt); a call for a signed-in person states that
//  person's actor instead (imvo_client_call_as).
imvo_client_t *imvo_client_new_gateway (const char *service, int timeout_ms, int attempts);
void imvo_client_destroy (imvo_client_t **self_p);
void imvo_client_set_timeout (imvo_client_t *self, int timeout_ms);
void imvo_client_set_attempts (imvo_client_t *self, int attempts);
//  The actor sent in every envelope (trusted by daemons only without CURVE); NULL clears.
void imvo_client_set_actor (imvo_client_t *self, const char *role, const char *org);
const char *imvo_client_endpoint (imvo_client_t *self);

//  Sends type with body (a packed msgpack map, or NULL for {}) and waits for the reply.
//  key NULL: a fresh key. 0: resp holds the daemon's reply (resp->ok may be false).
//  -1: no usable reply; resp->err says why (unavailable after the attempts). Always call
//  imvo_response_release (resp) afterwards.
int imvo_client_call (imvo_client_t *self, const char *type, const char *key,
                      const char *body, size_t body_len, imvo_response_t *resp);
//  As imvo_client_call, with the actor {role, org, person} of this one call instead of the
//  client's (a gateway speaking for the person signed in to it; NULL or "" leaves one out).
int imvo_client_call_as (imvo_client_t *self, const char *type, const char *key, const char *role,
                         const char *org, const char *person, const char *body, size_t body_len,
                         imvo_response_t *resp);

#endif

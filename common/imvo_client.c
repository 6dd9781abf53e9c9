/*  imvo_client: Lazy Pirate request/reply over a DEALER socket; see imvo_client.h. */
#include "imvo_client.h"
#include "imvo_config.h"
#include "imvo_curve.h"
#include "imvo_service.h"

#include <czmq.h>

struct _imvo_client_t {
    char endpoint [256];        //  daemon endpoint
    char service [32];          //  its name ("" unknown): which server certificate it has
    zsock_t *sock;              //  DEALER, recreated after a timeout
    int timeout_ms;             //  per attempt
    int attempts;               //  attempts before giving up
    char role [33];             //  actor.role, "" for none
    char org [65];              //  actor.org, "" for none
};

static zsock_t *
s_connect (imvo_client_t *self)
{
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    assert (sock);
    zsock_set_linger (sock, 0);
    if (imvo_curve_client (sock, self->service [0] ? self->service : NULL)
    ||  zsock_connect (sock, "%s", self->endpoint) < 0) {
        zsock_destroy (&sock);
        return NULL;
    }
    return sock;
}

static imvo_client_t *
s_new (const char *endpoint, const char *service)
{
    imvo_client_t *self = calloc (1, sizeof *self);
    assert (self);
    snprintf (self->endpoint, sizeof self->endpoint, "%s", endpoint);
    snprintf (self->service, sizeof self->service, "%s", service);
    self->timeout_ms = 3000;
    self->attempts = 3;
    self->sock = s_connect (self);
    if (!self->sock) {
        free (self);
        return NULL;
    }
    return self;
}

imvo_client_t *
imvo_client_new (const char *endpoint)
{
    return s_new (endpoint, "");
}

imvo_client_t *
imvo_client_new_for (const char *service)
{
    char endpoint [256];
    if (imvo_config_endpoint (service, endpoint, sizeof endpoint))
        return NULL;
    return s_new (endpoint, service);
}

static imvo_client_t *
s_new_as (const char *service, const char *role, int timeout_ms, int attempts)
{
    imvo_client_t *self = imvo_client_new_for (service);
    if (self) {
        imvo_client_set_timeout (self, timeout_ms);
        imvo_client_set_attempts (self, attempts);
        imvo_client_set_actor (self, role, NULL);
    }
    return self;
}

imvo_client_t *
imvo_client_new_service (const char *service, int timeout_ms, int attempts)
{
    return s_new_as (service, "service", timeout_ms, attempts);
}

imvo_client_t *
imvo_client_new_gateway (const char *service, int timeout_ms, int attempts)
{
    return s_new_as (service, "gateway", timeout_ms, attempts);
}

void
imvo_client_destroy (imvo_client_t **self_p)
{
    if (*self_p) {
        zsock_destroy (&(*self_p)->sock);
        free (*self_p);
        *self_p = NULL;
    }
}

void
imvo_client_set_timeout (imvo_client_t *self, int timeout_ms)
{
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
}

void
imvo_client_set_attempts (imvo_client_t *self, int attempts)
{
    self->attempts = attempts > 0 ? attempts : 1;
}

void
imvo_client_set_actor (imvo_client_t *self, const char *role, const char *org)
{
    snprintf (self->role, sizeof self->role, "%s", role ? role : "");
    snprintf (self->org, sizeof self->org, "%s", org ? org : "");
}

const char *
imvo_client_endpoint (imvo_client_t *self)
{
    return self->endpoint;
}

int
imvo_client_call (imvo_client_t *self, const char *type, const char *key,
                  const char *body, size_t body_len, imvo_response_t *resp)
{
    return imvo_client_call_as (self, type, key, self->role, self->org, NULL, body, body_len, resp);
}

int
imvo_client_call_as (imvo_client_t *self, const char *type, const char *key, const char *role,
                     const char *org, const char *person, const char *body, size_t body_len,
                     imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 64);
    zuuid_t *uuid = zuuid_new ();
    //  One fresh uuid serves as the request id and, when the caller has none, as the key.
    char id [IMVO_ID_MAX + 1];
    snprintf (id, sizeof id, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);
    msgpack_sbuffer req;
    msgpack_sbuffer_init (&req);
    imvo_request_pack_as (&req, id, type, key ? key : id, role && *role ? role : NULL, org && *org ? org : NULL,
                          person, body, body_len);
    //  A daemon's client follows it: looked up again at each call (IMVO_<NAME>_ENDPOINT, an
    //  address, or @file read now), and a daemon that moved gets a fresh socket. A client kept
    //  long (imvo_ctx_client, the portal's) never asks the old port, which another process may
    //  have taken meanwhile.
    char now [sizeof self->endpoint];
    if (self->service [0] && imvo_config_endpoint (self->service, now, sizeof now) == 0
    &&  strcmp (now, self->endpoint)) {
        memcpy (self->endpoint, now, sizeof now);
        zsock_destroy (&self->sock);
    }
    int rc = -1;
    for (int attempt = 0; attempt < self->attempts && rc < 0; attempt++) {
        if (!self->sock && !(self->sock = s_connect (self)))
            break;
        if (zsock_send (self->sock, "b", req.data, req.size) < 0)
            break;
        int64_t deadline = zclock_mono () + self->timeout_ms;
        while (rc < 0) {
            int64_t left = deadline - zclock_mono ();
            if (left <= 0 || !(zsock_events (self->sock) & ZMQ_POLLIN)) {
                zmq_pollitem_t item = { zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0 };
                if (left <= 0 || zmq_poll (&item, 1, (long) left) <= 0)
                    break;
            }
            zframe_t *frame = zframe_recv (self->sock);
            if (!frame)
                break;
            imvo_response_t got;
            int decoded = imvo_response_decode (&got, zframe_data (frame), zframe_size (frame));
            zframe_destroy (&frame);
            if (decoded == 0 && streq (got.id, id)) {
                imvo_response_release (resp);
                *resp = got;
                rc = 0;
            }
            else
            if (decoded != 0 && (!got.id [0] || streq (got.id, id))) {
                //  A reply we cannot read will not read better on a retry: give up now.
                imvo_response_release (resp);
                *resp = got;
                msgpack_sbuffer_destroy (&req);
                return -1;
            }
            else
                imvo_response_release (&got);   //  a stale reply of an earlier attempt
        }
        if (rc < 0) {
            //  Lazy Pirate: the peer may be gone; a fresh socket drops what we queued.
            zsock_destroy (&self->sock);
        }
    }
    msgpack_sbuffer_destroy (&req);
    if (rc < 0)
        imvo_error_set (&resp->err, IMVO_ERR_UNAVAILABLE, "",
                        "no reply from %s to %s after %d attempts of %d ms",
                        self->endpoint, type, self->attempts, self->timeout_ms);
    return rc;
}

//  --- a thread's kept clients (imvo_service.h) ------------------------------------------------

static const char *const s_daemons [IMVO_CTX_CLIENTS] = { "membership", "complaints", "scoring", "notify" };

imvo_client_t *
imvo_ctx_client (imvo_ctx_t *ctx, const char *service, int timeout_ms, int attempts)
{
    int i = 0;
    while (i < IMVO_CTX_CLIENTS && !streq (s_daemons [i], service))
        i++;
    if (i == IMVO_CTX_CLIENTS)
        return NULL;
    if (!ctx->clients [i])
        ctx->clients [i] = imvo_client_new_service (service, timeout_ms, attempts);
    if (ctx->clients [i]) {
        imvo_client_set_timeout (ctx->clients [i], timeout_ms);
        imvo_client_set_attempts (ctx->clients [i], attempts);
        imvo_client_set_actor (ctx->clients [i], "service", NULL);
    }
    return ctx->clients [i];
}

void
imvo_ctx_clients_destroy (imvo_ctx_t *ctx)
{
    for (int i = 0; i < IMVO_CTX_CLIENTS; i++)
        imvo_client_destroy (&ctx->clients [i]);
}

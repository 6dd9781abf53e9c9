/*  imvo_curve: CURVE on every request and event socket (proto/README.md, "Transport").

    On by default (IMVO_CURVE=on). A daemon serves with its own certificate (IMVO_CERT, czmq's
    ZPL format with the secret key) and lets in only the clients whose public certificates are
    in IMVO_CERT_DIR (czmq's zauth, never "allow any"). Each client certificate's metadata
    carries `role` and `org`; the daemon takes the actor from there and ignores the envelope's.
    A client (imvoctl, a daemon calling another, a daemon's consumer of another's events) uses
    its own certificate (IMVO_CERT) and the daemons' public certificate
    (IMVO_<SERVICE>_SERVER_CERT, else IMVO_SERVER_CERT).

    IMVO_CURVE=off runs without: the envelope's actor is trusted, and the daemons say so.
*/
#ifndef IMVO_CURVE_H
#define IMVO_CURVE_H

#include "imvo_envelope.h"

#include <czmq.h>
#include <stdbool.h>

//  True unless IMVO_CURVE is "off".
bool imvo_curve_on (void);

//  A daemon's authenticator: zauth with the certificates of IMVO_CERT_DIR. NULL (after
//  logging why) when CURVE is on and the directory is missing; *ok is false then.
zactor_t *imvo_curve_auth_new (bool *ok);

//  Makes sock a CURVE server with the daemon's certificate. 0, or -1 (logged) when the
//  certificate cannot be loaded. Nothing to do (0) with CURVE off.
int imvo_curve_server (zsock_t *sock);

//  Makes sock a CURVE client of service ("complaints", ...; NULL: any daemon) with this
//  program's certificate. 0, or -1 (logged) when a certificate is missing.
int imvo_curve_client (zsock_t *sock, const char *service);

//  The role IMVO_CERT names (its metadata `role`) into buf ("" when it names none): a program
//  checks at start that it has the certificate its work needs. -1 (logged) when IMVO_CERT
//  cannot be loaded.
int imvo_curve_own_role (char *buf, size_t size);

//  The role and org a CURVE client's certificate names, from a message it sent (its metadata,
//  set by zauth): copied into role and org ("" when absent).
void imvo_curve_actor (zmq_msg_t *msg, char *role, size_t role_size, char *org, size_t org_size);
//  Who a request comes from, with CURVE: the certificate's role and org, and no person; but a
//  certificate of role `gateway` speaks for the person signed in to it, so the envelope's
//  actor {role, org, person} stands (a gateway cannot lend a role to a request without one,
//  nor claim `service`: a person is never a daemon).
void imvo_curve_apply (imvo_request_t *req, const char *cert_role, const char *cert_org);

//  Who sent a message, for per-client limits: the CURVE client's public key (ZAP User-Id),
//  else the peer's address; "" when neither is known.
void imvo_curve_client_id (zmq_msg_t *msg, char *buf, size_t size);

//  imvoctl cert new: a new certificate with role and org as metadata, saved as
//  <dir>/<name>.txt (public, for IMVO_CERT_DIR) and <dir>/<name>.txt_secret (for IMVO_CERT).
//  0, or -1 when it could not be written.
int imvo_curve_cert_new (const char *dir, const char *name, const char *role, const char *org);

#endif

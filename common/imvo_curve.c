/*  imvo_curve: CURVE certificates for servers and clients; see imvo_curve.h. */
#include "imvo_curve.h"
#include "imvo_config.h"

#include <ctype.h>

bool
imvo_curve_on (void)
{
    const char *v = imvo_env ("IMVO_CURVE", "on");
    return strcmp (v, "off") != 0;
}

zactor_t *
imvo_curve_auth_new (bool *ok)
{
    *ok = true;
    if (!imvo_curve_on ())
        return NULL;
    const char *dir = imvo_env ("IMVO_CERT_DIR", NULL);
    if (!dir || !zsys_file_exists (dir)) {
        zsys_error ("CURVE is on but IMVO_CERT_DIR (%s) is not a directory of client certificates; "
                    "make them with `imvoctl cert new`, or set IMVO_CURVE=off for local development",
                    dir ? dir : "unset");
        *ok = false;
        return NULL;
    }
    zactor_t *auth = zactor_new (zauth, NULL);
    zstr_sendx (auth, "CURVE", dir, NULL);
    zsock_wait (auth);
    return auth;
}

//  The program's own certificate: IMVO_CERT.
static zcert_t *
s_own_cert (void)
{
    const char *path = imvo_env ("IMVO_CERT", NULL);
    zcert_t *cert = path ? zcert_load (path) : NULL;
    if (!cert)
        zsys_error ("CURVE is on but IMVO_CERT (%s) is not a certificate with its secret key; make one with "
                    "`imvoctl cert new`, or set IMVO_CURVE=off for local development", path ? path : "unset");
    return cert;
}

int
imvo_curve_own_role (char *buf, size_t size)
{
    zcert_t *cert = s_own_cert ();
    if (!cert)
        return -1;
    const char *role = zcert_meta (cert, "role");
    snprintf (buf, size, "%s", role ? role : "");
    zcert_destroy (&cert);
    return 0;
}

int
imvo_curve_server (zsock_t *sock)
{
    if (!imvo_curve_on ())
        return 0;
    zcert_t *cert = s_own_cert ();
    if (!cert)
        return -1;
    zcert_apply (cert, sock);
    zsock_set_curve_server (sock, 1);
    zsock_set_zap_domain (sock, "imvo");
    zcert_destroy (&cert);
    return 0;
}

int
imvo_curve_client (zsock_t *sock, const char *service)
{
    if (!imvo_curve_on ())
        return 0;
    const char *path = NULL;
    if (service) {
        char name [64];
        snprintf (name, sizeof name, "IMVO_%s_SERVER_CERT", service);
        for (char *c = name; *c; c++)
            *c = (char) toupper ((unsigned char) *c);
        path = imvo_env (name, NULL);
    }
    if (!path)
        path = imvo_env ("IMVO_SERVER_CERT", NULL);
    zcert_t *server = path ? zcert_load (path) : NULL;
    if (!server) {
        zsys_error ("CURVE is on but IMVO_SERVER_CERT (%s) is not the daemons' public certificate",
                    path ? path : "unset");
        return -1;
    }
    zcert_t *cert = s_own_cert ();
    if (!cert) {
        zcert_destroy (&server);
        return -1;
    }
    zcert_apply (cert, sock);
    zsock_set_curve_serverkey (sock, zcert_public_txt (server));
    zcert_destroy (&cert);
    zcert_destroy (&server);
    return 0;
}

void
imvo_curve_actor (zmq_msg_t *msg, char *role, size_t role_size, char *org, size_t org_size)
{
    const char *r = zmq_msg_gets (msg, "role"), *o = zmq_msg_gets (msg, "org");
    snprintf (role, role_size, "%s", r ? r : "");
    snprintf (org, org_size, "%s", o ? o : "");
}

void
imvo_curve_apply (imvo_request_t *req, const char *cert_role, const char *cert_org)
{
    //  A person's role only: a gateway cannot make itself a daemon (service) by its envelope.
    if (strcmp (cert_role, "gateway") == 0 && strcmp (req->role, "gateway") != 0
    &&  strcmp (req->role, "service") != 0)
        return;
    snprintf (req->role, sizeof req->role, "%s", cert_role);
    snprintf (req->org, sizeof req->org, "%s", cert_org);
    req->person [0] = 0;
}

void
imvo_curve_client_id (zmq_msg_t *msg, char *buf, size_t size)
{
    const char *id = zmq_msg_gets (msg, "User-Id");
    if (!id || !*id)
        id = zmq_msg_gets (msg, "Peer-Address");
    snprintf (buf, size, "%s", id ? id : "");
}

int
imvo_curve_cert_new (const char *dir, const char *name, const char *role, const char *org)
{
    if (zsys_dir_create ("%s", dir))
        return -1;
    char path [1024];
    snprintf (path, sizeof path, "%s/%s.txt", dir, name);
    //  czmq's ZPL reader takes a '#' in a key (a Z85 character) for a comment and cannot load
    //  such a certificate again: a new key pair until both files load back as written.
    for (int attempt = 0; attempt < 1000; attempt++) {
        zcert_t *cert = zcert_new ();
        zcert_set_meta (cert, "role", "%s", role);
        if (org && *org)
            zcert_set_meta (cert, "org", "%s", org);
        int rc = zcert_save (cert, path);
        char secret [1100];
        snprintf (secret, sizeof secret, "%s_secret", path);
        zcert_t *mine = rc ? NULL : zcert_load (secret);
        zcert_t *theirs = rc ? NULL : zcert_load (path);
        bool ok = mine && theirs && zcert_eq (mine, cert) && streq (zcert_public_txt (theirs), zcert_public_txt (cert));
        zcert_destroy (&mine);
        zcert_destroy (&theirs);
        zcert_destroy (&cert);
        if (rc)
            return -1;
        if (ok)
            return 0;
    }
    return -1;
}

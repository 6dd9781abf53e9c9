/*  imvoctl_cert: `imvoctl cert new`, the CURVE certificates of the people and programs the
    daemons let in (czmq's zcert, through imvo_curve). */
#include "imvoctl.h"
#include "imvo_curve.h"
#include "imvo_proto.h"

#include <stdio.h>

//  cert new --role ROLE [--org ORG] --out DIR [--name NAME]: a CURVE certificate whose metadata
//  names the role and org, as DIR/NAME.txt (public: for the daemons' IMVO_CERT_DIR) and
//  DIR/NAME.txt_secret (for IMVO_CERT). NAME defaults to the role, with the org.
int
imvoctl_cert_new (int argc, char **argv)
{
    const char *role = NULL, *org = "", *out = NULL, *name = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (argv [i], "--role") && v)
            role = argv [++i];
        else
        if (streq (argv [i], "--org") && v)
            org = argv [++i];
        else
        if (streq (argv [i], "--out") && v)
            out = argv [++i];
        else
        if (streq (argv [i], "--name") && v)
            name = argv [++i];
        else {
            fprintf (stderr, "imvoctl: cert new takes --role ROLE [--org ORG] --out DIR [--name NAME], not '%s'\n",
                     argv [i]);
            return 1;
        }
    }
    if (!role || !out) {
        fprintf (stderr, "imvoctl: cert new needs --role ROLE and --out DIR\n");
        return 1;
    }
    if (!imvo_proto_role (role)) {
        fprintf (stderr, "imvoctl: '%s' is not a role (secretariat, committee, monitoring, company, complainant, "
                         "steering, service)\n", role);
        return 1;
    }
    if (streq (role, "company") && !*org) {
        fprintf (stderr, "imvoctl: a company certificate needs --org ORG_ID\n");
        return 1;
    }
    char dflt [128];
    snprintf (dflt, sizeof dflt, "%s%s%s", role, *org ? "-" : "", org);
    if (imvo_curve_cert_new (out, name ? name : dflt, role, org)) {
        fprintf (stderr, "imvoctl: cannot write the certificate in %s\n", out);
        return 2;
    }
    printf ("%s/%s.txt\n%s/%s.txt_secret\n", out, name ? name : dflt, out, name ? name : dflt);
    return 0;
}

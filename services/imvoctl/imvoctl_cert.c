/*  imvoctl_cert: `imvoctl cert new`, the CURVE certificates of the people and programs the
    daemons let in (czmq's zcert, through imvo_curve); `imvoctl key`, the data key of the
    complainant's data at rest and its public half (imvo_keys.h). */
#include "imvoctl.h"
#include "imvo_curve.h"
#include "imvo_keys.h"
#include "imvo_proto.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

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

//  key new FILE: a new data key (IMVO_DATA_KEY_FILE: 64 hex digits, mode 0600), unless FILE
//  exists. key public DATA_KEY_FILE: the public half the portal seals complainants to
//  (IMVO_DATA_PUBLIC_KEY_FILE), as 64 hex digits on standard output.
int
imvoctl_key (int argc, char **argv)
{
    if (sodium_init () < 0)
        return 2;
    if (argc == 2 && streq (argv [0], "new")) {
        unsigned char key [IMVO_KEY_BYTES];
        char hex [2 * IMVO_KEY_BYTES + 1];
        randombytes_buf (key, sizeof key);
        sodium_bin2hex (hex, sizeof hex, key, sizeof key);
        sodium_memzero (key, sizeof key);
        int fd = open (argv [1], O_WRONLY | O_CREAT | O_EXCL, 0600);
        FILE *f = fd >= 0 ? fdopen (fd, "w") : NULL;
        bool ok = f && fprintf (f, "%s\n", hex) > 0;
        ok = (f ? fclose (f) == 0 : false) && ok;
        sodium_memzero (hex, sizeof hex);
        if (!ok) {
            fprintf (stderr, "imvoctl: cannot write a new key to %s (it must not exist yet)\n", argv [1]);
            return 2;
        }
        return 0;
    }
    if (argc == 2 && streq (argv [0], "public")) {
        unsigned char key [IMVO_KEY_BYTES], pk [crypto_box_PUBLICKEYBYTES], sk [crypto_box_SECRETKEYBYTES];
        if (imvo_key_file_read ("the data key", argv [1], key))
            return 2;
        imvo_keys_box_from (key, pk, sk);
        sodium_memzero (key, sizeof key);
        sodium_memzero (sk, sizeof sk);
        char hex [2 * crypto_box_PUBLICKEYBYTES + 1];
        sodium_bin2hex (hex, sizeof hex, pk, sizeof pk);
        printf ("%s\n", hex);
        return 0;
    }
    fprintf (stderr, "imvoctl: key new FILE | key public DATA_KEY_FILE\n");
    return 1;
}

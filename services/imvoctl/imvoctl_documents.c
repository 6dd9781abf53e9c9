/*  imvoctl_documents: the documents of a company's action plan (submission.attach,
    submission.document), files as imvoctl_evidence.c sends and saves a case's.

    imvoctl submission attach COVENANT ORG_ID FILE --year Y [--name NAME] [--content-type TYPE]
        the document in one call (up to 4 MiB); its name is the file's unless --name, its type
        what libmagic reads in its bytes unless --content-type (scoring checks it either way)
    imvoctl submission document COVENANT ORG_ID DOC_ID --year Y --out FILE ("-": stdout)
        the document's bytes into FILE, and its name, type and size on stdout
*/
#include "imvoctl.h"
#include "imvo_client.h"

#include <czmq.h>

static int
s_usage (const char *what)
{
    fprintf (stderr, streq (what, "attach")
                     ? "imvoctl: submission attach COVENANT ORG_ID FILE --year Y [--name NAME] [--content-type TYPE]\n"
                     : "imvoctl: submission document COVENANT ORG_ID DOC_ID --year Y --out FILE\n");
    return 1;
}

int
imvoctl_documents (const imvoctl_globals_t *g, const char *what, int argc, char **argv)
{
    const char *args [3] = { NULL, NULL, NULL }, *name = NULL, *type = NULL, *out = NULL, *year = NULL;
    int nargs = 0;
    for (int i = 0; i < argc; i++) {
        if (streq (argv [i], "--year") && i + 1 < argc)
            year = argv [++i];
        else
        if (streq (argv [i], "--name") && i + 1 < argc && streq (what, "attach"))
            name = argv [++i];
        else
        if (streq (argv [i], "--content-type") && i + 1 < argc && streq (what, "attach"))
            type = argv [++i];
        else
        if (streq (argv [i], "--out") && i + 1 < argc && !streq (what, "attach"))
            out = argv [++i];
        else
        if (strncmp (argv [i], "--", 2) == 0 || nargs == 3)
            return s_usage (what);
        else
            args [nargs++] = argv [i];
    }
    char *end = NULL;
    long y = year ? strtol (year, &end, 10) : 0;
    if (nargs < 3 || !year || *end || (!streq (what, "attach") && !out))
        return s_usage (what);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, streq (what, "attach") ? 6 : 4);
    imvo_pack_kv_str (&pk, "covenant", args [0]);
    imvo_pack_kv_str (&pk, "org_id", args [1]);
    imvo_pack_kv_int (&pk, "year", y);
    if (streq (what, "attach")) {
        zchunk_t *data = imvoctl_read_file (args [2]);
        if (!data) {
            msgpack_sbuffer_destroy (&body);
            return 1;
        }
        char guessed [128];
        if (!type) {
            imvoctl_guess_type (zchunk_data (data), zchunk_size (data), guessed, sizeof guessed);
            type = guessed;
        }
        const char *base = strrchr (args [2], '/');
        imvo_pack_kv_str (&pk, "name", name ? name : base ? base + 1 : args [2]);
        imvo_pack_kv_str (&pk, "content_type", type);
        imvo_pack_str (&pk, "data");
        msgpack_pack_bin (&pk, zchunk_size (data));
        msgpack_pack_bin_body (&pk, zchunk_data (data), zchunk_size (data));
        zchunk_destroy (&data);
    }
    else
        imvo_pack_kv_str (&pk, "doc_id", args [2]);
    imvo_response_t resp;
    int status = imvoctl_ask (g, streq (what, "attach") ? "submission.attach" : "submission.document",
                              streq (what, "attach") ? g->key : NULL, &body, &resp, false);
    msgpack_sbuffer_destroy (&body);
    if (status)
        return status;
    if (!streq (what, "attach"))
        status = imvoctl_write_data (&resp, out);
    else
        imvoctl_print_reply (g->json, resp.body);
    imvo_response_release (&resp);
    return status;
}

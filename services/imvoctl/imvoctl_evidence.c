/*  imvoctl_evidence: files on a case (complaint.attach, complaint.attachment).

    imvoctl complaint attach CASE_ID|RECEIPT FILE [--name NAME] [--content-type TYPE] [--shared]
        the file in one call (up to 10 MiB); its name is the file's unless --name, its type what
        libmagic reads in its bytes unless --content-type (the daemon checks it either way)
    imvoctl complaint attachment CASE_ID|RECEIPT ATTACHMENT_ID --out FILE ("-": stdout)
        the attachment's bytes into FILE, and its name, type and size on stdout
    and for complaint from-mail: the mail's attachments, once the mail is a case.
*/
#include "imvoctl.h"
#include "imvo_client.h"
#include "imvo_proto.h"

#include <czmq.h>
#include <errno.h>
#include <magic.h>

void
imvoctl_guess_type (const void *data, size_t len, char *buf, size_t size)
{
    magic_t cookie = magic_open (MAGIC_MIME_TYPE);
    const char *seen = cookie && magic_load (cookie, NULL) == 0 ? magic_buffer (cookie, data, len) : NULL;
    snprintf (buf, size, "%s", seen ? seen : "application/octet-stream");
    if (cookie)
        magic_close (cookie);
}

int
imvoctl_ask (const imvoctl_globals_t *g, const char *type, const char *key, const msgpack_sbuffer *body,
             imvo_response_t *resp, bool quiet)
{
    //  The daemon the catalogue names for the message.
    const imvo_proto_msg_t *msg = imvo_proto_find (type);
    const char *service = msg && msg->service ? msg->service : "complaints";
    imvo_client_t *client = imvo_client_new_for (service);
    if (!client) {
        fprintf (stderr, "imvoctl: cannot reach %s (IMVO_CERT and IMVO_SERVER_CERT with CURVE on)\n", service);
        return 3;
    }
    imvo_client_set_timeout (client, g->timeout_ms);
    if (g->role || g->org)
        imvo_client_set_actor (client, g->role, g->org);
    int rc = imvo_client_call (client, type, key, body->data, body->size, resp);
    imvo_client_destroy (&client);
    if (rc < 0) {
        fprintf (stderr, "imvoctl: %s\n", resp->err.message);
        imvo_response_release (resp);
        return 3;
    }
    if (!resp->ok) {
        if (!quiet)
            fprintf (stderr, "imvoctl: %s: %s%s%s%s\n", imvo_err_name (resp->err.code), resp->err.message,
                     resp->err.field [0] ? " (field: " : "", resp->err.field, resp->err.field [0] ? ")" : "");
        int status = resp->err.code == IMVO_ERR_UNAVAILABLE ? 3 : 2;
        if (!quiet)
            imvo_response_release (resp);
        return status;
    }
    return 0;
}

//  "case_id" or "receipt": what the text given names.
static const char *
s_case_field (const char *given)
{
    return imvo_proto_format_ok (IMVO_FMT_CASE_ID, given, strlen (given)) ? "case_id" : "receipt";
}

static void
s_pack_attach (msgpack_sbuffer *body, const char *case_field, const char *case_value, const char *name, const char *type,
               const void *data, size_t len, int shared)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4 + (shared >= 0));
    imvo_pack_kv_str (&pk, case_field, case_value);
    imvo_pack_kv_str (&pk, "name", name);
    imvo_pack_kv_str (&pk, "content_type", type);
    imvo_pack_str (&pk, "data");
    msgpack_pack_bin (&pk, len);
    msgpack_pack_bin_body (&pk, data, len);
    if (shared >= 0)
        imvo_pack_kv_bool (&pk, "shared", shared);
}

static int
s_attach (const imvoctl_globals_t *g, int argc, char **argv)
{
    const char *args [2] = { NULL, NULL }, *name = NULL, *type = NULL;
    int shared = -1, nargs = 0;
    for (int i = 0; i < argc; i++) {
        if (streq (argv [i], "--name") && i + 1 < argc)
            name = argv [++i];
        else
        if (streq (argv [i], "--content-type") && i + 1 < argc)
            type = argv [++i];
        else
        if (streq (argv [i], "--shared"))
            shared = 1;
        else
        if (strncmp (argv [i], "--", 2) == 0 || nargs == 2) {
            fprintf (stderr, "imvoctl: complaint attach CASE_ID FILE [--name NAME] [--content-type TYPE] [--shared]\n");
            return 1;
        }
        else
            args [nargs++] = argv [i];
    }
    if (nargs < 2) {
        fprintf (stderr, "imvoctl: complaint attach needs %s\n", nargs ? "FILE" : "CASE_ID and FILE");
        return 1;
    }
    zchunk_t *data = imvoctl_read_file (args [1]);
    if (!data)
        return 1;
    char guessed [128];
    if (!type) {
        imvoctl_guess_type (zchunk_data (data), zchunk_size (data), guessed, sizeof guessed);
        type = guessed;
    }
    const char *base = strrchr (args [1], '/');
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    s_pack_attach (&body, s_case_field (args [0]), args [0], name ? name : base ? base + 1 : args [1], type,
                   zchunk_data (data), zchunk_size (data), shared);
    zchunk_destroy (&data);
    imvo_response_t resp;
    int status = imvoctl_ask (g, "complaint.attach", g->key, &body, &resp, false);
    msgpack_sbuffer_destroy (&body);
    if (status == 0) {
        imvoctl_print_reply (g->json, resp.body);
        imvo_response_release (&resp);
    }
    return status;
}

static int
s_attachment (const imvoctl_globals_t *g, int argc, char **argv)
{
    const char *args [2] = { NULL, NULL }, *out = NULL;
    int nargs = 0;
    for (int i = 0; i < argc; i++) {
        if (streq (argv [i], "--out") && i + 1 < argc)
            out = argv [++i];
        else
        if (strncmp (argv [i], "--", 2) == 0 || nargs == 2) {
            fprintf (stderr, "imvoctl: complaint attachment CASE_ID ATTACHMENT_ID --out FILE\n");
            return 1;
        }
        else
            args [nargs++] = argv [i];
    }
    if (nargs < 2 || !out) {
        fprintf (stderr, "imvoctl: complaint attachment needs CASE_ID, ATTACHMENT_ID and --out FILE\n");
        return 1;
    }
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, s_case_field (args [0]), args [0]);
    imvo_pack_kv_str (&pk, "attachment_id", args [1]);
    imvo_response_t resp;
    int status = imvoctl_ask (g, "complaint.attachment", NULL, &body, &resp, false);
    msgpack_sbuffer_destroy (&body);
    if (status)
        return status;
    status = imvoctl_write_data (&resp, out);
    imvo_response_release (&resp);
    return status;
}

int
imvoctl_write_data (const imvo_response_t *resp, const char *out)
{
    int status = 0;
    const msgpack_object *data = imvo_map_get (resp->body, "data");
    FILE *f = streq (out, "-") ? stdout : fopen (out, "wb");
    if (!data || data->type != MSGPACK_OBJECT_BIN || !f
    ||  fwrite (data->via.bin.ptr, 1, data->via.bin.size, f) != data->via.bin.size) {
        fprintf (stderr, "imvoctl: cannot write %s: %s\n", out, strerror (errno));
        status = 1;
    }
    if (f && f != stdout && fclose (f) != 0 && status == 0) {
        fprintf (stderr, "imvoctl: cannot write %s: %s\n", out, strerror (errno));
        status = 1;
    }
    if (status == 0 && f != stdout) {
        //  What it is, without the bytes.
        msgpack_object rest = *resp->body;
        msgpack_object_kv kv [16];
        uint32_t n = 0;
        for (uint32_t i = 0; i < resp->body->via.map.size && n < 16; i++)
            if (!imvo_obj_streq (&resp->body->via.map.ptr [i].key, "data"))
                kv [n++] = resp->body->via.map.ptr [i];
        rest.via.map.ptr = kv;
        rest.via.map.size = n;
        imvoctl_print_map (&rest, 0);
    }
    return status;
}

zchunk_t *
imvoctl_read_file (const char *path)
{
    zfile_t *file = zfile_new (NULL, path);
    zchunk_t *data = file && zfile_input (file) == 0 ? zfile_read (file, zfile_cursize (file), 0) : NULL;
    if (!data)
        fprintf (stderr, "imvoctl: cannot read %s: %s\n", path, strerror (errno));
    zfile_destroy (&file);
    return data;
}

int
imvoctl_evidence (const imvoctl_globals_t *g, const char *what, int argc, char **argv)
{
    return streq (what, "attach") ? s_attach (g, argc, argv) : s_attachment (g, argc, argv);
}

void
imvoctl_mail_file_destroy (void **item)
{
    imvoctl_mail_file_t *file = (imvoctl_mail_file_t *) *item;
    if (file) {
        free (file->name);
        free (file->type);
        zchunk_destroy (&file->data);
        free (file);
        *item = NULL;
    }
}

int
imvoctl_mail_submit (const imvoctl_globals_t *g, const msgpack_sbuffer *body, const char *key, zlistx_t *files)
{
    imvo_response_t resp;
    int status = imvoctl_ask (g, "complaint.submit", key && *key ? key : NULL, body, &resp, false);
    if (status)
        return status;
    imvoctl_print_reply (g->json, resp.body);
    char receipt [128] = "";
    imvo_obj_strcpy (imvo_map_get (resp.body, "receipt"), receipt, sizeof receipt);
    imvo_response_release (&resp);
    //  Each attachment by the complaint's receipt, its key the mail's and its place in it (a mail
    //  imported again attaches nothing twice); a type not allowed is noted, not fatal.
    int n = 0;
    for (imvoctl_mail_file_t *file = zlistx_first (files); file && receipt [0]; file = zlistx_next (files), n++) {
        char type [128], part_key [IMVO_KEY_MAX + 16];
        imvoctl_guess_type (zchunk_data (file->data), zchunk_size (file->data), type, sizeof type);
        msgpack_sbuffer one;
        msgpack_sbuffer_init (&one);
        s_pack_attach (&one, "receipt", receipt, file->name, type, zchunk_data (file->data), zchunk_size (file->data), -1);
        if (key && *key)
            snprintf (part_key, sizeof part_key, "%.*s:%d", IMVO_KEY_MAX - 8, key, n % 1000);
        int rc = imvoctl_ask (g, "complaint.attach", key && *key ? part_key : NULL, &one, &resp, true);
        msgpack_sbuffer_destroy (&one);
        if (rc == 0) {
            char aid [80] = "";
            imvo_obj_strcpy (imvo_map_get (resp.body, "attachment_id"), aid, sizeof aid);
            if (!g->json)
                printf ("attached: %s (%s, %zu bytes): %s\n", file->name, type, zchunk_size (file->data), aid);
            imvo_response_release (&resp);
        }
        else
        if (rc == 2) {
            fprintf (stderr, "imvoctl: not attached: %s (%s, %zu bytes): %s\n", file->name, type, zchunk_size (file->data),
                     resp.err.message);
            imvo_response_release (&resp);
        }
        else
            fprintf (stderr, "imvoctl: not attached: %s: no reply\n", file->name);
    }
    return 0;
}

/*  imvoctl: talk to the IMVO daemons from a shell.

    imvoctl [--json] [--timeout MS] [--key KEY] [--actor-role ROLE] [--actor-org ORG] COMMAND ...
    imvoctl ping [SERVICE]          every daemon, or one
    imvoctl stats SERVICE
    imvoctl call SERVICE TYPE [JSON-BODY]
    imvoctl help                    all commands

    Exit status: 0 ok; 1 usage; 2 the daemon refused (its error code and message are
    printed on one line); 3 no reply (timeout after the client library's retries).
    Endpoints come from IMVO_<SERVICE>_ENDPOINT (proto/README.md), defaults 127.0.0.1:710x.
*/
#include "imvoctl.h"
#include "imvo_curve.h"
#include "imvo_client.h"
#include "imvo_config.h"
#include "imvo_proto.h"

#include <czmq.h>
#include <time.h>

typedef imvoctl_globals_t s_globals_t;   //  imvoctl.h

static const imvoctl_cmd_t *const s_tables [] = {
    imvoctl_complaints_cmds, imvoctl_notify_cmds, imvoctl_membership_cmds, imvoctl_scoring_cmds,
};

static void
s_usage (FILE *f)
{
    fprintf (f, "usage: imvoctl [--json] [--timeout MS] [--key KEY] [--cert FILE] [--actor-role ROLE] [--actor-org ORG] COMMAND ...\n"
                "  (the actor's role is secretariat unless --actor-role or IMVOCTL_ROLE says otherwise;\n"
                "   with CURVE the certificate says who you are: IMVO_CERT or --cert, by default\n"
                "   ./run.sh's administrator certificate in ${IMVO_RUN_DIR:-.run}/certs)\n\n"
                "  ping [SERVICE]                    is the daemon up (all four without SERVICE)\n"
                "  stats SERVICE                     a daemon's counters\n"
                "  call SERVICE TYPE [JSON]          send any message type with a JSON body\n"
                "  catalogue                         every message and its fields (Markdown; JSON with --json)\n"
                "  cert new --role ROLE [--org ORG] --out DIR [--name NAME]\n"
                "  key new FILE | key public DATA_KEY_FILE   (the data key at rest; its public half)\n"
                "                                    a CURVE certificate (--cert FILE or IMVO_CERT uses one)\n"
                "  demo                              load the demo data: the gold covenant's signatories\n"
                "  complaint from-mail --covenant CODE [--respondent ORG_ID] [FILE.eml | -]\n"
                "                                    a mail as a complaint (its Message-ID the key), and its attachments\n"
                "  complaint attach CASE_ID|RECEIPT FILE [--name NAME] [--content-type TYPE] [--shared]\n"
                "                                    evidence on a case (the type read from its bytes unless given)\n"
                "  complaint attachment CASE_ID|RECEIPT ATTACHMENT_ID --out FILE\n"
                "                                    an attachment's bytes into FILE (- for stdout)\n"
                "  submission attach COVENANT ORG_ID FILE --year Y [--name NAME] [--content-type TYPE]\n"
                "                                    a document with a company's action plan (the type read from its bytes unless given)\n"
                "  submission document COVENANT ORG_ID DOC_ID --year Y --out FILE\n"
                "                                    a plan's document into FILE (- for stdout)\n");
    for (size_t t = 0; t < sizeof s_tables / sizeof s_tables [0]; t++)
        for (const imvoctl_cmd_t *c = s_tables [t]; c->words; c++) {
            char line [160];
            int n = snprintf (line, sizeof line, "%s", c->words);
            for (int a = 0; a < 4 && c->args [a]; a++) {
                char upper [64];
                const char *name = c->args [a] [0] == '?' ? c->args [a] + 1 : c->args [a];
                size_t i = 0;
                for (; name [i] && i < sizeof upper - 1; i++)
                    upper [i] = (char) toupper ((unsigned char) name [i]);
                upper [i] = 0;
                n += snprintf (line + n, sizeof line - (size_t) n, c->args [a] [0] == '?' ? " [%s]" : " %s", upper);
            }
            fprintf (f, "  %-33s %s\n", line, c->help);
            imvoctl_opt_t opts [48];
            imvoctl_opt_text_t text [48];
            int nopts = imvoctl_options (c, opts, text, 48);
            for (int o = 0; o < nopts; o++)
                fprintf (f, "      %-29s %s%s\n", opts [o].flag, opts [o].help, opts [o].required ? " (required)" : "");
        }
}


//  Sends one request and prints the reply; returns the exit status.
//  After account.enroll: the URI an authenticator app reads (as a QR code or pasted).
static void
s_print_otpauth (const msgpack_object *body)
{
    const msgpack_object *user = imvo_map_get (body, "username");
    const msgpack_object *secret = imvo_map_get (body, "totp_secret");
    if (!user || user->type != MSGPACK_OBJECT_STR || !secret || secret->type != MSGPACK_OBJECT_STR)
        return;
    printf ("otpauth: otpauth://totp/IMVO:%.*s?secret=%.*s&issuer=IMVO&algorithm=SHA1&digits=6&period=30\n",
            (int) user->via.str.size, user->via.str.ptr, (int) secret->via.str.size, secret->via.str.ptr);
}

static int
s_call (const s_globals_t *g, const char *service, const char *type, const char *body,
        size_t body_len, const char *list_key, const char *columns)
{
    imvo_client_t *client = imvo_client_new_for (service);
    if (!client) {
        char endpoint [256];
        if (imvo_config_endpoint (service, endpoint, sizeof endpoint))
            fprintf (stderr, "imvoctl: unknown service '%s' (membership, complaints, scoring, notify)\n", service);
        else
            fprintf (stderr, "imvoctl: CURVE is on: IMVO_CERT (or --cert) must be your certificate with its "
                             "secret key, and IMVO_SERVER_CERT the daemons' public certificate (IMVO_CERT=%s, "
                             "IMVO_SERVER_CERT=%s); IMVO_CURVE=off only for a system without CURVE\n",
                     imvo_env ("IMVO_CERT", "unset"), imvo_env ("IMVO_SERVER_CERT", "unset"));
        return 1;
    }
    imvo_client_set_timeout (client, g->timeout_ms);
    if (g->role || g->org)
        imvo_client_set_actor (client, g->role, g->org);
    imvo_response_t resp;
    int rc = imvo_client_call (client, type, g->key, body, body_len, &resp);
    int status = 0;
    if (rc < 0) {
        fprintf (stderr, "imvoctl: %s\n", resp.err.message);
        status = 3;
    }
    else
    if (!resp.ok) {
        fprintf (stderr, "imvoctl: %s: %s%s%s%s\n", imvo_err_name (resp.err.code), resp.err.message,
                 resp.err.field [0] ? " (field: " : "", resp.err.field, resp.err.field [0] ? ")" : "");
        status = resp.err.code == IMVO_ERR_UNAVAILABLE ? 3 : 2;
    }
    else
    if (g->json)
        imvoctl_print_reply (true, resp.body);
    else {
        const msgpack_object *list = list_key ? imvo_map_get (resp.body, list_key) : NULL;
        if (list && list->type == MSGPACK_OBJECT_STR && !columns)
            fwrite (list->via.str.ptr, 1, list->via.str.size, stdout);    //  e.g. a CSV export
        else
        if (list && list->type == MSGPACK_OBJECT_ARRAY) {
            //  The other fields first (e.g. a case's status), then the table.
            msgpack_object rest = *resp.body;
            msgpack_object_kv kv [64];
            uint32_t n = 0;
            for (uint32_t i = 0; i < resp.body->via.map.size && n < 64; i++)
                if (!imvo_obj_streq (&resp.body->via.map.ptr [i].key, list_key))
                    kv [n++] = resp.body->via.map.ptr [i];
            rest.via.map.ptr = kv;
            rest.via.map.size = n;
            imvoctl_print_map (&rest, 0);
            if (n)
                printf ("\n");
            imvoctl_print_table (list, columns);
        }
        else
            imvoctl_print_map (resp.body, 0);
        if (streq (type, "account.enroll"))
            s_print_otpauth (resp.body);
    }
    imvo_response_release (&resp);
    imvo_client_destroy (&client);
    return status;
}

static int
s_ping_all (const s_globals_t *g)
{
    int status = 0;
    static const size_t width [] = { 10, 7, 5 };
    imvoctl_print_cell ("SERVICE", width [0]);
    imvoctl_print_cell ("VERSION", width [1]);
    imvoctl_print_cell ("REDIS", width [2]);
    imvoctl_print_cell ("ENDPOINT", 0);
    for (int i = 0; i < 4; i++) {
        imvo_client_t *client = imvo_client_new_for (imvo_services [i]);
        imvo_client_set_timeout (client, g->timeout_ms);
        imvo_client_set_attempts (client, 1);
        imvo_response_t resp;
        int rc = imvo_client_call (client, "ping", NULL, NULL, 0, &resp);
        if (rc == 0 && resp.ok) {
            char *version = imvo_map_strdup (resp.body, "version");
            char *redis = imvo_map_strdup (resp.body, "redis");
            imvoctl_print_cell (imvo_services [i], width [0]);
            imvoctl_print_cell (version ? version : "?", width [1]);
            imvoctl_print_cell (redis ? redis : "?", width [2]);
            imvoctl_print_cell (imvo_client_endpoint (client), 0);
            if (!redis || !streq (redis, "ok"))
                status = 3;
            free (version);
            free (redis);
        }
        else {
            imvoctl_print_cell (imvo_services [i], width [0]);
            imvoctl_print_cell ("-", width [1]);
            imvoctl_print_cell ("-", width [2]);
            printf ("%s (no reply)\n", imvo_client_endpoint (client));
            status = 3;
        }
        imvo_response_release (&resp);
        imvo_client_destroy (&client);
    }
    return status;
}

//  Runs a table command with the arguments after its words.
static int
s_run_cmd (const s_globals_t *g, const imvoctl_cmd_t *cmd, int argc, char **argv)
{
    imvoctl_opt_t opts [48];
    imvoctl_opt_text_t text [48];
    int nopts = imvoctl_options (cmd, opts, text, 47);
    opts [nopts] = (imvoctl_opt_t) { NULL, NULL, 0, false, NULL, NULL };
    imvoctl_field_t fields [64];
    int n = 0, npos = 0, status = 0;
    for (int i = 0; i < argc && status == 0 && n < 60; i++) {
        if (strncmp (argv [i], "--", 2) == 0) {
            const imvoctl_opt_t *o = opts;
            while (o && o->flag && !streq (o->flag, argv [i]))
                o++;
            if (!o || !o->flag) {
                fprintf (stderr, "imvoctl: %s has no option %s (see imvoctl help)\n", cmd->words, argv [i]);
                status = 1;
                break;
            }
            const char *value = "true";
            if (o->kind != IMVOCTL_FLAG) {
                if (i + 1 >= argc) {
                    fprintf (stderr, "imvoctl: %s needs a value\n", o->flag);
                    status = 1;
                    break;
                }
                value = argv [++i];
            }
            fields [n++] = (imvoctl_field_t) { o->path, o->kind, o->flag, value };
        }
        else {
            if (npos >= 4 || !cmd->args [npos]) {
                fprintf (stderr, "imvoctl: unexpected argument '%s' for %s\n", argv [i], cmd->words);
                status = 1;
                break;
            }
            const char *path = cmd->args [npos] [0] == '?' ? cmd->args [npos] + 1 : cmd->args [npos];
            npos++;
            fields [n++] = (imvoctl_field_t) { path, IMVOCTL_STR, path, argv [i] };
        }
    }
    if (status == 0 && npos < 4 && cmd->args [npos] && cmd->args [npos] [0] != '?') {
        fprintf (stderr, "imvoctl: %s needs %s\n", cmd->words, cmd->args [npos]);
        status = 1;
    }
    //  A body file may hold any field: the daemon names what is missing.
    bool from_file = false;
    for (int i = 0; i < n; i++)
        from_file |= fields [i].kind == IMVOCTL_BODY;
    for (const imvoctl_opt_t *o = opts; status == 0 && o && o->flag && n < 64; o++) {
        bool given = from_file;
        for (int i = 0; i < n; i++)
            given |= streq (fields [i].path, o->path);
        if (!given && o->required) {
            fprintf (stderr, "imvoctl: %s needs %s\n", cmd->words, o->flag);
            status = 1;
        }
        else
        if (!given && o->dflt)
            fields [n++] = (imvoctl_field_t) { o->path, IMVOCTL_JSON, o->flag, o->dflt };
    }
    if (status == 0) {
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        if (imvoctl_pack_fields (&pk, fields, n))
            status = 1;
        else
            status = s_call (g, cmd->service, cmd->type, body.data, body.size, cmd->list_key, cmd->columns);
        msgpack_sbuffer_destroy (&body);
    }
    return status;
}

//  complaint from-mail --covenant CODE [--respondent ORG_ID] [FILE.eml | -]: the mail as a
//  complaint, its Message-ID the key (so importing it twice makes one case).
static int
s_from_mail (const s_globals_t *g, int argc, char **argv)
{
    const char *covenant = NULL, *respondent = NULL, *path = "-";
    for (int i = 0; i < argc; i++) {
        if (streq (argv [i], "--covenant") && i + 1 < argc)
            covenant = argv [++i];
        else
        if (streq (argv [i], "--respondent") && i + 1 < argc)
            respondent = argv [++i];
        else
        if (strncmp (argv [i], "--", 2) == 0) {
            fprintf (stderr, "imvoctl: complaint from-mail has no option %s\n", argv [i]);
            return 1;
        }
        else
            path = argv [i];
    }
    if (!covenant) {
        fprintf (stderr, "imvoctl: complaint from-mail needs --covenant\n");
        return 1;
    }
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    char key [IMVO_KEY_MAX + 1];
    int status = 1;
    zlistx_t *files = zlistx_new ();
    zlistx_set_destructor (files, imvoctl_mail_file_destroy);
    if (imvoctl_mail_body_files (path, covenant, respondent, &body, key, sizeof key, files) == 0)
        status = imvoctl_mail_submit (g, &body, g->key ? g->key : key, files);
    zlistx_destroy (&files);
    msgpack_sbuffer_destroy (&body);
    return status;
}

//  True when argv starts with the words of cmd; *used is how many argv entries they took.
static bool
s_matches (const imvoctl_cmd_t *cmd, int argc, char **argv, int *used)
{
    char copy [128];
    snprintf (copy, sizeof copy, "%s", cmd->words);
    char *save = NULL;
    int i = 0;
    for (char *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save), i++)
        if (i >= argc || !streq (argv [i], w))
            return false;
    *used = i;
    return true;
}

int
main (int argc, char **argv)
{
    zsys_init ();
    zsys_set_logstream (NULL);              //  imvoctl speaks on stdout/stderr itself
    //  imvoctl is the operators' tool: it speaks as the secretariat unless told otherwise
    //  (--actor-role, or IMVOCTL_ROLE; "" sends no role at all).
    s_globals_t g = { .timeout_ms = (int) imvo_env_long ("IMVOCTL_TIMEOUT_MS", 3000, 1, 600000),
                      .role = imvo_env ("IMVOCTL_ROLE", "secretariat") };
    //  Global options may stand anywhere; take them out of argv.
    char *rest [256];
    int n = 0;
    for (int i = 1; i < argc && n < 255; i++) {
        if (streq (argv [i], "--json"))
            g.json = true;
        else
        if ((streq (argv [i], "--timeout") || streq (argv [i], "--key") || streq (argv [i], "--actor-role")
             || streq (argv [i], "--actor-org") || streq (argv [i], "--cert")) && i + 1 < argc) {
            const char *v = argv [++i];
            if (streq (argv [i - 1], "--cert"))
                setenv ("IMVO_CERT", v, 1);     //  this program's certificate, as IMVO_CERT says
            else
            if (streq (argv [i - 1], "--timeout"))
                g.timeout_ms = atoi (v) > 0 ? atoi (v) : 3000;
            else
            if (streq (argv [i - 1], "--key"))
                g.key = v;
            else
            if (streq (argv [i - 1], "--actor-role"))
                g.role = v;
            else
                g.org = v;
        }
        else
        if (streq (argv [i], "--help") || streq (argv [i], "-h")) {
            s_usage (stdout);
            return 0;
        }
        else
            rest [n++] = argv [i];
    }
    //  Beside ./run.sh, its certificates: the administrator's and the daemons' public one.
    const char *run_dir = imvo_env ("IMVO_RUN_DIR", ".run");
    char path [1024];
    snprintf (path, sizeof path, "%s/certs/admin.txt_secret", run_dir);
    if (!getenv ("IMVO_CERT") && zsys_file_exists (path))
        setenv ("IMVO_CERT", path, 1);
    snprintf (path, sizeof path, "%s/certs/daemon.txt", run_dir);
    if (!getenv ("IMVO_SERVER_CERT") && zsys_file_exists (path))
        setenv ("IMVO_SERVER_CERT", path, 1);
    if (n == 0 || streq (rest [0], "help")) {
        s_usage (n ? stdout : stderr);
        return n ? 0 : 1;
    }
    if (streq (rest [0], "ping")) {
        if (n == 1)
            return s_ping_all (&g);
        return s_call (&g, rest [1], "ping", NULL, 0, NULL, NULL);
    }
    if (streq (rest [0], "catalogue"))
        return g.json ? imvoctl_print_catalogue_json () : imvoctl_print_catalogue ();
    if (n >= 2 && streq (rest [0], "cert") && streq (rest [1], "new"))
        return imvoctl_cert_new (n - 2, rest + 2);
    if (streq (rest [0], "key"))
        return imvoctl_key (n - 1, rest + 1);
    if (streq (rest [0], "demo") && n == 1)
        return imvoctl_demo (g.timeout_ms, g.json);
    if (n >= 2 && streq (rest [0], "complaint") && streq (rest [1], "from-mail"))
        return s_from_mail (&g, n - 2, rest + 2);
    if (n >= 2 && streq (rest [0], "complaint") && (streq (rest [1], "attach") || streq (rest [1], "attachment")))
        return imvoctl_evidence (&g, rest [1], n - 2, rest + 2);
    if (n >= 2 && streq (rest [0], "submission") && (streq (rest [1], "attach") || streq (rest [1], "document")))
        return imvoctl_documents (&g, rest [1], n - 2, rest + 2);
    if (streq (rest [0], "stats") && n == 2)
        return s_call (&g, rest [1], "stats", NULL, 0, NULL, NULL);
    if (streq (rest [0], "call") && (n == 3 || n == 4)) {
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        char err [128];
        int status;
        if (n == 4 && imvo_json_to_msgpack (rest [3], &body, err, sizeof err)) {
            fprintf (stderr, "imvoctl: the body is not JSON: %s\n", err);
            status = 1;
        }
        else
            status = s_call (&g, rest [1], rest [2], body.data, body.size, NULL, NULL);
        msgpack_sbuffer_destroy (&body);
        return status;
    }
    const imvoctl_cmd_t *best = NULL;
    int best_used = 0;
    for (size_t t = 0; t < sizeof s_tables / sizeof s_tables [0]; t++)
        for (const imvoctl_cmd_t *c = s_tables [t]; c->words; c++) {
            int used;
            if (s_matches (c, n, rest, &used) && used > best_used) {
                best = c;
                best_used = used;
            }
        }
    if (!best) {
        fprintf (stderr, "imvoctl: unknown command '%s' (see imvoctl help)\n", rest [0]);
        return 1;
    }
    return s_run_cmd (&g, best, n - best_used, rest + best_used);
}

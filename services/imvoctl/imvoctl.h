/*  imvoctl: the command-line client. Commands are rows in tables, one table per domain file
    (imvoctl_complaints.c, imvoctl_membership.c, ...): the words a user types, the daemon and
    message type it sends, how options and positional arguments map onto body fields (dotted
    paths: "complainant.name"), and how to show the reply (a table for lists, "key: value"
    lines otherwise, JSON with --json). To add a command, add a row; imvoctl.c does the rest.
*/
#ifndef IMVOCTL_H
#define IMVOCTL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    IMVOCTL_STR,        //  --flag VALUE -> string
    IMVOCTL_INT,        //  --flag N -> integer
    IMVOCTL_FLAG,       //  --flag -> true (false when absent, if the option has a default)
    IMVOCTL_LIST,       //  --flag a,b,c -> ["a","b","c"]
    IMVOCTL_FILE,       //  --flag PATH -> the file's text as a string ("-" reads stdin)
    IMVOCTL_JSON,       //  --flag JSON -> that JSON value
    IMVOCTL_BODY        //  --flag PATH -> body fields from a file: a JSON object, or CSV rows of
                        //  "criterion,answer" (answers); options given as well win
} imvoctl_kind_t;

typedef struct {
    const char *flag;           //  "--covenant"
    const char *path;           //  body field, dotted: "complainant.anonymous"
    imvoctl_kind_t kind;
    bool required;
    const char *dflt;           //  JSON literal sent when absent ("false"), or NULL: omitted
    const char *help;
} imvoctl_opt_t;

typedef struct {
    const char *words;          //  "complaint submit"
    const char *service;        //  "complaints"
    const char *type;           //  "complaint.submit"
    const char *args [4];       //  positional arguments: body paths (or "?path" when optional)
    const imvoctl_opt_t *opts;  //  other ways to give fields than the catalogue's (a file); ends
                                //  with {NULL}; may be NULL
    const char *list_key;       //  reply field holding an array to print as a table (or, with
                                //  columns NULL, a string to print as it is), or NULL
    const char *columns;        //  comma-separated columns of that table
    const char *help;           //  one line
} imvoctl_cmd_t;

//  A command's options (imvoctl_options.c): from the catalogue's fields of its message type,
//  then the table's own; text holds the derived flags and help. Returns how many.
typedef struct {
    char flag [64];
    char help [256];
} imvoctl_opt_text_t;
int imvoctl_options (const imvoctl_cmd_t *cmd, imvoctl_opt_t *out, imvoctl_opt_text_t *text, int max);

//  Each domain file defines one table ending with {NULL}.
extern const imvoctl_cmd_t imvoctl_complaints_cmds [];
extern const imvoctl_cmd_t imvoctl_notify_cmds [];
extern const imvoctl_cmd_t imvoctl_membership_cmds [];
extern const imvoctl_cmd_t imvoctl_scoring_cmds [];

//  Printing (imvoctl_print.c): a list of maps as a table of the given comma-separated
//  columns; a map as "key: value" lines, nested values as indented blocks.
#include "imvo_msg.h"
void imvoctl_print_table (const msgpack_object *list, const char *columns);
void imvoctl_print_map (const msgpack_object *map, int indent);
//  A reply's body: as JSON when json (--json), else as a map.
void imvoctl_print_reply (bool json, const msgpack_object *body);
//  Every table's cells: text padded to width display columns (not bytes: "Ünal" takes 4, a
//  CJK character 2), then two spaces; width 0: the row's last cell, then the line's end.
void imvoctl_print_cell (const char *text, size_t width);
//  The columns UTF-8 text takes on a terminal.
size_t imvoctl_text_width (const char *text);

//  The message catalogue as Markdown (proto/README.md is this output). Returns 0.
int imvoctl_print_catalogue (void);
//  The same as JSON (imvoctl --json catalogue): each message's type, service, mode, idem_ttl,
//  reply and fields. Returns 0, or 1 when it could not be written.
int imvoctl_print_catalogue_json (void);

//  A command's body (imvoctl_pack.c): each field a dotted path, a kind and the text given.
typedef struct {
    const char *path;           //  dotted body path
    imvoctl_kind_t kind;        //  how value becomes msgpack
    const char *flag;           //  for messages
    const char *value;          //  the text given (JSON for IMVOCTL_JSON and defaults)
} imvoctl_field_t;
//  Packs the fields as one map, nested by path; -1 (after saying why) when a value does not
//  fit its kind.
int imvoctl_pack_fields (msgpack_packer *pk, const imvoctl_field_t *fields, int n);

//  complaint from-mail (imvoctl_mail.c): a mail file ("-": stdin) as a complaint.submit body
//  for covenant (respondent may be NULL), and its key ("mail:<Message-ID>", "" without one).
//  0, or -1 after saying why.
int imvoctl_mail_body (const char *path, const char *covenant, const char *respondent, msgpack_sbuffer *body,
                       char *key, size_t key_size);

//  Evidence (imvoctl_evidence.c). The options every command shares.
typedef struct {
    bool json;                  //  --json
    int timeout_ms;             //  --timeout, per attempt
    const char *key;            //  --key: idempotency key
    const char *role;           //  --actor-role: actor role
    const char *org;            //  --actor-org: actor org
} imvoctl_globals_t;
//  complaint attach CASE_ID FILE [--name N] [--content-type T] [--shared] and complaint
//  attachment CASE_ID ID --out FILE (what: "attach" or "attachment"); the exit status.
int imvoctl_evidence (const imvoctl_globals_t *g, const char *what, int argc, char **argv);
//  What imvoctl_evidence.c shares with imvoctl_documents.c: one message to the daemon the
//  catalogue names (0 with resp filled, else the exit status after saying why: 2 refused, 3 no
//  reply; quiet: a refusal is left to the caller), a file read whole (NULL after saying why),
//  a reply's data written to out ("-": stdout) and the rest printed (the exit status), and the
//  type libmagic reads in bytes ("application/octet-stream" when it cannot tell).
#include <czmq.h>
#include "imvo_client.h"
int imvoctl_ask (const imvoctl_globals_t *g, const char *type, const char *key, const msgpack_sbuffer *body,
                 imvo_response_t *resp, bool quiet);
zchunk_t *imvoctl_read_file (const char *path);
int imvoctl_write_data (const imvo_response_t *resp, const char *out);
void imvoctl_guess_type (const void *data, size_t len, char *buf, size_t size);
//  submission attach COVENANT ORG_ID FILE --year Y and submission document COVENANT ORG_ID
//  DOC_ID --year Y --out FILE (imvoctl_documents.c; what: "attach" or "document").
int imvoctl_documents (const imvoctl_globals_t *g, const char *what, int argc, char **argv);
//  A mail's attachment: its name, the type the mail says, its decoded bytes.
#include <czmq.h>
typedef struct {
    char *name, *type;
    zchunk_t *data;
} imvoctl_mail_file_t;
void imvoctl_mail_file_destroy (void **item);
//  imvoctl_mail_body that also keeps the mail's attachments in files (of imvoctl_mail_file_t).
int imvoctl_mail_body_files (const char *path, const char *covenant, const char *respondent, msgpack_sbuffer *body,
                             char *key, size_t key_size, zlistx_t *files);
//  Files the complaint (key: the mail's), prints the reply, then attaches each file by the
//  complaint's receipt (a type not allowed is noted, not fatal); the exit status.
int imvoctl_mail_submit (const imvoctl_globals_t *g, const msgpack_sbuffer *body, const char *key, zlistx_t *files);

//  imvoctl demo (imvoctl_demo.c): loads the demo data set; returns the exit status.
int imvoctl_demo (int timeout_ms, bool json);

//  imvoctl cert new (imvoctl_cert.c): argv after "cert new"; returns the exit status.
int imvoctl_cert_new (int argc, char **argv);
//  imvoctl key new FILE | key public DATA_KEY_FILE (imvoctl_cert.c).
int imvoctl_key (int argc, char **argv);

#endif

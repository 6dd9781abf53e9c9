/*  imvoctl_catalogue: the catalogue for people and programs. `imvoctl catalogue` prints it as
    Markdown (the generated part of proto/README.md, the protocol reference; a test keeps them
    in step) and, with --json, as JSON (tests/test_replies.py reads it).
*/
#include "imvoctl.h"
#include "imvo_proto.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

//  "case_id status receipt?" as "`case_id`, `status`, `receipt` (optional)".
static void
s_print_names (const char *list)
{
    bool first = true;
    for (const char *p = list; *p; ) {
        size_t n = strcspn (p, " ");
        if (n) {
            bool optional = p [n - 1] == '?';
            printf ("%s`%.*s`%s", first ? "" : ", ", (int) (n - optional), p, optional ? " (optional)" : "");
            first = false;
        }
        p += n;
        p += strspn (p, " ");
    }
}

//  Prints the message catalogue as Markdown (proto/README.md is this output; a test keeps
//  them in step).
int
imvoctl_print_catalogue (void)
{
    static const char *names [] = { "every daemon", "complaints", "notify", "membership", "scoring", "the audit trail" };
    for (size_t c = 0; imvo_proto_all [c]; c++) {
        printf ("### %s\n\n", names [c]);
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++) {
            char who [160];
            imvo_proto_who ((*m)->who, who, sizeof who);
            printf ("- `%s`: %s\n  - sent by: %s", (*m)->type, (*m)->summary, who);
            if ((*m)->own)
                printf (" (a company only for itself: `%s` is %s<its org>)", (*m)->own,
                        (*m)->own_prefix ? (*m)->own_prefix : "");
            printf ("\n");
            if (strcmp ((*m)->service, "*") != 0) {
                printf ("  - answered by %s, %s", (*m)->service,
                        (*m)->mode == IMVO_PIPELINED ? "pipelined in its poll loop" : "on a worker");
                if ((*m)->idem_ttl)
                    printf ("; an idempotency key is kept %ld day%s", (*m)->idem_ttl / IMVO_DAY,
                            (*m)->idem_ttl == IMVO_DAY ? "" : "s");
                printf ("\n");
            }
            if ((*m)->reply) {
                printf ("  - reply: ");
                s_print_names ((*m)->reply);
                printf ("\n");
            }
            if ((*m)->script) {
                printf ("  - script `%s`, its keys: ", (*m)->script);
                s_print_names ((*m)->script_keys ? (*m)->script_keys : "");
                printf ("; its arguments by name: ");
                s_print_names ((*m)->script_args);
                printf ("\n");
            }
            for (int i = 0; i < (*m)->nfields; i++) {
                const imvo_field_t *f = &(*m)->fields [i];
                printf ("  - `%s` %s%s", f->name, imvo_proto_kind_name (f->kind),
                        f->required ? ", required" : "");
                if (f->kind == IMVO_F_STR || f->kind == IMVO_F_STRLIST)
                    printf (", %s", imvo_proto_format_name (f->format));
                if (f->kind == IMVO_F_INT && (f->min || f->max))
                    printf (", %lld to %lld", (long long) f->min, (long long) f->max);
                else
                if (f->kind == IMVO_F_STR && f->max)
                    printf (", %lld to %lld bytes", (long long) f->min, (long long) f->max);
                else
                if (f->kind == IMVO_F_BIN && f->max)
                    printf (", at most %lld bytes", (long long) f->max);
                else
                if (f->max)
                    printf (", at most %lld items", (long long) f->max);
                if (f->choices) {
                    printf (", one of");
                    for (const char *const *ch = f->choices; *ch; ch++)
                        printf (" `%s`", *ch);
                }
                printf ("\n");
            }
        }
        printf ("\n");
    }
    printf ("### events\n\n");
    for (const imvo_proto_event_t *e = imvo_proto_events; e->type; e++) {
        printf ("- `%s` from %s: %s\n  - body: ", e->type, e->service, e->summary);
        s_print_names (e->fields);
        printf ("\n");
    }
    return 0;
}

//  The short name of a field's kind and format, for the JSON catalogue.
static const char *
s_kind_code (imvo_kind_t kind)
{
    static const char *const names [] = { "str", "int", "bool", "map", "strlist", "array", "bin" };
    return (size_t) kind < sizeof names / sizeof names [0] ? names [kind] : "unknown";
}

static const char *
s_format_code (imvo_format_t format)
{
    static const char *const names [] = { "text", "line", "code", "id", "country", "date", "email", "url",
                                          "case_id", "receipt" };
    return (size_t) format < sizeof names / sizeof names [0] ? names [format] : "unknown";
}

//  Prints the message catalogue as JSON: {"messages": [{type, summary, service, mode,
//  idem_ttl, who, own, reply, script, script_args, fields: [{name, kind, required, min, max,
//  format, choices, help}]}], "events": [{type, service, summary, fields}]}, in the order of
//  the Markdown. reply is the catalogue's string ("case_id status
//  receipt?": '?' marks a field that may be absent) or null.
int
imvoctl_print_catalogue_json (void)
{
    json_t *messages = json_array ();
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++) {
            char who [160];
            imvo_proto_who ((*m)->who, who, sizeof who);
            json_t *fields = json_array ();
            for (int i = 0; i < (*m)->nfields; i++) {
                const imvo_field_t *f = &(*m)->fields [i];
                json_t *field = json_pack ("{s:s, s:s, s:b, s:I, s:I}", "name", f->name, "kind", s_kind_code (f->kind),
                                           "required", f->required, "min", (json_int_t) f->min,
                                           "max", (json_int_t) f->max);
                bool has_format = f->kind == IMVO_F_STR || f->kind == IMVO_F_STRLIST;
                json_object_set_new (field, "format", has_format ? json_string (s_format_code (f->format)) : json_null ());
                json_t *choices = f->choices ? json_array () : json_null ();
                for (const char *const *ch = f->choices; ch && *ch; ch++)
                    json_array_append_new (choices, json_string (*ch));
                json_object_set_new (field, "choices", choices);
                json_object_set_new (field, "help", f->help ? json_string (f->help) : json_null ());
                json_array_append_new (fields, field);
            }
            json_t *msg = json_pack ("{s:s, s:s, s:s, s:s, s:I, s:s}", "type", (*m)->type, "summary", (*m)->summary,
                                     "service", (*m)->service ? (*m)->service : "",
                                     "mode", (*m)->mode == IMVO_PIPELINED ? "pipelined" : "worker",
                                     "idem_ttl", (json_int_t) (*m)->idem_ttl, "who", who);
            json_object_set_new (msg, "own", (*m)->own ? json_string ((*m)->own) : json_null ());
            json_object_set_new (msg, "reply", (*m)->reply ? json_string ((*m)->reply) : json_null ());
            json_object_set_new (msg, "script", (*m)->script ? json_string ((*m)->script) : json_null ());
            json_object_set_new (msg, "script_keys", (*m)->script_keys ? json_string ((*m)->script_keys) : json_null ());
            json_object_set_new (msg, "script_args", (*m)->script_args ? json_string ((*m)->script_args) : json_null ());
            json_object_set_new (msg, "fields", fields);
            json_array_append_new (messages, msg);
        }
    json_t *events = json_array ();
    for (const imvo_proto_event_t *e = imvo_proto_events; e->type; e++)
        json_array_append_new (events, json_pack ("{s:s, s:s, s:s, s:s}", "type", e->type, "service", e->service,
                                                  "summary", e->summary, "fields", e->fields));
    json_t *doc = json_pack ("{s:o, s:o}", "messages", messages, "events", events);
    char *text = json_dumps (doc, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
    json_decref (doc);
    if (!text) {
        fprintf (stderr, "imvoctl: cannot write the catalogue as JSON\n");
        return 1;
    }
    printf ("%s\n", text);
    free (text);
    return 0;
}

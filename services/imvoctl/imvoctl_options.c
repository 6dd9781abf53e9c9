/*  imvoctl_options: a command's options come from the catalogue: one per field of its message
    type that is not a positional argument, named after the field ("complainant.share_identity"
    is --share-identity), with the field's kind, whether it is required, and its help (or a
    description of its rules). A command's table adds only other ways to give a field (a file).
*/
#include "imvoctl.h"
#include "imvo_proto.h"

#include <czmq.h>

static bool
s_positional (const imvoctl_cmd_t *cmd, const char *path)
{
    for (int a = 0; a < 4 && cmd->args [a]; a++)
        if (streq (cmd->args [a] [0] == '?' ? cmd->args [a] + 1 : cmd->args [a], path))
            return true;
    return false;
}

//  What a field takes, for its help when the catalogue has none.
static void
s_describe (const imvo_field_t *f, char *buf, size_t size)
{
    int n = 0;
    if (f->kind == IMVO_F_INT)
        n = snprintf (buf, size, "a whole number from %lld to %lld", (long long) f->min, (long long) f->max);
    else
    if (f->kind == IMVO_F_STRLIST)
        n = snprintf (buf, size, "comma-separated, each %s", imvo_proto_format_name (f->format));
    else
        n = snprintf (buf, size, "%s", imvo_proto_format_name (f->format));
    if (f->choices && n > 0 && (size_t) n < size) {
        n += snprintf (buf + n, size - (size_t) n, ": one of");
        for (const char *const *c = f->choices; *c && n > 0 && (size_t) n < size; c++)
            n += snprintf (buf + n, size - (size_t) n, " %s", *c);
    }
}

//  "--" and the name with '_' (and '.') as '-'.
static void
s_flag (const char *name, char *buf, size_t size)
{
    int len = snprintf (buf, size, "--%s", name);
    for (int k = 2; k < len && (size_t) k < size; k++)
        if (buf [k] == '_' || buf [k] == '.')
            buf [k] = '-';
}

int
imvoctl_options (const imvoctl_cmd_t *cmd, imvoctl_opt_t *out, imvoctl_opt_text_t *text, int max)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (cmd->type);
    int n = 0;
    for (int i = 0; msg && i < msg->nfields && n < max; i++) {
        const imvo_field_t *f = &msg->fields [i];
        if (f->kind == IMVO_F_MAP || !f->name [0] || s_positional (cmd, f->name))
            continue;
        const char *leaf = strrchr (f->name, '.');
        s_flag (leaf ? leaf + 1 : f->name, text [n].flag, sizeof text [n].flag);
        for (int o = 0; o < n; o++)         //  two fields with one last name: the whole path
            if (streq (out [o].flag, text [n].flag)) {
                if (leaf)
                    s_flag (f->name, text [n].flag, sizeof text [n].flag);
                else                        //  a top-level field keeps its name; the nested one yields
                    s_flag (out [o].path, text [o].flag, sizeof text [o].flag);
            }
        if (f->help)
            snprintf (text [n].help, sizeof text [n].help, "%s", f->help);
        else
            s_describe (f, text [n].help, sizeof text [n].help);
        bool flag = f->kind == IMVO_F_BOOL;
        out [n] = (imvoctl_opt_t) {
            text [n].flag, f->name,
            flag ? IMVOCTL_FLAG : f->kind == IMVO_F_INT ? IMVOCTL_INT : f->kind == IMVO_F_STRLIST ? IMVOCTL_LIST
                 : f->kind == IMVO_F_ARRAY ? IMVOCTL_JSON : IMVOCTL_STR,
            f->required && !flag, flag && f->required ? "false" : NULL, text [n].help };
        n++;
    }
    for (const imvoctl_opt_t *o = cmd->opts; o && o->flag && n < max; o++)
        out [n++] = *o;
    return n;
}

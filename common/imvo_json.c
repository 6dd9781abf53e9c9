/*  imvo_json: renders a msgpack object as JSON, for imvoctl --json and for logs.
    Strings are escaped per RFC 8259; non-string map keys are rendered as JSON strings;
    binary becomes a hex string; floats use %.17g. Output is built with open_memstream.
*/
#include "imvo_msg.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_json_str (FILE *f, const char *s, size_t len)
{
    fputc ('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s [i];
        if (c == '"' || c == '\\')
            fprintf (f, "\\%c", c);
        else
        if (c == '\n')
            fputs ("\\n", f);
        else
        if (c == '\t')
            fputs ("\\t", f);
        else
        if (c == '\r')
            fputs ("\\r", f);
        else
        if (c < 0x20 || c == 0x7f)
            fprintf (f, "\\u%04x", c);
        else
            fputc (c, f);
    }
    fputc ('"', f);
}

static void
s_newline (FILE *f, int indent, int level)
{
    if (indent > 0)
        fprintf (f, "\n%*s", indent * level, "");
}

static void
s_json (FILE *f, const msgpack_object *o, int indent, int level)
{
    switch (o->type) {
        case MSGPACK_OBJECT_NIL:
            fputs ("null", f);
            break;
        case MSGPACK_OBJECT_BOOLEAN:
            fputs (o->via.boolean ? "true" : "false", f);
            break;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            fprintf (f, "%" PRIu64, o->via.u64);
            break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            fprintf (f, "%" PRId64, o->via.i64);
            break;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            fprintf (f, "%.17g", o->via.f64);
            break;
        case MSGPACK_OBJECT_STR:
            s_json_str (f, o->via.str.ptr, o->via.str.size);
            break;
        case MSGPACK_OBJECT_BIN:
        case MSGPACK_OBJECT_EXT: {
            const char *p = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.ext.ptr;
            uint32_t n = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.ext.size;
            fputc ('"', f);
            for (uint32_t i = 0; i < n; i++)
                fprintf (f, "%02x", (unsigned char) p [i]);
            fputc ('"', f);
            break;
        }
        case MSGPACK_OBJECT_ARRAY:
            fputc ('[', f);
            for (uint32_t i = 0; i < o->via.array.size; i++) {
                if (i)
                    fputc (',', f);
                s_newline (f, indent, level + 1);
                s_json (f, &o->via.array.ptr [i], indent, level + 1);
            }
            if (o->via.array.size)
                s_newline (f, indent, level);
            fputc (']', f);
            break;
        case MSGPACK_OBJECT_MAP:
            fputc ('{', f);
            for (uint32_t i = 0; i < o->via.map.size; i++) {
                const msgpack_object *k = &o->via.map.ptr [i].key;
                if (i)
                    fputc (',', f);
                s_newline (f, indent, level + 1);
                if (k->type == MSGPACK_OBJECT_STR)
                    s_json_str (f, k->via.str.ptr, k->via.str.size);
                else {
                    char *inner = imvo_json_from_obj (k, 0);
                    s_json_str (f, inner, strlen (inner));
                    free (inner);
                }
                fputs (indent > 0 ? ": " : ":", f);
                s_json (f, &o->via.map.ptr [i].val, indent, level + 1);
            }
            if (o->via.map.size)
                s_newline (f, indent, level);
            fputc ('}', f);
            break;
    }
}

char *
imvo_json_from_obj (const msgpack_object *obj, int indent)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    if (!f)
        return NULL;
    s_json (f, obj, indent, 0);
    fclose (f);
    return buf;
}

/*  imvo_json: JSON <-> msgpack for imvoctl (--json output, JSON bodies) and for logs.
    Strings are escaped per RFC 8259; non-string map keys are rendered as JSON strings;
    binary becomes a hex string; floats use %.17g. Output is built with open_memstream.
*/
#include "imvo_msg.h"

#include <errno.h>
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

//  --- JSON reader -------------------------------------------------------------------------
//  Recursive descent; each container is packed into its own buffer first because msgpack
//  needs the element count before the elements.

typedef struct {
    const char *p;          //  next character
    const char *start;      //  for error positions
    char *err;
    size_t errsize;
    int depth;
} s_json_reader_t;

static int
s_jerr (s_json_reader_t *r, const char *what)
{
    snprintf (r->err, r->errsize, "%s at offset %ld", what, (long) (r->p - r->start));
    return -1;
}

static void
s_jspace (s_json_reader_t *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
        r->p++;
}

static int s_jvalue (s_json_reader_t *r, msgpack_packer *pk);

static int
s_jhex4 (const char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p [i];
        unsigned d = c >= '0' && c <= '9' ? (unsigned) (c - '0')
                   : c >= 'a' && c <= 'f' ? (unsigned) (c - 'a' + 10)
                   : c >= 'A' && c <= 'F' ? (unsigned) (c - 'A' + 10) : 99;
        if (d == 99)
            return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

static int
s_jstring (s_json_reader_t *r, msgpack_packer *pk)
{
    r->p++;                                     //  opening quote
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream (&buf, &len);
    int rc = -1;
    while (*r->p && *r->p != '"') {
        unsigned char c = (unsigned char) *r->p;
        if (c < 0x20) {
            s_jerr (r, "control character in string");
            goto done;
        }
        if (c != '\\') {
            fputc (c, f);
            r->p++;
            continue;
        }
        r->p++;
        switch (*r->p) {
            case '"': case '\\': case '/': fputc (*r->p, f); break;
            case 'b': fputc ('\b', f); break;
            case 'f': fputc ('\f', f); break;
            case 'n': fputc ('\n', f); break;
            case 'r': fputc ('\r', f); break;
            case 't': fputc ('\t', f); break;
            case 'u': {
                unsigned cp;
                if (s_jhex4 (r->p + 1, &cp)) {
                    s_jerr (r, "bad \\u escape");
                    goto done;
                }
                r->p += 4;
                if (cp >= 0xd800 && cp <= 0xdbff && r->p [1] == '\\' && r->p [2] == 'u') {
                    unsigned lo;
                    if (s_jhex4 (r->p + 3, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        r->p += 6;
                    }
                }
                if (cp >= 0xd800 && cp <= 0xdfff) {
                    s_jerr (r, "lone surrogate in \\u escape");
                    goto done;
                }
                if (cp < 0x80)
                    fputc ((int) cp, f);
                else
                if (cp < 0x800) {
                    fputc ((int) (0xc0 | (cp >> 6)), f);
                    fputc ((int) (0x80 | (cp & 0x3f)), f);
                }
                else
                if (cp < 0x10000) {
                    fputc ((int) (0xe0 | (cp >> 12)), f);
                    fputc ((int) (0x80 | ((cp >> 6) & 0x3f)), f);
                    fputc ((int) (0x80 | (cp & 0x3f)), f);
                }
                else {
                    fputc ((int) (0xf0 | (cp >> 18)), f);
                    fputc ((int) (0x80 | ((cp >> 12) & 0x3f)), f);
                    fputc ((int) (0x80 | ((cp >> 6) & 0x3f)), f);
                    fputc ((int) (0x80 | (cp & 0x3f)), f);
                }
                break;
            }
            default:
                s_jerr (r, "bad escape in string");
                goto done;
        }
        r->p++;
    }
    if (*r->p != '"') {
        s_jerr (r, "unterminated string");
        goto done;
    }
    r->p++;
    rc = 0;
done:
    fclose (f);
    if (rc == 0)
        imvo_pack_strn (pk, buf, len);
    free (buf);
    return rc;
}

static int
s_jcontainer (s_json_reader_t *r, msgpack_packer *pk, bool object)
{
    if (++r->depth > 32)
        return s_jerr (r, "nested too deeply");
    r->p++;
    msgpack_sbuffer inner;
    msgpack_sbuffer_init (&inner);
    msgpack_packer ipk;
    msgpack_packer_init (&ipk, &inner, msgpack_sbuffer_write);
    uint32_t n = 0;
    int rc = -1;
    s_jspace (r);
    if (*r->p == (object ? '}' : ']'))
        r->p++;
    else
        while (true) {
            s_jspace (r);
            if (object) {
                if (*r->p != '"') {
                    s_jerr (r, "expected a string key");
                    goto done;
                }
                if (s_jstring (r, &ipk))
                    goto done;
                s_jspace (r);
                if (*r->p++ != ':') {
                    r->p--;
                    s_jerr (r, "expected ':'");
                    goto done;
                }
            }
            if (s_jvalue (r, &ipk))
                goto done;
            n++;
            s_jspace (r);
            if (*r->p == ',') {
                r->p++;
                continue;
            }
            if (*r->p == (object ? '}' : ']')) {
                r->p++;
                break;
            }
            s_jerr (r, object ? "expected ',' or '}'" : "expected ',' or ']'");
            goto done;
        }
    if (object)
        msgpack_pack_map (pk, n);
    else
        msgpack_pack_array (pk, n);
    msgpack_sbuffer_write (pk->data, inner.data, inner.size);
    rc = 0;
    r->depth--;
done:
    msgpack_sbuffer_destroy (&inner);
    return rc;
}

static int
s_jvalue (s_json_reader_t *r, msgpack_packer *pk)
{
    s_jspace (r);
    char c = *r->p;
    if (c == '{' || c == '[')
        return s_jcontainer (r, pk, c == '{');
    if (c == '"')
        return s_jstring (r, pk);
    if (strncmp (r->p, "true", 4) == 0) {
        r->p += 4;
        msgpack_pack_true (pk);
        return 0;
    }
    if (strncmp (r->p, "false", 5) == 0) {
        r->p += 5;
        msgpack_pack_false (pk);
        return 0;
    }
    if (strncmp (r->p, "null", 4) == 0) {
        r->p += 4;
        msgpack_pack_nil (pk);
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *q = r->p + (c == '-');
        while (*q >= '0' && *q <= '9')
            q++;
        if (*q == '.' || *q == 'e' || *q == 'E') {
            char *end;
            double d = strtod (r->p, &end);
            r->p = end;
            msgpack_pack_double (pk, d);
        }
        else {
            char *end;
            errno = 0;
            long long v = strtoll (r->p, &end, 10);
            if (errno)
                return s_jerr (r, "integer out of range");
            r->p = end;
            msgpack_pack_int64 (pk, v);
        }
        return 0;
    }
    return s_jerr (r, "unexpected character");
}

int
imvo_json_to_msgpack (const char *text, msgpack_sbuffer *out, char *err, size_t errsize)
{
    s_json_reader_t r = { text, text, err, errsize, 0 };
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    if (s_jvalue (&r, &pk))
        return -1;
    s_jspace (&r);
    if (*r.p)
        return s_jerr (&r, "trailing characters");
    return 0;
}

/*  imvo_json: JSON <-> msgpack for imvoctl (--json output, JSON bodies) and the seed data,
    through jansson. Non-string map keys are rendered as JSON strings; binary and extension
    values become hex strings; a float that JSON cannot hold (NaN, infinity) becomes null; an
    integer past INT64_MAX becomes a real; bytes that are not UTF-8 become U+FFFD. The reader
    takes RFC 8259 JSON only (no "-.5", "007", "1.", invalid UTF-8) and nesting up to 32.
*/
#include "imvo_msg.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_DEPTH 32

//  Length of the valid UTF-8 sequence at p (n bytes left), or 0 when it is not one.
static size_t
s_utf8_seq (const unsigned char *p, size_t n)
{
    if (p [0] < 0x80)
        return 1;
    size_t len = (p [0] & 0xe0) == 0xc0 ? 2 : (p [0] & 0xf0) == 0xe0 ? 3 : (p [0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!len || len > n)
        return 0;
    unsigned cp = p [0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p [i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p [i] & 0x3f);
    }
    static const unsigned least [] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < least [len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

//  A JSON string of len bytes of s; invalid UTF-8 becomes U+FFFD.
static json_t *
s_string (const char *s, size_t len)
{
    json_t *j = json_stringn (s, len);
    if (j)
        return j;
    char *clean = malloc (len * 3 + 1);
    if (!clean)
        return json_null ();
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t seq = s_utf8_seq ((const unsigned char *) s + i, len - i);
        if (seq) {
            memcpy (clean + n, s + i, seq);
            n += seq;
            i += seq;
        }
        else {
            memcpy (clean + n, "\xef\xbf\xbd", 3);
            n += 3;
            i++;
        }
    }
    j = json_stringn (clean, n);
    free (clean);
    return j ? j : json_null ();
}

static json_t *
s_hex (const char *p, uint32_t n)
{
    char *hex = malloc ((size_t) n * 2 + 1);
    if (!hex)
        return json_null ();
    for (uint32_t i = 0; i < n; i++)
        snprintf (hex + 2 * i, 3, "%02x", (unsigned char) p [i]);
    json_t *j = json_stringn (hex, (size_t) n * 2);
    free (hex);
    return j;
}

static json_t *
s_to_json (const msgpack_object *o)
{
    switch (o->type) {
        case MSGPACK_OBJECT_NIL:
            return json_null ();
        case MSGPACK_OBJECT_BOOLEAN:
            return json_boolean (o->via.boolean);
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            return o->via.u64 <= INT64_MAX ? json_integer ((json_int_t) o->via.u64) : json_real ((double) o->via.u64);
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            return json_integer (o->via.i64);
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            return isfinite (o->via.f64) ? json_real (o->via.f64) : json_null ();
        case MSGPACK_OBJECT_STR:
            return s_string (o->via.str.ptr, o->via.str.size);
        case MSGPACK_OBJECT_BIN:
            return s_hex (o->via.bin.ptr, o->via.bin.size);
        case MSGPACK_OBJECT_EXT:
            return s_hex (o->via.ext.ptr, o->via.ext.size);
        case MSGPACK_OBJECT_ARRAY: {
            json_t *a = json_array ();
            for (uint32_t i = 0; i < o->via.array.size; i++)
                json_array_append_new (a, s_to_json (&o->via.array.ptr [i]));
            return a;
        }
        case MSGPACK_OBJECT_MAP: {
            json_t *m = json_object ();
            for (uint32_t i = 0; i < o->via.map.size; i++) {
                const msgpack_object *k = &o->via.map.ptr [i].key;
                json_t *key = k->type == MSGPACK_OBJECT_STR ? s_string (k->via.str.ptr, k->via.str.size) : NULL;
                char *text = key ? NULL : imvo_json_from_obj (k, 0);
                const char *name = key ? json_string_value (key) : text;
                size_t nlen = key ? json_string_length (key) : strlen (text);
                json_object_setn_new (m, name ? name : "", name ? nlen : 0, s_to_json (&o->via.map.ptr [i].val));
                json_decref (key);
                free (text);
            }
            return m;
        }
    }
    return json_null ();
}

char *
imvo_json_from_obj (const msgpack_object *obj, int indent)
{
    json_t *j = s_to_json (obj);
    size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION (17);
    if (indent > 0)
        flags |= JSON_INDENT (indent > 31 ? 31 : indent);
    else
        flags |= JSON_COMPACT;
    char *text = json_dumps (j, flags);
    json_decref (j);
    return text;
}

//  --- JSON reader -------------------------------------------------------------------------

static int
s_pack (const json_t *j, msgpack_packer *pk, int depth, char *err, size_t errsize)
{
    if (depth > S_MAX_DEPTH) {
        snprintf (err, errsize, "nested deeper than %d", S_MAX_DEPTH);
        return -1;
    }
    switch (json_typeof (j)) {
        case JSON_NULL:
            return msgpack_pack_nil (pk);
        case JSON_TRUE:
            return msgpack_pack_true (pk);
        case JSON_FALSE:
            return msgpack_pack_false (pk);
        case JSON_INTEGER:
            return msgpack_pack_int64 (pk, json_integer_value (j));
        case JSON_REAL:
            return msgpack_pack_double (pk, json_real_value (j));
        case JSON_STRING:
            imvo_pack_strn (pk, json_string_value (j), json_string_length (j));
            return 0;
        case JSON_ARRAY: {
            msgpack_pack_array (pk, (uint32_t) json_array_size (j));
            size_t i;
            json_t *v;
            json_array_foreach (j, i, v)
                if (s_pack (v, pk, depth + 1, err, errsize))
                    return -1;
            return 0;
        }
        case JSON_OBJECT: {
            msgpack_pack_map (pk, (uint32_t) json_object_size (j));
            const char *k;
            size_t klen;
            json_t *v;
            void *tmp;
            json_object_keylen_foreach_safe ((json_t *) j, tmp, k, klen, v) {
                imvo_pack_strn (pk, k, klen);
                if (s_pack (v, pk, depth + 1, err, errsize))
                    return -1;
            }
            return 0;
        }
    }
    return -1;
}

int
imvo_json_to_msgpack (const char *text, msgpack_sbuffer *out, char *err, size_t errsize)
{
    json_error_t jerr;
    //  NUL is allowed in strings, so that the catalogue refuses it naming the field.
    json_t *j = json_loads (text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        snprintf (err, errsize, "%s at line %d, column %d", jerr.text, jerr.line, jerr.column);
        return -1;
    }
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    int rc = s_pack (j, &pk, 0, err, errsize);
    json_decref (j);
    return rc ? -1 : 0;
}

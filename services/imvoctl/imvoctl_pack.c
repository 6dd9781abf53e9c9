/*  imvoctl_pack: a command's options and arguments as the message body, packed directly:
    dotted paths become nested maps, each value packed by its kind.
*/
#include "imvoctl.h"
#include "imvo_config.h"

#include <czmq.h>
#include <errno.h>


//  Packs one field's value; -1 (after saying why) when it does not fit its kind.
static int
s_pack_value (msgpack_packer *pk, const imvoctl_field_t *f)
{
    switch (f->kind) {
        case IMVOCTL_STR:
            imvo_pack_str (pk, f->value);
            return 0;
        case IMVOCTL_INT: {
            char *end;
            long long v = strtoll (f->value, &end, 10);
            if (!*f->value || *end) {
                fprintf (stderr, "imvoctl: %s needs a whole number, not '%s'\n", f->flag, f->value);
                return -1;
            }
            return msgpack_pack_int64 (pk, v);
        }
        case IMVOCTL_FLAG:
            return msgpack_pack_true (pk);
        case IMVOCTL_LIST: {
            char *copy = strdup (f->value), *save = NULL;
            const char *items [256];
            uint32_t n = 0;
            for (char *t = strtok_r (copy, ",", &save); t && n < 256; t = strtok_r (NULL, ",", &save)) {
                while (*t == ' ')
                    t++;
                if (*t)
                    items [n++] = t;
            }
            msgpack_pack_array (pk, n);
            for (uint32_t i = 0; i < n; i++)
                imvo_pack_str (pk, items [i]);
            free (copy);
            return 0;
        }
        case IMVOCTL_FILE: {
            char *text = imvo_file_read (f->value);
            if (!text) {
                fprintf (stderr, "imvoctl: cannot read %s: %s\n", f->value, strerror (errno));
                return -1;
            }
            imvo_pack_str (pk, text);
            free (text);
            return 0;
        }
        case IMVOCTL_BODY:
            return -1;                  //  merged by imvoctl_pack_fields
        case IMVOCTL_JSON: {
            msgpack_sbuffer buf;
            msgpack_sbuffer_init (&buf);
            char err [128];
            int rc = imvo_json_to_msgpack (f->value, &buf, err, sizeof err);
            if (rc)
                fprintf (stderr, "imvoctl: %s is not JSON: %s\n", f->flag, err);
            else
                msgpack_sbuffer_write (pk->data, buf.data, buf.size);
            msgpack_sbuffer_destroy (&buf);
            return rc;
        }
    }
    return -1;
}

//  Packs the fields whose paths start with prefix (plen bytes) as one map: "complainant.name"
//  and "complainant.contact" become {"complainant": {"name", "contact"}}.
static int
s_pack_object (msgpack_packer *pk, const imvoctl_field_t *fields, int n, const char *prefix, size_t plen)
{
    //  The distinct first segments after the prefix, in order of appearance.
    int firsts [64];
    uint32_t count = 0;
    for (int i = 0; i < n; i++) {
        const char *rest = fields [i].path + plen;
        if (strncmp (fields [i].path, prefix, plen) != 0)
            continue;
        size_t seglen = strcspn (rest, ".");
        bool seen = false;
        for (uint32_t k = 0; k < count && !seen; k++) {
            const char *other = fields [firsts [k]].path + plen;
            seen = strncmp (other, rest, seglen) == 0 && (other [seglen] == '.' || other [seglen] == 0);
        }
        if (!seen)
            firsts [count++] = i;
    }
    msgpack_pack_map (pk, count);
    for (uint32_t k = 0; k < count; k++) {
        const imvoctl_field_t *f = &fields [firsts [k]];
        const char *rest = f->path + plen;
        size_t seglen = strcspn (rest, ".");
        imvo_pack_strn (pk, rest, seglen);
        if (rest [seglen] == '.') {
            char sub [256];
            snprintf (sub, sizeof sub, "%.*s", (int) (plen + seglen + 1), f->path);
            if (s_pack_object (pk, fields, n, sub, plen + seglen + 1))
                return -1;
        }
        else
        if (s_pack_value (pk, f))
            return -1;
    }
    return 0;
}

//  A body file as a packed map: JSON text, or CSV rows "criterion,answer" (a header line
//  that is not a number is skipped) as {"answers": {criterion: answer}}.
static int
s_body_file (const char *path, msgpack_sbuffer *out)
{
    char *text = imvo_file_read (path);
    if (!text) {
        fprintf (stderr, "imvoctl: cannot read %s: %s\n", path, strerror (errno));
        return -1;
    }
    const char *p = text;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    int rc = 0;
    if (*p == '{') {
        char err [128];
        if ((rc = imvo_json_to_msgpack (text, out, err, sizeof err)))
            fprintf (stderr, "imvoctl: %s is not JSON: %s\n", path, err);
    }
    else {
        msgpack_sbuffer rows;
        msgpack_sbuffer_init (&rows);
        msgpack_packer rpk;
        msgpack_packer_init (&rpk, &rows, msgpack_sbuffer_write);
        uint32_t count = 0;
        int line = 0;
        char *save = NULL;
        for (char *l = strtok_r (text, "\r\n", &save); l && rc == 0; l = strtok_r (NULL, "\r\n", &save)) {
            line++;
            char *comma = strchr (l, ',');
            char *end = NULL;
            long long v = comma ? strtoll (comma + 1, &end, 10) : 0;
            if (!comma || !end || end == comma + 1 || *end) {
                if (line == 1)
                    continue;           //  the header
                fprintf (stderr, "imvoctl: %s line %d: write criterion,answer (a whole number)\n", path, line);
                rc = -1;
                break;
            }
            imvo_pack_strn (&rpk, l, (size_t) (comma - l));
            msgpack_pack_int64 (&rpk, v);
            count++;
        }
        msgpack_packer pk;
        msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 1);
        imvo_pack_str (&pk, "answers");
        msgpack_pack_map (&pk, count);
        msgpack_sbuffer_write (out, rows.data, rows.size);
        msgpack_sbuffer_destroy (&rows);
    }
    free (text);
    return rc;
}

int
imvoctl_pack_fields (msgpack_packer *pk, const imvoctl_field_t *fields, int n)
{
    const imvoctl_field_t *body = NULL;
    imvoctl_field_t rest [64];
    int m = 0;
    for (int i = 0; i < n && m < 64; i++)
        if (fields [i].kind == IMVOCTL_BODY)
            body = &fields [i];
        else
            rest [m++] = fields [i];
    if (!body)
        return s_pack_object (pk, fields, n, "", 0);
    //  The file's fields, and the options' over them.
    msgpack_sbuffer file, opts;
    msgpack_sbuffer_init (&file);
    msgpack_sbuffer_init (&opts);
    msgpack_packer opk;
    msgpack_packer_init (&opk, &opts, msgpack_sbuffer_write);
    int rc = s_body_file (body->value, &file);
    if (rc == 0)
        rc = s_pack_object (&opk, rest, m, "", 0);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object a, b;
    const char *why;
    if (rc == 0 && (imvo_msg_unpack (file.data, file.size, &zone, &a, &why) || a.type != MSGPACK_OBJECT_MAP
                ||  imvo_msg_unpack (opts.data, opts.size, &zone, &b, &why))) {
        fprintf (stderr, "imvoctl: %s must hold one JSON object\n", body->value);
        rc = -1;
    }
    if (rc == 0) {
        uint32_t extra = 0;
        for (uint32_t i = 0; i < a.via.map.size; i++) {
            char key [128] = "";
            imvo_obj_strcpy (&a.via.map.ptr [i].key, key, sizeof key);
            extra += !imvo_map_get (&b, key);
        }
        msgpack_pack_map (pk, b.via.map.size + extra);
        for (uint32_t i = 0; i < b.via.map.size; i++) {
            msgpack_pack_object (pk, b.via.map.ptr [i].key);
            msgpack_pack_object (pk, b.via.map.ptr [i].val);
        }
        for (uint32_t i = 0; i < a.via.map.size; i++) {
            char key [128] = "";
            imvo_obj_strcpy (&a.via.map.ptr [i].key, key, sizeof key);
            if (!imvo_map_get (&b, key)) {
                msgpack_pack_object (pk, a.via.map.ptr [i].key);
                msgpack_pack_object (pk, a.via.map.ptr [i].val);
            }
        }
    }
    msgpack_zone_destroy (&zone);
    msgpack_sbuffer_destroy (&file);
    msgpack_sbuffer_destroy (&opts);
    return rc;
}

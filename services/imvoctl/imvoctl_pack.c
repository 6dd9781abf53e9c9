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

int
imvoctl_pack_fields (msgpack_packer *pk, const imvoctl_field_t *fields, int n)
{
    return s_pack_object (pk, fields, n, "", 0);
}

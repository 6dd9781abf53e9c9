/*  imvo_named: a script's arguments by name (imvo_service.h). The catalogue entry of the
    message names them (script_args); the daemon packs them in that order as one msgpack map,
    which the script reads with imvo_named() (common/lua/prelude.lua) as a table. Giving a name
    out of order, or leaving one out, is a programming error that the first request shows.
*/
#include "imvo_service.h"

#include <stdarg.h>
#include <string.h>

//  The next name of the list at *next, into buf; moves *next past it. false at the end.
static bool
s_next_name (const char **next, char *buf, size_t size)
{
    const char *p = *next + strspn (*next, " ");
    size_t n = strcspn (p, " ");
    if (!n || n >= size)
        return false;
    memcpy (buf, p, n);
    buf [n] = 0;
    *next = p + n;
    return true;
}

static size_t
s_count (const char *list)
{
    size_t n = 0;
    char name [64];
    while (s_next_name (&list, name, sizeof name))
        n++;
    return n;
}

void
imvo_named_init (imvo_named_t *self, const char *type)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (type);
    assert (msg && msg->script_args);       //  its entry names the script's arguments
    self->next = msg->script_args;
    msgpack_sbuffer_init (&self->buf);
    msgpack_packer_init (&self->pk, &self->buf, msgpack_sbuffer_write);
    msgpack_pack_map (&self->pk, (uint32_t) s_count (msg->script_args));
}

msgpack_packer *
imvo_named_key (imvo_named_t *self, const char *name)
{
    char expected [64] = "";
    bool more = s_next_name (&self->next, expected, sizeof expected);
    assert (more && strcmp (expected, name) == 0);      //  the catalogue's names, in its order
    (void) more;
    imvo_pack_str (&self->pk, name);
    return &self->pk;
}

void
imvo_named_str (imvo_named_t *self, const char *name, const char *value)
{
    imvo_pack_str (imvo_named_key (self, name), value);
}

void
imvo_named_fmt (imvo_named_t *self, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *value = zsys_vprintf (fmt, ap);
    va_end (ap);
    assert (value);
    imvo_named_str (self, name, value);
    zstr_free (&value);
}

void
imvo_named_bytes (imvo_named_t *self, const char *name, const char *data, size_t size)
{
    //  As a msgpack string of bytes: Redis's cmsgpack reads no bin type, and a Lua string
    //  holds any bytes.
    msgpack_packer *pk = imvo_named_key (self, name);
    msgpack_pack_str (pk, size);
    msgpack_pack_str_body (pk, data, size);
}

void
imvo_named_done (imvo_named_t *self, imvo_args_t *args)
{
    char rest [64];
    assert (!s_next_name (&self->next, rest, sizeof rest));     //  every name was given
    (void) rest;
    imvo_args_add (args, self->buf.data, self->buf.size);
    imvo_args_own (args);
    msgpack_sbuffer_destroy (&self->buf);
}

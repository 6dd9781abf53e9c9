/*  imvo_msg: a bounds-checking pre-pass over msgpack bytes, plus small accessors.
    See imvo_msg.h for why the pre-pass exists. The walk is iterative (an explicit stack of
    "objects still owed" per level), so hostile nesting cannot blow the C stack either.
*/
#include "imvo_msg.h"

#include <string.h>

//  Reads a big-endian unsigned integer of n bytes.
static uint64_t
s_be (const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p [i];
    return v;
}

int
imvo_msg_check (const char *data, size_t size, const char **why)
{
    return imvo_msg_check_items (data, size, IMVO_MSG_MAX_ITEMS, why);
}

int
imvo_msg_check_items (const char *data, size_t size, size_t max_items, const char **why)
{
    const unsigned char *p = (const unsigned char *) data;
    size_t pos = 0;
    uint64_t owed [IMVO_MSG_MAX_DEPTH + 1];  //  objects still to read at each open level
    int depth = 0;
    size_t items = 0;
    owed [0] = 1;

    while (true) {
        while (depth > 0 && owed [depth] == 0)
            depth--;
        if (owed [depth] == 0)
            break;                              //  level 0 done: the one top object is read
        owed [depth]--;
        if (pos >= size) {
            *why = "frame is truncated";
            return -1;
        }
        if (++items > max_items) {
            *why = "frame holds too many objects";
            return -1;
        }
        size_t left = size - pos - 1;
        unsigned char b = p [pos++];
        uint64_t payload = 0;                  //  bytes of scalar payload after the header
        uint64_t children = 0;                 //  objects a container declares
        int hdr = 0;                           //  size-field width after the type byte

        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
            ;                                   //  fixint, nil, bool: no payload
        else
        if ((b & 0xf0) == 0x80)
            children = (uint64_t) (b & 0x0f) * 2;
        else
        if ((b & 0xf0) == 0x90)
            children = b & 0x0f;
        else
        if ((b & 0xe0) == 0xa0)
            payload = b & 0x1f;
        else {
            switch (b) {
                case 0xc4: case 0xd9: hdr = 1; break;       //  bin8, str8
                case 0xc5: case 0xda: hdr = 2; break;       //  bin16, str16
                case 0xc6: case 0xdb: hdr = 4; break;       //  bin32, str32
                case 0xc7: hdr = 1; payload = 1; break;      //  ext8 (+ type byte)
                case 0xc8: hdr = 2; payload = 1; break;
                case 0xc9: hdr = 4; payload = 1; break;
                case 0xca: payload = 4; break;
                case 0xcb: payload = 8; break;
                case 0xcc: case 0xd0: payload = 1; break;
                case 0xcd: case 0xd1: payload = 2; break;
                case 0xce: case 0xd2: payload = 4; break;
                case 0xcf: case 0xd3: payload = 8; break;
                case 0xd4: payload = 2; break;               //  fixext 1..16 (+ type byte)
                case 0xd5: payload = 3; break;
                case 0xd6: payload = 5; break;
                case 0xd7: payload = 9; break;
                case 0xd8: payload = 17; break;
                case 0xdc: case 0xde: hdr = 2; break;        //  array16, map16
                case 0xdd: case 0xdf: hdr = 4; break;        //  array32, map32
                default:
                    *why = "frame holds a reserved msgpack byte";
                    return -1;
            }
            if (hdr) {
                if (left < (size_t) hdr) {
                    *why = "frame is truncated";
                    return -1;
                }
                uint64_t n = s_be (p + pos, hdr);
                pos += hdr;
                left -= hdr;
                if (b == 0xdc || b == 0xdd)
                    children = n;
                else
                if (b == 0xde || b == 0xdf)
                    children = n * 2;
                else
                    payload += n;
            }
        }
        if (payload > left) {
            *why = "declared string or binary size exceeds the frame";
            return -1;
        }
        pos += payload;
        //  An empty container is a level of nesting too, though it opens no level here.
        bool container = (b & 0xe0) == 0x80 || (b >= 0xdc && b <= 0xdf);
        if (container && depth == IMVO_MSG_MAX_DEPTH) {
            *why = "frame is nested too deeply";
            return -1;
        }
        if (children) {
            //  Every child takes at least one byte: a declared size larger than what is
            //  left is a lie, refused before msgpack-c sizes an allocation from it.
            if (children > size - pos) {
                *why = "declared container size exceeds the frame";
                return -1;
            }
            owed [++depth] = children;
        }
    }
    if (pos != size) {
        *why = "frame has trailing bytes after the object";
        return -1;
    }
    return 0;
}

int
imvo_msg_unpack (const char *data, size_t size, msgpack_zone *zone, msgpack_object *out,
                 const char **why)
{
    return imvo_msg_unpack_items (data, size, IMVO_MSG_MAX_ITEMS, zone, out, why);
}

int
imvo_msg_unpack_items (const char *data, size_t size, size_t max_items, msgpack_zone *zone,
                       msgpack_object *out, const char **why)
{
    if (imvo_msg_check_items (data, size, max_items, why))
        return -1;
    size_t off = 0;
    msgpack_unpack_return rc = msgpack_unpack (data, size, &off, zone, out);
    if (rc != MSGPACK_UNPACK_SUCCESS) {
        *why = "frame is not valid msgpack";
        return -1;
    }
    return 0;
}

bool
imvo_obj_is_str (const msgpack_object *obj)
{
    return obj && obj->type == MSGPACK_OBJECT_STR;
}

bool
imvo_obj_streq (const msgpack_object *obj, const char *s)
{
    size_t len = strlen (s);
    return imvo_obj_is_str (obj) && obj->via.str.size == len
        && memcmp (obj->via.str.ptr, s, len) == 0;
}

const msgpack_object *
imvo_map_get (const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (imvo_obj_streq (&map->via.map.ptr [i].key, key))
            return &map->via.map.ptr [i].val;
    return NULL;
}

const msgpack_object *
imvo_map_path (const msgpack_object *map, const char *path)
{
    char part [64];
    const char *dot;
    while ((dot = strchr (path, '.'))) {
        size_t n = (size_t) (dot - path);
        if (n >= sizeof part)
            return NULL;
        memcpy (part, path, n);
        part [n] = 0;
        map = imvo_map_get (map, part);
        path = dot + 1;
    }
    return imvo_map_get (map, path);
}

int
imvo_obj_strcpy (const msgpack_object *obj, char *buf, size_t bufsize)
{
    if (!imvo_obj_is_str (obj) || obj->via.str.size >= bufsize)
        return -1;
    memcpy (buf, obj->via.str.ptr, obj->via.str.size);
    buf [obj->via.str.size] = 0;
    return 0;
}

char *
imvo_obj_strdup (const msgpack_object *obj)
{
    if (!imvo_obj_is_str (obj))
        return NULL;
    return strndup (obj->via.str.ptr, obj->via.str.size);
}

char *
imvo_map_strdup (const msgpack_object *map, const char *key)
{
    return imvo_obj_strdup (imvo_map_get (map, key));
}

int
imvo_obj_int (const msgpack_object *obj, int64_t *value)
{
    if (!obj)
        return -1;
    if (obj->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (obj->via.u64 > INT64_MAX)
            return -1;
        *value = (int64_t) obj->via.u64;
        return 0;
    }
    if (obj->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *value = obj->via.i64;
        return 0;
    }
    return -1;
}

void
imvo_pack_strn (msgpack_packer *pk, const char *s, size_t len)
{
    msgpack_pack_str (pk, len);
    msgpack_pack_str_body (pk, s, len);
}

void
imvo_pack_str (msgpack_packer *pk, const char *s)
{
    if (s)
        imvo_pack_strn (pk, s, strlen (s));
    else
        msgpack_pack_nil (pk);
}

void
imvo_pack_kv_str (msgpack_packer *pk, const char *key, const char *value)
{
    imvo_pack_str (pk, key);
    imvo_pack_str (pk, value);
}

void
imvo_pack_one_str (msgpack_sbuffer *body, const char *key, const char *value)
{
    msgpack_sbuffer_init (body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    imvo_pack_kv_str (&pk, key, value);
}

void
imvo_pack_kv_int (msgpack_packer *pk, const char *key, int64_t value)
{
    imvo_pack_str (pk, key);
    msgpack_pack_int64 (pk, value);
}

void
imvo_pack_kv_bool (msgpack_packer *pk, const char *key, bool value)
{
    imvo_pack_str (pk, key);
    if (value)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

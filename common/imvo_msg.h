/*  imvo_msg: msgpack helpers shared by every daemon and client.

    msgpack-c 4.0 trusts the sizes a frame declares: a 5-byte frame that claims a
    4-billion-entry array makes it reserve gigabytes. imvo_msg_unpack therefore walks the raw
    bytes first (imvo_msg_check) and only hands a frame to msgpack-c when every declared
    container and string fits in the bytes that are left, nesting stays under a limit and the
    frame holds exactly one object. The rest of this file is small accessors and packers so
    handlers never touch msgpack_object internals directly.
*/
#ifndef IMVO_MSG_H
#define IMVO_MSG_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMVO_MSG_MAX_DEPTH 16          //  deepest nesting a frame may have
#define IMVO_MSG_MAX_ITEMS 100000      //  most objects (all levels) in a request or event
#define IMVO_MSG_MAX_REPLY_ITEMS 10000000   //  in a reply from our own daemons (a year's list)

//  Checks that data[0..size) is one well-formed msgpack object within the limits above.
//  Returns 0, or -1 with *why set to a static description.
int imvo_msg_check (const char *data, size_t size, const char **why);
//  The same with another limit on the number of objects.
int imvo_msg_check_items (const char *data, size_t size, size_t max_items, const char **why);

//  imvo_msg_check, then unpacks into zone (which the caller owns and must have initialised).
int imvo_msg_unpack (const char *data, size_t size, msgpack_zone *zone, msgpack_object *out,
                     const char **why);
//  The same with another limit on the number of objects.
int imvo_msg_unpack_items (const char *data, size_t size, size_t max_items, msgpack_zone *zone,
                           msgpack_object *out, const char **why);

//  Map lookup by string key; NULL when obj is not a map or the key is absent.
const msgpack_object *imvo_map_get (const msgpack_object *map, const char *key);
//  Dotted-path lookup ("complainant.anonymous").
const msgpack_object *imvo_map_path (const msgpack_object *map, const char *path);
bool imvo_obj_is_str (const msgpack_object *obj);
bool imvo_obj_streq (const msgpack_object *obj, const char *s);
//  Copies a str object into buf (NUL-terminated); -1 when not a string or too long.
int imvo_obj_strcpy (const msgpack_object *obj, char *buf, size_t bufsize);
//  Caller frees; NULL when not a string.
char *imvo_obj_strdup (const msgpack_object *obj);
//  Integer value of a positive or negative int object; -1 when not an int or out of range.
int imvo_obj_int (const msgpack_object *obj, int64_t *value);
//  A map key/value string convenience: the value of key as a new string, or NULL.
char *imvo_map_strdup (const msgpack_object *map, const char *key);

//  Packers for the common shapes.
void imvo_pack_str (msgpack_packer *pk, const char *s);
void imvo_pack_strn (msgpack_packer *pk, const char *s, size_t len);
void imvo_pack_kv_str (msgpack_packer *pk, const char *key, const char *value);   //  NULL -> nil
void imvo_pack_kv_int (msgpack_packer *pk, const char *key, int64_t value);
void imvo_pack_kv_bool (msgpack_packer *pk, const char *key, bool value);
//  A request body of one string field, {key: value}, into body (initialised here; the caller
//  destroys it): what most calls of one daemon to another send.
void imvo_pack_one_str (msgpack_sbuffer *body, const char *key, const char *value);

//  Writes obj as JSON (strings escaped, binary as base16) into a malloc'd string; caller frees.
//  indent > 0 pretty-prints.
char *imvo_json_from_obj (const msgpack_object *obj, int indent);

//  Parses JSON text (RFC 8259, nesting up to 32) and packs it as msgpack into out: objects
//  become maps, integers ints, other numbers float64. 0, or -1 with a message in err.
int imvo_json_to_msgpack (const char *text, msgpack_sbuffer *out, char *err, size_t errsize);

#endif

/*  complaints_identity: the complainant's name and contact, encrypted at rest (PROTOCOL.md,
    third part, "Evidence and confidentiality at rest"; docs/SECURITY.md, "The complainant's
    data at rest").

    - A case's file keeps the complainant as {anonymous, share_identity, kind?, sealed?}: sealed
      is the msgpack map {name?, contact?} under the data key (IMVO_DATA_KEY_FILE, imvo_keys_seal:
      XChaCha20-Poly1305), in base64 (Redis's Lua cmsgpack reads no bin, and every client reads
      a str of text), with the associated data "complainant:" and the keyed hash of the
      case's receipt (known before the script makes the case id, kept with the case as
      receipt_hash): a sealed identity moved to another case does not open. Neither Redis nor
      its AOF file nor a dump ever holds the name or the contact in plain text.
    - complaint.get: the script hands the sealed value (and the receipt hash) to whoever may see
      the identity, exactly where it handed the plain name and contact before; here it is opened
      and the reply carries name and contact as it always did. Cases filed before keep their
      plain identity and are read as they are.
    - The intake queue: an entry's complaint.submit may carry {"complainant": {"sealed": bin}},
      crypto_box_seal of the msgpack complainant map to the public half of the sealing pair
      derived from the data key (imvo_data_box_keys); the portal always seals. It is opened
      before the entry is checked, and the entry is deleted once settled (complaints_intake.c).
    Retention (complaint_erase.lua) replaces the whole complainant map, sealed value and all.
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"
#include "imvo_keys.h"

#define S_SEALED_MAX 4096           //  bytes of a sealed complainant (name and contact: 200 each)

static void
s_ad (const char *receipt_hash, char *ad, size_t size)
{
    snprintf (ad, size, "complainant:%s", receipt_hash);
}

int
complaints_identity_pack (msgpack_packer *pk, const imvo_value_t *f, const char *receipt_hash)
{
    const imvo_value_t *name = &f [COMPLAINT_SUBMIT_NAME], *contact = &f [COMPLAINT_SUBMIT_CONTACT],
                       *kind = &f [COMPLAINT_SUBMIT_KIND];
    bool share = f [COMPLAINT_SUBMIT_SHARE].present && f [COMPLAINT_SUBMIT_SHARE].b;
    bool identity = name->present || contact->present;
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    if (identity) {
        const unsigned char *key = imvo_data_key ();
        if (!key)
            return -1;
        msgpack_sbuffer plain;
        msgpack_sbuffer_init (&plain);
        msgpack_packer ppk;
        msgpack_packer_init (&ppk, &plain, msgpack_sbuffer_write);
        msgpack_pack_map (&ppk, name->present + contact->present);
        if (name->present)
            imvo_pack_kv_str (&ppk, "name", name->str);
        if (contact->present)
            imvo_pack_kv_str (&ppk, "contact", contact->str);
        char ad [96];
        s_ad (receipt_hash, ad, sizeof ad);
        int rc = imvo_keys_seal (key, plain.data, plain.size, ad, &sealed, &sealed_len);
        sodium_memzero (plain.data, plain.size);
        msgpack_sbuffer_destroy (&plain);
        if (rc)
            return -1;
    }
    msgpack_pack_map (pk, 2 + kind->present + identity);
    imvo_pack_kv_bool (pk, "anonymous", f [COMPLAINT_SUBMIT_ANONYMOUS].b);
    imvo_pack_kv_bool (pk, "share_identity", share);
    if (kind->present)
        imvo_pack_kv_str (pk, "kind", kind->str);
    if (identity) {
        size_t b64_len = sodium_base64_ENCODED_LEN (sealed_len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc (b64_len);
        assert (b64);
        sodium_bin2base64 (b64, b64_len, sealed, sealed_len, sodium_base64_VARIANT_ORIGINAL);
        imvo_pack_kv_str (pk, "sealed", b64);
        free (b64);
        free (sealed);
    }
    return 0;
}

//  Bytes of a str or bin object; false for anything else.
static bool
s_bytes (const msgpack_object *o, const char **data, size_t *len)
{
    if (o && o->type == MSGPACK_OBJECT_BIN) {
        *data = o->via.bin.ptr;
        *len = o->via.bin.size;
        return true;
    }
    if (o && o->type == MSGPACK_OBJECT_STR) {
        *data = o->via.str.ptr;
        *len = o->via.str.size;
        return true;
    }
    return false;
}

//  The complainant map of a reply with its sealed identity opened: name and contact instead of
//  sealed and sealed_for (identity_unreadable when it does not open: logged).
static void
s_pack_complainant (msgpack_packer *pk, const msgpack_object *c, const char *case_id)
{
    const msgpack_object *sealed = imvo_map_get (c, "sealed");
    char receipt_hash [80] = "";
    imvo_obj_strcpy (imvo_map_get (c, "sealed_for"), receipt_hash, sizeof receipt_hash);
    const char *data = NULL;
    size_t len = 0;
    unsigned char raw [S_SEALED_MAX];
    if (sealed && sealed->type == MSGPACK_OBJECT_STR) {        //  base64, as complaints_identity_pack keeps it
        data = (const char *) raw;
        if (sodium_base642bin (raw, sizeof raw, sealed->via.str.ptr, sealed->via.str.size, NULL, &len, NULL,
                               sodium_base64_VARIANT_ORIGINAL))
            len = 0;
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object plain = { .type = MSGPACK_OBJECT_NIL };
    unsigned char *opened = NULL;
    size_t opened_len = 0;
    const unsigned char *key = imvo_data_key ();
    char ad [96];
    s_ad (receipt_hash, ad, sizeof ad);
    const char *why;
    bool ok = (data || s_bytes (sealed, &data, &len)) && len > 0 && key && imvo_keys_open (key, data, len, ad, &opened, &opened_len) == 0
           && imvo_msg_unpack ((const char *) opened, opened_len, &zone, &plain, &why) == 0
           && plain.type == MSGPACK_OBJECT_MAP;
    if (!ok)
        zsys_error ("the complainant's identity of %s does not open with this IMVO_DATA_KEY_FILE", case_id);
    uint32_t keep = 0;
    for (uint32_t i = 0; i < c->via.map.size; i++)
        keep += !imvo_obj_streq (&c->via.map.ptr [i].key, "sealed") && !imvo_obj_streq (&c->via.map.ptr [i].key, "sealed_for");
    msgpack_pack_map (pk, keep + (ok ? plain.via.map.size : 1));
    for (uint32_t i = 0; i < c->via.map.size; i++)
        if (!imvo_obj_streq (&c->via.map.ptr [i].key, "sealed") && !imvo_obj_streq (&c->via.map.ptr [i].key, "sealed_for")) {
            msgpack_pack_object (pk, c->via.map.ptr [i].key);
            msgpack_pack_object (pk, c->via.map.ptr [i].val);
        }
    if (ok)
        for (uint32_t i = 0; i < plain.via.map.size; i++) {
            msgpack_pack_object (pk, plain.via.map.ptr [i].key);
            msgpack_pack_object (pk, plain.via.map.ptr [i].val);
        }
    else
        imvo_pack_kv_bool (pk, "identity_unreadable", true);
    if (opened) {
        sodium_memzero (opened, opened_len);
        free (opened);
    }
    msgpack_zone_destroy (&zone);
}

int
complaints_identity_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    (void) ctx;
    if (!r || r->type != REDIS_REPLY_STRING)
        return imvo_redis_packed_reply (r, reply);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object o;
    const char *why;
    int rc = 0;
    const msgpack_object *c = NULL;
    if (imvo_msg_unpack (r->str, r->len, &zone, &o, &why) || o.type != MSGPACK_OBJECT_MAP)
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable case: %s", why);
    else
    if (!(c = imvo_map_get (&o, "complainant")) || c->type != MSGPACK_OBJECT_MAP || !imvo_map_get (c, "sealed"))
        imvo_reply_raw (reply, r->str, r->len);
    else {
        char case_id [80] = "";
        imvo_obj_strcpy (imvo_map_get (&o, "case_id"), case_id, sizeof case_id);
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, o.via.map.size);
        for (uint32_t i = 0; i < o.via.map.size; i++) {
            msgpack_pack_object (pk, o.via.map.ptr [i].key);
            if (&o.via.map.ptr [i].val == c)
                s_pack_complainant (pk, c, case_id);
            else
                msgpack_pack_object (pk, o.via.map.ptr [i].val);
        }
    }
    msgpack_zone_destroy (&zone);
    freeReplyObject (r);
    return rc;
}

int
complaints_identity_unseal (imvo_request_t *req, imvo_error_t *err)
{
    const msgpack_object *body = req->body;
    msgpack_object_kv *at = NULL;
    for (uint32_t i = 0; body && body->type == MSGPACK_OBJECT_MAP && i < body->via.map.size; i++)
        if (imvo_obj_streq (&body->via.map.ptr [i].key, "complainant"))
            at = &body->via.map.ptr [i];
    if (!at || at->val.type != MSGPACK_OBJECT_MAP)
        return 0;                   //  none, or not a map: the catalogue's check says so
    const msgpack_object *sealed = imvo_map_get (&at->val, "sealed");
    if (!sealed)
        return 0;                   //  a complainant in plain (a producer other than the portal)
    if (at->val.via.map.size != 1)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant",
                               "a sealed complainant holds sealed only: the other fields go inside it");
    const char *data;
    size_t len;
    if (!s_bytes (sealed, &data, &len) || len <= crypto_box_SEALBYTES || len > S_SEALED_MAX)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.sealed",
                               "complainant.sealed must be bytes (at most %d): crypto_box_seal of the msgpack complainant map",
                               S_SEALED_MAX);
    unsigned char pk [crypto_box_PUBLICKEYBYTES], sk [crypto_box_SECRETKEYBYTES];
    if (imvo_data_box_keys (pk, sk))
        return imvo_error_set (err, IMVO_ERR_UNAVAILABLE, "complainant.sealed", "complaints has no data key (IMVO_DATA_KEY_FILE)");
    size_t plain_len = len - crypto_box_SEALBYTES;
    unsigned char *plain = msgpack_zone_malloc (&req->zone, plain_len);
    int opened = plain ? crypto_box_seal_open (plain, (const unsigned char *) data, len, pk, sk) : -1;
    sodium_memzero (sk, sizeof sk);
    if (opened)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.sealed",
                               "complainant.sealed does not open with complaints' key: the producer's "
                               "IMVO_DATA_PUBLIC_KEY_FILE must be the public half of complaints' IMVO_DATA_KEY_FILE");
    //  The plain map lives in the request's zone (its strings point into plain), as the body does.
    msgpack_object map;
    const char *why;
    if (imvo_msg_unpack ((const char *) plain, plain_len, &req->zone, &map, &why) || map.type != MSGPACK_OBJECT_MAP)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "complainant.sealed",
                               "complainant.sealed must hold a msgpack map: the complainant's fields");
    at->val = map;
    return 0;
}

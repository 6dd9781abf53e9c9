/*  complaints_evidence: attachments (PROTOCOL.md, third part; proto/catalogue_evidence.c).

    complaint.attach takes a file in one call or in parts (a client that streams it: the
    portal), checks its type against its bytes (libmagic, on the first part) and keeps it
    encrypted: each part of up to 512 KiB sealed with XChaCha20-Poly1305 under the data key
    (IMVO_DATA_KEY_FILE, imvo_keys.h), its associated data "<case_id>|<attachment_id>|<part>|<last>"
    so that no part can be moved to another file or place, dropped from the end or repeated.
    Redis never holds an attachment's bytes in plain text. While a file streams in, the running
    SHA-256 is kept sealed too (its buffer holds plain bytes).

    Keys, beside the case (imvo:complaints:{<covenant>}:case:<case_id>, whose attachment_bytes
    counts what its attachments hold, against the 25 MiB a case may hold):
      <case>:attachments               hash attachment id -> packed {attachment_id, name,
                                       content_type, size, sha256, at, from, person?, shared,
                                       parts}
      <case>:attachment:<id>           list of the sealed parts, in order
      <case>:upload:<hex>              hash, an upload under way: attachment_id, name,
                                       content_type, from, by, person, shared, next, size,
                                       state (the sealed SHA-256 state); it and its parts end an
                                       hour after the last part came (EXPIRE), unless finished
    An upload's id is "<case_id>.<hex>": the next parts name the case through it.

    Who: the complainant by receipt (or a front end for her), staff by case id. Reading
    (complaint.attachment): staff every attachment; the complainant her own; the respondent
    company those that are shared (the complainant's share_identity, or `shared` on attach).
*/
#include "complaints_server.h"
#include "catalogue_evidence.h"
#include "imvo_keys.h"

#include "imvo_magic.h"

#define S_UPLOAD_TTL_S 3600

//  What libmagic calls a type, for each type an attachment may have.
static const struct {
    const char *type, *seen;
} s_seen_as [] = {
    { "image/jpeg", "image/jpeg" }, { "image/png", "image/png" }, { "application/pdf", "application/pdf" },
    { "text/plain", "text/plain" }, { "text/plain", "text/csv" },       //  a note with commas on each line
    { "audio/mpeg", "audio/mpeg" }, { "audio/ogg", "audio/ogg" },
    { "audio/ogg", "application/ogg" }, { "audio/ogg", "audio/x-vorbis+ogg" }, { "video/mp4", "video/mp4" },
};

//  Whether the bytes are what content_type says (libmagic); 0, or -1 with the error.
static int
s_type_check (const char *content_type, const char *data, size_t len, imvo_reply_t *reply)
{
    const char *seen = imvo_magic_type (data, len);
    if (!seen)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "cannot tell a file's type (libmagic has no database)");
    for (size_t i = 0; i < sizeof s_seen_as / sizeof s_seen_as [0]; i++)
        if (streq (s_seen_as [i].type, content_type) && streq (s_seen_as [i].seen, seen))
            return 0;
    return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "content_type",
                            "the file's bytes are %s, not %s: an attachment is one of image/jpeg, image/png, "
                            "application/pdf, text/plain, audio/mpeg, audio/ogg, video/mp4, and what its bytes say",
                            seen, content_type);
}

static void
s_random_hex (char *out, size_t bytes)
{
    unsigned char raw [32];
    randombytes_buf (raw, bytes);
    sodium_bin2hex (out, bytes * 2 + 1, raw, bytes);
}

//  Seals a part into the packed array pk.
static int
s_seal_part (const unsigned char *key, const char *case_id, const char *aid, int64_t part, bool last,
             const char *data, size_t len, msgpack_packer *pk)
{
    char ad [160];
    snprintf (ad, sizeof ad, "%s|%s|%lld|%d", case_id, aid, (long long) part, last);
    unsigned char *sealed;
    size_t sealed_len;
    if (imvo_keys_seal (key, data, len, ad, &sealed, &sealed_len))
        return -1;
    msgpack_pack_str (pk, sealed_len);              //  Redis's cmsgpack reads no bin type
    msgpack_pack_str_body (pk, sealed, sealed_len);
    free (sealed);
    return 0;
}

//  The running SHA-256 of an upload, sealed (its buffer holds the file's own bytes).
static int
s_state_seal (const unsigned char *key, const char *upload, const crypto_hash_sha256_state *state,
              unsigned char **out, size_t *out_len)
{
    char ad [200];
    snprintf (ad, sizeof ad, "sha256|%s", upload);
    return imvo_keys_seal (key, state, sizeof *state, ad, out, out_len);
}

static int
s_state_open (const unsigned char *key, const char *upload, const char *sealed, size_t len,
              crypto_hash_sha256_state *state)
{
    char ad [200];
    snprintf (ad, sizeof ad, "sha256|%s", upload);
    unsigned char *plain;
    size_t plain_len;
    if (imvo_keys_open (key, sealed, len, ad, &plain, &plain_len))
        return -1;
    int rc = plain_len == sizeof *state ? 0 : -1;
    if (rc == 0)
        memcpy (state, plain, sizeof *state);
    sodium_memzero (plain, plain_len);
    free (plain);
    return rc;
}

//  The field of an HGETALL reply, or NULL.
static const redisReply *
s_field (const redisReply *r, const char *name)
{
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2)
        if (r->element [i]->type == REDIS_REPLY_STRING && streq (r->element [i]->str, name))
            return r->element [i + 1];
    return NULL;
}

//  Who may go on with an upload: the complainant (whichever front end speaks for her), or the
//  same role of the same organisation.
static void
s_owner (const imvo_request_t *req, char *buf, size_t size)
{
    if (imvo_proto_for_complainant (req))
        snprintf (buf, size, "complainant");
    else
        snprintf (buf, size, "%s:%s", req->role, req->org);
}

int
complaints_attach (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    bool complainant = imvo_proto_for_complainant (req);
    const imvo_value_t *data = &f [COMPLAINT_ATTACH_DATA], *part = &f [COMPLAINT_ATTACH_PART];
    if (complainant && f [COMPLAINT_ATTACH_CASE_ID].present)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "case_id", "a complainant names the case by its receipt");
    const unsigned char *key = imvo_data_key ();
    if (!key)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "no data key: attachments cannot be kept encrypted");
    char covenant [40], case_id [80], owner [160], hex [65], aid [65], upload [160];
    s_owner (req, owner, sizeof owner);
    bool named = f [COMPLAINT_ATTACH_CASE_ID].present || f [COMPLAINT_ATTACH_RECEIPT].present;
    if (named && complaints_case_named (ctx, req, &f [COMPLAINT_ATTACH_CASE_ID], &f [COMPLAINT_ATTACH_RECEIPT],
                                        covenant, sizeof covenant, case_id, sizeof case_id, reply))
        return -1;
    const char *step;
    int64_t size = (int64_t) data->len, at_part = part->present ? part->i : 0;
    bool last = !part->present || (f [COMPLAINT_ATTACH_LAST].present && f [COMPLAINT_ATTACH_LAST].b);
    crypto_hash_sha256_state sha;
    redisReply *record = NULL;
    if (f [COMPLAINT_ATTACH_UPLOAD].present) {
        //  The next part of an upload: "<case_id>.<hex>".
        const char *id = f [COMPLAINT_ATTACH_UPLOAD].str, *dot = strrchr (id, '.');
        char of [80];
        if (!dot || (size_t) (dot - id) >= sizeof of || strlen (dot + 1) != 32 || strspn (dot + 1, "0123456789abcdef") != 32)
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "upload", "upload must be what part 0's reply gave");
        snprintf (of, sizeof of, "%.*s", (int) (dot - id), id);
        char of_covenant [40];
        if (imvo_case_id_covenant (of, of_covenant, sizeof of_covenant))
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "upload", "upload must be what part 0's reply gave");
        if (named && !streq (of, case_id))
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "upload", "this upload belongs to another case");
        snprintf (covenant, sizeof covenant, "%s", of_covenant);
        snprintf (case_id, sizeof case_id, "%s", of);
        snprintf (hex, sizeof hex, "%s", dot + 1);
        record = imvo_redis_cmd (ctx->redis, "HGETALL imvo:complaints:{%s}:case:%s:upload:%s", covenant, case_id, hex);
        if (!record || record->type != REDIS_REPLY_ARRAY)
            return imvo_redis_fail (record, reply);
        const redisReply *by = s_field (record, "by"), *next = s_field (record, "next"),
                         *had = s_field (record, "size"), *state = s_field (record, "state"),
                         *attachment = s_field (record, "attachment_id");
        //  An upload that is gone, or a part already taken: a retry with its key gets its first
        //  reply from the script; anything else is refused there.
        step = "next";
        if (record->elements == 0 || !by || !next || !had || !state || !attachment)
            step = "gone";
        else
        if (!streq (by->str, owner)) {
            freeReplyObject (record);
            return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "upload", "this upload is someone else's");
        }
        else
        if (strtoll (next->str, NULL, 10) != at_part)
            step = "stale";
        else
        if (s_state_open (key, f [COMPLAINT_ATTACH_UPLOAD].str, state->str, state->len, &sha)) {
            freeReplyObject (record);
            return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "upload", "the upload's state does not open (another key?)");
        }
        if (streq (step, "next")) {
            size += strtoll (had->str, NULL, 10);
            snprintf (aid, sizeof aid, "%s", attachment->str);
        }
        else
            aid [0] = 0;
        snprintf (upload, sizeof upload, "%s", f [COMPLAINT_ATTACH_UPLOAD].str);
    }
    else {
        //  A new file: its type is what its (first) bytes say.
        if (s_type_check (f [COMPLAINT_ATTACH_CONTENT_TYPE].str, data->str, data->len, reply))
            return -1;
        step = last ? "whole" : "first";
        s_random_hex (aid, 10);
        s_random_hex (hex, 16);
        snprintf (upload, sizeof upload, "%s.%s", case_id, hex);
        crypto_hash_sha256_init (&sha);
    }
    if (record)
        freeReplyObject (record);

    //  The parts, sealed (a file in one call: 512 KiB each), and the hash so far.
    msgpack_sbuffer parts;
    msgpack_sbuffer_init (&parts);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &parts, msgpack_sbuffer_write);
    char sha256 [65] = "";
    unsigned char *state = NULL;
    size_t state_len = 0;
    int rc = 0;
    bool sealing = streq (step, "whole") || streq (step, "first") || streq (step, "next");
    if (!sealing)
        msgpack_pack_array (&pk, 0);
    else
    if (!part->present) {
        size_t n = data->len ? (data->len + EVIDENCE_PART_MAX - 1) / (size_t) EVIDENCE_PART_MAX : 1;
        msgpack_pack_array (&pk, (uint32_t) n);
        for (size_t i = 0; i < n && rc == 0; i++) {
            size_t from = i * (size_t) EVIDENCE_PART_MAX, len = data->len - from;
            if (len > (size_t) EVIDENCE_PART_MAX)
                len = (size_t) EVIDENCE_PART_MAX;
            rc = s_seal_part (key, case_id, aid, (int64_t) i, i + 1 == n, data->str + from, len, &pk);
        }
    }
    else {
        msgpack_pack_array (&pk, 1);
        rc = s_seal_part (key, case_id, aid, at_part, last, data->str, data->len, &pk);
    }
    if (sealing && rc == 0) {
        crypto_hash_sha256_update (&sha, (const unsigned char *) data->str, data->len);
        if (last) {
            unsigned char digest [crypto_hash_sha256_BYTES];
            crypto_hash_sha256_final (&sha, digest);
            sodium_bin2hex (sha256, sizeof sha256, digest, sizeof digest);
        }
        else
            rc = s_state_seal (key, upload, &sha, &state, &state_len);
    }
    sodium_memzero (&sha, sizeof sha);
    if (rc) {
        msgpack_sbuffer_destroy (&parts);
        free (state);
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "cannot seal the file");
    }
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_named_t nm;
    imvo_named_init (&nm, req->type);
    imvo_named_str (&nm, "step", step);
    imvo_named_str (&nm, "upload", hex);
    imvo_named_str (&nm, "attachment_id", aid);
    imvo_named_fmt (&nm, "part", "%lld", (long long) at_part);
    imvo_named_str (&nm, "last", last ? "1" : "0");
    imvo_named_str (&nm, "name", f [COMPLAINT_ATTACH_NAME].present ? f [COMPLAINT_ATTACH_NAME].str : "");
    imvo_named_str (&nm, "content_type", f [COMPLAINT_ATTACH_CONTENT_TYPE].present ? f [COMPLAINT_ATTACH_CONTENT_TYPE].str : "");
    imvo_named_fmt (&nm, "size", "%lld", (long long) size);
    imvo_named_str (&nm, "digest", sha256);
    imvo_named_bytes (&nm, "state", state ? (const char *) state : "", state_len);
    imvo_named_str (&nm, "from", complainant ? "complainant" : req->role);
    imvo_named_str (&nm, "by", owner);
    imvo_named_str (&nm, "person", req->person);
    const imvo_value_t *shared = &f [COMPLAINT_ATTACH_SHARED];
    //  '' for the complainant without `shared`: her complaint's share_identity decides.
    imvo_named_str (&nm, "shared", shared->present ? (shared->b ? "1" : "0") : complainant ? "" : "0");
    imvo_named_fmt (&nm, "now", "%lld", (long long) imvo_now_ms ());
    imvo_named_bytes (&nm, "parts", parts.data, parts.size);
    imvo_named_fmt (&nm, "file_max", "%ld", EVIDENCE_FILE_MAX);
    imvo_named_fmt (&nm, "case_max", "%ld", EVIDENCE_CASE_MAX);
    imvo_named_fmt (&nm, "files_max", "%d", EVIDENCE_CASE_FILES);
    imvo_named_fmt (&nm, "ttl", "%d", S_UPLOAD_TTL_S);
    imvo_args_init (&args);
    imvo_named_done (&nm, &args);
    msgpack_sbuffer_destroy (&parts);
    free (state);
    return imvo_commit (ctx, req, covenant, "complaint_attach", &keys, &args, reply);
}

int
complaints_attachment (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    bool complainant = imvo_proto_for_complainant (req), company = streq (req->role, "company");
    if (complainant && f [COMPLAINT_ATTACHMENT_CASE_ID].present)
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "case_id", "a complainant names the case by its receipt");
    const unsigned char *key = imvo_data_key ();
    if (!key)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "no data key: attachments cannot be read");
    char covenant [40], case_id [80];
    if (complaints_case_named (ctx, req, &f [COMPLAINT_ATTACHMENT_CASE_ID], &f [COMPLAINT_ATTACHMENT_RECEIPT],
                               covenant, sizeof covenant, case_id, sizeof case_id, reply))
        return -1;
    const char *aid = f [COMPLAINT_ATTACHMENT_ID].str;
    const imvo_value_t *part = &f [COMPLAINT_ATTACHMENT_PART];
    imvo_args_t cmds [3];
    for (int i = 0; i < 3; i++)
        imvo_args_init (&cmds [i]);
    imvo_args_str (&cmds [0], "HGET");
    imvo_args_fmt (&cmds [0], "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_args_str (&cmds [0], "respondent");
    imvo_args_str (&cmds [1], "HGET");
    imvo_args_fmt (&cmds [1], "imvo:complaints:{%s}:case:%s:attachments", covenant, case_id);
    imvo_args_str (&cmds [1], aid);
    imvo_args_str (&cmds [2], part->present ? "LINDEX" : "LRANGE");
    imvo_args_fmt (&cmds [2], "imvo:complaints:{%s}:case:%s:attachment:%s", covenant, case_id, aid);
    if (part->present)
        imvo_args_fmt (&cmds [2], "%lld", (long long) part->i);
    else {
        imvo_args_str (&cmds [2], "0");
        imvo_args_str (&cmds [2], "-1");
    }
    redisReply *out [3] = { NULL, NULL, NULL };
    int rc = imvo_redis_run_all (ctx->redis, cmds, 3, out) ? imvo_redis_fail (NULL, reply) : 0;
    for (int i = 0; i < 3; i++)
        imvo_args_release (&cmds [i]);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object meta;
    const char *why;
    int64_t parts = 0, size = 0;
    if (rc == 0 && out [0]->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "case_id", "no case with this id");
    else
    if (rc == 0 && company && !streq (out [0]->str, req->org))
        rc = imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "case_id", "a company sees only the cases against itself");
    else
    if (rc == 0 && (out [1]->type != REDIS_REPLY_STRING || imvo_msg_unpack (out [1]->str, out [1]->len, &zone, &meta, &why)))
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "attachment_id", "no attachment with this id on the case");
    else
    if (rc == 0) {
        //  Not the reader's to see is as good as not there.
        const msgpack_object *shared = imvo_map_get (&meta, "shared");
        bool is_shared = shared && shared->type == MSGPACK_OBJECT_BOOLEAN && shared->via.boolean;
        if ((company && !is_shared) || (complainant && !imvo_obj_streq (imvo_map_get (&meta, "from"), "complainant")))
            rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "attachment_id", "no attachment with this id on the case");
        imvo_obj_int (imvo_map_get (&meta, "parts"), &parts);
        imvo_obj_int (imvo_map_get (&meta, "size"), &size);
        if (rc == 0 && part->present && part->i >= parts)
            rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "part", "the attachment has %lld parts (0 to %lld)",
                                  (long long) parts, (long long) parts - 1);
    }
    if (rc == 0) {
        //  Each part opened where it stood, the last one as the last: the bytes straight
        //  into the reply.
        size_t n = part->present ? 1 : out [2]->type == REDIS_REPLY_ARRAY ? out [2]->elements : 0;
        if (!part->present && (int64_t) n != parts)
            rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "attachment_id", "the attachment's parts are missing");
        size_t total = 0;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const redisReply *p = part->present ? out [2] : out [2]->element [i];
            if (p->type != REDIS_REPLY_STRING || p->len < IMVO_SEAL_OVERHEAD)
                rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "attachment_id", "the attachment's parts are missing");
            else
                total += p->len - IMVO_SEAL_OVERHEAD;
        }
        msgpack_packer *pk = rc == 0 ? imvo_reply_pk (reply) : NULL;
        if (pk) {
            msgpack_pack_map (pk, 6);
            imvo_pack_kv_str (pk, "attachment_id", aid);
            imvo_pack_str (pk, "name");
            msgpack_pack_object (pk, *imvo_map_get (&meta, "name"));
            imvo_pack_str (pk, "content_type");
            msgpack_pack_object (pk, *imvo_map_get (&meta, "content_type"));
            imvo_pack_kv_int (pk, "size", size);
            imvo_pack_kv_int (pk, "parts", parts);
            imvo_pack_str (pk, "data");
            msgpack_pack_bin (pk, total);
        }
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const redisReply *p = part->present ? out [2] : out [2]->element [i];
            int64_t index = part->present ? part->i : (int64_t) i;
            char ad [160];
            snprintf (ad, sizeof ad, "%s|%s|%lld|%d", case_id, aid, (long long) index, index == parts - 1);
            unsigned char *plain;
            size_t plain_len;
            if (imvo_keys_open (key, p->str, p->len, ad, &plain, &plain_len)) {
                imvo_reply_reset (reply);
                rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "attachment_id",
                                      "part %lld of the attachment does not open (altered, or another key)", (long long) index);
                break;
            }
            msgpack_pack_bin_body (pk, plain, plain_len);
            sodium_memzero (plain, plain_len);
            free (plain);
        }
    }
    msgpack_zone_destroy (&zone);
    for (int i = 0; i < 3; i++)
        if (out [i])
            freeReplyObject (out [i]);
    return rc;
}

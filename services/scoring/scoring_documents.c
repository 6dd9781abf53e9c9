/*  scoring_documents: the documents a company attaches to its action plan of a year
    (submission.attach), one read back with its bytes (submission.document), and the list that
    submission.get shows. Each up to SCORING_DOC_MAX bytes, SCORING_MAX_DOCS a plan; its type is
    the one its bytes say (imvo_magic, as complaints checks a complainant's files). The catalogue
    keeps a company to its own org_id.

    Keys under imvo:scoring:{<covenant>}: docs:<year>:<org> (hash doc id -> packed meta: doc_id,
    name, content_type, size, at, by, person?), doc:<doc id> (the bytes), doc_count (hash org ->
    documents kept, at most SCORING_MAX_DOCS_ORG over all years). */
#include "scoring_internal.h"
#include "imvo_magic.h"

#include <sodium.h>

//  A declared type and what libmagic may call such bytes (a CSV is often plain text to it).
static bool
s_type_ok (const char *declared, const char *seen)
{
    return streq (declared, seen) || (streq (declared, "text/csv") && streq (seen, "text/plain"))
        || (streq (declared, "text/plain") && streq (seen, "text/csv"));
}

int
scoring_submission_attach (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [SUBMISSION_ATTACH_COVENANT].str, *type = f [SUBMISSION_ATTACH_TYPE].str;
    const imvo_value_t *data = &f [SUBMISSION_ATTACH_DATA];
    const char *seen = imvo_magic_type (data->str, data->len);
    if (!seen)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "cannot tell a document's type (libmagic has no database)");
    if (!s_type_ok (type, seen))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "content_type",
                                "the document's bytes are %s, not %s: a plan's document is a PDF, text, CSV, PNG or "
                                "JPEG file, as its bytes say", seen, type);
    unsigned char raw [12];
    char doc_id [32];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (doc_id, sizeof doc_id, raw, sizeof raw);
    int64_t year = f [SUBMISSION_ATTACH_YEAR].i;
    msgpack_sbuffer meta;
    msgpack_sbuffer_init (&meta);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &meta, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 6 + (req->person [0] != 0));
    imvo_pack_kv_str (&pk, "doc_id", doc_id);
    imvo_pack_kv_str (&pk, "name", f [SUBMISSION_ATTACH_NAME].str);
    imvo_pack_kv_str (&pk, "content_type", type);
    imvo_pack_kv_int (&pk, "size", (int64_t) data->len);
    imvo_pack_kv_int (&pk, "at", imvo_now_ms ());
    imvo_pack_kv_str (&pk, "by", req->role);
    if (req->person [0])
        imvo_pack_kv_str (&pk, "person", req->person);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:scoring:{%s}:docs:%lld:%s", covenant, (long long) year, f [SUBMISSION_ATTACH_ORG_ID].str);
    imvo_args_fmt (&keys, "imvo:scoring:{%s}:doc:%s", covenant, doc_id);
    imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
    imvo_args_str (&args, f [SUBMISSION_ATTACH_ORG_ID].str);
    imvo_args_fmt (&args, "%lld", (long long) year);
    imvo_args_str (&args, doc_id);
    imvo_args_add (&args, meta.data, meta.size);
    imvo_args_add (&args, data->str, data->len);
    imvo_args_fmt (&args, "%d", SCORING_MAX_DOCS);
    imvo_args_fmt (&args, "%d", SCORING_MAX_DOCS_ORG);
    int rc = imvo_commit (ctx, req, covenant, "document_put", &keys, &args, reply);
    msgpack_sbuffer_destroy (&meta);
    return rc;
}

int
scoring_submission_document (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [SUBMISSION_DOCUMENT_COVENANT].str, *doc = f [SUBMISSION_DOCUMENT_DOC].str;
    redisReply *meta = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:docs:%lld:%s %s", covenant,
                                       (long long) f [SUBMISSION_DOCUMENT_YEAR].i, f [SUBMISSION_DOCUMENT_ORG_ID].str, doc);
    redisReply *bytes = meta && meta->type == REDIS_REPLY_STRING
                      ? imvo_redis_cmd (ctx->redis, "GET imvo:scoring:{%s}:doc:%s", covenant, doc) : NULL;
    int rc = 0;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 512);
    msgpack_object m;
    const char *why;
    if (!meta || meta->type == REDIS_REPLY_ERROR)
        rc = imvo_redis_fail (meta, reply);
    else
    if (meta->type != REDIS_REPLY_STRING || !bytes || bytes->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "doc_id", "this plan has no document %s", doc);
    else
    if (imvo_msg_unpack (meta->str, meta->len, &zone, &m, &why) || m.type != MSGPACK_OBJECT_MAP)
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable document");
    else {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 6);
        static const char *const names [] = { "doc_id", "name", "content_type", "size", "at" };
        for (int i = 0; i < 5; i++) {
            imvo_pack_str (pk, names [i]);
            const msgpack_object *v = imvo_map_get (&m, names [i]);
            if (v)
                msgpack_pack_object (pk, *v);
            else
                msgpack_pack_nil (pk);
        }
        imvo_pack_str (pk, "data");
        msgpack_pack_bin (pk, (uint32_t) bytes->len);
        msgpack_pack_bin_body (pk, bytes->str, bytes->len);
    }
    msgpack_zone_destroy (&zone);
    if (meta)
        freeReplyObject (meta);
    if (bytes)
        freeReplyObject (bytes);
    return rc;
}

redisReply *
scoring_documents_read (imvo_ctx_t *ctx, const char *covenant, int64_t year, const char *org)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "HVALS imvo:scoring:{%s}:docs:%lld:%s", covenant, (long long) year, org);
    if (r && r->type != REDIS_REPLY_ARRAY) {
        freeReplyObject (r);
        r = NULL;
    }
    return r;
}

void
scoring_documents_pack (msgpack_packer *pk, const redisReply *docs)
{
    imvo_pack_str (pk, "documents");
    msgpack_pack_array (pk, (uint32_t) docs->elements);
    for (size_t i = 0; i < docs->elements; i++)
        if (docs->element [i]->type == REDIS_REPLY_STRING)
            msgpack_sbuffer_write (pk->data, docs->element [i]->str, docs->element [i]->len);  //  packed metas
        else
            msgpack_pack_nil (pk);
}

/*  scoring_frameworks: the seeded assessment frameworks (deploy/frameworks.json, built into
    the daemon): textile's action-plan framework, metals' maturity self-assessment over the six
    OECD steps, and a generic OECD six-step framework ("*") for the other covenants. Each
    seeded fact cites its seed sentence under "sources". A covenant without a framework gets
    its seeded one as version 1 the first time one is needed.
*/
#include "scoring_internal.h"

extern const char scoring_seed_frameworks [];

#define S_MAX_SEEDS 8

static struct {
    char covenant [33];
    msgpack_sbuffer packed;
} s_seeds [S_MAX_SEEDS];
static int s_nseeds;

int
scoring_seed_load (void)
{
    if (s_nseeds)
        return 0;
    msgpack_sbuffer all;
    msgpack_sbuffer_init (&all);
    char err [256];
    if (imvo_json_to_msgpack (scoring_seed_frameworks, &all, err, sizeof err)) {
        zsys_error ("deploy/frameworks.json: %s", err);
        msgpack_sbuffer_destroy (&all);
        return -1;
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object doc;
    const char *why;
    int rc = imvo_msg_unpack (all.data, all.size, &zone, &doc, &why);
    const msgpack_object *list = rc == 0 ? imvo_map_get (&doc, "frameworks") : NULL;
    uint32_t count = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    for (uint32_t i = 0; i < count && s_nseeds < S_MAX_SEEDS; i++) {
        const msgpack_object *fw = &list->via.array.ptr [i];
        if (imvo_obj_strcpy (imvo_map_get (fw, "covenant"), s_seeds [s_nseeds].covenant, sizeof s_seeds [0].covenant))
            continue;
        msgpack_sbuffer_init (&s_seeds [s_nseeds].packed);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &s_seeds [s_nseeds].packed, msgpack_sbuffer_write);
        msgpack_pack_object (&pk, *fw);
        s_nseeds++;
    }
    msgpack_zone_destroy (&zone);
    msgpack_sbuffer_destroy (&all);
    return s_nseeds ? 0 : -1;
}

const char *
scoring_seed_framework (const char *covenant, size_t *len)
{
    int generic = -1;
    for (int i = 0; i < s_nseeds; i++) {
        if (streq (s_seeds [i].covenant, covenant)) {
            *len = s_seeds [i].packed.size;
            return s_seeds [i].packed.data;
        }
        if (streq (s_seeds [i].covenant, "*"))
            generic = i;
    }
    if (generic < 0)
        return NULL;
    *len = s_seeds [generic].packed.size;
    return s_seeds [generic].packed.data;
}

//  The seeded framework of covenant as its version 1, with the covenant's code in it.
static void
s_pack_seed (const char *covenant, msgpack_sbuffer *out)
{
    size_t len;
    const char *seed = scoring_seed_framework (covenant, &len);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object fw;
    const char *why;
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    if (seed && imvo_msg_unpack (seed, len, &zone, &fw, &why) == 0 && fw.type == MSGPACK_OBJECT_MAP) {
        msgpack_pack_map (&pk, fw.via.map.size);
        for (uint32_t i = 0; i < fw.via.map.size; i++) {
            msgpack_pack_object (&pk, fw.via.map.ptr [i].key);
            if (imvo_obj_streq (&fw.via.map.ptr [i].key, "covenant"))
                imvo_pack_str (&pk, covenant);
            else
                msgpack_pack_object (&pk, fw.via.map.ptr [i].val);
        }
    }
    msgpack_zone_destroy (&zone);
}

//  The latest version of a covenant's framework, 0 when it has none, -1 when Redis failed.
static int64_t
s_latest (imvo_ctx_t *ctx, const char *covenant, imvo_reply_t *reply)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "HKEYS imvo:scoring:{%s}:frameworks", covenant);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return imvo_redis_fail_free (r, reply);
    int64_t latest = 0;
    for (size_t i = 0; i < r->elements; i++) {
        int64_t v = r->element [i]->type == REDIS_REPLY_STRING ? strtoll (r->element [i]->str, NULL, 10) : 0;
        latest = v > latest ? v : latest;
    }
    freeReplyObject (r);
    return latest;
}

int
scoring_framework_read (imvo_ctx_t *ctx, const char *covenant, int64_t version, scoring_fw_t *fw,
                        msgpack_zone *zone, char **packed, size_t *packed_len, imvo_reply_t *reply)
{
    *packed = NULL;
    int64_t latest = s_latest (ctx, covenant, reply);
    if (latest < 0)
        return -1;
    if (latest == 0) {
        msgpack_sbuffer seed;
        msgpack_sbuffer_init (&seed);
        s_pack_seed (covenant, &seed);
        redisReply *r = seed.size ? imvo_redis_cmd (ctx->redis, "HSETNX imvo:scoring:{%s}:frameworks 1 %b", covenant,
                                                    seed.data, seed.size) : NULL;
        int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : imvo_redis_fail (r, reply);
        if (r)
            freeReplyObject (r);
        msgpack_sbuffer_destroy (&seed);
        if (rc)
            return -1;
        latest = 1;
    }
    if (version == 0)
        version = latest;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:scoring:{%s}:frameworks %lld", covenant,
                                    (long long) version);
    if (!r || r->type == REDIS_REPLY_ERROR)
        return imvo_redis_fail_free (r, reply);
    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject (r);
        return imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "version", "the %s covenant has no framework version %lld",
                                covenant, (long long) version);
    }
    //  The parsed framework points into the bytes: they live in the zone.
    char *bytes = msgpack_zone_malloc (zone, r->len + 1);
    memcpy (bytes, r->str, r->len);
    *packed = malloc (r->len);
    memcpy (*packed, r->str, r->len);
    *packed_len = r->len;
    freeReplyObject (r);
    msgpack_object obj;
    const char *why;
    if (imvo_msg_unpack (bytes, *packed_len, zone, &obj, &why) || scoring_fw_parse (&obj, fw)) {
        free (*packed);
        *packed = NULL;
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "version", "framework version %lld is unreadable",
                                (long long) version);
    }
    return 0;
}

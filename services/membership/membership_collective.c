/*  membership_collective: the SRA's sectors, general meetings and the steering group
    (issue 23, items 8 and 9).

    - sector.list: deploy/sectors.json (built in): "Er zijn dertien sectoren met verhoogde
      risico's geïdentificeerd. Dit zijn de bouw, chemie, detailhandel, energie, financiële
      sector, groothandel, hout en papier, land- en tuinbouw, metaal en elektronica, olie en
      gas, textiel & kleding en voedingsmiddelen." (003): the twelve named and the count of
      thirteen, each with the covenants seed 001 names or the dialogue it reports.
    - meeting.record / meeting.list: attendance and the parties' votes
      (lua/meeting_record.lua: "Als steunbetuiger heeft u geen stem in de besluitvorming.").
    - steering.put / steering.get: the steering group and its independent chair
      (lua/steering_put.lua); until one is recorded, steering.get gives the seeded chair
      (covenants.json's chair and its source).

    Keys under imvo:membership:{<covenant>}: meetings (hash date -> packed meeting), steering
    (string: the packed group).
*/
#include "membership_internal.h"
#include "catalogue_collective.h"

extern const char membership_seed_sectors [];

int
membership_sector_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) ctx;
    (void) req;
    (void) f;
    msgpack_sbuffer doc;
    msgpack_sbuffer_init (&doc);
    char err [128];
    int rc = 0;
    if (imvo_json_to_msgpack (membership_seed_sectors, &doc, err, sizeof err))
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "deploy/sectors.json: %s", err);
    else
        imvo_reply_raw (reply, doc.data, doc.size);
    msgpack_sbuffer_destroy (&doc);
    return rc;
}

static const char *
s_by (const imvo_request_t *req)
{
    return req->person [0] ? req->person : membership_actor (req);
}

int
membership_meeting_record (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEETING_RECORD_COVENANT].str;
    char today [11];
    membership_today (today);
    if (strcmp (f [MEETING_RECORD_DATE].str, today) > 0)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "date", "a meeting is recorded once it was held: %s is "
                                "after today (%s)", f [MEETING_RECORD_DATE].str, today);
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "meetings");
    imvo_args_str (&args, covenant);
    imvo_args_str (&args, f [MEETING_RECORD_DATE].str);
    //  imvo_args_add keeps pointers: the buffers live until the script ran.
    msgpack_sbuffer a, v;
    msgpack_sbuffer_init (&a);
    msgpack_sbuffer_init (&v);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &a, msgpack_sbuffer_write);
    msgpack_pack_object (&pk, *f [MEETING_RECORD_ATTENDEES].obj);
    imvo_args_add (&args, a.data, a.size);
    msgpack_packer_init (&pk, &v, msgpack_sbuffer_write);
    if (f [MEETING_RECORD_VOTES].present)
        msgpack_pack_object (&pk, *f [MEETING_RECORD_VOTES].obj);
    else
        msgpack_pack_array (&pk, 0);
    imvo_args_add (&args, v.data, v.size);
    imvo_args_str (&args, membership_opt (&f [MEETING_RECORD_SOURCE]));
    imvo_args_str (&args, s_by (req));
    int rc = imvo_commit (ctx, req, covenant, "meeting_record", &keys, &args, reply);
    msgpack_sbuffer_destroy (&a);
    msgpack_sbuffer_destroy (&v);
    return rc;
}

//  A general meeting is its members' ("Een vertegenwoordiger van uw organisatie woont de algemene
//  vergaderingen van het convenant bij", 004): who attended and who voted how is for the
//  covenant's members, its committees, the steering group and the secretariat; anyone else (a
//  complainant, a company outside the covenant) reads what was decided: the date, each motion's
//  tally and whether it carried, the source. Whether req reads the whole record; -1 with reply
//  failed when Redis did.
static int
s_meeting_reader (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, bool *whole, imvo_reply_t *reply)
{
    *whole = !streq (req->role, "company") && !streq (req->role, "complainant") && req->role [0];
    if (!streq (req->role, "company") || !req->org [0])
        return 0;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{%s}:member:%s status", covenant, req->org);
    if (!r || r->type == REDIS_REPLY_ERROR)
        return imvo_redis_fail_free (r, reply);
    *whole = r->type == REDIS_REPLY_STRING && streq (r->str, "active");
    freeReplyObject (r);
    return 0;
}

//  A stored meeting without its attendees, votes and recorder (s_meeting_reader).
static void
s_meeting_public (msgpack_packer *pk, const redisReply *v)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object m;
    const char *why;
    if (imvo_msg_unpack (v->str, v->len, &zone, &m, &why) || m.type != MSGPACK_OBJECT_MAP)
        msgpack_pack_nil (pk);
    else {
        static const char *const kept [] = { "covenant", "meeting_id", "date", "results", "source", "recorded_at", NULL };
        uint32_t n = 0;
        for (int k = 0; kept [k]; k++)
            n += imvo_map_get (&m, kept [k]) != NULL;
        msgpack_pack_map (pk, n);
        for (int k = 0; kept [k]; k++)
            if (imvo_map_get (&m, kept [k])) {
                imvo_pack_str (pk, kept [k]);
                msgpack_pack_object (pk, *imvo_map_get (&m, kept [k]));
            }
    }
    msgpack_zone_destroy (&zone);
}

int
membership_meeting_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [MEETING_LIST_COVENANT].str;
    bool whole;
    if (s_meeting_reader (ctx, req, covenant, &whole, reply))
        return -1;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGETALL imvo:membership:{%s}:meetings", covenant);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return imvo_redis_fail_free (r, reply);
    //  Newest first: the dates sort as text.
    size_t n = r->elements / 2;
    redisReply **order = calloc (n + 1, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        size_t k = i;
        while (k > 0 && strcmp (order [k - 1]->str, r->element [2 * i]->str) < 0) {
            order [k] = order [k - 1];
            k--;
        }
        order [k] = r->element [2 * i];
    }
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 2);
    imvo_pack_kv_str (pk, "covenant", covenant);
    imvo_pack_str (pk, "meetings");
    msgpack_pack_array (pk, (uint32_t) n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (r->element [2 * j] == order [i] && whole)
                msgpack_sbuffer_write (pk->data, r->element [2 * j + 1]->str, r->element [2 * j + 1]->len);
            else
            if (r->element [2 * j] == order [i])
                s_meeting_public (pk, r->element [2 * j + 1]);
    free (order);
    freeReplyObject (r);
    return 0;
}

int
membership_steering_put (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [STEERING_PUT_COVENANT].str;
    imvo_args_t keys, args;
    membership_args (&keys, &args, covenant, "steering");
    imvo_args_str (&args, covenant);
    imvo_args_str (&args, f [STEERING_PUT_CHAIR].str);
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &b, msgpack_sbuffer_write);
    msgpack_pack_object (&pk, *f [STEERING_PUT_MEMBERS].obj);
    imvo_args_add (&args, b.data, b.size);
    imvo_args_str (&args, membership_opt (&f [STEERING_PUT_SOURCE]));
    imvo_args_str (&args, s_by (req));
    int rc = imvo_commit (ctx, req, covenant, "steering_put", &keys, &args, reply);
    msgpack_sbuffer_destroy (&b);
    return rc;
}

int
membership_steering_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [STEERING_GET_COVENANT].str;
    redisReply *r = imvo_redis_cmd (ctx->redis, "GET imvo:membership:{%s}:steering", covenant);
    redisReply *c = r && r->type != REDIS_REPLY_ERROR
                  ? imvo_redis_cmd (ctx->redis, "HMGET imvo:membership:{%s}:covenant code chair sources", covenant) : NULL;
    int rc = 0;
    if (!c || c->type != REDIS_REPLY_ARRAY || c->elements != 3)
        rc = imvo_redis_fail (c, reply);
    else
    if (c->element [0]->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "covenant", "no covenant with this code");
    else
    if (r->type == REDIS_REPLY_STRING)
        imvo_reply_raw (reply, r->str, r->len);
    else {
        //  The seeded chair: covenants.json names it with its source ("onafhankelijk voorzitter").
        msgpack_zone zone;
        msgpack_zone_init (&zone, 2048);
        msgpack_object sources = { .type = MSGPACK_OBJECT_NIL };
        const char *why;
        if (c->element [2]->type == REDIS_REPLY_STRING)
            imvo_msg_unpack (c->element [2]->str, c->element [2]->len, &zone, &sources, &why);
        const msgpack_object *source = imvo_map_get (&sources, "chair");
        bool chair = c->element [1]->type == REDIS_REPLY_STRING && c->element [1]->len > 0;
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 5);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_kv_str (pk, "chair", chair ? c->element [1]->str : NULL);
        //  Independent only where the source says so.
        char src [400] = "";
        imvo_obj_strcpy (source, src, sizeof src);
        imvo_pack_kv_bool (pk, "chair_independent", chair && strstr (src, "onafhankelijk"));
        imvo_pack_str (pk, "members");
        msgpack_pack_array (pk, 0);
        imvo_pack_kv_str (pk, "source", src [0] ? src : NULL);
        msgpack_zone_destroy (&zone);
    }
    if (r)
        freeReplyObject (r);
    if (c)
        freeReplyObject (c);
    return rc;
}

/*  scoring_collective: collective work (issue 23, item 6).

    - collective.choose: "De werkgroep kiest hieruit twee collectieve risico's waarop
      gezamenlijk actie wordt ondernomen." (004_31f1f365db175f2f.txt). The round ranks the
      risks the companies name; the working group picks two of that ranking, and the round's
      collective_risks (and the report) mark those two act_on, not the ranking's top two.
    - project.put / project.list: the covenants' collective projects with their years and
      participants; deploy/projects.json seeds the projects the seeds name, each with its
      sentence, until project.put records one of the same code.
    - The year-3 rule: "Het project leefbaar loon is verplicht voor alle deelnemende bedrijven
      vanaf jaar 3 na ondertekening." (001_efafd7b1e78fecd8.txt). A project with
      mandatory_from_company_year is read by the round: a company in that year or later that is
      not among its participants gets the finding, whatever its plan says.

    Keys under imvo:scoring:{<covenant>}: projects (hash code -> packed project); the round
    hash's risks (the ranking, act_on rewritten by the choice) and chosen (the packed choice).
*/
#include "scoring_internal.h"
#include "catalogue_collective.h"

#include <pthread.h>

extern const char scoring_seed_projects [];

static msgpack_sbuffer s_seeds;             //  the seeded projects, packed as one array
static msgpack_zone s_seed_zone;
static msgpack_object s_seed_list;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_seed_load (void)
{
    msgpack_sbuffer_init (&s_seeds);
    msgpack_zone_init (&s_seed_zone, 4096);
    s_seed_list.type = MSGPACK_OBJECT_NIL;
    char err [128];
    msgpack_object doc;
    const char *why;
    if (imvo_json_to_msgpack (scoring_seed_projects, &s_seeds, err, sizeof err)
    ||  imvo_msg_unpack (s_seeds.data, s_seeds.size, &s_seed_zone, &doc, &why)) {
        zsys_error ("deploy/projects.json is unreadable");
        return;
    }
    const msgpack_object *list = imvo_map_get (&doc, "projects");
    if (list && list->type == MSGPACK_OBJECT_ARRAY)
        s_seed_list = *list;
}

//  The stored projects of a covenant (code -> packed), or NULL when Redis failed.
static redisReply *
s_stored (imvo_ctx_t *ctx, const char *covenant)
{
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGETALL imvo:scoring:{%s}:projects", covenant);
    if (r && r->type == REDIS_REPLY_ARRAY)
        return r;
    if (r)
        freeReplyObject (r);
    return NULL;
}

static bool
s_stored_has (redisReply *stored, const msgpack_object *code)
{
    for (size_t i = 0; code && code->type == MSGPACK_OBJECT_STR && i + 1 < stored->elements; i += 2)
        if (stored->element [i]->len == code->via.str.size
        &&  memcmp (stored->element [i]->str, code->via.str.ptr, code->via.str.size) == 0)
            return true;
    return false;
}

//  Calls fn for every project of the covenant: the stored ones, then the seeds not stored.
typedef void (s_project_fn) (const msgpack_object *project, void *arg);
static int
s_each_project (imvo_ctx_t *ctx, const char *covenant, s_project_fn *fn, void *arg)
{
    pthread_once (&s_once, s_seed_load);
    redisReply *stored = s_stored (ctx, covenant);
    if (!stored)
        return -1;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    for (size_t i = 0; i + 1 < stored->elements; i += 2) {
        msgpack_object p;
        const char *why;
        if (imvo_msg_unpack (stored->element [i + 1]->str, stored->element [i + 1]->len, &zone, &p, &why) == 0)
            fn (&p, arg);
    }
    for (uint32_t i = 0; s_seed_list.type == MSGPACK_OBJECT_ARRAY && i < s_seed_list.via.array.size; i++) {
        const msgpack_object *p = &s_seed_list.via.array.ptr [i];
        if (imvo_obj_streq (imvo_map_get (p, "covenant"), covenant) && !s_stored_has (stored, imvo_map_get (p, "code")))
            fn (p, arg);
    }
    msgpack_zone_destroy (&zone);
    freeReplyObject (stored);
    return 0;
}

typedef struct {
    msgpack_sbuffer buf;
    msgpack_packer pk;
    uint32_t n;
} s_list_t;

static void
s_list_add (const msgpack_object *p, void *arg)
{
    s_list_t *l = arg;
    msgpack_pack_object (&l->pk, *p);
    l->n++;
}

int
scoring_project_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    s_list_t l = { .n = 0 };
    msgpack_sbuffer_init (&l.buf);
    msgpack_packer_init (&l.pk, &l.buf, msgpack_sbuffer_write);
    int rc = s_each_project (ctx, f [PROJECT_LIST_COVENANT].str, s_list_add, &l);
    if (rc)
        imvo_redis_fail (NULL, reply);
    else {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_kv_str (pk, "covenant", f [PROJECT_LIST_COVENANT].str);
        imvo_pack_str (pk, "projects");
        msgpack_pack_array (pk, l.n);
        msgpack_sbuffer_write (pk->data, l.buf.data, l.buf.size);
    }
    msgpack_sbuffer_destroy (&l.buf);
    return rc;
}

//  Runs record_put.lua (see its header).
int
scoring_record_put (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *hash,
                    const char *field, const msgpack_sbuffer *record, const char *round_key, const char *event,
                    const msgpack_sbuffer *body, const char *hash2, const char *field2, const msgpack_sbuffer *value2,
                    imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_str (&keys, hash);
    imvo_args_fmt (&args, "imvo:scoring:{%s}", covenant);
    imvo_args_str (&args, field);
    imvo_args_add (&args, record->data, record->size);
    imvo_args_str (&args, round_key ? round_key : "");
    imvo_args_str (&args, event ? event : "");
    imvo_args_add (&args, body ? body->data : "", body ? body->size : 0);
    imvo_args_str (&args, field2 ? field2 : "");
    imvo_args_add (&args, value2 ? value2->data : "", value2 ? value2->size : 0);
    imvo_args_str (&args, hash2 ? hash2 : "");
    return imvo_commit (ctx, req, covenant, "record_put", &keys, &args, reply);
}

int
scoring_project_put (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [PROJECT_PUT_COVENANT].str;
    msgpack_sbuffer p;
    msgpack_sbuffer_init (&p);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &p, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 10);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "code", f [PROJECT_PUT_CODE].str);
    imvo_pack_kv_str (&pk, "name", f [PROJECT_PUT_NAME].str);
    static const int opt [] = { PROJECT_PUT_FROM_YEAR, PROJECT_PUT_TO_YEAR, PROJECT_PUT_MANDATORY_FROM };
    static const char *const names [] = { "from_year", "to_year", "mandatory_from_company_year" };
    for (int i = 0; i < 3; i++) {
        imvo_pack_str (&pk, names [i]);
        if (f [opt [i]].present)
            msgpack_pack_int64 (&pk, f [opt [i]].i);
        else
            msgpack_pack_nil (&pk);
    }
    imvo_pack_str (&pk, "participants");
    msgpack_pack_object (&pk, *f [PROJECT_PUT_PARTICIPANTS].obj);
    imvo_pack_kv_str (&pk, "source", f [PROJECT_PUT_SOURCE].present ? f [PROJECT_PUT_SOURCE].str : NULL);
    imvo_pack_kv_int (&pk, "updated_at", imvo_now_ms ());
    imvo_pack_kv_str (&pk, "by", req->person [0] ? req->person : req->role);
    char hash [96];
    snprintf (hash, sizeof hash, "imvo:scoring:{%s}:projects", covenant);
    int rc = scoring_record_put (ctx, req, covenant, hash, f [PROJECT_PUT_CODE].str, &p, NULL, NULL, NULL, NULL, NULL,
                                 NULL, reply);
    msgpack_sbuffer_destroy (&p);
    return rc;
}

//  --- the year-3 rule --------------------------------------------------------------------

typedef struct {
    int64_t year;
    scoring_mandatory_t *m;
} s_mandatory_arg_t;

static void
s_mandatory_add (const msgpack_object *p, void *arg)
{
    s_mandatory_arg_t *a = arg;
    int64_t from_cy = 0, from = 0, to = 0;
    if (imvo_obj_int (imvo_map_get (p, "mandatory_from_company_year"), &from_cy) || from_cy <= 0 || a->m->code [0])
        return;
    //  A project with years applies in the years it runs.
    if ((imvo_obj_int (imvo_map_get (p, "from_year"), &from) == 0 && a->year < from)
    ||  (imvo_obj_int (imvo_map_get (p, "to_year"), &to) == 0 && a->year > to))
        return;
    imvo_obj_strcpy (imvo_map_get (p, "code"), a->m->code, sizeof a->m->code);
    a->m->from_company_year = (int) from_cy;
    const msgpack_object *list = imvo_map_get (p, "participants");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        char org [72];
        if (imvo_obj_strcpy (&list->via.array.ptr [i], org, sizeof org) == 0)
            zhashx_update (a->m->participants, org, "1");
    }
}

int
scoring_mandatory_load (imvo_ctx_t *ctx, const char *covenant, int64_t year, scoring_mandatory_t *m)
{
    memset (m, 0, sizeof *m);
    m->participants = zhashx_new ();
    s_mandatory_arg_t a = { year, m };
    return s_each_project (ctx, covenant, s_mandatory_add, &a);
}

void
scoring_mandatory_apply (const scoring_mandatory_t *m, const char *org, scoring_result_t *r)
{
    r->mandatory_from = m && m->code [0] ? m->from_company_year : 0;
    r->mandatory_project = m && m->code [0] ? m->code : NULL;
    r->in_project = m && m->participants && zhashx_lookup (m->participants, org);
}

void
scoring_mandatory_release (scoring_mandatory_t *m)
{
    zhashx_destroy (&m->participants);
}

//  --- the working group's choice -----------------------------------------------------------

static bool
s_same_risk (const msgpack_object *a, const msgpack_object *b)
{
    const msgpack_object *ta = imvo_map_get (a, "theme"), *tb = imvo_map_get (b, "theme");
    const msgpack_object *ca = imvo_map_get (a, "country"), *cb = imvo_map_get (b, "country");
    return ta && tb && ca && cb && msgpack_object_equal (*ta, *tb) && msgpack_object_equal (*ca, *cb);
}

int
scoring_collective_choose (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *round_id = f [COLLECTIVE_CHOOSE_ROUND].str;
    char covenant [40];
    int64_t year;
    if (scoring_round_parse (round_id, covenant, sizeof covenant, &year))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "round_id", "a round id reads <covenant>-<year>");
    redisReply *r = imvo_redis_cmd (ctx->redis, "HMGET imvo:scoring:{%s}:round:%lld status risks", covenant,
                                    (long long) year);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
        return imvo_redis_fail_free (r, reply);
    int rc = 0;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object ranking = { .type = MSGPACK_OBJECT_NIL };
    const char *why;
    if (r->element [0]->type != REDIS_REPLY_STRING)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "round_id", "no round %s", round_id);
    else
    if (strcmp (r->element [0]->str, "completed") || r->element [1]->type != REDIS_REPLY_STRING
    ||  imvo_msg_unpack (r->element [1]->str, r->element [1]->len, &zone, &ranking, &why)
    ||  ranking.type != MSGPACK_OBJECT_ARRAY)
        rc = imvo_reply_fail (reply, IMVO_ERR_CONFLICT, "round_id",
                              "the round %s is not completed: the ranking comes with its report", round_id);
    const msgpack_object *chosen = f [COLLECTIVE_CHOOSE_RISKS].obj;
    for (uint32_t c = 0; rc == 0 && c < chosen->via.array.size; c++) {
        bool found = false;
        for (uint32_t i = 0; i < ranking.via.array.size && !found; i++)
            found = s_same_risk (&ranking.via.array.ptr [i], &chosen->via.array.ptr [c]);
        if (!found) {
            char field [24];
            snprintf (field, sizeof field, "risks.%u", c);
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field,
                                  "%s is not in the ranking of %s: the working group chooses from the report's ranking",
                                  field, round_id);
        }
    }
    if (rc == 0) {
        //  The ranking again, act_on the two chosen.
        msgpack_sbuffer risks, choice, event;
        msgpack_sbuffer_init (&risks);
        msgpack_sbuffer_init (&choice);
        msgpack_sbuffer_init (&event);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &risks, msgpack_sbuffer_write);
        msgpack_pack_array (&pk, ranking.via.array.size);
        for (uint32_t i = 0; i < ranking.via.array.size; i++) {
            const msgpack_object *one = &ranking.via.array.ptr [i];
            bool act = s_same_risk (one, &chosen->via.array.ptr [0]) || s_same_risk (one, &chosen->via.array.ptr [1]);
            uint32_t kept = 0;
            for (uint32_t k = 0; one->type == MSGPACK_OBJECT_MAP && k < one->via.map.size; k++)
                kept += !imvo_obj_streq (&one->via.map.ptr [k].key, "act_on");
            msgpack_pack_map (&pk, kept + 1);
            for (uint32_t k = 0; one->type == MSGPACK_OBJECT_MAP && k < one->via.map.size; k++)
                if (!imvo_obj_streq (&one->via.map.ptr [k].key, "act_on")) {
                    msgpack_pack_object (&pk, one->via.map.ptr [k].key);
                    msgpack_pack_object (&pk, one->via.map.ptr [k].val);
                }
            imvo_pack_kv_bool (&pk, "act_on", act);
        }
        msgpack_packer_init (&pk, &choice, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 6);
        imvo_pack_kv_str (&pk, "round_id", round_id);
        imvo_pack_str (&pk, "risks");
        msgpack_pack_object (&pk, *chosen);
        imvo_pack_kv_str (&pk, "working_group", f [COLLECTIVE_CHOOSE_WORKING_GROUP].present
                                               ? f [COLLECTIVE_CHOOSE_WORKING_GROUP].str : NULL);
        imvo_pack_kv_str (&pk, "note", f [COLLECTIVE_CHOOSE_NOTE].present ? f [COLLECTIVE_CHOOSE_NOTE].str : NULL);
        imvo_pack_kv_int (&pk, "chosen_at", imvo_now_ms ());
        imvo_pack_kv_str (&pk, "by", req->person [0] ? req->person : req->role);
        msgpack_packer_init (&pk, &event, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 4);
        imvo_pack_kv_str (&pk, "round_id", round_id);
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_int (&pk, "year", year);
        imvo_pack_str (&pk, "risks");
        msgpack_pack_object (&pk, *chosen);
        char hash [96];
        snprintf (hash, sizeof hash, "imvo:scoring:{%s}:round:%lld", covenant, (long long) year);
        //  The choice under "chosen", the rewritten ranking under "risks": one script.
        rc = scoring_record_put (ctx, req, covenant, hash, "chosen", &choice, NULL, "collective.chosen", &event, hash,
                                 "risks", &risks, reply);
        msgpack_sbuffer_destroy (&risks);
        msgpack_sbuffer_destroy (&choice);
        msgpack_sbuffer_destroy (&event);
    }
    msgpack_zone_destroy (&zone);
    freeReplyObject (r);
    return rc;
}

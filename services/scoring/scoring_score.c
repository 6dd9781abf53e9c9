/*  scoring_score: the scoring rules, without I/O (proto/README.md, "scoring").

    A part's score is 100 x the sum of its answers / the sum of its criteria's max; the total is
    the sum of weight x part score / 100, from 0 to 100; the band is the one with the highest
    min at or below the total. Totals are kept to 6 decimals, so that a hand-computed 40 is 40
    and falls in the band that starts at 40.

    A company's year in the covenant sets its threshold: 20 up to year 1, 40 in year 2, 60
    from year 3; at or above it the company is on track. Findings: below the threshold; late;
    missing; from year 3 no public communication, and not among the participants of a mandatory
    collective project (textile's living wage, project.list);
    below the threshold two rounds in a row.

    The years count after signing, as seed 001 does: "Van bedrijven die zich aansluiten bij het
    convenant, wordt uiterlijk in het derde jaar verwacht dat zij publiek communiceren over hun
    due diligence. Dit betekent dat in 2019 bedrijven die het convenant in 2016 hebben getekend
    [...] publiek zijn gaan communiceren." So company year = round year - signing year: a
    company that signed in 2016 is in year 3 in 2019 (and year 0 in 2016, the year it signed).
    The signing date is member.join's since, which may be the real, earlier date.
*/
#include "scoring_internal.h"

#include <math.h>

static bool
s_uint (const msgpack_object *o, uint64_t *v)
{
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *v = o->via.u64;
    return true;
}

int
scoring_fw_parse (const msgpack_object *fw, scoring_fw_t *out)
{
    memset (out, 0, sizeof *out);
    const msgpack_object *parts = imvo_map_get (fw, "parts"), *bands = imvo_map_get (fw, "bands");
    const msgpack_object *version = imvo_map_get (fw, "version"), *due = imvo_map_get (fw, "due");
    if (!parts || parts->type != MSGPACK_OBJECT_ARRAY || !bands || bands->type != MSGPACK_OBJECT_ARRAY
    ||  imvo_obj_int (version, &out->version) || imvo_obj_strcpy (due, out->due, sizeof out->due))
        return -1;
    for (uint32_t p = 0; p < parts->via.array.size && p < SCORING_MAX_PARTS; p++) {
        const msgpack_object *part = &parts->via.array.ptr [p], *code = imvo_map_get (part, "code");
        const msgpack_object *criteria = imvo_map_get (part, "criteria");
        scoring_part_t *sp = &out->parts [out->nparts];
        if (!imvo_obj_is_str (code) || !s_uint (imvo_map_get (part, "weight"), &sp->weight)
        ||  !criteria || criteria->type != MSGPACK_OBJECT_ARRAY)
            return -1;
        sp->code = code->via.str.ptr;
        sp->code_len = code->via.str.size;
        sp->first = (uint32_t) out->ncriteria;
        for (uint32_t c = 0; c < criteria->via.array.size && out->ncriteria < SCORING_MAX_CRITERIA; c++) {
            const msgpack_object *id = imvo_map_get (&criteria->via.array.ptr [c], "id");
            scoring_criterion_t *cr = &out->criteria [out->ncriteria];
            if (!imvo_obj_is_str (id) || !s_uint (imvo_map_get (&criteria->via.array.ptr [c], "max"), &cr->max))
                return -1;
            cr->id = id->via.str.ptr;
            cr->id_len = id->via.str.size;
            cr->part = (uint32_t) out->nparts;
            out->ncriteria++;
            sp->count++;
        }
        out->nparts++;
    }
    for (uint32_t b = 0; b < bands->via.array.size && b < SCORING_MAX_BANDS; b++) {
        uint64_t min;
        if (imvo_obj_strcpy (imvo_map_get (&bands->via.array.ptr [b], "code"), out->bands [out->nbands].code,
                             sizeof out->bands [out->nbands].code)
        ||  !s_uint (imvo_map_get (&bands->via.array.ptr [b], "min"), &min))
            return -1;
        out->bands [out->nbands++].min = (double) min;
    }
    return out->nparts && out->nbands ? 0 : -1;
}

int
scoring_fw_criterion (const scoring_fw_t *fw, const char *id, size_t len)
{
    for (int i = 0; i < fw->ncriteria; i++)
        if (fw->criteria [i].id_len == len && memcmp (fw->criteria [i].id, id, len) == 0)
            return i;
    return -1;
}

int
scoring_check_answers (const scoring_fw_t *fw, const msgpack_object *answers, imvo_reply_t *reply)
{
    for (uint32_t i = 0; answers && answers->type == MSGPACK_OBJECT_MAP && i < answers->via.map.size; i++) {
        const msgpack_object_kv *kv = &answers->via.map.ptr [i];
        int c = scoring_fw_criterion (fw, kv->key.via.str.ptr, kv->key.via.str.size);
        int len = (int) kv->key.via.str.size;
        char field [96];
        snprintf (field, sizeof field, "answers.%.*s", len, kv->key.via.str.ptr);
        if (c < 0)
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field,
                                    "%.*s is not a criterion of framework version %lld", len, kv->key.via.str.ptr,
                                    (long long) fw->version);
        if (kv->val.via.u64 > fw->criteria [c].max)
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "%.*s gives 0 to %llu points, not %llu",
                                    len, kv->key.via.str.ptr, (unsigned long long) fw->criteria [c].max,
                                    (unsigned long long) kv->val.via.u64);
    }
    return 0;
}

int
scoring_threshold (int company_year)
{
    return company_year <= 1 ? 20 : company_year == 2 ? 40 : 60;
}

void
scoring_score (const scoring_fw_t *fw, const char *covenant, int64_t year, int64_t since_year,
               const msgpack_object *submission, const msgpack_object *previous, scoring_result_t *r)
{
    (void) covenant;                        //  covenant rules come from data (projects, frameworks)
    r->company_year = since_year > 0 && since_year <= year ? (int) (year - since_year) : 0;
    r->threshold = scoring_threshold (r->company_year);
    r->nfindings = 0;
    r->has_score = submission != NULL;
    r->on_track = false;
    r->band [0] = 0;
    if (!submission) {
        snprintf (r->status, sizeof r->status, "missing");
        r->findings [r->nfindings++] = "missing";
        return;
    }
    const msgpack_object *late = imvo_map_get (submission, "late");
    snprintf (r->status, sizeof r->status, late && late->type == MSGPACK_OBJECT_BOOLEAN && late->via.boolean
                                           ? "late" : "scored");
    uint64_t got [SCORING_MAX_PARTS] = { 0 }, max [SCORING_MAX_PARTS] = { 0 };
    for (int c = 0; c < fw->ncriteria; c++)
        max [fw->criteria [c].part] += fw->criteria [c].max;
    const msgpack_object *answers = imvo_map_get (submission, "answers");
    for (uint32_t i = 0; answers && answers->type == MSGPACK_OBJECT_MAP && i < answers->via.map.size; i++) {
        const msgpack_object_kv *kv = &answers->via.map.ptr [i];
        int c = kv->key.type == MSGPACK_OBJECT_STR ? scoring_fw_criterion (fw, kv->key.via.str.ptr, kv->key.via.str.size)
                                                   : -1;
        uint64_t v;
        if (c >= 0 && s_uint (&kv->val, &v))
            got [fw->criteria [c].part] += v < fw->criteria [c].max ? v : fw->criteria [c].max;
    }
    double total = 0;
    for (int p = 0; p < fw->nparts; p++) {
        r->parts [p] = max [p] ? 100.0 * (double) got [p] / (double) max [p] : 0;
        total += (double) fw->parts [p].weight * r->parts [p] / 100.0;
        r->parts [p] = round (r->parts [p] * 1e6) / 1e6;
    }
    r->score = round (total * 1e6) / 1e6;
    double best = -1;
    for (int b = 0; b < fw->nbands; b++)
        if (fw->bands [b].min <= r->score && fw->bands [b].min > best) {
            best = fw->bands [b].min;
            snprintf (r->band, sizeof r->band, "%s", fw->bands [b].code);
        }
    r->on_track = r->score >= r->threshold;
    if (!r->on_track)
        r->findings [r->nfindings++] = "below_threshold";
    if (streq (r->status, "late"))
        r->findings [r->nfindings++] = "late";
    const msgpack_object *url = imvo_map_get (submission, "public_report_url");
    if (r->company_year >= 3 && !imvo_obj_is_str (url))
        r->findings [r->nfindings++] = "no_public_communication";
    //  The mandatory project's participants, not the plan's own words (scoring_collective.c).
    if (r->mandatory_from && r->company_year >= r->mandatory_from && !r->in_project)
        r->findings [r->nfindings++] = streq (r->mandatory_project, "living-wage") ? "not_in_living_wage_project"
                                                                                    : "not_in_mandatory_project";
    const msgpack_object *before = previous ? imvo_map_get (previous, "on_track") : NULL;
    if (!r->on_track && before && before->type == MSGPACK_OBJECT_BOOLEAN && !before->via.boolean)
        r->findings [r->nfindings++] = "improvement_twice";
}

const char *
scoring_recommendation (const char *finding)
{
    static const struct { const char *finding, *text; } s_texts [] = {
        { "missing", "Submit the yearly action plan: without it the committee cannot assess the company." },
        { "late", "Submit the action plan by the covenant's due date." },
        { "below_threshold", "Strengthen the parts that score lowest, and set targets and actions for every "
                             "prioritised risk before the next round." },
        { "no_public_communication", "Communicate publicly about due diligence: it is expected by the third year." },
        { "not_in_living_wage_project", "Join the living-wage project: it is mandatory from the third year." },
        { "risks_not_mapped", "Map the risks in the supply chain: the trade association that signed for its "
                              "members sees to it that every member maps and addresses its risks." },
        { "not_in_mandatory_project", "Join the covenant's mandatory collective project." },
        { "improvement_twice", "Below the threshold two rounds in a row: agree an improvement plan with the "
                               "committee; the committee may escalate to the disputes mechanism." },
        { NULL, NULL } };
    for (int i = 0; s_texts [i].finding; i++)
        if (streq (s_texts [i].finding, finding))
            return s_texts [i].text;
    return "";
}

void
scoring_pack_result (msgpack_packer *pk, const scoring_fw_t *fw, const scoring_result_t *r)
{
    //  A company a trade association lists: its association and what it must do (scoring_assoc.c).
    bool listed = r->association [0] != 0;
    msgpack_pack_map (pk, 12 + (listed ? 2 : 0));
    if (listed) {
        imvo_pack_kv_str (pk, "association", r->association);
        imvo_pack_kv_str (pk, "requirement", "map_risks");
    }
    imvo_pack_kv_str (pk, "org_id", r->org_id);
    imvo_pack_kv_str (pk, "name", r->name [0] ? r->name : NULL);
    imvo_pack_kv_str (pk, "status", r->status);
    imvo_pack_str (pk, "score");
    if (r->has_score)
        scoring_pack_value (pk, r->score);
    else
        msgpack_pack_nil (pk);
    imvo_pack_kv_str (pk, "band", r->has_score ? r->band : NULL);
    imvo_pack_kv_str (pk, "track", r->on_track ? "on_track" : "improvement");
    imvo_pack_kv_bool (pk, "on_track", r->on_track);
    imvo_pack_kv_int (pk, "threshold", r->threshold);
    imvo_pack_kv_int (pk, "company_year", r->company_year);
    imvo_pack_str (pk, "parts");
    msgpack_pack_map (pk, r->has_score ? (size_t) fw->nparts : 0);
    for (int p = 0; r->has_score && p < fw->nparts; p++) {
        imvo_pack_strn (pk, fw->parts [p].code, fw->parts [p].code_len);
        scoring_pack_value (pk, r->parts [p]);
    }
    imvo_pack_str (pk, "findings");
    msgpack_pack_array (pk, (uint32_t) r->nfindings);
    for (int i = 0; i < r->nfindings; i++)
        imvo_pack_str (pk, r->findings [i]);
    imvo_pack_str (pk, "recommendations");
    msgpack_pack_array (pk, (uint32_t) r->nfindings);
    for (int i = 0; i < r->nfindings; i++)
        imvo_pack_str (pk, scoring_recommendation (r->findings [i]));
}

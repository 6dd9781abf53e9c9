/*  scoring_summary: a round's aggregate (counts per band, the share on track, mean and median,
    missing and late, the change since the previous round) and the sector's collective risks
    (ranked by how many companies report them and how severe they are; the two to act on
    named, as the working group picks two). */
#include "scoring_internal.h"

#include <math.h>

static int
s_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

void
scoring_pack_value (msgpack_packer *pk, double v)
{
    double r = round (v * 10) / 10;
    if (r == floor (r))
        msgpack_pack_int64 (pk, (int64_t) r);
    else
        msgpack_pack_double (pk, r);
}

static void
s_pack_num (msgpack_packer *pk, const char *key, double v)
{
    imvo_pack_str (pk, key);
    scoring_pack_value (pk, v);
}

void
scoring_pack_summary (msgpack_packer *pk, const scoring_fw_t *fw, const scoring_brief_t *b, size_t n,
                      const msgpack_object *previous)
{
    size_t scored = 0, late = 0, missing = 0, on_track = 0;
    double sum = 0, *scores = calloc (n + 1, sizeof (double));
    size_t bands [SCORING_MAX_BANDS] = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (!b [i].has_score) {
            missing++;
            continue;
        }
        scores [scored++] = b [i].score;
        sum += b [i].score;
        late += b [i].late;
        on_track += b [i].on_track;
        for (int k = 0; k < fw->nbands; k++)
            bands [k] += streq (fw->bands [k].code, b [i].band);
    }
    qsort (scores, scored, sizeof (double), s_cmp_double);
    double mean = scored ? sum / (double) scored : 0;
    double median = scored == 0 ? 0 : scored % 2 ? scores [scored / 2]
                  : (scores [scored / 2 - 1] + scores [scored / 2]) / 2;
    double share = n ? 100.0 * (double) on_track / (double) n : 0;
    const msgpack_object *pmean = previous ? imvo_map_get (previous, "mean") : NULL;
    bool has_prev = pmean && (pmean->type == MSGPACK_OBJECT_FLOAT64 || pmean->type == MSGPACK_OBJECT_POSITIVE_INTEGER);
    double prev_mean = !has_prev ? 0 : pmean->type == MSGPACK_OBJECT_FLOAT64 ? pmean->via.f64 : (double) pmean->via.u64;
    msgpack_pack_map (pk, 11);
    imvo_pack_kv_int (pk, "companies", (int64_t) n);
    imvo_pack_kv_int (pk, "scored", (int64_t) scored);
    imvo_pack_kv_int (pk, "late", (int64_t) late);
    imvo_pack_kv_int (pk, "missing", (int64_t) missing);
    imvo_pack_kv_int (pk, "on_track", (int64_t) on_track);
    s_pack_num (pk, "share_on_track", share);
    s_pack_num (pk, "mean", mean);
    s_pack_num (pk, "median", median);
    imvo_pack_str (pk, "bands");
    msgpack_pack_map (pk, (size_t) fw->nbands);
    for (int k = 0; k < fw->nbands; k++)
        imvo_pack_kv_int (pk, fw->bands [k].code, (int64_t) bands [k]);
    imvo_pack_str (pk, "previous_mean");
    if (has_prev)
        scoring_pack_value (pk, prev_mean);
    else
        msgpack_pack_nil (pk);
    imvo_pack_str (pk, "mean_change");
    if (has_prev)
        scoring_pack_value (pk, mean - prev_mean);
    else
        msgpack_pack_nil (pk);
    free (scores);
}

typedef struct {
    char theme [64];
    char country [3];
    int64_t weight;                 //  the sum of the reported severities
    int64_t companies;
} s_risk_t;

void
scoring_risks_add (zhashx_t *risks, const msgpack_object *submission)
{
    const msgpack_object *list = imvo_map_get (submission, "risks");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *r = &list->via.array.ptr [i], *sev = imvo_map_get (r, "severity");
        s_risk_t one = { .companies = 1 };
        if (imvo_obj_strcpy (imvo_map_get (r, "theme"), one.theme, sizeof one.theme)
        ||  imvo_obj_strcpy (imvo_map_get (r, "country"), one.country, sizeof one.country)
        ||  imvo_obj_int (sev, &one.weight))
            continue;
        char key [80];
        snprintf (key, sizeof key, "%s|%s", one.theme, one.country);
        s_risk_t *known = zhashx_lookup (risks, key);
        if (known) {
            known->weight += one.weight;
            known->companies++;
        }
        else {
            s_risk_t *copy = malloc (sizeof *copy);
            *copy = one;
            zhashx_insert (risks, key, copy);
        }
    }
}

static int
s_risk_cmp (const void *a, const void *b)
{
    const s_risk_t *x = *(s_risk_t *const *) a, *y = *(s_risk_t *const *) b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? 1 : -1;
    if (x->companies != y->companies)
        return x->companies < y->companies ? 1 : -1;
    int c = strcmp (x->theme, y->theme);
    return c ? c : strcmp (x->country, y->country);
}

void
scoring_pack_risks (msgpack_packer *pk, zhashx_t *risks)
{
    size_t n = zhashx_size (risks), k = 0;
    s_risk_t **all = calloc (n + 1, sizeof *all);
    for (s_risk_t *r = zhashx_first (risks); r; r = zhashx_next (risks))
        all [k++] = r;
    qsort (all, n, sizeof *all, s_risk_cmp);
    size_t shown = n < 10 ? n : 10;
    msgpack_pack_array (pk, (uint32_t) shown);
    for (size_t i = 0; i < shown; i++) {
        msgpack_pack_map (pk, 5);
        imvo_pack_kv_str (pk, "theme", all [i]->theme);
        imvo_pack_kv_str (pk, "country", all [i]->country);
        imvo_pack_kv_int (pk, "weight", all [i]->weight);
        imvo_pack_kv_int (pk, "companies", all [i]->companies);
        //  The working group chooses the two to act on (collective.choose), not the ranking.
        imvo_pack_kv_bool (pk, "act_on", false);
    }
    free (all);
}

//  A stored result as the summary counts it.
void
scoring_brief_from (const msgpack_object *result, scoring_brief_t *b)
{
    memset (b, 0, sizeof *b);
    const msgpack_object *score = imvo_map_get (result, "score"), *on_track = imvo_map_get (result, "on_track");
    b->has_score = score && (score->type == MSGPACK_OBJECT_FLOAT64 || score->type == MSGPACK_OBJECT_POSITIVE_INTEGER);
    b->score = !b->has_score ? 0 : score->type == MSGPACK_OBJECT_FLOAT64 ? score->via.f64 : (double) score->via.u64;
    b->late = imvo_obj_streq (imvo_map_get (result, "status"), "late");
    b->on_track = on_track && on_track->type == MSGPACK_OBJECT_BOOLEAN && on_track->via.boolean;
    imvo_obj_strcpy (imvo_map_get (result, "band"), b->band, sizeof b->band);
}

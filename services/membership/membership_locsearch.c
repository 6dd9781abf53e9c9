/*  membership_locsearch: location.search, the workplace a complainant knows. A worker may not
    know the brand she makes clothes for, but she knows her factory: she finds it in the
    covenant's published lists (every published year's, each location once) by words of its
    name, city, region, address or country, and files against its location_id.

    Only published lists are searched, and only what they show everyone (name, city, country):
    never which company disclosed the place. The matching is that of the lists themselves
    (location_norm.c): case, accents, punctuation and script do not count, and each word of q
    must be the start of a word of the place (or name its country: "bangladesh", "Viet Nam").
    The lists are read in pages (SSCAN, pipelined HMGET) as location.list does, so no call holds
    Redis for long; the answer is bounded by limit (default 20, at most 50), with more: true when
    there were more matches. Places whose name matches every word come first, then by name.
*/
#include "membership_internal.h"

#define S_PAGE 1000                 //  set members per SSCAN, and location reads per pipeline
#define S_WORDS 12                  //  words of q (more are not looked at)
#define S_NORM (LOCATION_NORM_MAX)

//  HMGET fields, in this order.
enum { F_NAME, F_CITY, F_REGION, F_COUNTRY, F_NORM, F_COUNT };
static const char *const s_fields [F_COUNT] = { "name", "city", "region", "country", "norm" };

typedef struct {
    char text [S_NORM];             //  the normal form, words separated by one space
    char *words [S_WORDS];
    char country [S_WORDS][3];      //  the country a word (or the whole text) names, or ""
    int n;
} s_words_t;

//  The words of text's normal form (into w); with countries, what each word names as a country.
static void
s_words (const char *text, s_words_t *w, bool countries)
{
    memset (w, 0, sizeof *w);
    location_normalise (text, w->text, sizeof w->text, false);
    char *save = NULL;
    for (char *t = strtok_r (w->text, " ", &save); t && w->n < S_WORDS; t = strtok_r (NULL, " ", &save)) {
        //  A country by name (not by a two-letter code: "co", "in" are words too).
        if (countries && strlen (t) > 3 && location_country (t, w->country [w->n]))
            w->country [w->n][0] = 0;
        w->words [w->n++] = t;
    }
}

//  Whether word is the start of a word of hay (a normal form).
static bool
s_starts_a_word (const char *hay, const char *word)
{
    size_t len = strlen (word);
    for (const char *p = hay; p && *p; ) {
        if (strncmp (p, word, len) == 0)
            return true;
        p = strchr (p, ' ');
        if (p)
            p++;
    }
    return false;
}

typedef struct {
    char *id;
    redisReply *r;                  //  HMGET of s_fields
    int rank;                       //  0: the name alone matches every word
    char *name_norm;
} s_hit_t;

static const char *
s_value (redisReply *r, int f)
{
    redisReply *v = r->element [f];
    return v->type == REDIS_REPLY_STRING ? v->str : "";
}

static int
s_hit_cmp (const void *a, const void *b)
{
    const s_hit_t *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    int c = strcmp (x->name_norm, y->name_norm);
    if (c == 0)
        c = strcmp (s_value (x->r, F_CITY), s_value (y->r, F_CITY));
    return c ? c : strcmp (x->id, y->id);
}

typedef struct {
    s_words_t q, city;
    bool has_q, has_city;
    char country [3];               //  the country filter, or ""
    char whole [3];                 //  the country q names as a whole ("viet nam"), or ""
} s_query_t;

//  Whether the location (an HMGET reply) matches; its rank when it does. The stored normal form
//  (name and address) is tried first; the city and region are normalised only when a word is
//  not there, and the name only for a match (its rank and order): ICU's transliteration is
//  what costs, and most places match nothing.
static bool
s_match (const s_query_t *q, redisReply *r, int *rank, char **name_norm)
{
    const char *country = s_value (r, F_COUNTRY);
    if (*q->country && strcasecmp (country, q->country) != 0)
        return false;
    char city [S_NORM] = "", region [S_NORM] = "";
    bool normalised = false;
    if (q->has_city) {
        location_normalise (s_value (r, F_CITY), city, sizeof city, false);
        for (int i = 0; i < q->city.n; i++)
            if (!s_starts_a_word (city, q->city.words [i]))
                return false;
    }
    const char *norm = s_value (r, F_NORM);
    bool by_country = q->has_q && *q->whole && strcasecmp (country, q->whole) == 0;
    for (int i = 0; q->has_q && !by_country && i < q->q.n; i++) {
        const char *w = q->q.words [i];
        if ((*q->q.country [i] && strcasecmp (country, q->q.country [i]) == 0)
        ||  (strlen (w) == 2 && strncasecmp (country, w, 2) == 0)
        ||  s_starts_a_word (norm, w))
            continue;
        if (!normalised) {
            if (!q->has_city)
                location_normalise (s_value (r, F_CITY), city, sizeof city, false);
            location_normalise (s_value (r, F_REGION), region, sizeof region, false);
            normalised = true;
        }
        if (!s_starts_a_word (city, w) && !s_starts_a_word (region, w))
            return false;
    }
    char name [S_NORM];
    location_normalise (s_value (r, F_NAME), name, sizeof name, false);
    bool all_in_name = q->has_q && !by_country;
    for (int i = 0; all_in_name && i < q->q.n; i++)
        all_in_name = s_starts_a_word (name, q->q.words [i]);
    *rank = all_in_name ? 0 : 1;
    *name_norm = strdup (name);
    return *name_norm != NULL;
}

int
membership_location_search (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_SEARCH_COVENANT].str;
    size_t limit = f [LOCATION_SEARCH_LIMIT].present ? (size_t) f [LOCATION_SEARCH_LIMIT].i : 20;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    s_query_t *q = calloc (1, sizeof *q);
    if (!q)
        return imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    if (f [LOCATION_SEARCH_Q].present) {
        s_words (f [LOCATION_SEARCH_Q].str, &q->q, true);
        q->has_q = q->q.n > 0;
        if (location_country (f [LOCATION_SEARCH_Q].str, q->whole) || strlen (f [LOCATION_SEARCH_Q].str) < 3)
            q->whole [0] = 0;
    }
    if (f [LOCATION_SEARCH_CITY].present) {
        s_words (f [LOCATION_SEARCH_CITY].str, &q->city, false);
        q->has_city = q->city.n > 0;
    }
    if (f [LOCATION_SEARCH_COUNTRY].present)
        snprintf (q->country, sizeof q->country, "%s", f [LOCATION_SEARCH_COUNTRY].str);
    //  q of punctuation only has no words: nothing it could match.
    if (f [LOCATION_SEARCH_Q].present && !q->has_q) {
        free (q);
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "q", "q has no words to search by");
    }

    //  Every published year's list, each location once.
    redisReply *p = imvo_redis_cmd (ctx->redis, "HKEYS imvo:membership:{%s}:published", covenant);
    if (!p || p->type != REDIS_REPLY_ARRAY) {
        free (q);
        return imvo_redis_fail (p, reply);
    }
    zhashx_t *seen = zhashx_new ();
    zlistx_t *ids = zlistx_new ();
    zlistx_set_destructor (ids, (zlistx_destructor_fn *) zstr_free);
    int rc = 0;
    for (size_t y = 0; rc == 0 && y < p->elements; y++) {
        if (p->element [y]->type != REDIS_REPLY_STRING)
            continue;
        char key [128];
        snprintf (key, sizeof key, "imvo:membership:{%s}:published:%s:locs", covenant, p->element [y]->str);
        zlistx_t *year = imvo_redis_scan (ctx->redis, key, false);
        if (!year)
            rc = imvo_redis_fail (NULL, reply);
        for (zchunk_t *c = year ? zlistx_first (year) : NULL; c; c = zlistx_next (year)) {
            const char *id = (const char *) zchunk_data (c);
            if (zhashx_insert (seen, id, (void *) 1) == 0)
                zlistx_add_end (ids, strdup (id));
        }
        zlistx_destroy (&year);
    }
    freeReplyObject (p);

    //  The locations in pipelined pages; the matches kept.
    size_t n = zlistx_size (ids), got = 0, matched = 0;
    s_hit_t *hits = calloc (n + 1, sizeof *hits);
    imvo_args_t *cmds = calloc (S_PAGE, sizeof *cmds);
    redisReply **out = calloc (S_PAGE, sizeof *out);
    if (rc == 0 && !(hits && cmds && out))
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "out of memory");
    char *id = rc == 0 ? zlistx_first (ids) : NULL;
    while (rc == 0 && id) {
        size_t m = 0;
        char *batch [S_PAGE];
        for (; id && m < S_PAGE; id = zlistx_next (ids), m++) {
            imvo_args_init (&cmds [m]);
            imvo_args_str (&cmds [m], "HMGET");
            imvo_args_fmt (&cmds [m], "imvo:membership:{%s}:loc:%s", covenant, id);
            for (int k = 0; k < F_COUNT; k++)
                imvo_args_str (&cmds [m], s_fields [k]);
            batch [m] = id;
        }
        if (imvo_redis_run_all (ctx->redis, cmds, m, out))
            rc = imvo_redis_fail (NULL, reply);
        for (size_t j = 0; j < m; j++) {
            imvo_args_release (&cmds [j]);
            int rank = 0;
            char *name_norm = NULL;
            //  A location merged away since the list was read is left out.
            if (rc == 0 && out [j]->type == REDIS_REPLY_ARRAY && out [j]->elements == F_COUNT
            &&  out [j]->element [F_NAME]->type == REDIS_REPLY_STRING
            &&  s_match (q, out [j], &rank, &name_norm)) {
                hits [got++] = (s_hit_t) { batch [j], out [j], rank, name_norm };
                matched++;
            }
            else
            if (out [j])
                freeReplyObject (out [j]);
        }
    }
    if (rc == 0) {
        qsort (hits, got, sizeof *hits, s_hit_cmp);
        size_t shown = got < limit ? got : limit;
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 2);
        imvo_pack_str (pk, "locations");
        msgpack_pack_array (pk, (uint32_t) shown);
        for (size_t i = 0; i < shown; i++) {
            const char *city = s_value (hits [i].r, F_CITY);
            msgpack_pack_map (pk, 3 + (*city != 0));
            imvo_pack_kv_str (pk, "location_id", hits [i].id);
            imvo_pack_kv_str (pk, "name", s_value (hits [i].r, F_NAME));
            if (*city)
                imvo_pack_kv_str (pk, "city", city);
            imvo_pack_kv_str (pk, "country", s_value (hits [i].r, F_COUNTRY));
        }
        imvo_pack_kv_bool (pk, "more", matched > shown);
    }
    for (size_t i = 0; hits && i < got; i++) {
        freeReplyObject (hits [i].r);
        free (hits [i].name_norm);
    }
    free (hits);
    free (cmds);
    free (out);
    free (q);
    zlistx_destroy (&ids);
    zhashx_destroy (&seen);
    return rc;
}

/*  scoring_report: the sector report of a completed round, as Markdown or as one
    self-contained HTML page with two inline SVG bar charts (the band distribution, and the
    change of each company's score since last year), the aggregate and the collective risks.
    The public report names no company below its threshold; the committee's version names all.
*/
#include "scoring_internal.h"

#include <math.h>

typedef struct {
    zchunk_t *out;
    bool html;
} s_doc_t;

static void
s_put (s_doc_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *s = zsys_vprintf (fmt, ap);
    va_end (ap);
    if (s)
        zchunk_extend (d->out, s, strlen (s));
    zstr_free (&s);
}

//  Text from the data: escaped for HTML, and for Markdown tables (| and line breaks).
static void
s_text (s_doc_t *d, const char *s)
{
    for (; *s; s++) {
        const char *e = NULL;
        if (d->html)
            e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;" : NULL;
        else
            e = *s == '|' ? "\\|" : *s == '\n' || *s == '\r' ? " " : NULL;
        if (e)
            zchunk_extend (d->out, e, strlen (e));
        else
            zchunk_extend (d->out, s, 1);
    }
}

static void
s_heading (s_doc_t *d, int level, const char *text)
{
    if (d->html)
        s_put (d, "<h%d>%s</h%d>\n", level, text, level);
    else
        s_put (d, "\n%.*s %s\n\n", level, "###", text);
}

//  A table row of cells (NULL-terminated); header rows get the Markdown rule under them.
static void
s_row (s_doc_t *d, bool header, const char *const *cells)
{
    int n = 0;
    s_put (d, d->html ? "<tr>" : "|");
    for (; cells [n]; n++) {
        s_put (d, d->html ? (header ? "<th>" : "<td>") : " ");
        s_text (d, cells [n]);
        s_put (d, d->html ? (header ? "</th>" : "</td>") : " |");
    }
    s_put (d, "\n");
    if (header && !d->html) {
        s_put (d, "|");
        for (int i = 0; i < n; i++)
            s_put (d, "---|");
        s_put (d, "\n");
    }
}

static double
s_num (const msgpack_object *o)
{
    return !o ? NAN : o->type == MSGPACK_OBJECT_FLOAT64 ? o->via.f64
         : o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (double) o->via.u64
         : o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? (double) o->via.i64 : NAN;
}

//  A bar chart as inline SVG (HTML), or bars of blocks (Markdown).
static void
s_chart (s_doc_t *d, const char *title, const char *const *labels, const double *values, int n)
{
    double max = 1;
    for (int i = 0; i < n; i++)
        max = values [i] > max ? values [i] : max;
    if (!d->html) {
        for (int i = 0; i < n; i++) {
            s_put (d, "    %-14s %5.0f ", labels [i], values [i]);
            for (int b = 0; b < (int) lround (30 * values [i] / max); b++)
                s_put (d, "█");
            s_put (d, "\n");
        }
        return;
    }
    int w = 80 + 70 * n, h = 220;
    s_put (d, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" height=\"%d\" "
              "viewBox=\"0 0 %d %d\"><title>", w, h, w, h);
    s_text (d, title);
    s_put (d, "</title><line x1=\"40\" y1=\"180\" x2=\"%d\" y2=\"180\" stroke=\"#333\"/>", w - 10);
    for (int i = 0; i < n; i++) {
        int bh = (int) lround (150 * values [i] / max), x = 50 + 70 * i;
        s_put (d, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"50\" height=\"%d\" fill=\"#2a6f97\"/>", x,
               180 - bh, bh);
        s_put (d, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%.0f</text>", x + 25, 175 - bh,
               values [i]);
        s_put (d, "<text x=\"%d\" y=\"198\" font-size=\"11\" text-anchor=\"middle\">", x + 25);
        s_text (d, labels [i]);
        s_put (d, "</text>");
    }
    s_put (d, "</svg><figcaption>");
    s_text (d, title);
    s_put (d, "</figcaption></figure>\n");
}

static int
s_by_score (const void *a, const void *b)
{
    double x = s_num (imvo_map_get ((const msgpack_object *) a, "score"));
    double y = s_num (imvo_map_get ((const msgpack_object *) b, "score"));
    if (isnan (x) || isnan (y))
        return isnan (x) - isnan (y);
    return x < y ? 1 : x > y ? -1 : 0;
}

static msgpack_object
s_unpack (const char *data, size_t len, msgpack_zone *zone)
{
    msgpack_object o = { .type = MSGPACK_OBJECT_NIL };
    const char *why;
    if (!data || imvo_msg_unpack_items (data, len, IMVO_MSG_MAX_REPLY_ITEMS, zone, &o, &why))
        o.type = MSGPACK_OBJECT_NIL;
    return o;
}

int
scoring_report (imvo_ctx_t *ctx, const char *covenant, int64_t year, bool html, bool named, imvo_reply_t *reply)
{
    redisReply *round = imvo_redis_cmd (ctx->redis, "HMGET imvo:scoring:{%s}:round:%lld status version summary risks",
                                        covenant, (long long) year);
    if (!round || round->type != REDIS_REPLY_ARRAY || round->elements != 4)
        return imvo_redis_fail_free (round, reply);
    if (round->element [0]->type != REDIS_REPLY_STRING || !streq (round->element [0]->str, "completed")) {
        bool exists = round->element [0]->type == REDIS_REPLY_STRING;
        freeReplyObject (round);
        return imvo_reply_fail (reply, exists ? IMVO_ERR_CONFLICT : IMVO_ERR_NOT_FOUND, "round_id",
                                exists ? "the round is still running: the report follows its completion"
                                       : "no such round");
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 65536);
    scoring_fw_t fw;
    char *fw_packed = NULL;
    size_t fw_len, n = 0, np = 0;
    int rc = scoring_framework_read (ctx, covenant, atoll (round->element [1]->str), &fw, &zone, &fw_packed, &fw_len,
                                     reply);
    zlistx_t *keep = NULL, *keep_prev = NULL;
    zchunk_t **pairs = rc ? NULL : scoring_results_read (ctx, covenant, year, &n, &keep);
    zchunk_t **prev = pairs ? scoring_results_read (ctx, covenant, year - 1, &np, &keep_prev) : NULL;
    if (rc == 0 && (!pairs || !prev))
        rc = imvo_redis_fail (NULL, reply);
    if (rc) {
        free (pairs);
        free (prev);
        zlistx_destroy (&keep);
        zlistx_destroy (&keep_prev);
        free (fw_packed);
        freeReplyObject (round);
        msgpack_zone_destroy (&zone);
        return -1;
    }
    msgpack_object summary = s_unpack (round->element [2]->str, round->element [2]->len, &zone);
    msgpack_object risks = s_unpack (round->element [3]->str, round->element [3]->len, &zone);
    s_doc_t d = { zchunk_new (NULL, 65536), html };
    char title [160], buf [8][64];
    snprintf (title, sizeof title, "Sector report: the %s covenant, %lld", covenant, (long long) year);
    if (html)
        s_put (&d, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title>"
                   "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
                   "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;"
                   "text-align:left}figure{margin:1rem 0}</style></head><body>\n", title);
    s_heading (&d, 1, title);
    s_put (&d, html ? "<p>" : "");
    s_put (&d, "Round %s-%lld, assessment framework version %lld, by the independent monitoring committee. %s",
           covenant, (long long) year, (long long) fw.version,
           named ? "This is the committee's version: it names every company."
                 : "This public version names no company below its threshold.");
    s_put (&d, html ? "</p>\n" : "\n");

    s_heading (&d, 2, "Summary");
    s_put (&d, html ? "<table>\n" : "");
    static const char *const keys [] = { "companies", "scored", "late", "missing", "on_track", "share_on_track",
                                         "mean", "median", "previous_mean", "mean_change", NULL };
    const char *head [] = { "figure", "value", NULL };
    s_row (&d, true, head);
    for (int k = 0; keys [k]; k++) {
        double v = s_num (imvo_map_get (&summary, keys [k]));
        snprintf (buf [0], sizeof buf [0], isnan (v) ? "-" : v == floor (v) ? "%.0f" : "%.1f", v);
        const char *cells [] = { keys [k], buf [0], NULL };
        s_row (&d, false, cells);
    }
    s_put (&d, html ? "</table>\n" : "");

    s_heading (&d, 2, "Band distribution");
    const msgpack_object *bands = imvo_map_get (&summary, "bands");
    const char *labels [SCORING_MAX_BANDS];
    double values [SCORING_MAX_BANDS];
    for (int b = 0; b < fw.nbands; b++) {
        labels [b] = fw.bands [b].code;
        values [b] = bands ? s_num (imvo_map_get (bands, fw.bands [b].code)) : 0;
        values [b] = isnan (values [b]) ? 0 : values [b];
    }
    s_chart (&d, "Companies per band", labels, values, fw.nbands);

    //  Each company's change since last year, in five ranges.
    s_heading (&d, 2, "Score change since last year");
    static const char *const ranges [] = { "< -10", "-10 to -2", "-2 to 2", "2 to 10", "> 10" };
    double changes [5] = { 0 };
    size_t compared = 0;
    for (size_t i = 0, j = 0; i < n; i++) {
        while (j < np && strcmp ((char *) zchunk_data (prev [2 * j]), (char *) zchunk_data (pairs [2 * i])) < 0)
            j++;
        if (j >= np || strcmp ((char *) zchunk_data (prev [2 * j]), (char *) zchunk_data (pairs [2 * i])))
            continue;
        msgpack_object a = s_unpack ((char *) zchunk_data (pairs [2 * i + 1]), zchunk_size (pairs [2 * i + 1]) - 1, &zone);
        msgpack_object b = s_unpack ((char *) zchunk_data (prev [2 * j + 1]), zchunk_size (prev [2 * j + 1]) - 1, &zone);
        double now = s_num (imvo_map_get (&a, "score")), before = s_num (imvo_map_get (&b, "score"));
        if (isnan (now) || isnan (before))
            continue;
        double c = now - before;
        changes [c < -10 ? 0 : c < -2 ? 1 : c <= 2 ? 2 : c <= 10 ? 3 : 4]++;
        compared++;
    }
    if (compared)
        s_chart (&d, "Companies by change of score since last year", ranges, changes, 5);
    else {
        s_put (&d, html ? "<p>" : "");
        s_put (&d, "No company has a result of last year to compare with.");
        s_put (&d, html ? "</p>\n" : "\n");
    }

    s_heading (&d, 2, "Collective risks");
    s_put (&d, html ? "<table>\n" : "");
    const char *rhead [] = { "rank", "theme", "country", "companies", "weight", "act on", NULL };
    s_row (&d, true, rhead);
    for (uint32_t i = 0; risks.type == MSGPACK_OBJECT_ARRAY && i < risks.via.array.size; i++) {
        const msgpack_object *r = &risks.via.array.ptr [i], *act = imvo_map_get (r, "act_on");
        snprintf (buf [0], sizeof buf [0], "%u", i + 1);
        imvo_obj_strcpy (imvo_map_get (r, "theme"), buf [1], sizeof buf [1]);
        imvo_obj_strcpy (imvo_map_get (r, "country"), buf [2], sizeof buf [2]);
        snprintf (buf [3], sizeof buf [3], "%.0f", s_num (imvo_map_get (r, "companies")));
        snprintf (buf [4], sizeof buf [4], "%.0f", s_num (imvo_map_get (r, "weight")));
        const char *cells [] = { buf [0], buf [1], buf [2], buf [3], buf [4],
                                 act && act->type == MSGPACK_OBJECT_BOOLEAN && act->via.boolean ? "yes" : "", NULL };
        s_row (&d, false, cells);
    }
    s_put (&d, html ? "</table>\n" : "");
    bool chosen = false;
    for (uint32_t i = 0; risks.type == MSGPACK_OBJECT_ARRAY && i < risks.via.array.size; i++) {
        const msgpack_object *act = imvo_map_get (&risks.via.array.ptr [i], "act_on");
        chosen |= act && act->type == MSGPACK_OBJECT_BOOLEAN && act->via.boolean;
    }
    s_put (&d, html ? "<p>%s</p>\n" : "\n%s\n", chosen
           ? "The working group chose the two risks marked to act on (collective.choose)."
           : "The working group has not yet chosen the two collective risks to act on from this ranking.");

    s_heading (&d, 2, "Companies");
    s_put (&d, html ? "<table>\n" : "");
    const char *chead [] = { "company", "score", "band", "result", "track", NULL };
    s_row (&d, true, chead);
    //  Highest score first; companies without a plan last.
    msgpack_object *rows = calloc (n + 1, sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows [i] = s_unpack ((char *) zchunk_data (pairs [2 * i + 1]), zchunk_size (pairs [2 * i + 1]) - 1, &zone);
    qsort (rows, n, sizeof *rows, s_by_score);
    size_t unnamed = 0;
    for (size_t i = 0; i < n; i++) {
        const msgpack_object *r = &rows [i], *on = imvo_map_get (r, "on_track");
        if (!named && !(on && on->type == MSGPACK_OBJECT_BOOLEAN && on->via.boolean)) {
            unnamed++;
            continue;
        }
        char name [201] = "";
        memset (buf, 0, sizeof buf);
        if (imvo_obj_strcpy (imvo_map_get (r, "name"), name, sizeof name) || !name [0])
            imvo_obj_strcpy (imvo_map_get (r, "org_id"), name, sizeof name);
        double score = s_num (imvo_map_get (r, "score"));
        snprintf (buf [0], sizeof buf [0], isnan (score) ? "-" : "%.1f", score);
        imvo_obj_strcpy (imvo_map_get (r, "band"), buf [1], sizeof buf [1]);
        imvo_obj_strcpy (imvo_map_get (r, "status"), buf [2], sizeof buf [2]);
        imvo_obj_strcpy (imvo_map_get (r, "track"), buf [3], sizeof buf [3]);
        const char *cells [] = { name, buf [0], buf [1], buf [2], buf [3], NULL };
        s_row (&d, false, cells);
    }
    free (rows);
    s_put (&d, html ? "</table>\n" : "");
    if (unnamed) {
        s_put (&d, html ? "<p>" : "\n");
        s_put (&d, "%zu %s below the threshold of their year or without a plan, and %s not named in this public report.",
               unnamed, unnamed == 1 ? "company is" : "companies are", unnamed == 1 ? "is" : "are");
        s_put (&d, html ? "</p>\n" : "\n");
    }
    if (html)
        s_put (&d, "</body></html>\n");
    msgpack_packer *pk = imvo_reply_pk (reply);
    msgpack_pack_map (pk, 2);
    imvo_pack_kv_str (pk, "format", html ? "html" : "markdown");
    imvo_pack_str (pk, "report");
    imvo_pack_strn (pk, (const char *) zchunk_data (d.out), zchunk_size (d.out));
    zchunk_destroy (&d.out);
    free (pairs);
    free (prev);
    zlistx_destroy (&keep);
    zlistx_destroy (&keep_prev);
    free (fw_packed);
    freeReplyObject (round);
    msgpack_zone_destroy (&zone);
    return 0;
}

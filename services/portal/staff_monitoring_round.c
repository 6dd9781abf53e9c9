/*  staff_monitoring_round: the monitoring committee's round of a covenant and year: started
    from its page (assessment.start, once: the same round again when sent twice) and watched as
    it runs; per company whether its plan came in on time, late or not at all, and once scored
    its score, band, track and findings. A page of 100 companies at a time from
    assessment.round, with a search by company and a filter by plan, so that a round of 10,000
    companies pages as fast as one of ten. */
#include "staff.h"

#include <microhttpd.h>

#define S_PAGE 100

static const char *
s_plan (staff_t *x, const char *status)
{
    return streq (status, "submitted") ? TR (x, "Op tijd ingediend", "Submitted on time")
         : streq (status, "late") ? TR (x, "Te laat ingediend", "Submitted late")
         : streq (status, "missing") ? TR (x, "Ontbreekt", "Missing") : status;
}

static const char *
s_round_status (staff_t *x, const char *status)
{
    return streq (status, "not_started") ? TR (x, "Niet gestart", "Not started")
         : streq (status, "running") ? TR (x, "Loopt", "Running")
         : streq (status, "completed") ? TR (x, "Afgerond", "Completed") : status;
}

static int64_t
s_count (const msgpack_object *counts, const char *key)
{
    int64_t v = 0;
    imvo_obj_int (imvo_map_get (counts, key), &v);
    return v;
}

//  The counts of a round (assessment.round's reply) as facts and a chart.
static void
s_counts (staff_t *x, portal_buf_t *b, const msgpack_object *body)
{
    const msgpack_object *counts = imvo_map_get (body, "counts");
    char status [24] = "", when [32];
    imvo_obj_strcpy (imvo_map_get (body, "status"), status, sizeof status);
    portal_buf_add (b, "<dl class=\"facts\"><dt>%s</dt><dd><span class=\"pill\" id=\"round-status\">%s</span></dd>",
                    TR (x, "Ronde", "Round"), s_round_status (x, status));
    staff_when (imvo_map_get (body, "started_at"), when);
    if (when [0])
        portal_buf_add (b, "<dt>%s</dt><dd>%s UTC</dd>", TR (x, "Gestart", "Started"), when);
    staff_when (imvo_map_get (body, "completed_at"), when);
    if (when [0])
        portal_buf_add (b, "<dt>%s</dt><dd>%s UTC</dd>", TR (x, "Afgerond", "Completed"), when);
    portal_buf_add (b, "<dt>%s</dt><dd id=\"count-companies\">%lld</dd><dt>%s</dt><dd id=\"count-scored\">%lld</dd></dl>",
                    TR (x, "Bedrijven", "Companies"), (long long) s_count (counts, "companies"),
                    TR (x, "Beoordeeld", "Scored"), (long long) s_count (counts, "scored"));
    const char *labels [] = { TR (x, "Op tijd", "On time"), TR (x, "Te laat", "Late"), TR (x, "Ontbreekt", "Missing") };
    double values [] = { (double) s_count (counts, "submitted"), (double) s_count (counts, "late"),
                         (double) s_count (counts, "missing") };
    staff_chart_bars (x, b, TR (x, "Plannen van aanpak", "Action plans"), labels, values, 3, "");
}

//  One company's row: its plan and, once scored, its result with findings.
static void
s_row (staff_t *x, portal_buf_t *b, const msgpack_object *c)
{
    const msgpack_object *result = imvo_map_get (c, "result"), *name = imvo_map_get (c, "name");
    bool scored = result && result->type == MSGPACK_OBJECT_MAP;
    char status [16] = "", band [32] = "", track [24] = "";
    imvo_obj_strcpy (imvo_map_get (c, "status"), status, sizeof status);
    portal_buf_add (b, "<tr><th scope=\"row\" data-label=\"%s\">", TR (x, "Bedrijf", "Company"));
    portal_buf_obj (b, name && name->type == MSGPACK_OBJECT_STR ? name : imvo_map_get (c, "org_id"));
    portal_buf_add (b, "<br><small><code>");
    portal_buf_obj (b, imvo_map_get (c, "org_id"));
    portal_buf_add (b, "</code></small></th><td data-label=\"%s\"%s>%s</td><td class=\"num\" data-label=\"%s\">",
                    TR (x, "Plan", "Plan"), streq (status, "submitted") ? "" : " class=\"late\"", s_plan (x, status),
                    TR (x, "Score", "Score"));
    const msgpack_object *score = scored ? imvo_map_get (result, "score") : NULL;
    if (score && score->type == MSGPACK_OBJECT_FLOAT64)
        portal_buf_add (b, "%.1f", score->via.f64);
    else
    if (score && score->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        portal_buf_add (b, "%llu", (unsigned long long) score->via.u64);
    else
        portal_buf_add (b, "–");
    if (scored) {
        imvo_obj_strcpy (imvo_map_get (result, "band"), band, sizeof band);
        imvo_obj_strcpy (imvo_map_get (result, "track"), track, sizeof track);
    }
    portal_buf_add (b, "</td><td data-label=\"%s\">", TR (x, "Klasse", "Band"));
    portal_buf_str (b, band [0] ? band : "–");
    portal_buf_add (b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">", TR (x, "Traject", "Track"),
                    !scored ? "–" : streq (track, "on_track") ? TR (x, "Op koers", "On track")
                    : TR (x, "Verbetertraject", "Improvement"), TR (x, "Bevindingen", "Findings"));
    const msgpack_object *findings = scored ? imvo_map_get (result, "findings") : NULL;
    uint32_t nf = findings && findings->type == MSGPACK_OBJECT_ARRAY ? findings->via.array.size : 0;
    if (!nf)
        portal_buf_add (b, scored ? TR (x, "geen", "none") : TR (x, "nog niet beoordeeld", "not scored yet"));
    for (uint32_t i = 0; i < nf; i++) {
        char code [48] = "";
        imvo_obj_strcpy (&findings->via.array.ptr [i], code, sizeof code);
        portal_buf_add (b, "%s", i ? "; " : "");
        portal_buf_str (b, staff_finding (x, code));
    }
    portal_buf_add (b, "</td></tr>");
}

static enum MHD_Result
s_page (staff_t *x, const char *covenant, int64_t year)
{
    const char *q = staff_query (x, "q"), *status = staff_query (x, "status"), *o = staff_query (x, "offset");
    long offset = *o ? strtol (o, NULL, 10) : 0;
    if (offset < 0 || offset > 1000000)
        offset = 0;
    if (*status && !streq (status, "submitted") && !streq (status, "late") && !streq (status, "missing"))
        status = "";
    imvo_response_t resp;
    int rc = staff_ask (x, &resp, "scoring", "assessment.round", "sioojj", "covenant", covenant, "year", year, "q", q,
                        "status", status, "offset", (int64_t) offset, "limit", (int64_t) S_PAGE);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [160], rs [24] = "", num [24];
    snprintf (title, sizeof title, "%s %s %lld", TR (x, "Ronde", "Round"), covenant, (long long) year);
    staff_page_start (x, &b, title);
    staff_monitoring_nav (x, &b, covenant, year, "round");
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/monitoring/round\" class=\"row narrow\"><input type=\"hidden\" "
                        "name=\"lang\" value=\"%s\"><input type=\"hidden\" name=\"covenant\" value=\"%s\"><div>"
                        "<label for=\"year\">%s</label><input type=\"number\" id=\"year\" name=\"year\" min=\"2000\" "
                        "max=\"2100\" value=\"%lld\"></div><div><button type=\"submit\" class=\"secondary\">%s</button>"
                        "</div></form>", l, covenant, TR (x, "Jaar", "Year"), (long long) year,
                    TR (x, "Toon dit jaar", "Show this year"));
    imvo_obj_strcpy (imvo_map_get (resp.body, "status"), rs, sizeof rs);
    s_counts (x, &b, resp.body);
    if (streq (rs, "not_started")) {
        portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"start-h\"><h2 id=\"start-h\">%s</h2><p>%s</p>",
                        TR (x, "De ronde starten", "Start the round"),
                        TR (x, "Alle bedrijven die nu partij zijn worden beoordeeld met het nieuwste kader; wie geen "
                               "plan heeft ingediend telt als ontbrekend. Nog eens starten start dezelfde ronde.",
                            "Every company that is a party now is scored with the latest framework; a company "
                            "without a plan counts as missing. Starting again starts the same round."));
        staff_form (x, &b, "/staff/monitoring/round/start");
        portal_hidden (&b, "covenant", covenant);
        snprintf (num, sizeof num, "%lld", (long long) year);
        portal_hidden (&b, "year", num);
        portal_buf_add (&b, "<button type=\"submit\">%s %lld</button></form></section>",
                        TR (x, "Start de ronde van", "Start the round of"), (long long) year);
    }
    else
    if (streq (rs, "running"))
        portal_buf_add (&b, "<p class=\"note\" role=\"status\">%s <a href=\"/staff/monitoring/round?lang=%s&amp;"
                            "covenant=%s&amp;year=%lld\">%s</a></p>",
                        TR (x, "De ronde loopt: de bedrijven worden beoordeeld.", "The round is running: the companies are being scored."),
                        l, covenant, (long long) year, TR (x, "Ververs", "Refresh"));
    //  The companies: search and filter, then the page.
    portal_buf_add (&b, "<h2 id=\"companies-h\">%s</h2><form method=\"get\" action=\"/staff/monitoring/round\" "
                        "class=\"row\" role=\"search\" aria-label=\"%s\"><input type=\"hidden\" name=\"lang\" value=\"%s\">"
                        "<input type=\"hidden\" name=\"covenant\" value=\"%s\"><input type=\"hidden\" name=\"year\" "
                        "value=\"%lld\"><div><label for=\"q\">%s</label><input type=\"search\" id=\"q\" name=\"q\" "
                        "maxlength=\"%ld\" value=\"", TR (x, "Bedrijven", "Companies"), TR (x, "Zoek een bedrijf", "Find a company"),
                    l, covenant, (long long) year, TR (x, "Bedrijf (naam of id)", "Company (name or id)"),
                    staff_max ("assessment.round", "q", 100));
    portal_buf_str (&b, q);
    portal_buf_add (&b, "\"></div><div><label for=\"status\">%s</label><select id=\"status\" name=\"status\">"
                        "<option value=\"\">%s</option>", TR (x, "Plan", "Plan"), TR (x, "Alle", "All"));
    static const char *const plans [] = { "submitted", "late", "missing" };
    for (int i = 0; i < 3; i++)
        portal_buf_add (&b, "<option value=\"%s\"%s>%s</option>", plans [i], streq (status, plans [i]) ? " selected" : "",
                        s_plan (x, plans [i]));
    portal_buf_add (&b, "</select></div><div><button type=\"submit\">%s</button></div></form>", portal_t (x->lang, T_SEARCH));
    const msgpack_object *list = imvo_map_get (resp.body, "companies");
    int64_t total = 0;
    imvo_obj_int (imvo_map_get (resp.body, "total"), &total);
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    portal_buf_add (&b, "<p id=\"shown\">%s %ld–%ld %s %lld</p>", TR (x, "Bedrijven", "Companies"),
                    n ? offset + 1 : 0, offset + (long) n, TR (x, "van", "of"), (long long) total);
    if (n) {
        portal_buf_add (&b, "<div class=\"table\"><table class=\"list\" aria-labelledby=\"companies-h\"><thead><tr>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                        TR (x, "Bedrijf", "Company"), TR (x, "Plan", "Plan"), TR (x, "Score", "Score"),
                        TR (x, "Klasse", "Band"), TR (x, "Traject", "Track"), TR (x, "Bevindingen", "Findings"));
        for (uint32_t i = 0; i < n; i++)
            s_row (x, &b, &list->via.array.ptr [i]);
        portal_buf_add (&b, "</tbody></table></div>");
    }
    //  The pager keeps the search.
    portal_buf_add (&b, "<nav class=\"pager\" aria-label=\"%s\">", TR (x, "Pagina's", "Pages"));
    for (int side = 0; side < 2; side++) {
        long to = side ? offset + S_PAGE : offset - S_PAGE;
        if ((side == 0 && offset <= 0) || (side == 1 && to >= total))
            continue;
        portal_buf_add (&b, "<a href=\"/staff/monitoring/round?lang=%s&amp;covenant=%s&amp;year=%lld&amp;offset=%ld&amp;q=",
                        l, covenant, (long long) year, to < 0 ? 0 : to);
        portal_buf_t u;
        portal_buf_init (&u);
        staff_buf_url (&u, q);
        portal_buf_text (&b, u.data ? u.data : "", u.len);
        portal_buf_release (&u);
        portal_buf_add (&b, "&amp;status=%s\" rel=\"%s\">%s</a>", status, side ? "next" : "prev",
                        side ? TR (x, "Volgende 100", "Next 100") : TR (x, "Vorige 100", "Previous 100"));
    }
    portal_buf_add (&b, "</nav>");
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

enum MHD_Result
staff_monitoring_round (staff_t *x, const char *covenant, int64_t year, const char *action)
{
    if (!*action && !x->post)
        return s_page (x, covenant, year);
    if (streq (action, "start") && x->post) {
        imvo_response_t resp;
        int rc = staff_call (x, &resp, "scoring", "assessment.start", "si", "covenant", covenant, "year", year);
        char path [128];
        snprintf (path, sizeof path, "/staff/monitoring/round?covenant=%s&year=%lld", covenant, (long long) year);
        return staff_changed (x, rc, &resp, path);
    }
    return staff_not_found (x);
}

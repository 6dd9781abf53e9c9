/*  staff_steering: the steering group's overview, read only (role steering; the secretariat
    sees it too): per active covenant its members (covenant.get's counts), its cases per status
    and the deadlines overdue (complaint.stats), and the year's assessment round with the plans
    submitted, late and missing (assessment.round, counts only), drawn as charts by the portal
    (staff_chart_bars). ?covenant= shows one covenant, ?year= another year. */
#include "staff.h"

#include <microhttpd.h>

#define S_MAX_COVENANTS 32

static int64_t
s_int (const msgpack_object *o)
{
    int64_t v = 0;
    imvo_obj_int (o, &v);
    return v;
}

//  One covenant's card.
static void
s_covenant (staff_t *x, portal_buf_t *b, const msgpack_object *cv, const char *code, int64_t year, int64_t *cases,
            int64_t *overdue)
{
    const char *l = staff_lang (x);
    imvo_response_t got, stats, round;
    bool has_got = staff_ask (x, &got, "membership", "covenant.get", "s", "code", code) == 0 && got.ok;
    bool has_stats = staff_ask (x, &stats, "complaints", "complaint.stats", "s", "covenant", code) == 0 && stats.ok;
    bool has_round = staff_ask (x, &round, "scoring", "assessment.round", "sii", "covenant", code, "year", year,
                                "limit", (int64_t) 0) == 0 && round.ok;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"st-%s\"><h2 id=\"st-%s\">", code, code);
    portal_buf_obj (b, staff_covenant_name (x, cv));
    portal_buf_add (b, "</h2><dl class=\"facts\">");
    const msgpack_object *counts = has_got ? imvo_map_get (got.body, "counts") : NULL;
    const msgpack_object *roles = counts ? imvo_map_get (counts, "roles") : NULL;
    if (counts)
        portal_buf_add (b, "<dt>%s</dt><dd id=\"members-%s\">%lld</dd><dt>%s</dt><dd id=\"parties-%s\">%lld</dd>"
                           "<dt>%s</dt><dd>%lld</dd><dt>%s</dt><dd>%lld</dd>",
                        TR (x, "Leden", "Members"), code, (long long) s_int (imvo_map_get (counts, "total")),
                        TR (x, "Partijen", "Parties"), code, (long long) s_int (imvo_map_get (roles, "party")),
                        TR (x, "Ondersteuners", "Supporters"), (long long) s_int (imvo_map_get (roles, "supporter")),
                        TR (x, "Experts", "Experts"), (long long) s_int (imvo_map_get (roles, "expert")));
    else
        portal_buf_add (b, "<dt>%s</dt><dd>%s</dd>", TR (x, "Leden", "Members"), portal_t (x->lang, T_UNAVAILABLE));
    if (has_stats) {
        *cases = s_int (imvo_map_get (stats.body, "cases"));
        *overdue = s_int (imvo_map_get (stats.body, "overdue"));
        portal_buf_add (b, "<dt>%s</dt><dd id=\"cases-%s\">%lld</dd><dt>%s</dt><dd id=\"overdue-%s\"%s>%lld</dd>",
                        TR (x, "Klachten", "Cases"), code, (long long) *cases,
                        TR (x, "Termijnen verlopen", "Deadlines overdue"), code, *overdue ? " class=\"late\"" : "",
                        (long long) *overdue);
    }
    else
        portal_buf_add (b, "<dt>%s</dt><dd>%s</dd>", TR (x, "Klachten", "Cases"), portal_t (x->lang, T_UNAVAILABLE));
    const msgpack_object *rc = has_round ? imvo_map_get (round.body, "counts") : NULL;
    char status [24] = "";
    if (has_round)
        imvo_obj_strcpy (imvo_map_get (round.body, "status"), status, sizeof status);
    portal_buf_add (b, "<dt>%s %lld</dt><dd id=\"round-%s\">%s</dd></dl>", TR (x, "Ronde", "Round"), (long long) year, code,
                    !has_round ? portal_t (x->lang, T_UNAVAILABLE)
                    : streq (status, "completed") ? TR (x, "afgerond", "completed")
                    : streq (status, "running") ? TR (x, "loopt", "running") : TR (x, "niet gestart", "not started"));
    //  Cases per status, in the order a case goes.
    static const char *const order [] = { "received", "admissibility", "response", "mediation", "ruling", "decided",
                                          "settled", "inadmissible", "withdrawn", "closed" };
    const msgpack_object *per = has_stats ? imvo_map_get (stats.body, "per_status") : NULL;
    const char *labels [10];
    double values [10];
    int n = 0;
    for (int i = 0; per && i < 10; i++) {
        int64_t v = s_int (imvo_map_get (per, order [i]));
        if (v > 0) {
            labels [n] = staff_status (x, order [i]);
            values [n++] = (double) v;
        }
    }
    if (has_stats) {
        char title [200];
        snprintf (title, sizeof title, "%s: %s", code, TR (x, "klachten per fase", "cases per status"));
        if (n)
            staff_chart_bars (x, b, title, labels, values, n, "");
        else
            portal_buf_add (b, "<p>%s</p>", TR (x, "Nog geen klachten.", "No cases yet."));
    }
    if (rc && s_int (imvo_map_get (rc, "companies")) > 0) {
        const char *pl [] = { TR (x, "Op tijd", "On time"), TR (x, "Te laat", "Late"),
                              TR (x, "Ontbreekt", "Missing") };
        double pv [] = { (double) s_int (imvo_map_get (rc, "submitted")), (double) s_int (imvo_map_get (rc, "late")),
                         (double) s_int (imvo_map_get (rc, "missing")) };
        char title [200];
        snprintf (title, sizeof title, "%s: %s %lld", code, TR (x, "plannen van aanpak", "action plans"), (long long) year);
        staff_chart_bars (x, b, title, pl, pv, 3, "");
    }
    portal_buf_add (b, "<p><a href=\"/staff/steering?lang=%s&amp;covenant=%s&amp;year=%lld\">%s</a></p></section>", l,
                    code, (long long) year, TR (x, "Alleen dit convenant", "This covenant only"));
    imvo_response_release (&got);
    imvo_response_release (&stats);
    imvo_response_release (&round);
}

enum MHD_Result
staff_steering (staff_t *x)
{
    if (!staff_is (x, "steering") && !staff_is (x, "secretariat"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            TR (x, "Dit overzicht is van de stuurgroep.", "This overview is the steering group's."));
    const char *only = staff_query (x, "covenant"), *y = staff_query (x, "year");
    char *end;
    long year = *y ? strtol (y, &end, 10) : (long) staff_company_year ();
    if ((*y && *end) || year < 2000 || year > 2100 || (*only && !portal_code_ok (only)))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "year: een jaar van 2000 tot 2100; covenant: een code.",
                                "year: a year from 2000 to 2100; covenant: a code."));
    imvo_response_t cov;
    int rc = portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, &cov);
    if (rc || !cov.ok)
        return staff_failed (x, rc, &cov);
    const char *l = staff_lang (x);
    portal_buf_t b, cards;
    portal_buf_init (&b);
    portal_buf_init (&cards);
    staff_page_start (x, &b, TR (x, "Overzicht voor de stuurgroep", "Steering group overview"));
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/steering\" class=\"row narrow\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><input type=\"hidden\" name=\"covenant\" value=\"%s\"><div><label for=\"year\">%s</label>"
                        "<input type=\"number\" id=\"year\" name=\"year\" min=\"2000\" max=\"2100\" value=\"%ld\"></div>"
                        "<div><button type=\"submit\" class=\"secondary\">%s</button></div></form>",
                    l, only, TR (x, "Jaar van de ronde", "Year of the round"), year, TR (x, "Toon", "Show"));
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    char codes [S_MAX_COVENANTS][40];
    const char *labels [S_MAX_COVENANTS];
    double cases [S_MAX_COVENANTS], overdue [S_MAX_COVENANTS];
    int n = 0;
    portal_buf_add (&cards, "<div class=\"grid wide\">");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size && n < S_MAX_COVENANTS; i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        if (!imvo_obj_streq (imvo_map_get (cv, "status"), "active"))
            continue;
        imvo_obj_strcpy (imvo_map_get (cv, "code"), codes [n], sizeof codes [n]);
        if (*only && !streq (only, codes [n]))
            continue;
        int64_t c = 0, o = 0;
        s_covenant (x, &cards, cv, codes [n], year, &c, &o);
        labels [n] = codes [n];
        cases [n] = (double) c;
        overdue [n++] = (double) o;
    }
    portal_buf_add (&cards, "</div>");
    if (n > 1) {
        portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"all-h\"><h2 id=\"all-h\">%s</h2><div class=\"grid\"><div>",
                        TR (x, "Alle convenanten", "All covenants"));
        staff_chart_bars (x, &b, TR (x, "Klachten per convenant", "Cases per covenant"), labels, cases, n, "");
        portal_buf_add (&b, "</div><div>");
        staff_chart_bars (x, &b, TR (x, "Verlopen termijnen per convenant", "Deadlines overdue per covenant"), labels,
                          overdue, n, "");
        portal_buf_add (&b, "</div></div></section>");
    }
    else
    if (*only)
        portal_buf_add (&b, "<p><a href=\"/staff/steering?lang=%s&amp;year=%ld\">%s</a></p>", l, year,
                        TR (x, "Alle convenanten", "All covenants"));
    portal_buf_raw (&b, cards.data ? cards.data : "", cards.len);
    portal_buf_release (&cards);
    imvo_response_release (&cov);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

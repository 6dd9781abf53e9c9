/*  staff_monitoring_report: the monitoring committee's appeals of a round, each open one with
    its decision form (assessment.appeal_decide: accepted with corrected answers, or rejected,
    with reasons), and the sector report: the summary, the bands and the plans drawn as charts
    (staff_chart_bars) and the collective risks, from assessment.round's summary; the whole
    report (assessment.report, the committee's version naming every company) as a download in
    Markdown or HTML. */
#include "staff.h"

#include <ctype.h>
#include <math.h>
#include <microhttpd.h>

//  The round's reply (counts only: limit 0), or a failure answered (returns false).
static bool
s_round (staff_t *x, const char *covenant, int64_t year, imvo_response_t *resp, enum MHD_Result *out)
{
    int rc = staff_ask (x, resp, "scoring", "assessment.round", "sii", "covenant", covenant, "year", year, "limit",
                        (int64_t) 0);
    if (rc || !resp->ok) {
        *out = staff_failed (x, rc, resp);
        return false;
    }
    return true;
}

static double
s_num (const msgpack_object *o)
{
    return !o ? NAN : o->type == MSGPACK_OBJECT_FLOAT64 ? o->via.f64
         : o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (double) o->via.u64
         : o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? (double) o->via.i64 : NAN;
}

static void
s_fact (portal_buf_t *b, const char *label, double v, const char *suffix)
{
    portal_buf_add (b, "<dt>%s</dt><dd>", label);
    if (isnan (v))
        portal_buf_add (b, "–");
    else
        portal_buf_add (b, v == floor (v) ? "%.0f%s" : "%.1f%s", v, suffix);
    portal_buf_add (b, "</dd>");
}

//  --- appeals --------------------------------------------------------------------------------------

static const char *
s_appeal_status (staff_t *x, const char *s)
{
    return streq (s, "open") ? TR (x, "Open", "Open") : streq (s, "accepted") ? TR (x, "Toegewezen", "Accepted")
         : streq (s, "rejected") ? TR (x, "Afgewezen", "Rejected") : s;
}

static void
s_decide_form (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year, const char *id, int i)
{
    char num [24];
    staff_form (x, b, "/staff/monitoring/appeals/decide");
    portal_hidden (b, "appeal_id", id);
    portal_hidden (b, "covenant", covenant);
    snprintf (num, sizeof num, "%lld", (long long) year);
    portal_hidden (b, "year", num);
    portal_buf_add (b, "<fieldset><legend>%s</legend><label><input type=\"radio\" name=\"decision\" value=\"accept\" "
                       "required> %s</label><label><input type=\"radio\" name=\"decision\" value=\"reject\"> %s</label>"
                       "</fieldset><label for=\"answers-%d\">%s</label><p class=\"help\" id=\"answers-%d-help\">%s</p>"
                       "<textarea id=\"answers-%d\" name=\"answers\" rows=\"3\" aria-describedby=\"answers-%d-help\" "
                       "spellcheck=\"false\"></textarea><label for=\"reason-%d\">%s</label><textarea id=\"reason-%d\" "
                       "name=\"reason\" rows=\"3\" maxlength=\"%ld\"></textarea><button type=\"submit\">%s</button></form>",
                    TR (x, "Beslissing", "Decision"), TR (x, "Toewijzen: opnieuw beoordelen met de verbeterde antwoorden",
                                                         "Accept: score again with the corrected answers"),
                    TR (x, "Afwijzen", "Reject"), i, TR (x, "Verbeterde antwoorden (bij toewijzen)", "Corrected answers (when accepting)"),
                    i, TR (x, "Eén per regel: criterium = punten, bijvoorbeeld policy.1 = 3.",
                           "One a line: criterion = points, for example policy.1 = 3."), i, i, i,
                    TR (x, "Motivering", "Reasons"), i, staff_max ("assessment.appeal_decide", "reason", 2000),
                    TR (x, "Beslis", "Decide"));
}

#define S_APPEALED_PAGE 500         //  assessment.round's largest page
#define S_APPEALED_CALLS 21         //  of those pages: a round of 10,000 companies, each appealing

//  The round's appeals and the appealing companies (assessment.round with `appealed`): one call
//  for up to 500 appeals, not one an appeal; into calls [0..*n) (the caller releases and frees
//  each), the companies by org id into companies (pointing into them). 0, or the failure
//  answered into *out (returns -1).
static int
s_appealed (staff_t *x, const char *covenant, int64_t year, imvo_response_t **calls, size_t *n,
            zhashx_t *companies, enum MHD_Result *out)
{
    int64_t total = 1;
    for (int64_t offset = 0; offset < total && *n < S_APPEALED_CALLS; offset += S_APPEALED_PAGE) {
        imvo_response_t *r = calloc (1, sizeof *r);
        int rc = staff_ask (x, r, "scoring", "assessment.round", "siBii", "covenant", covenant, "year", year,
                            "appealed", 1, "offset", offset, "limit", (int64_t) S_APPEALED_PAGE);
        if (rc || !r->ok) {
            *out = staff_failed (x, rc, r);
            free (r);
            return -1;
        }
        calls [(*n)++] = r;
        const msgpack_object *t = imvo_map_get (r->body, "total");
        total = t && t->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t) t->via.u64 : 0;
        const msgpack_object *cs = imvo_map_get (r->body, "companies");
        for (uint32_t k = 0; cs && cs->type == MSGPACK_OBJECT_ARRAY && k < cs->via.array.size; k++) {
            char org [72] = "";
            if (imvo_obj_strcpy (imvo_map_get (&cs->via.array.ptr [k], "org_id"), org, sizeof org) == 0)
                zhashx_update (companies, org, (void *) &cs->via.array.ptr [k]);
        }
    }
    return 0;
}

static enum MHD_Result
s_appeals (staff_t *x, const char *covenant, int64_t year)
{
    imvo_response_t *calls [S_APPEALED_CALLS];
    size_t ncalls = 0;
    zhashx_t *companies = zhashx_new ();
    enum MHD_Result out;
    if (s_appealed (x, covenant, year, calls, &ncalls, companies, &out)) {
        for (size_t k = 0; k < ncalls; k++) {
            imvo_response_release (calls [k]);
            free (calls [k]);
        }
        zhashx_destroy (&companies);
        return out;
    }
    portal_buf_t b;
    portal_buf_init (&b);
    char title [160];
    snprintf (title, sizeof title, "%s %s %lld", TR (x, "Bezwaren", "Appeals"), covenant, (long long) year);
    staff_page_start (x, &b, title);
    staff_monitoring_nav (x, &b, covenant, year, "appeals");
    const msgpack_object *list = imvo_map_get (calls [0]->body, "appeals");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p id=\"no-appeals\">%s</p>", TR (x, "Er zijn geen bezwaren tegen deze ronde.",
                                                               "There are no appeals against this round."));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *a = &list->via.array.ptr [i];
        char id [96] = "", status [16] = "", when [32];
        imvo_obj_strcpy (imvo_map_get (a, "appeal_id"), id, sizeof id);
        imvo_obj_strcpy (imvo_map_get (a, "status"), status, sizeof status);
        //  The company's name and its result now, to decide on.
        char org [72] = "";
        imvo_obj_strcpy (imvo_map_get (a, "org_id"), org, sizeof org);
        const msgpack_object *company = zhashx_lookup (companies, org);
        const msgpack_object *name = company ? imvo_map_get (company, "name") : NULL;
        const msgpack_object *result = company ? imvo_map_get (company, "result") : NULL;
        portal_buf_add (&b, "<section class=\"card appeal\" aria-labelledby=\"appeal-%u\"><h2 id=\"appeal-%u\">", i, i);
        portal_buf_obj (&b, name && name->type == MSGPACK_OBJECT_STR ? name : imvo_map_get (a, "org_id"));
        portal_buf_add (&b, " <span class=\"pill\">%s</span></h2><dl class=\"facts\">", s_appeal_status (x, status));
        if (result && result->type == MSGPACK_OBJECT_MAP) {
            s_fact (&b, TR (x, "Score in de ronde", "Score in the round"), s_num (imvo_map_get (result, "score")), "");
            const msgpack_object *fs = imvo_map_get (result, "findings");
            portal_buf_add (&b, "<dt>%s</dt><dd>", TR (x, "Bevindingen", "Findings"));
            uint32_t nf = fs && fs->type == MSGPACK_OBJECT_ARRAY ? fs->via.array.size : 0;
            if (!nf)
                portal_buf_add (&b, "%s", TR (x, "geen", "none"));
            for (uint32_t k = 0; k < nf; k++) {
                char code [48] = "";
                imvo_obj_strcpy (&fs->via.array.ptr [k], code, sizeof code);
                portal_buf_add (&b, "%s", k ? "; " : "");
                portal_buf_str (&b, staff_finding (x, code));
            }
            portal_buf_add (&b, "</dd>");
        }
        portal_buf_add (&b, "<dt>%s</dt><dd><code>", TR (x, "Bezwaar", "Appeal"));
        portal_buf_str (&b, id);
        staff_when (imvo_map_get (a, "at"), when);
        portal_buf_add (&b, "</code></dd><dt>%s</dt><dd>%s UTC</dd><dt>%s</dt><dd>", TR (x, "Ingediend", "Filed"), when,
                        TR (x, "Waarom", "Why"));
        portal_buf_obj (&b, imvo_map_get (a, "reason"));
        portal_buf_add (&b, "</dd>");
        if (!streq (status, "open")) {
            s_fact (&b, TR (x, "Score was", "Score was"), s_num (imvo_map_get (a, "old_score")), "");
            s_fact (&b, TR (x, "Score nu", "Score now"), s_num (imvo_map_get (a, "new_score")), "");
            portal_buf_add (&b, "<dt>%s</dt><dd>", TR (x, "Motivering", "Reasons"));
            portal_buf_obj (&b, imvo_map_get (a, "decision_reason"));
            portal_buf_add (&b, "</dd>");
        }
        portal_buf_add (&b, "</dl>");
        if (streq (status, "open"))
            s_decide_form (x, &b, covenant, year, id, (int) i);
        portal_buf_add (&b, "</section>");
    }
    for (size_t k = 0; k < ncalls; k++) {
        imvo_response_release (calls [k]);
        free (calls [k]);
    }
    zhashx_destroy (&companies);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  "id = points" lines as a msgpack map; -1 with the line in *bad.
static int
s_pack_answers (msgpack_packer *pk, const char *text, int *bad, bool pack)
{
    char *copy = strdup (text), *save = NULL;
    int n = 0, line = 0, rc = 0;
    for (char *l = strtok_r (copy, "\r\n", &save); l && rc == 0; l = strtok_r (NULL, "\r\n", &save)) {
        line++;
        char *eq = strchr (l, '=');
        char id [128];
        char *end;
        while (isspace ((unsigned char) *l))
            l++;
        if (!*l)
            continue;
        long v = eq ? strtol (eq + 1, &end, 10) : -1;
        while (eq && isspace ((unsigned char) *end))
            end++;
        size_t len = eq ? (size_t) (eq - l) : 0;
        while (len && isspace ((unsigned char) l [len - 1]))
            len--;
        if (!eq || len == 0 || len >= sizeof id || v < 0 || v > 1000 || *end || end == eq + 1) {
            *bad = line;
            rc = -1;
            break;
        }
        snprintf (id, sizeof id, "%.*s", (int) len, l);
        if (pack) {
            imvo_pack_str (pk, id);
            msgpack_pack_int64 (pk, v);
        }
        n++;
    }
    free (copy);
    return rc ? -1 : n;
}

static enum MHD_Result
s_decide (staff_t *x, const char *covenant, int64_t year)
{
    const char *decision = portal_field (x->r, "decision"), *id = portal_field (x->r, "appeal_id"),
               *answers = portal_field (x->r, "answers"), *reason = portal_field (x->r, "reason");
    const char *title = TR (x, "Controleer de invoer", "Please check the input");
    if (!streq (decision, "accept") && !streq (decision, "reject"))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, title, TR (x, "decision: kies toewijzen of afwijzen.",
                                                               "decision: choose accept or reject."));
    int bad = 0, n = s_pack_answers (NULL, answers, &bad, false);
    char why [200];
    if (n < 0) {
        snprintf (why, sizeof why, TR (x, "answers, regel %d: schrijf criterium = punten (0-1000).",
                                       "answers, line %d: write criterion = points (0-1000)."), bad);
        return staff_error (x, MHD_HTTP_BAD_REQUEST, title, why);
    }
    bool accept = streq (decision, "accept");
    if (accept && n == 0)
        return staff_error (x, MHD_HTTP_BAD_REQUEST, title,
                            TR (x, "answers: wie toewijst geeft de verbeterde antwoorden.",
                                "answers: accepting takes the corrected answers."));
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2 + (accept && n > 0) + (*reason != 0));
    imvo_pack_kv_str (&pk, "appeal_id", id);
    imvo_pack_kv_bool (&pk, "accept", accept);
    if (accept && n > 0) {
        imvo_pack_str (&pk, "answers");
        msgpack_pack_map (&pk, (uint32_t) n);
        s_pack_answers (&pk, answers, &bad, true);
    }
    if (*reason)
        imvo_pack_kv_str (&pk, "reason", reason);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "scoring", "assessment.appeal_decide", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [128];
    snprintf (path, sizeof path, "/staff/monitoring/appeals?covenant=%s&year=%lld", covenant, (long long) year);
    return staff_changed (x, rc, &resp, path);
}

enum MHD_Result
staff_monitoring_appeals (staff_t *x, const char *covenant, int64_t year, const char *action)
{
    if (!*action && !x->post)
        return s_appeals (x, covenant, year);
    if (streq (action, "decide") && x->post)
        return s_decide (x, covenant, year);
    return staff_not_found (x);
}

//  --- the sector report ------------------------------------------------------------------------------

static enum MHD_Result
s_report (staff_t *x, const char *covenant, int64_t year)
{
    imvo_response_t resp;
    enum MHD_Result out;
    if (!s_round (x, covenant, year, &resp, &out))
        return out;
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [160], status [24] = "";
    snprintf (title, sizeof title, "%s %s %lld", TR (x, "Sectorrapport", "Sector report"), covenant, (long long) year);
    staff_page_start (x, &b, title);
    staff_monitoring_nav (x, &b, covenant, year, "report");
    imvo_obj_strcpy (imvo_map_get (resp.body, "status"), status, sizeof status);
    const msgpack_object *summary = imvo_map_get (resp.body, "summary");
    if (!streq (status, "completed") || !summary || summary->type != MSGPACK_OBJECT_MAP) {
        portal_buf_add (&b, "<p class=\"note\" id=\"no-report\">%s <a href=\"/staff/monitoring/round?lang=%s&amp;"
                            "covenant=%s&amp;year=%lld\">%s</a></p>",
                        TR (x, "Het rapport volgt als de ronde is afgerond.", "The report follows when the round is completed."),
                        l, covenant, (long long) year, TR (x, "Naar de ronde", "To the round"));
        imvo_response_release (&resp);
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    portal_buf_add (&b, "<p>%s <a href=\"/staff/monitoring/report/download?lang=%s&amp;covenant=%s&amp;year=%lld&amp;"
                        "format=html\" download>HTML</a> · <a href=\"/staff/monitoring/report/download?lang=%s&amp;"
                        "covenant=%s&amp;year=%lld&amp;format=markdown\" download>Markdown</a></p>",
                    TR (x, "Het hele rapport (de versie van de commissie, met alle bedrijven):",
                        "The whole report (the committee's version, naming every company):"),
                    l, covenant, (long long) year, l, covenant, (long long) year);
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"sum-h\"><h2 id=\"sum-h\">%s</h2><dl class=\"facts\" id=\"summary\">",
                    TR (x, "Samenvatting", "Summary"));
    s_fact (&b, TR (x, "Bedrijven", "Companies"), s_num (imvo_map_get (summary, "companies")), "");
    s_fact (&b, TR (x, "Beoordeeld", "Scored"), s_num (imvo_map_get (summary, "scored")), "");
    s_fact (&b, TR (x, "Te laat", "Late"), s_num (imvo_map_get (summary, "late")), "");
    s_fact (&b, TR (x, "Zonder plan", "Without a plan"), s_num (imvo_map_get (summary, "missing")), "");
    s_fact (&b, TR (x, "Op koers", "On track"), s_num (imvo_map_get (summary, "on_track")), "");
    s_fact (&b, TR (x, "Aandeel op koers", "Share on track"), s_num (imvo_map_get (summary, "share_on_track")), " %");
    s_fact (&b, TR (x, "Gemiddelde score", "Mean score"), s_num (imvo_map_get (summary, "mean")), "");
    s_fact (&b, TR (x, "Mediaan", "Median"), s_num (imvo_map_get (summary, "median")), "");
    s_fact (&b, TR (x, "Gemiddelde vorig jaar", "Last year's mean"), s_num (imvo_map_get (summary, "previous_mean")), "");
    s_fact (&b, TR (x, "Verandering", "Change"), s_num (imvo_map_get (summary, "mean_change")), "");
    portal_buf_add (&b, "</dl></section>");
    //  The bands, in the framework's order (the summary keeps it).
    const msgpack_object *bands = imvo_map_get (summary, "bands");
    uint32_t nb = bands && bands->type == MSGPACK_OBJECT_MAP ? bands->via.map.size : 0;
    char codes [16][32];
    const char *labels [16];
    double values [16];
    int k = 0;
    for (uint32_t i = 0; i < nb && k < 16; i++, k++) {
        imvo_obj_strcpy (&bands->via.map.ptr [i].key, codes [k], sizeof codes [k]);
        labels [k] = codes [k];
        values [k] = s_num (&bands->via.map.ptr [i].val);
    }
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"bands-h\"><h2 id=\"bands-h\">%s</h2>",
                    TR (x, "Bedrijven per klasse", "Companies per band"));
    staff_chart_bars (x, &b, TR (x, "Bedrijven per klasse", "Companies per band"), labels, values, k, "");
    portal_buf_add (&b, "</section>");
    //  The collective risks, heaviest first; the two to act on marked.
    const msgpack_object *risks = imvo_map_get (resp.body, "collective_risks");
    uint32_t nr = risks && risks->type == MSGPACK_OBJECT_ARRAY ? risks->via.array.size : 0;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"risks-h\"><h2 id=\"risks-h\">%s</h2>",
                    TR (x, "Collectieve risico's", "Collective risks"));
    if (!nr)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "De plannen noemden geen risico's.", "The plans named no risks."));
    else {
        portal_buf_add (&b, "<div class=\"table\"><table class=\"list\" id=\"risks\"><thead><tr><th scope=\"col\">#</th>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                        TR (x, "Thema", "Theme"), TR (x, "Land", "Country"), TR (x, "Bedrijven", "Companies"),
                        TR (x, "Gewicht", "Weight"), TR (x, "Aanpakken", "Act on"));
        bool chosen = false;
        for (uint32_t i = 0; i < nr; i++) {
            const msgpack_object *r = &risks->via.array.ptr [i], *act = imvo_map_get (r, "act_on");
            chosen |= act && act->type == MSGPACK_OBJECT_BOOLEAN && act->via.boolean;
            portal_buf_add (&b, "<tr><td data-label=\"#\">%u</td><td data-label=\"%s\">", i + 1, TR (x, "Thema", "Theme"));
            char theme [64] = "";
            imvo_obj_strcpy (imvo_map_get (r, "theme"), theme, sizeof theme);
            for (char *c = theme; *c; c++)
                *c = *c == '_' ? ' ' : *c;
            portal_buf_str (&b, theme);
            portal_buf_add (&b, "</td><td data-label=\"%s\">", TR (x, "Land", "Country"));
            portal_buf_obj (&b, imvo_map_get (r, "country"));
            portal_buf_add (&b, "</td><td class=\"num\" data-label=\"%s\">%.0f</td><td class=\"num\" data-label=\"%s\">%.0f</td>"
                                "<td data-label=\"%s\">%s</td></tr>", TR (x, "Bedrijven", "Companies"),
                            s_num (imvo_map_get (r, "companies")), TR (x, "Gewicht", "Weight"),
                            s_num (imvo_map_get (r, "weight")), TR (x, "Aanpakken", "Act on"),
                            act && act->type == MSGPACK_OBJECT_BOOLEAN && act->via.boolean ? TR (x, "ja", "yes") : "–");
        }
        portal_buf_add (&b, "</tbody></table></div>");
        if (!chosen)    //  the working group chooses (collective.choose), not the ranking
            portal_buf_add (&b, "<p class=\"help\">%s</p>",
                            TR (x, "De werkgroep heeft nog niet gekozen welke twee risico's zij samen aanpakt.",
                                "The working group has not yet chosen the two risks to act on together."));
    }
    portal_buf_add (&b, "</section>");
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

static enum MHD_Result
s_download (staff_t *x, const char *covenant, int64_t year)
{
    const char *format = staff_query (x, "format");
    if (!streq (format, "html") && !streq (format, "markdown"))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "format: html of markdown.", "format: html or markdown."));
    char round_id [64], name [96];
    snprintf (round_id, sizeof round_id, "%s-%lld", covenant, (long long) year);
    imvo_response_t resp;
    int rc = staff_ask (x, &resp, "scoring", "assessment.report", "ss", "round_id", round_id, "format", format);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    const msgpack_object *report = imvo_map_get (resp.body, "report");
    if (!report || report->type != MSGPACK_OBJECT_STR) {
        imvo_response_release (&resp);
        return staff_error (x, MHD_HTTP_SERVICE_UNAVAILABLE, TR (x, "Niet beschikbaar", "Unavailable"),
                            portal_t (x->lang, T_UNAVAILABLE));
    }
    bool html = streq (format, "html");
    snprintf (name, sizeof name, "report-%s.%s", round_id, html ? "html" : "md");
    enum MHD_Result out = portal_send_file (x->c, MHD_HTTP_OK, html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8",
                                            report->via.str.ptr, report->via.str.size, NULL, name);
    imvo_response_release (&resp);
    return out;
}

enum MHD_Result
staff_monitoring_report (staff_t *x, const char *covenant, int64_t year, const char *action)
{
    if (x->post)
        return staff_not_found (x);
    if (!*action)
        return s_report (x, covenant, year);
    if (streq (action, "download"))
        return s_download (x, covenant, year);
    return staff_not_found (x);
}

/*  staff_company_results: a company's result in a round (assessment.get gives a company its
    own result only, with the sector's totals), its parts by their names in the framework
    version the round used, its findings with their recommendations, and the appeal within four
    weeks of the round's completion (assessment.appeal; scoring keeps the window and one appeal
    a round). See staff.h. */
#include "staff.h"
#include "imvo_service.h"           //  imvo_now_ms: the clock the daemons keep

#include <microhttpd.h>

#define S_APPEAL_MS (28LL * 86400000)     //  scoring's window (SCORING_APPEAL_DAYS)

//  A number as replies carry it (an integer, or a float to one decimal).
static void
s_number (portal_buf_t *b, const msgpack_object *o)
{
    if (o && o->type == MSGPACK_OBJECT_FLOAT64)
        portal_buf_add (b, "%.1f", o->via.f64);
    else
    if (o && (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER || o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER))
        portal_buf_add (b, "%lld", (long long) o->via.i64);
    else
        portal_buf_add (b, "–");
}

//  --- results and the appeal ----------------------------------------------------------------------

static enum MHD_Result
s_appeal (staff_t *x)
{
    const char *reason = portal_field (x->r, "reason");
    char covenant [40], round [64];
    snprintf (covenant, sizeof covenant, "%s", portal_field (x->r, "covenant"));
    int64_t year = staff_company_year_of (x);
    if (!portal_code_ok (covenant) || !*reason)
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "Schrijf waarom het resultaat niet klopt.", "Write why the result is wrong."));
    snprintf (round, sizeof round, "%s-%lld", covenant, (long long) year);
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "scoring", "assessment.appeal", "sss", "round_id", round, "org_id", x->s.org,
                         "reason", reason);
    char path [160];
    snprintf (path, sizeof path, "/staff/company/results?appealed=1&covenant=%s&year=%lld", covenant, (long long) year);
    return staff_changed (x, rc, &resp, path);
}

static enum MHD_Result
s_results (staff_t *x)
{
    imvo_response_t org, res;
    if (staff_company_org (x, &org))
        return staff_failed (x, -1, &org);
    char covenant [40], round [64];
    staff_company_covenant (x, &org, covenant);
    int64_t year = staff_company_year_of (x);
    snprintf (round, sizeof round, "%s-%lld", covenant, (long long) year);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s %lld: %s", TR (x, "Resultaten", "Results"), (long long) year, covenant);
    staff_page_start (x, &b, title);
    if (*staff_query (x, "appealed"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>",
                        TR (x, "Uw bezwaar is ontvangen. De monitoringcommissie beslist erover.",
                            "Your appeal was received. The monitoring committee decides on it."));
    staff_company_choose (x, &b, &org, "results", covenant, year);
    imvo_response_release (&org);
    int rc = *covenant ? staff_ask (x, &res, "scoring", "assessment.get", "s", "round_id", round) : -1;
    if (!*covenant || rc || !res.ok) {
        bool none = *covenant && rc == 0 && res.err.code == IMVO_ERR_NOT_FOUND;
        if (*covenant && !none) {
            portal_buf_release (&b);
            return staff_failed (x, rc, &res);
        }
        portal_buf_add (&b, "<p id=\"result\">%s</p>", TR (x, "Voor dit jaar is er nog geen beoordeling.",
                                                        "There is no assessment for this year yet."));
        if (*covenant)
            imvo_response_release (&res);
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    char status [32] = "";
    imvo_obj_strcpy (imvo_map_get (res.body, "status"), status, sizeof status);
    const msgpack_object *results = imvo_map_get (res.body, "results");
    const msgpack_object *mine = results && results->type == MSGPACK_OBJECT_ARRAY && results->via.array.size
                               ? &results->via.array.ptr [0] : NULL;
    if (!streq (status, "completed") || !mine) {
        portal_buf_add (&b, "<p id=\"result\">%s</p>",
                        streq (status, "completed") ? TR (x, "Uw bedrijf heeft geen resultaat in deze ronde.",
                                                          "Your company has no result in this round.")
                        : TR (x, "De beoordeling loopt nog.", "The assessment is still running."));
        imvo_response_release (&res);
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    char rstatus [16] = "", band [32] = "";
    imvo_obj_strcpy (imvo_map_get (mine, "status"), rstatus, sizeof rstatus);
    imvo_obj_strcpy (imvo_map_get (mine, "band"), band, sizeof band);
    const msgpack_object *on = imvo_map_get (mine, "on_track");
    bool on_track = on && on->type == MSGPACK_OBJECT_BOOLEAN && on->via.boolean;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-res\" id=\"result\"><h2 id=\"h-res\">%s</h2>"
                        "<dl class=\"facts\"><dt>%s</dt><dd id=\"score\">", TR (x, "Uw resultaat", "Your result"),
                    TR (x, "Score (0–100)", "Score (0–100)"));
    s_number (&b, imvo_map_get (mine, "score"));
    portal_buf_add (&b, "</dd><dt>%s</dt><dd>", TR (x, "Klasse", "Band"));
    portal_buf_str (&b, *band ? band : "–");
    portal_buf_add (&b, "</dd><dt>%s</dt><dd>", TR (x, "Drempel voor uw jaar", "Threshold for your year"));
    portal_buf_obj (&b, imvo_map_get (mine, "threshold"));
    portal_buf_add (&b, "</dd><dt>%s</dt><dd><span class=\"pill\">%s</span></dd><dt>%s</dt><dd>%s</dd>",
                    TR (x, "Op koers", "On track"), on_track ? TR (x, "ja", "yes") : TR (x, "verbetering nodig", "improvement needed"),
                    portal_t (x->lang, T_STATUS), streq (rstatus, "late") ? TR (x, "te laat ingediend", "submitted late")
                    : streq (rstatus, "missing") ? TR (x, "geen plan ingediend", "no plan submitted")
                    : TR (x, "beoordeeld", "scored"));
    portal_buf_add (&b, "</dl>");
    const msgpack_object *parts = imvo_map_get (mine, "parts");
    if (parts && parts->type == MSGPACK_OBJECT_MAP && parts->via.map.size) {
        //  The parts by their names in the framework version the round used.
        imvo_response_t fw;
        int64_t version = 0;
        imvo_obj_int (imvo_map_get (res.body, "version"), &version);
        bool named = staff_ask (x, &fw, "scoring", "framework.get", "sj", "covenant", covenant, "version",
                                version > 0 ? version : (int64_t) -1) == 0 && fw.ok;
        const msgpack_object *fparts = named ? imvo_map_get (fw.body, "parts") : NULL;
        portal_buf_add (&b, "<div class=\"table\"><table class=\"list\"><caption class=\"help\">%s</caption><thead><tr>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                        TR (x, "Score per onderdeel, als percentage van het haalbare", "Score per part, as a percentage of what it can give"),
                        TR (x, "Onderdeel", "Part"), TR (x, "Score (0–100)", "Score (0–100)"));
        for (uint32_t i = 0; i < parts->via.map.size; i++) {
            const msgpack_object *name = &parts->via.map.ptr [i].key;
            char code [64] = "";
            imvo_obj_strcpy (name, code, sizeof code);
            for (uint32_t k = 0; fparts && fparts->type == MSGPACK_OBJECT_ARRAY && k < fparts->via.array.size; k++)
                if (imvo_obj_streq (imvo_map_get (&fparts->via.array.ptr [k], "code"), code))
                    name = imvo_map_get (&fparts->via.array.ptr [k], "name");
            portal_buf_add (&b, "<tr><td data-label=\"%s\">", TR (x, "Onderdeel", "Part"));
            portal_buf_obj (&b, name);
            portal_buf_add (&b, "</td><td class=\"num\" data-label=\"%s\">", TR (x, "Score (0–100)", "Score (0–100)"));
            s_number (&b, &parts->via.map.ptr [i].val);
            portal_buf_add (&b, "</td></tr>");
        }
        portal_buf_add (&b, "</tbody></table></div>");
        imvo_response_release (&fw);        //  filled by staff_ask either way
    }
    const msgpack_object *findings = imvo_map_get (mine, "findings"), *recs = imvo_map_get (mine, "recommendations");
    uint32_t nf = findings && findings->type == MSGPACK_OBJECT_ARRAY ? findings->via.array.size : 0;
    portal_buf_add (&b, "<h3>%s</h3>", TR (x, "Bevindingen en aanbevelingen", "Findings and recommendations"));
    staff_list_start (&b, nf, TR (x, "Geen bevindingen.", "No findings."), " id=\"findings\"");
    for (uint32_t i = 0; i < nf; i++) {
        portal_buf_add (&b, "<li><strong>");
        portal_buf_obj (&b, &findings->via.array.ptr [i]);
        portal_buf_add (&b, "</strong>");
        if (recs && recs->type == MSGPACK_OBJECT_ARRAY && i < recs->via.array.size) {
            portal_buf_add (&b, ": ");
            portal_buf_obj (&b, &recs->via.array.ptr [i]);
        }
        portal_buf_add (&b, "</li>");
    }
    staff_list_end (&b, nf);
    const msgpack_object *summary = imvo_map_get (res.body, "summary");
    if (summary && summary->type == MSGPACK_OBJECT_MAP) {
        portal_buf_add (&b, "<p class=\"help\">%s: ", TR (x, "De sector (alleen totalen)", "The sector (totals only)"));
        portal_buf_obj (&b, imvo_map_get (summary, "companies"));
        portal_buf_add (&b, " %s, ", TR (x, "bedrijven beoordeeld", "companies assessed"));
        portal_buf_obj (&b, imvo_map_get (summary, "on_track"));
        portal_buf_add (&b, " %s</p>", TR (x, "op koers", "on track"));
    }
    portal_buf_add (&b, "</section>");
    //  The appeal: within four weeks of the round's completion (scoring decides).
    int64_t completed = 0;
    imvo_obj_int (imvo_map_get (res.body, "completed_at"), &completed);
    msgpack_object until = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.i64 = completed + S_APPEAL_MS };
    char when [32];
    staff_when (&until, when);
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-appeal\"><h2 id=\"h-appeal\">%s</h2>",
                    TR (x, "Bezwaar maken", "Appeal"));
    const msgpack_object *appeal = imvo_map_get (res.body, "appeal");
    if (appeal && appeal->type == MSGPACK_OBJECT_MAP) {
        //  One appeal a round: how it stands.
        char at [32], decided [32], status [16] = "";
        staff_when (imvo_map_get (appeal, "at"), at);
        staff_when (imvo_map_get (appeal, "decided_at"), decided);
        imvo_obj_strcpy (imvo_map_get (appeal, "status"), status, sizeof status);
        portal_buf_add (&b, "<dl class=\"facts\" id=\"appeal\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>",
                        TR (x, "Ingediend", "Submitted"), at, TR (x, "Uw reden", "Your reason"));
        portal_buf_obj (&b, imvo_map_get (appeal, "reason"));
        portal_buf_add (&b, "</dd><dt>%s</dt><dd><span class=\"pill\" data-status=\"%s\">%s</span></dd>",
                        portal_t (x->lang, T_STATUS), status,
                        streq (status, "accepted") ? TR (x, "toegewezen", "accepted")
                        : streq (status, "rejected") ? TR (x, "afgewezen", "rejected")
                        : TR (x, "in behandeling bij de monitoringcommissie", "with the monitoring committee"));
        if (!streq (status, "open")) {
            portal_buf_add (&b, "<dt>%s</dt><dd>%s: ", TR (x, "Besluit", "Decision"), decided);
            portal_buf_obj (&b, imvo_map_get (appeal, "decision_reason"));
            portal_buf_add (&b, "</dd>");
        }
        portal_buf_add (&b, "</dl>");
    }
    else
    if (imvo_now_ms () > completed + S_APPEAL_MS)
        portal_buf_add (&b, "<p id=\"appeal-closed\">%s %s.</p>",
                        TR (x, "De termijn voor bezwaar (vier weken) is verstreken op", "The time to appeal (four weeks) ended on"),
                        when);
    else {
        portal_buf_add (&b, "<p class=\"help\">%s %s (UTC). %s</p>", TR (x, "Bezwaar kan tot", "You may appeal until"), when,
                        TR (x, "Eén bezwaar per ronde; de monitoringcommissie beslist.",
                            "One appeal a round; the monitoring committee decides."));
        staff_form (x, &b, "/staff/company/appeal");
        portal_hidden (&b, "covenant", covenant);
        portal_buf_add (&b, "<input type=\"hidden\" name=\"year\" value=\"%lld\"><label for=\"reason\">%s</label>"
                            "<textarea id=\"reason\" name=\"reason\" rows=\"5\" required maxlength=\"%ld\"></textarea>"
                            "<button type=\"submit\">%s</button></form>", (long long) year,
                        TR (x, "Waarom klopt het resultaat niet?", "Why is the result wrong?"),
                        staff_max ("assessment.appeal", "reason", 2000), TR (x, "Bezwaar indienen", "Submit the appeal"));
    }
    portal_buf_add (&b, "</section>");
    imvo_response_release (&res);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

enum MHD_Result
staff_company_results (staff_t *x)
{
    return x->post ? s_appeal (x) : s_results (x);
}

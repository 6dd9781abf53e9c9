/*  staff_assessor: the assessor's step in the staff console (issue 23, item 7).

    /staff/assessor?covenant=&year= (the monitoring committee): the round's companies, the
    companies' two-week comment window and the publication of the results once it has passed
    (POST /staff/assessor/publish: assessment.publish); with &org= one company: per criterion
    of the round's framework the company's own answer and the committee's verdict, with a form
    that verifies the answer or adjusts its score, always with a comment (POST
    /staff/assessor/verify: assessment.verify, which rescores the company), and the company's
    comments (assessment.review).

    /staff/review?covenant=&year= (a company, its own organisation): the committee's verdicts
    and comments on its plan, its own comments, and while the window is open the form that adds
    one (POST /staff/review/comment: assessment.comment). */
#include "staff.h"

#include <time.h>
#include <microhttpd.h>

//  ?covenant=, ?year= (last year by default), ?org=; -1 when one is wrong.
static int
s_args (staff_t *x, const char **covenant, int64_t *year, const char **org)
{
    const char *c = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    const char *y = x->post ? portal_field (x->r, "year") : staff_query (x, "year");
    *org = x->post ? portal_field (x->r, "org_id") : staff_query (x, "org");
    *covenant = *c ? c : "textile";
    char *end;
    *year = *y ? strtoll (y, &end, 10) : staff_company_year () - 1;
    bool org_ok = !**org || strlen (*org) < 64;
    for (const char *p = *org; org_ok && *p; p++)
        org_ok = *p > ' ' && *p < 127 && *p != '"' && *p != '<' && *p != '>' && *p != '&';
    return portal_code_ok (*covenant) && (!*y || !*end) && *year >= 2000 && *year <= 2100 && org_ok ? 0 : -1;
}

static void
s_choose (staff_t *x, portal_buf_t *b, const char *page, const char *covenant, int64_t year)
{
    portal_buf_add (b, "<form method=\"get\" action=\"/staff/%s\" class=\"row\"><input type=\"hidden\" name=\"lang\" value=\"%s\">"
                       "<div><label for=\"cov\">%s</label><input type=\"text\" id=\"cov\" name=\"covenant\" value=\"%s\" "
                       "maxlength=\"32\"></div><div><label for=\"year\">%s</label><input type=\"number\" id=\"year\" "
                       "name=\"year\" min=\"2000\" max=\"2100\" value=\"%lld\"></div><div><button type=\"submit\" "
                       "class=\"secondary\">%s</button></div></form>", page, staff_lang (x),
                    TR (x, "Convenant (code)", "Covenant (code)"), covenant, TR (x, "Jaar van de ronde", "Year of the round"),
                    (long long) year, TR (x, "Toon", "Show"));
}

static void
s_hidden (portal_buf_t *b, const char *covenant, int64_t year, const char *org)
{
    char ys [8];
    snprintf (ys, sizeof ys, "%lld", (long long) year);
    portal_hidden (b, "covenant", covenant);
    portal_hidden (b, "year", ys);
    if (org)
        portal_hidden (b, "org_id", org);
}

//  The verdict recorded on criterion id, or NULL.
static const msgpack_object *
s_verdict (const imvo_response_t *review, const char *id)
{
    const msgpack_object *list = review->ok ? imvo_map_get (review->body, "verifications") : NULL;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++)
        if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "criterion"), id))
            return &list->via.array.ptr [i];
    return NULL;
}

static void
s_verdict_text (staff_t *x, portal_buf_t *b, const msgpack_object *v)
{
    if (!v) {
        portal_buf_add (b, "%s", TR (x, "nog niet beoordeeld", "not assessed yet"));
        return;
    }
    bool adjusted = imvo_obj_streq (imvo_map_get (v, "verdict"), "adjusted");
    int64_t score = 0;
    imvo_obj_int (imvo_map_get (v, "score"), &score);
    if (adjusted)
        portal_buf_add (b, "<strong>%s: %lld</strong>. ", TR (x, "Aangepast naar", "Adjusted to"), (long long) score);
    else
        portal_buf_add (b, "<strong>%s</strong>. ", TR (x, "Geverifieerd", "Verified"));
    portal_buf_obj (b, imvo_map_get (v, "comment"));
}

static void
s_comments (staff_t *x, portal_buf_t *b, const imvo_response_t *review, bool own)
{
    const msgpack_object *list = review->ok ? imvo_map_get (review->body, "comments") : NULL;
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    portal_buf_add (b, "<h3>%s</h3>", own ? TR (x, "Uw opmerkingen", "Your comments")
                                          : TR (x, "Opmerkingen van het bedrijf", "The company's comments"));
    if (!n)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Geen opmerkingen.", "No comments."));
    portal_buf_add (b, "<ul id=\"comments\">");
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *c = &list->via.array.ptr [i];
        char when [32];
        staff_when (imvo_map_get (c, "at"), when);
        portal_buf_add (b, "<li>%s", when);
        if (imvo_obj_is_str (imvo_map_get (c, "criterion"))) {
            portal_buf_add (b, " (");
            portal_buf_obj (b, imvo_map_get (c, "criterion"));
            portal_buf_add (b, ")");
        }
        portal_buf_add (b, ": ");
        portal_buf_obj (b, imvo_map_get (c, "comment"));
        portal_buf_add (b, "</li>");
    }
    portal_buf_add (b, "</ul>");
}

//  One company under review, for the committee.
static void
s_company (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year, const char *org, int64_t version,
           const msgpack_object *result)
{
    char rid [64];
    snprintf (rid, sizeof rid, "%s-%lld", covenant, (long long) year);
    imvo_response_t fw, sub, review;
    bool has_fw = staff_ask (x, &fw, "scoring", "framework.get", "sj", "covenant", covenant, "version",
                             version > 0 ? version : (int64_t) -1) == 0 && fw.ok;
    bool has_sub = staff_ask (x, &sub, "scoring", "submission.get", "ssi", "covenant", covenant, "org_id", org, "year",
                              year) == 0 && sub.ok;
    staff_ask (x, &review, "scoring", "assessment.review", "ss", "round_id", rid, "org_id", org);
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-org\"><h2 id=\"h-org\">%s ", TR (x, "Beoordeling van", "Assessment of"));
    if (result && imvo_obj_is_str (imvo_map_get (result, "name")))
        portal_buf_obj (b, imvo_map_get (result, "name"));
    else
        portal_buf_str (b, org);
    portal_buf_add (b, "</h2>");
    if (result) {
        portal_buf_add (b, "<p id=\"score\">%s: ", TR (x, "Score nu", "Score now"));
        portal_buf_obj (b, imvo_map_get (result, "score"));
        portal_buf_add (b, " (");
        portal_buf_obj (b, imvo_map_get (result, "band"));
        portal_buf_add (b, ")</p>");
    }
    if (!has_sub)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Dit bedrijf stuurde geen plan van aanpak: er is niets te verifiëren.",
                                               "This company sent no action plan: there is nothing to verify."));
    const msgpack_object *parts = has_fw && has_sub ? imvo_map_get (fw.body, "parts") : NULL;
    const msgpack_object *answers = has_sub ? imvo_map_get (sub.body, "answers") : NULL;
    for (uint32_t p = 0; parts && parts->type == MSGPACK_OBJECT_ARRAY && p < parts->via.array.size; p++) {
        const msgpack_object *part = &parts->via.array.ptr [p], *criteria = imvo_map_get (part, "criteria");
        portal_buf_add (b, "<h3>");
        portal_buf_obj (b, imvo_map_get (part, "name"));
        portal_buf_add (b, "</h3>");
        for (uint32_t c = 0; criteria && criteria->type == MSGPACK_OBJECT_ARRAY && c < criteria->via.array.size; c++) {
            const msgpack_object *cr = &criteria->via.array.ptr [c];
            char id [200] = "";
            int64_t max = 0, answer = -1;
            imvo_obj_strcpy (imvo_map_get (cr, "id"), id, sizeof id);
            imvo_obj_int (imvo_map_get (cr, "max"), &max);
            imvo_obj_int (imvo_map_get (answers, id), &answer);
            portal_buf_add (b, "<article class=\"criterion\"><h4>");
            portal_buf_str (b, id);
            portal_buf_add (b, ": ");
            portal_buf_obj (b, imvo_map_get (cr, "text"));
            portal_buf_add (b, "</h4><p>%s: %s%lld / %lld. %s: ", TR (x, "Antwoord van het bedrijf", "The company's answer"),
                            answer < 0 ? "-" : "", (long long) (answer < 0 ? 0 : answer), (long long) max,
                            TR (x, "Commissie", "Committee"));
            s_verdict_text (x, b, s_verdict (&review, id));
            portal_buf_add (b, "</p><details><summary>%s <span class=\"visually-hidden\">", TR (x, "Beoordelen", "Assess"));
            portal_buf_str (b, id);
            portal_buf_add (b, "</span></summary>");
            staff_form (x, b, "/staff/assessor/verify");
            s_hidden (b, covenant, year, org);
            portal_hidden (b, "criterion", id);
            portal_buf_add (b, "<fieldset class=\"inline\"><legend>%s</legend><div class=\"check\"><input type=\"radio\" "
                               "id=\"vv-%u-%u\" name=\"verdict\" value=\"verified\" checked><label for=\"vv-%u-%u\">%s</label>"
                               "</div><div class=\"check\"><input type=\"radio\" id=\"va-%u-%u\" name=\"verdict\" "
                               "value=\"adjusted\"><label for=\"va-%u-%u\">%s</label></div></fieldset><label for=\"vs-%u-%u\">"
                               "%s (0-%lld)</label><input type=\"number\" id=\"vs-%u-%u\" name=\"score\" min=\"0\" max=\"%lld\">"
                               "<label for=\"vc-%u-%u\">%s</label><textarea id=\"vc-%u-%u\" name=\"comment\" required "
                               "maxlength=\"2000\"></textarea><button type=\"submit\">%s</button></form></details></article>",
                            TR (x, "Oordeel", "Verdict"), p, c, p, c, TR (x, "Antwoord klopt", "Answer verified"), p, c, p, c,
                            TR (x, "Score aanpassen", "Adjust the score"), p, c,
                            TR (x, "Score van de commissie (alleen bij aanpassen)", "The committee's score (adjusted only)"),
                            (long long) max, p, c, (long long) max, p, c, TR (x, "Toelichting", "Comment"), p, c,
                            TR (x, "Oordeel vastleggen", "Record the verdict"));
        }
    }
    s_comments (x, b, &review, false);
    portal_buf_add (b, "</section>");
    imvo_response_release (&fw);
    imvo_response_release (&sub);
    imvo_response_release (&review);
}

static enum MHD_Result
s_committee (staff_t *x, const char *action, const char *covenant, int64_t year, const char *org)
{
    char rid [64], path [200];
    snprintf (rid, sizeof rid, "%s-%lld", covenant, (long long) year);
    if (x->post) {
        imvo_response_t resp;
        int rc;
        if (streq (action, "publish")) {
            rc = staff_call (x, &resp, "scoring", "assessment.publish", "s", "round_id", rid);
            snprintf (path, sizeof path, "/staff/assessor?covenant=%s&year=%lld&done=publish", covenant, (long long) year);
        }
        else
        if (streq (action, "verify")) {
            const char *verdict = portal_field (x->r, "verdict"), *score = portal_field (x->r, "score");
            bool adjusted = streq (verdict, "adjusted");
            rc = staff_call (x, &resp, "scoring", "assessment.verify", "ssssjs", "round_id", rid, "org_id", org,
                             "criterion", portal_field (x->r, "criterion"), "verdict", verdict, "score",
                             adjusted && *score ? strtoll (score, NULL, 10) : (int64_t) -1, "comment",
                             portal_field (x->r, "comment"));
            snprintf (path, sizeof path, "/staff/assessor?covenant=%s&year=%lld&org=%s&done=verify", covenant,
                      (long long) year, org);
        }
        else
            return staff_not_found (x);
        return staff_changed (x, rc, &resp, path);
    }
    imvo_response_t round, pub;
    int rc = staff_ask (x, &round, "scoring", "assessment.get", "s", "round_id", rid);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Verificatie door de commissie", "The committee's verification"));
    s_choose (x, &b, "assessor", covenant, year);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"note\" role=\"status\">%s</p>", TR (x, "Vastgelegd.", "Recorded."));
    if (rc || !round.ok || !imvo_obj_streq (imvo_map_get (round.body, "status"), "completed")) {
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Deze ronde is (nog) niet afgerond.", "This round is not completed (yet)."));
        imvo_response_release (&round);
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    int64_t completed = 0, version = 0;
    imvo_obj_int (imvo_map_get (round.body, "completed_at"), &completed);
    imvo_obj_int (imvo_map_get (round.body, "version"), &version);
    msgpack_object ends = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER, .via.u64 = (uint64_t) completed + 14ULL * 86400000ULL };
    char when [32];
    staff_when (&ends, when);
    bool published = staff_ask (x, &pub, "scoring", "assessment.results", "s", "round_id", rid) == 0 && pub.ok;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-pub\"><h2 id=\"h-pub\">%s</h2><p id=\"window\">%s %s.</p>",
                    TR (x, "Publicatie", "Publication"),
                    TR (x, "De bedrijven kunnen twee weken reageren, tot", "The companies may comment for two weeks, until"),
                    when);
    if (published)
        portal_buf_add (&b, "<p id=\"published\"><strong>%s</strong></p>", TR (x, "De resultaten zijn gepubliceerd.",
                                                                                 "The results are published."));
    else {
        staff_form (x, &b, "/staff/assessor/publish");
        s_hidden (&b, covenant, year, NULL);
        portal_buf_add (&b, "<button type=\"submit\">%s</button></form>",
                        TR (x, "Resultaten publiceren (na de reactietermijn)", "Publish the results (after the comment window)"));
    }
    portal_buf_add (&b, "</section>");
    imvo_response_release (&pub);
    const msgpack_object *results = imvo_map_get (round.body, "results"), *mine = NULL;
    for (uint32_t i = 0; *org && results && results->type == MSGPACK_OBJECT_ARRAY && i < results->via.array.size; i++)
        if (imvo_obj_streq (imvo_map_get (&results->via.array.ptr [i], "org_id"), org))
            mine = &results->via.array.ptr [i];
    if (*org)
        s_company (x, &b, covenant, year, org, version, mine);
    else {
        portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-cos\"><h2 id=\"h-cos\">%s</h2><ul id=\"companies\">",
                        TR (x, "Bedrijven", "Companies"));
        for (uint32_t i = 0; results && results->type == MSGPACK_OBJECT_ARRAY && i < results->via.array.size; i++) {
            const msgpack_object *r = &results->via.array.ptr [i];
            char id [72] = "";
            imvo_obj_strcpy (imvo_map_get (r, "org_id"), id, sizeof id);
            portal_buf_add (&b, "<li><a href=\"/staff/assessor?lang=%s&amp;covenant=%s&amp;year=%lld&amp;org=", staff_lang (x),
                            covenant, (long long) year);
            staff_buf_url (&b, id);
            portal_buf_add (&b, "\">");
            portal_buf_obj (&b, imvo_map_get (r, "name"));
            portal_buf_add (&b, "</a>: ");
            portal_buf_obj (&b, imvo_map_get (r, "score"));
            portal_buf_add (&b, " (");
            portal_buf_obj (&b, imvo_map_get (r, "status"));
            portal_buf_add (&b, ")</li>");
        }
        portal_buf_add (&b, "</ul></section>");
    }
    imvo_response_release (&round);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  The company's own review.
static enum MHD_Result
s_company_review (staff_t *x, const char *action, const char *covenant, int64_t year)
{
    char rid [64], path [200];
    snprintf (rid, sizeof rid, "%s-%lld", covenant, (long long) year);
    if (x->post) {
        if (!streq (action, "comment"))
            return staff_not_found (x);
        imvo_response_t resp;
        int rc = staff_call (x, &resp, "scoring", "assessment.comment", "ssos", "round_id", rid, "org_id", x->s.org,
                             "criterion", portal_field (x->r, "criterion"), "comment", portal_field (x->r, "comment"));
        snprintf (path, sizeof path, "/staff/review?covenant=%s&year=%lld&done=comment", covenant, (long long) year);
        return staff_changed (x, rc, &resp, path);
    }
    imvo_response_t review;
    int rc = staff_ask (x, &review, "scoring", "assessment.review", "ss", "round_id", rid, "org_id", x->s.org);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Uw beoordeling", "Your assessment"));
    s_choose (x, &b, "review", covenant, year);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"note\" role=\"status\">%s</p>", TR (x, "Uw opmerking is ontvangen.", "Your comment was received."));
    if (rc || !review.ok) {
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Deze ronde is (nog) niet afgerond.", "This round is not completed (yet)."));
        imvo_response_release (&review);
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    char when [32];
    staff_when (imvo_map_get (review.body, "window_ends_at"), when);
    const msgpack_object *pub = imvo_map_get (review.body, "published_at"), *list = imvo_map_get (review.body, "verifications");
    int64_t ends = 0;
    imvo_obj_int (imvo_map_get (review.body, "window_ends_at"), &ends);
    bool open = (!pub || pub->type == MSGPACK_OBJECT_NIL) && (int64_t) time (NULL) * 1000 <= ends;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-v\"><h2 id=\"h-v\">%s</h2>",
                    TR (x, "Oordelen van de commissie", "The committee's verdicts"));
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Nog geen oordelen.", "No verdicts yet."));
    portal_buf_add (&b, "<ul id=\"verdicts\">");
    for (uint32_t i = 0; i < n; i++) {
        portal_buf_add (&b, "<li>");
        portal_buf_obj (&b, imvo_map_get (&list->via.array.ptr [i], "criterion"));
        portal_buf_add (&b, ": ");
        s_verdict_text (x, &b, &list->via.array.ptr [i]);
        portal_buf_add (&b, "</li>");
    }
    portal_buf_add (&b, "</ul>");
    s_comments (x, &b, &review, true);
    portal_buf_add (&b, "<p id=\"window\">%s %s.</p>", TR (x, "U kunt reageren tot", "You may comment until"), when);
    if (open) {
        staff_form (x, &b, "/staff/review/comment");
        s_hidden (&b, covenant, year, NULL);
        portal_buf_add (&b, "<label for=\"rc-crit\">%s</label><input type=\"text\" id=\"rc-crit\" name=\"criterion\" "
                            "maxlength=\"200\"><label for=\"rc-text\">%s</label><textarea id=\"rc-text\" name=\"comment\" "
                            "required maxlength=\"4000\"></textarea><button type=\"submit\">%s</button></form>",
                        TR (x, "Criterium (niet verplicht)", "Criterion (optional)"), TR (x, "Uw opmerking", "Your comment"),
                        TR (x, "Opmerking sturen", "Send the comment"));
    }
    else
        portal_buf_add (&b, "<p>%s</p>", TR (x, "De reactietermijn is voorbij.", "The comment window has closed."));
    portal_buf_add (&b, "</section>");
    imvo_response_release (&review);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

enum MHD_Result
staff_assessor (staff_t *x, bool company, const char *action)
{
    if (company ? !staff_is (x, "company") : !staff_is (x, "monitoring"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            company ? TR (x, "Deze pagina is van een bedrijf.", "This page is a company's.")
                                    : TR (x, "Deze pagina is van de monitoringcommissie.", "This page is the monitoring committee's."));
    const char *covenant, *org;
    int64_t year;
    if (s_args (x, &covenant, &year, &org))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "covenant: een code; year: een jaar van 2000 tot 2100; org: een organisatie.",
                                "covenant: a code; year: a year from 2000 to 2100; org: an organisation."));
    return company ? s_company_review (x, action, covenant, year) : s_committee (x, action, covenant, year, org);
}

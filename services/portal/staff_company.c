/*  staff_company: a company's own console (role company; its own organisation only, which the
    daemons enforce too: every request goes out with the person's actor, and the catalogue keeps
    a company to its own org_id). This file: the company's part of the home page (inbox, open
    cases, its covenants), the dispatcher of /staff/company/<page> and the year's action plan
    against the covenant's framework (framework.get, submission.get, submission.put). The pages never take an
    organisation from the URL: they are about x->s.org. See staff.h. */
#include "staff.h"

#include <time.h>
#include <microhttpd.h>

int64_t
staff_company_year (void)
{
    time_t t = time (NULL);
    struct tm tm;
    gmtime_r (&t, &tm);
    return tm.tm_year + 1900;
}

int
staff_company_org (staff_t *x, imvo_response_t *org)
{
    int rc = staff_ask (x, org, "membership", "org.get", "s", "org_id", x->s.org);
    if (rc == 0 && org->ok)
        staff_orgs_remember (x->s.org, imvo_map_get (org->body, "name"));      //  the line naming who is signed in
    return rc == 0 && org->ok ? 0 : -1;
}

void
staff_company_case_item (staff_t *x, portal_buf_t *b, const msgpack_object *c, char status [32], char when [32])
{
    char id [72] = "";
    imvo_obj_strcpy (imvo_map_get (c, "case_id"), id, sizeof id);
    status [0] = 0;
    imvo_obj_strcpy (imvo_map_get (c, "status"), status, 32);
    staff_when (imvo_map_get (c, "received_at"), when);
    portal_buf_add (b, "<li><a href=\"/staff/case/");
    staff_buf_url (b, id);
    portal_buf_add (b, "?lang=%s\">", staff_lang (x));
    portal_buf_str (b, id);
    portal_buf_add (b, "</a> <span class=\"pill\">%s</span> ", staff_status (x, status));
    portal_buf_obj (b, imvo_map_get (c, "summary"));
}

const char *
staff_company_covenant (staff_t *x, const imvo_response_t *org, char out [40])
{
    const char *want = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    const msgpack_object *list = imvo_map_get (org->body, "memberships");
    out [0] = 0;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *m = &list->via.array.ptr [i];
        if (!imvo_obj_streq (imvo_map_get (m, "status"), "active"))
            continue;
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (m, "covenant"), code, sizeof code);
        if (!out [0] || streq (code, want))
            snprintf (out, 40, "%s", code);
    }
    return out;
}

void
staff_company_choose (staff_t *x, portal_buf_t *b, const imvo_response_t *org, const char *page, const char *covenant,
                      int64_t year)
{
    const msgpack_object *list = imvo_map_get (org->body, "memberships");
    portal_buf_add (b, "<form method=\"get\" action=\"/staff/company/%s\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                       "value=\"%s\"><div><label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                    page, staff_lang (x), portal_t (x->lang, T_COVENANT));
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "covenant"), code, sizeof code);
        if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "status"), "active"))
            portal_buf_add (b, "<option%s>%s</option>", streq (code, covenant) ? " selected" : "", code);
    }
    portal_buf_add (b, "</select></div>");
    if (year > 0)
        portal_buf_add (b, "<div><label for=\"year\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"year\" "
                           "name=\"year\" maxlength=\"4\" pattern=\"[0-9]{4}\" value=\"%lld\"></div>",
                        TR (x, "Jaar", "Year"), (long long) year);
    portal_buf_add (b, "<div><button type=\"submit\" class=\"secondary\">%s</button></div></form>",
                    portal_t (x->lang, T_SHOW));
}

int64_t
staff_company_year_of (staff_t *x)
{
    char *end;
    const char *v = x->post ? portal_field (x->r, "year") : staff_query (x, "year");
    long y = strtol (v, &end, 10);
    return *v && !*end && y >= 2000 && y <= 2100 ? y : staff_company_year ();
}

//  --- home ----------------------------------------------------------------------------------

void
staff_company_home (staff_t *x, portal_buf_t *b)
{
    const char *l = staff_lang (x);
    char recipient [128];
    snprintf (recipient, sizeof recipient, "org:%s", x->s.org);
    imvo_response_t inbox, org;
    int64_t unread = -1;
    if (staff_ask (x, &inbox, "notify", "inbox.list", "si", "recipient", recipient, "limit", (int64_t) 1) == 0
    &&  inbox.ok && imvo_map_get (inbox.body, "unread"))
        imvo_obj_int (imvo_map_get (inbox.body, "unread"), &unread);
    imvo_response_release (&inbox);
    portal_buf_add (b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-inbox\"><h2 id=\"h-inbox\">%s</h2>"
                       "<p><a href=\"/staff/inbox?lang=%s\">%s</a>", TR (x, "Postvak", "Inbox"), l,
                    TR (x, "Berichten lezen", "Read messages"));
    if (unread >= 0)
        portal_buf_add (b, " <span class=\"pill\" id=\"unread\">%lld %s</span>", (long long) unread,
                        TR (x, "ongelezen", "unread"));
    portal_buf_add (b, "</p><ul><li><a href=\"/staff/company/subscriptions?lang=%s\">%s</a></li></ul></section>", l,
                    TR (x, "Meldingen per webhook of e-mail", "Notices by webhook or e-mail"));
    bool have_org = staff_company_org (x, &org) == 0;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-work\"><h2 id=\"h-work\">");
    if (have_org && imvo_obj_is_str (imvo_map_get (org.body, "name")))
        portal_buf_obj (b, imvo_map_get (org.body, "name"));
    else
        portal_buf_add (b, "%s", TR (x, "Uw bedrijf", "Your company"));
    portal_buf_add (b, "</h2><ul>"
                       "<li><a href=\"/staff/company/plan?lang=%s\">%s</a></li>"
                       "<li><a href=\"/staff/company/results?lang=%s\">%s</a></li>"
                       "<li><a href=\"/staff/company/locations?lang=%s\">%s</a></li>"
                       "<li><a href=\"/staff/company/memberships?lang=%s\">%s</a></li>"
                       "<li><a href=\"/staff/company/accounts?lang=%s\">%s</a></li></ul></section></div>",
                    l, TR (x, "Actieplan van dit jaar", "This year's action plan"), l,
                    TR (x, "Uw resultaten en bezwaar", "Your results and appeal"), l,
                    TR (x, "Productielocaties (CSV)", "Production locations (CSV)"), l,
                    TR (x, "Lidmaatschappen en contributie", "Memberships and contribution"), l,
                    TR (x, "Accounts van uw bedrijf", "Your company's accounts"));
    //  The open cases against the company, per covenant (org.get of itself).
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-cases\"><h2 id=\"h-cases\">%s</h2>",
                    TR (x, "Lopende klachten tegen uw bedrijf", "Open complaints against your company"));
    uint32_t shown = 0;
    if (have_org) {
        const msgpack_object *open = imvo_map_get (org.body, "open_cases");
        for (uint32_t i = 0; open && open->type == MSGPACK_OBJECT_MAP && i < open->via.map.size; i++) {
            const msgpack_object *cases = &open->via.map.ptr [i].val;
            for (uint32_t k = 0; cases->type == MSGPACK_OBJECT_ARRAY && k < cases->via.array.size; k++) {
                const msgpack_object *c = &cases->via.array.ptr [k];
                if (imvo_obj_streq (imvo_map_get (c, "side"), "claimant"))
                    continue;               //  its own disputes: /staff/disputes (staff_disputes.c)
                char status [32], when [32];
                if (!shown++)
                    portal_buf_add (b, "<ul id=\"cases\">");
                staff_company_case_item (x, b, c, status, when);
                portal_buf_add (b, " <span class=\"help\">(%s %s)</span>%s</li>", TR (x, "ontvangen", "received"), when,
                                streq (status, "response") ? TR (x, " <strong>· uw reactie wordt gevraagd</strong>",
                                                                 " <strong>· your response is asked</strong>") : "");
            }
        }
        if (shown)
            portal_buf_add (b, "</ul>");
        else
            portal_buf_add (b, "<p>%s</p>", TR (x, "Geen lopende klachten.", "No open complaints."));
    }
    else
        portal_buf_add (b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    imvo_response_release (&org);
    portal_buf_add (b, "</section>");
}

//  --- the action plan --------------------------------------------------------------------------

static enum MHD_Result
s_plan_post (staff_t *x, const char *covenant, int64_t year)
{
    //  The answers: fields a.<criterion id> with whole points; empty ones are left out.
    int n = 0;
    for (int i = 0; i < x->r->nfields; i++) {
        const char *name = x->r->names [i], *v = x->r->values [i];
        if (strncmp (name, "a.", 2) != 0 || !*v)
            continue;
        char *end;
        long points = strtol (v, &end, 10);
        if (*end || points < 0 || points > 1000) {
            char message [300];
            snprintf (message, sizeof message, "%s %.64s: %s", TR (x, "Criterium", "Criterion"), name + 2,
                      TR (x, "vul een heel aantal punten in, 0 of meer.", "fill in whole points, 0 or more."));
            return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), message);
        }
        n++;
    }
    if (!n)
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "Vul ten minste één criterium in.", "Fill in at least one criterion."));
    char why [300];
    int nrisks = staff_company_risks_count (x, why, sizeof why);       //  staff_company_risks.c
    if (nrisks < 0)
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), why);
    const char *url = portal_field (x->r, "public_report_url");
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4 + (*url != 0) + (nrisks > 0));
    if (nrisks > 0)
        staff_company_risks_pack (x, &pk, nrisks);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "org_id", x->s.org);
    imvo_pack_kv_int (&pk, "year", year);
    if (*url)
        imvo_pack_kv_str (&pk, "public_report_url", url);
    imvo_pack_str (&pk, "answers");
    msgpack_pack_map (&pk, (uint32_t) n);
    for (int i = 0; i < x->r->nfields; i++)
        if (strncmp (x->r->names [i], "a.", 2) == 0 && *x->r->values [i]) {
            imvo_pack_str (&pk, x->r->names [i] + 2);
            msgpack_pack_int64 (&pk, strtol (x->r->values [i], NULL, 10));
        }
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "scoring", "submission.put", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/company/plan?done=1&covenant=%s&year=%lld", covenant, (long long) year);
    return staff_changed (x, rc, &resp, path);
}

static enum MHD_Result
s_plan (staff_t *x)
{
    imvo_response_t org, fw, sub;
    if (staff_company_org (x, &org))
        return staff_failed (x, -1, &org);
    char covenant [40];
    staff_company_covenant (x, &org, covenant);
    int64_t year = staff_company_year_of (x);
    if (!*covenant) {
        imvo_response_release (&org);
        return staff_error (x, MHD_HTTP_NOT_FOUND, TR (x, "Geen convenant", "No covenant"),
                            TR (x, "Uw bedrijf is bij geen convenant aangesloten.", "Your company is in no covenant."));
    }
    if (x->post) {
        imvo_response_release (&org);
        return s_plan_post (x, covenant, year);
    }
    int rc = staff_ask (x, &fw, "scoring", "framework.get", "s", "covenant", covenant);
    if (rc || !fw.ok) {
        imvo_response_release (&org);
        return staff_failed (x, rc, &fw);
    }
    bool has = staff_ask (x, &sub, "scoring", "submission.get", "ssi", "covenant", covenant, "org_id", x->s.org,
                          "year", year) == 0 && sub.ok;
    const msgpack_object *answers = has ? imvo_map_get (sub.body, "answers") : NULL;
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s %lld: %s", TR (x, "Actieplan", "Action plan"), (long long) year, covenant);
    staff_page_start (x, &b, title);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>",
                        streq (staff_query (x, "done"), "document")
                        ? TR (x, "Het document is bij uw plan gevoegd.", "The document was added to your plan.")
                        : TR (x, "Uw actieplan is ingediend.", "Your action plan was submitted."));
    staff_company_choose (x, &b, &org, "plan", covenant, year);
    if (has) {
        char when [32];
        staff_when (imvo_map_get (sub.body, "at"), when);
        const msgpack_object *late = imvo_map_get (sub.body, "late");
        portal_buf_add (&b, "<p id=\"plan-status\">%s %s%s</p>", TR (x, "Ingediend op", "Submitted on"), when,
                        late && late->type == MSGPACK_OBJECT_BOOLEAN && late->via.boolean
                        ? TR (x, " <span class=\"late\">(te laat)</span>", " <span class=\"late\">(late)</span>") : "");
    }
    else
        portal_buf_add (&b, "<p id=\"plan-status\">%s</p>", TR (x, "Nog niet ingediend voor dit jaar.",
                                                               "Not submitted for this year yet."));
    portal_buf_add (&b, "<p class=\"help\">%s ", TR (x, "Uiterlijk in te dienen op (maand-dag):", "Due by (month-day):"));
    portal_buf_obj (&b, imvo_map_get (fw.body, "due"));
    portal_buf_add (&b, ". %s ", TR (x, "Kader versie", "Framework version"));
    portal_buf_obj (&b, imvo_map_get (fw.body, "version"));
    portal_buf_add (&b, ". %s</p>", TR (x, "Opnieuw indienen vervangt het plan van dit jaar.",
                                        "Submitting again replaces this year's plan."));
    staff_form (x, &b, "/staff/company/plan");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<input type=\"hidden\" name=\"year\" value=\"%lld\">", (long long) year);
    const msgpack_object *parts = imvo_map_get (fw.body, "parts");
    for (uint32_t p = 0; parts && parts->type == MSGPACK_OBJECT_ARRAY && p < parts->via.array.size; p++) {
        const msgpack_object *part = &parts->via.array.ptr [p], *criteria = imvo_map_get (part, "criteria");
        portal_buf_add (&b, "<fieldset class=\"card\"><legend>");
        portal_buf_obj (&b, imvo_map_get (part, "name"));
        portal_buf_add (&b, " <span class=\"help\">(%s ", TR (x, "weegt", "weight"));
        portal_buf_obj (&b, imvo_map_get (part, "weight"));
        portal_buf_add (&b, "%%)</span></legend>");
        for (uint32_t c = 0; criteria && criteria->type == MSGPACK_OBJECT_ARRAY && c < criteria->via.array.size; c++) {
            const msgpack_object *cr = &criteria->via.array.ptr [c];
            char id [72] = "";
            int64_t max = 0, have = -1;
            imvo_obj_strcpy (imvo_map_get (cr, "id"), id, sizeof id);
            imvo_obj_int (imvo_map_get (cr, "max"), &max);
            if (answers && answers->type == MSGPACK_OBJECT_MAP)
                for (uint32_t a = 0; a < answers->via.map.size; a++)
                    if (imvo_obj_streq (&answers->via.map.ptr [a].key, id))
                        imvo_obj_int (&answers->via.map.ptr [a].val, &have);
            portal_buf_add (&b, "<label for=\"a-%u-%u\">", p, c);
            const msgpack_object *text = imvo_map_get (cr, "text");
            portal_buf_obj (&b, text && text->type == MSGPACK_OBJECT_STR ? text : imvo_map_get (cr, "id"));
            portal_buf_add (&b, "</label><p class=\"help\" id=\"a-%u-%u-help\">", p, c);
            portal_buf_str (&b, id);
            portal_buf_add (&b, ": 0–%lld %s</p><input type=\"number\" id=\"a-%u-%u\" name=\"a.", (long long) max,
                            TR (x, "punten", "points"), p, c);
            portal_buf_str (&b, id);
            portal_buf_add (&b, "\" min=\"0\" max=\"%lld\" step=\"1\" inputmode=\"numeric\" aria-describedby=\"a-%u-%u-help\"",
                            (long long) max, p, c);
            if (have >= 0)
                portal_buf_add (&b, " value=\"%lld\"", (long long) have);
            portal_buf_add (&b, ">");
        }
        portal_buf_add (&b, "</fieldset>");
    }
    staff_company_risk_fields (x, &b, has ? imvo_map_get (sub.body, "risks") : NULL);
    portal_buf_add (&b, "<label for=\"report-url\">%s</label><input type=\"url\" id=\"report-url\" name=\"public_report_url\" "
                        "maxlength=\"%ld\" placeholder=\"https://\" value=\"",
                    TR (x, "Uw openbare IMVO-rapportage (link, optioneel)", "Your public due-diligence report (link, optional)"),
                    staff_max ("submission.put", "public_report_url", 500));
    if (has)
        portal_buf_obj (&b, imvo_map_get (sub.body, "public_report_url"));
    portal_buf_add (&b, "\"><button type=\"submit\">%s</button></form>",
                    TR (x, "Actieplan indienen", "Submit the action plan"));
    staff_company_documents (x, &b, covenant, year, has ? sub.body : NULL);
    imvo_response_release (&sub);
    imvo_response_release (&fw);
    imvo_response_release (&org);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- the dispatcher -------------------------------------------------------------------------------

enum MHD_Result
staff_company (staff_t *x, const char *page)
{
    if (!staff_is (x, "company") || !x->s.org [0])
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Niet toegestaan", "Not allowed"),
                            TR (x, "Deze pagina's zijn voor bedrijven.", "These pages are for companies."));
    if (streq (page, "plan"))
        return s_plan (x);
    if (streq (page, "plan/document") || strncmp (page, "plan/document/", 14) == 0)
        return staff_company_document (x, page [13] ? page + 14 : "");     //  staff_company_documents.c
    if ((streq (page, "results") && !x->post) || (streq (page, "appeal") && x->post))
        return staff_company_results (x);           //  staff_company_results.c
    if (streq (page, "locations") || strncmp (page, "locations/", 10) == 0)
        return staff_company_locations (x, page [9] ? page + 10 : "");
    if (streq (page, "subscriptions") || streq (page, "memberships") || streq (page, "accounts")
    ||  strncmp (page, "accounts/", 9) == 0)
        return staff_company_settings (x, page);
    return staff_not_found (x);
}

/*  staff_cases: the queue of cases (complaint.list with its filters, a page at a time) and what
    is done to one case: the POSTs of its page's forms (a note, assigning, a move of the life
    cycle with its reason, setting the respondent, a message, the committee's public statement,
    the secretariat's translations in staff_translation.c) and the page itself after asking
    complaint.get (showing the complainant's identity is a POST: every such read is recorded on
    the case and audited). The case's page is drawn by staff_case_page.c. See staff.h. */
#include "staff.h"

#include <microhttpd.h>

static const char *const s_statuses [] = { "received", "admissibility", "inadmissible", "response", "mediation",
                                           "ruling", "decided", "settled", "withdrawn", "closed", NULL };

bool
staff_true (const msgpack_object *o)
{
    return o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
}

void
staff_select_covenant (staff_t *x, portal_buf_t *b, const char *chosen, bool any)
{
    imvo_response_t cov;
    portal_buf_add (b, "<label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                    portal_t (x->lang, T_COVENANT));
    if (any)
        portal_buf_add (b, "<option value=\"\">%s</option>", TR (x, "Alle", "All"));
    if (portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, &cov) == 0 && cov.ok) {
        const msgpack_object *list = imvo_map_get (cov.body, "covenants");
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
            char code [40] = "";
            imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "code"), code, sizeof code);
            portal_buf_add (b, "<option value=\"");
            portal_buf_str (b, code);
            portal_buf_add (b, "\"%s>", streq (code, chosen) ? " selected" : "");
            portal_buf_obj (b, staff_covenant_name (x, &list->via.array.ptr [i]));
            portal_buf_add (b, "</option>");
        }
    }
    imvo_response_release (&cov);
    portal_buf_add (b, "</select>");
}

static void
s_text_input (portal_buf_t *b, const char *name, const char *label, const char *value, long max)
{
    portal_buf_add (b, "<div><label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" maxlength=\"%ld\" "
                       "value=\"", name, label, name, name, max);
    portal_buf_str (b, value);
    portal_buf_add (b, "\"></div>");
}

//  --- the queue -----------------------------------------------------------------------------------

//  The queue's filters as a query (for the pager): "&covenant=...&q=...".
static void
s_filters (staff_t *x, portal_buf_t *q)
{
    static const char *const names [] = { "covenant", "status", "overdue", "respondent", "assigned", "q" };
    for (size_t i = 0; i < sizeof names / sizeof names [0]; i++)
        if (*staff_query (x, names [i])) {
            portal_buf_add (q, "&%s=", names [i]);
            staff_buf_url (q, staff_query (x, names [i]));
        }
}

enum MHD_Result
staff_cases (staff_t *x)
{
    const char *covenant = staff_query (x, "covenant"), *status = staff_query (x, "status"),
               *respondent = staff_query (x, "respondent"), *assigned = staff_query (x, "assigned"),
               *q = staff_query (x, "q"), *cursor = staff_query (x, "cursor");
    bool overdue = *staff_query (x, "overdue") != 0;
    if (*covenant && !portal_code_ok (covenant))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "Dit convenant bestaat niet.", "No such covenant."));
    imvo_response_t list;
    int rc = staff_ask (x, &list, "complaints", "complaint.list", "oooooBio", "covenant", covenant, "status", status,
                        "respondent", respondent, "assigned", assigned, "q", q, "overdue", (int) overdue,
                        "limit", (int64_t) 50, "cursor", cursor);
    if (rc || !list.ok)
        return staff_failed (x, rc, &list);
    staff_orgs_t orgs;                  //  the respondents' names (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    const msgpack_object *m = staff_orgs_members (&orgs, covenant);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Klachten", "Cases"));
    //  The filters: a plain GET form.
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/cases\" class=\"card\" aria-label=\"%s\">",
                    TR (x, "Filters", "Filters"));
    portal_hidden (&b, "lang", staff_lang (x));
    portal_buf_add (&b, "<div class=\"row\"><div>");
    staff_select_covenant (x, &b, covenant, true);
    portal_buf_add (&b, "</div><div><label for=\"status\">%s</label><select id=\"status\" name=\"status\">"
                        "<option value=\"\">%s</option>", portal_t (x->lang, T_STATUS), TR (x, "Alle", "All"));
    for (int i = 0; s_statuses [i]; i++)
        portal_buf_add (&b, "<option value=\"%s\"%s>%s</option>", s_statuses [i],
                        streq (status, s_statuses [i]) ? " selected" : "", staff_status (x, s_statuses [i]));
    portal_buf_add (&b, "</select></div>");
    if (m) {
        portal_buf_add (&b, "<div><label for=\"respondent\">%s</label><select id=\"respondent\" name=\"respondent\">"
                            "<option value=\"\">%s</option>", portal_t (x->lang, T_COMPANY), TR (x, "Alle", "All"));
        staff_org_options (&b, m, NULL, respondent);
        portal_buf_add (&b, "</select></div>");
    }
    else
        s_text_input (&b, "respondent", TR (x, "Bedrijf (org-id)", "Company (org id)"), respondent, 64);
    s_text_input (&b, "assigned", TR (x, "Toegewezen aan (gebruikersnaam)", "Assigned to (username)"), assigned, 64);
    s_text_input (&b, "q", TR (x, "Zoeken (woorden of zaaknummer)", "Search (words or case id)"), q,
                  staff_max ("complaint.list", "q", 200));
    portal_buf_add (&b, "</div><label><input type=\"checkbox\" name=\"overdue\" value=\"1\"%s> %s</label>"
                        "<button type=\"submit\">%s</button> <a class=\"aside\" href=\"/staff/cases?lang=%s&amp;assigned=",
                    overdue ? " checked" : "", TR (x, "Alleen met verlopen termijn", "Only with a deadline passed"),
                    portal_t (x->lang, T_SEARCH), staff_lang (x));
    staff_buf_url (&b, x->s.username);
    portal_buf_add (&b, "%s", *covenant ? "&amp;covenant=" : "");
    staff_buf_url (&b, covenant);
    portal_buf_add (&b, "\">%s</a></form>", TR (x, "Mijn zaken", "My cases"));
    //  The list.
    const msgpack_object *cases = imvo_map_get (list.body, "cases");
    uint32_t n = cases && cases->type == MSGPACK_OBJECT_ARRAY ? cases->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p role=\"status\">%s</p>", TR (x, "Geen zaken gevonden.", "No cases found."));
    else {
        portal_buf_add (&b, "<div class=\"table\"><table class=\"list\"><caption class=\"help\">%u %s</caption><thead><tr>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>", n,
                        TR (x, "zaken op deze pagina", "cases on this page"), TR (x, "Zaak", "Case"),
                        TR (x, "Ontvangen", "Received"), portal_t (x->lang, T_STATUS), portal_t (x->lang, T_COMPANY),
                        TR (x, "Onderwerp", "Summary"), TR (x, "Toegewezen", "Assigned"));
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *it = &cases->via.array.ptr [i];
            char id [72] = "", st [32] = "", when [32], who [72] = "";
            imvo_obj_strcpy (imvo_map_get (it, "case_id"), id, sizeof id);
            imvo_obj_strcpy (imvo_map_get (it, "status"), st, sizeof st);
            staff_when (imvo_map_get (it, "received_at"), when);
            const msgpack_object *as = imvo_map_get (it, "assigned");
            if (as && as->type == MSGPACK_OBJECT_MAP)
                as = imvo_map_get (as, "person");
            imvo_obj_strcpy (as, who, sizeof who);
            char cov [40] = "";
            imvo_obj_strcpy (imvo_map_get (it, "covenant"), cov, sizeof cov);
            portal_buf_add (&b, "<tr><td class=\"num\" data-label=\"%s\"><a href=\"/staff/case/", TR (x, "Zaak", "Case"));
            staff_buf_url (&b, id);
            portal_buf_add (&b, "?lang=%s\">", staff_lang (x));
            portal_buf_str (&b, id);
            portal_buf_add (&b, "</a></td><td class=\"num\" data-label=\"%s\">%s</td><td data-label=\"%s\">%s%s</td>"
                                "<td data-label=\"%s\">", TR (x, "Ontvangen", "Received"), when,
                            portal_t (x->lang, T_STATUS), staff_status (x, st),
                            staff_true (imvo_map_get (it, "overdue")) ? TR (x, " <span class=\"late\">(termijn verlopen)</span>",
                                                                        " <span class=\"late\">(overdue)</span>") : "",
                            portal_t (x->lang, T_COMPANY));
            staff_orgs_show (&orgs, &b, *cov ? cov : covenant, imvo_map_get (it, "respondent"));
            portal_buf_add (&b, "</td><td data-label=\"%s\">", TR (x, "Onderwerp", "Summary"));
            portal_buf_obj (&b, imvo_map_get (it, "summary"));
            portal_buf_add (&b, "</td><td data-label=\"%s\">", TR (x, "Toegewezen", "Assigned"));
            portal_buf_str (&b, who);
            portal_buf_add (&b, "</td></tr>");
        }
        portal_buf_add (&b, "</tbody></table></div>");
    }
    //  The pager: the first page, and the next one by its cursor.
    portal_buf_t filters;
    portal_buf_init (&filters);
    s_filters (x, &filters);
    portal_buf_add (&b, "<nav class=\"pager\" aria-label=\"%s\">", TR (x, "Pagina's", "Pages"));
    if (*cursor) {
        portal_buf_add (&b, "<a href=\"/staff/cases?lang=%s", staff_lang (x));
        portal_buf_text (&b, filters.data, filters.len);
        portal_buf_add (&b, "\">%s</a>", TR (x, "Eerste pagina", "First page"));
    }
    const msgpack_object *next = imvo_map_get (list.body, "next_cursor");
    if (next && next->type == MSGPACK_OBJECT_STR && next->via.str.size) {
        char nc [160] = "";
        imvo_obj_strcpy (next, nc, sizeof nc);
        portal_buf_add (&b, "<a href=\"/staff/cases?lang=%s", staff_lang (x));
        portal_buf_text (&b, filters.data, filters.len);
        portal_buf_add (&b, "&amp;cursor=");
        staff_buf_url (&b, nc);
        portal_buf_add (&b, "\" rel=\"next\">%s</a>", TR (x, "Volgende pagina", "Next page"));
    }
    portal_buf_add (&b, "</nav>");
    portal_buf_release (&filters);
    if (*covenant && staff_is (x, "secretariat")) {
        portal_buf_add (&b, "<p><a href=\"/staff/export?lang=%s&amp;covenant=", staff_lang (x));
        staff_buf_url (&b, covenant);
        portal_buf_add (&b, "\">%s</a></p>", TR (x, "Alle zaken van dit convenant als CSV", "All this covenant's cases as CSV"));
    }
    staff_orgs_release (&orgs);
    imvo_response_release (&list);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- one case --------------------------------------------------------------------------------------

void
staff_case_form (staff_t *x, portal_buf_t *b, const char *case_id, const char *action)
{
    char path [160];
    snprintf (path, sizeof path, "/staff/case/%s/%s", case_id, action);
    staff_form (x, b, path);
}

//  A POST's required field, or NULL after answering 400.
static const char *
s_need (staff_t *x, const char *name, const char *label, enum MHD_Result *answer)
{
    const char *v = portal_field (x->r, name);
    if (*v)
        return v;
    char message [200];
    snprintf (message, sizeof message, "%s %s", portal_t (x->lang, T_MISSING), label);
    *answer = staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), message);
    return NULL;
}

enum MHD_Result
staff_case (staff_t *x, const char *case_id, const char *action)
{
    if (!imvo_proto_format_ok (IMVO_FMT_CASE_ID, case_id, strlen (case_id)))
        return staff_error (x, MHD_HTTP_NOT_FOUND, TR (x, "Niet gevonden", "Not found"),
                            TR (x, "Dit is geen zaaknummer.", "This is not a case id."));
    if (staff_is (x, "company"))
        return staff_company_case (x, case_id, action);     //  staff_company_case.c
    enum MHD_Result answer = MHD_NO;
    imvo_response_t resp;
    int rc = 0;
    bool reveal = streq (action, "identity");
    if (*action && !reveal) {
        if (streq (action, "note")) {
            const char *text = s_need (x, "text", TR (x, "de notitie", "the note"), &answer);
            if (!text)
                return answer;
            rc = staff_call (x, &resp, "complaints", "complaint.note", "ss", "case_id", case_id, "text", text);
        }
        else
        if (streq (action, "assign"))
            rc = staff_call (x, &resp, "complaints", "complaint.assign", "ss", "case_id", case_id, "person",
                             portal_field (x->r, "person"));
        else
        if (streq (action, "transition")) {
            const char *to = s_need (x, "to", TR (x, "de nieuwe stand", "the new status"), &answer);
            const char *reason = to ? s_need (x, "reason", TR (x, "de reden", "the reason"), &answer) : NULL;
            if (!reason)
                return answer;
            rc = staff_call (x, &resp, "complaints", "complaint.transition", "sssoo", "case_id", case_id, "to", to,
                             "reason", reason, "outcome", portal_field (x->r, "outcome"),
                             "decision", portal_field (x->r, "decision"));
        }
        else
        if (streq (action, "respondent")) {
            const char *org = s_need (x, "respondent", portal_t (x->lang, T_COMPANY), &answer);
            if (!org)
                return answer;
            rc = staff_call (x, &resp, "complaints", "complaint.update", "ss", "case_id", case_id, "respondent", org);
        }
        else
        if (streq (action, "publish")) {
            const char *statement = s_need (x, "statement", TR (x, "de verklaring", "the statement"), &answer);
            if (!statement)
                return answer;
            rc = staff_call (x, &resp, "complaints", "complaint.publish", "ss", "case_id", case_id, "statement", statement);
        }
        else
        if (streq (action, "translate"))
            return staff_translate (x, case_id);
        else
        if (streq (action, "message")) {
            const char *text = s_need (x, "text", portal_t (x->lang, T_MESSAGE), &answer);
            if (!text)
                return answer;
            rc = staff_call (x, &resp, "complaints", "complaint.message", "sso", "case_id", case_id, "text", text,
                             "to", portal_field (x->r, "to"));
        }
        else
            return staff_not_found (x);
        char path [160];
        snprintf (path, sizeof path, "/staff/case/%s?done=%s", case_id, action);
        return staff_changed (x, rc, &resp, path);
    }
    rc = staff_ask (x, &resp, "complaints", "complaint.get", "sB", "case_id", case_id, "identity", (int) reveal);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_case_page (x, &b, case_id, &resp, reveal);
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

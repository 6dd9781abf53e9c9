/*  staff_pages: the console's other pages: home (the covenants, the inbox's unread count), the
    inbox (notify's inbox of the person's role in a covenant, or of the person's company; mark
    read) and the audit trail (audit.list, secretariat); the covenant a page is about
    (staff_page_covenant). The export is in staff_export.c, the members and the production
    locations in staff_members.c. See staff.h. */
#include "staff.h"

#include <microhttpd.h>

static bool
s_staff_role (staff_t *x)
{
    return staff_is (x, "secretariat") || staff_is (x, "committee");
}

//  The active covenants (kept for a moment, as on the public form); 0 when resp holds them.
static int
s_covenants (imvo_response_t *resp)
{
    int rc = portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, resp);
    return rc == 0 && resp->ok ? 0 : -1;
}

//  The inbox a person reads: org:<org> for a company, <role>:<covenant> for the committees and
//  the secretariat; "" when the role has none.
static void
s_recipient (staff_t *x, const char *covenant, char out [128])
{
    out [0] = 0;
    if (staff_is (x, "company") && x->s.org [0])
        snprintf (out, 128, "org:%s", x->s.org);
    else
    if ((s_staff_role (x) || staff_is (x, "monitoring")) && *covenant)
        snprintf (out, 128, "%s:%s", x->s.role, covenant);
}

//  --- home --------------------------------------------------------------------------------------

enum MHD_Result
staff_home (staff_t *x)
{
    imvo_response_t cov;
    if (s_covenants (&cov))
        return staff_failed (x, -1, &cov);
    const char *l = staff_lang (x);
    portal_buf_t b, company = { 0 };
    portal_buf_init (&b);
    if (staff_is (x, "company")) {
        portal_buf_init (&company);         //  released once copied into the page, below
        staff_company_home (x, &company);   //  first: its org.get names the company in the page's top line
    }
    staff_page_start (x, &b, TR (x, "Start", "Home"));
    if (s_staff_role (x)) {
        portal_buf_add (&b, "<form method=\"get\" action=\"/staff/cases\" class=\"row\" role=\"search\">"
                            "<input type=\"hidden\" name=\"lang\" value=\"%s\"><div><label for=\"q\">%s</label>"
                            "<input type=\"text\" id=\"q\" name=\"q\" maxlength=\"%ld\"></div><div><button type=\"submit\">%s"
                            "</button></div></form>", l, TR (x, "Zoek een zaak (woorden of zaaknummer)",
                                                           "Find a case (words or case id)"),
                        staff_max ("complaint.list", "q", 200), portal_t (x->lang, T_SEARCH));
    }
    if (staff_is (x, "company")) {
        portal_buf_raw (&b, company.data, company.len);        //  staff_company.c
        portal_buf_release (&company);
        portal_buf_add (&b, "<p><a href=\"/staff/review?lang=%s\" id=\"review\">%s</a></p>", l,     //  staff_assessor.c
                        TR (x, "Uw beoordeling: de oordelen van de commissie en uw opmerkingen",
                               "Your assessment: the committee's verdicts and your comments"));
        portal_buf_add (&b, "<p><a href=\"/staff/disputes?lang=%s\" id=\"disputes\">%s</a></p>", l,     //  staff_disputes.c
                        TR (x, "Geschillen: een geschil met een andere partij indienen en volgen",
                               "Disputes: file a dispute with another party and follow it"));
    }
    if (staff_is (x, "steering") || staff_is (x, "secretariat"))
        portal_buf_add (&b, "<p><a href=\"/staff/steering?lang=%s\" id=\"steering\">%s</a></p>", l,
                        TR (x, "Overzicht voor de stuurgroep: alle convenanten", "Steering group overview: every covenant"));
    if (staff_is (x, "secretariat"))                //  staff_terms.c
        staff_terms_link (x, &b, imvo_map_get (cov.body, "covenants"));
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    portal_buf_add (&b, "<div class=\"grid\">");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size && !staff_is (x, "company");
         i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        if (!imvo_obj_streq (imvo_map_get (cv, "status"), "active"))
            continue;
        char code [40] = "", recipient [128];
        imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code);
        portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"cv-%s\"><h2 id=\"cv-%s\">", code, code);
        portal_buf_obj (&b, staff_covenant_name (x, cv));
        portal_buf_add (&b, "</h2><ul>");
        if (s_staff_role (x))
            portal_buf_add (&b, "<li><a href=\"/staff/cases?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/cases?lang=%s&amp;covenant=%s&amp;overdue=1\">%s</a></li>",
                            l, code, TR (x, "Klachten", "Cases"), l, code,
                            TR (x, "Klachten met verlopen termijn", "Cases with a deadline passed"));
        if (staff_is (x, "committee"))
            portal_buf_add (&b, "<li><a href=\"/staff/committee?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Zaken per fase (commissie)", "Cases by stage (committee)"));
        s_recipient (x, code, recipient);
        if (*recipient) {
            imvo_response_t inbox;
            int64_t unread = -1;
            if (staff_ask (x, &inbox, "notify", "inbox.list", "si", "recipient", recipient, "limit", (int64_t) 1) == 0
            &&  inbox.ok && imvo_map_get (inbox.body, "unread"))
                unread = imvo_map_get (inbox.body, "unread")->via.i64;
            imvo_response_release (&inbox);
            portal_buf_add (&b, "<li><a href=\"/staff/inbox?lang=%s&amp;covenant=%s\">%s</a>", l, code,
                            TR (x, "Postvak", "Inbox"));
            if (unread >= 0)
                portal_buf_add (&b, " <span class=\"pill\" id=\"unread-%s\">%lld %s</span>", code, (long long) unread,
                                TR (x, "ongelezen", "unread"));
            portal_buf_add (&b, "</li>");
        }
        if (s_staff_role (x))
            portal_buf_add (&b, "<li><a href=\"/staff/members?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/locations?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Leden", "Members"), l, code, TR (x, "Productielocaties", "Production locations"));
        if (staff_is (x, "monitoring"))
            portal_buf_add (&b, "<li><a href=\"/staff/monitoring/frameworks?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/monitoring/round?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/monitoring/appeals?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/monitoring/report?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Beoordelingskaders", "Frameworks"), l, code,
                            TR (x, "Ronde en resultaten", "Round and results"), l, code, TR (x, "Bezwaren", "Appeals"),
                            l, code, TR (x, "Sectorrapport", "Sector report"));
        if (staff_is (x, "monitoring"))             //  staff_assessor.c
            portal_buf_add (&b, "<li><a href=\"/staff/assessor?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Verificatie en publicatie", "Verification and publication"));
        if (staff_is (x, "steering"))
            portal_buf_add (&b, "<li><a href=\"/staff/steering?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Overzicht", "Overview"));
        if (staff_is (x, "secretariat"))
            portal_buf_add (&b, "<li><a href=\"/staff/export?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/audit?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Zaken als CSV", "Cases as CSV"), l, code, TR (x, "Logboek", "Audit trail"));
        if (staff_is (x, "secretariat"))            //  staff_collective.c, staff_meetings.c
            portal_buf_add (&b, "<li><a href=\"/staff/collective?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/meetings?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Collectief werk", "Collective work"), l, code,
                            TR (x, "Vergaderingen en stuurgroep", "Meetings and steering group"));
        if (staff_is (x, "secretariat"))            //  staff_disputes.c
            portal_buf_add (&b, "<li><a href=\"/staff/disputes?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Geschil indienen voor een partij", "File a dispute for a party"));
        portal_buf_add (&b, "</ul></section>");
    }
    portal_buf_add (&b, "</div>");
    imvo_response_release (&cov);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- inbox ------------------------------------------------------------------------------------------

enum MHD_Result
staff_inbox (staff_t *x)
{
    const char *covenant = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    if (*covenant && !portal_code_ok (covenant))
        covenant = "";
    char recipient [128], first [40] = "";
    s_recipient (x, covenant, recipient);
    if (x->post) {
        //  Mark read: the ids of the page, separated by spaces, in one field.
        const char *ids = portal_field (x->r, "ids");
        if (!*recipient || !*ids)
            return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                                TR (x, "Er is niets gekozen.", "Nothing was chosen."));
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 2);
        imvo_pack_kv_str (&pk, "recipient", recipient);
        uint32_t n = 0;
        for (const char *p = ids; *p;) {
            while (*p == ' ')
                p++;
            if (*p)
                n++;
            while (*p && *p != ' ')
                p++;
        }
        imvo_pack_str (&pk, "event_ids");
        msgpack_pack_array (&pk, n);
        for (const char *p = ids; *p;) {
            while (*p == ' ')
                p++;
            const char *start = p;
            while (*p && *p != ' ')
                p++;
            if (p > start)
                imvo_pack_strn (&pk, start, (size_t) (p - start));
        }
        imvo_response_t resp;
        int rc = staff_call_body (x, &resp, "notify", "inbox.mark_read", body.data, body.size);
        msgpack_sbuffer_destroy (&body);
        char path [96];
        snprintf (path, sizeof path, "/staff/inbox?covenant=%s", covenant);
        return staff_changed (x, rc, &resp, path);
    }
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Postvak", "Inbox"));
    if (!staff_is (x, "company")) {
        imvo_response_t cov;
        portal_buf_add (&b, "<form method=\"get\" action=\"/staff/inbox\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                            "value=\"%s\"><div><label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                        l, portal_t (x->lang, T_COVENANT));
        if (s_covenants (&cov) == 0) {
            const msgpack_object *list = imvo_map_get (cov.body, "covenants");
            for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
                char code [40] = "";
                imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "code"), code, sizeof code);
                if (!*covenant && imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "status"), "active")) {
                    //  The first active covenant when none is chosen.
                    snprintf (first, sizeof first, "%s", code);
                    covenant = first;
                    s_recipient (x, covenant, recipient);
                }
                portal_buf_add (&b, "<option value=\"%s\"%s>", code, streq (code, covenant) ? " selected" : "");
                portal_buf_obj (&b, staff_covenant_name (x, &list->via.array.ptr [i]));
                portal_buf_add (&b, "</option>");
            }
        }
        imvo_response_release (&cov);
        portal_buf_add (&b, "</select></div><div><button type=\"submit\">%s</button></div></form>",
                        portal_t (x->lang, T_SHOW));
    }
    if (!*recipient) {
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Uw rol heeft geen postvak.", "Your role has no inbox."));
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    imvo_response_t inbox;
    int rc = staff_ask (x, &inbox, "notify", "inbox.list", "sio", "recipient", recipient, "limit", (int64_t) 50,
                        "cursor", staff_query (x, "cursor"));
    if (rc || !inbox.ok) {
        portal_buf_release (&b);
        return staff_failed (x, rc, &inbox);
    }
    const msgpack_object *unread = imvo_map_get (inbox.body, "unread"), *items = imvo_map_get (inbox.body, "items");
    portal_buf_add (&b, "<p role=\"status\"><span class=\"pill\" id=\"unread\">%lld %s</span></p>",
                    unread ? (long long) unread->via.i64 : 0LL, TR (x, "ongelezen", "unread"));
    uint32_t n = items && items->type == MSGPACK_OBJECT_ARRAY ? items->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Geen berichten.", "No messages."));
    portal_buf_t ids;
    portal_buf_init (&ids);
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *it = &items->via.array.ptr [i];
        bool read = imvo_map_get (it, "read") && imvo_map_get (it, "read")->type == MSGPACK_OBJECT_BOOLEAN
                 && imvo_map_get (it, "read")->via.boolean;
        char when [32], id [160] = "", case_id [72] = "";
        staff_when (imvo_map_get (it, "at"), when);
        imvo_obj_strcpy (imvo_map_get (it, "event_id"), id, sizeof id);
        imvo_obj_strcpy (imvo_map_get (it, "case_id"), case_id, sizeof case_id);
        if (!read && *id) {
            if (ids.len)
                portal_buf_raw (&ids, " ", 1);
            portal_buf_str (&ids, id);
        }
        portal_buf_add (&b, "<article class=\"msg\"><p class=\"help\">%s%s</p><h2 class=\"help\">", when,
                        read ? "" : TR (x, " · <strong>nieuw</strong>", " · <strong>new</strong>"));
        portal_buf_obj (&b, imvo_map_get (it, "title"));
        portal_buf_add (&b, "</h2><p>");
        portal_buf_obj (&b, imvo_map_get (it, "text"));
        portal_buf_add (&b, "</p>");
        if (*case_id) {
            portal_buf_add (&b, "<p><a href=\"/staff/case/");
            staff_buf_url (&b, case_id);
            portal_buf_add (&b, "?lang=%s\">%s ", l, TR (x, "Open zaak", "Open case"));
            portal_buf_str (&b, case_id);
            portal_buf_add (&b, "</a></p>");
        }
        if (!read && *id) {
            staff_form (x, &b, "/staff/inbox/read");
            portal_hidden (&b, "covenant", covenant);
            portal_hidden (&b, "ids", id);
            portal_buf_add (&b, "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                            TR (x, "Markeer als gelezen", "Mark read"));
        }
        portal_buf_add (&b, "</article>");
    }
    if (ids.len) {
        staff_form (x, &b, "/staff/inbox/read");
        portal_hidden (&b, "covenant", covenant);
        portal_buf_add (&b, "<input type=\"hidden\" name=\"ids\" value=\"");
        portal_buf_raw (&b, ids.data, ids.len);         //  escaped above
        portal_buf_add (&b, "\"><button type=\"submit\">%s</button></form>",
                        TR (x, "Alles op deze pagina gelezen", "Mark this page read"));
    }
    portal_buf_release (&ids);
    const msgpack_object *next = imvo_map_get (inbox.body, "next_cursor");
    if (next && next->type == MSGPACK_OBJECT_STR) {
        char nc [160] = "";
        imvo_obj_strcpy (next, nc, sizeof nc);
        portal_buf_add (&b, "<nav class=\"pager\" aria-label=\"%s\"><a rel=\"next\" href=\"/staff/inbox?lang=%s&amp;covenant=%s"
                            "&amp;cursor=", TR (x, "Pagina's", "Pages"), l, covenant);
        staff_buf_url (&b, nc);
        portal_buf_add (&b, "\">%s</a></nav>", TR (x, "Volgende pagina", "Next page"));
    }
    imvo_response_release (&inbox);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- audit -----------------------------------------------------------------------------------------

enum MHD_Result
staff_audit (staff_t *x)
{
    const char *covenant = staff_query (x, "covenant"), *case_id = staff_query (x, "case_id"),
               *person = staff_query (x, "person");
    imvo_response_t resp;
    int rc = staff_ask (x, &resp, "complaints", "audit.list", "oooi", "covenant", covenant, "case_id", case_id,
                        "person", person, "limit", (int64_t) 200);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Logboek", "Audit trail"));
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/audit\" class=\"card\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><div class=\"row\">", l);
    static const char *const names [] = { "covenant", "case_id", "person" };
    const char *values [] = { covenant, case_id, person };
    const char *labels [] = { portal_t (x->lang, T_COVENANT), TR (x, "Zaak", "Case"),
                              TR (x, "Persoon (gebruikersnaam)", "Person (username)") };
    for (int i = 0; i < 3; i++) {
        portal_buf_add (&b, "<div><label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" maxlength=\"64\" "
                            "value=\"", names [i], labels [i], names [i], names [i]);
        portal_buf_str (&b, values [i]);
        portal_buf_add (&b, "\"></div>");
    }
    portal_buf_add (&b, "<div><button type=\"submit\">%s</button></div></div></form>", portal_t (x->lang, T_SEARCH));
    const msgpack_object *items = imvo_map_get (resp.body, "items");
    uint32_t n = items && items->type == MSGPACK_OBJECT_ARRAY ? items->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Niets gevonden.", "Nothing found."));
    else {
        static const char *const cols [] = { "at", "person", "role", "org", "action", "target" };
        const char *heads [] = { TR (x, "Wanneer", "When"), TR (x, "Persoon", "Person"), TR (x, "Rol", "Role"),
                                 TR (x, "Organisatie", "Organisation"), TR (x, "Handeling", "Action"),
                                 TR (x, "Waarop", "Target") };
        portal_buf_add (&b, "<div class=\"table\"><table class=\"list\" id=\"audit\"><thead><tr>");
        for (int c = 0; c < 6; c++)
            portal_buf_add (&b, "<th scope=\"col\">%s</th>", heads [c]);
        portal_buf_add (&b, "</tr></thead><tbody>");
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *it = &items->via.array.ptr [i];
            portal_buf_add (&b, "<tr>");
            for (int c = 0; c < 6; c++) {
                portal_buf_add (&b, "<td data-label=\"%s\">", heads [c]);
                if (c == 0) {
                    char when [32];
                    staff_when (imvo_map_get (it, "at"), when);
                    portal_buf_add (&b, "%s", when);
                }
                else
                    portal_buf_obj (&b, imvo_map_get (it, cols [c]));
                portal_buf_add (&b, "</td>");
            }
            portal_buf_add (&b, "</tr>");
        }
        portal_buf_add (&b, "</tbody></table></div>");
    }
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- the covenant a page is about ------------------------------------------------------------

const char *
staff_page_covenant (staff_t *x, enum MHD_Result *answer)
{
    const char *covenant = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    if (portal_code_ok (covenant))
        return covenant;
    *answer = staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                           TR (x, "Kies een convenant.", "Choose a covenant."));
    return NULL;
}

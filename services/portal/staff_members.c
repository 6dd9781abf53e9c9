/*  staff_members: a covenant's members (GET and POST /staff/members/...: register an
    organisation, join, leave, contributions unpaid and paid, with the parties' sections of
    staff_parties.c) and its production locations (/staff/locations: flags to resolve,
    publishing a year's list). See staff.h. */
#include "staff.h"

#include <microhttpd.h>

//  --- members ---------------------------------------------------------------------------------------

static const char *const s_kinds [] = { "company", "trade_association", "ngo", "union", "government",
                                        "knowledge_institution", "other", NULL };

static void
s_role_select (staff_t *x, portal_buf_t *b, const char *id)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label><select id=\"%s\" name=\"role\"><option value=\"party\">%s</option>"
                       "<option value=\"supporter\">%s</option><option value=\"expert\">%s</option></select>", id,
                    TR (x, "Als", "As"), id, TR (x, "partij", "party"), TR (x, "ondersteuner", "supporter"),
                    TR (x, "expert", "expert"));
}

static enum MHD_Result
s_members_post (staff_t *x, const char *covenant, const char *action)
{
    imvo_response_t resp;
    int rc;
    const char *org = portal_field (x->r, "org_id");
    if (streq (action, "register")) {
        const char *name = portal_field (x->r, "name"), *kind = portal_field (x->r, "kind"),
                   *country = portal_field (x->r, "country");
        if (!*name || !*kind || !*country)
            return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                                TR (x, "Vul naam, soort en land in.", "Fill in name, kind and country."));
        //  contacts.email is a dotted field: packed by hand.
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        const char *email = portal_field (x->r, "email");
        msgpack_pack_map (&pk, 3 + (*email != 0));
        imvo_pack_kv_str (&pk, "name", name);
        imvo_pack_kv_str (&pk, "kind", kind);
        imvo_pack_kv_str (&pk, "country", country);
        if (*email) {
            imvo_pack_str (&pk, "contacts");
            msgpack_pack_map (&pk, 1);
            imvo_pack_kv_str (&pk, "email", email);
        }
        rc = staff_call_body (x, &resp, "membership", "org.register", body.data, body.size);
        msgpack_sbuffer_destroy (&body);
        if (rc == STAFF_WAIT)
            return MHD_YES;
        if (rc || !resp.ok)
            return staff_failed (x, rc, &resp);
        char id [72] = "";
        imvo_obj_strcpy (imvo_map_get (resp.body, "org_id"), id, sizeof id);
        imvo_response_release (&resp);
        //  And join at once when a role was chosen.
        if (*portal_field (x->r, "role")) {
            rc = staff_call (x, &resp, "membership", "member.join", "sss", "covenant", covenant, "org_id", id, "role",
                             portal_field (x->r, "role"));
            if (rc == STAFF_WAIT)
                return MHD_YES;
            if (rc || !resp.ok)
                return staff_failed (x, rc, &resp);
            imvo_response_release (&resp);
        }
    }
    else
    if (streq (action, "join"))
        rc = staff_call (x, &resp, "membership", "member.join", "sssoo", "covenant", covenant, "org_id", org, "role",
                         portal_field (x->r, "role"), "since", portal_field (x->r, "since"), "source",
                         portal_field (x->r, "source"));
    else
    if (streq (action, "leave"))
        rc = staff_call (x, &resp, "membership", "member.leave", "sso", "covenant", covenant, "org_id", org, "reason",
                         portal_field (x->r, "reason"));
    else
    if (streq (action, "pay")) {
        char *end;
        long year = strtol (portal_field (x->r, "year"), &end, 10), amount = -1;
        if (*portal_field (x->r, "amount_eur"))
            amount = strtol (portal_field (x->r, "amount_eur"), &end, 10);
        rc = staff_call (x, &resp, "membership", "member.pay", "ssij", "covenant", covenant, "org_id", org, "year",
                         (int64_t) year, "amount_eur", (int64_t) amount);
    }
    else
    if (streq (action, "associates") || streq (action, "contribute"))
        return staff_parties_post (x, covenant, action);
    else
        return staff_not_found (x);
    if (!streq (action, "register")) {
        if (rc == STAFF_WAIT)
            return MHD_YES;
        if (rc || !resp.ok)
            return staff_failed (x, rc, &resp);
        imvo_response_release (&resp);
    }
    char path [96];
    snprintf (path, sizeof path, "/staff/members?done=1&covenant=%s", covenant);
    return staff_done (x, path);
}

enum MHD_Result
staff_members (staff_t *x, const char *action)
{
    enum MHD_Result answer = MHD_NO;
    const char *covenant = staff_page_covenant (x, &answer);
    if (!covenant)
        return answer;
    if (x->post)
        return s_members_post (x, covenant, action);
    imvo_response_t members;
    int rc = staff_ask (x, &members, "membership", "member.list", "si", "covenant", covenant, "limit", (int64_t) 1000);
    if (rc || !members.ok)
        return staff_failed (x, rc, &members);
    char *end;
    int64_t year = strtol (staff_query (x, "year"), &end, 10);
    if (year < 2000 || year > 2100)
        year = staff_company_year ();
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s: %s", TR (x, "Leden", "Members"), covenant);
    staff_page_start (x, &b, title);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    const msgpack_object *list = imvo_map_get (members.body, "members");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    const char *heads [] = { TR (x, "Naam", "Name"), TR (x, "Soort", "Kind"), TR (x, "Rol", "Role"),
                             TR (x, "Lid sinds", "Since"), TR (x, "Uittreden", "Leave") };
    staff_table_start (&b, "members", heads, 5, "%u %s", n, TR (x, "leden", "members"));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *m = &list->via.array.ptr [i];
        char id [72] = "";
        imvo_obj_strcpy (imvo_map_get (m, "org_id"), id, sizeof id);
        portal_buf_add (&b, "<tr><td data-label=\"%s\">", heads [0]);
        portal_buf_obj (&b, imvo_map_get (m, "name"));
        portal_buf_add (&b, " <span class=\"help\">");
        portal_buf_str (&b, id);
        portal_buf_add (&b, "</span></td><td data-label=\"%s\">", heads [1]);
        portal_buf_obj (&b, imvo_map_get (m, "kind"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [2]);
        portal_buf_obj (&b, imvo_map_get (m, "role"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [3]);
        portal_buf_obj (&b, imvo_map_get (m, "since"));
        portal_buf_add (&b, "</td><td data-label=\"%s\"><details><summary>%s</summary>", heads [4],
                        TR (x, "Laten uittreden", "Let leave"));
        staff_form (x, &b, "/staff/members/leave");
        portal_hidden (&b, "covenant", covenant);
        portal_hidden (&b, "org_id", id);
        portal_buf_add (&b, "<label for=\"reason-%u\">%s</label><input type=\"text\" id=\"reason-%u\" name=\"reason\" "
                            "maxlength=\"%ld\"><button type=\"submit\" class=\"danger\">%s</button></form></details></td></tr>",
                        i, TR (x, "Reden", "Reason"), i, staff_max ("member.leave", "reason", 500),
                        TR (x, "Uittreden", "Leave"));
    }
    portal_buf_add (&b, "</tbody></table></div>");
    //  Register an organisation (and join), or let a registered one join.
    portal_buf_add (&b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-reg\"><h2 id=\"h-reg\">%s</h2>",
                    TR (x, "Organisatie registreren", "Register an organisation"));
    staff_form (x, &b, "/staff/members/register");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<label for=\"org-name\">%s</label><input type=\"text\" id=\"org-name\" name=\"name\" required "
                        "maxlength=\"%ld\"><label for=\"org-kind\">%s</label><select id=\"org-kind\" name=\"kind\">",
                    TR (x, "Naam", "Name"), staff_max ("org.register", "name", 200), TR (x, "Soort", "Kind"));
    for (int i = 0; s_kinds [i]; i++)
        portal_buf_add (&b, "<option>%s</option>", s_kinds [i]);
    portal_buf_add (&b, "</select><label for=\"org-country\">%s</label><input type=\"text\" id=\"org-country\" "
                        "name=\"country\" required maxlength=\"2\" pattern=\"[A-Za-z]{2}\" autocomplete=\"off\">"
                        "<label for=\"org-email\">%s</label><input type=\"email\" id=\"org-email\" name=\"email\" "
                        "maxlength=\"200\"><label for=\"org-role\">%s</label><select id=\"org-role\" name=\"role\">"
                        "<option value=\"\">%s</option><option value=\"party\">%s</option><option value=\"supporter\">%s"
                        "</option><option value=\"expert\">%s</option></select><button type=\"submit\">%s</button></form>"
                        "</section>", TR (x, "Land (bijvoorbeeld NL)", "Country (for example NL)"),
                    TR (x, "E-mail (optioneel)", "E-mail (optional)"), TR (x, "Meteen lid worden als", "Join at once as"),
                    TR (x, "niet", "no"), TR (x, "partij", "party"), TR (x, "ondersteuner", "supporter"),
                    TR (x, "expert", "expert"), TR (x, "Registreren", "Register"));
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-join\"><h2 id=\"h-join\">%s</h2>",
                    TR (x, "Geregistreerde organisatie laten toetreden", "Let a registered organisation join"));
    staff_form (x, &b, "/staff/members/join");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<label for=\"join-org\">%s</label><select id=\"join-org\" name=\"org_id\" required>",
                    TR (x, "Organisatie", "Organisation"));
    imvo_response_t orgs;
    if (staff_ask (x, &orgs, "membership", "org.list", "i", "limit", (int64_t) 1000) == 0 && orgs.ok)
        staff_org_options (&b, imvo_map_get (orgs.body, "orgs"), NULL, "");       //  staff_orgs.c
    imvo_response_release (&orgs);
    portal_buf_add (&b, "</select>");
    s_role_select (x, &b, "join-role");
    //  The real signing date, when it lies in the past, and where it is written (member.join).
    portal_buf_add (&b, "<label for=\"join-since\">%s</label><input type=\"text\" inputmode=\"numeric\" "
                        "id=\"join-since\" name=\"since\" maxlength=\"10\" placeholder=\"2016-07-04\" "
                        "pattern=\"[0-9]{4}-[0-9]{2}-[0-9]{2}\">"
                        "<label for=\"join-source\">%s</label><input type=\"text\" id=\"join-source\" name=\"source\" "
                        "maxlength=\"%ld\">", TR (x, "Getekend op, JJJJ-MM-DD (leeg: vandaag)", "Signed on, YYYY-MM-DD (empty: today)"),
                    TR (x, "Bron van die datum (nodig voor een eerdere datum)", "Source of that date (needed for an earlier date)"),
                    staff_max ("member.join", "source", 300));
    portal_buf_add (&b, "<button type=\"submit\">%s</button></form></section></div>", TR (x, "Laten toetreden", "Join"));
    //  Contributions not paid for the year.
    imvo_response_t unpaid;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-unpaid\"><h2 id=\"h-unpaid\">%s %lld</h2>"
                        "<form method=\"get\" action=\"/staff/members\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><input type=\"hidden\" name=\"covenant\" value=\"%s\"><div><label for=\"year\">%s</label>"
                        "<input type=\"text\" inputmode=\"numeric\" id=\"year\" name=\"year\" maxlength=\"4\" value=\"%lld\">"
                        "</div><div><button type=\"submit\">%s</button></div></form>",
                    TR (x, "Contributie niet betaald,", "Contribution unpaid,"), (long long) year, staff_lang (x), covenant,
                    TR (x, "Jaar", "Year"), (long long) year, portal_t (x->lang, T_SHOW));
    if (staff_ask (x, &unpaid, "membership", "member.unpaid", "si", "covenant", covenant, "year", year) == 0 && unpaid.ok) {
        const msgpack_object *ul = imvo_map_get (unpaid.body, "unpaid");
        uint32_t nu = ul && ul->type == MSGPACK_OBJECT_ARRAY ? ul->via.array.size : 0;
        if (!nu)
            portal_buf_add (&b, "<p>%s</p>", TR (x, "Iedereen heeft betaald.", "Everyone has paid."));
        portal_buf_add (&b, "<ul id=\"unpaid\">");
        for (uint32_t i = 0; i < nu; i++) {
            char id [72] = "";
            imvo_obj_strcpy (imvo_map_get (&ul->via.array.ptr [i], "org_id"), id, sizeof id);
            portal_buf_add (&b, "<li>");
            portal_buf_obj (&b, imvo_map_get (&ul->via.array.ptr [i], "name"));
            staff_form (x, &b, "/staff/members/pay");
            portal_hidden (&b, "covenant", covenant);
            portal_hidden (&b, "org_id", id);
            portal_buf_add (&b, "<input type=\"hidden\" name=\"year\" value=\"%lld\"><div class=\"row\"><div>"
                                "<label for=\"amount-%u\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"amount-%u\" "
                                "name=\"amount_eur\" maxlength=\"9\"></div><div><button type=\"submit\" class=\"secondary\">%s"
                                "</button></div></div></form></li>", (long long) year, i,
                            TR (x, "Bedrag in euro (optioneel)", "Amount in euro (optional)"), i,
                            TR (x, "Betaling vastleggen", "Record payment"));
        }
        portal_buf_add (&b, "</ul>");
    }
    else
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    imvo_response_release (&unpaid);
    portal_buf_add (&b, "</section>");
    staff_parties_section (x, &b, covenant, list, year);
    imvo_response_release (&members);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- production locations --------------------------------------------------------------------------

enum MHD_Result
staff_locations (staff_t *x, const char *action)
{
    enum MHD_Result answer = MHD_NO;
    const char *covenant = staff_page_covenant (x, &answer);
    if (!covenant)
        return answer;
    imvo_response_t resp;
    int rc;
    if (x->post) {
        if (streq (action, "resolve")) {
            const char *decision = portal_field (x->r, "decision");
            rc = staff_call (x, &resp, "membership", "location.resolve", "ssso", "covenant", covenant, "flag_id",
                             portal_field (x->r, "flag_id"), "decision", decision, "location_id",
                             streq (decision, "confirm") ? portal_field (x->r, "location_id") : "");
        }
        else
        if (streq (action, "publish")) {
            char *end;
            long year = strtol (portal_field (x->r, "year"), &end, 10);
            rc = staff_call (x, &resp, "membership", "location.publish", "si", "covenant", covenant, "year", (int64_t) year);
        }
        else
            return staff_not_found (x);
        char path [96];
        snprintf (path, sizeof path, "/staff/locations?done=1&covenant=%s", covenant);
        return staff_changed (x, rc, &resp, path);
    }
    rc = staff_ask (x, &resp, "membership", "location.flags", "s", "covenant", covenant);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s: %s", TR (x, "Productielocaties", "Production locations"), covenant);
    staff_page_start (x, &b, title);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    portal_buf_add (&b, "<p><a href=\"/staff/disclosures?lang=%s&amp;covenant=%s\" id=\"disclosures\">%s</a></p>",
                    staff_lang (x), covenant, TR (x, "Wie maakte zijn locaties voor de lijst van 4 juli bekend?",
                                                  "Who disclosed for the 4 July list?"));           //  staff_terms.c
    const msgpack_object *flags = imvo_map_get (resp.body, "flags");
    uint32_t n = flags && flags->type == MSGPACK_OBJECT_ARRAY ? flags->via.array.size : 0;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-flags\"><h2 id=\"h-flags\">%s (%u)</h2>",
                    TR (x, "Twijfelachtige overeenkomsten", "Ambiguous matches"), n);
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Niets te beoordelen.", "Nothing to resolve."));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *f = &flags->via.array.ptr [i];
        char fid [72] = "";
        imvo_obj_strcpy (imvo_map_get (f, "flag_id"), fid, sizeof fid);
        portal_buf_add (&b, "<article class=\"msg\"><h3>");
        portal_buf_obj (&b, imvo_map_get (f, "name"));
        portal_buf_add (&b, "</h3><p>");
        portal_buf_obj (&b, imvo_map_get (f, "address"));
        portal_buf_add (&b, ", ");
        portal_buf_obj (&b, imvo_map_get (f, "city"));
        portal_buf_add (&b, " (");
        portal_buf_obj (&b, imvo_map_get (f, "country"));
        portal_buf_add (&b, ")</p>");
        staff_form (x, &b, "/staff/locations/resolve");
        portal_hidden (&b, "covenant", covenant);
        portal_hidden (&b, "flag_id", fid);
        portal_buf_add (&b, "<fieldset><legend>%s</legend>", TR (x, "Hetzelfde als", "The same as"));
        const msgpack_object *cands = imvo_map_get (f, "candidates");
        for (uint32_t c = 0; cands && cands->type == MSGPACK_OBJECT_ARRAY && c < cands->via.array.size; c++) {
            const msgpack_object *cd = &cands->via.array.ptr [c];
            const msgpack_object *lid = cd->type == MSGPACK_OBJECT_MAP ? imvo_map_get (cd, "location_id") : cd;
            portal_buf_add (&b, "<label><input type=\"radio\" name=\"location_id\" value=\"");
            portal_buf_obj (&b, lid);
            portal_buf_add (&b, "\"%s> ", c == 0 ? " checked" : "");
            portal_buf_obj (&b, lid);
            portal_buf_add (&b, "</label>");
        }
        portal_buf_add (&b, "</fieldset><button type=\"submit\" name=\"decision\" value=\"confirm\">%s</button> "
                            "<button type=\"submit\" name=\"decision\" value=\"reject\" class=\"secondary\">%s</button>"
                            "</form></article>", TR (x, "Samenvoegen", "Merge"),
                        TR (x, "Afwijzen: een andere locatie", "Reject: a different place"));
    }
    portal_buf_add (&b, "</section>");
    imvo_response_release (&resp);
    //  The year's list: publish it.
    int64_t year = staff_company_year () - 1;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-pub\"><h2 id=\"h-pub\">%s</h2>",
                    TR (x, "Lijst van een jaar publiceren", "Publish a year's list"));
    staff_form (x, &b, "/staff/locations/publish");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<div class=\"row\"><div><label for=\"pub-year\">%s</label><input type=\"text\" inputmode=\"numeric\" "
                        "id=\"pub-year\" name=\"year\" required maxlength=\"4\" pattern=\"[0-9]{4}\" value=\"%lld\"></div>"
                        "<div><button type=\"submit\">%s</button></div></div></form><p><a href=\"/locations/%s/%lld?lang=%s\">"
                        "%s</a></p></section>", TR (x, "Jaar", "Year"), (long long) year, TR (x, "Publiceren", "Publish"),
                    covenant, (long long) year, staff_lang (x),
                    TR (x, "De openbare lijst bekijken", "See the public list"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

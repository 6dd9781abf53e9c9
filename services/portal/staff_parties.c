/*  staff_parties: on the secretariat's members page (staff_members.c), the member companies of
    the trade associations that signed for them (member.associates, member.associated) and the
    supporters' contributions (member.contribute, listed by member.get), each with the form
    that records it: POST /staff/members/associates and /staff/members/contribute.
*/
#include "staff.h"

#include <ctype.h>

//  The trade associations that are parties, each with its member companies and the form that
//  sets the whole list (org ids, separated by commas, spaces or lines).
static void
s_associations (staff_t *x, portal_buf_t *b, const char *covenant, const msgpack_object *members)
{
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-assoc\"><h2 id=\"h-assoc\">%s</h2><p class=\"help\">%s</p>",
                    TR (x, "Brancheorganisaties en hun leden", "Trade associations and their members"),
                    TR (x, "Een brancheorganisatie die namens haar leden tekende, noemt haar lidbedrijven: de monitoring "
                           "beoordeelt hen (risico's in kaart brengen) en klachten over hen bereiken haar.",
                        "A trade association that signed for its members lists its member companies: the monitoring "
                        "assesses them (mapping their risks) and complaints about them reach the association."));
    imvo_response_t listed;
    bool have = staff_ask (x, &listed, "membership", "member.associated", "s", "covenant", covenant) == 0 && listed.ok;
    const msgpack_object *companies = have ? imvo_map_get (listed.body, "companies") : NULL;
    uint32_t nc = companies && companies->type == MSGPACK_OBJECT_ARRAY ? companies->via.array.size : 0;
    int shown = 0;
    for (uint32_t i = 0; members && i < members->via.array.size; i++) {
        const msgpack_object *m = &members->via.array.ptr [i];
        char id [72] = "";
        if (!imvo_obj_streq (imvo_map_get (m, "kind"), "trade_association") || !imvo_obj_streq (imvo_map_get (m, "role"), "party")
        ||  imvo_obj_strcpy (imvo_map_get (m, "org_id"), id, sizeof id))
            continue;
        portal_buf_add (b, "<h3 id=\"assoc-%u\">", i);
        portal_buf_obj (b, imvo_map_get (m, "name"));
        portal_buf_add (b, "</h3><ul class=\"companies\" aria-labelledby=\"assoc-%u\">", i);
        portal_buf_t ids;
        portal_buf_init (&ids);
        int count = 0;
        for (uint32_t k = 0; k < nc; k++) {
            const msgpack_object *c = &companies->via.array.ptr [k];
            if (!imvo_obj_streq (imvo_map_get (c, "association"), id))
                continue;
            portal_buf_add (b, "<li>");
            portal_buf_obj (b, imvo_map_get (c, "name"));
            portal_buf_add (b, " <span class=\"help\">");
            portal_buf_obj (b, imvo_map_get (c, "org_id"));
            portal_buf_add (b, "</span></li>");
            portal_buf_add (&ids, "%s", count++ ? ", " : "");
            portal_buf_obj (&ids, imvo_map_get (c, "org_id"));
        }
        if (!count)
            portal_buf_add (b, "<li>%s</li>", TR (x, "Nog geen lidbedrijven genoemd.", "No member companies listed yet."));
        portal_buf_add (b, "</ul>");
        staff_form (x, b, "/staff/members/associates");
        portal_hidden (b, "covenant", covenant);
        portal_hidden (b, "org_id", id);
        portal_buf_add (b, "<label for=\"companies-%u\">%s ", i, TR (x, "Lidbedrijven van", "Member companies of"));
        portal_buf_obj (b, imvo_map_get (m, "name"));
        portal_buf_add (b, ": %s</label><textarea id=\"companies-%u\" name=\"companies\" rows=\"3\">%s</textarea>"
                           "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                        TR (x, "org-ids, gescheiden door komma's (de hele lijst)", "org ids, separated by commas (the whole list)"),
                        i, ids.data ? ids.data : "", TR (x, "Lijst opslaan", "Save the list"));
        portal_buf_release (&ids);
        shown++;
    }
    if (!shown)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Geen brancheorganisatie is partij.", "No trade association is a party."));
    if (!have)
        portal_buf_add (b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    imvo_response_release (&listed);
    portal_buf_add (b, "</section>");
}

//  One contribution as a table row.
static void
s_contribution_row (staff_t *x, portal_buf_t *b, const msgpack_object *name, const msgpack_object *c, const char *const *heads)
{
    bool financial = imvo_obj_streq (imvo_map_get (c, "kind"), "financial");
    portal_buf_add (b, "<tr><td data-label=\"%s\">", heads [0]);
    portal_buf_obj (b, name);
    portal_buf_add (b, "</td><td data-label=\"%s\">", heads [1]);
    portal_buf_obj (b, imvo_map_get (c, "year"));
    portal_buf_add (b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">", heads [2],
                    financial ? TR (x, "financieel", "financial") : TR (x, "in natura", "in kind"), heads [3]);
    if (financial) {
        portal_buf_add (b, "&euro;&nbsp;");
        portal_buf_obj (b, imvo_map_get (c, "amount_eur"));
    }
    else
        portal_buf_obj (b, imvo_map_get (c, "description"));
    portal_buf_add (b, "</td><td data-label=\"%s\">", heads [4]);
    if (imvo_map_get (c, "activity"))
        portal_buf_obj (b, imvo_map_get (c, "activity"));
    portal_buf_add (b, "</td></tr>");
}

//  The supporters' contributions, and the form that records one.
static void
s_contributions (staff_t *x, portal_buf_t *b, const char *covenant, const msgpack_object *members, int64_t year)
{
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-contrib\"><h2 id=\"h-contrib\">%s</h2><p class=\"help\">%s</p>",
                    TR (x, "Bijdragen van ondersteuners", "Supporters' contributions"),
                    TR (x, "Financieel aan een specifieke activiteit, of in natura aan collectieve activiteiten.",
                        "Financial, to a specific activity, or in kind, to collective activities."));
    const char *heads [] = { TR (x, "Ondersteuner", "Supporter"), TR (x, "Jaar", "Year"), TR (x, "Soort", "Kind"),
                             TR (x, "Bedrag of wat", "Amount or what"), TR (x, "Activiteit", "Activity") };
    portal_buf_t rows, options;
    portal_buf_init (&rows);
    portal_buf_init (&options);
    int nrows = 0, nsupporters = 0;
    for (uint32_t i = 0; members && i < members->via.array.size; i++) {
        const msgpack_object *m = &members->via.array.ptr [i];
        char id [72] = "";
        if (!imvo_obj_streq (imvo_map_get (m, "role"), "supporter") || imvo_obj_strcpy (imvo_map_get (m, "org_id"), id, sizeof id))
            continue;
        portal_buf_add (&options, "<option value=\"");
        portal_buf_str (&options, id);
        portal_buf_add (&options, "\">");
        portal_buf_obj (&options, imvo_map_get (m, "name"));
        portal_buf_add (&options, "</option>");
        nsupporters++;
        imvo_response_t got;
        if (staff_ask (x, &got, "membership", "member.get", "ss", "covenant", covenant, "org_id", id) == 0 && got.ok) {
            const msgpack_object *list = imvo_map_get (got.body, "contributions");
            for (uint32_t k = 0; list && list->type == MSGPACK_OBJECT_ARRAY && k < list->via.array.size; k++, nrows++)
                s_contribution_row (x, &rows, imvo_map_get (m, "name"), &list->via.array.ptr [k], heads);
        }
        imvo_response_release (&got);
    }
    if (nrows) {
        staff_table_start (b, "contributions", heads, 5, "%d %s", nrows,
                           nrows == 1 ? TR (x, "bijdrage", "contribution") : TR (x, "bijdragen", "contributions"));
        portal_buf_add (b, "%s</tbody></table></div>", rows.data);
    }
    else
        portal_buf_add (b, "<p>%s</p>", TR (x, "Nog geen bijdragen vastgelegd.", "No contributions recorded yet."));
    if (nsupporters) {
        portal_buf_add (b, "<h3 id=\"h-contrib-new\">%s</h3>", TR (x, "Bijdrage vastleggen", "Record a contribution"));
        staff_form (x, b, "/staff/members/contribute");
        portal_hidden (b, "covenant", covenant);
        portal_buf_add (b, "<label for=\"c-org\">%s</label><select id=\"c-org\" name=\"org_id\" required>%s</select>"
                           "<label for=\"c-year\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"c-year\" name=\"year\" "
                           "maxlength=\"4\" required value=\"%lld\">"
                           "<label for=\"c-kind\">%s</label><select id=\"c-kind\" name=\"kind\"><option value=\"financial\">%s</option>"
                           "<option value=\"in_kind\">%s</option></select>"
                           "<label for=\"c-amount\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"c-amount\" "
                           "name=\"amount_eur\" maxlength=\"9\">"
                           "<label for=\"c-activity\">%s</label><input type=\"text\" id=\"c-activity\" name=\"activity\" maxlength=\"%ld\">"
                           "<label for=\"c-desc\">%s</label><textarea id=\"c-desc\" name=\"description\" rows=\"2\" maxlength=\"%ld\">"
                           "</textarea><button type=\"submit\">%s</button></form>",
                        heads [0], options.data, heads [1], (long long) year, heads [2], TR (x, "financieel", "financial"),
                        TR (x, "in natura", "in kind"), TR (x, "Bedrag in euro (financieel)", "Amount in euro (financial)"),
                        TR (x, "Activiteit (financieel: verplicht)", "Activity (financial: required)"),
                        staff_max ("member.contribute", "activity", 200),
                        TR (x, "Wat wordt gegeven (in natura: verplicht)", "What is given (in kind: required)"),
                        staff_max ("member.contribute", "description", 2000), TR (x, "Vastleggen", "Record"));
    }
    else
        portal_buf_add (b, "<p>%s</p>", TR (x, "Het convenant heeft geen ondersteuners.", "The covenant has no supporters."));
    portal_buf_release (&rows);
    portal_buf_release (&options);
    portal_buf_add (b, "</section>");
}

void
staff_parties_section (staff_t *x, portal_buf_t *b, const char *covenant, const msgpack_object *members, int64_t year)
{
    if (members && members->type != MSGPACK_OBJECT_ARRAY)
        members = NULL;
    s_associations (x, b, covenant, members);
    s_contributions (x, b, covenant, members, year);
}

enum MHD_Result
staff_parties_post (staff_t *x, const char *covenant, const char *action)
{
    imvo_response_t resp;
    int rc;
    const char *org = portal_field (x->r, "org_id");
    char path [96];
    snprintf (path, sizeof path, "/staff/members?done=1&covenant=%s", covenant);
    if (streq (action, "associates")) {
        //  The list as typed: org ids separated by commas, spaces or lines.
        const char *text = portal_field (x->r, "companies");
        msgpack_sbuffer list, body;
        msgpack_sbuffer_init (&list);
        msgpack_sbuffer_init (&body);
        msgpack_packer lpk, pk;
        msgpack_packer_init (&lpk, &list, msgpack_sbuffer_write);
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        uint32_t n = 0;
        for (const char *p = text; *p;) {
            while (*p && (*p == ',' || isspace ((unsigned char) *p)))
                p++;
            size_t len = 0;
            while (p [len] && p [len] != ',' && !isspace ((unsigned char) p [len]))
                len++;
            if (len) {
                imvo_pack_strn (&lpk, p, len);
                n++;
            }
            p += len;
        }
        msgpack_pack_map (&pk, 3);
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_str (&pk, "org_id", org);
        imvo_pack_str (&pk, "companies");
        msgpack_pack_array (&pk, n);
        msgpack_sbuffer_write (&body, list.data, list.size);
        rc = staff_call_body (x, &resp, "membership", "member.associates", body.data, body.size);
        msgpack_sbuffer_destroy (&list);
        msgpack_sbuffer_destroy (&body);
        return staff_changed (x, rc, &resp, path);
    }
    if (streq (action, "contribute")) {
        char *end;
        long year = strtol (portal_field (x->r, "year"), &end, 10), amount = -1;
        if (*portal_field (x->r, "amount_eur"))
            amount = strtol (portal_field (x->r, "amount_eur"), &end, 10);
        rc = staff_call (x, &resp, "membership", "member.contribute", "ssisjoo", "covenant", covenant, "org_id", org,
                         "year", (int64_t) year, "kind", portal_field (x->r, "kind"), "amount_eur", (int64_t) amount,
                         "activity", portal_field (x->r, "activity"), "description", portal_field (x->r, "description"));
        return staff_changed (x, rc, &resp, path);
    }
    return staff_not_found (x);
}

void
staff_parties_case_facts (staff_t *x, portal_buf_t *b, const msgpack_object *body, staff_orgs_t *orgs)
{
    char covenant [40] = "";
    imvo_obj_strcpy (imvo_map_get (body, "covenant"), covenant, sizeof covenant);
    const msgpack_object *claimant = imvo_map_get (body, "claimant_org"), *association = imvo_map_get (body, "association");
    if (imvo_obj_streq (imvo_map_get (body, "kind"), "dispute") && imvo_obj_is_str (claimant)) {
        portal_buf_add (b, "<dt>%s</dt><dd id=\"case-kind\">%s</dd><dt>%s</dt><dd id=\"claimant-org\">",
                        TR (x, "Soort zaak", "Kind of case"), TR (x, "geschil tussen partijen", "dispute between parties"),
                        TR (x, "Eisende partij", "Claimant party"));
        staff_orgs_show (orgs, b, covenant, claimant);
        portal_buf_add (b, "</dd>");
    }
    if (imvo_obj_is_str (association)) {
        portal_buf_add (b, "<dt>%s</dt><dd id=\"association\">", TR (x, "Via brancheorganisatie", "Through trade association"));
        staff_orgs_show (orgs, b, covenant, association);
        portal_buf_add (b, "</dd>");
    }
}

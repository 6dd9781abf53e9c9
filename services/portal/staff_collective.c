/*  staff_collective: collective work in the staff console (issue 23, item 6), for the
    secretariat, which records what the working group decided.

    GET /staff/collective?covenant=&year= shows the round's ranking of collective risks
    (assessment.get) with the form in which the working group's choice of two is recorded
    (POST /staff/collective/choose: collective.choose), and the covenant's collective projects
    (project.list) with a form per project and one for a new project, whose participants are
    ticked from the covenant's parties (POST /staff/collective/project: project.put). Forms
    carry the CSRF token and an idempotency key (staff_form); changes go out on a worker
    (staff_call_body). */
#include "staff.h"

#include <microhttpd.h>

static int64_t
s_year_default (void)
{
    return staff_company_year () - 1;
}

//  ?covenant= (a code; "textile" when absent) and ?year= (last year when absent); -1 when wrong.
static int
s_args (staff_t *x, const char **covenant, int64_t *year, bool post)
{
    const char *c = post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    const char *y = post ? portal_field (x->r, "year") : staff_query (x, "year");
    *covenant = *c ? c : "textile";
    char *end;
    *year = *y ? strtoll (y, &end, 10) : s_year_default ();
    return portal_code_ok (*covenant) && (!*y || !*end) && *year >= 2000 && *year <= 2100 ? 0 : -1;
}

//  The ranking with the choice's form.
static void
s_risks (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year)
{
    char rid [64];
    snprintf (rid, sizeof rid, "%s-%lld", covenant, (long long) year);
    imvo_response_t r;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-risks\"><h2 id=\"h-risks\">%s</h2>",
                    TR (x, "Collectieve risico's", "Collective risks"));
    if (staff_ask (x, &r, "scoring", "assessment.get", "s", "round_id", rid) || !r.ok) {
        portal_buf_add (b, "<p>%s</p></section>", TR (x, "Deze ronde is er (nog) niet.", "There is no such round (yet)."));
        imvo_response_release (&r);
        return;
    }
    const msgpack_object *risks = imvo_map_get (r.body, "collective_risks");
    uint32_t n = risks && risks->type == MSGPACK_OBJECT_ARRAY ? risks->via.array.size : 0;
    portal_buf_add (b, "<p class=\"help\">%s</p>",
                    TR (x, "De werkgroep kiest uit deze rangorde twee collectieve risico's waarop gezamenlijk actie "
                           "wordt ondernomen.", "The working group chooses two collective risks from this ranking to "
                           "act on together."));
    if (!n) {
        portal_buf_add (b, "<p>%s</p></section>", TR (x, "Nog geen rangorde: de ronde is niet afgerond of niemand noemde "
                                                         "risico's.", "No ranking yet: the round is not completed or no "
                                                         "company named risks."));
        imvo_response_release (&r);
        return;
    }
    portal_buf_add (b, "<div class=\"table\"><table class=\"list\" id=\"ranking\"><caption>%s %s</caption><thead><tr><th scope=\"col\">#"
                       "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">"
                       "%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                    TR (x, "Rangorde van ronde", "Ranking of round"), rid, TR (x, "Thema", "Theme"),
                    TR (x, "Land", "Country"), TR (x, "Bedrijven", "Companies"), TR (x, "Gewicht", "Weight"),
                    TR (x, "Gekozen", "Chosen"));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *k = &risks->via.array.ptr [i], *act = imvo_map_get (k, "act_on");
        int64_t companies = 0, weight = 0;
        imvo_obj_int (imvo_map_get (k, "companies"), &companies);
        imvo_obj_int (imvo_map_get (k, "weight"), &weight);
        //  data-label: the column's name beside each value on a phone (the head is hidden there).
        portal_buf_add (b, "<tr><td data-label=\"#\">%u</td><td data-label=\"%s\">", i + 1, TR (x, "Thema", "Theme"));
        portal_buf_obj (b, imvo_map_get (k, "theme"));
        portal_buf_add (b, "</td><td data-label=\"%s\">", TR (x, "Land", "Country"));
        portal_buf_obj (b, imvo_map_get (k, "country"));
        portal_buf_add (b, "</td><td data-label=\"%s\">%lld</td><td data-label=\"%s\">%lld</td><td data-label=\"%s\">%s</td>"
                           "</tr>", TR (x, "Bedrijven", "Companies"), (long long) companies, TR (x, "Gewicht", "Weight"),
                        (long long) weight, TR (x, "Gekozen", "Chosen"),
                        act && act->type == MSGPACK_OBJECT_BOOLEAN && act->via.boolean ? TR (x, "ja", "yes")
                                                                                       : TR (x, "nee", "no"));
    }
    portal_buf_add (b, "</tbody></table></div><h3>%s</h3>", TR (x, "De keuze van de werkgroep vastleggen",
                                                                   "Record the working group's choice"));
    staff_form (x, b, "/staff/collective/choose");
    portal_hidden (b, "covenant", covenant);
    char ys [8];
    snprintf (ys, sizeof ys, "%lld", (long long) year);
    portal_hidden (b, "year", ys);
    //  The choice already recorded is what the form shows; else the ranking's first two.
    uint32_t chosen [2] = { 0, 1 }, nchosen = 0;
    for (uint32_t i = 0; i < n && nchosen < 2; i++) {
        const msgpack_object *act = imvo_map_get (&risks->via.array.ptr [i], "act_on");
        if (act && act->type == MSGPACK_OBJECT_BOOLEAN && act->via.boolean)
            chosen [nchosen++] = i;
    }
    for (int pick = 1; pick <= 2; pick++) {
        portal_buf_add (b, "<label for=\"risk-%d\">%s %d</label><select id=\"risk-%d\" name=\"risk_%d\" required>", pick,
                        TR (x, "Risico", "Risk"), pick, pick, pick);
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *k = &risks->via.array.ptr [i];
            char theme [201] = "", country [8] = "";
            imvo_obj_strcpy (imvo_map_get (k, "theme"), theme, sizeof theme);
            imvo_obj_strcpy (imvo_map_get (k, "country"), country, sizeof country);
            portal_buf_add (b, "<option value=\"");
            portal_buf_str (b, theme);
            portal_buf_add (b, "|%s\"%s>%u. ", country, i == chosen [pick - 1] ? " selected" : "", i + 1);
            portal_buf_str (b, theme);
            portal_buf_add (b, " (%s)</option>", country);
        }
        portal_buf_add (b, "</select>");
    }
    portal_buf_add (b, "<label for=\"wg\">%s</label><input type=\"text\" id=\"wg\" name=\"working_group\" maxlength=\"40\" "
                       "placeholder=\"collective-action\"><label for=\"note\">%s</label><textarea id=\"note\" name=\"note\" "
                       "maxlength=\"2000\"></textarea><button type=\"submit\">%s</button></form></section>",
                    TR (x, "Werkgroep (code, niet verplicht)", "Working group (code, optional)"),
                    TR (x, "Toelichting van de werkgroep", "The working group's reasons"),
                    TR (x, "Keuze vastleggen", "Record the choice"));
    imvo_response_release (&r);
}

//  One project's form (p NULL: a new project); parties: member.list's members (the parties among
//  them to choose from) or NULL.
static void
s_project_form (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year, const msgpack_object *p,
                const msgpack_object *parties, int k)
{
    staff_form (x, b, "/staff/collective/project");
    portal_hidden (b, "covenant", covenant);
    char ys [8];
    snprintf (ys, sizeof ys, "%lld", (long long) year);
    portal_hidden (b, "year", ys);
    static const char *const ints [] = { "from_year", "to_year", "mandatory_from_company_year" };
    const char *labels [] = { TR (x, "Vanaf jaar", "From year"), TR (x, "Tot en met jaar", "To year"),
                              TR (x, "Verplicht vanaf bedrijfsjaar", "Mandatory from the company's year") };
    portal_buf_add (b, "<label for=\"pc-%d\">%s</label><input type=\"text\" id=\"pc-%d\" name=\"code\" required "
                       "maxlength=\"40\" pattern=\"[a-z0-9][a-z0-9_-]*\" value=\"", k, TR (x, "Code", "Code"), k);
    if (p)
        portal_buf_obj (b, imvo_map_get (p, "code"));
    portal_buf_add (b, "\"><label for=\"pn-%d\">%s</label><input type=\"text\" id=\"pn-%d\" name=\"name\" required "
                       "maxlength=\"200\" value=\"", k, TR (x, "Naam", "Name"), k);
    if (p)
        portal_buf_obj (b, imvo_map_get (p, "name"));
    portal_buf_add (b, "\">");
    for (int i = 0; i < 3; i++) {
        int64_t v = 0;
        bool has = p && imvo_obj_int (imvo_map_get (p, ints [i]), &v) == 0;
        portal_buf_add (b, "<label for=\"p%d-%d\">%s</label><input type=\"number\" id=\"p%d-%d\" name=\"%s\" min=\"%d\" "
                           "max=\"%d\"", i, k, labels [i], i, k, ints [i], i < 2 ? 2000 : 1, i < 2 ? 2100 : 10);
        if (has)
            portal_buf_add (b, " value=\"%lld\"", (long long) v);
        portal_buf_add (b, ">");
    }
    portal_buf_add (b, "<label for=\"ps-%d\">%s</label><input type=\"text\" id=\"ps-%d\" name=\"source\" maxlength=\"500\" "
                       "value=\"", k, TR (x, "Bron", "Source"), k);
    if (p)
        portal_buf_obj (b, imvo_map_get (p, "source"));
    portal_buf_add (b, "\"><fieldset><legend>%s</legend>", TR (x, "Deelnemers", "Participants"));
    const msgpack_object *had = p ? imvo_map_get (p, "participants") : NULL;
    for (uint32_t i = 0; parties && i < parties->via.array.size; i++) {
        char org [72];
        const msgpack_object *m = staff_party (parties, i, org);
        if (!m)
            continue;
        bool on = false;
        for (uint32_t j = 0; had && had->type == MSGPACK_OBJECT_ARRAY && j < had->via.array.size; j++)
            on |= imvo_obj_streq (&had->via.array.ptr [j], org);
        portal_buf_add (b, "<div class=\"check\"><input type=\"checkbox\" id=\"pp-%d-%u\" name=\"p.", k, i);
        portal_buf_str (b, org);
        portal_buf_add (b, "\" value=\"1\"%s><label for=\"pp-%d-%u\">", on ? " checked" : "", k, i);
        portal_buf_obj (b, imvo_map_get (m, "name"));
        portal_buf_add (b, " <span class=\"help\">");
        portal_buf_str (b, org);
        portal_buf_add (b, "</span></label></div>");
    }
    portal_buf_add (b, "</fieldset><button type=\"submit\">%s</button></form>",
                    p ? TR (x, "Project opslaan", "Save the project") : TR (x, "Project toevoegen", "Add the project"));
}

static void
s_projects (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year)
{
    imvo_response_t list;
    bool has_list = staff_ask (x, &list, "scoring", "project.list", "s", "covenant", covenant) == 0 && list.ok;
    staff_orgs_t orgs;                  //  the parties to choose from, the participants' names (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    const msgpack_object *parties = staff_orgs_members (&orgs, covenant);
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-projects\"><h2 id=\"h-projects\">%s</h2>",
                    TR (x, "Collectieve projecten", "Collective projects"));
    const msgpack_object *projects = has_list ? imvo_map_get (list.body, "projects") : NULL;
    uint32_t n = projects && projects->type == MSGPACK_OBJECT_ARRAY ? projects->via.array.size : 0;
    if (!has_list)
        portal_buf_add (b, "<p>%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    else
    if (!n)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Nog geen projecten.", "No projects yet."));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *p = &projects->via.array.ptr [i], *who = imvo_map_get (p, "participants");
        int64_t mandatory = 0;
        imvo_obj_int (imvo_map_get (p, "mandatory_from_company_year"), &mandatory);
        portal_buf_add (b, "<article class=\"project\" id=\"project-%u\"><h3>", i);
        portal_buf_obj (b, imvo_map_get (p, "name"));
        int64_t from = 0, to = 0;
        imvo_obj_int (imvo_map_get (p, "from_year"), &from);
        imvo_obj_int (imvo_map_get (p, "to_year"), &to);
        uint32_t nwho = who && who->type == MSGPACK_OBJECT_ARRAY ? who->via.array.size : 0;
        portal_buf_add (b, "</h3><dl class=\"facts\"><dt>%s</dt><dd>", TR (x, "Jaren", "Years"));
        if (from)
            portal_buf_add (b, "%lld", (long long) from);
        if (from || to)
            portal_buf_add (b, "–");
        if (to)
            portal_buf_add (b, "%lld", (long long) to);
        if (!from && !to)
            portal_buf_add (b, "%s", TR (x, "niet bekend", "not known"));
        portal_buf_add (b, "</dd><dt>%s (%u)</dt><dd>", TR (x, "Deelnemers", "Participants"), nwho);
        staff_orgs_show_list (&orgs, b, covenant, who);
        if (!nwho)
            portal_buf_add (b, "%s", TR (x, "nog niemand vastgelegd", "none recorded yet"));
        portal_buf_add (b, "</dd>");
        if (mandatory)
            portal_buf_add (b, "<dt>%s</dt><dd>%s %lld</dd>", TR (x, "Verplicht", "Mandatory"),
                            TR (x, "vanaf bedrijfsjaar", "from the company's year"), (long long) mandatory);
        if (imvo_obj_is_str (imvo_map_get (p, "source"))) {
            portal_buf_add (b, "<dt>%s</dt><dd class=\"help\">", TR (x, "Bron", "Source"));
            portal_buf_obj (b, imvo_map_get (p, "source"));
            portal_buf_add (b, "</dd>");
        }
        portal_buf_add (b, "</dl><details><summary>%s</summary>", TR (x, "Project en deelnemers wijzigen",
                                                                     "Change the project and its participants"));
        s_project_form (x, b, covenant, year, p, parties, (int) i);
        portal_buf_add (b, "</details></article>");
    }
    portal_buf_add (b, "<details><summary>%s</summary>", TR (x, "Nieuw project", "New project"));
    s_project_form (x, b, covenant, year, NULL, parties, (int) n);
    portal_buf_add (b, "</details></section>");
    imvo_response_release (&list);
    staff_orgs_release (&orgs);
}

static enum MHD_Result
s_bad (staff_t *x, const char *what)
{
    return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), what);
}

static enum MHD_Result
s_choose (staff_t *x, const char *covenant, int64_t year)
{
    const char *picks [2] = { portal_field (x->r, "risk_1"), portal_field (x->r, "risk_2") };
    const char *wg = portal_field (x->r, "working_group"), *note = portal_field (x->r, "note");
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    char rid [64];
    snprintf (rid, sizeof rid, "%s-%lld", covenant, (long long) year);
    msgpack_pack_map (&pk, 2 + (*wg != 0) + (*note != 0));
    imvo_pack_kv_str (&pk, "round_id", rid);
    imvo_pack_str (&pk, "risks");
    msgpack_pack_array (&pk, 2);
    for (int i = 0; i < 2; i++) {
        const char *bar = strrchr (picks [i], '|');
        if (!bar) {
            msgpack_sbuffer_destroy (&body);
            return s_bad (x, TR (x, "Kies twee risico's uit de rangorde.", "Choose two risks from the ranking."));
        }
        msgpack_pack_map (&pk, 2);
        imvo_pack_str (&pk, "theme");
        imvo_pack_strn (&pk, picks [i], (size_t) (bar - picks [i]));
        imvo_pack_kv_str (&pk, "country", bar + 1);
    }
    if (*wg)
        imvo_pack_kv_str (&pk, "working_group", wg);
    if (*note)
        imvo_pack_kv_str (&pk, "note", note);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "scoring", "collective.choose", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/collective?covenant=%s&year=%lld&done=choose", covenant, (long long) year);
    return staff_changed (x, rc, &resp, path);
}

static enum MHD_Result
s_project (staff_t *x, const char *covenant, int64_t year)
{
    static const char *const ints [] = { "from_year", "to_year", "mandatory_from_company_year" };
    const char *code = portal_field (x->r, "code"), *name = portal_field (x->r, "name");
    const char *source = portal_field (x->r, "source");
    if (!*code || !*name)
        return s_bad (x, TR (x, "Een project heeft een code en een naam.", "A project has a code and a name."));
    uint32_t nints = 0, nparts = 0;
    for (int i = 0; i < 3; i++)
        nints += *portal_field (x->r, ints [i]) != 0;
    for (int i = 0; i < x->r->nfields; i++)
        nparts += strncmp (x->r->names [i], "p.", 2) == 0;
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4 + nints + (*source != 0));
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "code", code);
    imvo_pack_kv_str (&pk, "name", name);
    for (int i = 0; i < 3; i++) {
        const char *v = portal_field (x->r, ints [i]);
        if (*v)
            imvo_pack_kv_int (&pk, ints [i], strtoll (v, NULL, 10));
    }
    if (*source)
        imvo_pack_kv_str (&pk, "source", source);
    imvo_pack_str (&pk, "participants");
    msgpack_pack_array (&pk, nparts);
    for (int i = 0; i < x->r->nfields; i++)
        if (strncmp (x->r->names [i], "p.", 2) == 0)
            imvo_pack_str (&pk, x->r->names [i] + 2);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "scoring", "project.put", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/collective?covenant=%s&year=%lld&done=project", covenant, (long long) year);
    return staff_changed (x, rc, &resp, path);
}

enum MHD_Result
staff_collective (staff_t *x, const char *action)
{
    if (!staff_is (x, "secretariat"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            TR (x, "Collectief werk legt het secretariaat vast.", "The secretariat records collective work."));
    const char *covenant;
    int64_t year;
    if (s_args (x, &covenant, &year, x->post))
        return s_bad (x, TR (x, "covenant: een code; year: een jaar van 2000 tot 2100.",
                                "covenant: a code; year: a year from 2000 to 2100."));
    if (x->post)
        return streq (action, "choose") ? s_choose (x, covenant, year)
             : streq (action, "project") ? s_project (x, covenant, year) : staff_not_found (x);
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Collectief werk", "Collective work"));
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/collective\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><div><label for=\"cov\">%s</label><input type=\"text\" id=\"cov\" name=\"covenant\" "
                        "value=\"%s\" maxlength=\"32\"></div><div><label for=\"year\">%s</label><input type=\"number\" "
                        "id=\"year\" name=\"year\" min=\"2000\" max=\"2100\" value=\"%lld\"></div><div><button "
                        "type=\"submit\" class=\"secondary\">%s</button></div></form>",
                    l, TR (x, "Convenant (code)", "Covenant (code)"), covenant, TR (x, "Jaar van de ronde", "Year of the round"),
                    (long long) year, TR (x, "Toon", "Show"));
    const char *done = staff_query (x, "done");
    if (*done)
        portal_buf_add (&b, "<p class=\"note\" role=\"status\">%s</p>", TR (x, "Vastgelegd.", "Recorded."));
    s_risks (x, &b, covenant, year);
    s_projects (x, &b, covenant, year);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

/*  staff_monitoring: the monitoring committee's pages under /staff/monitoring/ (role
    monitoring only): the dispatcher, the links between the pages, and a covenant's assessment
    frameworks: any version read (framework.get), and the next version drafted from the latest
    with its parts, criteria and bands edited as lines of text (framework.put of version + 1;
    the daemon checks the weights and bands and names what is wrong). The round, results and
    start are in staff_monitoring_round.c; appeals and the report in staff_monitoring_report.c. */
#include "staff.h"

#include <ctype.h>
#include <microhttpd.h>

//  --- shared ------------------------------------------------------------------------------------

const char *
staff_finding (staff_t *x, const char *code)
{
    static const char *const words [][3] = {
        { "below_threshold", "onder de drempel van het jaar", "below the threshold of its year" },
        { "improvement_twice", "twee jaar op rij een verbetertraject", "an improvement track two years running" },
        { "late", "plan te laat", "plan late" }, { "missing", "geen plan", "no plan" },
        { "no_public_communication", "geen openbaar verslag", "no public report" },
        { "not_in_living_wage_project", "niet in het leefbaar-loonproject", "not in the living wage project" } };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], code))
            return words [i][1 + x->lang];
    return code;
}

void
staff_monitoring_nav (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year, const char *here)
{
    static const char *const pages [][3] = {
        { "frameworks", "Beoordelingskaders", "Frameworks" }, { "round", "Ronde en resultaten", "Round and results" },
        { "appeals", "Bezwaren", "Appeals" }, { "report", "Sectorrapport", "Sector report" } };
    portal_buf_add (b, "<nav aria-label=\"%s\"><ul class=\"tabs\">", TR (x, "Monitoring", "Monitoring"));
    for (size_t i = 0; i < sizeof pages / sizeof pages [0]; i++) {
        bool on = streq (pages [i][0], here);
        portal_buf_add (b, "<li><a href=\"/staff/monitoring/%s?lang=%s&amp;covenant=%s&amp;year=%lld\"%s>%s</a></li>",
                        pages [i][0], staff_lang (x), covenant, (long long) year, on ? " aria-current=\"page\"" : "",
                        pages [i][1 + x->lang]);
    }
    portal_buf_add (b, "</ul></nav>");
}

//  A form field (POST) or query parameter (GET).
static const char *
s_arg (staff_t *x, const char *name)
{
    return x->post ? portal_field (x->r, name) : staff_query (x, name);
}

//  --- frameworks ---------------------------------------------------------------------------------

static void
s_textarea (staff_t *x, portal_buf_t *b, const char *id, const char *label, const char *help, const char *text,
            int rows)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label><p class=\"help\" id=\"%s-help\">%s</p>"
                       "<textarea id=\"%s\" name=\"%s\" rows=\"%d\" aria-describedby=\"%s-help\" spellcheck=\"false\">",
                    id, label, id, help, id, id, rows, id);
    portal_buf_str (b, text);
    portal_buf_add (b, "</textarea>");
    (void) x;
}

//  A textarea's height: its lines and two more, up to 30.
static int
s_rows (const char *text)
{
    int n = 3;
    for (const char *p = text; p && *p && n < 30; p++)
        n += *p == '\n';
    return n;
}

static enum MHD_Result
s_frameworks (staff_t *x, const char *covenant, int64_t year)
{
    const char *v = staff_query (x, "version");
    long version = *v ? strtol (v, NULL, 10) : 0;
    if (*v && (version < 1 || version > 1000))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "version: een versie is een getal van 1 tot 1000.", "version: a version is a number from 1 to 1000."));
    imvo_response_t latest, shown;
    int rc = staff_ask (x, &latest, "scoring", "framework.get", "s", "covenant", covenant);
    if (rc || !latest.ok)
        return staff_failed (x, rc, &latest);
    int64_t last = 0;
    imvo_obj_int (imvo_map_get (latest.body, "version"), &last);
    bool other = version && version != last;
    if (other) {
        rc = staff_ask (x, &shown, "scoring", "framework.get", "si", "covenant", covenant, "version", (int64_t) version);
        if (rc || !shown.ok) {
            imvo_response_release (&latest);
            return staff_failed (x, rc, &shown);
        }
    }
    const msgpack_object *fw = other ? shown.body : latest.body;
    const char *l = staff_lang (x);
    portal_buf_t b, parts, criteria, bands;
    portal_buf_init (&b);
    portal_buf_init (&parts);
    portal_buf_init (&criteria);
    portal_buf_init (&bands);
    char title [160];
    snprintf (title, sizeof title, "%s – %s", TR (x, "Beoordelingskader", "Assessment framework"), covenant);
    staff_page_start (x, &b, title);
    staff_monitoring_nav (x, &b, covenant, year, "frameworks");
    int64_t fv = 0;
    imvo_obj_int (imvo_map_get (fw, "version"), &fv);
    portal_buf_add (&b, "<dl class=\"facts\"><dt>%s</dt><dd>", TR (x, "Naam", "Name"));
    portal_buf_obj (&b, imvo_map_get (fw, "name"));
    portal_buf_add (&b, "</dd><dt>%s</dt><dd id=\"fw-version\">%lld%s</dd><dt>%s</dt><dd>", TR (x, "Versie", "Version"),
                    (long long) fv, fv == last ? TR (x, " (de nieuwste)", " (the latest)") : "",
                    TR (x, "Plannen in vóór (maand-dag)", "Plans due by (month-day)"));
    portal_buf_obj (&b, imvo_map_get (fw, "due"));
    portal_buf_add (&b, "</dd></dl><p>%s ", TR (x, "Versies:", "Versions:"));
    for (int64_t k = 1; k <= last; k++)
        if (k == fv)
            portal_buf_add (&b, "<strong aria-current=\"page\">%lld</strong> ", (long long) k);
        else
            portal_buf_add (&b, "<a href=\"/staff/monitoring/frameworks?lang=%s&amp;covenant=%s&amp;year=%lld&amp;"
                                "version=%lld\">%lld</a> ", l, covenant, (long long) year, (long long) k, (long long) k);
    portal_buf_add (&b, "</p>");
    const msgpack_object *ps = imvo_map_get (fw, "parts");
    for (uint32_t p = 0; ps && ps->type == MSGPACK_OBJECT_ARRAY && p < ps->via.array.size; p++) {
        const msgpack_object *part = &ps->via.array.ptr [p], *cs = imvo_map_get (part, "criteria");
        portal_buf_add (&b, "<section class=\"card\"><h2>");
        portal_buf_obj (&b, imvo_map_get (part, "name"));
        portal_buf_add (&b, " <span class=\"pill\">");
        portal_buf_obj (&b, imvo_map_get (part, "weight"));
        portal_buf_add (&b, "%%</span></h2><div class=\"table\"><table class=\"list\"><thead><tr><th scope=\"col\">%s</th>"
                            "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                        TR (x, "Criterium", "Criterion"), TR (x, "Omschrijving", "Text"), TR (x, "Max. punten", "Max points"));
        portal_buf_add (&parts, "%s", p ? "\n" : "");
        portal_buf_obj (&parts, imvo_map_get (part, "code"));
        portal_buf_add (&parts, " | ");
        portal_buf_obj (&parts, imvo_map_get (part, "weight"));
        portal_buf_add (&parts, " | ");
        portal_buf_obj (&parts, imvo_map_get (part, "name"));
        for (uint32_t c = 0; cs && cs->type == MSGPACK_OBJECT_ARRAY && c < cs->via.array.size; c++) {
            const msgpack_object *cr = &cs->via.array.ptr [c];
            portal_buf_add (&b, "<tr><td data-label=\"%s\"><code>", TR (x, "Criterium", "Criterion"));
            portal_buf_obj (&b, imvo_map_get (cr, "id"));
            portal_buf_add (&b, "</code></td><td data-label=\"%s\">", TR (x, "Omschrijving", "Text"));
            portal_buf_obj (&b, imvo_map_get (cr, "text"));
            portal_buf_add (&b, "</td><td class=\"num\" data-label=\"%s\">", TR (x, "Max. punten", "Max points"));
            portal_buf_obj (&b, imvo_map_get (cr, "max"));
            portal_buf_add (&b, "</td></tr>");
            portal_buf_add (&criteria, "%s", criteria.len ? "\n" : "");
            portal_buf_obj (&criteria, imvo_map_get (part, "code"));
            portal_buf_add (&criteria, " | ");
            portal_buf_obj (&criteria, imvo_map_get (cr, "id"));
            portal_buf_add (&criteria, " | ");
            portal_buf_obj (&criteria, imvo_map_get (cr, "max"));
            portal_buf_add (&criteria, " | ");
            portal_buf_obj (&criteria, imvo_map_get (cr, "text"));
        }
        portal_buf_add (&b, "</tbody></table></div></section>");
    }
    const msgpack_object *bs = imvo_map_get (fw, "bands");
    portal_buf_add (&b, "<section class=\"card\"><h2>%s</h2><ul>", TR (x, "Klassen", "Bands"));
    for (uint32_t k = 0; bs && bs->type == MSGPACK_OBJECT_ARRAY && k < bs->via.array.size; k++) {
        portal_buf_add (&b, "<li>");
        portal_buf_obj (&b, imvo_map_get (&bs->via.array.ptr [k], "code"));
        portal_buf_add (&b, ": %s ", TR (x, "vanaf", "from"));
        portal_buf_obj (&b, imvo_map_get (&bs->via.array.ptr [k], "min"));
        portal_buf_add (&b, "</li>");
        portal_buf_add (&bands, "%s", k ? "\n" : "");
        portal_buf_obj (&bands, imvo_map_get (&bs->via.array.ptr [k], "code"));
        portal_buf_add (&bands, " | ");
        portal_buf_obj (&bands, imvo_map_get (&bs->via.array.ptr [k], "min"));
    }
    portal_buf_add (&b, "</ul></section>");
    //  The draft of the next version, from the one shown.
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"draft-h\"><h2 id=\"draft-h\">%s %lld</h2><p class=\"help\">%s</p>",
                    TR (x, "Concept voor versie", "Draft of version"), (long long) last + 1,
                    TR (x, "Begonnen vanuit de versie hierboven. Een versie die een ronde gebruikte ligt vast; "
                           "een nieuwe versie geldt voor de volgende ronde.",
                        "Started from the version above. A version a round used is frozen; a new version "
                        "applies to the next round."));
    staff_form (x, &b, "/staff/monitoring/frameworks/draft");
    portal_hidden (&b, "covenant", covenant);
    char num [24];
    snprintf (num, sizeof num, "%lld", (long long) last + 1);
    portal_hidden (&b, "version", num);
    snprintf (num, sizeof num, "%lld", (long long) year);
    portal_hidden (&b, "year", num);
    portal_buf_add (&b, "<div class=\"row\"><div><label for=\"name\">%s</label><input type=\"text\" id=\"name\" name=\"name\" "
                        "maxlength=\"200\" value=\"", TR (x, "Naam", "Name"));
    portal_buf_obj (&b, imvo_map_get (fw, "name"));
    portal_buf_add (&b, "\"></div><div><label for=\"due\">%s</label><input type=\"text\" id=\"due\" name=\"due\" required "
                        "pattern=\"[0-9]{2}-[0-9]{2}\" maxlength=\"5\" value=\"", TR (x, "Plannen in vóór (MM-DD)", "Plans due by (MM-DD)"));
    portal_buf_obj (&b, imvo_map_get (fw, "due"));
    portal_buf_add (&b, "\"></div></div>");
    s_textarea (x, &b, "parts", TR (x, "Onderdelen", "Parts"),
                TR (x, "Eén per regel: code | gewicht | naam. De gewichten tellen op tot 100.",
                    "One a line: code | weight | name. The weights add up to 100."), parts.data ? parts.data : "",
                s_rows (parts.data));
    s_textarea (x, &b, "criteria", TR (x, "Criteria", "Criteria"),
                TR (x, "Eén per regel: onderdeel | id | max. punten | omschrijving.",
                    "One a line: part | id | max points | text."), criteria.data ? criteria.data : "",
                s_rows (criteria.data));
    s_textarea (x, &b, "bands", TR (x, "Klassen", "Bands"),
                TR (x, "Eén per regel: code | vanaf score (0-100); één klas begint bij 0.",
                    "One a line: code | from score (0-100); one band starts at 0."), bands.data ? bands.data : "",
                s_rows (bands.data));
    portal_buf_add (&b, "<button type=\"submit\">%s %lld</button></form></section>",
                    TR (x, "Bewaar als versie", "Save as version"), (long long) last + 1);
    portal_buf_release (&parts);
    portal_buf_release (&criteria);
    portal_buf_release (&bands);
    if (other)
        imvo_response_release (&shown);
    imvo_response_release (&latest);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  Splits a line at '|' into at most n trimmed cells (the last takes the rest); the count.
static int
s_cells (char *line, char **cells, int n)
{
    int k = 0;
    char *p = line;
    while (k < n) {
        char *bar = k < n - 1 ? strchr (p, '|') : NULL;
        if (bar)
            *bar = 0;
        while (isspace ((unsigned char) *p))
            p++;
        char *end = p + strlen (p);
        while (end > p && isspace ((unsigned char) end [-1]))
            *--end = 0;
        cells [k++] = p;
        if (!bar)
            break;
        p = bar + 1;
    }
    return k;
}

static bool
s_whole (const char *s, long min, long max, int64_t *out)
{
    char *end;
    long v = strtol (s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

//  The lines of a textarea as a list of their own copies ("" lines dropped).
static zlistx_t *
s_lines (const char *text)
{
    zlistx_t *out = zlistx_new ();
    zlistx_set_destructor (out, (zlistx_destructor_fn *) zstr_free);
    char *copy = strdup (text), *save = NULL;
    for (char *line = strtok_r (copy, "\r\n", &save); line; line = strtok_r (NULL, "\r\n", &save)) {
        char *p = line;
        while (isspace ((unsigned char) *p))
            p++;
        if (*p)
            zlistx_add_end (out, strdup (p));
    }
    free (copy);
    return out;
}

//  The framework.put body from the form, or a message (in why) naming the line that is wrong.
static int
s_draft_body (staff_t *x, const char *covenant, int64_t version, msgpack_sbuffer *out, char *why, size_t size)
{
    zlistx_t *parts = s_lines (portal_field (x->r, "parts")), *criteria = s_lines (portal_field (x->r, "criteria")),
             *bands = s_lines (portal_field (x->r, "bands"));
    const char *name = portal_field (x->r, "name");
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, *name ? 6 : 5);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_int (&pk, "version", version);
    imvo_pack_kv_str (&pk, "due", portal_field (x->r, "due"));
    if (*name)
        imvo_pack_kv_str (&pk, "name", name);
    imvo_pack_str (&pk, "parts");
    msgpack_pack_array (&pk, (uint32_t) zlistx_size (parts));
    int rc = 0, line = 0;
    for (char *p = zlistx_first (parts); p && rc == 0; p = zlistx_next (parts)) {
        char *cells [3], copy [512];
        int64_t weight;
        line++;
        snprintf (copy, sizeof copy, "%s", p);
        if (s_cells (copy, cells, 3) != 3 || !*cells [0] || !*cells [2] || !s_whole (cells [1], 0, 100, &weight)) {
            snprintf (why, size, TR (x, "Onderdelen, regel %d: schrijf code | gewicht (0-100) | naam.",
                                     "Parts, line %d: write code | weight (0-100) | name."), line);
            rc = -1;
            break;
        }
        uint32_t n = 0;
        for (char *c = zlistx_first (criteria); c; c = zlistx_next (criteria)) {
            char *cc [4], cp [1024];
            snprintf (cp, sizeof cp, "%s", c);
            n += s_cells (cp, cc, 4) == 4 && streq (cc [0], cells [0]);
        }
        msgpack_pack_map (&pk, 4);
        imvo_pack_kv_str (&pk, "code", cells [0]);
        imvo_pack_kv_str (&pk, "name", cells [2]);
        imvo_pack_kv_int (&pk, "weight", weight);
        imvo_pack_str (&pk, "criteria");
        msgpack_pack_array (&pk, n);
        for (char *c = zlistx_first (criteria); c; c = zlistx_next (criteria)) {
            char *cc [4], cp [1024];
            snprintf (cp, sizeof cp, "%s", c);
            if (s_cells (cp, cc, 4) != 4 || !streq (cc [0], cells [0]))
                continue;
            int64_t max = 0;
            s_whole (cc [2], 1, 1000, &max);
            msgpack_pack_map (&pk, 3);
            imvo_pack_kv_str (&pk, "id", cc [1]);
            imvo_pack_kv_str (&pk, "text", cc [3]);
            imvo_pack_kv_int (&pk, "max", max);
        }
    }
    //  Every criterion names a part above, with whole points.
    line = 0;
    for (char *c = rc ? NULL : zlistx_first (criteria); c && rc == 0; c = zlistx_next (criteria)) {
        char *cc [4], cp [1024];
        int64_t max;
        bool known = false;
        line++;
        snprintf (cp, sizeof cp, "%s", c);
        int k = s_cells (cp, cc, 4);
        for (char *p = k == 4 ? zlistx_first (parts) : NULL; p && !known; p = zlistx_next (parts)) {
            char *cells [3], copy [512];
            snprintf (copy, sizeof copy, "%s", p);
            s_cells (copy, cells, 3);
            known = streq (cells [0], cc [0]);
        }
        if (k != 4 || !*cc [1] || !*cc [3] || !s_whole (cc [2], 1, 1000, &max) || !known) {
            snprintf (why, size, TR (x, "Criteria, regel %d: schrijf onderdeel | id | max. punten (1-1000) | omschrijving, "
                                        "met een onderdeel uit de lijst van onderdelen.",
                                     "Criteria, line %d: write part | id | max points (1-1000) | text, with a part "
                                     "from the list of parts."), line);
            rc = -1;
        }
    }
    imvo_pack_str (&pk, "bands");
    msgpack_pack_array (&pk, (uint32_t) zlistx_size (bands));
    line = 0;
    for (char *p = zlistx_first (bands); p && rc == 0; p = zlistx_next (bands)) {
        char *cells [2], copy [256];
        int64_t min;
        line++;
        snprintf (copy, sizeof copy, "%s", p);
        if (s_cells (copy, cells, 2) != 2 || !*cells [0] || !s_whole (cells [1], 0, 100, &min)) {
            snprintf (why, size, TR (x, "Klassen, regel %d: schrijf code | vanaf score (0-100).",
                                     "Bands, line %d: write code | from score (0-100)."), line);
            rc = -1;
            break;
        }
        msgpack_pack_map (&pk, 2);
        imvo_pack_kv_str (&pk, "code", cells [0]);
        imvo_pack_kv_int (&pk, "min", min);
    }
    zlistx_destroy (&parts);
    zlistx_destroy (&criteria);
    zlistx_destroy (&bands);
    return rc;
}

static enum MHD_Result
s_draft (staff_t *x, const char *covenant, int64_t year)
{
    int64_t version;
    if (!s_whole (portal_field (x->r, "version"), 1, 1000, &version))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "version: een versie is een getal van 1 tot 1000.", "version: a version is a number from 1 to 1000."));
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    char why [300] = "";
    if (s_draft_body (x, covenant, version, &body, why, sizeof why)) {
        msgpack_sbuffer_destroy (&body);
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), why);
    }
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "scoring", "framework.put", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/monitoring/frameworks?covenant=%s&year=%lld&version=%lld", covenant,
              (long long) year, (long long) version);
    return staff_changed (x, rc, &resp, path);
}

//  --- the dispatcher -----------------------------------------------------------------------------

enum MHD_Result
staff_monitoring (staff_t *x, const char *rest)
{
    if (!staff_is (x, "monitoring"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            TR (x, "Deze pagina's zijn van de monitoringcommissie.",
                                "These pages are the monitoring committee's."));
    const char *covenant = s_arg (x, "covenant"), *y = s_arg (x, "year");
    if (!portal_code_ok (covenant) || !*covenant)
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "covenant: kies een convenant op de startpagina.",
                                "covenant: choose a covenant on the home page."));
    int64_t year;
    if (!*y)
        year = staff_company_year ();
    else
    if (!s_whole (y, 2000, 2100, &year))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "year: een jaar van 2000 tot 2100.", "year: a year from 2000 to 2100."));
    if (streq (rest, "frameworks") && !x->post)
        return s_frameworks (x, covenant, year);
    if (streq (rest, "frameworks/draft") && x->post)
        return s_draft (x, covenant, year);
    if (strncmp (rest, "round", 5) == 0 && (rest [5] == 0 || rest [5] == '/'))
        return staff_monitoring_round (x, covenant, year, rest [5] ? rest + 6 : "");
    if (strncmp (rest, "appeals", 7) == 0 && (rest [7] == 0 || rest [7] == '/'))
        return staff_monitoring_appeals (x, covenant, year, rest [7] ? rest + 8 : "");
    if (strncmp (rest, "report", 6) == 0 && (rest [6] == 0 || rest [6] == '/'))
        return staff_monitoring_report (x, covenant, year, rest [6] ? rest + 7 : "");
    return staff_not_found (x);
}

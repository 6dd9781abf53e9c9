/*  staff_terms: the secretariat's dates (issue 23, items 1 and 3). /staff/terms: each
    covenant's term as the sources give it, when it runs out and its state; where it has run
    out (or before), the form that records what happened: extended until a date, or ended,
    with its source (covenant.term_record; nothing ends on its own). /staff/disclosures: the
    4 July list of a covenant for a year (location.disclosures): the deadline, the publication
    day, and per company whether it disclosed, which reminders it got and whether it is
    overdue. The members page (staff_members.c) takes a join's real signing date and source. */
#include "staff.h"

#include <time.h>
#include <microhttpd.h>

static const char *
s_state (staff_t *x, const msgpack_object *state)
{
    return imvo_obj_streq (state, "due") ? TR (x, "verstreken: leg vast wat er gebeurde", "run out: record what happened")
         : imvo_obj_streq (state, "extended") ? TR (x, "verlengd", "extended")
         : imvo_obj_streq (state, "ended") ? TR (x, "beëindigd", "ended") : TR (x, "loopt", "running");
}

//  One fact as <dt>name</dt><dd>value</dd> when the value is there.
static void
s_fact (portal_buf_t *b, const char *name, const msgpack_object *v)
{
    if (!v || v->type == MSGPACK_OBJECT_NIL)
        return;
    portal_buf_add (b, "<dt>%s</dt><dd>", name);
    portal_buf_obj (b, v);
    portal_buf_add (b, "</dd>");
}

static void
s_term_card (staff_t *x, portal_buf_t *b, const msgpack_object *cv, const char *code)
{
    const msgpack_object *t = imvo_map_get (cv, "term");
    const msgpack_object *state = imvo_map_get (t, "state"), *decision = imvo_map_get (t, "decision");
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"term-%s\"><h2 id=\"term-%s\">", code, code);
    portal_buf_obj (b, staff_covenant_name (x, cv));
    portal_buf_add (b, "</h2><dl class=\"facts\">");
    s_fact (b, TR (x, "Begint op", "Starts on"), imvo_map_get (t, "starts_on"));
    s_fact (b, TR (x, "Jaren", "Years"), imvo_map_get (t, "years"));
    s_fact (b, TR (x, "Eindigt op (bron)", "Ends on (source)"), imvo_map_get (t, "ends_on"));
    s_fact (b, TR (x, "Loopt af op", "Runs out on"), imvo_map_get (t, "runs_out_on"));
    portal_buf_add (b, "<dt>%s</dt><dd id=\"state-%s\"%s>%s</dd>", TR (x, "Stand", "State"), code,
                    imvo_obj_streq (state, "due") ? " class=\"late\"" : "", s_state (x, state));
    if (decision && decision->type == MSGPACK_OBJECT_MAP) {
        portal_buf_add (b, "<dt>%s</dt><dd>%s</dd>", TR (x, "Vastgelegd", "Recorded"),
                        s_state (x, imvo_map_get (decision, "decision")));
        s_fact (b, TR (x, "Tot", "Until"), imvo_map_get (decision, "until"));
        s_fact (b, TR (x, "Bron", "Source"), imvo_map_get (decision, "source"));
    }
    portal_buf_add (b, "</dl>");
    if (!imvo_obj_streq (state, "ended")) {
        staff_form (x, b, "/staff/terms/record");
        portal_hidden (b, "covenant", code);
        portal_buf_add (b, "<label for=\"decision-%s\">%s</label><select id=\"decision-%s\" name=\"decision\">"
                           "<option value=\"extended\">%s</option><option value=\"ended\">%s</option></select>"
                           "<label for=\"until-%s\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"until-%s\" "
                           "name=\"until\" maxlength=\"10\" placeholder=\"2027-06-19\" pattern=\"[0-9]{4}-[0-9]{2}-[0-9]{2}\">"
                           "<label for=\"source-%s\">%s</label><input type=\"text\" id=\"source-%s\" name=\"source\" "
                           "required maxlength=\"%ld\"><button type=\"submit\">%s</button></form>",
                        code, TR (x, "Besluit", "Decision"), code, TR (x, "verlengd", "extended"),
                        TR (x, "beëindigd", "ended"), code,
                        TR (x, "Tot, JJJJ-MM-DD (verlengd: de nieuwe einddatum; beëindigd: de dag van het einde)",
                            "Until, YYYY-MM-DD (extended: the new end; ended: the day it ended)"), code, code,
                        TR (x, "Bron (notulen, brief, adres)", "Source (minutes, letter, address)"), code,
                        staff_max ("covenant.term_record", "source", 500), TR (x, "Vastleggen", "Record"));
    }
    portal_buf_add (b, "</section>");
}

void
staff_terms_link (staff_t *x, portal_buf_t *b, const msgpack_object *covenants)
{
    int due = 0;
    for (uint32_t i = 0; covenants && covenants->type == MSGPACK_OBJECT_ARRAY && i < covenants->via.array.size; i++)
        due += imvo_obj_streq (imvo_map_get (imvo_map_get (&covenants->via.array.ptr [i], "term"), "state"), "due");
    portal_buf_add (b, "<p><a href=\"/staff/terms?lang=%s\" id=\"terms\">%s</a>", staff_lang (x),
                    TR (x, "Looptijden van de convenanten", "Covenant terms"));
    if (due)
        portal_buf_add (b, " <span class=\"pill\" id=\"terms-due\">%d %s</span>", due,
                        TR (x, "vast te leggen", "to record"));
    portal_buf_add (b, "</p>");
}

//  GET /staff/terms, POST /staff/terms/record.
enum MHD_Result
staff_terms (staff_t *x, const char *action)
{
    if (!staff_is (x, "secretariat"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "Not allowed"),
                            TR (x, "Looptijden legt het secretariaat vast.", "The secretariat records terms."));
    imvo_response_t resp;
    if (x->post) {
        if (!streq (action, "record"))
            return staff_not_found (x);
        int rc = staff_call (x, &resp, "membership", "covenant.term_record", "ssos", "covenant",
                             portal_field (x->r, "covenant"), "decision", portal_field (x->r, "decision"), "until",
                             portal_field (x->r, "until"), "source", portal_field (x->r, "source"));
        return staff_changed (x, rc, &resp, "/staff/terms?done=1");
    }
    int rc = staff_ask (x, &resp, "membership", "covenant.list", "");
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Looptijden van de convenanten", "Covenant terms"));
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Vastgelegd.", "Recorded."));
    portal_buf_add (&b, "<p class=\"help\">%s</p><div class=\"grid\">",
                    TR (x, "Zoals de bronnen de looptijd geven. Is die verstreken, dan legt het secretariaat vast of het "
                           "convenant is verlengd of beëindigd: niets eindigt vanzelf.",
                        "As the sources give the term. Once it has run out the secretariat records whether the covenant "
                        "was extended or ended: nothing ends on its own."));
    const msgpack_object *list = imvo_map_get (resp.body, "covenants");
    int n = 0;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        char code [40] = "";
        const msgpack_object *t = imvo_map_get (cv, "term");
        if (!t || t->type != MSGPACK_OBJECT_MAP || imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code)
        ||  !portal_code_ok (code))
            continue;
        s_term_card (x, &b, cv, code);
        n++;
    }
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "De bronnen geven geen looptijden.", "The sources give no terms."));
    portal_buf_add (&b, "</div>");
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  The reminders a company got, "28, 7" (days before the deadline).
static void
s_days (portal_buf_t *b, const msgpack_object *list)
{
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++)
        portal_buf_add (b, "%s%lld", i ? ", " : "", (long long) list->via.array.ptr [i].via.i64);
}

//  GET /staff/disclosures?covenant=&year=: the 4 July list's deadline, for staff.
enum MHD_Result
staff_disclosures (staff_t *x)
{
    const char *covenant = staff_query (x, "covenant");
    if (!portal_code_ok (covenant))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "Kies een convenant.", "Choose a covenant."));
    char *end;
    int64_t year = strtol (staff_query (x, "year"), &end, 10);
    imvo_response_t resp;
    int rc = staff_ask (x, &resp, "membership", "location.disclosures", "sj", "covenant", covenant, "year",
                        year >= 2000 && year <= 2100 ? year : (int64_t) -1);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    imvo_obj_int (imvo_map_get (resp.body, "year"), &year);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s %lld: %s", TR (x, "Productielocaties", "Production locations"), (long long) year,
              covenant);
    staff_page_start (x, &b, title);
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/disclosures\" class=\"row\"><input type=\"hidden\" "
                        "name=\"lang\" value=\"%s\"><input type=\"hidden\" name=\"covenant\" value=\"%s\"><div>"
                        "<label for=\"year\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"year\" name=\"year\" "
                        "maxlength=\"4\" value=\"%lld\"></div><div><button type=\"submit\">%s</button></div></form>",
                    staff_lang (x), covenant, TR (x, "Jaar", "Year"), (long long) year, TR (x, "Tonen", "Show"));
    portal_buf_add (&b, "<dl class=\"facts\">");
    s_fact (&b, TR (x, "Uiterste datum bekendmaking", "Disclosure deadline"), imvo_map_get (resp.body, "deadline"));
    s_fact (&b, TR (x, "Lijst gepubliceerd op (jaarlijks)", "List published on (yearly)"), imvo_map_get (resp.body, "publish_on"));
    s_fact (&b, TR (x, "Laatst gepubliceerd", "Last published"), imvo_map_get (resp.body, "published_on"));
    portal_buf_add (&b, "</dl>");
    const msgpack_object *list = imvo_map_get (resp.body, "companies");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0, late = 0;
    for (uint32_t i = 0; i < n; i++)
        late += imvo_map_get (&list->via.array.ptr [i], "overdue")
             && imvo_map_get (&list->via.array.ptr [i], "overdue")->type == MSGPACK_OBJECT_BOOLEAN
             && imvo_map_get (&list->via.array.ptr [i], "overdue")->via.boolean;
    const char *heads [5] = { TR (x, "Bedrijf", "Company"), TR (x, "Getekend op", "Signed on"),
                              TR (x, "Bekendgemaakt", "Disclosed"), TR (x, "Herinnerd (dagen vooraf)", "Reminded (days before)"),
                              TR (x, "Te laat", "Overdue") };
    portal_buf_add (&b, "<div class=\"table\"><table class=\"list\" id=\"disclosures\"><caption class=\"help\">%u %s, "
                        "%u %s</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s"
                        "</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                    n, TR (x, "bedrijven", "companies"), late, TR (x, "te laat", "overdue"),
                    heads [0], heads [1], heads [2], heads [3], heads [4]);
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *c = &list->via.array.ptr [i];
        const msgpack_object *o = imvo_map_get (c, "overdue"), *d = imvo_map_get (c, "disclosed");
        bool overdue = o && o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean;
        bool disclosed = d && d->type == MSGPACK_OBJECT_BOOLEAN && d->via.boolean;
        portal_buf_add (&b, "<tr><th scope=\"row\">");
        portal_buf_obj (&b, imvo_map_get (c, "name"));
        portal_buf_add (&b, " <span class=\"help\">");
        portal_buf_obj (&b, imvo_map_get (c, "org_id"));
        portal_buf_add (&b, "</span></th><td data-label=\"%s\">", heads [1]);
        portal_buf_obj (&b, imvo_map_get (c, "since"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">", heads [2],
                        disclosed ? TR (x, "ja", "yes") : TR (x, "nee", "no"), heads [3]);
        s_days (&b, imvo_map_get (c, "reminded"));
        portal_buf_add (&b, "</td><td data-label=\"%s\"%s>%s</td></tr>", heads [4], overdue ? " class=\"late\"" : "",
                        overdue ? TR (x, "te laat", "overdue") : TR (x, "nee", "no"));
    }
    portal_buf_add (&b, "</tbody></table></div>");
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

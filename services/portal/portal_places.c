/*  portal_places: the workplace on the complaint form. A worker may not know the brand she
    makes clothes for, but she knows her factory: she finds it in the covenant's published lists
    (membership's location.search, by words of its name, town or country) and files against its
    location_id; complaints then links the companies that disclosed the place (complaints_links.c)
    and they hear of the case. Or she names a place that is not on the lists, in her own words
    (complaint.submit's place), for the secretariat to match.

    Without JavaScript: the search is a GET form of its own, above the complaint's POST form
    (so that nothing she typed in the complaint travels in a URL), and its results are radio
    buttons in the complaint's form. The search words travel on in that form (place_q), so that a
    form shown again with an error still lists the places, with her choice kept.
*/
#include "portal.h"
#include "portal_places.h"

static const char *const s_text [] = {
    [PLACES_SEARCH_LABEL] = N_("Find the factory or workplace: its name, town or country"),
    [PLACES_SEARCH_HELP] = N_("You do not need to know the brand: the companies that buy from this place hear "
                             "of your complaint. Not who you are."),
    [PLACES_SEARCH] = N_("Search"),
    [PLACES_LEGEND] = N_("Where did it happen?"),
    [PLACES_FOUND] = N_("Choose the place from the published list:"),
    [PLACES_MORE] = N_("More places were found. Type more words to narrow the search."),
    [PLACES_NONE_FOUND] = N_("No place found in the published list. Try other words, or name the place below."),
    [PLACES_NOT_SEARCHED] = N_("Search for the place above, or name it below."),
    [PLACES_NONE_OF_THESE] = N_("None of these"),
    [PLACES_FREE] = N_("Not on the list? Name the place: factory, street, town"),
    [PLACES_UNAVAILABLE] = N_("Searching is not possible right now. Name the place below."),
    [PLACES_COMPANY_HELP] = N_("Not needed when you chose or named the place above."),
    [PLACES_NEED_ONE] = N_("Name the company, or choose or name the place where it happened."),
};

const char *
portal_places_text (portal_lang_t lang, portal_places_text_t key)
{
    return portal_tr (lang, s_text [key]);
}

//  The search words: the GET form's, or those the complaint's form carried on.
static const char *
s_words (struct MHD_Connection *c, portal_req_t *r)
{
    const char *q = r ? portal_field (r, "place_q") : "";
    if (!*q && c) {
        q = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "place_q");
        q = q ? q : "";
        while (*q == ' ')
            q++;
    }
    return q;
}

void
portal_places_search (portal_buf_t *b, struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang,
                      const char *covenant, portal_places_t *p)
{
    memset (p, 0, sizeof *p);
    const char *q = s_words (c, r);
    snprintf (p->q, sizeof p->q, "%s", q);
    portal_buf_add (b, "<form method=\"get\" action=\"/\" role=\"search\" aria-label=\"%s\">"
                       "<input type=\"hidden\" name=\"lang\" value=\"%s\">",
                    portal_places_text (lang, PLACES_LEGEND), portal_lang_code (lang));
    portal_hidden (b, "covenant", covenant);
    portal_buf_add (b, "<label for=\"place_q\">%s</label><p class=\"help\" id=\"place_q-help\">%s</p>"
                       "<input type=\"text\" id=\"place_q\" name=\"place_q\" maxlength=\"%ld\" "
                       "aria-describedby=\"place_q-help\" autocomplete=\"off\" value=\"",
                    portal_places_text (lang, PLACES_SEARCH_LABEL), portal_places_text (lang, PLACES_SEARCH_HELP),
                    portal_max ("location.search", "q"));
    portal_buf_str (b, p->q);
    portal_buf_add (b, "\"><button type=\"submit\">%s</button></form>", portal_places_text (lang, PLACES_SEARCH));
    if (!*p->q)
        return;
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "q", p->q);
    imvo_pack_kv_int (&pk, "limit", 20);
    imvo_error_t err;
    p->asked = true;
    p->answered = true;             //  a query the catalogue refuses finds nothing
    if (portal_check ("location.search", body.data, body.size, &err) == 0) {
        p->held = true;
        p->answered = portal_call ("membership", "location.search", body.data, body.size, &p->resp) == 0
                   && (p->resp.ok || p->resp.err.code == IMVO_ERR_INVALID_ARGUMENT);
    }
    msgpack_sbuffer_destroy (&body);
}

void
portal_places_choice (portal_buf_t *b, portal_req_t *r, portal_lang_t lang, portal_places_t *p)
{
    portal_hidden (b, "place_q", p->q);
    portal_buf_add (b, "<fieldset><legend>%s</legend>", portal_places_text (lang, PLACES_LEGEND));
    const char *chosen = portal_field (r, "location_id");
    const msgpack_object *list = p->held && p->resp.ok ? imvo_map_get (p->resp.body, "locations") : NULL;
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (!p->asked)
        portal_buf_add (b, "<p class=\"help\">%s</p>", portal_places_text (lang, PLACES_NOT_SEARCHED));
    else
    if (!p->answered)
        portal_buf_add (b, "<p class=\"error\" role=\"alert\">%s</p>", portal_places_text (lang, PLACES_UNAVAILABLE));
    else
    if (n == 0)
        portal_buf_add (b, "<p class=\"help\" role=\"status\">%s</p>", portal_places_text (lang, PLACES_NONE_FOUND));
    else {
        portal_buf_add (b, "<p class=\"help\" role=\"status\">%s</p>", portal_places_text (lang, PLACES_FOUND));
        bool any = false;
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *loc = &list->via.array.ptr [i];
            char id [72] = "";
            if (imvo_obj_strcpy (imvo_map_get (loc, "location_id"), id, sizeof id))
                continue;
            bool on = streq (id, chosen);
            any |= on;
            portal_buf_add (b, "<label><input type=\"radio\" name=\"location_id\" value=\"");
            portal_buf_str (b, id);
            portal_buf_add (b, "\"%s> <span>", on ? " checked" : "");
            portal_buf_obj (b, imvo_map_get (loc, "name"));
            const msgpack_object *city = imvo_map_get (loc, "city");
            if (city && city->type == MSGPACK_OBJECT_STR && city->via.str.size) {
                portal_buf_add (b, ", ");
                portal_buf_obj (b, city);
            }
            portal_buf_add (b, " (");
            portal_buf_obj (b, imvo_map_get (loc, "country"));
            portal_buf_add (b, ")</span></label>");
        }
        portal_buf_add (b, "<label><input type=\"radio\" name=\"location_id\" value=\"\"%s> <span>%s</span></label>",
                        any ? "" : " checked", portal_places_text (lang, PLACES_NONE_OF_THESE));
        const msgpack_object *more = imvo_map_get (p->resp.body, "more");
        if (more && more->type == MSGPACK_OBJECT_BOOLEAN && more->via.boolean)
            portal_buf_add (b, "<p class=\"help\">%s</p>", portal_places_text (lang, PLACES_MORE));
    }
    portal_buf_add (b, "<label for=\"place\">%s</label><input type=\"text\" id=\"place\" name=\"place\" "
                       "maxlength=\"%ld\" value=\"", portal_places_text (lang, PLACES_FREE),
                    portal_max ("complaint.submit", "place"));
    portal_buf_str (b, portal_field (r, "place"));
    portal_buf_add (b, "\"></fieldset>");
    if (p->held)
        imvo_response_release (&p->resp);
    p->held = false;
}

void
portal_places_facts (portal_buf_t *b, portal_lang_t lang, const msgpack_object *body)
{
    const msgpack_object *location = imvo_map_get (body, "location_id"), *place = imvo_map_get (body, "place");
    if (location && location->type == MSGPACK_OBJECT_STR) {
        portal_buf_add (b, "<dt>%s</dt><dd id=\"location\">", portal_tr (lang, "Workplace (published list)"));
        portal_buf_obj (b, location);
        //  The companies that disclosed it, linked to the case (complaints_links.c).
        const msgpack_object *linked = imvo_map_get (body, "linked");
        uint32_t n = linked && linked->type == MSGPACK_OBJECT_ARRAY ? linked->via.array.size : 0;
        portal_buf_add (b, "<br><span class=\"help\">%s:</span> ",
                        portal_tr (lang, "companies that source there"));
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *one = &linked->via.array.ptr [i];
            portal_buf_add (b, "%s", i ? ", " : "");
            portal_buf_obj (b, imvo_map_get (one, "org_id"));
            portal_buf_add (b, " (");
            portal_buf_obj (b, imvo_map_get (one, "covenant"));
            portal_buf_add (b, ")");
        }
        if (n == 0)
            portal_buf_add (b, "<em>%s</em>", portal_tr (lang, "none (yet)"));
        portal_buf_add (b, "</dd>");
    }
    if (place && place->type == MSGPACK_OBJECT_STR) {
        portal_buf_add (b, "<dt>%s</dt><dd id=\"place\">", portal_tr (lang, "Place in her words (to match)"));
        portal_buf_obj (b, place);
        portal_buf_add (b, "</dd>");
    }
}

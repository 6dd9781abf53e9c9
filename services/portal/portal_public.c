/*  portal_public: the public pages: a covenant's published decisions and its production
    locations by year (searchable, CSV), and the page for what does not exist. */
#include "portal.h"

#include <microhttpd.h>
#include <sodium.h>

//  --- public pages --------------------------------------------------------------------------

//  A covenant code as the catalogue has it (the format and length of complaint.submit's).
bool
portal_code_ok (const char *s)
{
    size_t n = strlen (s);
    return n >= 1 && (long) n <= portal_max ("complaint.submit", "covenant") && imvo_proto_format_ok (IMVO_FMT_CODE, s, n);
}

enum MHD_Result
portal_not_found (struct MHD_Connection *c, portal_lang_t lang)
{
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_NOT_FOUND), "/");
    portal_page_end (&b);
    return portal_page (c, MHD_HTTP_NOT_FOUND, &b, NULL);
}

//  How a published case ended, in words: the outcome of a decision, or settled, inadmissible.
const char *
portal_conclusion (portal_lang_t lang, const char *conclusion, const char *outcome)
{
    static const char *const words [][2] = {
        { "founded", N_("Decided: founded") },
        { "partly_founded", N_("Decided: partly founded") },
        { "unfounded", N_("Decided: unfounded") },
        { "settled", N_("Settled") },
        { "inadmissible", N_("Inadmissible") },
    };
    const char *key = streq (conclusion, "decided") ? outcome : conclusion;
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], key))
            return portal_tr (lang, words [i][1]);
    return portal_tr (lang, "Decided");
}

enum MHD_Result
portal_decisions (struct MHD_Connection *c, portal_lang_t lang, const char *covenant)
{
    if (!portal_code_ok (covenant))
        return portal_not_found (c, lang);
    imvo_response_t resp;
    int rc = portal_ask (&resp, "complaints", "complaint.decisions", "s", "covenant", covenant);
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_DECISIONS), "");
    const msgpack_object *list = rc == 0 && resp.ok ? imvo_map_get (resp.body, "decisions") : NULL;
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (rc || !resp.ok)
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (lang, T_UNAVAILABLE));
    else
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_NO_DECISIONS));
    //  The committee's statements only (complaint.publish): never the complainant's summary or
    //  description, nor the decision text, which may quote her.
    imvo_response_t members;
    bool asked = n > 0, have_members = asked && portal_members (covenant, false, &members) == 0;
    const msgpack_object *mlist = have_members ? imvo_map_get (members.body, "members") : NULL;
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *d = &list->via.array.ptr [i], *respondent = imvo_map_get (d, "respondent");
        char conclusion [32] = "", outcome [32] = "";
        imvo_obj_strcpy (imvo_map_get (d, "conclusion"), conclusion, sizeof conclusion);
        imvo_obj_strcpy (imvo_map_get (d, "outcome"), outcome, sizeof outcome);
        portal_buf_add (&b, "<article class=\"msg decision\"><h2>");
        portal_buf_obj (&b, imvo_map_get (d, "case_id"));
        portal_buf_add (&b, "</h2><p><strong>%s</strong> (", portal_conclusion (lang, conclusion, outcome));
        portal_buf_obj (&b, imvo_map_get (d, "decided_on"));
        portal_buf_add (&b, ")</p>");
        if (respondent && respondent->type == MSGPACK_OBJECT_STR && respondent->via.str.size) {
            const msgpack_object *name = respondent;
            for (uint32_t k = 0; mlist && mlist->type == MSGPACK_OBJECT_ARRAY && k < mlist->via.array.size; k++) {
                const msgpack_object *id = imvo_map_get (&mlist->via.array.ptr [k], "org_id");
                if (id && id->type == MSGPACK_OBJECT_STR && id->via.str.size == respondent->via.str.size
                &&  memcmp (id->via.str.ptr, respondent->via.str.ptr, id->via.str.size) == 0)
                    name = imvo_map_get (&mlist->via.array.ptr [k], "name");
            }
            portal_buf_add (&b, "<p>%s: ", portal_t (lang, T_COMPANY));
            portal_buf_obj (&b, name);
            portal_buf_add (&b, "</p>");
        }
        portal_buf_add (&b, "<p class=\"statement\">");
        portal_buf_obj (&b, imvo_map_get (d, "statement"));
        portal_buf_add (&b, "</p></article>");
    }
    if (asked)
        imvo_response_release (&members);
    imvo_response_release (&resp);
    portal_page_end (&b);
    return portal_page (c, rc || !resp.ok ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, &b, NULL);
}

enum MHD_Result
portal_locations (struct MHD_Connection *c, portal_lang_t lang, const char *covenant, const char *year_text)
{
    bool csv = strlen (year_text) == 8 && streq (year_text + 4, ".csv");
    char *end;
    long year = strtol (year_text, &end, 10);
    if (!portal_code_ok (covenant) || year < 2000 || year > 2100 || (*end && !(csv && end == year_text + 4)))
        return portal_not_found (c, lang);
    imvo_response_t resp;
    int rc = portal_ask (&resp, "membership", csv ? "location.export" : "location.list", "si", "covenant", covenant,
                         "year", (int64_t) year);
    if (rc || !resp.ok) {
        bool missing = rc == 0 && resp.err.code == IMVO_ERR_NOT_FOUND;
        imvo_response_release (&resp);
        return missing ? portal_not_found (c, lang) : portal_send (c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                                                         portal_t (lang, T_UNAVAILABLE),
                                                         strlen (portal_t (lang, T_UNAVAILABLE)), NULL);
    }
    if (csv) {
        const msgpack_object *text = imvo_map_get (resp.body, "csv");
        enum MHD_Result r = portal_send (c, MHD_HTTP_OK, "text/csv; charset=utf-8",
                                    text && text->type == MSGPACK_OBJECT_STR ? text->via.str.ptr : "",
                                    text && text->type == MSGPACK_OBJECT_STR ? text->via.str.size : 0, NULL);
        imvo_response_release (&resp);
        return r;
    }
    const char *q = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "q");
    portal_buf_t b;
    portal_buf_init (&b);
    char title [160];
    snprintf (title, sizeof title, "%s %ld", portal_t (lang, T_LOCATIONS), year);
    portal_page_start (&b, lang, title, "");
    portal_buf_add (&b, "<form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"%s\"><label for=\"q\">%s"
                        "</label><input type=\"text\" id=\"q\" name=\"q\" value=\"", portal_lang_code (lang),
                    portal_t (lang, T_SEARCH));
    portal_buf_str (&b, q);
    portal_buf_add (&b, "\"><button type=\"submit\">%s</button></form><p><a href=\"/locations/%s/%ld.csv\">%s</a></p>"
                        "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
                    portal_t (lang, T_SEARCH), covenant, year, portal_t (lang, T_DOWNLOAD), portal_t (lang, T_PLACE),
                    "", portal_t (lang, T_COUNTRY));
    const msgpack_object *list = imvo_map_get (resp.body, "locations");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *l = &list->via.array.ptr [i];
        if (q && *q) {
            //  A case-insensitive match in the name, address or city.
            bool hit = false;
            static const char *const fields [] = { "name", "address", "city" };
            for (int f = 0; f < 3 && !hit; f++) {
                char v [512] = "";
                imvo_obj_strcpy (imvo_map_get (l, fields [f]), v, sizeof v);
                hit = strcasestr (v, q) != NULL;
            }
            if (!hit)
                continue;
        }
        portal_buf_add (&b, "<tr><td>");
        portal_buf_obj (&b, imvo_map_get (l, "name"));
        portal_buf_add (&b, "</td><td>");
        portal_buf_obj (&b, imvo_map_get (l, "address"));
        portal_buf_add (&b, ", ");
        portal_buf_obj (&b, imvo_map_get (l, "city"));
        portal_buf_add (&b, "</td><td>");
        portal_buf_obj (&b, imvo_map_get (l, "country"));
        portal_buf_add (&b, "</td></tr>");
    }
    portal_buf_add (&b, "</tbody></table>");
    imvo_response_release (&resp);
    portal_page_end (&b);
    return portal_page (c, MHD_HTTP_OK, &b, NULL);
}


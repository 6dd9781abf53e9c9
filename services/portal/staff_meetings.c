/*  staff_meetings: general meetings and the steering group in the staff console (issue 23,
    item 9), for the secretariat.

    GET /staff/meetings?covenant= shows the steering group with its independent chair
    (steering.get) and its form (POST /staff/meetings/steering: steering.put, a representative's
    name per party), and the general meetings (meeting.list) with the form that records one
    (POST /staff/meetings/record: meeting.record): who attended (every member may), and per party
    its vote on the motion. Supporters and experts get no vote buttons: "Als steunbetuiger heeft
    u geen stem in de besluitvorming." (004); membership refuses such a vote all the same. */
#include "staff.h"

#include <microhttpd.h>

static enum MHD_Result
s_bad (staff_t *x, const char *what)
{
    return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), what);
}

static void
s_steering (staff_t *x, portal_buf_t *b, const char *covenant, staff_orgs_t *orgs)
{
    imvo_response_t g;
    bool has = staff_ask (x, &g, "membership", "steering.get", "s", "covenant", covenant) == 0 && g.ok;
    const msgpack_object *members = staff_orgs_members (orgs, covenant);
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-steering\"><h2 id=\"h-steering\">%s</h2>",
                    TR (x, "Stuurgroep", "Steering group"));
    const msgpack_object *chair = has ? imvo_map_get (g.body, "chair") : NULL;
    const msgpack_object *reps = has ? imvo_map_get (g.body, "members") : NULL, *indep = NULL;
    if (!has)
        portal_buf_add (b, "<p>%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    else {
        indep = imvo_map_get (g.body, "chair_independent");
        portal_buf_add (b, "<dl class=\"facts\"><dt>%s</dt><dd id=\"chair\">", TR (x, "Voorzitter", "Chair"));
        if (imvo_obj_is_str (chair))
            portal_buf_obj (b, chair);
        else
            portal_buf_add (b, "%s", TR (x, "niet vastgelegd", "not recorded"));
        portal_buf_add (b, "%s</dd><dt>%s</dt><dd>", indep && indep->type == MSGPACK_OBJECT_BOOLEAN && indep->via.boolean
                                                     ? TR (x, " (onafhankelijk)", " (independent)") : "",
                        TR (x, "Leden", "Members"));
        if (!reps || reps->type != MSGPACK_OBJECT_ARRAY || !reps->via.array.size)
            portal_buf_add (b, "%s", TR (x, "niet vastgelegd", "not recorded"));
        for (uint32_t i = 0; reps && reps->type == MSGPACK_OBJECT_ARRAY && i < reps->via.array.size; i++) {
            portal_buf_add (b, i ? "; " : "");
            portal_buf_obj (b, imvo_map_get (&reps->via.array.ptr [i], "name"));
            portal_buf_add (b, " (");
            staff_orgs_show (orgs, b, covenant, imvo_map_get (&reps->via.array.ptr [i], "org_id"));
            portal_buf_add (b, ")");
        }
        portal_buf_add (b, "</dd><dt>%s</dt><dd>", TR (x, "Bron", "Source"));
        portal_buf_obj (b, imvo_map_get (g.body, "source"));
        portal_buf_add (b, "</dd></dl>");
    }
    portal_buf_add (b, "<details><summary>%s</summary>", TR (x, "Stuurgroep vastleggen", "Record the steering group"));
    staff_form (x, b, "/staff/meetings/steering");
    portal_hidden (b, "covenant", covenant);
    portal_buf_add (b, "<label for=\"chair-in\">%s</label><input type=\"text\" id=\"chair-in\" name=\"chair\" required "
                       "maxlength=\"200\" value=\"", TR (x, "Voorzitter", "Chair"));
    if (imvo_obj_is_str (chair))
        portal_buf_obj (b, chair);
    portal_buf_add (b, "\"><div class=\"check\"><input type=\"checkbox\" id=\"indep\" name=\"chair_independent\" value=\"1\" "
                       "required checked><label for=\"indep\">%s</label></div><fieldset><legend>%s</legend>",
                    TR (x, "De voorzitter is een onafhankelijk persoon", "The chair is an independent person"),
                    TR (x, "Vertegenwoordiger per partij (leeg: geen)", "Representative per party (empty: none)"));
    for (uint32_t i = 0; members && i < members->via.array.size; i++) {
        char org [72];
        const msgpack_object *m = staff_party (members, i, org);
        if (!m)
            continue;
        portal_buf_add (b, "<label for=\"rep-%u\">", i);
        staff_org_name_of (b, members, i);             //  staff_orgs.c: two of one name with their ids
        portal_buf_add (b, "</label><input type=\"text\" id=\"rep-%u\" name=\"r.", i);
        portal_buf_str (b, org);
        portal_buf_add (b, "\" maxlength=\"200\" value=\"");
        for (uint32_t k = 0; reps && reps->type == MSGPACK_OBJECT_ARRAY && k < reps->via.array.size; k++)
            if (imvo_obj_streq (imvo_map_get (&reps->via.array.ptr [k], "org_id"), org))
                portal_buf_obj (b, imvo_map_get (&reps->via.array.ptr [k], "name"));
        portal_buf_add (b, "\">");
    }
    portal_buf_add (b, "</fieldset><label for=\"st-src\">%s</label><input type=\"text\" id=\"st-src\" name=\"source\" "
                       "maxlength=\"500\"><button type=\"submit\">%s</button></form></details></section>",
                    TR (x, "Bron", "Source"), TR (x, "Stuurgroep opslaan", "Save the steering group"));
    imvo_response_release (&g);
}

static void
s_meetings (staff_t *x, portal_buf_t *b, const char *covenant, staff_orgs_t *orgs)
{
    imvo_response_t list;
    bool has = staff_ask (x, &list, "membership", "meeting.list", "s", "covenant", covenant) == 0 && list.ok;
    const msgpack_object *members = staff_orgs_members (orgs, covenant);
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-meetings\"><h2 id=\"h-meetings\">%s</h2>",
                    TR (x, "Algemene vergaderingen", "General meetings"));
    const msgpack_object *meetings = has ? imvo_map_get (list.body, "meetings") : NULL;
    uint32_t n = meetings && meetings->type == MSGPACK_OBJECT_ARRAY ? meetings->via.array.size : 0;
    if (!n)
        portal_buf_add (b, "<p>%s</p>", has ? TR (x, "Nog geen vergadering vastgelegd.", "No meeting recorded yet.")
                                            : portal_t (x->lang, T_UNAVAILABLE));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *m = &meetings->via.array.ptr [i], *results = imvo_map_get (m, "results");
        portal_buf_add (b, "<article class=\"meeting\"><h3>");
        portal_buf_obj (b, imvo_map_get (m, "date"));
        portal_buf_add (b, "</h3><p>%s: ", TR (x, "Aanwezig", "Present"));
        staff_orgs_show_list (orgs, b, covenant, imvo_map_get (m, "attendees"));
        portal_buf_add (b, "</p><ul>");
        for (uint32_t k = 0; results && results->type == MSGPACK_OBJECT_ARRAY && k < results->via.array.size; k++) {
            const msgpack_object *r = &results->via.array.ptr [k], *carried = imvo_map_get (r, "carried");
            int64_t v [3] = { 0, 0, 0 };
            imvo_obj_int (imvo_map_get (r, "for"), &v [0]);
            imvo_obj_int (imvo_map_get (r, "against"), &v [1]);
            imvo_obj_int (imvo_map_get (r, "abstain"), &v [2]);
            portal_buf_add (b, "<li>");
            portal_buf_obj (b, imvo_map_get (r, "motion"));
            portal_buf_add (b, ": %lld %s, %lld %s, %lld %s: <strong>%s</strong></li>", (long long) v [0],
                            TR (x, "voor", "for"), (long long) v [1], TR (x, "tegen", "against"), (long long) v [2],
                            TR (x, "onthouding", "abstained"),
                            carried && carried->type == MSGPACK_OBJECT_BOOLEAN && carried->via.boolean
                            ? TR (x, "aangenomen", "carried") : TR (x, "verworpen", "not carried"));
        }
        portal_buf_add (b, "</ul></article>");
    }
    portal_buf_add (b, "<h3>%s</h3>", TR (x, "Vergadering vastleggen", "Record a meeting"));
    staff_form (x, b, "/staff/meetings/record");
    portal_hidden (b, "covenant", covenant);
    portal_buf_add (b, "<label for=\"m-date\">%s</label><input type=\"date\" id=\"m-date\" name=\"date\" required>"
                       "<fieldset><legend>%s</legend>", TR (x, "Datum", "Date"), TR (x, "Aanwezig", "Present"));
    for (uint32_t i = 0; members && i < members->via.array.size; i++) {
        const msgpack_object *m = &members->via.array.ptr [i];
        char org [72] = "", role [16] = "";
        imvo_obj_strcpy (imvo_map_get (m, "org_id"), org, sizeof org);
        imvo_obj_strcpy (imvo_map_get (m, "role"), role, sizeof role);
        portal_buf_add (b, "<div class=\"check\"><input type=\"checkbox\" id=\"att-%u\" name=\"a.", i);
        portal_buf_str (b, org);
        portal_buf_add (b, "\" value=\"1\"><label for=\"att-%u\">", i);
        staff_org_name_of (b, members, i);
        portal_buf_add (b, " (%s)</label></div>", staff_role (x, role));
    }
    portal_buf_add (b, "</fieldset><label for=\"m-motion\">%s</label><input type=\"text\" id=\"m-motion\" name=\"motion\" "
                       "maxlength=\"500\"><p class=\"help\">%s</p>", TR (x, "Voorstel (niet verplicht)", "Motion (optional)"),
                    TR (x, "Alleen partijen stemmen; steunbetuigers en experts hebben geen stem.",
                           "Only parties vote; supporters and experts have no vote."));
    static const char *const sides [] = { "for", "against", "abstain", "" };
    const char *words [] = { TR (x, "voor", "for"), TR (x, "tegen", "against"), TR (x, "onthouding", "abstain"),
                             TR (x, "geen stem", "no vote") };
    for (uint32_t i = 0; members && i < members->via.array.size; i++) {
        char org [72];
        const msgpack_object *m = staff_party (members, i, org);
        if (!m)
            continue;
        portal_buf_add (b, "<fieldset class=\"inline\"><legend>");
        staff_org_name_of (b, members, i);
        portal_buf_add (b, "</legend>");
        for (int s = 0; s < 4; s++) {
            portal_buf_add (b, "<div class=\"check\"><input type=\"radio\" id=\"v-%u-%d\" name=\"v.", i, s);
            portal_buf_str (b, org);
            portal_buf_add (b, "\" value=\"%s\"%s><label for=\"v-%u-%d\">%s</label></div>", sides [s], s == 3 ? " checked" : "",
                            i, s, words [s]);
        }
        portal_buf_add (b, "</fieldset>");
    }
    portal_buf_add (b, "<label for=\"m-src\">%s</label><input type=\"text\" id=\"m-src\" name=\"source\" maxlength=\"500\">"
                       "<button type=\"submit\">%s</button></form></section>",
                    TR (x, "Bron (notulen)", "Source (minutes)"), TR (x, "Vergadering opslaan", "Save the meeting"));
    imvo_response_release (&list);
}

//  Packs the posted fields named prefix + org id as an array of org ids (filter: the value).
static void
s_orgs (staff_t *x, msgpack_packer *pk, const char *prefix, const char *value)
{
    size_t len = strlen (prefix);
    uint32_t n = 0;
    for (int i = 0; i < x->r->nfields; i++)
        n += strncmp (x->r->names [i], prefix, len) == 0 && streq (x->r->values [i], value);
    msgpack_pack_array (pk, n);
    for (int i = 0; i < x->r->nfields; i++)
        if (strncmp (x->r->names [i], prefix, len) == 0 && streq (x->r->values [i], value))
            imvo_pack_str (pk, x->r->names [i] + len);
}

static enum MHD_Result
s_record (staff_t *x, const char *covenant)
{
    const char *date = portal_field (x->r, "date"), *motion = portal_field (x->r, "motion");
    const char *source = portal_field (x->r, "source");
    if (!*date)
        return s_bad (x, TR (x, "Vul de datum van de vergadering in.", "Fill in the meeting's date."));
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3 + (*motion != 0) + (*source != 0));
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "date", date);
    imvo_pack_str (&pk, "attendees");
    s_orgs (x, &pk, "a.", "1");
    if (*motion) {
        imvo_pack_str (&pk, "votes");
        msgpack_pack_array (&pk, 1);
        msgpack_pack_map (&pk, 4);
        imvo_pack_kv_str (&pk, "motion", motion);
        static const char *const sides [] = { "for", "against", "abstain" };
        for (int s = 0; s < 3; s++) {
            imvo_pack_str (&pk, sides [s]);
            s_orgs (x, &pk, "v.", sides [s]);
        }
    }
    if (*source)
        imvo_pack_kv_str (&pk, "source", source);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "membership", "meeting.record", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/meetings?covenant=%s&done=meeting", covenant);
    return staff_changed (x, rc, &resp, path);
}

static enum MHD_Result
s_steering_post (staff_t *x, const char *covenant)
{
    const char *chair = portal_field (x->r, "chair"), *source = portal_field (x->r, "source");
    uint32_t n = 0;
    for (int i = 0; i < x->r->nfields; i++)
        n += strncmp (x->r->names [i], "r.", 2) == 0 && *x->r->values [i];
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4 + (*source != 0));
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "chair", chair);
    imvo_pack_kv_bool (&pk, "chair_independent", streq (portal_field (x->r, "chair_independent"), "1"));
    imvo_pack_str (&pk, "members");
    msgpack_pack_array (&pk, n);
    for (int i = 0; i < x->r->nfields; i++)
        if (strncmp (x->r->names [i], "r.", 2) == 0 && *x->r->values [i]) {
            msgpack_pack_map (&pk, 2);
            imvo_pack_kv_str (&pk, "name", x->r->values [i]);
            imvo_pack_kv_str (&pk, "org_id", x->r->names [i] + 2);
        }
    if (*source)
        imvo_pack_kv_str (&pk, "source", source);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "membership", "steering.put", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/meetings?covenant=%s&done=steering", covenant);
    return staff_changed (x, rc, &resp, path);
}

enum MHD_Result
staff_meetings (staff_t *x, const char *action)
{
    if (!staff_is (x, "secretariat"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            TR (x, "Vergaderingen legt het secretariaat vast.", "The secretariat records meetings."));
    const char *c = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    const char *covenant = *c ? c : "metals";
    if (!portal_code_ok (covenant))
        return s_bad (x, TR (x, "covenant: een code.", "covenant: a code."));
    if (x->post)
        return streq (action, "record") ? s_record (x, covenant)
             : streq (action, "steering") ? s_steering_post (x, covenant) : staff_not_found (x);
    staff_orgs_t orgs;                  //  the members, and the names of those the meetings name (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Vergaderingen en stuurgroep", "Meetings and steering group"));
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/meetings\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><div><label for=\"cov\">%s</label><input type=\"text\" id=\"cov\" name=\"covenant\" "
                        "value=\"%s\" maxlength=\"32\"></div><div><button type=\"submit\" class=\"secondary\">%s</button>"
                        "</div></form>", staff_lang (x), TR (x, "Convenant (code)", "Covenant (code)"), covenant,
                    TR (x, "Toon", "Show"));
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"note\" role=\"status\">%s</p>", TR (x, "Vastgelegd.", "Recorded."));
    s_steering (x, &b, covenant, &orgs);
    s_meetings (x, &b, covenant, &orgs);
    staff_orgs_release (&orgs);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

/*  staff_case_page: one case's page for the staff (complaint.get's reply; a company sees its own
    case in staff_company_case.c): the file, the complainant (her identity only after a
    recorded POST), the deadlines, the translations, the moves of the life cycle the person's
    role may make from the current status (each with its reason), assigning, the respondent,
    the committee's decisions and public statement, the history with persons, internal notes,
    the files and the two threads of messages. Its forms post to staff_case (staff_cases.c).
    See staff.h. */
#include "staff.h"
#include "portal_places.h"

#include <microhttpd.h>

//  The life cycle (proto/README.md): who makes which move.
static const struct {
    const char *from, *to, *role;
} s_moves [] = {
    { "received", "admissibility", "secretariat" },
    { "admissibility", "inadmissible", "committee" }, { "admissibility", "response", "committee" },
    { "response", "mediation", "committee" }, { "response", "ruling", "committee" },
    { "mediation", "settled", "committee" }, { "mediation", "ruling", "committee" },
    { "ruling", "decided", "committee" },
    { "received", "withdrawn", "secretariat" }, { "admissibility", "withdrawn", "secretariat" },
    { "response", "withdrawn", "secretariat" }, { "mediation", "withdrawn", "secretariat" },
    { "ruling", "withdrawn", "secretariat" },
    { "inadmissible", "closed", "secretariat" }, { "decided", "closed", "secretariat" },
    { "settled", "closed", "secretariat" }, { "withdrawn", "closed", "secretariat" },
};

static void
s_textarea (staff_t *x, portal_buf_t *b, const char *id, const char *name, const char *label, long max, bool required)
{
    (void) x;
    portal_buf_add (b, "<label for=\"%s\">%s</label><textarea id=\"%s\" name=\"%s\" maxlength=\"%ld\"%s></textarea>",
                    id, label, id, name, max, required ? " required" : "");
}

//  How the case ended, for publication: decided, settled or inadmissible (a closed case: the
//  status it was closed from); "" when it may not be published.
static void
s_concluded (const msgpack_object *body, char *out, size_t size)
{
    char status [32] = "";
    imvo_obj_strcpy (imvo_map_get (body, "status"), status, sizeof status);
    const msgpack_object *hist = imvo_map_get (body, "history");
    if (streq (status, "closed") && hist && hist->type == MSGPACK_OBJECT_ARRAY && hist->via.array.size)
        imvo_obj_strcpy (imvo_map_get (&hist->via.array.ptr [hist->via.array.size - 1], "from"), status, sizeof status);
    snprintf (out, size, "%s", streq (status, "decided") || streq (status, "settled") || streq (status, "inadmissible")
                               ? status : "");
}

//  The public statement (complaint.publish): shown to staff; the committee writes or corrects it
//  once the case ended decided, settled or inadmissible.
static void
s_publication (staff_t *x, portal_buf_t *b, const char *id, const msgpack_object *body)
{
    char concluded [32], covenant [40] = "";
    s_concluded (body, concluded, sizeof concluded);
    imvo_obj_strcpy (imvo_map_get (body, "covenant"), covenant, sizeof covenant);
    const msgpack_object *statement = imvo_map_get (body, "statement");
    bool published = statement && statement->type == MSGPACK_OBJECT_STR;
    if (!published && !(*concluded && staff_is (x, "committee")))
        return;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-pub\"><h2 id=\"h-pub\">%s</h2>",
                    TR (x, "Openbare verklaring", "Public statement"));
    if (published) {
        char when [32];
        staff_when (imvo_map_get (body, "published_at"), when);
        portal_buf_add (b, "<p class=\"help\">%s %s, <a href=\"/decisions/", TR (x, "Gepubliceerd op", "Published on"), when);
        staff_buf_url (b, covenant);
        portal_buf_add (b, "?lang=%s\">/decisions/", staff_lang (x));
        portal_buf_str (b, covenant);
        portal_buf_add (b, "</a></p><p class=\"statement\" id=\"statement\">");
        portal_buf_obj (b, statement);
        portal_buf_add (b, "</p>");
    }
    if (*concluded && staff_is (x, "committee")) {
        staff_case_form (x, b, id, "publish");
        portal_buf_add (b, "<label for=\"statement-text\">%s</label><p class=\"help\" id=\"statement-help\">%s</p>"
                           "<textarea id=\"statement-text\" name=\"statement\" maxlength=\"%ld\" required "
                           "aria-describedby=\"statement-help\">",
                        published ? TR (x, "Verklaring verbeteren", "Correct the statement")
                                  : TR (x, "Verklaring van de commissie", "The committee's statement"),
                        TR (x, "Iedereen kan dit lezen. Schrijf in de woorden van de commissie: citeer de klager niet en "
                               "noem niets waaraan zij te herkennen is.",
                            "Anyone can read this. Write in the committee's own words: do not quote the complainant, "
                            "and name nothing she could be recognised by."),
                        staff_max ("complaint.publish", "statement", 4000));
        if (published)
            portal_buf_obj (b, statement);
        portal_buf_add (b, "</textarea><button type=\"submit\">%s</button></form>",
                        published ? TR (x, "Verbetering publiceren", "Publish the correction")
                                  : TR (x, "Publiceren", "Publish"));
    }
    portal_buf_add (b, "</section>");
}

void
staff_case_page (staff_t *x, portal_buf_t *b, const char *id, const imvo_response_t *got, bool revealed)
{
    const msgpack_object *body = got->body;
    char covenant [40] = "", status [32] = "", when [32];
    imvo_obj_strcpy (imvo_map_get (body, "covenant"), covenant, sizeof covenant);
    imvo_obj_strcpy (imvo_map_get (body, "status"), status, sizeof status);
    staff_orgs_t orgs;                  //  the names of the companies and parties (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    char title [120];
    snprintf (title, sizeof title, "%s %s", TR (x, "Zaak", "Case"), id);
    staff_page_start (x, b, title);
    const char *done = staff_query (x, "done");
    if (*done)
        portal_buf_add (b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    //  The file.
    portal_buf_add (b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-file\"><h2 id=\"h-file\">%s</h2>"
                       "<dl class=\"facts\"><dt>%s</dt><dd>", TR (x, "Dossier", "File"), TR (x, "Onderwerp", "Summary"));
    portal_buf_obj (b, imvo_map_get (body, "summary"));
    portal_buf_add (b, "</dd><dt>%s</dt><dd><span class=\"pill\" id=\"case-status\" data-status=\"%s\">%s</span></dd>"
                       "<dt>%s</dt><dd>", portal_t (x->lang, T_STATUS), status, staff_status (x, status),
                    portal_t (x->lang, T_COVENANT));
    portal_buf_str (b, covenant);
    portal_buf_add (b, "</dd><dt>%s</dt><dd>", portal_t (x->lang, T_COMPANY));
    const msgpack_object *resp_id = imvo_map_get (body, "respondent");
    if (resp_id && resp_id->type == MSGPACK_OBJECT_STR && resp_id->via.str.size)
        staff_orgs_show (&orgs, b, covenant, resp_id);
    else
        portal_buf_add (b, "<em>%s</em>", TR (x, "nog niet bekend", "not known yet"));
    staff_when (imvo_map_get (body, "received_at"), when);
    portal_buf_add (b, "</dd><dt>%s</dt><dd>%s</dd>", TR (x, "Ontvangen", "Received"), when);
    staff_when (imvo_map_get (body, "updated_at"), when);
    portal_buf_add (b, "<dt>%s</dt><dd>%s</dd>", TR (x, "Bijgewerkt", "Updated"), when);
    if (imvo_map_get (body, "country")) {
        portal_buf_add (b, "<dt>%s</dt><dd>", TR (x, "Land", "Country"));
        portal_buf_obj (b, imvo_map_get (body, "country"));
        portal_buf_add (b, "</dd>");
    }
    portal_places_facts (b, x->lang, body);
    staff_parties_case_facts (x, b, body, &orgs);      //  staff_parties.c
    const msgpack_object *assigned = imvo_map_get (body, "assigned");
    portal_buf_add (b, "<dt>%s</dt><dd id=\"assigned\">", TR (x, "Toegewezen aan", "Assigned to"));
    if (assigned && assigned->type == MSGPACK_OBJECT_MAP) {
        portal_buf_obj (b, imvo_map_get (assigned, "person"));
        staff_when (imvo_map_get (assigned, "at"), when);
        portal_buf_add (b, " <span class=\"help\">(%s ", TR (x, "door", "by"));
        const msgpack_object *by = imvo_map_get (assigned, "by_person");
        if (by && by->type == MSGPACK_OBJECT_STR)
            portal_buf_obj (b, by);
        else {
            char role [32] = "";
            imvo_obj_strcpy (imvo_map_get (assigned, "by"), role, sizeof role);
            portal_buf_str (b, staff_role (x, role));
        }
        portal_buf_add (b, ", %s)</span>", when);
    }
    else
        portal_buf_add (b, "<em>%s</em>", TR (x, "niemand", "nobody"));
    portal_buf_add (b, "</dd>");
    //  The outcome and the decision text: the committee's decisions (staff_committee.c).
    char lang [8] = "nl";           //  the language she wrote in (staff_translation.c)
    imvo_obj_strcpy (imvo_map_get (body, "lang"), lang, sizeof lang);
    portal_buf_add (b, "</dl><h3>%s</h3><p lang=\"%s\">", TR (x, "Wat er is gebeurd", "What happened"),
                    portal_code_ok (lang) ? lang : "nl");
    portal_buf_obj (b, imvo_map_get (body, "description"));
    portal_buf_add (b, "</p></section>");
    //  The complainant: the identity only after a POST that is recorded.
    const msgpack_object *who = imvo_map_get (body, "complainant");
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-who\"><h2 id=\"h-who\">%s</h2>",
                    TR (x, "Klager", "Complainant"));
    bool anonymous = staff_true (imvo_map_get (who, "anonymous"));
    const msgpack_object *kind = imvo_map_get (who, "kind"), *name = imvo_map_get (who, "name");
    portal_buf_add (b, "<p>%s", anonymous ? TR (x, "Anoniem", "Anonymous") : TR (x, "Met naam", "Named"));
    if (kind && kind->type == MSGPACK_OBJECT_STR) {
        portal_buf_add (b, " (");
        portal_buf_obj (b, kind);
        portal_buf_add (b, ")");
    }
    portal_buf_add (b, "</p>");
    if (name && name->type == MSGPACK_OBJECT_STR && (revealed || !staff_true (imvo_map_get (who, "identity_hidden")))) {
        portal_buf_add (b, "<div class=\"identity\" id=\"identity\"><p><strong>%s:</strong> ", portal_t (x->lang, T_NAME));
        portal_buf_obj (b, name);
        portal_buf_add (b, "</p><p><strong>%s:</strong> ", portal_t (x->lang, T_CONTACT));
        portal_buf_obj (b, imvo_map_get (who, "contact"));
        portal_buf_add (b, "</p><p class=\"help\">%s</p></div>",
                        TR (x, "Deze inzage is vastgelegd op de zaak en in het logboek.",
                            "This reading is recorded on the case and in the audit trail."));
    }
    else
    if (staff_true (imvo_map_get (who, "identity_hidden"))) {
        staff_case_form (x, b, id, "identity");
        portal_buf_add (b, "<p class=\"help\">%s</p><button type=\"submit\" class=\"secondary\">%s</button></form>",
                        TR (x, "De naam en het contact zijn verborgen. Inzien wordt vastgelegd op de zaak en in het logboek.",
                            "The name and contact are hidden. Showing them is recorded on the case and in the audit trail."),
                        TR (x, "Identiteit tonen", "Show identity"));
    }
    const msgpack_object *reads = imvo_map_get (body, "identity_reads");
    uint32_t nreads = reads && reads->type == MSGPACK_OBJECT_ARRAY ? reads->via.array.size : 0;
    if (nreads) {
        portal_buf_add (b, "<details><summary>%s (%u)</summary><ul>", TR (x, "Eerder ingezien", "Read before"), nreads);
        for (uint32_t i = 0; i < nreads && i < 20; i++) {
            staff_when (imvo_map_get (&reads->via.array.ptr [i], "at"), when);
            portal_buf_add (b, "<li>%s ", when);
            portal_buf_obj (b, imvo_map_get (&reads->via.array.ptr [i], "by"));
            portal_buf_add (b, " ");
            portal_buf_obj (b, imvo_map_get (&reads->via.array.ptr [i], "person"));
            portal_buf_add (b, "</li>");
        }
        portal_buf_add (b, "</ul></details>");
    }
    portal_buf_add (b, "</section>");
    staff_deadlines (x, b, body);           //  staff_company_case.c
    portal_buf_add (b, "</div>");
    staff_translations (x, b, id, body);
    //  What may be done: moves, assigning, the respondent.
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-act\"><h2 id=\"h-act\">%s</h2>",
                    TR (x, "Behandelen", "Handle"));
    int moves = 0;
    for (size_t i = 0; i < sizeof s_moves / sizeof s_moves [0]; i++) {
        if (!streq (s_moves [i].from, status) || !staff_is (x, s_moves [i].role))
            continue;
        const char *to = s_moves [i].to;
        char fid [48];
        snprintf (fid, sizeof fid, "reason-%s", to);
        //  The first move opens; withdrawing never does by itself.
        portal_buf_add (b, "<details%s><summary>%s %s</summary>", moves || streq (to, "withdrawn") ? "" : " open",
                        TR (x, "Naar:", "Move to:"),
                        staff_status (x, to));
        staff_case_form (x, b, id, "transition");
        portal_hidden (b, "to", to);
        s_textarea (x, b, fid, "reason", TR (x, "Reden (de klager ziet deze)", "Reason (the complainant sees it)"),
                    staff_max ("complaint.transition", "reason", 2000), true);
        if (streq (to, "decided")) {
            //  No outcome chosen beforehand: the committee picks one.
            portal_buf_add (b, "<label for=\"outcome\">%s</label><select id=\"outcome\" name=\"outcome\" required>"
                               "<option value=\"\">%s</option><option value=\"founded\">%s</option>"
                               "<option value=\"partly_founded\">%s</option><option value=\"unfounded\">%s</option></select>",
                            TR (x, "Uitkomst", "Outcome"), TR (x, "Kies de uitkomst", "Choose the outcome"),
                            TR (x, "Gegrond", "Founded"), TR (x, "Deels gegrond", "Partly founded"),
                            TR (x, "Ongegrond", "Unfounded"));
            s_textarea (x, b, "decision", "decision", TR (x, "Tekst van de uitspraak (de klager en het bedrijf lezen deze)",
                                                          "The decision's text (the complainant and the company read it)"),
                        staff_max ("complaint.transition", "decision", 20000), true);
        }
        portal_buf_add (b, "<button type=\"submit\" name=\"go\" value=\"%s\">%s: %s</button></form></details>", to,
                        TR (x, "Zet door naar", "Move to"), staff_status (x, to));
        moves++;
    }
    if (!moves)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Uw rol kan deze zaak nu niet verder zetten.",
                                            "Your role cannot move this case on from here."));
    if (staff_is (x, "secretariat") || staff_is (x, "committee")) {
        staff_case_form (x, b, id, "assign");
        portal_buf_add (b, "<div class=\"row\"><div><label for=\"person\">%s</label><input type=\"text\" id=\"person\" "
                           "name=\"person\" maxlength=\"64\" autocomplete=\"off\" spellcheck=\"false\" "
                           "aria-describedby=\"person-help\" value=\"", TR (x, "Toewijzen aan (gebruikersnaam)",
                                                                            "Assign to (username)"));
        portal_buf_str (b, x->s.username);
        portal_buf_add (b, "\"><p class=\"help\" id=\"person-help\">%s</p></div><div><button type=\"submit\">%s</button>"
                           "</div></div></form>", TR (x, "Leeg laten om de toewijzing op te heffen.", "Leave empty to unassign."),
                        TR (x, "Toewijzen", "Assign"));
    }
    const msgpack_object *m = staff_is (x, "secretariat") ? staff_orgs_members (&orgs, covenant) : NULL;
    if (streq (status, "received") && m) {
        staff_case_form (x, b, id, "respondent");
        portal_buf_add (b, "<div class=\"row\"><div><label for=\"respondent\">%s</label><select id=\"respondent\" "
                           "name=\"respondent\" required>", TR (x, "Bedrijf waartegen de klacht is", "Company complained about"));
        char current [72] = "";
        imvo_obj_strcpy (resp_id, current, sizeof current);
        staff_org_options (b, m, "company", current);
        portal_buf_add (b, "</select></div><div><button type=\"submit\">%s</button></div></div></form>",
                        TR (x, "Bedrijf vastleggen", "Set company"));
    }
    portal_buf_add (b, "</section>");
    staff_case_decisions (x, b, body);
    s_publication (x, b, id, body);
    //  History, with the persons.
    const msgpack_object *hist = imvo_map_get (body, "history");
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-hist\"><h2 id=\"h-hist\">%s</h2><ol class=\"history\">",
                    portal_t (x->lang, T_HISTORY));
    for (uint32_t i = 0; hist && hist->type == MSGPACK_OBJECT_ARRAY && i < hist->via.array.size; i++) {
        const msgpack_object *h = &hist->via.array.ptr [i];
        char from [32] = "", to [32] = "", by [32] = "";
        imvo_obj_strcpy (imvo_map_get (h, "from"), from, sizeof from);
        imvo_obj_strcpy (imvo_map_get (h, "to"), to, sizeof to);
        imvo_obj_strcpy (imvo_map_get (h, "by"), by, sizeof by);
        staff_when (imvo_map_get (h, "at"), when);
        portal_buf_add (b, "<li><strong>%s</strong> ", when);
        if (*from)
            portal_buf_add (b, "%s → ", staff_status (x, from));
        portal_buf_add (b, "%s, %s %s", staff_status (x, to), TR (x, "door", "by"), staff_role (x, by));
        if (imvo_map_get (h, "person")) {
            portal_buf_add (b, " (");
            portal_buf_obj (b, imvo_map_get (h, "person"));
            portal_buf_add (b, ")");
        }
        if (imvo_map_get (h, "reason")) {
            portal_buf_add (b, ": ");
            portal_buf_obj (b, imvo_map_get (h, "reason"));
        }
        portal_buf_add (b, "</li>");
    }
    portal_buf_add (b, "</ol></section>");
    //  Internal notes (staff only) and the form to add one.
    const msgpack_object *notes = imvo_map_get (body, "notes");
    portal_buf_add (b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-notes\"><h2 id=\"h-notes\">%s</h2>",
                    TR (x, "Interne notities", "Internal notes"));
    uint32_t nnotes = notes && notes->type == MSGPACK_OBJECT_ARRAY ? notes->via.array.size : 0;
    if (!nnotes)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Nog geen notities.", "No notes yet."));
    for (uint32_t i = 0; i < nnotes; i++) {
        const msgpack_object *n = &notes->via.array.ptr [i];
        char role [32] = "";
        imvo_obj_strcpy (imvo_map_get (n, "role"), role, sizeof role);
        staff_when (imvo_map_get (n, "at"), when);
        portal_buf_add (b, "<div class=\"note\"><p class=\"help\">%s, ", when);
        portal_buf_obj (b, imvo_map_get (n, "person"));
        portal_buf_add (b, " (%s)</p><p>", staff_role (x, role));
        portal_buf_obj (b, imvo_map_get (n, "text"));
        portal_buf_add (b, "</p></div>");
    }
    if (staff_is (x, "secretariat") || staff_is (x, "committee")) {
        staff_case_form (x, b, id, "note");
        s_textarea (x, b, "note-text", "text", TR (x, "Nieuwe notitie (alleen voor het secretariaat en de commissie)",
                                                   "New note (for the secretariat and the committee only)"),
                    staff_max ("complaint.note", "text", 4000), true);
        portal_buf_add (b, "<button type=\"submit\">%s</button></form>", TR (x, "Notitie toevoegen", "Add note"));
    }
    portal_buf_add (b, "</section>");
    staff_attachments (x, b, id, body);
    //  Messages with the complainant and with the company: two threads (staff_committee.c).
    staff_case_messages (x, b, id, body);
    portal_buf_add (b, "</div><p><a href=\"/staff/cases?lang=%s&amp;covenant=", staff_lang (x));
    staff_buf_url (b, covenant);
    portal_buf_add (b, "\">%s</a></p>", TR (x, "Terug naar de klachten", "Back to the cases"));
    staff_orgs_release (&orgs);
}

/*  staff_committee: the complaints committee's day in the console (issue 22, 1).

    /staff/committee?covenant=: the covenant's cases by the committee's four stages
    (admissibility, response, mediation, ruling), each a section with its count (complaint.stats)
    and its newest cases (complaint.list), and the cases that ended decided, settled or
    inadmissible without a public statement yet (complaint.decisions holds the published ones).
    On a case's page (staff_case_page.c) two parts come from here: the committee's decisions taken
    from its history (the move, the reason, and for decided the outcome and the decision text),
    and the messages as two threads, one with the complainant and one with the company
    (complaint.messages' audience), each with its own form while the case takes messages. */
#include "staff.h"

#include <microhttpd.h>

#define S_SHOWN 25                  //  cases listed per stage; the queue has the rest

static const char *const s_stages [] = { "admissibility", "response", "mediation", "ruling", NULL };
static const char *const s_ended [] = { "decided", "settled", "inadmissible", NULL };

//  What the committee does at a stage, in a line.
static const char *
s_stage_help (staff_t *x, const char *stage)
{
    return streq (stage, "admissibility")
           ? TR (x, "Is de klacht ontvankelijk? Door naar de reactie van het bedrijf, of niet-ontvankelijk.",
                 "Is the complaint admissible? On to the company's response, or inadmissible.")
         : streq (stage, "response") ? TR (x, "Het bedrijf reageert; daarna bemiddeling of een uitspraak.",
                                           "The company responds; then mediation or a ruling.")
         : streq (stage, "mediation") ? TR (x, "Bemiddeling tussen klager en bedrijf: geschikt, of toch een uitspraak.",
                                            "Mediation between complainant and company: settled, or a ruling after all.")
         : TR (x, "De commissie doet uitspraak: gegrond, deels gegrond of ongegrond, met de tekst van de uitspraak.",
               "The committee rules: founded, partly founded or unfounded, with the decision's text.");
}

static int64_t
s_count (const imvo_response_t *stats, const char *status)
{
    const msgpack_object *per = stats->ok ? imvo_map_get (stats->body, "per_status") : NULL;
    const msgpack_object *n = per ? imvo_map_get (per, status) : NULL;
    return n && n->type == MSGPACK_OBJECT_POSITIVE_INTEGER ? (int64_t) n->via.u64 : 0;
}

//  Whether a case id is among complaint.decisions' published statements.
static bool
s_published (const imvo_response_t *decisions, const char *case_id)
{
    const msgpack_object *list = decisions->ok ? imvo_map_get (decisions->body, "decisions") : NULL;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++)
        if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "case_id"), case_id))
            return true;
    return false;
}

static void
s_table_start (staff_t *x, portal_buf_t *b, const char *caption)
{
    portal_buf_add (b, "<div class=\"table\"><table class=\"list\"><caption class=\"visually-hidden\">%s</caption><thead><tr>"
                       "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                       "<th scope=\"col\">%s</th></tr></thead><tbody>", caption, TR (x, "Zaak", "Case"),
                    TR (x, "Ontvangen", "Received"), portal_t (x->lang, T_COMPANY), TR (x, "Onderwerp", "Summary"),
                    TR (x, "Toegewezen", "Assigned"));
}

//  One row of a stage's table (it: an item of complaint.list's cases).
static void
s_row (staff_t *x, portal_buf_t *b, const msgpack_object *it, staff_orgs_t *orgs, const char *covenant, const char *note)
{
    char id [72] = "", when [32], who [72] = "";
    imvo_obj_strcpy (imvo_map_get (it, "case_id"), id, sizeof id);
    staff_when (imvo_map_get (it, "received_at"), when);
    const msgpack_object *as = imvo_map_get (it, "assigned");
    imvo_obj_strcpy (as && as->type == MSGPACK_OBJECT_MAP ? imvo_map_get (as, "person") : as, who, sizeof who);
    const msgpack_object *late = imvo_map_get (it, "overdue");
    portal_buf_add (b, "<tr><td class=\"num\" data-label=\"%s\"><a href=\"/staff/case/", TR (x, "Zaak", "Case"));
    staff_buf_url (b, id);
    portal_buf_add (b, "?lang=%s\">", staff_lang (x));
    portal_buf_str (b, id);
    portal_buf_add (b, "</a>%s%s</td><td class=\"num\" data-label=\"%s\">%s</td><td data-label=\"%s\">",
                    late && late->type == MSGPACK_OBJECT_BOOLEAN && late->via.boolean
                    ? TR (x, " <span class=\"late\">(termijn verlopen)</span>", " <span class=\"late\">(overdue)</span>") : "",
                    note, TR (x, "Ontvangen", "Received"), when, portal_t (x->lang, T_COMPANY));
    staff_orgs_show (orgs, b, covenant, imvo_map_get (it, "respondent"));
    portal_buf_add (b, "</td><td data-label=\"%s\">", TR (x, "Onderwerp", "Summary"));
    portal_buf_obj (b, imvo_map_get (it, "summary"));
    portal_buf_add (b, "</td><td data-label=\"%s\">", TR (x, "Toegewezen", "Assigned"));
    if (*who)
        portal_buf_str (b, who);
    else
        portal_buf_add (b, "<em>%s</em>", TR (x, "niemand", "nobody"));
    portal_buf_add (b, "</td></tr>");
}

//  Whether covenant.list has this code; its name in the page's language into name.
static bool
s_covenant_known (staff_t *x, const char *covenant, char *name, size_t size)
{
    imvo_response_t cov;
    bool known = false;
    if (portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, &cov) == 0 && cov.ok) {
        const msgpack_object *list = imvo_map_get (cov.body, "covenants");
        for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size && !known; i++)
            if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "code"), covenant)) {
                known = true;
                if (imvo_obj_strcpy (staff_covenant_name (x, &list->via.array.ptr [i]), name, size))
                    snprintf (name, size, "%s", covenant);
            }
    }
    imvo_response_release (&cov);
    return known;
}

static void
s_covenant_choice (staff_t *x, portal_buf_t *b, const char *chosen)
{
    portal_buf_add (b, "<form method=\"get\" action=\"/staff/committee\" class=\"card row\" aria-label=\"%s\">",
                    portal_t (x->lang, T_COVENANT));
    portal_hidden (b, "lang", staff_lang (x));
    portal_buf_add (b, "<div>");
    staff_select_covenant (x, b, chosen, false);
    portal_buf_add (b, "</div><div><button type=\"submit\">%s</button></div></form>", TR (x, "Tonen", "Show"));
}

//  One stage's section: its count, what the committee does there, its newest cases.
static void
s_stage (staff_t *x, portal_buf_t *b, const char *covenant, const char *stage, int64_t count, staff_orgs_t *orgs)
{
    portal_buf_add (b, "<section class=\"card\" id=\"stage-%s\" aria-labelledby=\"h-%s\"><h2 id=\"h-%s\">%s "
                       "<span class=\"pill\" id=\"count-%s\">%lld</span></h2><p class=\"help\">%s</p>",
                    stage, stage, stage, staff_status (x, stage), stage, (long long) count, s_stage_help (x, stage));
    imvo_response_t list;
    if (staff_ask (x, &list, "complaints", "complaint.list", "ssi", "covenant", covenant, "status", stage,
                   "limit", (int64_t) S_SHOWN) || !list.ok)
        portal_buf_add (b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    else {
        const msgpack_object *cases = imvo_map_get (list.body, "cases");
        uint32_t n = cases && cases->type == MSGPACK_OBJECT_ARRAY ? cases->via.array.size : 0;
        if (!n)
            portal_buf_add (b, "<p>%s</p>", TR (x, "Geen zaken in deze fase.", "No cases at this stage."));
        else {
            s_table_start (x, b, staff_status (x, stage));
            for (uint32_t k = 0; k < n; k++)
                s_row (x, b, &cases->via.array.ptr [k], orgs, covenant, "");
            portal_buf_add (b, "</tbody></table></div>");
        }
        if ((int64_t) n < count) {
            portal_buf_add (b, "<p><a href=\"/staff/cases?lang=%s&amp;status=%s&amp;covenant=", staff_lang (x), stage);
            staff_buf_url (b, covenant);
            portal_buf_add (b, "\">%s (%lld)</a></p>", TR (x, "Alle zaken in deze fase", "All cases at this stage"),
                            (long long) count);
        }
    }
    imvo_response_release (&list);
    portal_buf_add (b, "</section>");
}

//  The newest cases that ended decided, settled or inadmissible and have no statement among the
//  newest published ones (complaint.decisions: 100), as a table in b; how many.
static uint32_t
s_to_publish (staff_t *x, portal_buf_t *b, const char *covenant, const imvo_response_t *decisions, staff_orgs_t *orgs)
{
    uint32_t waiting = 0;
    for (int i = 0; s_ended [i]; i++) {
        imvo_response_t list;
        if (staff_ask (x, &list, "complaints", "complaint.list", "ssi", "covenant", covenant, "status", s_ended [i],
                       "limit", (int64_t) S_SHOWN) == 0 && list.ok) {
            const msgpack_object *cases = imvo_map_get (list.body, "cases");
            for (uint32_t k = 0; cases && cases->type == MSGPACK_OBJECT_ARRAY && k < cases->via.array.size; k++) {
                char id [72] = "", note [96];
                imvo_obj_strcpy (imvo_map_get (&cases->via.array.ptr [k], "case_id"), id, sizeof id);
                if (s_published (decisions, id))
                    continue;
                if (!waiting++)
                    s_table_start (x, b, TR (x, "Te publiceren", "To publish"));
                snprintf (note, sizeof note, " <span class=\"pill\">%s</span>", staff_status (x, s_ended [i]));
                s_row (x, b, &cases->via.array.ptr [k], orgs, covenant, note);
            }
        }
        imvo_response_release (&list);
    }
    if (waiting)
        portal_buf_add (b, "</tbody></table></div>");
    else
        portal_buf_add (b, "<p>%s</p>", TR (x, "Niets te publiceren.", "Nothing to publish."));
    return waiting;
}

enum MHD_Result
staff_committee (staff_t *x)
{
    if (!staff_is (x, "committee"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            TR (x, "Deze pagina is voor de klachtencommissie.", "This page is for the complaints committee."));
    const char *covenant = staff_query (x, "covenant");
    if (*covenant && !portal_code_ok (covenant))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "Dit convenant bestaat niet: kies er een uit de lijst.",
                                "No such covenant: choose one from the list."));
    char name [200] = "";
    if (*covenant && !s_covenant_known (x, covenant, name, sizeof name))
        return staff_error (x, MHD_HTTP_NOT_FOUND, TR (x, "Niet gevonden", "Not found"),
                            TR (x, "Dit convenant bestaat niet: kies er een uit de lijst.",
                                "No such covenant: choose one from the list."));
    portal_buf_t b;
    portal_buf_init (&b);
    if (!*covenant) {
        staff_page_start (x, &b, TR (x, "Klachtencommissie", "Complaints committee"));
        s_covenant_choice (x, &b, "");
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    imvo_response_t stats, decisions;
    int rc = staff_ask (x, &stats, "complaints", "complaint.stats", "s", "covenant", covenant);
    if (rc || !stats.ok) {
        portal_buf_release (&b);
        return staff_failed (x, rc, &stats);
    }
    if (staff_ask (x, &decisions, "complaints", "complaint.decisions", "s", "covenant", covenant))
        decisions.ok = false;
    staff_orgs_t orgs;                  //  the respondents' names (staff_orgs.c)
    staff_orgs_init (&orgs, x);
    char title [240];
    snprintf (title, sizeof title, "%s: %s", TR (x, "Klachtencommissie", "Complaints committee"), name);
    staff_page_start (x, &b, title);
    s_covenant_choice (x, &b, covenant);
    //  The ended cases without a statement first, for their count in the tabs.
    portal_buf_t waiting;
    portal_buf_init (&waiting);
    uint32_t nwaiting = s_to_publish (x, &waiting, covenant, &decisions, &orgs);
    //  The stages as tabs: a link to each section, with its count.
    portal_buf_add (&b, "<nav class=\"tabs\" aria-label=\"%s\"><ul>", TR (x, "Fasen", "Stages"));
    for (int i = 0; s_stages [i]; i++)
        portal_buf_add (&b, "<li><a href=\"#stage-%s\"><span class=\"tab\">%s</span> <span class=\"pill\">%lld</span></a>"
                            "</li>", s_stages [i],
                        staff_status (x, s_stages [i]), (long long) s_count (&stats, s_stages [i]));
    portal_buf_add (&b, "<li><a href=\"#stage-publish\"><span class=\"tab\">%s</span> <span class=\"pill\">%u</span></a>"
                        "</li></ul></nav>",
                    TR (x, "Te publiceren", "To publish"), nwaiting);
    for (int i = 0; s_stages [i]; i++)
        s_stage (x, &b, covenant, s_stages [i], s_count (&stats, s_stages [i]), &orgs);
    portal_buf_add (&b, "<section class=\"card\" id=\"stage-publish\" aria-labelledby=\"h-publish\"><h2 id=\"h-publish\">%s"
                        " <span class=\"pill\" id=\"count-publish\">%u</span></h2><p class=\"help\">%s</p>",
                    TR (x, "Te publiceren", "To publish"), nwaiting,
                    TR (x, "Zaken met een uitspraak, geschikt of niet-ontvankelijk, nog zonder openbare verklaring.",
                        "Cases decided, settled or inadmissible that have no public statement yet."));
    portal_buf_raw (&b, waiting.data, waiting.len);
    portal_buf_release (&waiting);
    portal_buf_add (&b, "<p><a href=\"/decisions/");
    staff_buf_url (&b, covenant);
    portal_buf_add (&b, "?lang=%s\">%s</a></p></section>", staff_lang (x),
                    TR (x, "De openbare uitspraken van dit convenant", "This covenant's public decisions"));
    staff_orgs_release (&orgs);
    imvo_response_release (&decisions);
    imvo_response_release (&stats);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- on a case's page ------------------------------------------------------------------------------

static const char *
s_outcome (staff_t *x, const char *outcome)
{
    return streq (outcome, "founded") ? TR (x, "Gegrond", "Founded")
         : streq (outcome, "partly_founded") ? TR (x, "Deels gegrond", "Partly founded")
         : streq (outcome, "unfounded") ? TR (x, "Ongegrond", "Unfounded") : outcome;
}

void
staff_case_decisions (staff_t *x, portal_buf_t *b, const msgpack_object *body)
{
    const msgpack_object *hist = imvo_map_get (body, "history");
    uint32_t n = hist && hist->type == MSGPACK_OBJECT_ARRAY ? hist->via.array.size : 0;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-decisions\"><h2 id=\"h-decisions\">%s</h2>",
                    TR (x, "Beslissingen van de commissie", "The committee's decisions"));
    uint32_t shown = 0;
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *h = &hist->via.array.ptr [i];
        char from [32] = "", to [32] = "", when [32];
        if (!imvo_obj_streq (imvo_map_get (h, "by"), "committee"))
            continue;
        imvo_obj_strcpy (imvo_map_get (h, "from"), from, sizeof from);
        imvo_obj_strcpy (imvo_map_get (h, "to"), to, sizeof to);
        staff_when (imvo_map_get (h, "at"), when);
        if (!shown++)
            portal_buf_add (b, "<ol class=\"decisions\">");
        portal_buf_add (b, "<li class=\"decision\" data-to=\"%s\"><p><strong>%s → %s</strong> <span class=\"help\">%s",
                        to, staff_status (x, from), staff_status (x, to), when);
        if (imvo_map_get (h, "person")) {
            portal_buf_add (b, ", ");
            portal_buf_obj (b, imvo_map_get (h, "person"));
        }
        portal_buf_add (b, "</span></p><p>");
        portal_buf_obj (b, imvo_map_get (h, "reason"));
        portal_buf_add (b, "</p>");
        if (streq (to, "decided") && imvo_map_get (body, "outcome")) {
            char outcome [32] = "";
            imvo_obj_strcpy (imvo_map_get (body, "outcome"), outcome, sizeof outcome);
            portal_buf_add (b, "<dl class=\"facts\"><dt>%s</dt><dd id=\"decision-outcome\">%s</dd><dt>%s</dt>"
                               "<dd id=\"decision-text\">",
                            TR (x, "Uitkomst", "Outcome"), s_outcome (x, outcome), TR (x, "Uitspraak", "Decision"));
            portal_buf_obj (b, imvo_map_get (body, "decision"));
            portal_buf_add (b, "</dd></dl>");
        }
        portal_buf_add (b, "</li>");
    }
    if (shown)
        portal_buf_add (b, "</ol>");
    else
        portal_buf_add (b, "<p>%s</p>", TR (x, "De commissie heeft over deze zaak nog niets beslist.",
                                            "The committee has not decided anything on this case yet."));
    portal_buf_add (b, "</section>");
}

void
staff_case_message (staff_t *x, portal_buf_t *b, const msgpack_object *m)
{
    char from [32] = "", when [32];
    imvo_obj_strcpy (imvo_map_get (m, "from"), from, sizeof from);
    staff_when (imvo_map_get (m, "at"), when);
    portal_buf_add (b, "<div class=\"msg\"><p class=\"help\">%s, %s", when,
                    streq (from, "company") && staff_is (x, "company") ? TR (x, "uw bedrijf", "your company")
                                                                       : staff_role (x, from));
    if (imvo_map_get (m, "person")) {
        portal_buf_add (b, " (");
        portal_buf_obj (b, imvo_map_get (m, "person"));
        portal_buf_add (b, ")");
    }
    portal_buf_add (b, "</p><p>");
    portal_buf_obj (b, imvo_map_get (m, "text"));
    portal_buf_add (b, "</p></div>");
}

//  One thread: the messages of one audience (all of them for a company, which sees only its own).
static void
s_thread (staff_t *x, portal_buf_t *b, const char *case_id, const imvo_response_t *msgs, const char *audience,
          bool form, bool ended)
{
    bool company = staff_is (x, "company");
    portal_buf_add (b, "<section class=\"card\" id=\"thread-%s\" aria-labelledby=\"h-thread-%s\"><h2 id=\"h-thread-%s\">%s"
                       "</h2>", audience, audience, audience,
                    streq (audience, "company") ? TR (x, "Berichten met het bedrijf", "Messages with the company")
                                                : TR (x, "Berichten met de klager", "Messages with the complainant"));
    if (!msgs->ok)
        portal_buf_add (b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    const msgpack_object *list = msgs->ok ? imvo_map_get (msgs->body, "messages") : NULL;
    uint32_t shown = 0;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *m = &list->via.array.ptr [i], *to = imvo_map_get (m, "audience");
        bool theirs = company || (streq (audience, "company") ? imvo_obj_streq (to, "company")
                                                              : !imvo_obj_streq (to, "company"));
        if (!theirs)
            continue;
        staff_case_message (x, b, m);
        shown++;
    }
    if (msgs->ok && !shown)
        portal_buf_add (b, "<p>%s</p>", portal_t (x->lang, T_NO_MESSAGES));
    if (ended && (staff_is (x, "secretariat") || staff_is (x, "committee")))
        portal_buf_add (b, "<p class=\"help\">%s</p>", TR (x, "Een afgeronde zaak neemt geen berichten meer aan.",
                                                           "A case that ended takes no more messages."));
    if (form) {
        char fid [40];
        snprintf (fid, sizeof fid, "msg-%s", audience);
        staff_case_form (x, b, case_id, "message");
        portal_hidden (b, "to", audience);
        portal_buf_add (b, "<label for=\"%s\">%s</label><textarea id=\"%s\" name=\"text\" maxlength=\"%ld\" required>"
                           "</textarea><button type=\"submit\">%s</button></form>", fid,
                        streq (audience, "company") ? TR (x, "Bericht aan het bedrijf", "Message to the company")
                                                    : TR (x, "Bericht aan de klager", "Message to the complainant"),
                        fid, staff_max ("complaint.message", "text", 20000), portal_t (x->lang, T_SEND));
    }
    portal_buf_add (b, "</section>");
}

void
staff_case_messages (staff_t *x, portal_buf_t *b, const char *case_id, const msgpack_object *body)
{
    static const char *const ended [] = { "inadmissible", "decided", "settled", "withdrawn", "closed", NULL };
    char status [32] = "";
    imvo_obj_strcpy (imvo_map_get (body, "status"), status, sizeof status);
    bool open = true;
    for (int i = 0; ended [i]; i++)
        open = open && !streq (status, ended [i]);
    const msgpack_object *respondent = imvo_map_get (body, "respondent");
    bool has_company = respondent && respondent->type == MSGPACK_OBJECT_STR && respondent->via.str.size;
    bool writes = open && (staff_is (x, "secretariat") || staff_is (x, "committee"));
    imvo_response_t msgs;
    if (staff_ask (x, &msgs, "complaints", "complaint.messages", "s", "case_id", case_id))
        msgs.ok = false;
    if (!staff_is (x, "company"))
        s_thread (x, b, case_id, &msgs, "complainant", writes, !open);
    if (has_company)
        s_thread (x, b, case_id, &msgs, "company", writes, !open);
    imvo_response_release (&msgs);
}

/*  staff_company_case: a case against the company, as the company sees it (complaint.get gives
    a company its own cases only, and the complainant's identity only when she shared it): the
    complaint, its deadlines, the files shared with the company, the thread of messages between
    the company and the secretariat or committee (complaint.messages), the company's response
    while the case is in `response` (complaint.respond) and a message (complaint.message, which
    the daemon puts in the company's thread). Another company's case is refused by complaints
    (403) before anything of it is shown. See staff.h. */
#include "staff.h"

#include <microhttpd.h>

static void
s_textarea (staff_t *x, portal_buf_t *b, const char *id, const char *label, const char *help, long max)
{
    (void) x;
    portal_buf_add (b, "<label for=\"%s\">%s</label><p class=\"help\" id=\"%s-help\">%s</p>"
                       "<textarea id=\"%s\" name=\"text\" rows=\"6\" required maxlength=\"%ld\" "
                       "aria-describedby=\"%s-help\"></textarea>", id, label, id, help, id, max, id);
}

//  A deadline's name in words.
static const char *
s_deadline (staff_t *x, const char *name)
{
    return streq (name, "response") && staff_is (x, "company") ? TR (x, "Uw reactie", "Your response")
         : streq (name, "response") ? TR (x, "Reactie van het bedrijf", "The company's response")
         : streq (name, "feedback") ? TR (x, "Terugkoppeling aan de klager", "Feedback to the complainant")
         : streq (name, "decision") ? TR (x, "Uitspraak van de commissie", "The committee's decision")
         : streq (name, "admissibility") ? TR (x, "Besluit over de ontvankelijkheid", "Decision on admissibility")
         : streq (name, "acknowledge") ? TR (x, "Ontvangstbevestiging", "Acknowledgement of receipt")
         : name;
}

void
staff_deadlines (staff_t *x, portal_buf_t *b, const msgpack_object *body)
{
    char when [32];
    const msgpack_object *dl = imvo_map_get (body, "deadlines");
    uint32_t ndl = dl && dl->type == MSGPACK_OBJECT_ARRAY ? dl->via.array.size : 0;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-dl\"><h2 id=\"h-dl\">%s</h2>",
                    TR (x, "Termijnen", "Deadlines"));
    staff_list_start (b, ndl, TR (x, "Geen open termijnen.", "No open deadlines."), "");
    for (uint32_t i = 0; i < ndl; i++) {
        const msgpack_object *d = &dl->via.array.ptr [i], *left = imvo_map_get (d, "left_s");
        char name_ [32] = "";
        imvo_obj_strcpy (imvo_map_get (d, "deadline"), name_, sizeof name_);
        staff_when (imvo_map_get (d, "due_at"), when);
        bool late = left && left->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
        portal_buf_add (b, "<li%s>%s: %s %s%s</li>", late ? " class=\"late\"" : "", s_deadline (x, name_),
                        TR (x, "uiterlijk", "by"), when, late ? TR (x, " (verlopen)", " (passed)") : "");
    }
    staff_list_end (b, ndl);
    portal_buf_add (b, "</section>");
}

static void
s_page (staff_t *x, portal_buf_t *b, const char *id, const msgpack_object *body)
{
    char status [32] = "", when [32];
    imvo_obj_strcpy (imvo_map_get (body, "status"), status, sizeof status);
    char title [120];
    bool dispute = imvo_obj_streq (imvo_map_get (body, "kind"), "dispute");      //  between two parties
    snprintf (title, sizeof title, "%s %s", dispute ? TR (x, "Geschil", "Dispute") : TR (x, "Klacht", "Complaint"), id);
    staff_page_start (x, b, title);
    const char *done = staff_query (x, "done");
    if (*done)
        portal_buf_add (b, "<p class=\"ok\" role=\"status\">%s</p>",
                        streq (done, "respond") ? TR (x, "Uw reactie is verstuurd.", "Your response was sent.")
                        : TR (x, "Uw bericht is verstuurd.", "Your message was sent."));
    portal_buf_add (b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-file\"><h2 id=\"h-file\">%s</h2>"
                       "<dl class=\"facts\"><dt>%s</dt><dd>", dispute ? TR (x, "Het geschil", "The dispute")
                                                                : TR (x, "De klacht", "The complaint"),
                    TR (x, "Onderwerp", "Summary"));
    portal_buf_obj (b, imvo_map_get (body, "summary"));
    portal_buf_add (b, "</dd><dt>%s</dt><dd><span class=\"pill\" id=\"case-status\" data-status=\"%s\">%s</span></dd>"
                       "<dt>%s</dt><dd>", portal_t (x->lang, T_STATUS), status, staff_status (x, status),
                    portal_t (x->lang, T_COVENANT));
    portal_buf_obj (b, imvo_map_get (body, "covenant"));
    portal_buf_add (b, "</dd>");
    staff_dispute_parties (x, b, body);         //  staff_disputes.c: a dispute's two parties
    staff_when (imvo_map_get (body, "received_at"), when);
    portal_buf_add (b, "<dt>%s</dt><dd>%s</dd>", TR (x, "Ontvangen", "Received"), when);
    const msgpack_object *who = imvo_map_get (body, "complainant"), *name = imvo_map_get (who, "name");
    if (name && name->type == MSGPACK_OBJECT_STR) {
        portal_buf_add (b, "<dt>%s</dt><dd>", TR (x, "Klager (door haar gedeeld)", "Complainant (shared by her)"));
        portal_buf_obj (b, name);
        portal_buf_add (b, "</dd>");
    }
    if (imvo_map_get (body, "outcome")) {
        portal_buf_add (b, "<dt>%s</dt><dd>", TR (x, "Uitkomst", "Outcome"));
        portal_buf_obj (b, imvo_map_get (body, "outcome"));
        portal_buf_add (b, "</dd>");
    }
    char lang [8] = "nl";
    imvo_obj_strcpy (imvo_map_get (body, "lang"), lang, sizeof lang);
    portal_buf_add (b, "</dl><h3>%s</h3><p lang=\"%s\">", TR (x, "Wat er is gebeurd", "What happened"),
                    portal_code_ok (lang) ? lang : "nl");
    portal_buf_obj (b, imvo_map_get (body, "description"));
    portal_buf_add (b, "</p></section>");
    staff_deadlines (x, b, body);
    portal_buf_add (b, "</div>");
    staff_attachments (x, b, id, body);
    //  The response, while the case asks it (once given, its deadline is closed: more may follow).
    bool asked = false;
    const msgpack_object *dl = imvo_map_get (body, "deadlines");
    uint32_t ndl = dl && dl->type == MSGPACK_OBJECT_ARRAY ? dl->via.array.size : 0;
    for (uint32_t i = 0; i < ndl; i++)
        asked |= imvo_obj_streq (imvo_map_get (&dl->via.array.ptr [i], "deadline"), "response");
    if (streq (status, "response")) {
        portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-resp\"><h2 id=\"h-resp\">%s</h2>",
                        asked ? TR (x, "Uw reactie op de klacht", "Your response to the complaint")
                              : TR (x, "Uw reactie is ontvangen; u kunt iets toevoegen", "Your response was received; you may add to it"));
        staff_case_form (x, b, id, "respond");
        s_textarea (x, b, "respond-text", TR (x, "Reactie", "Response"),
                    TR (x, "De commissie en het secretariaat lezen uw reactie; de klager niet rechtstreeks.",
                        "The committee and the secretariat read your response; the complainant does not directly."),
                    staff_max ("complaint.respond", "text", 20000));
        portal_buf_add (b, "<button type=\"submit\">%s</button></form></section>", TR (x, "Reactie versturen", "Send the response"));
    }
    //  The thread.
    imvo_response_t msgs;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-msg\"><h2 id=\"h-msg\">%s</h2>",
                    TR (x, "Berichten met het secretariaat en de commissie", "Messages with the secretariat and the committee"));
    if (staff_ask (x, &msgs, "complaints", "complaint.messages", "s", "case_id", id) == 0 && msgs.ok) {
        const msgpack_object *list = imvo_map_get (msgs.body, "messages");
        uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
        if (!n)
            portal_buf_add (b, "<p>%s</p>", portal_t (x->lang, T_NO_MESSAGES));
        for (uint32_t i = 0; i < n; i++)
            staff_case_message (x, b, &list->via.array.ptr [i]);      //  staff_committee.c
    }
    else
        portal_buf_add (b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    imvo_response_release (&msgs);
    static const char *const closed [] = { "inadmissible", "decided", "settled", "withdrawn", "closed", NULL };
    bool open = true;
    for (int i = 0; closed [i]; i++)
        open &= !streq (status, closed [i]);
    if (open) {
        staff_case_form (x, b, id, "message");
        s_textarea (x, b, "msg-text", portal_t (x->lang, T_MESSAGE),
                    TR (x, "Naar het secretariaat en de commissie.", "To the secretariat and the committee."),
                    staff_max ("complaint.message", "text", 20000));
        portal_buf_add (b, "<button type=\"submit\" class=\"secondary\">%s</button></form>", portal_t (x->lang, T_SEND));
    }
    portal_buf_add (b, "</section><p><a href=\"/staff/?lang=%s\">%s</a></p>", staff_lang (x),
                    TR (x, "Terug naar de startpagina", "Back to the home page"));
}

enum MHD_Result
staff_company_case (staff_t *x, const char *case_id, const char *action)
{
    imvo_response_t resp;
    int rc;
    if (*action) {
        const char *text = portal_field (x->r, "text");
        if (!streq (action, "respond") && !streq (action, "message"))
            return staff_not_found (x);
        if (!*text)
            return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                                TR (x, "Schrijf eerst een tekst.", "Write a text first."));
        rc = staff_call (x, &resp, "complaints", streq (action, "respond") ? "complaint.respond" : "complaint.message",
                         "ss", "case_id", case_id, "text", text);
        char path [160];
        snprintf (path, sizeof path, "/staff/case/%s?done=%s", case_id, action);
        return staff_changed (x, rc, &resp, path);
    }
    rc = staff_ask (x, &resp, "complaints", "complaint.get", "s", "case_id", case_id);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    portal_buf_t b;
    portal_buf_init (&b);
    s_page (x, &b, case_id, resp.body);
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

/*  staff_disputes: /staff/disputes, where a party of a covenant files a dispute against another
    party (seed 001: "Onafhankelijke klachten- en geschillenmechanisme"), in the console: a
    company's person for its own organisation (it must be a current party), the secretariat
    for any party. The form names the parties by name (the portal's cached member.list of the
    covenant, its current parties); its POST asks complaint.submit with kind dispute,
    claimant_org and respondent on a worker thread (staff_call, with the form's idempotency
    key), and complaints checks again that both are current parties and the filer may file.

    What is wrong is said beside the field it is about, on the form again with everything as
    it was typed (our own checks first, then the daemon's refusal naming its field); a filed
    dispute is a 303 to the page again, which names the case and links its page. A company's
    person also sees its open disputes here: complaint.open (through org.get of itself) gives
    them with side claimant (staff_disputes_follow.c). See staff.h. */
#include "staff.h"

#include <microhttpd.h>

//  The form's fields as posted (or empty), and what is wrong with one of them.
typedef struct {
    const char *covenant, *claimant, *respondent, *summary, *description, *name, *contact;
    const char *bad;            //  the field that is wrong (its input's id), or NULL
    char why [400];             //  what is wrong with it
} s_form_t;

//  The daemon's field names to the form's.
static const char *
s_field_of (const char *daemon_field)
{
    static const char *const map [][2] = {
        { "claimant_org", "claimant_org" }, { "respondent", "respondent" }, { "summary", "summary" },
        { "description", "description" }, { "complainant.name", "name" }, { "complainant.contact", "contact" },
        { "covenant", "covenant" } };
    for (size_t i = 0; i < sizeof map / sizeof map [0]; i++)
        if (streq (map [i][0], daemon_field))
            return map [i][1];
    return NULL;
}

//  The covenants the person may file in: the secretariat every active one, a company those it
//  is a current party of (org: org.get of itself). Whether code is one of them.
static bool
s_may_file_in (staff_t *x, const imvo_response_t *org, const msgpack_object *cv)
{
    if (!imvo_obj_streq (imvo_map_get (cv, "status"), "active"))
        return false;
    if (staff_is (x, "secretariat"))
        return true;
    char code [40] = "";
    imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code);
    const msgpack_object *list = org ? imvo_map_get (org->body, "memberships") : NULL;
    for (uint32_t i = 0; code [0] && list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *m = &list->via.array.ptr [i];
        if (imvo_obj_streq (imvo_map_get (m, "covenant"), code) && imvo_obj_streq (imvo_map_get (m, "status"), "active")
        &&  imvo_obj_streq (imvo_map_get (m, "role"), "party"))
            return true;
    }
    return false;
}

//  The covenant the page is about: the chosen one when the person may file in it, else the
//  first she may; "" when none.
static const char *
s_covenant (staff_t *x, const imvo_response_t *cov, const imvo_response_t *org, const char *want, char out [40])
{
    const msgpack_object *list = imvo_map_get (cov->body, "covenants");
    out [0] = 0;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        if (!s_may_file_in (x, org, &list->via.array.ptr [i]))
            continue;
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "code"), code, sizeof code);
        if (!out [0] || streq (code, want))
            snprintf (out, 40, "%s", code);
        if (streq (code, want))
            break;
    }
    return out;
}

//  An input's attributes when it is the wrong one: aria-invalid, and its message as description.
static void
s_invalid (portal_buf_t *b, const s_form_t *f, const char *id)
{
    if (f->bad && streq (f->bad, id))
        portal_buf_add (b, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id);
}

//  The message under a label when its field is the wrong one.
static void
s_error_at (portal_buf_t *b, const s_form_t *f, const char *id)
{
    if (f->bad && streq (f->bad, id)) {
        portal_buf_add (b, "<p class=\"error\" id=\"%s-error\">", id);
        portal_buf_str (b, f->why);
        portal_buf_add (b, "</p>");
    }
}

//  A <select> of the covenant's current parties by name (skip: an org left out, the company's
//  own), chosen selected.
static void
s_parties (staff_t *x, portal_buf_t *b, const s_form_t *f, const char *id, const char *label, const char *help,
           const msgpack_object *members, const char *skip, const char *chosen)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label>", id, label);
    if (help)
        portal_buf_add (b, "<p class=\"help\" id=\"%s-help\">%s</p>", id, help);
    s_error_at (b, f, id);
    portal_buf_add (b, "<select id=\"%s\" name=\"%s\" required", id, id);
    if (f->bad && streq (f->bad, id))
        s_invalid (b, f, id);
    else
    if (help)
        portal_buf_add (b, " aria-describedby=\"%s-help\"", id);
    portal_buf_add (b, "><option value=\"\">%s</option>", TR (x, "Kies een partij", "Choose a party"));
    for (uint32_t i = 0; members && i < members->via.array.size; i++) {
        const msgpack_object *m = &members->via.array.ptr [i];
        char org [72] = "";
        imvo_obj_strcpy (imvo_map_get (m, "org_id"), org, sizeof org);
        if (!imvo_obj_streq (imvo_map_get (m, "role"), "party") || !org [0] || (skip && streq (org, skip)))
            continue;
        staff_org_option (b, members, i, org, chosen);       //  staff_orgs.c
    }
    portal_buf_add (b, "</select>");
}

//  A text input (or textarea, rows > 0) with its label, help, message and value as typed.
static void
s_text (portal_buf_t *b, const s_form_t *f, const char *id, const char *label, const char *help, const char *value,
        long max, int rows, const char *autocomplete)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label>", id, label);
    if (help)
        portal_buf_add (b, "<p class=\"help\" id=\"%s-help\">%s</p>", id, help);
    s_error_at (b, f, id);
    if (rows)
        portal_buf_add (b, "<textarea id=\"%s\" name=\"%s\" rows=\"%d\" required maxlength=\"%ld\"", id, id, rows, max);
    else
        portal_buf_add (b, "<input type=\"text\" id=\"%s\" name=\"%s\" required maxlength=\"%ld\"%s%s%s", id, id, max,
                        autocomplete ? " autocomplete=\"" : "", autocomplete ? autocomplete : "", autocomplete ? "\"" : "");
    if (f->bad && streq (f->bad, id))
        s_invalid (b, f, id);
    else
    if (help)
        portal_buf_add (b, " aria-describedby=\"%s-help\"", id);
    if (rows) {
        portal_buf_add (b, ">");
        portal_buf_str (b, value);
        portal_buf_add (b, "</textarea>");
    }
    else {
        portal_buf_add (b, " value=\"");
        portal_buf_str (b, value);
        portal_buf_add (b, "\">");
    }
}

//  Ends the page, with the box saying what is wrong (f->bad) put in at error_at, before the
//  form: it links to the wrong field only when the page made has it (id="<field>" after
//  error_at), else says it in plain text. A company that is no longer a party, or a covenant
//  whose parties cannot be read, gets no form, and a covenant of one choice no select: a link
//  there would go nowhere.
static enum MHD_Result
s_end (staff_t *x, portal_buf_t *b, const s_form_t *f, size_t error_at, unsigned status)
{
    if (!f->bad)
        return staff_page_end (x, b, status);
    char id [64];
    snprintf (id, sizeof id, "id=\"%s\"", f->bad);
    bool here = strstr (b->data + error_at, id) != NULL;
    portal_buf_t page;
    portal_buf_init (&page);
    portal_buf_raw (&page, b->data, error_at);
    portal_buf_add (&page, "<div class=\"error\" role=\"alert\" id=\"form-error\"><p>%s</p><p>",
                    TR (x, "Het geschil is niet ingediend; er is niets veranderd.",
                        "The dispute was not filed; nothing was changed."));
    if (here)
        portal_buf_add (&page, "<a href=\"#%s\">", f->bad);
    portal_buf_str (&page, f->why);
    portal_buf_add (&page, "%s</p></div>", here ? "</a>" : "");
    portal_buf_raw (&page, b->data + error_at, b->len - error_at);
    portal_buf_release (b);
    return staff_page_end (x, &page, status);
}

//  The page: the covenant chosen, the form (f: as posted, with what is wrong) and, for a
//  company, its open disputes; status 200, or 400 after a refusal.
static enum MHD_Result
s_page (staff_t *x, const s_form_t *f, unsigned status)
{
    imvo_response_t cov, org, members;         //  org: a company's only (a zone is released once made)
    bool company = staff_is (x, "company");
    if (portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, &cov) || !cov.ok)
        return staff_failed (x, -1, &cov);
    if (company && staff_company_org (x, &org)) {
        imvo_response_release (&cov);
        return staff_failed (x, -1, &org);
    }
    char covenant [40];
    s_covenant (x, &cov, company ? &org : NULL, f->covenant, covenant);
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Een geschil indienen", "File a dispute"));
    //  The case just filed (the 303 after the POST): a case id's letters only, so that a link
    //  made elsewhere cannot put words of its own in the notice.
    const char *filed = x->post ? "" : staff_query (x, "filed");
    if (*filed && strlen (filed) < 64 && strspn (filed, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen (filed)) {
        portal_buf_add (&b, "<div class=\"ok\" role=\"status\" id=\"filed\"><p>%s <strong>",
                        TR (x, "Het geschil is ingediend. Zaaknummer:", "The dispute was filed. Case id:"));
        portal_buf_str (&b, filed);
        portal_buf_add (&b, "</strong></p><p><a href=\"/staff/case/");
        staff_buf_url (&b, filed);
        portal_buf_add (&b, "?lang=%s\">%s</a></p></div>", l,
                        TR (x, "Naar de zaak: volg het geschil, berichten en reacties",
                            "To the case: follow the dispute, messages and responses"));
    }
    portal_buf_add (&b, "<p>%s</p>",
                    TR (x, "Een geschil is een conflict tussen twee partijen van een convenant, bijvoorbeeld over een "
                           "afspraak die niet wordt nagekomen. De klachtencommissie behandelt het volgens dezelfde "
                           "procedure als een klacht; beide partijen reageren en volgen de zaak.",
                        "A dispute is a conflict between two parties of a covenant, for instance about an agreement "
                        "that is not kept. The complaints committee handles it by the same procedure as a complaint; "
                        "both parties respond and follow the case."));
    size_t error_at = b.len;            //  where the error box goes, once the page is made (s_end)
    if (!covenant [0]) {
        portal_buf_add (&b, "<p class=\"error\" id=\"no-covenant\">%s</p>",
                        company ? TR (x, "Uw organisatie is van geen enkel convenant een partij; alleen partijen "
                                         "kunnen een geschil indienen.",
                                      "Your organisation is not a party of any covenant; only parties can file a "
                                      "dispute.")
                                : TR (x, "Er is geen actief convenant.", "There is no active covenant."));
        if (company) {
            staff_own_disputes (x, &b, &org);
            imvo_response_release (&org);
        }
        imvo_response_release (&cov);
        return s_end (x, &b, f, error_at, status);      //  a refused POST stays a refusal
    }
    //  (The contact person: a company's person herself by default; the secretariat types the party's.)
    //  Step 1: the covenant (a GET form: its parties fill the selects below), when there is a
    //  choice.
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    int choices = 0;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++)
        choices += s_may_file_in (x, company ? &org : NULL, &list->via.array.ptr [i]);
    if (choices > 1)
        portal_buf_add (&b, "<form method=\"get\" action=\"/staff/disputes\" class=\"row\"><input type=\"hidden\" "
                        "name=\"lang\" value=\"%s\"><div><label for=\"covenant\">%s</label><select id=\"covenant\" "
                        "name=\"covenant\">", l, portal_t (x->lang, T_COVENANT));
    for (uint32_t i = 0; choices > 1 && list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        if (!s_may_file_in (x, company ? &org : NULL, cv))
            continue;
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code);
        portal_buf_add (&b, "<option value=\"%s\"%s>", code, streq (code, covenant) ? " selected" : "");
        portal_buf_obj (&b, staff_covenant_name (x, cv));
        portal_buf_add (&b, "</option>");
    }
    if (choices > 1)
        portal_buf_add (&b, "</select></div><div><button type=\"submit\" class=\"secondary\">%s</button></div></form>",
                        TR (x, "Andere partijen tonen", "Show its parties"));
    //  Step 2: the dispute.
    bool named = portal_members (covenant, false, &members) == 0;
    const msgpack_object *parties = named ? imvo_map_get (members.body, "members") : NULL;
    if (parties && parties->type != MSGPACK_OBJECT_ARRAY)
        parties = NULL;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-form\"><h2 id=\"h-form\">%s – ",
                    TR (x, "Nieuw geschil", "New dispute"));
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++)
        if (imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "code"), covenant))
            portal_buf_obj (&b, staff_covenant_name (x, &list->via.array.ptr [i]));
    portal_buf_add (&b, "</h2>");
    if (!parties)
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    else {
        staff_form (x, &b, "/staff/disputes/file");
        portal_hidden (&b, "covenant", covenant);
        if (company) {
            portal_buf_add (&b, "<p>%s <strong>", TR (x, "Indiener (eisende partij):", "Filed by (the claimant party):"));
            if (imvo_obj_is_str (imvo_map_get (org.body, "name")))
                portal_buf_obj (&b, imvo_map_get (org.body, "name"));
            else
                portal_buf_str (&b, x->s.org);
            portal_buf_add (&b, "</strong></p>");
        }
        else
            s_parties (x, &b, f, "claimant_org", TR (x, "Eisende partij (voor wie u het geschil indient)",
                                                       "Claimant party (for whom you file the dispute)"),
                       NULL, parties, NULL, f->claimant);
        s_parties (x, &b, f, "respondent", TR (x, "De andere partij (verweerder)", "The other party (respondent)"),
                   TR (x, "Een huidige partij van het convenant.", "A current party of the covenant."), parties,
                   company ? x->s.org : NULL, f->respondent);
        s_text (&b, f, "summary", TR (x, "Onderwerp in één regel", "Subject in one line"), NULL, f->summary,
                staff_max ("complaint.submit", "summary", 200), 0, NULL);
        s_text (&b, f, "description", TR (x, "Beschrijving van het geschil", "Description of the dispute"),
                TR (x, "Welke afspraak, wat er is gebeurd, wat u al hebt geprobeerd en wat u vraagt.",
                    "Which agreement, what happened, what you have tried already and what you ask for."),
                f->description, staff_max ("complaint.submit", "description", 20000), 8, NULL);
        portal_buf_add (&b, "<fieldset><legend>%s</legend>",
                        TR (x, "Contactpersoon voor de commissie", "Contact person for the committee"));
        s_text (&b, f, "name", TR (x, "Naam", "Name"), NULL, f->name, staff_max ("complaint.submit", "complainant.name", 200),
                0, "name");
        s_text (&b, f, "contact", TR (x, "E-mail of telefoon", "E-mail or phone"), NULL, f->contact,
                staff_max ("complaint.submit", "complainant.contact", 200), 0, "email");
        portal_buf_add (&b, "</fieldset><button type=\"submit\">%s</button></form>",
                        TR (x, "Geschil indienen", "File the dispute"));
    }
    portal_buf_add (&b, "</section>");
    if (company)
        staff_own_disputes (x, &b, &org);
    else
        portal_buf_add (&b, "<p><a href=\"/staff/cases?lang=%s&amp;covenant=%s\">%s</a></p>", l, covenant,
                        TR (x, "Alle zaken van dit convenant", "Every case of this covenant"));
    imvo_response_release (&members);
    imvo_response_release (&cov);
    if (company)
        imvo_response_release (&org);
    return s_end (x, &b, f, error_at, status);
}

//  Our own checks of the posted form: false with the field and why in f when one is wrong.
static bool
s_check (staff_t *x, s_form_t *f)
{
    struct { const char *id, *value, *nl, *en; } need [] = {
        { "claimant_org", f->claimant, "Kies de eisende partij.", "Choose the claimant party." },
        { "respondent", f->respondent, "Kies de andere partij.", "Choose the other party." },
        { "summary", f->summary, "Vul het onderwerp in.", "Fill in the subject." },
        { "description", f->description, "Beschrijf het geschil.", "Describe the dispute." },
        { "name", f->name, "Vul de naam van de contactpersoon in.", "Fill in the contact person's name." },
        { "contact", f->contact, "Vul een e-mailadres of telefoonnummer in.", "Fill in an e-mail address or phone number." } };
    for (size_t i = 0; i < sizeof need / sizeof need [0]; i++)
        if (!*need [i].value) {
            f->bad = need [i].id;
            snprintf (f->why, sizeof f->why, "%s", TR (x, need [i].nl, need [i].en));
            return false;
        }
    if (streq (f->claimant, f->respondent)) {
        f->bad = "respondent";
        snprintf (f->why, sizeof f->why, "%s", TR (x, "Een geschil is tussen twee partijen: kies een andere partij dan de "
                                                      "eisende partij.",
                                                   "A dispute is between two parties: choose another party than the "
                                                   "claimant."));
        return false;
    }
    return true;
}

static enum MHD_Result
s_file (staff_t *x)
{
    s_form_t f = { .covenant = portal_field (x->r, "covenant"), .respondent = portal_field (x->r, "respondent"),
                   .summary = portal_field (x->r, "summary"), .description = portal_field (x->r, "description"),
                   .name = portal_field (x->r, "name"), .contact = portal_field (x->r, "contact") };
    //  A company files for itself only; the org is its session's, never the form's.
    f.claimant = staff_is (x, "company") ? x->s.org : portal_field (x->r, "claimant_org");
    if (!portal_code_ok (f.covenant))
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                            TR (x, "Kies een convenant.", "Choose a covenant."));
    if (!s_check (x, &f))
        return s_page (x, &f, MHD_HTTP_BAD_REQUEST);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 8);
    imvo_pack_kv_str (&pk, "covenant", f.covenant);
    imvo_pack_kv_str (&pk, "kind", "dispute");
    imvo_pack_kv_str (&pk, "claimant_org", f.claimant);
    imvo_pack_kv_str (&pk, "respondent", f.respondent);
    imvo_pack_kv_str (&pk, "summary", f.summary);
    imvo_pack_kv_str (&pk, "description", f.description);
    imvo_pack_kv_str (&pk, "lang", staff_lang (x));
    imvo_pack_str (&pk, "complainant");
    msgpack_pack_map (&pk, 3);
    imvo_pack_kv_bool (&pk, "anonymous", false);
    imvo_pack_kv_str (&pk, "name", f.name);
    imvo_pack_kv_str (&pk, "contact", f.contact);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "complaints", "complaint.submit", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    //  A refusal about one of the form's fields is shown beside it, the form as it was typed.
    const char *field = rc == 0 && !resp.ok ? s_field_of (resp.err.field) : NULL;
    if (field && (resp.err.code == IMVO_ERR_INVALID_ARGUMENT || resp.err.code == IMVO_ERR_FORBIDDEN
                  || resp.err.code == IMVO_ERR_NOT_FOUND)) {
        //  A company's claimant is not on its form: its refusal goes with the covenant.
        f.bad = streq (field, "claimant_org") && staff_is (x, "company") ? "respondent" : field;
        const char *lead = streq (resp.err.field, "claimant_org") || streq (resp.err.field, "respondent")
                         ? TR (x, "Beide kanten van een geschil moeten huidige partijen van het convenant zijn.",
                               "Both sides of a dispute must be current parties of the covenant.")
                         : TR (x, "Dit veld is niet in orde.", "This field is not right.");
        //  The daemon's words are in English: ours first, its own after.
        snprintf (f.why, sizeof f.why, "%s (%s)", lead, resp.err.message);
        unsigned status = resp.err.code == IMVO_ERR_FORBIDDEN ? MHD_HTTP_FORBIDDEN : MHD_HTTP_BAD_REQUEST;
        imvo_response_release (&resp);
        return s_page (x, &f, status);
    }
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    char id [72] = "", path [200];
    imvo_obj_strcpy (imvo_map_get (resp.body, "case_id"), id, sizeof id);
    imvo_response_release (&resp);
    snprintf (path, sizeof path, "/staff/disputes?covenant=%s&filed=%s", f.covenant, id);
    return staff_done (x, path);
}

enum MHD_Result
staff_disputes (staff_t *x, const char *action)
{
    if (!staff_is (x, "company") && !staff_is (x, "secretariat"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "No access"),
                            TR (x, "Geschillen dienen de partijen zelf in, of het secretariaat voor hen.",
                                "Disputes are filed by the parties themselves, or by the secretariat for them."));
    if (!*action && !x->post) {
        s_form_t f = { .covenant = staff_query (x, "covenant"), .claimant = "", .respondent = "", .summary = "",
                       .description = "", .name = staff_is (x, "company") ? x->s.name : "", .contact = "" };
        return s_page (x, &f, MHD_HTTP_OK);
    }
    if (streq (action, "file") && x->post)
        return s_file (x);
    return staff_not_found (x);
}

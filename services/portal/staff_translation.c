/*  staff_translation: a complaint's language and the secretariat's translations on the case page
    of the staff console (issue 20, "Her language"). The page names the language she wrote in
    (in Dutch or English), shows her own words and each translation beside them (who made it,
    when), and gives the secretariat a form to add a translation or correct one
    (POST /staff/case/<case_id>/translate: complaint.translate, with the CSRF token and the
    form's idempotency key as every form, staff_call; the translation's language is the field
    into, since lang is the page's). A company person never sees this:
    complaints gives a company neither the translations nor the form's message.
*/
#include "staff.h"
#include "catalogue_translation.h"

static const struct {
    const char *code, *nl, *en;
} s_names [] = {
    { "nl", "Nederlands", "Dutch" }, { "en", "Engels", "English" }, { "fr", "Frans", "French" },
    { "es", "Spaans", "Spanish" }, { "bn", "Bengaals", "Bengali" }, { "hi", "Hindi", "Hindi" },
    { "zh", "Chinees", "Chinese" }, { "tr", "Turks", "Turkish" }, { "vi", "Vietnamees", "Vietnamese" },
};

//  A language's name on the page, or the code itself when it is not one of ours.
static const char *
s_name (staff_t *x, const char *code)
{
    for (size_t i = 0; i < sizeof s_names / sizeof s_names [0]; i++)
        if (streq (s_names [i].code, code))
            return TR (x, s_names [i].nl, s_names [i].en);
    return code;
}

//  "<name> (<code>)", escaped.
static void
s_lang (staff_t *x, portal_buf_t *b, const char *code)
{
    portal_buf_str (b, s_name (x, code));
    portal_buf_add (b, " (");
    portal_buf_str (b, code);
    portal_buf_add (b, ")");
}

//  The form that adds (lang "") or corrects (lang the translation's) a translation, prefilled
//  with t's text when there is one.
static void
s_form (staff_t *x, portal_buf_t *b, const char *case_id, const char *own, const char *lang,
        const msgpack_object *t, const msgpack_object *list)
{
    char path [160], id [16];
    snprintf (path, sizeof path, "/staff/case/%s/translate", case_id);
    snprintf (id, sizeof id, "%s", *lang ? lang : "new");
    staff_form (x, b, path);
    if (*lang)
        portal_hidden (b, "into", lang);        //  the form's lang is the page's (staff_form)
    else {
        portal_buf_add (b, "<label for=\"tr-lang-new\">%s</label><select id=\"tr-lang-new\" name=\"into\" required>",
                        TR (x, "Naar", "Into"));
        for (int i = 0; complaint_langs [i]; i++) {
            const char *code = complaint_langs [i];
            bool have = false;
            for (uint32_t k = 0; list && k < list->via.array.size; k++)
                have |= imvo_obj_streq (imvo_map_get (&list->via.array.ptr [k], "lang"), code);
            if (streq (code, own) || have)
                continue;
            portal_buf_add (b, "<option value=\"%s\"%s>", code,
                            streq (code, x->lang == PORTAL_EN ? "en" : "nl") ? " selected" : "");
            s_lang (x, b, code);
            portal_buf_add (b, "</option>");
        }
        portal_buf_add (b, "</select>");
    }
    portal_buf_add (b, "<label for=\"tr-summary-%s\">%s</label><input type=\"text\" id=\"tr-summary-%s\" name=\"summary\" "
                       "maxlength=\"%ld\" required value=\"", id, TR (x, "Onderwerp, vertaald", "Summary, translated"), id,
                    staff_max ("complaint.translate", "summary", 400));
    if (t)
        portal_buf_obj (b, imvo_map_get (t, "summary"));
    portal_buf_add (b, "\"><label for=\"tr-description-%s\">%s</label><textarea id=\"tr-description-%s\" "
                       "name=\"description\" maxlength=\"%ld\" required>", id,
                    TR (x, "Wat er is gebeurd, vertaald", "What happened, translated"), id,
                    staff_max ("complaint.translate", "description", 40000));
    if (t)
        portal_buf_obj (b, imvo_map_get (t, "description"));
    portal_buf_add (b, "</textarea><button type=\"submit\">%s</button></form>",
                    *lang ? TR (x, "Verbetering opslaan", "Save the correction")
                          : TR (x, "Vertaling toevoegen", "Add the translation"));
}

void
staff_translations (staff_t *x, portal_buf_t *b, const char *case_id, const msgpack_object *body)
{
    char own [8] = "nl", when [32];
    imvo_obj_strcpy (imvo_map_get (body, "lang"), own, sizeof own);
    const msgpack_object *list = imvo_map_get (body, "translations");
    if (list && list->type != MSGPACK_OBJECT_ARRAY)
        list = NULL;
    uint32_t n = list ? list->via.array.size : 0;
    bool secretariat = staff_is (x, "secretariat");
    if (!secretariat && !staff_is (x, "committee"))
        return;                     //  a company's page: complaints gives it no translations
    if (!n && !secretariat && streq (own, "nl"))
        return;                     //  nothing to add to the file above
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-lang\"><h2 id=\"h-lang\">%s</h2>"
                       "<p>%s: <strong id=\"case-lang\" data-lang=\"%s\">",
                    TR (x, "Taal en vertalingen", "Language and translations"),
                    TR (x, "De klacht is geschreven in het", "The complaint is written in"), own);
    s_lang (x, b, own);
    portal_buf_add (b, "</strong></p><div class=\"grid\"><div class=\"original\" id=\"original\" lang=\"%s\"><h3>%s: ",
                    own, TR (x, "Origineel", "Original"));
    s_lang (x, b, own);
    portal_buf_add (b, "</h3><p><strong>");
    portal_buf_obj (b, imvo_map_get (body, "summary"));
    portal_buf_add (b, "</strong></p><p>");
    portal_buf_obj (b, imvo_map_get (body, "description"));
    portal_buf_add (b, "</p></div>");
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *t = &list->via.array.ptr [i];
        char lang [8] = "", by [32] = "";
        imvo_obj_strcpy (imvo_map_get (t, "lang"), lang, sizeof lang);
        imvo_obj_strcpy (imvo_map_get (t, "by"), by, sizeof by);
        if (!complaint_lang_ok (lang))
            continue;
        staff_when (imvo_map_get (t, "at"), when);
        portal_buf_add (b, "<div class=\"translation\" id=\"translation-%s\" lang=\"%s\"><h3>%s: ", lang, lang,
                        TR (x, "Vertaling", "Translation"));
        s_lang (x, b, lang);
        portal_buf_add (b, "</h3><p class=\"help\">%s %s", TR (x, "door", "by"), staff_role (x, by));
        if (imvo_map_get (t, "person")) {
            portal_buf_add (b, " (");
            portal_buf_obj (b, imvo_map_get (t, "person"));
            portal_buf_add (b, ")");
        }
        portal_buf_add (b, ", %s</p><p><strong>", when);
        portal_buf_obj (b, imvo_map_get (t, "summary"));
        portal_buf_add (b, "</strong></p><p>");
        portal_buf_obj (b, imvo_map_get (t, "description"));
        portal_buf_add (b, "</p>");
        if (secretariat) {
            portal_buf_add (b, "<details><summary>%s</summary>", TR (x, "Vertaling verbeteren", "Correct the translation"));
            s_form (x, b, case_id, own, lang, t, list);
            portal_buf_add (b, "</details>");
        }
        portal_buf_add (b, "</div>");
    }
    portal_buf_add (b, "</div>");
    if (!n)
        portal_buf_add (b, "<p>%s</p>", TR (x, "Nog geen vertaling.", "No translation yet."));
    if (secretariat && n + 1 < sizeof s_names / sizeof s_names [0]) {
        portal_buf_add (b, "<details%s><summary>%s</summary>", n || streq (own, "nl") ? "" : " open",
                        TR (x, "Vertaling toevoegen", "Add a translation"));
        s_form (x, b, case_id, own, "", NULL, list);
        portal_buf_add (b, "</details>");
    }
    portal_buf_add (b, "</section>");
}

enum MHD_Result
staff_translate (staff_t *x, const char *case_id)
{
    const char *lang = portal_field (x->r, "into"), *summary = portal_field (x->r, "summary"),
               *description = portal_field (x->r, "description");
    if (!*lang || !*summary || !*description) {
        char message [200];
        snprintf (message, sizeof message, "%s %s", portal_t (x->lang, T_MISSING),
                  !*lang ? TR (x, "de taal", "the language")
                : !*summary ? TR (x, "het onderwerp", "the summary") : TR (x, "de beschrijving", "the description"));
        return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), message);
    }
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "complaints", "complaint.translate", "ssss", "case_id", case_id, "lang", lang,
                         "summary", summary, "description", description);
    char path [160];
    snprintf (path, sizeof path, "/staff/case/%s?done=translate", case_id);
    return staff_changed (x, rc, &resp, path);
}

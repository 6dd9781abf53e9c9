/*  staff_company_settings: a company's subscriptions (how it hears of events: a webhook signed
    with its secret, or e-mail; subscription.put and .list for org:<its id>, which notify keeps
    to its own org), its memberships with this year's contribution if unpaid (org.get of itself,
    member.unpaid, which answers a company about itself only), and its accounts (account.list of its own org; its administrator, the account
    the secretariat made with admin, creates and disables them: account.create with role
    company, account.disable; membership refuses any other person of the company). See staff.h. */
#include "staff.h"

#include <microhttpd.h>

static enum MHD_Result
s_bad (staff_t *x, const char *message)
{
    return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"), message);
}

//  --- subscriptions ------------------------------------------------------------------------------

static enum MHD_Result
s_subscriptions (staff_t *x)
{
    char recipient [128];
    snprintf (recipient, sizeof recipient, "org:%s", x->s.org);
    imvo_response_t resp;
    if (x->post) {
        const char *channel = portal_field (x->r, "channel"), *address = portal_field (x->r, "address"),
                   *secret = portal_field (x->r, "secret"), *lang = portal_field (x->r, "sub_lang");
        if (!streq (channel, "webhook") && !streq (channel, "email"))
            return s_bad (x, TR (x, "Kies webhook of e-mail.", "Choose webhook or e-mail."));
        if (!*address)
            return s_bad (x, streq (channel, "webhook") ? TR (x, "Vul het adres (URL) van de webhook in.",
                                                              "Fill in the webhook's address (URL).")
                                                        : TR (x, "Vul het e-mailadres in.", "Fill in the e-mail address."));
        if (streq (channel, "webhook") && strlen (secret) < 16)
            return s_bad (x, TR (x, "Het geheim van de webhook is ten minste 16 tekens lang.",
                                 "The webhook's secret is at least 16 characters long."));
        int rc = staff_call (x, &resp, "notify", "subscription.put", "ssoss", "recipient", recipient, "channel", channel,
                             "secret", streq (channel, "webhook") ? secret : "", "address", address,
                             "lang", streq (lang, "en") ? "en" : "nl");
        return staff_changed (x, rc, &resp, "/staff/company/subscriptions?done=1");
    }
    int rc = staff_ask (x, &resp, "notify", "subscription.list", "s", "recipient", recipient);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Meldingen", "Notices"));
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    portal_buf_add (&b, "<p>%s</p>", TR (x, "Gebeurtenissen over uw bedrijf (een klacht, een resultaat) komen altijd in het "
                                           "postvak. Hier kiest u ook een webhook of e-mail.",
                                        "Events about your company (a complaint, a result) always reach the inbox. Here "
                                        "you also choose a webhook or e-mail."));
    const msgpack_object *list = imvo_map_get (resp.body, "subscriptions");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    const char *heads [] = { TR (x, "Kanaal", "Channel"), TR (x, "Adres", "Address"), TR (x, "Taal", "Language"),
                             TR (x, "Ondertekend", "Signed") };
    staff_table_start (&b, "subs", heads, 4, "%s",
                       TR (x, "Uw abonnementen (geheimen worden nooit getoond)", "Your subscriptions (secrets are never shown)"));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *s = &list->via.array.ptr [i], *signed_ = imvo_map_get (s, "signed");
        bool inbox = imvo_obj_streq (imvo_map_get (s, "channel"), "inbox"),
             hook = imvo_obj_streq (imvo_map_get (s, "channel"), "webhook");
        portal_buf_add (&b, "<tr><td data-label=\"%s\">", heads [0]);
        portal_buf_obj (&b, imvo_map_get (s, "channel"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [1]);
        if (inbox)
            portal_buf_add (&b, "%s", TR (x, "het postvak in deze console", "the inbox of this console"));
        else {
            portal_buf_add (&b, "<code>");
            portal_buf_obj (&b, imvo_map_get (s, "address"));
            portal_buf_add (&b, "</code>");
        }
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [2]);
        portal_buf_obj (&b, imvo_map_get (s, "lang"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">%s</td></tr>", heads [3],
                        !hook ? "–" : signed_ && signed_->type == MSGPACK_OBJECT_BOOLEAN && signed_->via.boolean
                        ? TR (x, "ja", "yes") : TR (x, "nee", "no"));
    }
    if (!n)
        portal_buf_add (&b, "<tr><td colspan=\"4\">%s</td></tr>", TR (x, "Nog geen.", "None yet."));
    portal_buf_add (&b, "</tbody></table></div>");
    imvo_response_release (&resp);
    const char *lang_select = x->lang == PORTAL_EN
                            ? "<option value=\"nl\">Nederlands</option><option value=\"en\" selected>English</option>"
                            : "<option value=\"nl\" selected>Nederlands</option><option value=\"en\">English</option>";
    portal_buf_add (&b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-hook\"><h2 id=\"h-hook\">%s</h2>",
                    TR (x, "Webhook", "Webhook"));
    staff_form (x, &b, "/staff/company/subscriptions");
    portal_buf_add (&b, "<input type=\"hidden\" name=\"channel\" value=\"webhook\"><label for=\"hook-address\">%s</label>"
                        "<input type=\"url\" id=\"hook-address\" name=\"address\" required maxlength=\"%ld\" "
                        "placeholder=\"https://\"><label for=\"hook-secret\">%s</label><p class=\"help\" id=\"hook-secret-help\">"
                        "%s</p><input type=\"password\" id=\"hook-secret\" name=\"secret\" required minlength=\"16\" "
                        "maxlength=\"%ld\" autocomplete=\"new-password\" aria-describedby=\"hook-secret-help\">"
                        "<label for=\"hook-lang\">%s</label><select id=\"hook-lang\" name=\"sub_lang\">%s</select>"
                        "<button type=\"submit\">%s</button></form></section>",
                    TR (x, "Adres (URL)", "Address (URL)"), staff_max ("subscription.put", "address", 500),
                    TR (x, "Geheim", "Secret"),
                    TR (x, "Ten minste 16 tekens. Elke melding is ondertekend met HMAC-SHA256 van dit geheim "
                           "(kop X-IMVO-Signature). Opnieuw opslaan vervangt de webhook en het geheim.",
                        "At least 16 characters. Each notice is signed with HMAC-SHA256 of this secret (header "
                        "X-IMVO-Signature). Saving again replaces the webhook and its secret."),
                    staff_max ("subscription.put", "secret", 200), TR (x, "Taal", "Language"), lang_select,
                    TR (x, "Webhook opslaan", "Save the webhook"));
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-mail\"><h2 id=\"h-mail\">%s</h2>", TR (x, "E-mail", "E-mail"));
    staff_form (x, &b, "/staff/company/subscriptions");
    portal_buf_add (&b, "<input type=\"hidden\" name=\"channel\" value=\"email\"><label for=\"mail-address\">%s</label>"
                        "<input type=\"email\" id=\"mail-address\" name=\"address\" required maxlength=\"%ld\" "
                        "autocomplete=\"email\"><label for=\"mail-lang\">%s</label><select id=\"mail-lang\" name=\"sub_lang\">"
                        "%s</select><button type=\"submit\">%s</button></form></section></div>",
                    TR (x, "E-mailadres", "E-mail address"), staff_max ("subscription.put", "address", 500),
                    TR (x, "Taal", "Language"), lang_select, TR (x, "E-mail opslaan", "Save the e-mail"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- memberships and contributions ------------------------------------------------------------------

static enum MHD_Result
s_memberships (staff_t *x)
{
    imvo_response_t org;
    if (staff_company_org (x, &org))
        return staff_failed (x, -1, &org);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Lidmaatschappen", "Memberships"));
    const msgpack_object *list = imvo_map_get (org.body, "memberships");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    char contribution [64];
    snprintf (contribution, sizeof contribution, "%s %lld", TR (x, "Contributie", "Contribution"),
              (long long) staff_company_year ());
    const char *heads [] = { portal_t (x->lang, T_COVENANT), TR (x, "Rol", "Role"), TR (x, "Lid sinds", "Since"),
                             portal_t (x->lang, T_STATUS), contribution };
    staff_table_start (&b, "memberships", heads, 5, "%u %s", n, TR (x, "convenanten", "covenants"));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *m = &list->via.array.ptr [i];
        char code [40] = "", status [16] = "";
        imvo_obj_strcpy (imvo_map_get (m, "covenant"), code, sizeof code);
        imvo_obj_strcpy (imvo_map_get (m, "status"), status, sizeof status);
        portal_buf_add (&b, "<tr><td data-label=\"%s\">", heads [0]);
        portal_buf_str (&b, code);
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [1]);
        portal_buf_obj (&b, imvo_map_get (m, "role"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [2]);
        portal_buf_obj (&b, imvo_map_get (m, "since"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">%s</td><td data-label=\"%s\">", heads [3],
                        streq (status, "active") ? TR (x, "lid", "member") : TR (x, "uitgetreden", "left"), heads [4]);
        imvo_response_t mem;
        if (streq (status, "active")
        &&  staff_ask (x, &mem, "membership", "member.unpaid", "si", "covenant", code, "year", staff_company_year ()) == 0
        &&  mem.ok) {
            const msgpack_object *unpaid = imvo_map_get (mem.body, "unpaid");
            bool due = unpaid && unpaid->type == MSGPACK_OBJECT_ARRAY && unpaid->via.array.size > 0;
            portal_buf_add (&b, "<span class=\"%s\" data-owes=\"%s\">%s</span>", due ? "late" : "pill",
                            due ? "yes" : "no", due ? TR (x, "niet betaald", "unpaid") : TR (x, "betaald of niet verschuldigd",
                                                                                        "paid or not owed"));
            imvo_response_release (&mem);
        }
        else {
            if (streq (status, "active"))
                imvo_response_release (&mem);
            portal_buf_add (&b, "–");
        }
        portal_buf_add (&b, "</td></tr>");
    }
    portal_buf_add (&b, "</tbody></table></div><p class=\"help\">%s</p>",
                    TR (x, "Vragen over de contributie of over toe- en uittreden? Neem contact op met het secretariaat.",
                        "Questions about the contribution, joining or leaving? Contact the secretariat."));
    imvo_response_release (&org);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- the company's accounts ------------------------------------------------------------------------

static enum MHD_Result
s_accounts (staff_t *x, const char *action)
{
    imvo_response_t resp;
    if (x->post) {
        const char *user = portal_field (x->r, "username");
        int rc;
        if (streq (action, "create")) {
            const char *name = portal_field (x->r, "name"), *email = portal_field (x->r, "email");
            if (!*user || !*name || !*email)
                return s_bad (x, TR (x, "Vul gebruikersnaam, naam en e-mail in.", "Fill in username, name and e-mail."));
            rc = staff_call (x, &resp, "membership", "account.create", "sssss", "username", user, "name", name,
                             "email", email, "role", "company", "org", x->s.org, "lang",
                             streq (portal_field (x->r, "account_lang"), "en") ? "en" : "nl");
        }
        else
        if (streq (action, "disable")) {
            if (!*user)
                return s_bad (x, TR (x, "Kies een account.", "Choose an account."));
            rc = staff_call (x, &resp, "membership", "account.disable", "s", "username", user);
        }
        else
            return staff_not_found (x);
        if (rc == STAFF_WAIT)
            return MHD_YES;
        if (rc || !resp.ok)
            return staff_failed (x, rc, &resp);
        if (streq (action, "disable")) {
            imvo_response_release (&resp);
            return staff_done (x, "/staff/company/accounts?done=1");
        }
        enum MHD_Result answer = staff_account_token_page (x, &resp, false, "/staff/company/accounts");
        imvo_response_release (&resp);
        return answer;
    }
    int rc = staff_ask (x, &resp, "membership", "account.list", "s", "org", x->s.org);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    const msgpack_object *list = imvo_map_get (resp.body, "accounts");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    bool admin = false;
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *a = &list->via.array.ptr [i], *flag = imvo_map_get (a, "admin");
        if (imvo_obj_streq (imvo_map_get (a, "username"), x->s.username))
            admin = flag && flag->type == MSGPACK_OBJECT_BOOLEAN && flag->via.boolean;
    }
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Accounts van uw bedrijf", "Your company's accounts"));
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    const char *heads [] = { TR (x, "Gebruikersnaam", "Username"), TR (x, "Naam", "Name"), TR (x, "E-mail", "E-mail"),
                             portal_t (x->lang, T_STATUS), TR (x, "Beheerder", "Administrator"), TR (x, "Sluiten", "Disable") };
    staff_table_start (&b, "accounts", heads, admin ? 6 : 5, "%u %s", n, TR (x, "accounts", "accounts"));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *a = &list->via.array.ptr [i], *flag = imvo_map_get (a, "admin");
        char user [72] = "", status [16] = "";
        imvo_obj_strcpy (imvo_map_get (a, "username"), user, sizeof user);
        imvo_obj_strcpy (imvo_map_get (a, "status"), status, sizeof status);
        staff_account_cells (&b, a, user, heads);      //  staff_accounts.c
        portal_buf_add (&b, "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>", heads [3],
                        staff_account_status (x, status),
                        heads [4], flag && flag->type == MSGPACK_OBJECT_BOOLEAN && flag->via.boolean ? TR (x, "ja", "yes") : "");
        if (admin) {
            portal_buf_add (&b, "<td>");
            if (!streq (status, "disabled") && !streq (user, x->s.username)) {
                staff_form (x, &b, "/staff/company/accounts/disable");
                portal_hidden (&b, "username", user);
                portal_buf_add (&b, "<button type=\"submit\" class=\"danger\">%s <span class=\"visually-hidden\">", TR (x, "Sluiten", "Disable"));
                portal_buf_str (&b, user);
                portal_buf_add (&b, "</span></button></form>");
            }
            portal_buf_add (&b, "</td>");
        }
        portal_buf_add (&b, "</tr>");
    }
    portal_buf_add (&b, "</tbody></table></div>");
    imvo_response_release (&resp);
    if (!admin) {
        portal_buf_add (&b, "<p class=\"help\" id=\"not-admin\">%s</p>",
                        TR (x, "Alleen de beheerder van uw bedrijf maakt en sluit accounts. Het secretariaat wijst de "
                               "beheerder aan.",
                            "Only your company's administrator makes and disables accounts. The secretariat names the "
                            "administrator."));
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-new\"><h2 id=\"h-new\">%s</h2>",
                    TR (x, "Nieuw account voor een collega", "A new account for a colleague"));
    staff_form (x, &b, "/staff/company/accounts/create");
    portal_buf_add (&b, "<div class=\"row\"><div><label for=\"username\">%s</label><input type=\"text\" id=\"username\" "
                        "name=\"username\" required maxlength=\"64\" autocapitalize=\"none\" spellcheck=\"false\" "
                        "autocomplete=\"off\" aria-describedby=\"username-help\"><p class=\"help\" id=\"username-help\">%s</p>"
                        "</div><div><label for=\"name\">%s</label><input type=\"text\" id=\"name\" name=\"name\" required "
                        "maxlength=\"200\" autocomplete=\"off\"></div><div><label for=\"email\">%s</label><input type=\"email\" "
                        "id=\"email\" name=\"email\" required maxlength=\"200\" autocomplete=\"off\"></div><div>"
                        "<label for=\"account_lang\">%s</label><select id=\"account_lang\" name=\"account_lang\">"
                        "<option value=\"nl\">Nederlands</option><option value=\"en\">English</option></select></div></div>"
                        "<button type=\"submit\">%s</button></form></section>",
                    TR (x, "Gebruikersnaam", "Username"), TR (x, "Kleine letters, cijfers, '-', '_' of '.'.",
                                                              "Lower case letters, digits, '-', '_' or '.'."),
                    TR (x, "Naam", "Name"), TR (x, "E-mail", "E-mail"), TR (x, "Taal van de berichten", "Language of messages"),
                    TR (x, "Account maken", "Make account"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

enum MHD_Result
staff_company_settings (staff_t *x, const char *page)
{
    if (streq (page, "subscriptions"))
        return s_subscriptions (x);
    if (streq (page, "memberships") && !x->post)
        return s_memberships (x);
    if (streq (page, "accounts") && !x->post)
        return s_accounts (x, "");
    if (strncmp (page, "accounts/", 9) == 0 && x->post)
        return s_accounts (x, page + 9);
    return staff_not_found (x);
}

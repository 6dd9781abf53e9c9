/*  staff_accounts: persons' accounts in the console.

    /staff/account: her own account; she changes her password (account.password, with the
    present one; the session she is in stays open, her others end).
    /staff/accounts (the secretariat): the accounts (account.list), a new one (account.create),
    disabling one (account.disable), and a new enrollment for one who lost her password or
    authenticator (account.reset). A new account's or a reset's enrollment token is shown once,
    with the address of the enrollment page: the secretariat gives both to the person. The token
    never goes into a URL (as receipts never do): the person types or pastes it in the form.
    /staff/enroll (public, staff_enroll.c): with the token she sets her password (account.enroll)
    and gets her TOTP secret.

    The password forms are asked on a worker (staff_call: Argon2id in membership), and what is
    given once (a token, a TOTP secret) is kept by the form's key for a moment (portal_defer_kept.c),
    so the same form sent twice shows the same outcome. Bad input is a 400 with the form again
    and nothing changed; passwords are never written back into a page. See staff.h. */
#include "staff.h"

#include <ctype.h>
#include <microhttpd.h>

#define S_PASSWORD_MIN 12

static const char *const s_roles [] = { "secretariat", "committee", "monitoring", "company", "steering", NULL };

//  A posted field as typed (portal_field trims; a password may begin or end with a space).
static const char *
s_raw (staff_t *x, const char *name)
{
    for (int i = 0; x->r && i < x->r->nfields; i++)
        if (streq (x->r->names [i], name))
            return x->r->values [i];
    return "";
}

void
staff_account_cells (portal_buf_t *b, const msgpack_object *account, const char *username, const char *const *heads)
{
    portal_buf_add (b, "<tr><td data-label=\"%s\">", heads [0]);
    portal_buf_str (b, username);
    portal_buf_add (b, "</td><td data-label=\"%s\">", heads [1]);
    portal_buf_obj (b, imvo_map_get (account, "name"));
    portal_buf_add (b, "</td><td data-label=\"%s\">", heads [2]);
    portal_buf_obj (b, imvo_map_get (account, "email"));
    portal_buf_add (b, "</td>");
}

void
staff_notice (portal_buf_t *b, bool error, const char *text)
{
    portal_buf_add (b, error ? "<p class=\"error\" role=\"alert\">" : "<p class=\"ok\" role=\"status\">");
    portal_buf_str (b, text);
    portal_buf_add (b, "</p>");
}

void
staff_password_inputs (staff_t *x, portal_buf_t *b, const char *autocomplete)
{
    long max = staff_max ("account.enroll", "password", 200);
    portal_buf_add (b, "<label for=\"new_password\">%s</label><p class=\"help\" id=\"new-help\">%s</p>"
                       "<input type=\"password\" id=\"new_password\" name=\"new_password\" required minlength=\"%d\" "
                       "maxlength=\"%ld\" autocomplete=\"%s\" aria-describedby=\"new-help\">"
                       "<label for=\"repeat\">%s</label><input type=\"password\" id=\"repeat\" name=\"repeat\" required "
                       "minlength=\"%d\" maxlength=\"%ld\" autocomplete=\"%s\">",
                    TR (x, "Nieuw wachtwoord", "New password"),
                    TR (x, "Minstens 12 tekens. Een zin van een paar woorden is sterk en goed te onthouden.",
                        "At least 12 characters. A sentence of a few words is strong and easy to remember."),
                    S_PASSWORD_MIN, max, autocomplete, TR (x, "Nieuw wachtwoord nog een keer", "New password again"),
                    S_PASSWORD_MIN, max, autocomplete);
}

const char *
staff_new_password (staff_t *x, const char **error)
{
    const char *pw = s_raw (x, "new_password"), *again = s_raw (x, "repeat");
    size_t n = strlen (pw);
    if (!n)
        *error = TR (x, "Vul een nieuw wachtwoord in.", "Fill in a new password.");
    else
    if (n < S_PASSWORD_MIN)
        *error = TR (x, "Het nieuwe wachtwoord is te kort: minstens 12 tekens.",
                     "The new password is too short: at least 12 characters.");
    else
    if ((long) n > staff_max ("account.enroll", "password", 200))
        *error = TR (x, "Het nieuwe wachtwoord is te lang: hoogstens 200 tekens.",
                     "The new password is too long: at most 200 characters.");
    else
    if (!streq (pw, again))
        *error = TR (x, "De twee nieuwe wachtwoorden zijn niet gelijk.", "The two new passwords differ.");
    else
    if (strchr (pw, '\n') || strchr (pw, '\r'))
        *error = TR (x, "Het wachtwoord mag geen regeleinde bevatten.", "The password may not hold a line break.");
    else
        return pw;
    return NULL;
}

//  --- her own account -------------------------------------------------------------------------

static enum MHD_Result
s_account_page (staff_t *x, unsigned status, const char *error)
{
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Mijn account", "My account"));
    if (streq (staff_query (x, "done"), "password"))
        staff_notice (&b, false, TR (x, "Uw wachtwoord is gewijzigd. Uw andere sessies zijn beëindigd; deze blijft open.",
                                  "Your password is changed. Your other sessions have ended; this one stays open."));
    if (error)
        staff_notice (&b, true, error);
    if (error && x->post)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Er is niets veranderd.", "Nothing was changed."));
    portal_buf_add (&b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-me\"><h2 id=\"h-me\">%s</h2>"
                        "<dl class=\"facts\"><dt>%s</dt><dd id=\"me-username\">", TR (x, "Gegevens", "Details"),
                    TR (x, "Gebruikersnaam", "Username"));
    portal_buf_str (&b, x->s.username);
    portal_buf_add (&b, "</dd><dt>%s</dt><dd>", TR (x, "Naam", "Name"));
    portal_buf_str (&b, x->s.name);
    portal_buf_add (&b, "</dd><dt>%s</dt><dd>%s</dd>", TR (x, "Rol", "Role"), staff_role (x, x->s.role));
    if (x->s.org [0]) {
        portal_buf_add (&b, "<dt>%s</dt><dd>", TR (x, "Organisatie", "Organisation"));
        portal_buf_str (&b, x->s.org);
        portal_buf_add (&b, "</dd>");
    }
    portal_buf_add (&b, "</dl><p class=\"help\">%s</p></section>",
                    TR (x, "Authenticator-app kwijt? Vraag het secretariaat om een nieuwe inschrijving.",
                        "Lost your authenticator app? Ask the secretariat for a new enrollment."));
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-pw\"><h2 id=\"h-pw\">%s</h2>",
                    TR (x, "Wachtwoord wijzigen", "Change password"));
    staff_form (x, &b, "/staff/account/password");
    //  A hidden username helps password managers store the new password under the right name.
    portal_buf_add (&b, "<input type=\"text\" name=\"username\" autocomplete=\"username\" hidden value=\"");
    portal_buf_str (&b, x->s.username);
    portal_buf_add (&b, "\"><label for=\"password\">%s</label><input type=\"password\" id=\"password\" name=\"password\" "
                        "required maxlength=\"%ld\" autocomplete=\"current-password\">",
                    TR (x, "Huidig wachtwoord", "Present password"), staff_max ("account.password", "password", 200));
    staff_password_inputs (x, &b, "new-password");
    portal_buf_add (&b, "<button type=\"submit\">%s</button></form></section></div>",
                    TR (x, "Wachtwoord wijzigen", "Change password"));
    return staff_page_end (x, &b, status);
}

enum MHD_Result
staff_account (staff_t *x, const char *action)
{
    if (!x->post)
        return s_account_page (x, MHD_HTTP_OK, NULL);
    if (!streq (action, "password"))
        return staff_not_found (x);
    const char *present = s_raw (x, "password"), *error = NULL;
    const char *pw = staff_new_password (x, &error);
    if (!*present)
        error = TR (x, "Vul uw huidige wachtwoord in.", "Fill in your present password.");
    if (!*present || !pw)
        return s_account_page (x, MHD_HTTP_BAD_REQUEST, error);
    //  Her session stays open (membership ends her others).
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "membership", "account.password", "ssss", "username", x->s.username,
                         "password", present, "new_password", pw, "session", x->s.token);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc == 0 && !resp.ok && streq (resp.err.field, "password")) {
        imvo_response_release (&resp);
        return s_account_page (x, MHD_HTTP_BAD_REQUEST,
                               TR (x, "Het huidige wachtwoord klopt niet. Dit telt als een mislukte aanmelding: "
                                      "na vijf is het account 15 minuten geblokkeerd.",
                                   "The present password is wrong. This counts as a failed sign-in: after five the "
                                   "account is locked for 15 minutes."));
    }
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    imvo_response_release (&resp);
    return staff_done (x, "/staff/account?done=password");
}

//  --- the secretariat's accounts --------------------------------------------------------------------

const char *
staff_account_status (staff_t *x, const char *status)
{
    return streq (status, "active") ? TR (x, "actief", "active")
         : streq (status, "pending") ? TR (x, "wacht op inschrijving", "waiting for enrollment")
         : streq (status, "disabled") ? TR (x, "uitgeschakeld", "disabled") : status;
}

//  The enrollment page's address, as this browser reaches the portal.
static void
s_enroll_link (staff_t *x, portal_buf_t *b)
{
    const char *host = MHD_lookup_connection_value (x->c, MHD_HEADER_KIND, "Host");
    bool ok = host && *host && strlen (host) < 256;
    for (const char *p = host; ok && *p; p++)
        ok = isalnum ((unsigned char) *p) || strchr (".-:[]", *p);
    if (ok) {
        portal_buf_add (b, "%s://", x->tls ? "https" : "http");
        portal_buf_str (b, host);
    }
    portal_buf_add (b, "/staff/enroll?lang=%s", staff_lang (x));
}

//  After account.create or account.reset: the token, once (staff.h).
enum MHD_Result
staff_account_token_page (staff_t *x, const imvo_response_t *resp, bool reset, const char *back)
{
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, reset ? TR (x, "Nieuwe inschrijving", "New enrollment") : TR (x, "Account gemaakt", "Account made"));
    portal_buf_add (&b, "<p class=\"ok\" role=\"status\">");
    portal_buf_add (&b, "%s <strong>", reset ? TR (x, "Het account moet opnieuw worden ingeschreven:", "The account is to enroll again:")
                                             : TR (x, "Het account is gemaakt:", "The account is made:"));
    portal_buf_obj (&b, imvo_map_get (resp->body, "username"));
    portal_buf_add (&b, "</strong>.</p><section class=\"card\" aria-labelledby=\"h-token\"><h2 id=\"h-token\">%s</h2>"
                        "<p>%s</p><dl class=\"facts\"><dt>%s</dt><dd><code id=\"enroll-link\">",
                    TR (x, "Inschrijving: alleen nu te zien", "Enrollment: shown only now"),
                    TR (x, "Geef de persoon het adres en de code hieronder, liefst langs twee verschillende wegen "
                           "(bijvoorbeeld het adres per e-mail en de code per telefoon). De code werkt één keer, 72 uur lang. "
                           "Daar stelt zij haar wachtwoord in en krijgt zij de sleutel voor haar authenticator-app.",
                        "Give the person the address and the code below, preferably by two different ways (the "
                        "address by e-mail and the code by phone, say). The code works once, for 72 hours. There she "
                        "sets her password and gets the key for her authenticator app."),
                    TR (x, "Adres", "Address"));
    s_enroll_link (x, &b);
    portal_buf_add (&b, "</code></dd><dt>%s</dt><dd><code id=\"enroll-token\" class=\"secret\">",
                    TR (x, "Inschrijfcode", "Enrollment code"));
    portal_buf_obj (&b, imvo_map_get (resp->body, "enroll_token"));
    portal_buf_add (&b, "</code></dd></dl><p class=\"help\">%s</p></section><p><a href=\"%s?lang=%s\">%s</a></p>",
                    TR (x, "Deze code wordt nergens bewaard en is hierna niet meer te zien. Kwijt? Geef een nieuwe "
                           "inschrijving.",
                        "This code is kept nowhere and cannot be seen after this. Lost? Give a new enrollment."),
                    back, staff_lang (x), TR (x, "Terug naar de accounts", "Back to the accounts"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

static void
s_input (portal_buf_t *b, const char *id, const char *label, const char *type, long max, const char *extra,
         const char *value)
{
    portal_buf_add (b, "<div><label for=\"%s\">%s</label><input type=\"%s\" id=\"%s\" name=\"%s\" maxlength=\"%ld\" %s "
                       "value=\"", id, label, type, id, id, max, extra);
    portal_buf_str (b, value);
    portal_buf_add (b, "\"></div>");
}

static enum MHD_Result
s_accounts_page (staff_t *x, unsigned status, const char *error)
{
    imvo_response_t list;
    int rc = staff_ask (x, &list, "membership", "account.list", "");
    if (rc || !list.ok)
        return staff_failed (x, rc, &list);
    const char *done = staff_query (x, "done");
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Accounts", "Accounts"));
    if (streq (done, "disabled"))
        staff_notice (&b, false, TR (x, "Het account is uitgeschakeld; de sessies ervan zijn beëindigd.",
                                  "The account is disabled; its sessions have ended."));
    if (error) {
        staff_notice (&b, true, error);
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Er is niets veranderd.", "Nothing was changed."));
    }
    //  The organisations: the accounts' by name, and the new account's to choose from.
    imvo_response_t orgs;
    bool have_orgs = staff_ask (x, &orgs, "membership", "org.list", "i", "limit", (int64_t) 1000) == 0 && orgs.ok;
    const msgpack_object *ol = have_orgs ? imvo_map_get (orgs.body, "orgs") : NULL;
    const msgpack_object *accounts = imvo_map_get (list.body, "accounts");
    uint32_t n = accounts && accounts->type == MSGPACK_OBJECT_ARRAY ? accounts->via.array.size : 0;
    const char *heads [] = { TR (x, "Gebruikersnaam", "Username"), TR (x, "Naam", "Name"), TR (x, "E-mail", "E-mail"),
                             TR (x, "Rol", "Role"), TR (x, "Organisatie", "Organisation"), TR (x, "Stand", "Status"),
                             TR (x, "Beheren", "Manage") };
    staff_table_start (&b, "accounts", heads, 7, "%u %s", n, TR (x, "accounts", "accounts"));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *a = &accounts->via.array.ptr [i];
        char user [72] = "", role [33] = "", st [16] = "";
        imvo_obj_strcpy (imvo_map_get (a, "username"), user, sizeof user);
        imvo_obj_strcpy (imvo_map_get (a, "role"), role, sizeof role);
        imvo_obj_strcpy (imvo_map_get (a, "status"), st, sizeof st);
        staff_account_cells (&b, a, user, heads);
        const msgpack_object *admin = imvo_map_get (a, "admin");
        portal_buf_add (&b, "<td data-label=\"%s\">%s%s</td><td data-label=\"%s\">", heads [3], staff_role (x, role),
                        admin && admin->type == MSGPACK_OBJECT_BOOLEAN && admin->via.boolean
                        ? TR (x, " (beheerder)", " (administrator)") : "", heads [4]);
        const msgpack_object *org = imvo_map_get (a, "org");
        if (org && org->type == MSGPACK_OBJECT_STR && org->via.str.size)
            staff_org_named (&b, org, staff_org_find (ol, org));       //  staff_orgs.c
        else
            portal_buf_add (&b, "–");
        //  The last cell has its own summary: no label before it on a phone.
        portal_buf_add (&b, "</td><td data-label=\"%s\"><span class=\"pill\" data-status=\"%s\">%s</span></td>"
                            "<td>", heads [5], st, staff_account_status (x, st));
        if (!streq (st, "disabled") && !streq (user, x->s.username)) {
            portal_buf_add (&b, "<details><summary>%s<span class=\"visually-hidden\"> ", TR (x, "Beheren", "Manage"));
            portal_buf_str (&b, user);
            portal_buf_add (&b, "</span></summary>");
            staff_form (x, &b, "/staff/accounts/reset");
            portal_hidden (&b, "username", user);
            portal_buf_add (&b, "<label for=\"what-%u\">%s</label><select id=\"what-%u\" name=\"what\">"
                                "<option value=\"totp\">%s</option><option value=\"password\">%s</option></select>"
                                "<button type=\"submit\" class=\"secondary\">%s</button></form>", i,
                            TR (x, "Kwijt", "Lost"), i, TR (x, "authenticator-app", "authenticator app"),
                            TR (x, "wachtwoord", "password"), TR (x, "Nieuwe inschrijving", "New enrollment"));
            staff_form (x, &b, "/staff/accounts/disable");
            portal_hidden (&b, "username", user);
            portal_buf_add (&b, "<button type=\"submit\" class=\"danger\">%s</button></form></details>",
                            TR (x, "Uitschakelen", "Disable"));
        }
        portal_buf_add (&b, "</td></tr>");
    }
    portal_buf_add (&b, "</tbody></table></div>");
    imvo_response_release (&list);
    //  A new account.
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-new\"><h2 id=\"h-new\">%s</h2>",
                    TR (x, "Nieuw account", "New account"));
    staff_form (x, &b, "/staff/accounts/create");
    const char *role = portal_field (x->r, "role"), *org = portal_field (x->r, "org");
    portal_buf_add (&b, "<div class=\"row\">");
    s_input (&b, "username", TR (x, "Gebruikersnaam (zonder spaties)", "Username (no spaces)"), "text",
             staff_max ("account.create", "username", 64),
             "required minlength=\"3\" pattern=\"[!-~]+\" autocapitalize=\"none\" autocomplete=\"off\" spellcheck=\"false\"",
             x->post ? portal_field (x->r, "username") : "");
    s_input (&b, "name", TR (x, "Naam", "Name"), "text", staff_max ("account.create", "name", 200),
             "required autocomplete=\"off\"", x->post ? portal_field (x->r, "name") : "");
    s_input (&b, "email", TR (x, "E-mail", "E-mail"), "email", staff_max ("account.create", "email", 200),
             "required autocomplete=\"off\"", x->post ? portal_field (x->r, "email") : "");
    portal_buf_add (&b, "</div><div class=\"row top\"><div><label for=\"role\">%s</label><select id=\"role\" name=\"role\">",
                    TR (x, "Rol", "Role"));
    for (int i = 0; s_roles [i]; i++)
        portal_buf_add (&b, "<option value=\"%s\"%s>%s</option>", s_roles [i], streq (role, s_roles [i]) ? " selected" : "",
                        staff_role (x, s_roles [i]));
    portal_buf_add (&b, "</select></div><div><label for=\"org\">%s</label><select id=\"org\" name=\"org\" "
                        "aria-describedby=\"org-help\"><option value=\"\">%s</option>",
                    TR (x, "Organisatie", "Organisation"), TR (x, "geen", "none"));
    staff_org_options (&b, ol, NULL, org);         //  staff_orgs.c
    imvo_response_release (&orgs);
    portal_buf_add (&b, "</select><p class=\"help\" id=\"org-help\">%s</p></div><div><label for=\"account_lang\">%s</label>"
                        "<select id=\"account_lang\" name=\"account_lang\"><option value=\"nl\">Nederlands</option>"
                        "<option value=\"en\"%s>English</option></select></div></div><p><label><input type=\"checkbox\" "
                        "name=\"admin\" value=\"1\"%s> %s</label></p><button type=\"submit\">%s</button>"
                        "</form></section>",
                    TR (x, "Voor de persoon van een bedrijf: het bedrijf.", "For a company's person: the company."),
                    TR (x, "Taal van de berichten", "Language of messages"),
                    streq (portal_field (x->r, "account_lang"), "en") ? " selected" : "",
                    streq (portal_field (x->r, "admin"), "1") ? " checked" : "",
                    TR (x, "Beheerder van het bedrijf (maakt en sluit de accounts van het eigen bedrijf)",
                        "The company's administrator (makes and disables its own company's accounts)"),
                    TR (x, "Account maken", "Make account"));
    return staff_page_end (x, &b, status);
}

enum MHD_Result
staff_accounts (staff_t *x, const char *action)
{
    if (!staff_is (x, "secretariat"))
        return staff_error (x, MHD_HTTP_FORBIDDEN, TR (x, "Geen toegang", "Not allowed"),
                            TR (x, "Alleen het secretariaat beheert de accounts.", "Only the secretariat manages accounts."));
    if (!x->post)
        return s_accounts_page (x, MHD_HTTP_OK, NULL);
    imvo_response_t resp;
    int rc;
    const char *user = portal_field (x->r, "username");
    if (streq (action, "create")) {
        const char *name = portal_field (x->r, "name"), *email = portal_field (x->r, "email"),
                   *role = portal_field (x->r, "role"), *org = portal_field (x->r, "org");
        if (!*user || !*name || !*email || !*role)
            return s_accounts_page (x, MHD_HTTP_BAD_REQUEST,
                                    TR (x, "Vul gebruikersnaam, naam, e-mail en rol in.",
                                        "Fill in username, name, e-mail and role."));
        if (streq (role, "company") && !*org)
            return s_accounts_page (x, MHD_HTTP_BAD_REQUEST,
                                    TR (x, "Kies het bedrijf van de persoon.", "Choose the person's company."));
        rc = staff_call (x, &resp, "membership", "account.create", "ssssooB", "username", user, "name", name,
                         "email", email, "role", role, "org", org, "lang", portal_field (x->r, "account_lang"),
                         "admin", (int) streq (portal_field (x->r, "admin"), "1"));
    }
    else
    if (streq (action, "reset")) {
        if (!*user)
            return s_accounts_page (x, MHD_HTTP_BAD_REQUEST, TR (x, "Kies een account.", "Choose an account."));
        const char *what = portal_field (x->r, "what");
        rc = staff_call (x, &resp, "membership", "account.reset", "ss", "username", user, "what",
                         *what ? what : "totp");
    }
    else
    if (streq (action, "disable")) {
        if (!*user)
            return s_accounts_page (x, MHD_HTTP_BAD_REQUEST, TR (x, "Kies een account.", "Choose an account."));
        rc = staff_call (x, &resp, "membership", "account.disable", "s", "username", user);
    }
    else
        return staff_not_found (x);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc == 0 && !resp.ok && (resp.err.code == IMVO_ERR_INVALID_ARGUMENT || resp.err.code == IMVO_ERR_CONFLICT
                                || resp.err.code == IMVO_ERR_NOT_FOUND)) {
        //  The form again, with what was typed and the daemon's words (they name the field).
        char message [400];
        snprintf (message, sizeof message, "%s%s%s", resp.err.field, resp.err.field [0] ? ": " : "", resp.err.message);
        unsigned status = resp.err.code == IMVO_ERR_CONFLICT ? MHD_HTTP_CONFLICT
                        : resp.err.code == IMVO_ERR_NOT_FOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_BAD_REQUEST;
        imvo_response_release (&resp);
        return s_accounts_page (x, status, message);
    }
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    if (streq (action, "disable")) {
        imvo_response_release (&resp);
        return staff_done (x, "/staff/accounts?done=disabled");
    }
    enum MHD_Result answer = staff_account_token_page (x, &resp, streq (action, "reset"), "/staff/accounts");
    imvo_response_release (&resp);
    return answer;
}

/*  staff_core: the staff console's dispatcher, session, CSRF, sign in and out; see staff.h.
    The page around each page is in staff_page.c, the asking of the daemons as the signed-in
    person in staff_ask.c. */
#include "staff.h"

#include <ctype.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_COOKIE "imvo_staff"

//  Failed sign-ins per client address: 20 in 10 minutes, then 429 until the window ends
//  (membership locks an account after five wrong tries; this bounds guessing across accounts).
static portal_limit_t s_logins [1024];

//  --- the session ------------------------------------------------------------------------------

//  account.login, .session, .logout: the console itself asks, as the gateway (the portal's
//  certificate, role gateway), for nobody.
static int
s_ask_itself (staff_t *x, imvo_response_t *resp, const char *type, const char *field, const char *value)
{
    portal_actor_t person = x->s.actor;
    memset (&x->s.actor, 0, sizeof x->s.actor);
    int rc = staff_ask (x, resp, "membership", type, "s", field, value);
    x->s.actor = person;
    return rc;
}

static bool
s_token_ok (const char *t)
{
    if (!t || strlen (t) != 64)
        return false;
    for (const char *p = t; *p; p++)
        if (!isxdigit ((unsigned char) *p))
            return false;
    return true;
}

static void
s_csrf (const char *session, char out [65])
{
    char tagged [80];
    snprintf (tagged, sizeof tagged, "staff:%s", session);
    portal_csrf_token (tagged, out);
}

//  1: signed in (x->s filled); 0: no session or it ended; -1: membership did not answer.
static int
s_session (staff_t *x, bool *had)
{
    const char *token = MHD_lookup_connection_value (x->c, MHD_COOKIE_KIND, S_COOKIE);
    *had = token && *token;
    if (!s_token_ok (token))
        return 0;
    imvo_response_t resp;
    int rc = s_ask_itself (x, &resp, "account.session", "session", token);
    int out = rc == 0 && resp.ok ? 1 : rc == 0 && resp.err.code != IMVO_ERR_UNAVAILABLE
                                         && resp.err.code != IMVO_ERR_INTERNAL && resp.err.code != IMVO_ERR_UNKNOWN_TYPE ? 0 : -1;
    if (out == 1) {
        staff_session_t *s = &x->s;
        snprintf (s->token, sizeof s->token, "%s", token);
        imvo_obj_strcpy (imvo_map_get (resp.body, "username"), s->username, sizeof s->username);
        imvo_obj_strcpy (imvo_map_get (resp.body, "name"), s->name, sizeof s->name);
        imvo_obj_strcpy (imvo_map_get (resp.body, "role"), s->role, sizeof s->role);
        imvo_obj_strcpy (imvo_map_get (resp.body, "org"), s->org, sizeof s->org);
        snprintf (s->actor.role, sizeof s->actor.role, "%s", s->role);
        snprintf (s->actor.org, sizeof s->actor.org, "%s", s->org);
        snprintf (s->actor.person, sizeof s->actor.person, "%s", s->username);
        s_csrf (token, s->csrf);
        if (!s->username [0] || !s->role [0])
            out = 0;
    }
    imvo_response_release (&resp);
    return out;
}

//  A staff form's file streams only after the form's token (portal_evidence.c): the token of
//  the session in the cookie. Whether the session is alive is asked when the form is whole.
bool
staff_csrf_early (struct MHD_Connection *c, portal_req_t *r)
{
    const char *token = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, S_COOKIE);
    const char *got = portal_field (r, "csrf");
    char want [65];
    if (!s_token_ok (token) || strlen (got) != 64)
        return false;
    s_csrf (token, want);
    return sodium_memcmp (got, want, 64) == 0;
}

static bool
s_csrf_ok (staff_t *x)
{
    const char *got = portal_field (x->r, "csrf");
    return strlen (got) == 64 && sodium_memcmp (got, x->s.csrf, 64) == 0;
}

static const char *
s_cookie (bool tls, const char *value, char out [200])
{
    snprintf (out, 200, S_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/staff%s%s", value,
              *value ? "" : "; Max-Age=0", tls ? "; Secure" : "");
    return out;
}

//  --- sign in and out ---------------------------------------------------------------------------

static enum MHD_Result
s_login_page (staff_t *x, unsigned status, const char *error, const char *note)
{
    char set [128], token [65];
    staff_public_csrf (x, token, set);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Aanmelden", "Sign in"));
    if (note && *note) {
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">");
        portal_buf_str (&b, note);
        portal_buf_add (&b, "</p>");
    }
    if (error && *error) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p>");
    }
    staff_public_form (x, &b, "/staff/login", token);
    portal_buf_add (&b, "<label for=\"username\">%s</label><input type=\"text\" id=\"username\" name=\"username\" "
                        "required maxlength=\"%ld\" autocomplete=\"username\" autocapitalize=\"none\" "
                        "spellcheck=\"false\" value=\"", TR (x, "Gebruikersnaam", "Username"),
                    staff_max ("account.login", "username", 64));
    portal_buf_str (&b, portal_field (x->r, "username"));
    portal_buf_add (&b, "\"><label for=\"password\">%s</label><input type=\"password\" id=\"password\" "
                        "name=\"password\" required maxlength=\"%ld\" autocomplete=\"current-password\">"
                        "<label for=\"totp\">%s</label><p class=\"help\" id=\"totp-help\">%s</p>"
                        "<input type=\"text\" id=\"totp\" name=\"totp\" required inputmode=\"numeric\" "
                        "pattern=\"[0-9]{6}\" maxlength=\"6\" autocomplete=\"one-time-code\" "
                        "aria-describedby=\"totp-help\"><button type=\"submit\">%s</button></form>",
                    TR (x, "Wachtwoord", "Password"), staff_max ("account.login", "password", 200),
                    TR (x, "Code uit uw authenticator-app", "Code from your authenticator app"),
                    TR (x, "Zes cijfers; de code verandert elke 30 seconden.", "Six digits; the code changes every 30 seconds."),
                    TR (x, "Aanmelden", "Sign in"));
    portal_buf_add (&b, "<p class=\"help\">%s <a href=\"/staff/enroll?lang=%s\">%s</a></p>",
                    TR (x, "Nieuw account of nieuwe inschrijving van het secretariaat gekregen?",
                        "Given a new account or a new enrollment by the secretariat?"), staff_lang (x),
                    TR (x, "Stel uw wachtwoord en code in", "Set your password and code"));
    portal_page_end (&b);
    return portal_page (x->c, status, &b, set [0] ? set : NULL);
}

static enum MHD_Result
s_login (staff_t *x, bool tls)
{
    if (!portal_csrf_ok (x->c, x->r))
        return s_login_page (x, MHD_HTTP_FORBIDDEN, portal_t (x->lang, T_EXPIRED), NULL);
    if (!portal_allowed (s_logins, x->addr, 20, 600000, false))
        return s_login_page (x, MHD_HTTP_TOO_MANY_REQUESTS,
                             TR (x, "Te veel mislukte pogingen vanaf dit adres. Probeer het over tien minuten opnieuw.",
                                 "Too many failed tries from this address. Try again in ten minutes."), NULL);
    const char *user = portal_field (x->r, "username"), *password = portal_field (x->r, "password"),
               *code = portal_field (x->r, "totp");
    if (!*user || !*password || !*code)
        return s_login_page (x, MHD_HTTP_BAD_REQUEST, TR (x, "Vul gebruikersnaam, wachtwoord en code in.",
                                                          "Fill in username, password and code."), NULL);
    //  The password as typed (portal_field trims; a password may end in a space).
    for (int i = 0; i < x->r->nfields; i++)
        if (streq (x->r->names [i], "password"))
            password = x->r->values [i];
    //  Argon2id in membership: asked on a worker while this connection waits suspended.
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "membership", "account.login", "sss", "username", user, "password", password,
                         "totp", code);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc == 0 && resp.ok) {
        char session [80] = "", cookie [200];
        imvo_obj_strcpy (imvo_map_get (resp.body, "session"), session, sizeof session);
        imvo_response_release (&resp);
        if (!s_token_ok (session))
            return staff_error (x, MHD_HTTP_SERVICE_UNAVAILABLE, TR (x, "Niet beschikbaar", "Unavailable"),
                                portal_t (x->lang, T_UNAVAILABLE));
        char location [40];
        snprintf (location, sizeof location, "/staff/?lang=%s", staff_lang (x));
        return portal_redirect (x->c, location, s_cookie (tls, session, cookie));
    }
    bool refused = rc == 0 && (resp.err.code == IMVO_ERR_FORBIDDEN || resp.err.code == IMVO_ERR_INVALID_ARGUMENT
                               || resp.err.code == IMVO_ERR_NOT_FOUND || resp.err.code == IMVO_ERR_BUSY);
    if (!refused)
        zsys_warning ("sign-in: account.login failed (%s%s%s: %s)", imvo_err_name (resp.err.code),
                      resp.err.field [0] ? " on " : "", resp.err.field, resp.err.message);
    imvo_response_release (&resp);
    if (!refused)
        return s_login_page (x, MHD_HTTP_SERVICE_UNAVAILABLE, portal_t (x->lang, T_UNAVAILABLE), NULL);
    portal_allowed (s_logins, x->addr, 20, 600000, true);
    return s_login_page (x, MHD_HTTP_UNAUTHORIZED,
                         TR (x, "Aanmelden is niet gelukt: de gebruikersnaam, het wachtwoord of de code klopt niet, "
                                "of het account is na vijf mislukte pogingen 15 minuten geblokkeerd.",
                             "Signing in failed: the username, password or code is wrong, or the account is locked "
                             "for 15 minutes after five failed tries."), NULL);
}

static enum MHD_Result
s_logout (staff_t *x, bool tls)
{
    imvo_response_t resp;
    s_ask_itself (x, &resp, "account.logout", "session", x->s.token);
    imvo_response_release (&resp);
    char cookie [200], location [48];
    snprintf (location, sizeof location, "/staff/login?bye=1&lang=%s", staff_lang (x));
    return portal_redirect (x->c, location, s_cookie (tls, "", cookie));
}

//  --- the dispatcher -----------------------------------------------------------------------------

enum MHD_Result
staff_route (struct MHD_Connection *c, portal_req_t *r, const char *url, bool post, portal_lang_t lang,
             const char *addr, bool tls)
{
    staff_t x = { .c = c, .r = r, .url = url, .lang = lang, .post = post, .addr = addr, .tls = tls };
    if (streq (url, "/staff/style.css") && !post)
        return portal_send (c, MHD_HTTP_OK, "text/css; charset=utf-8", staff_css, strlen (staff_css), NULL);
    if (streq (url, "/staff/login"))
        return post ? s_login (&x, tls)
                    : s_login_page (&x, MHD_HTTP_OK, NULL,
                                    *staff_query (&x, "ended") ? TR (&x, "Uw sessie is beëindigd. Meld u opnieuw aan.",
                                                                     "Your session has ended. Please sign in again.")
                                    : *staff_query (&x, "bye") ? TR (&x, "U bent afgemeld.", "You have signed out.")
                                    : NULL);
    if (streq (url, "/staff/enroll"))
        return staff_enroll (&x);
    bool had = false;
    int in = s_session (&x, &had);
    if (in < 0)
        return staff_error (&x, MHD_HTTP_SERVICE_UNAVAILABLE, TR (&x, "Niet beschikbaar", "Unavailable"),
                            portal_t (lang, T_UNAVAILABLE));
    if (in == 0) {
        char cookie [200], location [48];
        snprintf (location, sizeof location, "/staff/login?%slang=%s", had ? "ended=1&" : "", staff_lang (&x));
        return portal_redirect (c, location, had ? s_cookie (tls, "", cookie) : NULL);
    }
    if (post && !s_csrf_ok (&x))
        return staff_error (&x, MHD_HTTP_FORBIDDEN, TR (&x, "Formulier verlopen", "Form expired"),
                            TR (&x, "Dit formulier hoort niet bij uw huidige sessie (verlopen of van een andere "
                                    "sessie). Open de pagina opnieuw en probeer het nog eens.",
                                "This form does not belong to your current session (expired, or from another "
                                "session). Open the page again and try once more."));
    if (streq (url, "/staff/logout") && post)
        return s_logout (&x, tls);
    if ((streq (url, "/staff") || streq (url, "/staff/")) && !post)
        return staff_home (&x);
    if (streq (url, "/staff/cases") && !post)
        return staff_cases (&x);
    if (streq (url, "/staff/committee") && !post)
        return staff_committee (&x);
    if (strncmp (url, "/staff/case/", 12) == 0) {
        char id [72];
        const char *rest = url + 12, *slash = strchr (rest, '/');
        size_t n = slash ? (size_t) (slash - rest) : strlen (rest);
        if (n && n < sizeof id) {
            memcpy (id, rest, n);
            id [n] = 0;
            const char *action = slash ? slash + 1 : "";
            if (!post && strncmp (action, "attachment/", 11) == 0)
                return staff_attachment (&x, id, action + 11);
            if (post ? *action != 0 : *action == 0)
                return staff_case (&x, id, action);
        }
    }
    if (streq (url, "/staff/inbox") || (streq (url, "/staff/inbox/read") && post))
        return staff_inbox (&x);
    if (streq (url, "/staff/export") && !post)
        return staff_export (&x);
    if (streq (url, "/staff/audit") && !post)
        return staff_audit (&x);
    if (streq (url, "/staff/members") && !post)
        return staff_members (&x, "");
    if (strncmp (url, "/staff/members/", 15) == 0 && post)
        return staff_members (&x, url + 15);
    if (streq (url, "/staff/account") && !post)
        return staff_account (&x, "");
    if (strncmp (url, "/staff/account/", 15) == 0 && post)
        return staff_account (&x, url + 15);
    if (streq (url, "/staff/accounts") && !post)
        return staff_accounts (&x, "");
    if (strncmp (url, "/staff/accounts/", 16) == 0 && post)
        return staff_accounts (&x, url + 16);
    if (strncmp (url, "/staff/monitoring/", 18) == 0)
        return staff_monitoring (&x, url + 18);
    if (streq (url, "/staff/terms") && !post)
        return staff_terms (&x, "");
    if (strncmp (url, "/staff/terms/", 13) == 0 && post)
        return staff_terms (&x, url + 13);               //  staff_terms.c
    if (streq (url, "/staff/disclosures") && !post)
        return staff_disclosures (&x);
    if (streq (url, "/staff/steering") && !post)
        return staff_steering (&x);
    if (streq (url, "/staff/collective") && !post)
        return staff_collective (&x, "");
    if (strncmp (url, "/staff/collective/", 18) == 0 && post)
        return staff_collective (&x, url + 18);         //  staff_collective.c
    if (streq (url, "/staff/meetings") && !post)
        return staff_meetings (&x, "");
    if (strncmp (url, "/staff/meetings/", 16) == 0 && post)
        return staff_meetings (&x, url + 16);           //  staff_meetings.c
    if ((streq (url, "/staff/assessor") && !post) || (strncmp (url, "/staff/assessor/", 16) == 0 && post))
        return staff_assessor (&x, false, post ? url + 16 : "");       //  staff_assessor.c
    if ((streq (url, "/staff/review") && !post) || (strncmp (url, "/staff/review/", 14) == 0 && post))
        return staff_assessor (&x, true, post ? url + 14 : "");
    if ((streq (url, "/staff/disputes") && !post) || (strncmp (url, "/staff/disputes/", 16) == 0 && post))
        return staff_disputes (&x, post ? url + 16 : "");       //  staff_disputes.c
    if (strncmp (url, "/staff/company/", 15) == 0)
        return staff_company (&x, url + 15);            //  staff_company.c
    if (streq (url, "/staff/locations") && !post)
        return staff_locations (&x, "");
    if (strncmp (url, "/staff/locations/", 17) == 0 && post)
        return staff_locations (&x, url + 17);
    return staff_error (&x, MHD_HTTP_NOT_FOUND, TR (&x, "Niet gevonden", "Not found"), portal_t (lang, T_NOT_FOUND));
}

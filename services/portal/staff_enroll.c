/*  staff_enroll: /staff/enroll (public, no session; the portal's CSRF cookie as on the sign-in
    form): with the enrollment token the secretariat gave her, a person sets her password
    (account.enroll, asked on a worker: Argon2id in membership) and gets her TOTP secret, once,
    as base32 text, as an otpauth:// URI and as a QR code for her authenticator app. The same
    form sent twice shows the same outcome (portal_defer_kept.c keeps it by the form's key for a
    moment); bad input is a 400 with the form again and nothing changed. See staff.h. */
#include "staff.h"

#include <ctype.h>
#include <microhttpd.h>
#include <qrencode.h>
#include <sodium.h>

static enum MHD_Result
s_enroll_form (staff_t *x, unsigned status, const char *error)
{
    char token [65], set [128];
    staff_public_csrf (x, token, set);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Account inschrijven", "Enroll your account"));
    if (error) {
        staff_notice (&b, true, error);
        if (x->post)
            portal_buf_add (&b, "<p>%s</p>", TR (x, "Er is niets veranderd.", "Nothing was changed."));
    }
    portal_buf_add (&b, "<p>%s</p>", TR (x, "Met de inschrijfcode van het secretariaat stelt u hier uw wachtwoord in. "
                                            "Daarna krijgt u de sleutel voor uw authenticator-app (bijvoorbeeld "
                                            "FreeOTP, Aegis of Google Authenticator), die de zescijferige code "
                                            "maakt waarmee u zich aanmeldt.",
                                         "With the enrollment code from the secretariat you set your password here. "
                                         "Then you get the key for your authenticator app (FreeOTP, Aegis or Google "
                                         "Authenticator, for example), which makes the six-digit code you sign in with."));
    staff_public_form (x, &b, "/staff/enroll", token);
    portal_buf_add (&b, "<label for=\"enroll_token\">%s</label><input type=\"text\" id=\"enroll_token\" name=\"enroll_token\" "
                        "required maxlength=\"%ld\" autocomplete=\"off\" autocapitalize=\"none\" spellcheck=\"false\" "
                        "value=\"", TR (x, "Inschrijfcode", "Enrollment code"),
                    staff_max ("account.enroll", "enroll_token", 128));
    portal_buf_str (&b, portal_field (x->r, "enroll_token"));
    portal_buf_add (&b, "\">");
    staff_password_inputs (x, &b, "new-password");
    portal_buf_add (&b, "<button type=\"submit\">%s</button></form>", TR (x, "Wachtwoord instellen", "Set password"));
    portal_page_end (&b);
    return portal_page (x->c, status, &b, set [0] ? set : NULL);
}

//  The secret in groups of four, as authenticator apps show and take it.
static void
s_grouped (portal_buf_t *b, const char *secret)
{
    for (size_t i = 0; secret [i]; i++) {
        if (i && i % 4 == 0)
            portal_buf_raw (b, " ", 1);
        portal_buf_raw (b, &secret [i], 1);
    }
}

//  The otpauth URI as a QR code (libqrencode), drawn as an inline SVG of dark squares with the
//  quiet zone of four modules the standard asks for: a phone's authenticator app scans it.
//  Nothing is drawn when the URI does not encode (the key and the link stay on the page).
static void
s_qr_svg (staff_t *x, portal_buf_t *b, const char *uri)
{
    QRcode *qr = QRcode_encodeString (uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return;
    int w = qr->width, size = w + 8;
    portal_buf_add (b, "<figure class=\"qr\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                       "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"%s\">"
                       "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                    size, size, size * 5, size * 5,
                    TR (x, "QR-code met de sleutel voor uw authenticator-app", "QR code with the key for your authenticator app"),
                    size, size);
    for (int row = 0; row < w; row++)
        for (int col = 0; col < w; col++)
            if (qr->data [row * w + col] & 1)
                portal_buf_add (b, "M%d %dh1v1h-1z", col + 4, row + 4);
    portal_buf_add (b, "\"/></svg><figcaption>%s</figcaption></figure>",
                    TR (x, "Scan deze code met uw authenticator-app.", "Scan this code with your authenticator app."));
    sodium_memzero (qr->data, (size_t) w * (size_t) w);     //  it holds the key
    QRcode_free (qr);
}

static enum MHD_Result
s_enrolled (staff_t *x, const imvo_response_t *resp)
{
    char user [72] = "", secret [128] = "";
    imvo_obj_strcpy (imvo_map_get (resp->body, "username"), user, sizeof user);
    imvo_obj_strcpy (imvo_map_get (resp->body, "totp_secret"), secret, sizeof secret);
    for (char *p = secret; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '=')
            *p = 0;             //  base32 only
    portal_buf_t uri;
    portal_buf_init (&uri);
    portal_buf_add (&uri, "otpauth://totp/IMVO:");
    staff_buf_url (&uri, user);
    portal_buf_add (&uri, "?secret=%s&issuer=IMVO&algorithm=SHA1&digits=6&period=30", secret);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Uw account is klaar", "Your account is ready"));
    portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s <strong>", TR (x, "Uw wachtwoord is ingesteld voor", "Your password is set for"));
    portal_buf_str (&b, user);
    portal_buf_add (&b, "</strong>.</p><section class=\"card\" aria-labelledby=\"h-totp\"><h2 id=\"h-totp\">%s</h2>"
                        "<ol><li>%s</li><li>%s</li></ol><dl class=\"facts\"><dt>%s</dt><dd><code id=\"totp-secret\" "
                        "class=\"secret\">", TR (x, "Uw authenticator-app instellen", "Set up your authenticator app"),
                    TR (x, "Scan de QR-code hieronder met uw authenticator-app, of voeg daarin een account toe met "
                           "‘sleutel invoeren’ en typ of plak de sleutel (op de telefoon zelf: open de otpauth-link).",
                        "Scan the QR code below with your authenticator app, or add an account there with ‘enter a "
                        "setup key’ and type or paste the key (on the phone itself: open the otpauth link)."),
                    TR (x, "Meld u daarna aan met uw gebruikersnaam, uw wachtwoord en de code die de app toont.",
                        "Then sign in with your username, your password and the code the app shows."),
                    TR (x, "Sleutel", "Key"));
    s_grouped (&b, secret);
    portal_buf_add (&b, "</code></dd><dt>%s</dt><dd><code id=\"otpauth\">", TR (x, "Link", "Link"));
    portal_buf_text (&b, uri.data, uri.len);
    portal_buf_add (&b, "</code></dd></dl>");
    s_qr_svg (x, &b, uri.data);
    portal_buf_add (&b, "<p class=\"help\">%s</p></section><p><a href=\"/staff/login?lang=%s\">%s</a></p>",
                    TR (x, "Deze sleutel is alleen nu te zien. Bewaar hem nergens anders dan in uw app. Kwijt? Vraag het "
                           "secretariaat om een nieuwe inschrijving.",
                        "This key is shown only now. Keep it nowhere but in your app. Lost? Ask the secretariat for "
                        "a new enrollment."), staff_lang (x), TR (x, "Naar aanmelden", "To sign in"));
    sodium_memzero (secret, sizeof secret);
    sodium_memzero (uri.data, uri.len);
    portal_buf_release (&uri);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

enum MHD_Result
staff_enroll (staff_t *x)
{
    if (!x->post)
        return s_enroll_form (x, MHD_HTTP_OK, NULL);
    if (!portal_csrf_ok (x->c, x->r))
        return s_enroll_form (x, MHD_HTTP_FORBIDDEN, portal_t (x->lang, T_EXPIRED));
    const char *token = portal_field (x->r, "enroll_token"), *error = NULL;
    const char *pw = staff_new_password (x, &error);
    if (!*token)
        error = TR (x, "Vul de inschrijfcode in.", "Fill in the enrollment code.");
    if (!*token || !pw)
        return s_enroll_form (x, MHD_HTTP_BAD_REQUEST, error);
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "membership", "account.enroll", "ss", "enroll_token", token, "password", pw);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc == 0 && resp.ok) {
        enum MHD_Result answer = s_enrolled (x, &resp);
        imvo_response_release (&resp);
        return answer;
    }
    bool refused = rc == 0 && (resp.err.code == IMVO_ERR_NOT_FOUND || resp.err.code == IMVO_ERR_INVALID_ARGUMENT
                               || resp.err.code == IMVO_ERR_CONFLICT);
    bool token_refused = refused && (streq (resp.err.field, "enroll_token") || resp.err.code == IMVO_ERR_NOT_FOUND);
    char why [400];
    snprintf (why, sizeof why, "%s%s%s", resp.err.field, resp.err.field [0] ? ": " : "", resp.err.message);
    imvo_response_release (&resp);
    if (!refused)
        return s_enroll_form (x, MHD_HTTP_SERVICE_UNAVAILABLE, portal_t (x->lang, T_UNAVAILABLE));
    if (!token_refused)
        return s_enroll_form (x, MHD_HTTP_BAD_REQUEST, why);
    return s_enroll_form (x, MHD_HTTP_BAD_REQUEST,
                          TR (x, "Deze inschrijfcode is onbekend, al gebruikt of verlopen (na 72 uur). Vraag het "
                                 "secretariaat om een nieuwe.",
                              "This enrollment code is unknown, used already or lapsed (after 72 hours). Ask the "
                              "secretariat for a new one."));
}

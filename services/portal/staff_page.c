/*  staff_page: what every console page is made with: the small helpers (the language, a query
    parameter, a URL part, a field's bound, a date, the words for a status and a role), the
    page around a body (header, menu, the other language, the person signed in), the forms'
    hidden fields (CSRF token, language, idempotency key), the error pages and the answers
    after a change, and the console's stylesheet (staff_css). See staff.h. */
#include "staff.h"

#include <ctype.h>
#include <stdarg.h>
#include <time.h>
#include <microhttpd.h>
#include <sodium.h>

const char staff_css [] =
    "input[type=password],input[type=number],input[type=url]{width:100%;box-sizing:border-box;font:inherit;padding:.55rem;"
    "border:2px solid #555;border-radius:.3rem;background:#fff}input[type=number]{max-width:9rem}a.aside{margin-left:1rem}"
    ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;color:#0b3d60;padding:.4rem;z-index:9}"
    "header nav{display:flex;flex-wrap:wrap;gap:.2rem .9rem;align-items:center}header nav a{margin:0}"
    "header nav form{display:inline;margin:0}header nav button{margin:0;padding:.2rem .6rem;min-height:32px;"
    "background:#fff;color:#0b3d60;font-weight:600}"
    "main.wide{max-width:72rem}.who{color:#444;font-size:.9rem;margin:.2rem 0}"
    ".table{overflow-x:auto}table.list th{background:#eef2f5}table.list td.num{white-space:nowrap}"
    ".row{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end}.row>div{flex:1 1 12rem}"
    ".row label{margin-top:.4rem}.row button{margin-top:.4rem}"
    ".card{background:#fff;border:1px solid #ccd;border-radius:.4rem;padding:.6rem 1rem;margin:1rem 0}"
    ".card h2{margin-top:.2rem;font-size:1.2rem}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:0 1.2rem}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}dl.facts dt{font-weight:600}"
    "dl.facts dd{margin:0;overflow-wrap:anywhere}.late{color:#b00020;font-weight:700}.pill{display:inline-block;"
    "padding:0 .5rem;border-radius:1rem;background:#e3ebf2;font-size:.9rem}"
    "button.secondary{background:#fff;color:#0b3d60;border:2px solid #0b3d60}button.danger{background:#8a1020}"
    ".note{background:#fffbe6;border:1px solid #e6d58a;padding:.5rem;margin:.5rem 0;border-radius:.3rem}"
    ".pager{display:flex;gap:1rem;margin:1rem 0}.identity{background:#fff3f3;border:2px solid #b00020;padding:.6rem 1rem}"
    "details{margin:.6rem 0}summary{cursor:pointer;font-weight:600;padding:.3rem 0}"
    "td details{margin:0}.row.top{align-items:flex-start}"
    "nav.tabs ul{display:flex;flex-wrap:wrap;gap:.4rem;list-style:none;padding:0;margin:.6rem 0}"
    "nav.tabs a{display:inline-block;padding:.35rem .7rem;border:1px solid #ccd;border-radius:.3rem;background:#fff;"
    "text-decoration:none}nav.tabs a .tab{text-decoration:underline}"
    "ol.decisions{padding-left:1.2rem}ol.decisions li{margin:.4rem 0}"
    ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}"
    "code{overflow-wrap:anywhere;word-break:break-all}code.secret{font-size:1.15rem;letter-spacing:.04em;"
    "background:#eef2f5;padding:.1rem .3rem;border-radius:.2rem}"
    "figure.chart{margin:.8rem 0;max-width:26rem}figure.chart svg{display:block;width:100%;height:auto}"
    "figure.chart figcaption{font-size:.9rem;color:#444}ul.tabs{display:flex;flex-wrap:wrap;gap:.3rem 1rem;list-style:none;"
    "padding:0;margin:.5rem 0 1rem}ul.tabs a[aria-current]{font-weight:700;text-decoration:none;border-bottom:3px solid #0b3d60}"
    "textarea{width:100%;box-sizing:border-box;font-family:monospace}fieldset label{display:block;font-weight:400}"
    //  A checkbox or radio beside its label (staff_collective.c, staff_meetings.c); .inline: in a row.
    ".check{display:flex;align-items:center;gap:.5rem;margin:.3rem 0}.check input{width:auto;margin:0}"
    "fieldset .check label{display:inline;margin:0}.inline .check{display:inline-flex;margin-right:1.2rem}"
    "input[type=number],input[type=search]{width:100%;box-sizing:border-box;font:inherit;padding:.55rem;"
    "border:2px solid #555;border-radius:.3rem;background:#fff}.grid.wide{grid-template-columns:repeat(auto-fit,"
    "minmax(min(100%,24rem),1fr))}@media (max-width:40rem){table.list tbody th{display:block;background:none;"
    "border:0;padding:.3rem .3rem .1rem}}.row.narrow{max-width:26rem}"
    "figure.qr{margin:1rem 0}figure.qr svg{display:block;max-width:100%;height:auto;border:1px solid #ccd}"
    "@media (max-width:40rem){table.list thead{display:none}table.list tr{display:block;border-bottom:2px solid #ccd;"
    "padding:.3rem 0}table.list td{display:block;border:0;padding:.1rem .3rem}"
    "table.list td[data-label]::before{content:attr(data-label) \": \";font-weight:600}}";

//  --- small helpers ----------------------------------------------------------------------

const char *
staff_lang (staff_t *x)
{
    return x->lang == PORTAL_EN ? "en" : "nl";
}

const char *
staff_query (staff_t *x, const char *name)
{
    const char *v = MHD_lookup_connection_value (x->c, MHD_GET_ARGUMENT_KIND, name);
    return v ? v : "";
}

void
staff_buf_url (portal_buf_t *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++)
        if (isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
            portal_buf_raw (b, (const char *) p, 1);
        else
            portal_buf_add (b, "%%%02X", *p);
}

long
staff_max (const char *type, const char *field, long fallback)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (type);
    for (int i = 0; msg && i < msg->nfields; i++)
        if (streq (msg->fields [i].name, field) && msg->fields [i].max)
            return (long) msg->fields [i].max;
    return fallback;
}

void
staff_when (const msgpack_object *ms, char out [32])
{
    out [0] = 0;
    if (ms && (ms->type == MSGPACK_OBJECT_POSITIVE_INTEGER || ms->type == MSGPACK_OBJECT_NEGATIVE_INTEGER
               || ms->type == MSGPACK_OBJECT_FLOAT64)) {
        int64_t v = ms->type == MSGPACK_OBJECT_FLOAT64 ? (int64_t) ms->via.f64 : ms->via.i64;
        time_t t = (time_t) (v / 1000);
        struct tm tm;
        gmtime_r (&t, &tm);
        strftime (out, 32, "%Y-%m-%d %H:%M", &tm);
    }
    else
    if (ms && ms->type == MSGPACK_OBJECT_STR)
        imvo_obj_strcpy (ms, out, 32);
}

bool
staff_is (staff_t *x, const char *role)
{
    return streq (x->s.role, role);
}

const char *
staff_status (staff_t *x, const char *status)
{
    static const char *const words [][3] = {
        { "received", "Ontvangen", "Received" }, { "admissibility", "Ontvankelijkheid", "Admissibility" },
        { "inadmissible", "Niet-ontvankelijk", "Inadmissible" }, { "response", "Reactie bedrijf", "Company response" },
        { "mediation", "Bemiddeling", "Mediation" }, { "ruling", "Onderzoek en uitspraak", "Ruling" },
        { "decided", "Uitspraak gedaan", "Decided" }, { "settled", "Geschikt", "Settled" },
        { "withdrawn", "Ingetrokken", "Withdrawn" }, { "closed", "Gesloten", "Closed" } };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], status))
            return words [i][1 + x->lang];
    return status;
}

const char *
staff_role (staff_t *x, const char *role)
{
    static const char *const words [][3] = {
        { "secretariat", "secretariaat", "secretariat" }, { "committee", "klachtencommissie", "complaints committee" },
        { "monitoring", "monitoringcommissie", "monitoring committee" }, { "company", "bedrijf", "company" },
        { "steering", "stuurgroep", "steering group" }, { "complainant", "klager", "complainant" },
        { "service", "systeem", "system" } };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], role))
            return words [i][1 + x->lang];
    return role;
}

//  --- the page around -------------------------------------------------------------------------

//  The same page in the other language: the query as it came, lang changed.
static enum MHD_Result
s_query_arg (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    portal_buf_t *b = cls;
    if (streq (key, "lang"))
        return MHD_YES;
    portal_buf_raw (b, "&", 1);
    staff_buf_url (b, key);
    portal_buf_raw (b, "=", 1);
    staff_buf_url (b, value);
    return MHD_YES;
}

void
staff_page_start (staff_t *x, portal_buf_t *b, const char *title)
{
    const char *l = staff_lang (x);
    portal_buf_add (b, "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", l);
    portal_buf_str (b, title);
    portal_buf_add (b, " – IMVO</title><link rel=\"stylesheet\" href=\"/style.css\">"
                       "<link rel=\"stylesheet\" href=\"/staff/style.css\"></head><body>"
                       "<a class=\"skip\" href=\"#main\">%s</a><header><a class=\"home\" href=\"/staff/?lang=%s\">%s</a>"
                       "<nav aria-label=\"%s\">", TR (x, "Naar de inhoud", "Skip to content"), l,
                    TR (x, "IMVO-console", "IMVO console"), TR (x, "Hoofdmenu", "Main menu"));
    if (x->s.username [0]) {
        portal_buf_add (b, "<a href=\"/staff/?lang=%s\">%s</a><a href=\"/staff/inbox?lang=%s\">%s</a>", l,
                        TR (x, "Start", "Home"), l, TR (x, "Postvak", "Inbox"));
        if (staff_is (x, "secretariat"))
            portal_buf_add (b, "<a href=\"/staff/audit?lang=%s\">%s</a><a href=\"/staff/accounts?lang=%s\">%s</a>", l,
                            TR (x, "Logboek", "Audit"), l, TR (x, "Accounts", "Accounts"));
        portal_buf_add (b, "<a href=\"/staff/account?lang=%s\">%s</a>", l, TR (x, "Mijn account", "My account"));
    }
    //  The other language: this page (a GET) with its query, else the home page.
    portal_buf_add (b, "<a lang=\"%s\" href=\"", x->lang == PORTAL_EN ? "nl" : "en");
    portal_buf_str (b, x->post ? "/staff/" : x->url);
    portal_buf_add (b, "?lang=%s", x->lang == PORTAL_EN ? "nl" : "en");
    if (!x->post) {
        portal_buf_t q;
        portal_buf_init (&q);
        MHD_get_connection_values (x->c, MHD_GET_ARGUMENT_KIND, s_query_arg, &q);
        portal_buf_text (b, q.data, q.len);
        portal_buf_release (&q);
    }
    portal_buf_add (b, "\">%s</a>", portal_t (x->lang, T_LANG_OTHER));
    if (x->s.username [0]) {
        staff_form (x, b, "/staff/logout");
        portal_buf_add (b, "<button type=\"submit\">%s</button></form>", TR (x, "Afmelden", "Sign out"));
    }
    portal_buf_add (b, "</nav></header><main id=\"main\" class=\"wide\">");
    if (x->s.username [0]) {
        portal_buf_add (b, "<p class=\"who\">%s ", TR (x, "Aangemeld als", "Signed in as"));
        portal_buf_str (b, x->s.name [0] ? x->s.name : x->s.username);
        portal_buf_add (b, " (%s", staff_role (x, x->s.role));
        if (x->s.org [0]) {
            //  The company by its name once its own org.get gave it (staff_orgs.c), else its id.
            char name [201];
            bool named = staff_orgs_remembered (x->s.org, name, sizeof name);
            portal_buf_add (b, ", ");
            if (named) {
                portal_buf_add (b, "<span title=\"");
                portal_buf_str (b, x->s.org);
                portal_buf_add (b, "\">");
            }
            portal_buf_str (b, named ? name : x->s.org);
            portal_buf_add (b, named ? "</span>" : "");
        }
        portal_buf_add (b, ")</p>");
    }
    portal_buf_add (b, "<h1>");
    portal_buf_str (b, title);
    portal_buf_add (b, "</h1>");
}

enum MHD_Result
staff_page_end (staff_t *x, portal_buf_t *b, unsigned status)
{
    portal_page_end (b);
    return portal_page (x->c, status, b, NULL);
}

//  A form's one-time idempotency key: 128 random bits, new on every rendering.
static void
s_idem_field (portal_buf_t *b)
{
    unsigned char raw [16];
    char key [33];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (key, sizeof key, raw, sizeof raw);
    portal_hidden (b, "idem", key);
}

void
staff_form (staff_t *x, portal_buf_t *b, const char *action)
{
    portal_buf_add (b, "<form method=\"post\" action=\"");
    portal_buf_str (b, action);
    portal_buf_add (b, "\">");
    portal_hidden (b, "csrf", x->s.csrf);
    portal_hidden (b, "lang", staff_lang (x));
    s_idem_field (b);
}

void
staff_public_csrf (staff_t *x, char token [65], char set [128])
{
    char cookie [33];
    portal_csrf_cookie (x->c, cookie, set);
    portal_csrf_token (cookie, token);
}

void
staff_list_start (portal_buf_t *b, uint32_t n, const char *empty, const char *attrs)
{
    if (n)
        portal_buf_add (b, "<ul%s>", attrs);
    else
        portal_buf_add (b, "<p>%s</p>", empty);
}

void
staff_list_end (portal_buf_t *b, uint32_t n)
{
    if (n)
        portal_buf_add (b, "</ul>");
}

void
staff_table_start (portal_buf_t *b, const char *id, const char *const *heads, int n, const char *caption, ...)
{
    char text [256];
    va_list ap;
    va_start (ap, caption);
    vsnprintf (text, sizeof text, caption, ap);
    va_end (ap);
    portal_buf_add (b, "<div class=\"table\"><table class=\"list\" id=\"%s\"><caption class=\"help\">%s</caption><thead><tr>",
                    id, text);
    for (int c = 0; c < n; c++)
        portal_buf_add (b, "<th scope=\"col\">%s</th>", heads [c]);
    portal_buf_add (b, "</tr></thead><tbody>");
}

void
staff_public_form (staff_t *x, portal_buf_t *b, const char *action, const char *token)
{
    portal_buf_add (b, "<form method=\"post\" action=\"");
    portal_buf_str (b, action);
    portal_buf_add (b, "\">");
    portal_hidden (b, "csrf", token);
    portal_hidden (b, "lang", staff_lang (x));
    s_idem_field (b);
}

enum MHD_Result
staff_error (staff_t *x, unsigned status, const char *title, const char *message)
{
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, title);
    portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
    portal_buf_str (&b, message);
    portal_buf_add (&b, "</p>");
    if (x->post)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Er is niets veranderd.", "Nothing was changed."));
    portal_buf_add (&b, "<p><a href=\"/staff/?lang=%s\">%s</a></p>", staff_lang (x),
                    TR (x, "Naar de startpagina", "To the home page"));
    return staff_page_end (x, &b, status);
}

enum MHD_Result
staff_failed (staff_t *x, int rc, imvo_response_t *resp)
{
    unsigned status = MHD_HTTP_SERVICE_UNAVAILABLE;
    const char *title = TR (x, "Niet beschikbaar", "Unavailable");
    char message [400];
    snprintf (message, sizeof message, "%s", portal_t (x->lang, T_UNAVAILABLE));
    if (rc == 0 && !resp->ok) {
        imvo_err_t code = resp->err.code;
        status = code == IMVO_ERR_FORBIDDEN ? MHD_HTTP_FORBIDDEN
               : code == IMVO_ERR_NOT_FOUND ? MHD_HTTP_NOT_FOUND
               : code == IMVO_ERR_CONFLICT ? MHD_HTTP_CONFLICT
               : code == IMVO_ERR_INVALID_ARGUMENT || code == IMVO_ERR_BAD_REQUEST || code == IMVO_ERR_TOO_LARGE
               ? MHD_HTTP_BAD_REQUEST
               : code == IMVO_ERR_BUSY ? MHD_HTTP_TOO_MANY_REQUESTS : MHD_HTTP_SERVICE_UNAVAILABLE;
        title = status == MHD_HTTP_FORBIDDEN ? TR (x, "Geen toegang", "Not allowed")
              : status == MHD_HTTP_NOT_FOUND ? TR (x, "Niet gevonden", "Not found")
              : status == MHD_HTTP_CONFLICT ? TR (x, "Dat kan nu niet", "Not possible now")
              : status == MHD_HTTP_BAD_REQUEST ? TR (x, "Controleer de invoer", "Please check the input")
              : title;
        const char *lead = status == MHD_HTTP_FORBIDDEN
                         ? TR (x, "U mag dit niet doen of zien met uw rol.", "Your role may not do or see this.")
                         : status == MHD_HTTP_NOT_FOUND ? TR (x, "Dit bestaat niet (meer).", "This does not exist.")
                         : "";
        //  The daemon's words name the field; they are in English.
        snprintf (message, sizeof message, "%s%s%s%s%s", lead, *lead ? " " : "",
                  resp->err.field [0] ? resp->err.field : "", resp->err.field [0] ? ": " : "", resp->err.message);
    }
    imvo_response_release (resp);
    return staff_error (x, status, title, message);
}

enum MHD_Result
staff_done (staff_t *x, const char *path)
{
    char location [512];
    snprintf (location, sizeof location, "%s%slang=%s", path, strchr (path, '?') ? "&" : "?", staff_lang (x));
    return portal_redirect (x->c, location, NULL);
}

enum MHD_Result
staff_changed (staff_t *x, int rc, imvo_response_t *resp, const char *path)
{
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc || !resp->ok)
        return staff_failed (x, rc, resp);
    imvo_response_release (resp);
    return staff_done (x, path);
}

enum MHD_Result
staff_not_found (staff_t *x)
{
    return staff_error (x, MHD_HTTP_NOT_FOUND, TR (x, "Niet gevonden", "Not found"), portal_t (x->lang, T_NOT_FOUND));
}

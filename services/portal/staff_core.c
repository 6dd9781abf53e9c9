/*  staff_core: the staff console's dispatcher, session, CSRF, sign in and out, the page around
    each page, and asking the daemons as the signed-in person; see staff.h. */
#include "staff.h"

#include <ctype.h>
#include <stdarg.h>
#include <time.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_COOKIE "imvo_staff"

//  Failed sign-ins per client address: 20 in 10 minutes, then 429 until the window ends
//  (membership locks an account after five wrong tries; this bounds guessing across accounts).
static portal_limit_t s_logins [1024];

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

//  --- asking the daemons as the person -------------------------------------------------------

static void
s_pack (msgpack_packer *pk, const char *spec, va_list ap, bool count_only, uint32_t *count)
{
    for (const char *t = spec; *t; t++) {
        const char *name = va_arg (ap, const char *);
        if (*t == 'i' || *t == 'j') {
            int64_t v = va_arg (ap, int64_t);
            if (*t == 'j' && v < 0)
                continue;
            if (count_only)
                (*count)++;
            else
                imvo_pack_kv_int (pk, name, v);
        }
        else
        if (*t == 'b' || *t == 'B') {
            int v = va_arg (ap, int);
            if (*t == 'B' && !v)
                continue;
            if (count_only)
                (*count)++;
            else
                imvo_pack_kv_bool (pk, name, v != 0);
        }
        else {
            const char *v = va_arg (ap, const char *);
            if (*t == 'o' && (!v || !*v))
                continue;
            if (count_only)
                (*count)++;
            else
                imvo_pack_kv_str (pk, name, v ? v : "");
        }
    }
}

//  A request's body from spec and its values (as staff_ask), into body (initialised here).
static void
s_pack_body (msgpack_sbuffer *body, const char *spec, va_list ap)
{
    msgpack_sbuffer_init (body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
    uint32_t n = 0;
    va_list again;
    va_copy (again, ap);
    s_pack (&pk, spec, ap, true, &n);
    msgpack_pack_map (&pk, n);
    s_pack (&pk, spec, again, false, &n);
    va_end (again);
}

int
staff_ask (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *spec, ...)
{
    msgpack_sbuffer body;
    va_list ap;
    va_start (ap, spec);
    s_pack_body (&body, spec, ap);
    va_end (ap);
    int rc = portal_call_as (service, type, body.data, body.size, &x->s.actor, resp);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

const char *
staff_idem (staff_t *x)
{
    const char *key = x->post ? portal_field (x->r, "idem") : "";
    if (strlen (key) != 32)
        return NULL;
    for (const char *p = key; *p; p++)
        if (!isxdigit ((unsigned char) *p))
            return NULL;
    return key;
}

int
staff_call_body (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *body,
                 size_t size)
{
    int n = x->calls++;
    if (n < x->r->njobs && portal_job_done (x->r->jobs [n]))
        return portal_job_result (x->r->jobs [n], resp);
    const portal_actor_t *actor = x->s.actor.role [0] ? &x->s.actor : NULL;
    if (portal_defer (x->c, x->r, service, type, staff_idem (x), body, size, actor)) {
        memset (resp, 0, sizeof *resp);
        return STAFF_WAIT;
    }
    return portal_ask_now (x->r, service, type, staff_idem (x), body, size, actor, resp);
}

int
staff_call (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *spec, ...)
{
    msgpack_sbuffer body;
    va_list ap;
    va_start (ap, spec);
    s_pack_body (&body, spec, ap);
    va_end (ap);
    int rc = staff_call_body (x, resp, service, type, body.data, body.size);
    //  The body may hold a password.
    sodium_memzero (body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

const msgpack_object *
staff_covenant_name (staff_t *x, const msgpack_object *covenant)
{
    return portal_covenant_name (x->lang, covenant);
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
            portal_buf_add (b, ", ");
            portal_buf_str (b, x->s.org);
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
    if (strncmp (url, "/staff/company/", 15) == 0)
        return staff_company (&x, url + 15);            //  staff_company.c
    if (streq (url, "/staff/locations") && !post)
        return staff_locations (&x, "");
    if (strncmp (url, "/staff/locations/", 17) == 0 && post)
        return staff_locations (&x, url + 17);
    return staff_error (&x, MHD_HTTP_NOT_FOUND, TR (&x, "Niet gevonden", "Not found"), portal_t (lang, T_NOT_FOUND));
}

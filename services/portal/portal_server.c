/*  portal_server: the HTTP server (libmicrohttpd, one polling thread) and its pages; see portal.h.

    Pages: / (the complaint form: first the covenant, then the rest), POST /submit, /status and
    POST /status (following a case by receipt), POST /message, /decisions/<covenant>,
    /locations/<covenant>/<year> (?q= searches; .csv downloads), /metrics, /style.css.

    Safety: request bodies over 64 KiB are refused; every form carries a CSRF token (an HMAC of
    a cookie with a key of the process); a strict Content-Security-Policy and no third-party
    assets; receipts and the complainant's data travel only in POST bodies, never in a URL, and
    are never logged; per client address, 5 submissions per 10 minutes and 10 wrong receipts a
    minute.
*/
#include "portal.h"
#include "imvo_curve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_MAX_BODY (64 * 1024)
#define S_MAX_FIELDS 24

static imvo_redis_t *s_redis;               //  as the `intake` user: XADD to the queue only
static unsigned char s_csrf_key [crypto_auth_hmacsha256_KEYBYTES];
static char s_proxy [64];                   //  the trusted reverse proxy's address, or ""

//  --- daemons ------------------------------------------------------------------------------

int
portal_call (const char *service, const char *type, const char *body, size_t size, imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 64);
    imvo_client_t *client = imvo_client_new_for (service);
    if (!client)
        return -1;
    imvo_client_set_timeout (client, 1500);
    imvo_client_set_attempts (client, 2);
    imvo_client_set_actor (client, "service", NULL);
    imvo_response_release (resp);
    int rc = imvo_client_call (client, type, NULL, body, size, resp);
    imvo_client_destroy (&client);
    return rc;
}

//  --- per client address limits ------------------------------------------------------------

typedef struct {
    char addr [64];
    int64_t window_start;
    int count;
} s_limit_t;

static s_limit_t s_submits [1024], s_misses [1024];

//  True when the address may go on: fewer than max events in the window (counted when count).
static bool
s_allowed (s_limit_t *table, const char *addr, int max, int64_t window_ms, bool count)
{
    uint32_t h = 2166136261u;
    for (const char *p = addr; *p; p++)
        h = (h ^ (unsigned char) *p) * 16777619u;
    s_limit_t *l = &table [h % 1024];
    int64_t now = zclock_mono ();
    if (!streq (l->addr, addr) || now - l->window_start > window_ms) {
        snprintf (l->addr, sizeof l->addr, "%s", addr);
        l->window_start = now;
        l->count = 0;
    }
    if (l->count >= max)
        return false;
    if (count)
        l->count++;
    return true;
}

//  --- a request in progress ---------------------------------------------------------------

typedef struct {
    char *body;
    size_t size;
    bool too_large;
    char *names [S_MAX_FIELDS], *values [S_MAX_FIELDS];
    int nfields;
} s_req_t;

static void
s_req_free (s_req_t *r)
{
    if (!r)
        return;
    free (r->body);
    for (int i = 0; i < r->nfields; i++) {
        free (r->names [i]);
        free (r->values [i]);
    }
    free (r);
}

static int
s_hex (char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

//  Decodes one application/x-www-form-urlencoded part in place.
static char *
s_urldecode (const char *s, size_t n)
{
    char *out = malloc (n + 1), *o = out;
    assert (out);
    for (size_t i = 0; i < n; i++) {
        if (s [i] == '+')
            *o++ = ' ';
        else
        if (s [i] == '%' && i + 2 < n && s_hex (s [i + 1]) >= 0 && s_hex (s [i + 2]) >= 0) {
            *o++ = (char) (s_hex (s [i + 1]) * 16 + s_hex (s [i + 2]));
            i += 2;
        }
        else
            *o++ = s [i];
    }
    *o = 0;
    return out;
}

static void
s_parse_form (s_req_t *r)
{
    const char *p = r->body ? r->body : "", *end = p + r->size;
    while (p < end && r->nfields < S_MAX_FIELDS) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr (p, '=', (size_t) (stop - p));
        if (eq) {
            r->names [r->nfields] = s_urldecode (p, (size_t) (eq - p));
            r->values [r->nfields] = s_urldecode (eq + 1, (size_t) (stop - eq - 1));
            r->nfields++;
        }
        p = stop + 1;
    }
}

//  A form field, trimmed, or "" when absent.
static const char *
s_field (s_req_t *r, const char *name)
{
    for (int i = 0; r && i < r->nfields; i++)
        if (streq (r->names [i], name)) {
            char *v = r->values [i];
            while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
                v++;
            size_t n = strlen (v);
            while (n && (v [n - 1] == ' ' || v [n - 1] == '\t' || v [n - 1] == '\n' || v [n - 1] == '\r'))
                v [--n] = 0;
            return v;
        }
    return "";
}

//  --- responses ----------------------------------------------------------------------------

static enum MHD_Result
s_send (struct MHD_Connection *c, unsigned status, const char *type, const char *data, size_t size,
        const char *cookie)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer (size, (void *) data, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header (resp, "Content-Type", type);
    MHD_add_response_header (resp, "Content-Security-Policy",
                             "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                             "frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header (resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header (resp, "Cache-Control", "no-store");
    if (cookie)
        MHD_add_response_header (resp, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response (c, status, resp);
    MHD_destroy_response (resp);
    return rc;
}

static enum MHD_Result
s_page (struct MHD_Connection *c, unsigned status, portal_buf_t *b, const char *cookie)
{
    enum MHD_Result rc = s_send (c, status, "text/html; charset=utf-8", b->data, b->len, cookie);
    portal_buf_release (b);
    return rc;
}

//  --- language and CSRF ----------------------------------------------------------------------

static portal_lang_t
s_lang (struct MHD_Connection *c, s_req_t *r)
{
    const char *q = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "lang");
    const char *f = s_field (r, "lang");
    const char *chosen = *f ? f : q;
    if (chosen)
        return streq (chosen, "en") ? PORTAL_EN : PORTAL_NL;
    const char *accept = MHD_lookup_connection_value (c, MHD_HEADER_KIND, "Accept-Language");
    //  The first of nl and en the browser names; Dutch when it names neither.
    const char *nl = accept ? strstr (accept, "nl") : NULL, *en = accept ? strstr (accept, "en") : NULL;
    return en && (!nl || en < nl) ? PORTAL_EN : PORTAL_NL;
}

//  The form token: HMAC(process key, the browser's csrf cookie), hex.
static void
s_csrf_token (const char *cookie, char hex [65])
{
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256 (mac, (const unsigned char *) cookie, strlen (cookie), s_csrf_key);
    sodium_bin2hex (hex, 65, mac, sizeof mac);
}

//  The browser's csrf cookie, or a new one (then *set is the Set-Cookie header to send).
static void
s_csrf_cookie (struct MHD_Connection *c, char cookie [33], char set [128])
{
    const char *have = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "csrf");
    set [0] = 0;
    if (have && strlen (have) == 32) {
        snprintf (cookie, 33, "%s", have);
        return;
    }
    unsigned char raw [16];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (cookie, 33, raw, sizeof raw);
    snprintf (set, 128, "csrf=%s; Path=/; HttpOnly; SameSite=Strict", cookie);
}

static bool
s_csrf_ok (struct MHD_Connection *c, s_req_t *r)
{
    const char *cookie = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "csrf");
    if (!cookie || strlen (cookie) != 32)
        return false;
    char want [65];
    s_csrf_token (cookie, want);
    const char *got = s_field (r, "csrf");
    return strlen (got) == 64 && sodium_memcmp (want, got, 64) == 0;
}

static void
s_hidden (portal_buf_t *b, const char *name, const char *value)
{
    portal_buf_add (b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    portal_buf_str (b, value);
    portal_buf_add (b, "\">");
}

//  --- the form -------------------------------------------------------------------------------

static void
s_input (portal_buf_t *b, const char *name, const char *label, const char *value, const char *extra)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" value=\"", name, label,
                    name, name);
    portal_buf_str (b, value);
    portal_buf_add (b, "\" %s>", extra);
}

//  The covenant's active members, for the company list and for matching the name typed.
static int
s_members (const char *covenant, imvo_response_t *resp)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_int (&pk, "limit", 1000);
    int rc = portal_call ("membership", "member.list", body.data, body.size, resp);
    msgpack_sbuffer_destroy (&body);
    return rc == 0 && resp->ok ? 0 : -1;
}

static enum MHD_Result
s_form (struct MHD_Connection *c, s_req_t *r, portal_lang_t lang, const char *covenant, const char *error)
{
    char cookie [33], set [128], token [65];
    s_csrf_cookie (c, cookie, set);
    s_csrf_token (cookie, token);
    portal_buf_t b;
    portal_buf_init (&b);
    char other [96];
    snprintf (other, sizeof other, "/?lang=%s%s%s", lang == PORTAL_EN ? "nl" : "en", *covenant ? "&covenant=" : "",
              covenant);
    portal_page_start (&b, lang, portal_t (lang, T_TITLE), other);
    portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_INTRO));
    if (error && *error) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p>");
    }
    imvo_response_t cov;
    if (portal_call ("membership", "covenant.list", NULL, 0, &cov) || !cov.ok) {
        imvo_response_release (&cov);
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (lang, T_UNAVAILABLE));
        portal_page_end (&b);
        return s_page (c, MHD_HTTP_SERVICE_UNAVAILABLE, &b, set [0] ? set : NULL);
    }
    //  Step 1: the covenant (a plain GET form: it works without JavaScript).
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    portal_buf_add (&b, "<form method=\"get\" action=\"/\"><input type=\"hidden\" name=\"lang\" value=\"%s\">"
                        "<label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                    lang == PORTAL_EN ? "en" : "nl", portal_t (lang, T_COVENANT));
    bool known = false;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        if (!imvo_obj_streq (imvo_map_get (cv, "status"), "active"))
            continue;
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code);
        known |= streq (code, covenant);
        portal_buf_add (&b, "<option value=\"");
        portal_buf_str (&b, code);
        portal_buf_add (&b, "\"%s>", streq (code, covenant) ? " selected" : "");
        portal_buf_obj (&b, imvo_map_get (cv, "name"));
        portal_buf_add (&b, "</option>");
    }
    imvo_response_release (&cov);
    portal_buf_add (&b, "</select><button type=\"submit\">%s</button></form>", portal_t (lang, T_CHOOSE));
    if (!known) {
        portal_page_end (&b);
        return s_page (c, MHD_HTTP_OK, &b, set [0] ? set : NULL);
    }
    //  Step 2: the complaint, with the covenant's companies to choose from.
    unsigned char raw [16];
    char key [33];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (key, sizeof key, raw, sizeof raw);
    portal_buf_add (&b, "<form method=\"post\" action=\"/submit\">");
    s_hidden (&b, "csrf", token);
    s_hidden (&b, "key", *s_field (r, "key") ? s_field (r, "key") : key);      //  one complaint per form
    s_hidden (&b, "covenant", covenant);
    s_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
    s_input (&b, "company", portal_t (lang, T_COMPANY), s_field (r, "company"),
             "list=\"companies\" required autocomplete=\"off\" aria-describedby=\"company-help\"");
    portal_buf_add (&b, "<p class=\"help\" id=\"company-help\">%s</p><datalist id=\"companies\">",
                    portal_t (lang, T_COMPANY_HELP));
    imvo_response_t members;
    if (s_members (covenant, &members) == 0) {
        const msgpack_object *m = imvo_map_get (members.body, "members");
        for (uint32_t i = 0; m && m->type == MSGPACK_OBJECT_ARRAY && i < m->via.array.size; i++)
            if (imvo_obj_streq (imvo_map_get (&m->via.array.ptr [i], "kind"), "company")) {
                portal_buf_add (&b, "<option value=\"");
                portal_buf_obj (&b, imvo_map_get (&m->via.array.ptr [i], "name"));
                portal_buf_add (&b, "\">");
            }
    }
    imvo_response_release (&members);
    portal_buf_add (&b, "</datalist>");
    s_input (&b, "summary", portal_t (lang, T_SUMMARY), s_field (r, "summary"), "required maxlength=\"200\"");
    portal_buf_add (&b, "<label for=\"description\">%s</label><textarea id=\"description\" name=\"description\" "
                        "required maxlength=\"20000\">", portal_t (lang, T_DESCRIPTION));
    portal_buf_str (&b, s_field (r, "description"));
    portal_buf_add (&b, "</textarea>");
    s_input (&b, "place", portal_t (lang, T_PLACE), s_field (r, "place"), "maxlength=\"300\"");
    s_input (&b, "country", portal_t (lang, T_COUNTRY), s_field (r, "country"),
             "maxlength=\"2\" pattern=\"[A-Za-z]{2}\" autocomplete=\"country\"");
    bool named = streq (s_field (r, "who"), "named");
    portal_buf_add (&b, "<fieldset><legend>%s</legend>"
                        "<label><input type=\"radio\" name=\"who\" value=\"anonymous\"%s> %s</label>"
                        "<label><input type=\"radio\" name=\"who\" value=\"named\"%s> %s</label>",
                    portal_t (lang, T_WHO), named ? "" : " checked", portal_t (lang, T_ANONYMOUS),
                    named ? " checked" : "", portal_t (lang, T_NAMED));
    s_input (&b, "name", portal_t (lang, T_NAME), s_field (r, "name"), "maxlength=\"200\" autocomplete=\"name\"");
    s_input (&b, "contact", portal_t (lang, T_CONTACT), s_field (r, "contact"), "maxlength=\"200\"");
    portal_buf_add (&b, "<label><input type=\"checkbox\" name=\"share\" value=\"yes\"%s> %s</label></fieldset>"
                        "<button type=\"submit\">%s</button></form>",
                    streq (s_field (r, "share"), "yes") ? " checked" : "", portal_t (lang, T_SHARE),
                    portal_t (lang, T_SUBMIT));
    portal_page_end (&b);
    return s_page (c, error && *error ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, set [0] ? set : NULL);
}

//  --- submitting -----------------------------------------------------------------------------

static enum MHD_Result
s_receipt_page (struct MHD_Connection *c, portal_lang_t lang, const char *state, const char *receipt,
                const char *error, const char *key, const char *token)
{
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, streq (state, "failed") ? T_FAILED : T_RECEIPT_TITLE),
                       lang == PORTAL_EN ? "/?lang=nl" : "/?lang=en");
    if (streq (state, "done") && receipt) {
        portal_buf_add (&b, "<p>%s</p><p class=\"receipt\" id=\"receipt\">", portal_t (lang, T_RECEIPT_KEEP));
        portal_buf_str (&b, receipt);
        char due [32];
        time_t t = time (NULL) + 7 * 86400;
        strftime (due, sizeof due, "%Y-%m-%d", gmtime (&t));
        portal_buf_add (&b, "</p><p>");
        portal_buf_add (&b, portal_t (lang, T_NEXT), due);
        portal_buf_add (&b, "</p><p><a href=\"/status?lang=%s\">%s</a></p>", lang == PORTAL_EN ? "en" : "nl",
                        portal_t (lang, T_FOLLOW));
    }
    else
    if (streq (state, "failed")) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p>");
    }
    else {
        //  Still in the queue: the same key asks again (a POST: nothing in the URL).
        portal_buf_add (&b, "<p>%s</p><form method=\"post\" action=\"/submit\">", portal_t (lang, T_PENDING));
        s_hidden (&b, "csrf", token);
        s_hidden (&b, "key", key);
        s_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
        s_hidden (&b, "again", "yes");
        portal_buf_add (&b, "<button type=\"submit\">%s</button></form>", portal_t (lang, T_REFRESH));
    }
    portal_page_end (&b);
    return s_page (c, streq (state, "failed") ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, NULL);
}

//  The outcome of the queued complaint with this key, waiting up to 5 s.
static void
s_intake_result (const char *key, imvo_response_t *resp, char *state, size_t size)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    imvo_pack_kv_str (&pk, "key", key);
    snprintf (state, size, "pending");
    int64_t deadline = zclock_mono () + 5000;
    do {
        if (portal_call ("complaints", "complaint.intake_result", body.data, body.size, resp) == 0 && resp->ok) {
            imvo_obj_strcpy (imvo_map_get (resp->body, "state"), state, size);
            if (!streq (state, "pending"))
                break;
        }
        imvo_response_release (resp);
        memset (resp, 0, sizeof *resp);
        msgpack_zone_init (&resp->zone, 64);
        zclock_sleep (50);
    } while (zclock_mono () < deadline);
    msgpack_sbuffer_destroy (&body);
}

static enum MHD_Result
s_submit (struct MHD_Connection *c, s_req_t *r, portal_lang_t lang, const char *addr)
{
    const char *key = s_field (r, "key"), *covenant = s_field (r, "covenant");
    char token [65] = "";
    const char *cookie = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "csrf");
    if (cookie && strlen (cookie) == 32)
        s_csrf_token (cookie, token);
    if (!s_csrf_ok (c, r) || strlen (key) != 32)
        return s_form (c, r, lang, covenant, portal_t (lang, T_EXPIRED));
    if (!streq (s_field (r, "again"), "yes")) {
        //  Which fields are missing, by their labels.
        char missing [512] = "";
        static const struct { const char *name; portal_text_t label; } required [] = {
            { "company", T_COMPANY }, { "summary", T_SUMMARY }, { "description", T_DESCRIPTION } };
        for (size_t i = 0; i < sizeof required / sizeof required [0]; i++)
            if (!*s_field (r, required [i].name))
                snprintf (missing + strlen (missing), sizeof missing - strlen (missing), "%s%s",
                          missing [0] ? "; " : "", portal_t (lang, required [i].label));
        bool named = streq (s_field (r, "who"), "named");
        if (named && !*s_field (r, "name"))
            snprintf (missing + strlen (missing), sizeof missing - strlen (missing), "%s%s", missing [0] ? "; " : "",
                      portal_t (lang, T_NAME));
        if (named && !*s_field (r, "contact"))
            snprintf (missing + strlen (missing), sizeof missing - strlen (missing), "%s%s", missing [0] ? "; " : "",
                      portal_t (lang, T_CONTACT));
        if (missing [0]) {
            char error [640];
            snprintf (error, sizeof error, "%s %s", portal_t (lang, T_MISSING), missing);
            return s_form (c, r, lang, covenant, error);
        }
        //  The company by the name typed (or its id), among the covenant's members.
        char respondent [72] = "";
        imvo_response_t members;
        if (s_members (covenant, &members) == 0) {
            const msgpack_object *m = imvo_map_get (members.body, "members");
            const char *typed = s_field (r, "company");
            for (uint32_t i = 0; m && m->type == MSGPACK_OBJECT_ARRAY && i < m->via.array.size && !respondent [0]; i++) {
                const msgpack_object *one = &m->via.array.ptr [i], *name = imvo_map_get (one, "name");
                if (!imvo_obj_streq (imvo_map_get (one, "kind"), "company"))
                    continue;
                if ((name && name->type == MSGPACK_OBJECT_STR && name->via.str.size == strlen (typed)
                     && strncasecmp (name->via.str.ptr, typed, name->via.str.size) == 0)
                ||  imvo_obj_streq (imvo_map_get (one, "org_id"), typed))
                    imvo_obj_strcpy (imvo_map_get (one, "org_id"), respondent, sizeof respondent);
            }
        }
        imvo_response_release (&members);
        if (!respondent [0])
            return s_form (c, r, lang, covenant, portal_t (lang, T_NO_COMPANY));
        if (!s_allowed (s_submits, addr, 5, 600000, true))
            return s_form (c, r, lang, covenant, portal_t (lang, T_TOO_MANY));
        //  The envelope, as on the socket, into the intake queue.
        msgpack_sbuffer env;
        msgpack_sbuffer_init (&env);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &env, msgpack_sbuffer_write);
        char id [33];
        unsigned char raw [16];
        randombytes_buf (raw, sizeof raw);
        sodium_bin2hex (id, sizeof id, raw, sizeof raw);
        msgpack_pack_map (&pk, 5);
        imvo_pack_kv_int (&pk, "v", 1);
        imvo_pack_kv_str (&pk, "id", id);
        imvo_pack_kv_str (&pk, "type", "complaint.submit");
        imvo_pack_kv_str (&pk, "key", key);
        imvo_pack_str (&pk, "body");
        const char *place = s_field (r, "place"), *country = s_field (r, "country");
        msgpack_pack_map (&pk, 5 + (strlen (country) == 2));
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_str (&pk, "respondent", respondent);
        imvo_pack_kv_str (&pk, "summary", s_field (r, "summary"));
        char *description = *place ? zsys_sprintf ("%s\n\n%s: %s", s_field (r, "description"),
                                                   portal_t (lang, T_PLACE), place)
                                   : strdup (s_field (r, "description"));
        imvo_pack_kv_str (&pk, "description", description);
        zstr_free (&description);
        imvo_pack_str (&pk, "complainant");
        msgpack_pack_map (&pk, named ? 4 : 1);
        imvo_pack_kv_bool (&pk, "anonymous", !named);
        if (named) {
            imvo_pack_kv_str (&pk, "name", s_field (r, "name"));
            imvo_pack_kv_str (&pk, "contact", s_field (r, "contact"));
            imvo_pack_kv_bool (&pk, "share_identity", streq (s_field (r, "share"), "yes"));
        }
        if (strlen (country) == 2) {
            char cc [3] = { (char) toupper ((unsigned char) country [0]), (char) toupper ((unsigned char) country [1]), 0 };
            imvo_pack_kv_str (&pk, "country", cc);
        }
        redisReply *x = s_redis ? imvo_redis_cmd (s_redis, "XADD imvo:complaints:intake * msg %b", env.data, env.size)
                                : NULL;
        bool queued = x && x->type == REDIS_REPLY_STRING;
        if (x)
            freeReplyObject (x);
        msgpack_sbuffer_destroy (&env);
        if (!queued)
            return s_form (c, r, lang, covenant, portal_t (lang, T_UNAVAILABLE));
    }
    imvo_response_t resp;
    char state [16];
    s_intake_result (key, &resp, state, sizeof state);
    char receipt [96] = "", error [300] = "";
    if (streq (state, "done"))
        imvo_obj_strcpy (imvo_map_get (resp.body, "receipt"), receipt, sizeof receipt);
    if (streq (state, "failed"))
        imvo_obj_strcpy (imvo_map_get (imvo_map_get (resp.body, "error"), "message"), error, sizeof error);
    imvo_response_release (&resp);
    if (streq (state, "done") && !receipt [0])
        snprintf (state, sizeof state, "expired");      //  the receipt is shown for 24 hours only
    return s_receipt_page (c, lang, streq (state, "expired") ? "failed" : state, receipt,
                           streq (state, "expired") ? portal_t (lang, T_EXPIRED) : error, key, token);
}

//  --- following a case ---------------------------------------------------------------------

static enum MHD_Result
s_status (struct MHD_Connection *c, s_req_t *r, portal_lang_t lang, const char *addr, bool post)
{
    char cookie [33], set [128], token [65];
    s_csrf_cookie (c, cookie, set);
    s_csrf_token (cookie, token);
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_FOLLOW), lang == PORTAL_EN ? "/status?lang=nl" : "/status?lang=en");
    const char *receipt = s_field (r, "receipt");
    unsigned status = MHD_HTTP_OK;
    bool shown = false;
    if (post && !s_csrf_ok (c, r)) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_EXPIRED));
        status = MHD_HTTP_BAD_REQUEST;
    }
    else
    if (post && !s_allowed (s_misses, addr, 10, 60000, false)) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_TOO_MANY));
        status = MHD_HTTP_TOO_MANY_REQUESTS;
    }
    else
    if (post) {
        if (*s_field (r, "text")) {
            msgpack_sbuffer body;
            msgpack_sbuffer_init (&body);
            msgpack_packer pk;
            msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
            msgpack_pack_map (&pk, 2);
            imvo_pack_kv_str (&pk, "receipt", receipt);
            imvo_pack_kv_str (&pk, "text", s_field (r, "text"));
            imvo_response_t sent;
            if (portal_call ("complaints", "complaint.message", body.data, body.size, &sent) == 0 && sent.ok)
                portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", portal_t (lang, T_SENT));
            imvo_response_release (&sent);
            msgpack_sbuffer_destroy (&body);
        }
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 1);
        imvo_pack_kv_str (&pk, "receipt", receipt);
        imvo_response_t st;
        int rc = portal_call ("complaints", "complaint.status", body.data, body.size, &st);
        if (rc == 0 && st.ok) {
            shown = true;
            char word [32] = "";
            imvo_obj_strcpy (imvo_map_get (st.body, "status"), word, sizeof word);
            portal_buf_add (&b, "<h2>%s</h2><p id=\"status\" data-status=\"%s\">%s</p>", portal_t (lang, T_STATUS),
                            word, portal_status_words (lang, word));
            //  The history: the status changes notify keeps for the complainant.
            imvo_response_t inbox;
            if (portal_call ("notify", "inbox.by_receipt", body.data, body.size, &inbox) == 0 && inbox.ok) {
                const msgpack_object *items = imvo_map_get (inbox.body, "items");
                portal_buf_add (&b, "<h2>%s</h2><ol class=\"history\"><li>%s</li>", portal_t (lang, T_HISTORY),
                                portal_status_words (lang, "received"));
                for (uint32_t i = items && items->type == MSGPACK_OBJECT_ARRAY ? items->via.array.size : 0; i > 0; i--) {
                    const msgpack_object *it = &items->via.array.ptr [i - 1];
                    const msgpack_object *at = imvo_map_get (it, "at");
                    char when [32] = "";
                    if (at && at->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
                        time_t t = (time_t) (at->via.u64 / 1000);
                        strftime (when, sizeof when, "%Y-%m-%d", gmtime (&t));
                    }
                    //  In the page's words when the item says which status; else its own title.
                    char to [32] = "";
                    portal_buf_add (&b, "<li>%s: ", when);
                    if (imvo_obj_strcpy (imvo_map_get (it, "status"), to, sizeof to) == 0)
                        portal_buf_str (&b, portal_status_words (lang, to));
                    else
                        portal_buf_obj (&b, imvo_map_get (it, "title"));
                    portal_buf_add (&b, "</li>");
                }
                portal_buf_add (&b, "</ol>");
            }
            imvo_response_release (&inbox);
            imvo_response_t msgs;
            portal_buf_add (&b, "<h2>%s</h2>", portal_t (lang, T_MESSAGES));
            if (portal_call ("complaints", "complaint.messages", body.data, body.size, &msgs) == 0 && msgs.ok) {
                const msgpack_object *list = imvo_map_get (msgs.body, "messages");
                uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
                if (!n)
                    portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_NO_MESSAGES));
                for (uint32_t i = 0; i < n; i++) {
                    char from [32] = "";
                    imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "from"), from, sizeof from);
                    portal_buf_add (&b, "<div class=\"msg\"><strong>");
                    portal_buf_str (&b, portal_who (lang, from));
                    portal_buf_add (&b, "</strong><p>");
                    portal_buf_obj (&b, imvo_map_get (&list->via.array.ptr [i], "text"));
                    portal_buf_add (&b, "</p></div>");
                }
            }
            imvo_response_release (&msgs);
            portal_buf_add (&b, "<form method=\"post\" action=\"/status\">");
            s_hidden (&b, "csrf", token);
            s_hidden (&b, "receipt", receipt);
            s_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
            portal_buf_add (&b, "<label for=\"text\">%s</label><textarea id=\"text\" name=\"text\" required "
                                "maxlength=\"5000\"></textarea><button type=\"submit\">%s</button></form>",
                            portal_t (lang, T_MESSAGE), portal_t (lang, T_SEND));
        }
        else
        if (rc == 0 && (st.err.code == IMVO_ERR_NOT_FOUND || st.err.code == IMVO_ERR_INVALID_ARGUMENT
                        || st.err.code == IMVO_ERR_BUSY)) {
            //  Unknown and malformed receipts get the same answer; each counts against the address.
            s_allowed (s_misses, addr, 10, 60000, true);
            portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_WRONG_RECEIPT));
            status = MHD_HTTP_NOT_FOUND;
        }
        else {
            portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_UNAVAILABLE));
            status = MHD_HTTP_SERVICE_UNAVAILABLE;
        }
        imvo_response_release (&st);
        msgpack_sbuffer_destroy (&body);
    }
    if (!shown) {
        portal_buf_add (&b, "<form method=\"post\" action=\"/status\">");
        s_hidden (&b, "csrf", token);
        s_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
        portal_buf_add (&b, "<label for=\"receipt\">%s</label><input type=\"text\" id=\"receipt\" name=\"receipt\" "
                            "required autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\">"
                            "<button type=\"submit\">%s</button></form>", portal_t (lang, T_RECEIPT),
                        portal_t (lang, T_SHOW));
    }
    portal_page_end (&b);
    return s_page (c, status, &b, set [0] ? set : NULL);
}

//  --- public pages --------------------------------------------------------------------------

static bool
s_code_ok (const char *s)
{
    size_t n = strlen (s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower ((unsigned char) s [i]) || isdigit ((unsigned char) s [i]) || s [i] == '-' || s [i] == '_'))
            return false;
    return true;
}

static enum MHD_Result
s_not_found (struct MHD_Connection *c, portal_lang_t lang)
{
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_NOT_FOUND), lang == PORTAL_EN ? "/?lang=nl" : "/?lang=en");
    portal_page_end (&b);
    return s_page (c, MHD_HTTP_NOT_FOUND, &b, NULL);
}

static enum MHD_Result
s_decisions (struct MHD_Connection *c, portal_lang_t lang, const char *covenant)
{
    if (!s_code_ok (covenant))
        return s_not_found (c, lang);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_response_t resp;
    int rc = portal_call ("complaints", "complaint.decisions", body.data, body.size, &resp);
    msgpack_sbuffer_destroy (&body);
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_DECISIONS), lang == PORTAL_EN ? "?lang=nl" : "?lang=en");
    const msgpack_object *list = rc == 0 && resp.ok ? imvo_map_get (resp.body, "decisions") : NULL;
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    if (rc || !resp.ok)
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (lang, T_UNAVAILABLE));
    else
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_NO_DECISIONS));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *d = &list->via.array.ptr [i];
        portal_buf_add (&b, "<article class=\"msg\"><h2>");
        portal_buf_obj (&b, imvo_map_get (d, "case_id"));
        portal_buf_add (&b, ": ");
        portal_buf_obj (&b, imvo_map_get (d, "summary"));
        portal_buf_add (&b, "</h2><p><strong>");
        portal_buf_obj (&b, imvo_map_get (d, "outcome"));
        portal_buf_add (&b, "</strong> (");
        portal_buf_obj (&b, imvo_map_get (d, "decided_on"));
        portal_buf_add (&b, ")</p><p>");
        portal_buf_obj (&b, imvo_map_get (d, "decision"));
        portal_buf_add (&b, "</p></article>");
    }
    imvo_response_release (&resp);
    portal_page_end (&b);
    return s_page (c, rc || !resp.ok ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, &b, NULL);
}

static enum MHD_Result
s_locations (struct MHD_Connection *c, portal_lang_t lang, const char *covenant, const char *year_text)
{
    bool csv = strlen (year_text) == 8 && streq (year_text + 4, ".csv");
    char *end;
    long year = strtol (year_text, &end, 10);
    if (!s_code_ok (covenant) || year < 2000 || year > 2100 || (*end && !(csv && end == year_text + 4)))
        return s_not_found (c, lang);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_int (&pk, "year", year);
    imvo_response_t resp;
    int rc = portal_call ("membership", csv ? "location.export" : "location.list", body.data, body.size, &resp);
    msgpack_sbuffer_destroy (&body);
    if (rc || !resp.ok) {
        bool missing = rc == 0 && resp.err.code == IMVO_ERR_NOT_FOUND;
        imvo_response_release (&resp);
        return missing ? s_not_found (c, lang) : s_send (c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                                                         portal_t (lang, T_UNAVAILABLE),
                                                         strlen (portal_t (lang, T_UNAVAILABLE)), NULL);
    }
    if (csv) {
        const msgpack_object *text = imvo_map_get (resp.body, "csv");
        enum MHD_Result r = s_send (c, MHD_HTTP_OK, "text/csv; charset=utf-8",
                                    text && text->type == MSGPACK_OBJECT_STR ? text->via.str.ptr : "",
                                    text && text->type == MSGPACK_OBJECT_STR ? text->via.str.size : 0, NULL);
        imvo_response_release (&resp);
        return r;
    }
    const char *q = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "q");
    portal_buf_t b;
    portal_buf_init (&b);
    char title [160];
    snprintf (title, sizeof title, "%s %ld", portal_t (lang, T_LOCATIONS), year);
    portal_page_start (&b, lang, title, lang == PORTAL_EN ? "?lang=nl" : "?lang=en");
    portal_buf_add (&b, "<form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"%s\"><label for=\"q\">%s"
                        "</label><input type=\"text\" id=\"q\" name=\"q\" value=\"", lang == PORTAL_EN ? "en" : "nl",
                    portal_t (lang, T_SEARCH));
    portal_buf_str (&b, q);
    portal_buf_add (&b, "\"><button type=\"submit\">%s</button></form><p><a href=\"/locations/%s/%ld.csv\">%s</a></p>"
                        "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
                    portal_t (lang, T_SEARCH), covenant, year, portal_t (lang, T_DOWNLOAD), portal_t (lang, T_PLACE),
                    "", portal_t (lang, T_COUNTRY));
    const msgpack_object *list = imvo_map_get (resp.body, "locations");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *l = &list->via.array.ptr [i];
        if (q && *q) {
            //  A case-insensitive match in the name, address or city.
            bool hit = false;
            static const char *const fields [] = { "name", "address", "city" };
            for (int f = 0; f < 3 && !hit; f++) {
                char v [512] = "";
                imvo_obj_strcpy (imvo_map_get (l, fields [f]), v, sizeof v);
                hit = strcasestr (v, q) != NULL;
            }
            if (!hit)
                continue;
        }
        portal_buf_add (&b, "<tr><td>");
        portal_buf_obj (&b, imvo_map_get (l, "name"));
        portal_buf_add (&b, "</td><td>");
        portal_buf_obj (&b, imvo_map_get (l, "address"));
        portal_buf_add (&b, ", ");
        portal_buf_obj (&b, imvo_map_get (l, "city"));
        portal_buf_add (&b, "</td><td>");
        portal_buf_obj (&b, imvo_map_get (l, "country"));
        portal_buf_add (&b, "</td></tr>");
    }
    portal_buf_add (&b, "</tbody></table>");
    imvo_response_release (&resp);
    portal_page_end (&b);
    return s_page (c, MHD_HTTP_OK, &b, NULL);
}

//  --- the dispatcher -------------------------------------------------------------------------

static enum MHD_Result
s_handle (void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
          const char *upload, size_t *upload_size, void **con_cls)
{
    (void) cls, (void) version;
    bool post = streq (method, "POST");
    if (!*con_cls) {
        s_req_t *r = calloc (1, sizeof *r);
        assert (r);
        *con_cls = r;
        return MHD_YES;
    }
    s_req_t *r = *con_cls;
    if (post && *upload_size) {
        if (r->size + *upload_size > S_MAX_BODY)
            r->too_large = true;
        else {
            r->body = realloc (r->body, r->size + *upload_size + 1);
            assert (r->body);
            memcpy (r->body + r->size, upload, *upload_size);
            r->size += *upload_size;
            r->body [r->size] = 0;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return s_send (c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", "too large\n", 10, NULL);
    if (post)
        s_parse_form (r);
    const union MHD_ConnectionInfo *info = MHD_get_connection_info (c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char addr [64] = "-";
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop (AF_INET, &((struct sockaddr_in *) info->client_addr)->sin_addr, addr, sizeof addr);
    else
    if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((struct sockaddr_in6 *) info->client_addr)->sin6_addr, addr, sizeof addr);
    //  Behind the reverse proxy named by IMVO_PORTAL_TRUSTED_PROXY (its address, or its host
    //  name as resolved at start), the client is the last address it put in X-Forwarded-For.
    const char *forwarded = s_proxy [0] && streq (addr, s_proxy)
                          ? MHD_lookup_connection_value (c, MHD_HEADER_KIND, "X-Forwarded-For") : NULL;
    if (forwarded) {
        const char *last = strrchr (forwarded, ',');
        last = last ? last + 1 : forwarded;
        while (*last == ' ')
            last++;
        snprintf (addr, sizeof addr, "%.63s", last);
    }
    portal_lang_t lang = s_lang (c, r);
    if (streq (url, "/style.css"))
        return s_send (c, MHD_HTTP_OK, "text/css; charset=utf-8", portal_css, strlen (portal_css), NULL);
    if (streq (url, "/metrics") && !post) {
        portal_buf_t b;
        portal_buf_init (&b);
        portal_metrics (&b, s_redis);
        enum MHD_Result rc = s_send (c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, NULL);
        portal_buf_release (&b);
        return rc;
    }
    if (streq (url, "/") && !post) {
        const char *covenant = MHD_lookup_connection_value (c, MHD_GET_ARGUMENT_KIND, "covenant");
        return s_form (c, NULL, lang, covenant && s_code_ok (covenant) ? covenant : "", NULL);
    }
    if (streq (url, "/submit") && post)
        return s_submit (c, r, lang, addr);
    if (streq (url, "/status"))
        return s_status (c, r, lang, addr, post);
    if (strncmp (url, "/decisions/", 11) == 0 && !post)
        return s_decisions (c, lang, url + 11);
    if (strncmp (url, "/locations/", 11) == 0 && !post) {
        char covenant [40] = "";
        const char *slash = strchr (url + 11, '/');
        if (slash && (size_t) (slash - url - 11) < sizeof covenant) {
            memcpy (covenant, url + 11, (size_t) (slash - url - 11));
            return s_locations (c, lang, covenant, slash + 1);
        }
    }
    return s_not_found (c, lang);
}

static void
s_done (void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) c, (void) code;
    s_req_free (*con_cls);
    *con_cls = NULL;
}

//  imvo-portal --health: 0 when the portal on IMVO_PORTAL_LISTEN serves a page (the
//  containers' health check; no shell or curl needed).
static int
s_health (const char *host, int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    if (fd < 0 || inet_pton (AF_INET, streq (host, "0.0.0.0") || streq (host, "*") ? "127.0.0.1" : host,
                             &sa.sin_addr) != 1
    ||  connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        if (fd >= 0)
            close (fd);
        return 1;
    }
    static const char req [] = "GET /style.css HTTP/1.0\r\n\r\n";
    char buf [64] = "";
    bool ok = write (fd, req, sizeof req - 1) == (ssize_t) (sizeof req - 1)
           && read (fd, buf, sizeof buf - 1) > 12 && strncmp (buf + 8, " 200", 4) == 0;
    close (fd);
    return ok ? 0 : 1;
}

int
main (int argc, char **argv)
{
    zsys_init ();
    zsys_set_logident ("portal");
    zsys_set_logstream (stderr);
    if (sodium_init () < 0)
        return 1;
    randombytes_buf (s_csrf_key, sizeof s_csrf_key);
    const char *listen = imvo_env ("IMVO_PORTAL_LISTEN", "127.0.0.1:7180");
    char host [64] = "127.0.0.1";
    const char *colon = strrchr (listen, ':');
    int port = colon ? atoi (colon + 1) : 0;
    if (colon && (size_t) (colon - listen) < sizeof host)
        snprintf (host, sizeof host, "%.*s", (int) (colon - listen), listen);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    if (port <= 0 || port > 65535 || inet_pton (AF_INET, streq (host, "*") ? "0.0.0.0" : host, &sa.sin_addr) != 1) {
        zsys_error ("IMVO_PORTAL_LISTEN must be HOST:PORT (an IPv4 address), not %s", listen);
        return 1;
    }
    if (argc > 1 && streq (argv [1], "--health"))
        return s_health (host, port);
    const char *proxy = imvo_env ("IMVO_PORTAL_TRUSTED_PROXY", NULL);
    if (proxy) {
        struct addrinfo hints = { .ai_family = AF_INET }, *res = NULL;
        if (getaddrinfo (proxy, NULL, &hints, &res) == 0 && res) {
            inet_ntop (AF_INET, &((struct sockaddr_in *) res->ai_addr)->sin_addr, s_proxy, sizeof s_proxy);
            freeaddrinfo (res);
        }
        else
            zsys_warning ("IMVO_PORTAL_TRUSTED_PROXY %s does not resolve: X-Forwarded-For is ignored", proxy);
    }
    if (!imvo_curve_on ())
        zsys_warning ("IMVO_CURVE=off: the portal speaks to the daemons without CURVE (local development only)");
    //  The intake queue, as the Redis user `intake` (IMVO_REDIS_URL): XADD and XLEN only.
    s_redis = imvo_redis_new (imvo_config_redis_url ());
    if (!s_redis)
        zsys_warning ("IMVO_REDIS_URL is not a redis:// URL: complaints cannot be filed");
    struct MHD_Daemon *d = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t) port,
                                             NULL, NULL, &s_handle, NULL,
                                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sa,
                                             MHD_OPTION_NOTIFY_COMPLETED, &s_done, NULL,
                                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (256 * 1024),
                                             MHD_OPTION_CONNECTION_LIMIT, 256u,
                                             MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) {
        zsys_error ("cannot listen on %s", listen);
        imvo_redis_destroy (&s_redis);
        return 1;
    }
    zsys_info ("portal on http://%s/ (IMVO_PORTAL_LISTEN)", listen);
    while (!zsys_interrupted)
        zclock_sleep (200);
    MHD_stop_daemon (d);
    imvo_redis_destroy (&s_redis);
    zsys_info ("portal stopped");
    return 0;
}

/*  portal_http: a request in progress (its end, its urlencoded body into form fields, a field)
    and the responses, each with the portal's security headers (Content-Security-Policy,
    nosniff, no referrer, no-store): a page, a download, a stream, a redirect; and a form's
    hidden field. See portal.h. */
#include "portal.h"

#include <microhttpd.h>

//  --- a request in progress ---------------------------------------------------------------

void
portal_req_free (portal_req_t *r)
{
    if (!r)
        return;
    free (r->body);
    portal_evidence_free (r);
    for (int i = 0; i < r->njobs; i++)
        portal_job_free (r->jobs [i]);
    for (int i = 0; i < r->nfields; i++) {
        free (r->names [i]);
        free (r->values [i]);
    }
    free (r->names);
    free (r->values);
    free (r);
}

static int
s_hex (char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

//  Decodes one application/x-www-form-urlencoded part in place. A NUL (%00, or a raw one) would
//  end the C string and cut the field short without a word (and what was cut was filed): it
//  becomes DEL, a control character as NUL is, which the daemons refuse in text, naming the field.
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
        if (o [-1] == 0)
            o [-1] = 0x7f;
    }
    *o = 0;
    return out;
}

bool
portal_req_field (portal_req_t *r, char *name, char *value)
{
    if (r->nfields == PORTAL_MAX_FIELDS) {
        free (name);
        free (value);
        return false;
    }
    if (r->nfields == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->names = realloc (r->names, (size_t) r->cap * sizeof *r->names);
        r->values = realloc (r->values, (size_t) r->cap * sizeof *r->values);
        assert (r->names && r->values);
    }
    r->names [r->nfields] = name;
    r->values [r->nfields] = value;
    r->nfields++;
    return true;
}

void
portal_req_parse (portal_req_t *r)
{
    const char *p = r->body ? r->body : "", *end = p + r->size;
    while (p < end && r->nfields < PORTAL_MAX_FIELDS) {
        const char *amp = memchr (p, '&', (size_t) (end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr (p, '=', (size_t) (stop - p));
        if (eq)
            portal_req_field (r, s_urldecode (p, (size_t) (eq - p)), s_urldecode (eq + 1, (size_t) (stop - eq - 1)));
        p = stop + 1;
    }
}

const char *
portal_field (portal_req_t *r, const char *name)
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

enum MHD_Result
portal_send (struct MHD_Connection *c, unsigned status, const char *type, const char *data, size_t size,
        const char *cookie)
{
    return portal_send_file (c, status, type, data, size, cookie, NULL);
}

enum MHD_Result
portal_send_file (struct MHD_Connection *c, unsigned status, const char *type, const char *data, size_t size,
                  const char *cookie, const char *filename)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer (size, (void *) data, MHD_RESPMEM_MUST_COPY);
    return portal_respond (c, status, resp, type, cookie, filename);
}

//  What every answer carries (no referrer, never cached; the cookie when there is one), then
//  resp queued and let go.
static enum MHD_Result
s_queue (struct MHD_Connection *c, unsigned status, struct MHD_Response *resp, const char *cookie)
{
    MHD_add_response_header (resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header (resp, "Cache-Control", "no-store");
    if (cookie)
        MHD_add_response_header (resp, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response (c, status, resp);
    MHD_destroy_response (resp);
    return rc;
}

enum MHD_Result
portal_respond (struct MHD_Connection *c, unsigned status, struct MHD_Response *resp, const char *type,
                const char *cookie, const char *filename)
{
    if (!resp)
        return MHD_NO;
    if (filename) {
        char disposition [160];
        snprintf (disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
        MHD_add_response_header (resp, "Content-Disposition", disposition);
    }
    MHD_add_response_header (resp, "Content-Type", type);
    MHD_add_response_header (resp, "Content-Security-Policy",
                             "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                             "frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header (resp, "X-Content-Type-Options", "nosniff");
    return s_queue (c, status, resp, cookie);
}

enum MHD_Result
portal_redirect (struct MHD_Connection *c, const char *location, const char *cookie)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer (0, (void *) "", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header (resp, "Location", location);
    return s_queue (c, MHD_HTTP_SEE_OTHER, resp, cookie);
}

enum MHD_Result
portal_page (struct MHD_Connection *c, unsigned status, portal_buf_t *b, const char *cookie)
{
    enum MHD_Result rc = portal_send (c, status, "text/html; charset=utf-8", b->data, b->len, cookie);
    portal_buf_release (b);
    return rc;
}

void
portal_hidden (portal_buf_t *b, const char *name, const char *value)
{
    portal_buf_add (b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
    portal_buf_str (b, value);
    portal_buf_add (b, "\">");
}

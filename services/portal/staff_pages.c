/*  staff_pages: the console's other pages: home (the covenants, the inbox's unread count), the
    inbox (notify's inbox of the person's role in a covenant, or of the person's company; mark
    read), the export of a covenant's cases as CSV (complaint.export, audited by complaints), the
    audit trail (audit.list, secretariat), a covenant's members (register an organisation, join,
    leave, contributions unpaid and paid) and its production locations (flags to resolve,
    publishing a year's list). See staff.h. */
#include "staff.h"

#include <pthread.h>
#include <time.h>
#include <microhttpd.h>

static bool
s_staff_role (staff_t *x)
{
    return staff_is (x, "secretariat") || staff_is (x, "committee");
}

//  The active covenants (kept for a moment, as on the public form); 0 when resp holds them.
static int
s_covenants (imvo_response_t *resp)
{
    int rc = portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, resp);
    return rc == 0 && resp->ok ? 0 : -1;
}

//  The covenant a page is about: ?covenant= when valid, else "" after answering 400.
static const char *
s_covenant (staff_t *x, enum MHD_Result *answer)
{
    const char *covenant = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    if (portal_code_ok (covenant))
        return covenant;
    *answer = staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                           TR (x, "Kies een convenant.", "Choose a covenant."));
    return NULL;
}

//  The inbox a person reads: org:<org> for a company, <role>:<covenant> for the committees and
//  the secretariat; "" when the role has none.
static void
s_recipient (staff_t *x, const char *covenant, char out [128])
{
    out [0] = 0;
    if (staff_is (x, "company") && x->s.org [0])
        snprintf (out, 128, "org:%s", x->s.org);
    else
    if ((s_staff_role (x) || staff_is (x, "monitoring")) && *covenant)
        snprintf (out, 128, "%s:%s", x->s.role, covenant);
}

static int64_t
s_year_now (void)
{
    time_t t = time (NULL);
    struct tm tm;
    gmtime_r (&t, &tm);
    return tm.tm_year + 1900;
}

//  --- home --------------------------------------------------------------------------------------

enum MHD_Result
staff_home (staff_t *x)
{
    imvo_response_t cov;
    if (s_covenants (&cov))
        return staff_failed (x, -1, &cov);
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Start", "Home"));
    if (s_staff_role (x)) {
        portal_buf_add (&b, "<form method=\"get\" action=\"/staff/cases\" class=\"row\" role=\"search\">"
                            "<input type=\"hidden\" name=\"lang\" value=\"%s\"><div><label for=\"q\">%s</label>"
                            "<input type=\"text\" id=\"q\" name=\"q\" maxlength=\"%ld\"></div><div><button type=\"submit\">%s"
                            "</button></div></form>", l, TR (x, "Zoek een zaak (woorden of zaaknummer)",
                                                           "Find a case (words or case id)"),
                        staff_max ("complaint.list", "q", 200), portal_t (x->lang, T_SEARCH));
    }
    if (staff_is (x, "company")) {
        staff_company_home (x, &b);         //  staff_company.c
        portal_buf_add (&b, "<p><a href=\"/staff/review?lang=%s\" id=\"review\">%s</a></p>", l,     //  staff_assessor.c
                        TR (x, "Uw beoordeling: de oordelen van de commissie en uw opmerkingen",
                               "Your assessment: the committee's verdicts and your comments"));
    }
    if (staff_is (x, "steering") || staff_is (x, "secretariat"))
        portal_buf_add (&b, "<p><a href=\"/staff/steering?lang=%s\" id=\"steering\">%s</a></p>", l,
                        TR (x, "Overzicht voor de stuurgroep: alle convenanten", "Steering group overview: every covenant"));
    if (staff_is (x, "secretariat"))                //  staff_terms.c
        staff_terms_link (x, &b, imvo_map_get (cov.body, "covenants"));
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    portal_buf_add (&b, "<div class=\"grid\">");
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size && !staff_is (x, "company");
         i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        if (!imvo_obj_streq (imvo_map_get (cv, "status"), "active"))
            continue;
        char code [40] = "", recipient [128];
        imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code);
        portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"cv-%s\"><h2 id=\"cv-%s\">", code, code);
        portal_buf_obj (&b, staff_covenant_name (x, cv));
        portal_buf_add (&b, "</h2><ul>");
        if (s_staff_role (x))
            portal_buf_add (&b, "<li><a href=\"/staff/cases?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/cases?lang=%s&amp;covenant=%s&amp;overdue=1\">%s</a></li>",
                            l, code, TR (x, "Klachten", "Cases"), l, code,
                            TR (x, "Klachten met verlopen termijn", "Cases with a deadline passed"));
        if (staff_is (x, "committee"))
            portal_buf_add (&b, "<li><a href=\"/staff/committee?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Zaken per fase (commissie)", "Cases by stage (committee)"));
        s_recipient (x, code, recipient);
        if (*recipient) {
            imvo_response_t inbox;
            int64_t unread = -1;
            if (staff_ask (x, &inbox, "notify", "inbox.list", "si", "recipient", recipient, "limit", (int64_t) 1) == 0
            &&  inbox.ok && imvo_map_get (inbox.body, "unread"))
                unread = imvo_map_get (inbox.body, "unread")->via.i64;
            imvo_response_release (&inbox);
            portal_buf_add (&b, "<li><a href=\"/staff/inbox?lang=%s&amp;covenant=%s\">%s</a>", l, code,
                            TR (x, "Postvak", "Inbox"));
            if (unread >= 0)
                portal_buf_add (&b, " <span class=\"pill\" id=\"unread-%s\">%lld %s</span>", code, (long long) unread,
                                TR (x, "ongelezen", "unread"));
            portal_buf_add (&b, "</li>");
        }
        if (s_staff_role (x))
            portal_buf_add (&b, "<li><a href=\"/staff/members?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/locations?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Leden", "Members"), l, code, TR (x, "Productielocaties", "Production locations"));
        if (staff_is (x, "monitoring"))
            portal_buf_add (&b, "<li><a href=\"/staff/monitoring/frameworks?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/monitoring/round?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/monitoring/appeals?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/monitoring/report?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Beoordelingskaders", "Frameworks"), l, code,
                            TR (x, "Ronde en resultaten", "Round and results"), l, code, TR (x, "Bezwaren", "Appeals"),
                            l, code, TR (x, "Sectorrapport", "Sector report"));
        if (staff_is (x, "monitoring"))             //  staff_assessor.c
            portal_buf_add (&b, "<li><a href=\"/staff/assessor?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Verificatie en publicatie", "Verification and publication"));
        if (staff_is (x, "steering"))
            portal_buf_add (&b, "<li><a href=\"/staff/steering?lang=%s&amp;covenant=%s\">%s</a></li>", l, code,
                            TR (x, "Overzicht", "Overview"));
        if (staff_is (x, "secretariat"))
            portal_buf_add (&b, "<li><a href=\"/staff/export?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/audit?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Zaken als CSV", "Cases as CSV"), l, code, TR (x, "Logboek", "Audit trail"));
        if (staff_is (x, "secretariat"))            //  staff_collective.c, staff_meetings.c
            portal_buf_add (&b, "<li><a href=\"/staff/collective?lang=%s&amp;covenant=%s\">%s</a></li>"
                                "<li><a href=\"/staff/meetings?lang=%s&amp;covenant=%s\">%s</a></li>",
                            l, code, TR (x, "Collectief werk", "Collective work"), l, code,
                            TR (x, "Vergaderingen en stuurgroep", "Meetings and steering group"));
        portal_buf_add (&b, "</ul></section>");
    }
    portal_buf_add (&b, "</div>");
    imvo_response_release (&cov);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- inbox ------------------------------------------------------------------------------------------

enum MHD_Result
staff_inbox (staff_t *x)
{
    const char *covenant = x->post ? portal_field (x->r, "covenant") : staff_query (x, "covenant");
    if (*covenant && !portal_code_ok (covenant))
        covenant = "";
    char recipient [128], first [40] = "";
    s_recipient (x, covenant, recipient);
    if (x->post) {
        //  Mark read: the ids of the page, separated by spaces, in one field.
        const char *ids = portal_field (x->r, "ids");
        if (!*recipient || !*ids)
            return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                                TR (x, "Er is niets gekozen.", "Nothing was chosen."));
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 2);
        imvo_pack_kv_str (&pk, "recipient", recipient);
        uint32_t n = 0;
        for (const char *p = ids; *p;) {
            while (*p == ' ')
                p++;
            if (*p)
                n++;
            while (*p && *p != ' ')
                p++;
        }
        imvo_pack_str (&pk, "event_ids");
        msgpack_pack_array (&pk, n);
        for (const char *p = ids; *p;) {
            while (*p == ' ')
                p++;
            const char *start = p;
            while (*p && *p != ' ')
                p++;
            if (p > start)
                imvo_pack_strn (&pk, start, (size_t) (p - start));
        }
        imvo_response_t resp;
        int rc = staff_call_body (x, &resp, "notify", "inbox.mark_read", body.data, body.size);
        msgpack_sbuffer_destroy (&body);
        char path [96];
        snprintf (path, sizeof path, "/staff/inbox?covenant=%s", covenant);
        return staff_changed (x, rc, &resp, path);
    }
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Postvak", "Inbox"));
    if (!staff_is (x, "company")) {
        imvo_response_t cov;
        portal_buf_add (&b, "<form method=\"get\" action=\"/staff/inbox\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                            "value=\"%s\"><div><label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                        l, portal_t (x->lang, T_COVENANT));
        if (s_covenants (&cov) == 0) {
            const msgpack_object *list = imvo_map_get (cov.body, "covenants");
            for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
                char code [40] = "";
                imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "code"), code, sizeof code);
                if (!*covenant && imvo_obj_streq (imvo_map_get (&list->via.array.ptr [i], "status"), "active")) {
                    //  The first active covenant when none is chosen.
                    snprintf (first, sizeof first, "%s", code);
                    covenant = first;
                    s_recipient (x, covenant, recipient);
                }
                portal_buf_add (&b, "<option value=\"%s\"%s>", code, streq (code, covenant) ? " selected" : "");
                portal_buf_obj (&b, staff_covenant_name (x, &list->via.array.ptr [i]));
                portal_buf_add (&b, "</option>");
            }
        }
        imvo_response_release (&cov);
        portal_buf_add (&b, "</select></div><div><button type=\"submit\">%s</button></div></form>",
                        portal_t (x->lang, T_SHOW));
    }
    if (!*recipient) {
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Uw rol heeft geen postvak.", "Your role has no inbox."));
        return staff_page_end (x, &b, MHD_HTTP_OK);
    }
    imvo_response_t inbox;
    int rc = staff_ask (x, &inbox, "notify", "inbox.list", "sio", "recipient", recipient, "limit", (int64_t) 50,
                        "cursor", staff_query (x, "cursor"));
    if (rc || !inbox.ok) {
        portal_buf_release (&b);
        return staff_failed (x, rc, &inbox);
    }
    const msgpack_object *unread = imvo_map_get (inbox.body, "unread"), *items = imvo_map_get (inbox.body, "items");
    portal_buf_add (&b, "<p role=\"status\"><span class=\"pill\" id=\"unread\">%lld %s</span></p>",
                    unread ? (long long) unread->via.i64 : 0LL, TR (x, "ongelezen", "unread"));
    uint32_t n = items && items->type == MSGPACK_OBJECT_ARRAY ? items->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Geen berichten.", "No messages."));
    portal_buf_t ids;
    portal_buf_init (&ids);
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *it = &items->via.array.ptr [i];
        bool read = imvo_map_get (it, "read") && imvo_map_get (it, "read")->type == MSGPACK_OBJECT_BOOLEAN
                 && imvo_map_get (it, "read")->via.boolean;
        char when [32], id [160] = "", case_id [72] = "";
        staff_when (imvo_map_get (it, "at"), when);
        imvo_obj_strcpy (imvo_map_get (it, "event_id"), id, sizeof id);
        imvo_obj_strcpy (imvo_map_get (it, "case_id"), case_id, sizeof case_id);
        if (!read && *id) {
            if (ids.len)
                portal_buf_raw (&ids, " ", 1);
            portal_buf_str (&ids, id);
        }
        portal_buf_add (&b, "<article class=\"msg\"><p class=\"help\">%s%s</p><h2 class=\"help\">", when,
                        read ? "" : TR (x, " · <strong>nieuw</strong>", " · <strong>new</strong>"));
        portal_buf_obj (&b, imvo_map_get (it, "title"));
        portal_buf_add (&b, "</h2><p>");
        portal_buf_obj (&b, imvo_map_get (it, "text"));
        portal_buf_add (&b, "</p>");
        if (*case_id) {
            portal_buf_add (&b, "<p><a href=\"/staff/case/");
            staff_buf_url (&b, case_id);
            portal_buf_add (&b, "?lang=%s\">%s ", l, TR (x, "Open zaak", "Open case"));
            portal_buf_str (&b, case_id);
            portal_buf_add (&b, "</a></p>");
        }
        if (!read && *id) {
            staff_form (x, &b, "/staff/inbox/read");
            portal_hidden (&b, "covenant", covenant);
            portal_hidden (&b, "ids", id);
            portal_buf_add (&b, "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                            TR (x, "Markeer als gelezen", "Mark read"));
        }
        portal_buf_add (&b, "</article>");
    }
    if (ids.len) {
        staff_form (x, &b, "/staff/inbox/read");
        portal_hidden (&b, "covenant", covenant);
        portal_buf_add (&b, "<input type=\"hidden\" name=\"ids\" value=\"");
        portal_buf_raw (&b, ids.data, ids.len);         //  escaped above
        portal_buf_add (&b, "\"><button type=\"submit\">%s</button></form>",
                        TR (x, "Alles op deze pagina gelezen", "Mark this page read"));
    }
    portal_buf_release (&ids);
    const msgpack_object *next = imvo_map_get (inbox.body, "next_cursor");
    if (next && next->type == MSGPACK_OBJECT_STR) {
        char nc [160] = "";
        imvo_obj_strcpy (next, nc, sizeof nc);
        portal_buf_add (&b, "<nav class=\"pager\" aria-label=\"%s\"><a rel=\"next\" href=\"/staff/inbox?lang=%s&amp;covenant=%s"
                            "&amp;cursor=", TR (x, "Pagina's", "Pages"), l, covenant);
        staff_buf_url (&b, nc);
        portal_buf_add (&b, "\">%s</a></nav>", TR (x, "Volgende pagina", "Next page"));
    }
    imvo_response_release (&inbox);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- export ------------------------------------------------------------------------------------

//  At most this many pages of complaint.export (1000 cases each) in one download.
#define S_EXPORT_PAGES 200
//  The next page is asked for when less than this is left to send.
#define S_EXPORT_LOW (256 * 1024)

//  A download in progress: the pages asked so far and not yet sent, and the next page's cursor.
//  The HTTP thread sends (s_export_read); a worker asks for the next page (s_export_fetch) while
//  the connection, when it has nothing left to send, waits suspended.
typedef struct {
    pthread_mutex_t lock;
    int refs;                           //  the response's, and a page on its way
    struct MHD_Connection *c;
    bool suspended, fetching, finished, failed;
    portal_buf_t data;                  //  to send, from off
    size_t off;
    int pages;
    char header [512];                  //  the CSV's first line, written once
    char covenant [40], status [40], cursor [160];
    portal_actor_t actor;
} s_export_t;

static void
s_export_unref (s_export_t *e)
{
    pthread_mutex_lock (&e->lock);
    bool last = --e->refs == 0;
    pthread_mutex_unlock (&e->lock);
    if (last) {
        portal_buf_release (&e->data);
        pthread_mutex_destroy (&e->lock);
        free (e);
    }
}

//  A page's CSV (its header line dropped after the first page), and the next cursor (under lock).
static void
s_export_add (s_export_t *e, const imvo_response_t *resp)
{
    const msgpack_object *text = imvo_map_get (resp->body, "csv");
    if (text && text->type == MSGPACK_OBJECT_STR) {
        const char *p = text->via.str.ptr;
        size_t n = text->via.str.size;
        const char *nl = memchr (p, '\n', n);
        size_t first = nl ? (size_t) (nl - p + 1) : n;
        if (e->pages == 0)
            snprintf (e->header, sizeof e->header, "%.*s", (int) (first < sizeof e->header ? first : sizeof e->header - 1), p);
        else
        if (first == strlen (e->header) && memcmp (p, e->header, first) == 0)
            p += first, n -= first;
        //  What was sent goes: the buffer holds only what is still to send.
        memmove (e->data.data, e->data.data + e->off, e->data.len - e->off);
        e->data.len -= e->off;
        e->off = 0;
        portal_buf_raw (&e->data, p, n);
    }
    e->pages++;
    e->cursor [0] = 0;
    imvo_obj_strcpy (imvo_map_get (resp->body, "cursor"), e->cursor, sizeof e->cursor);
    if (!e->cursor [0] || e->pages >= S_EXPORT_PAGES)
        e->finished = true;
}

//  On a worker: the next page.
static void
s_export_fetch (void *arg)
{
    s_export_t *e = arg;
    pthread_mutex_lock (&e->lock);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2 + (e->status [0] != 0));
    imvo_pack_kv_str (&pk, "covenant", e->covenant);
    if (e->status [0])
        imvo_pack_kv_str (&pk, "status", e->status);
    imvo_pack_kv_str (&pk, "cursor", e->cursor);
    pthread_mutex_unlock (&e->lock);
    imvo_response_t resp;
    int rc = portal_worker_call ("complaints", "complaint.export", NULL, body.data, body.size, &e->actor, &resp);
    msgpack_sbuffer_destroy (&body);
    pthread_mutex_lock (&e->lock);
    if (rc == 0 && resp.ok)
        s_export_add (e, &resp);
    else {
        zsys_warning ("the export of %s stopped after %d pages: %s", e->covenant, e->pages, resp.err.message);
        e->failed = true;
    }
    e->fetching = false;
    if (e->suspended) {
        e->suspended = false;
        MHD_resume_connection (e->c);
    }
    pthread_mutex_unlock (&e->lock);
    imvo_response_release (&resp);
    s_export_unref (e);
}

//  Under lock: asks for the next page on a worker; false when it cannot.
static bool
s_export_next (s_export_t *e)
{
    if (e->fetching)
        return true;
    e->fetching = true;
    e->refs++;
    if (portal_defer_run (s_export_fetch, e))
        return true;
    e->fetching = false;
    e->refs--;
    return false;
}

//  libmicrohttpd's content reader, on the HTTP thread: what is there, else waits suspended for
//  the next page (returning 0 with the connection suspended).
static ssize_t
s_export_read (void *cls, uint64_t pos, char *buf, size_t max)
{
    (void) pos;
    s_export_t *e = cls;
    ssize_t n;
    pthread_mutex_lock (&e->lock);
    if (e->off < e->data.len) {
        n = (ssize_t) (e->data.len - e->off < max ? e->data.len - e->off : max);
        memcpy (buf, e->data.data + e->off, (size_t) n);
        e->off += (size_t) n;
        if (!e->finished && !e->failed && e->data.len - e->off < S_EXPORT_LOW)
            s_export_next (e);
    }
    else
    if (e->failed)
        n = MHD_CONTENT_READER_END_WITH_ERROR;      //  the download breaks off: not a whole file
    else
    if (e->finished)
        n = MHD_CONTENT_READER_END_OF_STREAM;
    else
    if (s_export_next (e)) {
        MHD_suspend_connection (e->c);
        e->suspended = true;
        n = 0;
    }
    else
        n = MHD_CONTENT_READER_END_WITH_ERROR;
    pthread_mutex_unlock (&e->lock);
    return n;
}

static void
s_export_free (void *cls)
{
    s_export_unref (cls);
}

enum MHD_Result
staff_export (staff_t *x)
{
    enum MHD_Result answer = MHD_NO;
    const char *covenant = s_covenant (x, &answer);
    if (!covenant)
        return answer;
    const char *status = staff_query (x, "status");
    //  The first page before the answer: a refusal is a page of its own (403 for the
    //  committee); then the file, a page at a time.
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "complaints", "complaint.export", "so", "covenant", covenant, "status", status);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    s_export_t *e = calloc (1, sizeof *e);
    assert (e);
    pthread_mutex_init (&e->lock, NULL);
    e->refs = 1;
    e->c = x->c;
    e->actor = x->s.actor;
    snprintf (e->covenant, sizeof e->covenant, "%s", covenant);
    snprintf (e->status, sizeof e->status, "%s", status);
    portal_buf_init (&e->data);
    s_export_add (e, &resp);
    imvo_response_release (&resp);
    char filename [96];
    snprintf (filename, sizeof filename, "imvo-%s-cases.csv", covenant);
    struct MHD_Response *r = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 64 * 1024, s_export_read, e,
                                                               s_export_free);
    return portal_respond (x->c, MHD_HTTP_OK, r, "text/csv; charset=utf-8", NULL, filename);
}

//  --- audit -----------------------------------------------------------------------------------------

enum MHD_Result
staff_audit (staff_t *x)
{
    const char *covenant = staff_query (x, "covenant"), *case_id = staff_query (x, "case_id"),
               *person = staff_query (x, "person");
    imvo_response_t resp;
    int rc = staff_ask (x, &resp, "complaints", "audit.list", "oooi", "covenant", covenant, "case_id", case_id,
                        "person", person, "limit", (int64_t) 200);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    const char *l = staff_lang (x);
    portal_buf_t b;
    portal_buf_init (&b);
    staff_page_start (x, &b, TR (x, "Logboek", "Audit trail"));
    portal_buf_add (&b, "<form method=\"get\" action=\"/staff/audit\" class=\"card\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><div class=\"row\">", l);
    static const char *const names [] = { "covenant", "case_id", "person" };
    const char *values [] = { covenant, case_id, person };
    const char *labels [] = { portal_t (x->lang, T_COVENANT), TR (x, "Zaak", "Case"),
                              TR (x, "Persoon (gebruikersnaam)", "Person (username)") };
    for (int i = 0; i < 3; i++) {
        portal_buf_add (&b, "<div><label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" maxlength=\"64\" "
                            "value=\"", names [i], labels [i], names [i], names [i]);
        portal_buf_str (&b, values [i]);
        portal_buf_add (&b, "\"></div>");
    }
    portal_buf_add (&b, "<div><button type=\"submit\">%s</button></div></div></form>", portal_t (x->lang, T_SEARCH));
    const msgpack_object *items = imvo_map_get (resp.body, "items");
    uint32_t n = items && items->type == MSGPACK_OBJECT_ARRAY ? items->via.array.size : 0;
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Niets gevonden.", "Nothing found."));
    else {
        static const char *const cols [] = { "at", "person", "role", "org", "action", "target" };
        const char *heads [] = { TR (x, "Wanneer", "When"), TR (x, "Persoon", "Person"), TR (x, "Rol", "Role"),
                                 TR (x, "Organisatie", "Organisation"), TR (x, "Handeling", "Action"),
                                 TR (x, "Waarop", "Target") };
        portal_buf_add (&b, "<div class=\"table\"><table class=\"list\" id=\"audit\"><thead><tr>");
        for (int c = 0; c < 6; c++)
            portal_buf_add (&b, "<th scope=\"col\">%s</th>", heads [c]);
        portal_buf_add (&b, "</tr></thead><tbody>");
        for (uint32_t i = 0; i < n; i++) {
            const msgpack_object *it = &items->via.array.ptr [i];
            portal_buf_add (&b, "<tr>");
            for (int c = 0; c < 6; c++) {
                portal_buf_add (&b, "<td data-label=\"%s\">", heads [c]);
                if (c == 0) {
                    char when [32];
                    staff_when (imvo_map_get (it, "at"), when);
                    portal_buf_add (&b, "%s", when);
                }
                else
                    portal_buf_obj (&b, imvo_map_get (it, cols [c]));
                portal_buf_add (&b, "</td>");
            }
            portal_buf_add (&b, "</tr>");
        }
        portal_buf_add (&b, "</tbody></table></div>");
    }
    imvo_response_release (&resp);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- members ---------------------------------------------------------------------------------------

static const char *const s_kinds [] = { "company", "trade_association", "ngo", "union", "government",
                                        "knowledge_institution", "other", NULL };

static void
s_role_select (staff_t *x, portal_buf_t *b, const char *id)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label><select id=\"%s\" name=\"role\"><option value=\"party\">%s</option>"
                       "<option value=\"supporter\">%s</option><option value=\"expert\">%s</option></select>", id,
                    TR (x, "Als", "As"), id, TR (x, "partij", "party"), TR (x, "ondersteuner", "supporter"),
                    TR (x, "expert", "expert"));
}

static enum MHD_Result
s_members_post (staff_t *x, const char *covenant, const char *action)
{
    imvo_response_t resp;
    int rc;
    const char *org = portal_field (x->r, "org_id");
    if (streq (action, "register")) {
        const char *name = portal_field (x->r, "name"), *kind = portal_field (x->r, "kind"),
                   *country = portal_field (x->r, "country");
        if (!*name || !*kind || !*country)
            return staff_error (x, MHD_HTTP_BAD_REQUEST, TR (x, "Controleer de invoer", "Please check the input"),
                                TR (x, "Vul naam, soort en land in.", "Fill in name, kind and country."));
        //  contacts.email is a dotted field: packed by hand.
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        const char *email = portal_field (x->r, "email");
        msgpack_pack_map (&pk, 3 + (*email != 0));
        imvo_pack_kv_str (&pk, "name", name);
        imvo_pack_kv_str (&pk, "kind", kind);
        imvo_pack_kv_str (&pk, "country", country);
        if (*email) {
            imvo_pack_str (&pk, "contacts");
            msgpack_pack_map (&pk, 1);
            imvo_pack_kv_str (&pk, "email", email);
        }
        rc = staff_call_body (x, &resp, "membership", "org.register", body.data, body.size);
        msgpack_sbuffer_destroy (&body);
        if (rc == STAFF_WAIT)
            return MHD_YES;
        if (rc || !resp.ok)
            return staff_failed (x, rc, &resp);
        char id [72] = "";
        imvo_obj_strcpy (imvo_map_get (resp.body, "org_id"), id, sizeof id);
        imvo_response_release (&resp);
        //  And join at once when a role was chosen.
        if (*portal_field (x->r, "role")) {
            rc = staff_call (x, &resp, "membership", "member.join", "sss", "covenant", covenant, "org_id", id, "role",
                             portal_field (x->r, "role"));
            if (rc == STAFF_WAIT)
                return MHD_YES;
            if (rc || !resp.ok)
                return staff_failed (x, rc, &resp);
            imvo_response_release (&resp);
        }
    }
    else
    if (streq (action, "join"))
        rc = staff_call (x, &resp, "membership", "member.join", "sssoo", "covenant", covenant, "org_id", org, "role",
                         portal_field (x->r, "role"), "since", portal_field (x->r, "since"), "source",
                         portal_field (x->r, "source"));
    else
    if (streq (action, "leave"))
        rc = staff_call (x, &resp, "membership", "member.leave", "sso", "covenant", covenant, "org_id", org, "reason",
                         portal_field (x->r, "reason"));
    else
    if (streq (action, "pay")) {
        char *end;
        long year = strtol (portal_field (x->r, "year"), &end, 10), amount = -1;
        if (*portal_field (x->r, "amount_eur"))
            amount = strtol (portal_field (x->r, "amount_eur"), &end, 10);
        rc = staff_call (x, &resp, "membership", "member.pay", "ssij", "covenant", covenant, "org_id", org, "year",
                         (int64_t) year, "amount_eur", (int64_t) amount);
    }
    else
    if (streq (action, "associates") || streq (action, "contribute"))
        return staff_parties_post (x, covenant, action);
    else
        return staff_not_found (x);
    if (!streq (action, "register")) {
        if (rc == STAFF_WAIT)
            return MHD_YES;
        if (rc || !resp.ok)
            return staff_failed (x, rc, &resp);
        imvo_response_release (&resp);
    }
    char path [96];
    snprintf (path, sizeof path, "/staff/members?done=1&covenant=%s", covenant);
    return staff_done (x, path);
}

enum MHD_Result
staff_members (staff_t *x, const char *action)
{
    enum MHD_Result answer = MHD_NO;
    const char *covenant = s_covenant (x, &answer);
    if (!covenant)
        return answer;
    if (x->post)
        return s_members_post (x, covenant, action);
    imvo_response_t members;
    int rc = staff_ask (x, &members, "membership", "member.list", "si", "covenant", covenant, "limit", (int64_t) 1000);
    if (rc || !members.ok)
        return staff_failed (x, rc, &members);
    char *end;
    int64_t year = strtol (staff_query (x, "year"), &end, 10);
    if (year < 2000 || year > 2100)
        year = s_year_now ();
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s: %s", TR (x, "Leden", "Members"), covenant);
    staff_page_start (x, &b, title);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    const msgpack_object *list = imvo_map_get (members.body, "members");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    const char *heads [] = { TR (x, "Naam", "Name"), TR (x, "Soort", "Kind"), TR (x, "Rol", "Role"),
                             TR (x, "Lid sinds", "Since"), TR (x, "Uittreden", "Leave") };
    portal_buf_add (&b, "<div class=\"table\"><table class=\"list\" id=\"members\"><caption class=\"help\">%u %s</caption>"
                        "<thead><tr>", n, TR (x, "leden", "members"));
    for (int c = 0; c < 5; c++)
        portal_buf_add (&b, "<th scope=\"col\">%s</th>", heads [c]);
    portal_buf_add (&b, "</tr></thead><tbody>");
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *m = &list->via.array.ptr [i];
        char id [72] = "";
        imvo_obj_strcpy (imvo_map_get (m, "org_id"), id, sizeof id);
        portal_buf_add (&b, "<tr><td data-label=\"%s\">", heads [0]);
        portal_buf_obj (&b, imvo_map_get (m, "name"));
        portal_buf_add (&b, " <span class=\"help\">");
        portal_buf_str (&b, id);
        portal_buf_add (&b, "</span></td><td data-label=\"%s\">", heads [1]);
        portal_buf_obj (&b, imvo_map_get (m, "kind"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [2]);
        portal_buf_obj (&b, imvo_map_get (m, "role"));
        portal_buf_add (&b, "</td><td data-label=\"%s\">", heads [3]);
        portal_buf_obj (&b, imvo_map_get (m, "since"));
        portal_buf_add (&b, "</td><td data-label=\"%s\"><details><summary>%s</summary>", heads [4],
                        TR (x, "Laten uittreden", "Let leave"));
        staff_form (x, &b, "/staff/members/leave");
        portal_hidden (&b, "covenant", covenant);
        portal_hidden (&b, "org_id", id);
        portal_buf_add (&b, "<label for=\"reason-%u\">%s</label><input type=\"text\" id=\"reason-%u\" name=\"reason\" "
                            "maxlength=\"%ld\"><button type=\"submit\" class=\"danger\">%s</button></form></details></td></tr>",
                        i, TR (x, "Reden", "Reason"), i, staff_max ("member.leave", "reason", 500),
                        TR (x, "Uittreden", "Leave"));
    }
    portal_buf_add (&b, "</tbody></table></div>");
    //  Register an organisation (and join), or let a registered one join.
    portal_buf_add (&b, "<div class=\"grid\"><section class=\"card\" aria-labelledby=\"h-reg\"><h2 id=\"h-reg\">%s</h2>",
                    TR (x, "Organisatie registreren", "Register an organisation"));
    staff_form (x, &b, "/staff/members/register");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<label for=\"org-name\">%s</label><input type=\"text\" id=\"org-name\" name=\"name\" required "
                        "maxlength=\"%ld\"><label for=\"org-kind\">%s</label><select id=\"org-kind\" name=\"kind\">",
                    TR (x, "Naam", "Name"), staff_max ("org.register", "name", 200), TR (x, "Soort", "Kind"));
    for (int i = 0; s_kinds [i]; i++)
        portal_buf_add (&b, "<option>%s</option>", s_kinds [i]);
    portal_buf_add (&b, "</select><label for=\"org-country\">%s</label><input type=\"text\" id=\"org-country\" "
                        "name=\"country\" required maxlength=\"2\" pattern=\"[A-Za-z]{2}\" autocomplete=\"off\">"
                        "<label for=\"org-email\">%s</label><input type=\"email\" id=\"org-email\" name=\"email\" "
                        "maxlength=\"200\"><label for=\"org-role\">%s</label><select id=\"org-role\" name=\"role\">"
                        "<option value=\"\">%s</option><option value=\"party\">%s</option><option value=\"supporter\">%s"
                        "</option><option value=\"expert\">%s</option></select><button type=\"submit\">%s</button></form>"
                        "</section>", TR (x, "Land (bijvoorbeeld NL)", "Country (for example NL)"),
                    TR (x, "E-mail (optioneel)", "E-mail (optional)"), TR (x, "Meteen lid worden als", "Join at once as"),
                    TR (x, "niet", "no"), TR (x, "partij", "party"), TR (x, "ondersteuner", "supporter"),
                    TR (x, "expert", "expert"), TR (x, "Registreren", "Register"));
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-join\"><h2 id=\"h-join\">%s</h2>",
                    TR (x, "Geregistreerde organisatie laten toetreden", "Let a registered organisation join"));
    staff_form (x, &b, "/staff/members/join");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<label for=\"join-org\">%s</label><select id=\"join-org\" name=\"org_id\" required>",
                    TR (x, "Organisatie", "Organisation"));
    imvo_response_t orgs;
    if (staff_ask (x, &orgs, "membership", "org.list", "i", "limit", (int64_t) 1000) == 0 && orgs.ok) {
        const msgpack_object *ol = imvo_map_get (orgs.body, "orgs");
        for (uint32_t i = 0; ol && ol->type == MSGPACK_OBJECT_ARRAY && i < ol->via.array.size; i++) {
            portal_buf_add (&b, "<option value=\"");
            portal_buf_obj (&b, imvo_map_get (&ol->via.array.ptr [i], "org_id"));
            portal_buf_add (&b, "\">");
            portal_buf_obj (&b, imvo_map_get (&ol->via.array.ptr [i], "name"));
            portal_buf_add (&b, "</option>");
        }
    }
    imvo_response_release (&orgs);
    portal_buf_add (&b, "</select>");
    s_role_select (x, &b, "join-role");
    //  The real signing date, when it lies in the past, and where it is written (member.join).
    portal_buf_add (&b, "<label for=\"join-since\">%s</label><input type=\"text\" inputmode=\"numeric\" "
                        "id=\"join-since\" name=\"since\" maxlength=\"10\" placeholder=\"2016-07-04\" "
                        "pattern=\"[0-9]{4}-[0-9]{2}-[0-9]{2}\">"
                        "<label for=\"join-source\">%s</label><input type=\"text\" id=\"join-source\" name=\"source\" "
                        "maxlength=\"%ld\">", TR (x, "Getekend op, JJJJ-MM-DD (leeg: vandaag)", "Signed on, YYYY-MM-DD (empty: today)"),
                    TR (x, "Bron van die datum (nodig voor een eerdere datum)", "Source of that date (needed for an earlier date)"),
                    staff_max ("member.join", "source", 300));
    portal_buf_add (&b, "<button type=\"submit\">%s</button></form></section></div>", TR (x, "Laten toetreden", "Join"));
    //  Contributions not paid for the year.
    imvo_response_t unpaid;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-unpaid\"><h2 id=\"h-unpaid\">%s %lld</h2>"
                        "<form method=\"get\" action=\"/staff/members\" class=\"row\"><input type=\"hidden\" name=\"lang\" "
                        "value=\"%s\"><input type=\"hidden\" name=\"covenant\" value=\"%s\"><div><label for=\"year\">%s</label>"
                        "<input type=\"text\" inputmode=\"numeric\" id=\"year\" name=\"year\" maxlength=\"4\" value=\"%lld\">"
                        "</div><div><button type=\"submit\">%s</button></div></form>",
                    TR (x, "Contributie niet betaald,", "Contribution unpaid,"), (long long) year, staff_lang (x), covenant,
                    TR (x, "Jaar", "Year"), (long long) year, portal_t (x->lang, T_SHOW));
    if (staff_ask (x, &unpaid, "membership", "member.unpaid", "si", "covenant", covenant, "year", year) == 0 && unpaid.ok) {
        const msgpack_object *ul = imvo_map_get (unpaid.body, "unpaid");
        uint32_t nu = ul && ul->type == MSGPACK_OBJECT_ARRAY ? ul->via.array.size : 0;
        if (!nu)
            portal_buf_add (&b, "<p>%s</p>", TR (x, "Iedereen heeft betaald.", "Everyone has paid."));
        portal_buf_add (&b, "<ul id=\"unpaid\">");
        for (uint32_t i = 0; i < nu; i++) {
            char id [72] = "";
            imvo_obj_strcpy (imvo_map_get (&ul->via.array.ptr [i], "org_id"), id, sizeof id);
            portal_buf_add (&b, "<li>");
            portal_buf_obj (&b, imvo_map_get (&ul->via.array.ptr [i], "name"));
            staff_form (x, &b, "/staff/members/pay");
            portal_hidden (&b, "covenant", covenant);
            portal_hidden (&b, "org_id", id);
            portal_buf_add (&b, "<input type=\"hidden\" name=\"year\" value=\"%lld\"><div class=\"row\"><div>"
                                "<label for=\"amount-%u\">%s</label><input type=\"text\" inputmode=\"numeric\" id=\"amount-%u\" "
                                "name=\"amount_eur\" maxlength=\"9\"></div><div><button type=\"submit\" class=\"secondary\">%s"
                                "</button></div></div></form></li>", (long long) year, i,
                            TR (x, "Bedrag in euro (optioneel)", "Amount in euro (optional)"), i,
                            TR (x, "Betaling vastleggen", "Record payment"));
        }
        portal_buf_add (&b, "</ul>");
    }
    else
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (x->lang, T_UNAVAILABLE));
    imvo_response_release (&unpaid);
    portal_buf_add (&b, "</section>");
    staff_parties_section (x, &b, covenant, list, year);
    imvo_response_release (&members);
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

//  --- production locations --------------------------------------------------------------------------

enum MHD_Result
staff_locations (staff_t *x, const char *action)
{
    enum MHD_Result answer = MHD_NO;
    const char *covenant = s_covenant (x, &answer);
    if (!covenant)
        return answer;
    imvo_response_t resp;
    int rc;
    if (x->post) {
        if (streq (action, "resolve")) {
            const char *decision = portal_field (x->r, "decision");
            rc = staff_call (x, &resp, "membership", "location.resolve", "ssso", "covenant", covenant, "flag_id",
                             portal_field (x->r, "flag_id"), "decision", decision, "location_id",
                             streq (decision, "confirm") ? portal_field (x->r, "location_id") : "");
        }
        else
        if (streq (action, "publish")) {
            char *end;
            long year = strtol (portal_field (x->r, "year"), &end, 10);
            rc = staff_call (x, &resp, "membership", "location.publish", "si", "covenant", covenant, "year", (int64_t) year);
        }
        else
            return staff_not_found (x);
        char path [96];
        snprintf (path, sizeof path, "/staff/locations?done=1&covenant=%s", covenant);
        return staff_changed (x, rc, &resp, path);
    }
    rc = staff_ask (x, &resp, "membership", "location.flags", "s", "covenant", covenant);
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    portal_buf_t b;
    portal_buf_init (&b);
    char title [120];
    snprintf (title, sizeof title, "%s: %s", TR (x, "Productielocaties", "Production locations"), covenant);
    staff_page_start (x, &b, title);
    if (*staff_query (x, "done"))
        portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", TR (x, "Opgeslagen.", "Saved."));
    portal_buf_add (&b, "<p><a href=\"/staff/disclosures?lang=%s&amp;covenant=%s\" id=\"disclosures\">%s</a></p>",
                    staff_lang (x), covenant, TR (x, "Wie maakte zijn locaties voor de lijst van 4 juli bekend?",
                                                  "Who disclosed for the 4 July list?"));           //  staff_terms.c
    const msgpack_object *flags = imvo_map_get (resp.body, "flags");
    uint32_t n = flags && flags->type == MSGPACK_OBJECT_ARRAY ? flags->via.array.size : 0;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-flags\"><h2 id=\"h-flags\">%s (%u)</h2>",
                    TR (x, "Twijfelachtige overeenkomsten", "Ambiguous matches"), n);
    if (!n)
        portal_buf_add (&b, "<p>%s</p>", TR (x, "Niets te beoordelen.", "Nothing to resolve."));
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *f = &flags->via.array.ptr [i];
        char fid [72] = "";
        imvo_obj_strcpy (imvo_map_get (f, "flag_id"), fid, sizeof fid);
        portal_buf_add (&b, "<article class=\"msg\"><h3>");
        portal_buf_obj (&b, imvo_map_get (f, "name"));
        portal_buf_add (&b, "</h3><p>");
        portal_buf_obj (&b, imvo_map_get (f, "address"));
        portal_buf_add (&b, ", ");
        portal_buf_obj (&b, imvo_map_get (f, "city"));
        portal_buf_add (&b, " (");
        portal_buf_obj (&b, imvo_map_get (f, "country"));
        portal_buf_add (&b, ")</p>");
        staff_form (x, &b, "/staff/locations/resolve");
        portal_hidden (&b, "covenant", covenant);
        portal_hidden (&b, "flag_id", fid);
        portal_buf_add (&b, "<fieldset><legend>%s</legend>", TR (x, "Hetzelfde als", "The same as"));
        const msgpack_object *cands = imvo_map_get (f, "candidates");
        for (uint32_t c = 0; cands && cands->type == MSGPACK_OBJECT_ARRAY && c < cands->via.array.size; c++) {
            const msgpack_object *cd = &cands->via.array.ptr [c];
            const msgpack_object *lid = cd->type == MSGPACK_OBJECT_MAP ? imvo_map_get (cd, "location_id") : cd;
            portal_buf_add (&b, "<label><input type=\"radio\" name=\"location_id\" value=\"");
            portal_buf_obj (&b, lid);
            portal_buf_add (&b, "\"%s> ", c == 0 ? " checked" : "");
            portal_buf_obj (&b, lid);
            portal_buf_add (&b, "</label>");
        }
        portal_buf_add (&b, "</fieldset><button type=\"submit\" name=\"decision\" value=\"confirm\">%s</button> "
                            "<button type=\"submit\" name=\"decision\" value=\"reject\" class=\"secondary\">%s</button>"
                            "</form></article>", TR (x, "Samenvoegen", "Merge"),
                        TR (x, "Afwijzen: een andere locatie", "Reject: a different place"));
    }
    portal_buf_add (&b, "</section>");
    imvo_response_release (&resp);
    //  The year's list: publish it.
    int64_t year = s_year_now () - 1;
    portal_buf_add (&b, "<section class=\"card\" aria-labelledby=\"h-pub\"><h2 id=\"h-pub\">%s</h2>",
                    TR (x, "Lijst van een jaar publiceren", "Publish a year's list"));
    staff_form (x, &b, "/staff/locations/publish");
    portal_hidden (&b, "covenant", covenant);
    portal_buf_add (&b, "<div class=\"row\"><div><label for=\"pub-year\">%s</label><input type=\"text\" inputmode=\"numeric\" "
                        "id=\"pub-year\" name=\"year\" required maxlength=\"4\" pattern=\"[0-9]{4}\" value=\"%lld\"></div>"
                        "<div><button type=\"submit\">%s</button></div></div></form><p><a href=\"/locations/%s/%lld?lang=%s\">"
                        "%s</a></p></section>", TR (x, "Jaar", "Year"), (long long) year, TR (x, "Publiceren", "Publish"),
                    covenant, (long long) year, staff_lang (x),
                    TR (x, "De openbare lijst bekijken", "See the public list"));
    return staff_page_end (x, &b, MHD_HTTP_OK);
}

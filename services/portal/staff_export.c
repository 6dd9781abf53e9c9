/*  staff_export: GET /staff/export?covenant=&status= : a covenant's cases as CSV
    (complaint.export, audited by complaints, which refuses the committee), streamed a page of
    1000 cases at a time, each next page asked on a worker while the download goes on. See
    staff.h. */
#include "staff.h"

#include <pthread.h>
#include <microhttpd.h>

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
    const char *covenant = staff_page_covenant (x, &answer);
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

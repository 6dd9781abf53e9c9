/*  portal_evidence_send: a complaint's files sent to complaints by receipt (complaint.attach in
    parts, each part a task on the portal's workers), kept with the intake entry's key until the
    case exists, the keeper thread that starts and drops kept batches, the status page's files
    sent at once, and the start and stop of it all (portal_evidence.c says how and why). */
#include "portal_evidence.h"

#include <malloc.h>
#include <pthread.h>

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static portal_upload_t *s_kept [S_KEPT];
static pthread_t s_thread;
static volatile bool s_stop;
static bool s_started;

//  --- sending ---------------------------------------------------------------------------------------

static void s_send_part (void *arg);

//  Done: the temporary files are closed, a waiting page resumes (under s_lock).
static void
s_done (portal_upload_t *up)
{
    for (int i = 0; i < up->nfiles; i++)
        portal_evidence_close (&up->files [i]);
    up->state = S_DONE;
    up->since = zclock_mono ();
    if (up->waiter) {
        MHD_resume_connection (up->waiter);
        up->waiter = NULL;
    }
}

//  complaint.attach's body for the part in up->buf (n bytes).
static void
s_part_body (portal_upload_t *up, portal_evidence_file_t *f, size_t n, bool last, msgpack_sbuffer *out)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    bool one = f->part == 0 && last;
    if (f->part == 0) {
        msgpack_pack_map (&pk, one ? 4 : 5);
        imvo_pack_kv_str (&pk, "receipt", up->receipt);
        imvo_pack_kv_str (&pk, "name", f->name);
        imvo_pack_kv_str (&pk, "content_type", f->type);
        if (!one)
            imvo_pack_kv_int (&pk, "part", 0);
    }
    else {
        msgpack_pack_map (&pk, last ? 4 : 3);
        imvo_pack_kv_str (&pk, "upload", f->upload);
        imvo_pack_kv_int (&pk, "part", f->part);
        if (last)
            imvo_pack_kv_bool (&pk, "last", true);
    }
    imvo_pack_str (&pk, "data");
    msgpack_pack_bin (&pk, (uint32_t) n);
    msgpack_pack_bin_body (&pk, up->buf, n);
}

//  One part of the current file, on a worker; then the next part as a task of its own.
static void
s_send_part (void *arg)
{
    portal_upload_t *up = arg;
    while (up->current < up->nfiles && up->files [up->current].fd < 0)
        up->current++;
    if (up->current == up->nfiles) {
        pthread_mutex_lock (&s_lock);
        s_done (up);
        pthread_mutex_unlock (&s_lock);
        return;
    }
    portal_evidence_file_t *f = &up->files [up->current];
    long n = portal_evidence_read_part (up, f);
    if (n < 0) {
        pthread_mutex_lock (&s_lock);
        imvo_error_set (&f->err, IMVO_ERR_INTERNAL, "", "the file could not be read back");
        portal_evidence_close (f);
        pthread_mutex_unlock (&s_lock);
    }
    else {
        bool last = f->sent + (uint64_t) n >= f->size;
        //  Its body's buffer of its final size at once (not grown by doubling).
        msgpack_sbuffer body = { 0, malloc ((size_t) n + 1024), (size_t) n + 1024 };
        assert (body.data);
        s_part_body (up, f, (size_t) n, last, &body);
        sodium_memzero (up->buf, (size_t) n);
        char key [IMVO_KEY_MAX + 1];
        snprintf (key, sizeof key, "evidence-%s-%d-%d", up->id, up->current, f->part);
        imvo_response_t resp;
        int rc = portal_worker_call ("complaints", "complaint.attach", key, body.data, body.size, NULL, &resp);
        sodium_memzero (body.data, body.size);
        msgpack_sbuffer_destroy (&body);
        //  The outcome under the lock: a page may read it (a /received that waited long enough).
        pthread_mutex_lock (&s_lock);
        if (rc == 0 && resp.ok) {
            f->sent += (uint64_t) n;
            if (f->part == 0 && !last)
                imvo_obj_strcpy (imvo_map_get (resp.body, "upload"), f->upload, sizeof f->upload);
            f->part++;
            if (last) {
                f->ok = true;
                imvo_obj_strcpy (imvo_map_get (resp.body, "attachment_id"), f->attachment_id, sizeof f->attachment_id);
                portal_evidence_close (f);
            }
        }
        else {
            f->err = resp.err;
            if (!f->err.code)
                imvo_error_set (&f->err, IMVO_ERR_UNAVAILABLE, "", "complaints did not answer");
            portal_evidence_close (f);
        }
        pthread_mutex_unlock (&s_lock);
        imvo_response_release (&resp);
    }
    //  The next part waits its turn behind others' work; when the workers stop, the rest is
    //  not sent.
    if (!portal_defer_run (s_send_part, up)) {
        pthread_mutex_lock (&s_lock);
        for (int i = up->current; i < up->nfiles; i++)
            if (up->files [i].fd >= 0) {
                imvo_error_set (&up->files [i].err, IMVO_ERR_UNAVAILABLE, "", "the portal is stopping");
                portal_evidence_close (&up->files [i]);
            }
        s_done (up);
        pthread_mutex_unlock (&s_lock);
    }
}

//  Starts sending up's files by receipt (under s_lock): false when the workers cannot take it now.
static bool
s_start (portal_upload_t *up, const char *receipt)
{
    snprintf (up->receipt, sizeof up->receipt, "%s", receipt);
    up->state = S_SENDING;
    if (portal_defer_run (s_send_part, up))
        return true;
    up->state = S_READY;
    return false;
}

//  --- the complaint's files, kept until its case exists ----------------------------------------------

bool
portal_evidence_keep (portal_req_t *r, const char *key)
{
    portal_upload_t *up = r->upload;
    if (!up || up->refused || !up->nfiles)
        return true;
    bool kept = false, again = false;
    pthread_mutex_lock (&s_lock);
    //  The same form sent twice (its key) files one complaint: its files once, the first's.
    for (int i = 0; i < S_KEPT && !again; i++)
        again = s_kept [i] && streq (s_kept [i]->intake, key);
    for (int i = 0; i < S_KEPT && !kept && !again; i++)
        if (!s_kept [i]) {
            s_kept [i] = up;
            kept = true;
        }
    pthread_mutex_unlock (&s_lock);
    if (again) {
        portal_evidence_upload_free (up);
        r->upload = NULL;
        return true;
    }
    if (!kept)
        return false;
    snprintf (up->intake, sizeof up->intake, "%s", key);
    unsigned char raw [16];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (up->id, sizeof up->id, raw, sizeof raw);
    up->c = NULL;
    up->r = NULL;
    up->since = zclock_mono ();
    r->upload = NULL;
    return true;
}

void
portal_evidence_forget (const char *key)
{
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_KEPT; i++)
        if (s_kept [i] && streq (s_kept [i]->intake, key) && s_kept [i]->state == S_READY) {
            portal_evidence_upload_free (s_kept [i]);
            s_kept [i] = NULL;
        }
    pthread_mutex_unlock (&s_lock);
}

bool
portal_evidence_wait (struct MHD_Connection *c, const char *key, const char *receipt)
{
    bool waiting = false;
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_KEPT; i++) {
        portal_upload_t *up = s_kept [i];
        if (!up || !streq (up->intake, key) || up->state == S_DONE || up->waiter || s_stop)
            continue;
        if (up->state == S_READY && !s_start (up, receipt))
            break;
        //  Suspended before a worker can resume it.
        MHD_suspend_connection (c);
        up->waiter = c;
        up->wait_until = zclock_mono () + S_WAIT_MS;
        waiting = true;
        break;
    }
    pthread_mutex_unlock (&s_lock);
    return waiting;
}

void
portal_evidence_report (portal_buf_t *b, portal_lang_t lang, const char *key)
{
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_KEPT; i++)
        if (s_kept [i] && streq (s_kept [i]->intake, key))
            portal_evidence_list (b, lang, s_kept [i]);
    pthread_mutex_unlock (&s_lock);
}

//  The keeper: starts the batches whose case came while nobody looked at /received, resumes
//  pages that waited long enough, and drops what is old.
static void *
s_keeper (void *arg)
{
    (void) arg;
    while (!s_stop) {
        zclock_sleep (S_KEEPER_MS);
        for (int i = 0; i < S_KEPT && !s_stop; i++) {
            char key [33] = "";
            pthread_mutex_lock (&s_lock);
            portal_upload_t *up = s_kept [i];
            int64_t now = zclock_mono ();
            if (up && up->waiter && now >= up->wait_until) {
                MHD_resume_connection (up->waiter);
                up->waiter = NULL;
            }
            if (up && ((up->state == S_DONE && now - up->since > S_DONE_MS)
                       || (up->state == S_READY && now - up->since > S_READY_MS))) {
                portal_evidence_upload_free (up);
                s_kept [i] = up = NULL;
            }
            //  Asked again at most every second.
            if (up && up->state == S_READY && now - up->since > 1000)
                snprintf (key, sizeof key, "%s", up->intake);
            pthread_mutex_unlock (&s_lock);
            if (!key [0])
                continue;
            char state [16], receipt [96], error [300];
            portal_intake_outcome (key, 500, state, receipt, error);
            pthread_mutex_lock (&s_lock);
            up = s_kept [i];
            if (up && up->state == S_READY && streq (up->intake, key)) {
                if (streq (state, "done") && receipt [0])
                    s_start (up, receipt);
                else
                if (streq (state, "failed")) {
                    portal_evidence_upload_free (up);
                    s_kept [i] = NULL;
                }
            }
            pthread_mutex_unlock (&s_lock);
            sodium_memzero (receipt, sizeof receipt);
        }
    }
    return NULL;
}

//  --- the status page: files by receipt, at once -----------------------------------------------------

bool
portal_evidence_status (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *receipt,
                        portal_buf_t *b, unsigned *status)
{
    portal_upload_t *up = r->upload;
    if (!up)
        return false;
    char error [700];
    unsigned refused = portal_evidence_refusal (r, lang, error, sizeof error);
    if (refused) {
        portal_buf_add (b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (b, error);
        portal_buf_add (b, "</p>");
        *status = refused;
        return false;
    }
    if (!up->nfiles)
        return false;
    pthread_mutex_lock (&s_lock);
    bool waiting = false;
    if (up->state == S_READY && !s_stop) {
        unsigned char raw [16];
        randombytes_buf (raw, sizeof raw);
        sodium_bin2hex (up->id, sizeof up->id, raw, sizeof raw);
        if (s_start (up, receipt)) {
            MHD_suspend_connection (c);
            up->waiter = c;
            up->wait_until = INT64_MAX;     //  its own files: it waits for them all
            waiting = true;
        }
    }
    pthread_mutex_unlock (&s_lock);
    if (waiting)
        return true;
    if (up->state == S_READY) {
        portal_buf_add (b, "<p class=\"error\" role=\"alert\">%s</p>", portal_evidence_word (lang, E_BUSY));
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        return false;
    }
    //  A wrong receipt is the page's to tell (and count).
    bool wrong = false;
    for (int i = 0; i < up->nfiles; i++)
        wrong |= up->files [i].err.code == IMVO_ERR_NOT_FOUND;
    if (!wrong)
        portal_evidence_list (b, lang, up);
    return false;
}

//  --- start and stop -------------------------------------------------------------------------------------

int
portal_evidence_start (void)
{
    portal_evidence_configure ();
    //  A part's buffers (its plaintext, its message, the envelope, ZeroMQ's copy: 512 KiB each)
    //  are mapped and given back when freed, whichever worker sent it: glibc would otherwise
    //  raise its threshold after the first and keep them in each worker's arena.
    mallopt (M_MMAP_THRESHOLD, 256 * 1024);
    s_stop = false;
    if (pthread_create (&s_thread, NULL, s_keeper, NULL))
        return -1;
    s_started = true;
    return 0;
}

void
portal_evidence_stop (void)
{
    if (!s_started)
        return;
    s_stop = true;
    pthread_join (s_thread, NULL);
    //  The workers have stopped: nothing sends any more. No page stays suspended.
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_KEPT; i++)
        if (s_kept [i]) {
            if (s_kept [i]->waiter)
                MHD_resume_connection (s_kept [i]->waiter);
            s_kept [i]->waiter = NULL;
            portal_evidence_upload_free (s_kept [i]);
            s_kept [i] = NULL;
        }
    pthread_mutex_unlock (&s_lock);
    s_started = false;
}

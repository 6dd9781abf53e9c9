/*  portal_evidence: the files a complainant sends with the form (POST /submit) and later from
    the status page (POST /status), as multipart/form-data in the field `evidence`.

    Streamed, never whole in memory: libmicrohttpd's post processor parses the body as it
    arrives (S_PP_BUFFER bytes at a time); the form's other fields become the request's fields
    (as a urlencoded body's would, within the same 64 KiB), and each file goes to a temporary
    file of its own, encrypted as it is written (libsodium secretstream, XChaCha20-Poly1305, in
    records of S_RECORD bytes) under a key made for the request and held in memory only
    (sodium_malloc: locked, wiped when freed). The temporary file has no name (O_TMPFILE in
    IMVO_PORTAL_UPLOAD_DIR, default $TMPDIR or /tmp; else unlinked at once): it goes when it is
    closed, also when the portal dies, and what the disk held is ciphertext under a key that
    died with the process.

    Limits, while the body streams: S_FILE_MAX (10 MiB) a file and S_TOTAL_MAX (25 MiB) for the
    files of one request, at most S_MAX_FILES files, and the declared type among the ones
    complaints takes (complaints checks the bytes themselves, libmagic). Beyond a limit, the rest
    of the body is read and dropped, the files written so far are closed, and the form comes
    back naming the limit (413), with nothing filed. The files no file has been written for
    until the form's CSRF token came first in the body (the form puts it first): a foreign
    page's post writes nothing to disk. All requests together hold at most
    IMVO_PORTAL_UPLOAD_MAX_MB (1024) of temporary files; beyond that a form with files is
    refused as busy (503). A body of files takes longer to arrive than the portal's whole-request
    deadline (IMVO_PORTAL_REQUEST_S) allows a form: every S_RECORD bytes received move the
    deadline S_GRACE_MS on (portal_guard_extend), so an upload must keep above 32 KiB/s.

    Sending: the files of a complaint wait, with the intake entry's key, in a table of the
    process (S_KEPT batches) until its case exists. GET /received learns it (portal_wait.c) and
    waits, suspended, up to S_WAIT_MS more while the files go; a keeper thread asks the intake
    queue for batches whose /received never came (every S_KEEPER_MS; a batch whose case has not
    come within S_READY_MS is dropped). Each file goes to complaints by receipt as
    complaint.attach in parts of S_PART (512 KiB: the first `part: 0` with the name and type,
    the others with the `upload` it answered, the last with `last: true`; a file of one part in
    one call), each part one task on the portal's worker threads (portal_defer.c) that queues
    the next: a big upload does not hold a worker from the staff console's sign-ins for long.
    Then the temporary file is closed. The receipt page lists each file as received or not
    (and why). From the status page the files go at once by the receipt typed, the request
    suspended until they are sent.

    Memory: one record buffer a request while it streams, one part's buffer (and its message)
    a file being sent; neither grows with the size of a file (tests/bench_upload.py).

    The staff console's file forms (portal_evidence_staff: a company's locations CSV) stream the
    same way into one temporary file, field `file`, with their own types and limit, the console's
    CSRF token first (staff_csrf_early); the page reads the file back whole
    (portal_evidence_file), bounded by that limit.

    This file: the body streamed in (its fields, its files, the limits as they come);
    portal_evidence_disk.c the encrypted temporary files, portal_evidence_send.c the sending,
    the kept batches and the keeper, portal_evidence_page.c the words and the forms' parts;
    portal_evidence.h what they share.
*/
#include "portal_evidence.h"

#include <ctype.h>
#include <errno.h>

const char *const portal_evidence_types [] = {
    "image/jpeg", "image/png", "application/pdf", "text/plain", "audio/mpeg", "audio/ogg", "video/mp4", NULL
};

static void
s_refuse (portal_upload_t *up, portal_evidence_refusal_t why, const char *name)
{
    if (up->refused)
        return;
    up->refused = why;
    snprintf (up->refused_name, sizeof up->refused_name, "%s", name ? name : "");
    //  Nothing will be filed: the files written so far go at once.
    for (int i = 0; i < up->nfiles; i++)
        portal_evidence_close (&up->files [i]);
    up->writing = false;
}

static void
s_file_end (portal_upload_t *up)
{
    if (!up->writing)
        return;
    up->writing = false;
    if (!portal_evidence_flush (up, true))
        s_refuse (up, R_BUSY, NULL);
}

static bool
s_type_ok (const char *declared, char out [32])
{
    //  The browser's type for the file's extension, without parameters; a few other names.
    char t [64];
    snprintf (t, sizeof t, "%s", declared ? declared : "");
    char *semi = strchr (t, ';');
    if (semi)
        *semi = 0;
    for (char *p = t; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
    static const char *const aliases [][2] = {
        { "image/jpg", "image/jpeg" }, { "image/pjpeg", "image/jpeg" }, { "audio/mp3", "audio/mpeg" },
        { "application/ogg", "audio/ogg" }, { "application/x-pdf", "application/pdf" }, { NULL, NULL } };
    for (int i = 0; aliases [i][0]; i++)
        if (streq (t, aliases [i][0]))
            snprintf (t, sizeof t, "%s", aliases [i][1]);
    for (int i = 0; portal_evidence_types [i]; i++)
        if (streq (t, portal_evidence_types [i])) {
            snprintf (out, 32, "%.31s", t);
            return true;
        }
    return false;
}

//  A staff form's file: its declared type among the form's (lower case, without parameters).
static bool
s_staff_type_ok (const portal_staff_upload_t *staff, const char *declared, char out [32])
{
    char t [64];
    snprintf (t, sizeof t, "%s", declared ? declared : "");
    char *semi = strchr (t, ';');
    if (semi)
        *semi = 0;
    for (char *p = t; *p; p++)
        *p = (char) tolower ((unsigned char) *p);
    for (int i = 0; staff->types [i]; i++)
        if (streq (t, staff->types [i])) {
            snprintf (out, 32, "%.31s", t);
            return true;
        }
    return false;
}

//  A file's name as shown and sent: its last path component (old browsers send the path), no
//  control characters, at most what complaint.attach takes.
static void
s_file_name (const char *given, char *out, size_t size)
{
    const char *base = given;
    for (const char *p = given; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    long max = portal_max ("complaint.attach", "name");
    if (max <= 0 || (size_t) max >= size)
        max = (long) size - 1;
    size_t n = 0;
    for (const char *p = base; *p && n < (size_t) max; p++)
        out [n++] = (unsigned char) *p < 0x20 || *p == 0x7f ? '_' : *p;
    //  Not cut inside a UTF-8 sequence.
    while (n && ((unsigned char) out [n - 1] & 0xC0) == 0x80 && n < strlen (base))
        n--;
    if (n && ((unsigned char) out [n - 1] & 0xC0) == 0xC0 && n < strlen (base))
        n--;
    out [n] = 0;
    if (!n)
        snprintf (out, size, "file");
}

static void
s_file_begin (portal_upload_t *up, const char *filename, const char *content_type)
{
    char name [256];
    s_file_name (filename, name, sizeof name);
    if (up->nfiles == (up->staff ? 1 : S_MAX_FILES)) {
        s_refuse (up, R_COUNT, name);
        return;
    }
    char type [32];
    if (up->staff ? !s_staff_type_ok (up->staff, content_type, type) : !s_type_ok (content_type, type)) {
        s_refuse (up, R_TYPE, name);
        return;
    }
    if (!up->key) {
        up->key = sodium_malloc (crypto_secretstream_xchacha20poly1305_KEYBYTES);
        up->buf = malloc (S_PART);
        if (!up->key || !up->buf) {
            s_refuse (up, R_BUSY, NULL);
            return;
        }
        crypto_secretstream_xchacha20poly1305_keygen (up->key);
    }
    portal_evidence_file_t *f = &up->files [up->nfiles];
    memset (f, 0, sizeof *f);
    snprintf (f->name, sizeof f->name, "%s", name);
    snprintf (f->given, sizeof f->given, "%s", filename);
    snprintf (f->type, sizeof f->type, "%s", type);
    f->fd = portal_evidence_tempfile ();
    if (f->fd < 0) {
        zsys_warning ("evidence: cannot make a temporary file in %s: %s", portal_evidence_dir (), strerror (errno));
        s_refuse (up, R_BUSY, NULL);
        return;
    }
    up->nfiles++;
    up->writing = true;
    unsigned char header [S_HEADER];
    crypto_secretstream_xchacha20poly1305_init_push (&f->st, header, up->key);
    if (!portal_evidence_write (up, f, header, sizeof header))
        s_refuse (up, R_BUSY, NULL);
}

static void
s_file_data (portal_upload_t *up, const char *data, size_t size)
{
    portal_evidence_file_t *f = &up->files [up->nfiles - 1];
    if (f->size + size > (up->staff ? (uint64_t) up->staff->max : (uint64_t) S_FILE_MAX)) {
        s_refuse (up, R_FILE_MAX, f->name);
        return;
    }
    if (up->total + size > S_TOTAL_MAX) {
        s_refuse (up, R_TOTAL_MAX, NULL);
        return;
    }
    f->size += size;
    up->total += size;
    while (size) {
        size_t n = S_RECORD - up->fill < size ? S_RECORD - up->fill : size;
        memcpy (up->buf + up->fill, data, n);
        up->fill += n;
        data += n;
        size -= n;
        if (up->fill == S_RECORD && !portal_evidence_flush (up, false)) {
            s_refuse (up, R_BUSY, NULL);
            return;
        }
    }
}

static enum MHD_Result
s_iterate (void *cls, enum MHD_ValueKind kind, const char *key, const char *filename, const char *content_type,
           const char *transfer_encoding, const char *data, uint64_t off, size_t size)
{
    (void) kind, (void) transfer_encoding;
    portal_upload_t *up = cls;
    portal_req_t *r = up->r;
    if (filename) {
        if (!streq (key, up->staff ? "file" : "evidence"))
            return MHD_YES;             //  files in another field: not ours to keep
        if (off == 0) {
            portal_evidence_file_t *cur = up->writing ? &up->files [up->nfiles - 1] : NULL;
            //  A call without data may come before the file's data, at the same offset 0.
            char given [128];
            snprintf (given, sizeof given, "%s", filename);
            bool same = cur && cur->size == 0 && streq (cur->given, given);
            if (!same) {
                s_file_end (up);
                //  An empty file input sends a part without a name or content.
                if (!*filename && !size)
                    return MHD_YES;
                //  The form's CSRF token comes before its files: without it nothing is written
                //  (the route refuses the form with 403).
                if (!up->refused && !(up->staff ? staff_csrf_early (up->c, r) : portal_csrf_ok (up->c, r)))
                    up->refused = R_BROKEN;
                if (!up->refused)
                    s_file_begin (up, filename, content_type);
            }
        }
        if (!up->refused && up->writing && size)
            s_file_data (up, data, size);
        return MHD_YES;
    }
    //  Another field: as a urlencoded body's, within the same bound.
    s_file_end (up);
    up->field_bytes += size + strlen (key);
    if (up->field_bytes > S_FIELDS_MAX) {
        r->too_large = true;
        return MHD_YES;
    }
    if (off == 0 || r->nfields == 0 || !streq (r->names [r->nfields - 1], key)) {
        char *name = strdup (key), *value = strdup ("");
        assert (name && value);
        if (!portal_req_field (r, name, value))
            return MHD_YES;
    }
    char **v = &r->values [r->nfields - 1];
    size_t have = strlen (*v);
    *v = realloc (*v, have + size + 1);
    assert (*v);
    memcpy (*v + have, data, size);
    (*v) [have + size] = 0;
    //  A NUL would end the C string and cut the field short without a word: DEL instead, which
    //  the catalogue refuses in text, naming the field (as a urlencoded body's: portal_http.c).
    for (size_t i = have; i < have + size; i++)
        if ((*v) [i] == 0)
            (*v) [i] = 0x7f;
    return MHD_YES;
}

//  --- the request -----------------------------------------------------------------------------------

void
portal_evidence_begin (struct MHD_Connection *c, portal_req_t *r, const char *url)
{
    const char *type = MHD_lookup_connection_value (c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    const portal_staff_upload_t *staff = portal_evidence_staff (url);
    if (!type || strncasecmp (type, "multipart/form-data", 19) != 0
    ||  (!streq (url, "/submit") && !streq (url, "/status") && !staff))
        return;
    portal_upload_t *up = calloc (1, sizeof *up);
    assert (up);
    up->staff = staff;
    up->c = c;
    up->r = r;
    up->state = S_STREAMING;
    up->pp = MHD_create_post_processor (c, S_PP_BUFFER, s_iterate, up);
    if (!up->pp) {
        free (up);
        return;
    }
    r->upload = up;
}

bool
portal_evidence_feed (struct MHD_Connection *c, portal_req_t *r, const char *data, size_t size)
{
    portal_upload_t *up = r->upload;
    if (!up || up->state != S_STREAMING)
        return false;
    if (up->pp && MHD_post_process (up->pp, data, size) != MHD_YES && !up->refused)
        s_refuse (up, R_BROKEN, NULL);
    //  An upload that keeps coming keeps its connection (at 32 KiB/s or more).
    up->since_grace += size;
    while (up->since_grace >= S_RECORD) {
        up->since_grace -= S_RECORD;
        portal_guard_extend (c, S_GRACE_MS);
    }
    return true;
}

void
portal_evidence_end (portal_req_t *r)
{
    portal_upload_t *up = r->upload;
    if (!up || up->state != S_STREAMING)
        return;
    if (up->pp)
        MHD_destroy_post_processor (up->pp);
    up->pp = NULL;
    s_file_end (up);
    if (up->refused)
        for (int i = 0; i < up->nfiles; i++)
            portal_evidence_close (&up->files [i]);
    up->state = S_READY;
    up->since = zclock_mono ();
}

void
portal_evidence_free (portal_req_t *r)
{
    if (!r)
        return;
    portal_evidence_upload_free (r->upload);
    r->upload = NULL;
}

long
portal_evidence_file (portal_req_t *r, int i, char *out, size_t size, char name [256], char type [32])
{
    portal_upload_t *up = r ? r->upload : NULL;
    if (!up || up->refused || i < 0 || i >= up->nfiles || up->files [i].fd < 0 || up->files [i].size >= size)
        return -1;
    portal_evidence_file_t *f = &up->files [i];
    f->sent = f->offset = 0;
    while (f->sent < f->size) {
        long n = portal_evidence_read_part (up, f);
        if (n <= 0)
            return -1;
        memcpy (out + f->sent, up->buf, (size_t) n);
        sodium_memzero (up->buf, (size_t) n);
        f->sent += (uint64_t) n;
    }
    out [f->size] = 0;
    if (name)
        snprintf (name, 256, "%s", f->name);
    if (type)
        snprintf (type, 32, "%s", f->type);
    return (long) f->size;
}

int
portal_evidence_files (const portal_req_t *r)
{
    return r && r->upload && !r->upload->refused ? r->upload->nfiles : 0;
}

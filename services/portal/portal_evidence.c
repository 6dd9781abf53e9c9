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
    (portal_evidence_read), bounded by that limit.
*/
#include "portal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <microhttpd.h>
#include <sodium.h>

#define S_FILE_MAX (10L * 1024 * 1024)
#define S_TOTAL_MAX (25L * 1024 * 1024)
#define S_MAX_FILES 20
#define S_FIELDS_MAX (64 * 1024)          //  the form's other fields, as a urlencoded body
#define S_RECORD (64 * 1024)              //  plaintext bytes a secretstream record
#define S_PART (512 * 1024)               //  plaintext bytes a complaint.attach part
#define S_PP_BUFFER (16 * 1024)
#define S_GRACE_MS 2000
#define S_KEPT 256
#define S_KEEPER_MS 250
#define S_READY_MS (60LL * 60 * 1000)      //  a queued complaint's files wait this long for its case
#define S_DONE_MS (10LL * 60 * 1000)       //  a sent batch's outcome is kept this long for /received
#define S_WAIT_MS 20000                    //  /received waits this long for the files to go

#define S_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define S_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES

static const char *const s_types [] = {
    "image/jpeg", "image/png", "application/pdf", "text/plain", "audio/mpeg", "audio/ogg", "video/mp4", NULL
};

//  --- the page's words --------------------------------------------------------------------------

typedef enum {
    E_LABEL, E_HELP, E_FILE_MAX, E_TOTAL_MAX, E_TYPE, E_COUNT, E_BUSY, E_BROKEN, E_FILES, E_RECEIVED, E_NOT_RECEIVED,
    E_SENDING, E_BAD_CONTENT, E_ADD, E_SEND_FILES, E_AGAIN
} s_text_t;

static const char *const s_texts [] = {
    [E_LABEL] = N_("Photos or documents (optional)"),
    [E_HELP] = N_("JPEG, PNG, PDF, text, MP3, Ogg or MP4; up to 10 MiB a file and 25 MiB in all."),
    [E_FILE_MAX] = N_("The file %s is larger than 10 MiB, the limit for one file. Nothing was filed."),
    [E_TOTAL_MAX] = N_("Your files together are larger than 25 MiB, the limit for one complaint. Nothing was filed."),
    [E_TYPE] = N_("The file %s is not a JPEG, PNG, PDF, text, MP3, Ogg or MP4 file. Nothing was filed."),
    [E_COUNT] = N_("At most 20 files at once. Nothing was filed."),
    [E_BUSY] = N_("We cannot take files at the moment. Please try again later. Nothing was filed."),
    [E_BROKEN] = N_("The files did not arrive whole. Nothing was filed."),
    [E_FILES] = N_("Your files"),
    [E_RECEIVED] = N_("received"),
    [E_NOT_RECEIVED] = N_("not received"),
    [E_SENDING] = N_("still being sent"),
    [E_BAD_CONTENT] = N_("its content is not a JPEG, PNG, PDF, text, MP3, Ogg or MP4 file"),
    [E_ADD] = N_("Add photos or documents"),
    [E_SEND_FILES] = N_("Send the files"),
    [E_AGAIN] = N_("Please choose your files again."),
};

static const char *
s_t (portal_lang_t lang, s_text_t key)
{
    return portal_tr (lang, s_texts [key]);
}

//  --- a batch of files -------------------------------------------------------------------------

typedef enum { S_STREAMING, S_READY, S_SENDING, S_DONE } s_state_t;
typedef enum { R_NONE, R_FILE_MAX, R_TOTAL_MAX, R_TYPE, R_COUNT, R_BUSY, R_BROKEN } s_refusal_t;

typedef struct {
    char name [256], type [32];
    char given [128];               //  the name as the browser sent it (cut), to tell its parts
    int fd;                         //  the encrypted temporary file, -1 once closed
    uint64_t size;                  //  plaintext bytes
    uint64_t disk;                  //  bytes on disk (counted in s_disk)
    crypto_secretstream_xchacha20poly1305_state st;
    //  sending
    uint64_t sent, offset;          //  plaintext sent, the file's read offset
    int part;
    char upload [96];               //  complaint.attach's upload id, after part 0
    //  the outcome
    bool ok;
    char attachment_id [64];
    imvo_error_t err;
} s_file_t;

struct portal_upload_s {
    struct MHD_Connection *c;       //  the streaming request (its CSRF cookie)
    portal_req_t *r;
    struct MHD_PostProcessor *pp;
    unsigned char *key;             //  sodium_malloc: crypto_secretstream_xchacha20poly1305_KEYBYTES
    unsigned char *buf;             //  one record's plaintext, then one part's
    size_t fill;
    s_file_t files [S_MAX_FILES];
    int nfiles;
    bool writing;                   //  files [nfiles - 1] takes data
    uint64_t total;
    size_t field_bytes;
    uint64_t since_grace;
    s_refusal_t refused;
    char refused_name [256];
    const portal_staff_upload_t *staff;     //  a staff console form's file, or NULL
    //  after the body
    s_state_t state;
    char intake [33];               //  the intake entry's key (kept batches)
    char receipt [96];
    char id [33];                   //  for the parts' idempotency keys
    int64_t since;                  //  zclock_mono: ready, or done
    struct MHD_Connection *waiter;  //  suspended until the batch is done (or S_WAIT_MS)
    int64_t wait_until;
    int current;                    //  the file being sent
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static portal_upload_t *s_kept [S_KEPT];
static atomic_llong s_disk;
static long long s_disk_max = 1024LL * 1024 * 1024;
static char s_dir [256] = "/tmp";
static pthread_t s_thread;
static volatile bool s_stop;
static bool s_started;

static void
s_file_close (s_file_t *f)
{
    if (f->fd >= 0)
        close (f->fd);
    f->fd = -1;
    atomic_fetch_sub (&s_disk, (long long) f->disk);
    f->disk = 0;
    sodium_memzero (&f->st, sizeof f->st);
}

static void
s_upload_free (portal_upload_t *up)
{
    if (!up)
        return;
    if (up->pp)
        MHD_destroy_post_processor (up->pp);
    for (int i = 0; i < up->nfiles; i++)
        s_file_close (&up->files [i]);
    if (up->key)
        sodium_free (up->key);
    if (up->buf) {
        sodium_memzero (up->buf, S_PART);
        free (up->buf);
    }
    free (up);
}

static void
s_refuse (portal_upload_t *up, s_refusal_t why, const char *name)
{
    if (up->refused)
        return;
    up->refused = why;
    snprintf (up->refused_name, sizeof up->refused_name, "%s", name ? name : "");
    //  Nothing will be filed: the files written so far go at once.
    for (int i = 0; i < up->nfiles; i++)
        s_file_close (&up->files [i]);
    up->writing = false;
}

static bool
s_write_all (portal_upload_t *up, s_file_t *f, const unsigned char *data, size_t n)
{
    if (atomic_fetch_add (&s_disk, (long long) n) + (long long) n > s_disk_max) {
        atomic_fetch_sub (&s_disk, (long long) n);
        return false;
    }
    f->disk += n;
    while (n) {
        ssize_t w = write (f->fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            zsys_warning ("evidence: cannot write a temporary file in %s: %s", s_dir, strerror (errno));
            return false;
        }
        data += w;
        n -= (size_t) w;
    }
    (void) up;
    return true;
}

//  Encrypts the buffered plaintext as one record (the last with TAG_FINAL) and writes it.
static bool
s_flush (portal_upload_t *up, bool final)
{
    s_file_t *f = &up->files [up->nfiles - 1];
    unsigned char out [S_RECORD + S_ABYTES];
    crypto_secretstream_xchacha20poly1305_push (&f->st, out, NULL, up->buf, up->fill, NULL, 0,
                                                final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    bool ok = s_write_all (up, f, out, up->fill + S_ABYTES);
    sodium_memzero (up->buf, up->fill);
    up->fill = 0;
    return ok;
}

static void
s_file_end (portal_upload_t *up)
{
    if (!up->writing)
        return;
    up->writing = false;
    if (!s_flush (up, true))
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
    for (int i = 0; s_types [i]; i++)
        if (streq (t, s_types [i])) {
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

static int
s_tempfile (void)
{
    int fd = -1;
#ifdef O_TMPFILE
    fd = open (s_dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    char path [300];
    snprintf (path, sizeof path, "%s/imvo-evidence-XXXXXX", s_dir);
    fd = mkostemp (path, O_CLOEXEC);
    if (fd >= 0)
        unlink (path);
    return fd;
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
    s_file_t *f = &up->files [up->nfiles];
    memset (f, 0, sizeof *f);
    snprintf (f->name, sizeof f->name, "%s", name);
    snprintf (f->given, sizeof f->given, "%s", filename);
    snprintf (f->type, sizeof f->type, "%s", type);
    f->fd = s_tempfile ();
    if (f->fd < 0) {
        zsys_warning ("evidence: cannot make a temporary file in %s: %s", s_dir, strerror (errno));
        s_refuse (up, R_BUSY, NULL);
        return;
    }
    up->nfiles++;
    up->writing = true;
    unsigned char header [S_HEADER];
    crypto_secretstream_xchacha20poly1305_init_push (&f->st, header, up->key);
    if (!s_write_all (up, f, header, sizeof header))
        s_refuse (up, R_BUSY, NULL);
}

static void
s_file_data (portal_upload_t *up, const char *data, size_t size)
{
    s_file_t *f = &up->files [up->nfiles - 1];
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
        if (up->fill == S_RECORD && !s_flush (up, false)) {
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
            s_file_t *cur = up->writing ? &up->files [up->nfiles - 1] : NULL;
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
        if (r->nfields == PORTAL_MAX_FIELDS)
            return MHD_YES;
        r->names [r->nfields] = strdup (key);
        r->values [r->nfields] = strdup ("");
        assert (r->names [r->nfields] && r->values [r->nfields]);
        r->nfields++;
    }
    char **v = &r->values [r->nfields - 1];
    size_t have = strlen (*v);
    *v = realloc (*v, have + size + 1);
    assert (*v);
    memcpy (*v + have, data, size);
    (*v) [have + size] = 0;
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
            s_file_close (&up->files [i]);
    up->state = S_READY;
    up->since = zclock_mono ();
}

void
portal_evidence_free (portal_req_t *r)
{
    if (!r)
        return;
    s_upload_free (r->upload);
    r->upload = NULL;
}

static long s_read_part (portal_upload_t *up, s_file_t *f);

long
portal_evidence_file (portal_req_t *r, int i, char *out, size_t size, char name [256], char type [32])
{
    portal_upload_t *up = r ? r->upload : NULL;
    if (!up || up->refused || i < 0 || i >= up->nfiles || up->files [i].fd < 0 || up->files [i].size >= size)
        return -1;
    s_file_t *f = &up->files [i];
    f->sent = f->offset = 0;
    while (f->sent < f->size) {
        long n = s_read_part (up, f);
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

unsigned
portal_evidence_refusal (const portal_req_t *r, portal_lang_t lang, char *error, size_t size)
{
    const portal_upload_t *up = r ? r->upload : NULL;
    if (!up || !up->refused)
        return 0;
    char text [600];
    const char *fmt = s_t (lang, up->refused == R_FILE_MAX ? E_FILE_MAX : up->refused == R_TOTAL_MAX ? E_TOTAL_MAX
                                  : up->refused == R_TYPE ? E_TYPE : up->refused == R_COUNT ? E_COUNT
                                  : up->refused == R_BUSY ? E_BUSY : E_BROKEN);
    //  The formats are ours and take the file's name (or nothing) once.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf (text, sizeof text, fmt, up->refused_name);
#pragma GCC diagnostic pop
    snprintf (error, size, "%s %s", text, s_t (lang, E_AGAIN));
    return up->refused == R_FILE_MAX || up->refused == R_TOTAL_MAX ? MHD_HTTP_CONTENT_TOO_LARGE
         : up->refused == R_BUSY ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_BAD_REQUEST;
}

//  --- the form's parts -------------------------------------------------------------------------------

void
portal_evidence_input (portal_buf_t *b, portal_lang_t lang)
{
    portal_buf_add (b, "<label for=\"evidence\">%s</label><input type=\"file\" id=\"evidence\" name=\"evidence\" "
                       "multiple accept=\"", s_t (lang, E_LABEL));
    for (int i = 0; s_types [i]; i++)
        portal_buf_add (b, "%s%s", i ? "," : "", s_types [i]);
    portal_buf_add (b, "\" aria-describedby=\"evidence-help\"><p class=\"help\" id=\"evidence-help\">%s</p>",
                    s_t (lang, E_HELP));
}

void
portal_evidence_status_form (portal_buf_t *b, portal_lang_t lang, const char *token, const char *receipt)
{
    //  Its action names the language: a form of its own beside the message's.
    portal_buf_add (b, "<h2>%s</h2><form method=\"post\" action=\"/status?lang=%s\" enctype=\"multipart/form-data\">",
                    s_t (lang, E_ADD), portal_lang_code (lang));
    portal_hidden (b, "csrf", token);
    portal_hidden (b, "receipt", receipt);
    portal_hidden (b, "lang", portal_lang_code (lang));
    portal_buf_add (b, "<label for=\"evidence\">%s</label><input type=\"file\" id=\"evidence\" name=\"evidence\" "
                       "multiple required accept=\"", s_t (lang, E_FILES));
    for (int i = 0; s_types [i]; i++)
        portal_buf_add (b, "%s%s", i ? "," : "", s_types [i]);
    portal_buf_add (b, "\" aria-describedby=\"evidence-help\"><p class=\"help\" id=\"evidence-help\">%s</p>"
                       "<button type=\"submit\">%s</button></form>", s_t (lang, E_HELP), s_t (lang, E_SEND_FILES));
}

//  The outcome of each file, as a list.
static void
s_report (portal_buf_t *b, portal_lang_t lang, const portal_upload_t *up)
{
    if (!up->nfiles)
        return;
    portal_buf_add (b, "<h2>%s</h2><ul class=\"files\" id=\"files\">", s_t (lang, E_FILES));
    for (int i = 0; i < up->nfiles; i++) {
        const s_file_t *f = &up->files [i];
        bool pending = up->state != S_DONE && !f->ok && !f->err.code;
        portal_buf_add (b, "<li data-outcome=\"%s\">", f->ok ? "received" : pending ? "sending" : "refused");
        portal_buf_str (b, f->name);
        if (f->ok || pending)
            portal_buf_add (b, ": %s</li>", s_t (lang, f->ok ? E_RECEIVED : E_SENDING));
        else {
            portal_buf_add (b, ": %s (", s_t (lang, E_NOT_RECEIVED));
            if (f->err.code == IMVO_ERR_INVALID_ARGUMENT && streq (f->err.field, "content_type"))
                portal_buf_str (b, s_t (lang, E_BAD_CONTENT));
            else
                portal_buf_str (b, f->err.message);
            portal_buf_add (b, ")</li>");
        }
    }
    portal_buf_add (b, "</ul>");
}

//  --- sending ---------------------------------------------------------------------------------------

static void s_send_part (void *arg);

//  Done: the temporary files are closed, a waiting page resumes (under s_lock).
static void
s_done (portal_upload_t *up)
{
    for (int i = 0; i < up->nfiles; i++)
        s_file_close (&up->files [i]);
    up->state = S_DONE;
    up->since = zclock_mono ();
    if (up->waiter) {
        MHD_resume_connection (up->waiter);
        up->waiter = NULL;
    }
}

//  Up to S_PART plaintext bytes of file f from its offset into up->buf: their number, or -1
//  when the file does not read back (then f->err says so).
static long
s_read_part (portal_upload_t *up, s_file_t *f)
{
    size_t got = 0;
    unsigned char in [S_RECORD + S_ABYTES];
    if (f->offset == 0) {
        unsigned char header [S_HEADER];
        if (pread (f->fd, header, sizeof header, 0) != (ssize_t) sizeof header
        ||  crypto_secretstream_xchacha20poly1305_init_pull (&f->st, header, up->key) != 0)
            return -1;
        f->offset = sizeof header;
    }
    while (got < S_PART && f->sent + got < f->size) {
        uint64_t left = f->size - f->sent - got;
        size_t plain = left < S_RECORD ? (size_t) left : S_RECORD;
        size_t want = plain + S_ABYTES;
        unsigned long long n = 0;
        unsigned char tag = 0;
        if (pread (f->fd, in, want, (off_t) f->offset) != (ssize_t) want
        ||  crypto_secretstream_xchacha20poly1305_pull (&f->st, up->buf + got, &n, &tag, in, want, NULL, 0) != 0
        ||  n != plain)
            return -1;
        f->offset += want;
        got += plain;
    }
    return (long) got;
}

//  complaint.attach's body for the part in up->buf (n bytes).
static void
s_part_body (portal_upload_t *up, s_file_t *f, size_t n, bool last, msgpack_sbuffer *out)
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
    s_file_t *f = &up->files [up->current];
    long n = s_read_part (up, f);
    if (n < 0) {
        pthread_mutex_lock (&s_lock);
        imvo_error_set (&f->err, IMVO_ERR_INTERNAL, "", "the file could not be read back");
        s_file_close (f);
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
                s_file_close (f);
            }
        }
        else {
            f->err = resp.err;
            if (!f->err.code)
                imvo_error_set (&f->err, IMVO_ERR_UNAVAILABLE, "", "complaints did not answer");
            s_file_close (f);
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
                s_file_close (&up->files [i]);
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
        s_upload_free (up);
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
            s_upload_free (s_kept [i]);
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
            s_report (b, lang, s_kept [i]);
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
                s_upload_free (up);
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
                    s_upload_free (up);
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
        portal_buf_add (b, "<p class=\"error\" role=\"alert\">%s</p>", s_t (lang, E_BUSY));
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        return false;
    }
    //  A wrong receipt is the page's to tell (and count).
    bool wrong = false;
    for (int i = 0; i < up->nfiles; i++)
        wrong |= up->files [i].err.code == IMVO_ERR_NOT_FOUND;
    if (!wrong)
        s_report (b, lang, up);
    return false;
}

//  --- start and stop -------------------------------------------------------------------------------------

int
portal_evidence_start (void)
{
    const char *dir = imvo_env ("IMVO_PORTAL_UPLOAD_DIR", imvo_env ("TMPDIR", "/tmp"));
    snprintf (s_dir, sizeof s_dir, "%s", dir);
    s_disk_max = imvo_env_long ("IMVO_PORTAL_UPLOAD_MAX_MB", 1024, 30, 1L << 20) * 1024 * 1024;
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
            s_upload_free (s_kept [i]);
            s_kept [i] = NULL;
        }
    pthread_mutex_unlock (&s_lock);
    s_started = false;
}

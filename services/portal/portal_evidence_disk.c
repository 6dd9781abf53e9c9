/*  portal_evidence_disk: the temporary files a complaint's files (and a staff form's file)
    stream into: made without a name, written encrypted a record at a time under the request's
    key (libsodium secretstream), read back a part at a time, and counted against
    IMVO_PORTAL_UPLOAD_MAX_MB for all requests together (portal_evidence.c says why). */
#include "portal_evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <unistd.h>

static atomic_llong s_disk;
static long long s_disk_max = 1024LL * 1024 * 1024;
static char s_dir [256] = "/tmp";

void
portal_evidence_configure (void)
{
    const char *dir = imvo_env ("IMVO_PORTAL_UPLOAD_DIR", imvo_env ("TMPDIR", "/tmp"));
    snprintf (s_dir, sizeof s_dir, "%s", dir);
    s_disk_max = imvo_env_long ("IMVO_PORTAL_UPLOAD_MAX_MB", 1024, 30, 1L << 20) * 1024 * 1024;
}

const char *
portal_evidence_dir (void)
{
    return s_dir;
}

int
portal_evidence_tempfile (void)
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

void
portal_evidence_close (portal_evidence_file_t *f)
{
    if (f->fd >= 0)
        close (f->fd);
    f->fd = -1;
    atomic_fetch_sub (&s_disk, (long long) f->disk);
    f->disk = 0;
    sodium_memzero (&f->st, sizeof f->st);
}

void
portal_evidence_upload_free (portal_upload_t *up)
{
    if (!up)
        return;
    if (up->pp)
        MHD_destroy_post_processor (up->pp);
    for (int i = 0; i < up->nfiles; i++)
        portal_evidence_close (&up->files [i]);
    if (up->key)
        sodium_free (up->key);
    if (up->buf) {
        sodium_memzero (up->buf, S_PART);
        free (up->buf);
    }
    free (up);
}

bool
portal_evidence_write (portal_upload_t *up, portal_evidence_file_t *f, const unsigned char *data, size_t n)
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

bool
portal_evidence_flush (portal_upload_t *up, bool final)
{
    portal_evidence_file_t *f = &up->files [up->nfiles - 1];
    unsigned char out [S_RECORD + S_ABYTES];
    crypto_secretstream_xchacha20poly1305_push (&f->st, out, NULL, up->buf, up->fill, NULL, 0,
                                                final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    bool ok = portal_evidence_write (up, f, out, up->fill + S_ABYTES);
    sodium_memzero (up->buf, up->fill);
    up->fill = 0;
    return ok;
}

long
portal_evidence_read_part (portal_upload_t *up, portal_evidence_file_t *f)
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

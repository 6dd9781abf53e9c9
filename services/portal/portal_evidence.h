/*  portal_evidence.h: what the files of a complaint's forms share between their four files, and
    nothing the rest of the portal uses (portal.h has the portal_evidence_* it calls):
    portal_evidence.c: the body streamed in, its fields and files, and the limits;
    portal_evidence_disk.c: the encrypted temporary files (written, read back, counted);
    portal_evidence_send.c: the files sent to complaints by receipt, kept until their case
    exists, the keeper thread, start and stop;
    portal_evidence_page.c: the pages' words, the forms' file inputs and the list of outcomes.
    How and why: portal_evidence.c's opening comment. */
#ifndef PORTAL_EVIDENCE_H
#define PORTAL_EVIDENCE_H

#include "portal.h"

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

//  The declared types complaints takes (NULL-terminated).
extern const char *const portal_evidence_types [];

//  --- the page's words --------------------------------------------------------------------------

typedef enum {
    E_LABEL, E_HELP, E_FILE_MAX, E_TOTAL_MAX, E_TYPE, E_COUNT, E_BUSY, E_BROKEN, E_FILES, E_RECEIVED, E_NOT_RECEIVED,
    E_SENDING, E_BAD_CONTENT, E_ADD, E_SEND_FILES, E_AGAIN
} portal_evidence_text_t;

const char *portal_evidence_word (portal_lang_t lang, portal_evidence_text_t key);

//  --- a batch of files -------------------------------------------------------------------------

typedef enum { S_STREAMING, S_READY, S_SENDING, S_DONE } portal_evidence_state_t;
typedef enum { R_NONE, R_FILE_MAX, R_TOTAL_MAX, R_TYPE, R_COUNT, R_BUSY, R_BROKEN } portal_evidence_refusal_t;

typedef struct {
    char name [256], type [32];
    char given [128];               //  the name as the browser sent it (cut), to tell its parts
    int fd;                         //  the encrypted temporary file, -1 once closed
    uint64_t size;                  //  plaintext bytes
    uint64_t disk;                  //  bytes on disk (counted in portal_evidence_disk.c)
    crypto_secretstream_xchacha20poly1305_state st;
    //  sending
    uint64_t sent, offset;          //  plaintext sent, the file's read offset
    int part;
    char upload [96];               //  complaint.attach's upload id, after part 0
    //  the outcome
    bool ok;
    char attachment_id [64];
    imvo_error_t err;
} portal_evidence_file_t;

struct portal_upload_s {
    struct MHD_Connection *c;       //  the streaming request (its CSRF cookie)
    portal_req_t *r;
    struct MHD_PostProcessor *pp;
    unsigned char *key;             //  sodium_malloc: crypto_secretstream_xchacha20poly1305_KEYBYTES
    unsigned char *buf;             //  one record's plaintext, then one part's
    size_t fill;
    portal_evidence_file_t files [S_MAX_FILES];
    int nfiles;
    bool writing;                   //  files [nfiles - 1] takes data
    uint64_t total;
    size_t field_bytes;
    uint64_t since_grace;
    portal_evidence_refusal_t refused;
    char refused_name [256];
    const portal_staff_upload_t *staff;     //  a staff console form's file, or NULL
    //  after the body
    portal_evidence_state_t state;
    char intake [33];               //  the intake entry's key (kept batches)
    char receipt [96];
    char id [33];                   //  for the parts' idempotency keys
    int64_t since;                  //  zclock_mono: ready, or done
    struct MHD_Connection *waiter;  //  suspended until the batch is done (or S_WAIT_MS)
    int64_t wait_until;
    int current;                    //  the file being sent
};

//  portal_evidence_disk.c. Reads IMVO_PORTAL_UPLOAD_DIR and IMVO_PORTAL_UPLOAD_MAX_MB (at start).
void portal_evidence_configure (void);
//  A temporary file without a name (O_TMPFILE, else unlinked at once), or -1.
int portal_evidence_tempfile (void);
//  The directory of the temporary files (for the log).
const char *portal_evidence_dir (void);
//  Closes f's temporary file (no more counted) and wipes its stream state.
void portal_evidence_close (portal_evidence_file_t *f);
void portal_evidence_upload_free (portal_upload_t *up);
//  n bytes to f's temporary file, within the bound of all the temporary files: false when not.
bool portal_evidence_write (portal_upload_t *up, portal_evidence_file_t *f, const unsigned char *data, size_t n);
//  Encrypts the buffered plaintext as one record of the file being written (the last with
//  TAG_FINAL) and writes it: false when it cannot.
bool portal_evidence_flush (portal_upload_t *up, bool final);
//  Up to S_PART plaintext bytes of file f from its offset into up->buf: their number, or -1
//  when the file does not read back (then f->err says so).
long portal_evidence_read_part (portal_upload_t *up, portal_evidence_file_t *f);

//  portal_evidence_page.c: the outcome of each of up's files, as a list.
void portal_evidence_list (portal_buf_t *b, portal_lang_t lang, const portal_upload_t *up);

#endif

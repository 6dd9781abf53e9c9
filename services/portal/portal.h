/*  portal: the web page where a worker files a complaint and follows it, the public decisions
    and production locations, and the operators' /metrics. An HTTP front end (libmicrohttpd) to
    the other daemons and nothing more: it holds no state of its own, files complaints through
    the intake queue (as the Redis user `intake`) and speaks the protocol (proto/README.md) to the daemons with its
    own certificate, of role gateway: as itself for the public pages (a gateway that limits its
    own users), and for the person signed in to the staff console (staff_*.c).

    portal_server.c: the HTTP server; portal_http.c: a request's fields and the responses;
    portal_complaint.c and portal_public.c: the pages;
    portal_wait.c: waiting for the intake queue without holding an HTTP thread;
    portal_html.c: the texts (English, translated through gettext: po/imvo-portal), the menu of
    languages and the escaping page buffer;
    portal_metrics.c: /metrics.
*/
#ifndef PORTAL_H
#define PORTAL_H

#include "imvo_client.h"
#include "imvo_config.h"
#include "imvo_i18n.h"
#include "imvo_msg.h"
#include "imvo_proto.h"
#include "imvo_redis.h"

#include <czmq.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

//  The languages, in imvo_lang_codes' order (imvo_i18n.h).
typedef enum {
    PORTAL_NL = 0, PORTAL_EN = 1, PORTAL_FR, PORTAL_ES, PORTAL_BN, PORTAL_HI, PORTAL_ZH, PORTAL_TR, PORTAL_VI
} portal_lang_t;
#define PORTAL_LANGS IMVO_LANGS
//  The portal's text domain: po/imvo-portal/<lang>.po.
#define PORTAL_DOMAIN "imvo-portal"

typedef enum {
    T_TITLE, T_INTRO, T_COVENANT, T_CHOOSE, T_COMPANY, T_COMPANY_HELP, T_SUMMARY, T_DESCRIPTION, T_PLACE,
    T_COUNTRY, T_WHO, T_ANONYMOUS, T_NAMED, T_NAME, T_CONTACT, T_SHARE, T_SUBMIT, T_RECEIPT_TITLE,
    T_RECEIPT_KEEP, T_NEXT, T_FOLLOW, T_RECEIPT, T_SHOW, T_STATUS, T_HISTORY, T_MESSAGES, T_NO_MESSAGES,
    T_SEND, T_MESSAGE, T_SENT, T_WRONG_RECEIPT, T_TOO_MANY, T_MISSING, T_NO_COMPANY, T_PENDING, T_REFRESH,
    T_FAILED, T_UNAVAILABLE, T_EXPIRED, T_DECISIONS, T_NO_DECISIONS, T_LOCATIONS, T_SEARCH, T_DOWNLOAD,
    T_NOT_FOUND, T_LANG_OTHER, T_CHECK
} portal_text_t;

const char *portal_t (portal_lang_t lang, portal_text_t key);
//  msgid (English, marked N_ or written in the call) in lang, through gettext (imvo_i18n.h).
const char *portal_tr (portal_lang_t lang, const char *msgid) __attribute__ ((format_arg (2)));
//  A language's code ("nl").
const char *portal_lang_code (portal_lang_t lang);
//  The page's language: chosen (?lang= or the form's lang) when it is one of ours, else the
//  Accept-Language header's preference, else Dutch.
portal_lang_t portal_lang_choose (const char *chosen, const char *accept);
const char *portal_status_words (portal_lang_t lang, const char *status);
const char *portal_who (portal_lang_t lang, const char *role);
//  How a published case ended, in words (portal_public.c): conclusion decided (with its outcome),
//  settled or inadmissible.
const char *portal_conclusion (portal_lang_t lang, const char *conclusion, const char *outcome);
//  A covenant's name (a map of covenant.list or covenant.get) in lang: name_nl on Dutch pages
//  when it has one, else name.
const msgpack_object *portal_covenant_name (portal_lang_t lang, const msgpack_object *covenant);

typedef struct {
    char *data;
    size_t len, cap;
} portal_buf_t;

void portal_buf_init (portal_buf_t *b);
void portal_buf_raw (portal_buf_t *b, const char *s, size_t n);
void portal_buf_add (portal_buf_t *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void portal_buf_text (portal_buf_t *b, const char *s, size_t n);
void portal_buf_str (portal_buf_t *b, const char *s);
void portal_buf_obj (portal_buf_t *b, const msgpack_object *o);
void portal_buf_release (portal_buf_t *b);
//  here: the page's own address without lang (a path, with its query or not, or "" for the
//  same page), for the menu of languages, each a link to here in that language.
void portal_page_start (portal_buf_t *b, portal_lang_t lang, const char *title, const char *here);
void portal_page_end (portal_buf_t *b);
extern const char portal_css [];

//  One request to a daemon as the portal (its certificate; without CURVE the actor `service`),
//  on the calling HTTP thread's own long-lived client of that daemon: 1500 ms, 2 attempts.
//  0 with resp filled (resp->ok may be false), or -1 when the daemon did not answer.
//  portal_guard.c: the watchdog that shuts a connection whose request has not arrived whole
//  within request_ms (start: 0 or -1), libmicrohttpd's connection callback that tells it of
//  connections, and the mark of a request whole (answering) or done (the next one's clock).
int portal_guard_start (int64_t request_ms);
void portal_guard_stop (void);
void portal_guard_connection (void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code);
void portal_guard_mark (struct MHD_Connection *c, bool whole);
//  Moves the deadline of the request on c ms later, but never past now + its allowance (an
//  upload that keeps coming keeps its connection).
void portal_guard_extend (struct MHD_Connection *c, int64_t ms);

//  portal_clients.c: once at start (before the HTTP threads), and at the end.
void portal_clients_init (void);
void portal_clients_destroy (void);
int portal_call (const char *service, const char *type, const char *body, size_t size, imvo_response_t *resp);
//  As portal_call, for the person signed in to the staff console: the envelope's actor is
//  {role, org, person} of the session (with CURVE the portal's certificate is of role gateway,
//  so that actor stands; proto/README.md, "Roles").
typedef struct {
    char role [33], org [65], person [65];
} portal_actor_t;
int portal_call_as (const char *service, const char *type, const char *body, size_t size, const portal_actor_t *actor,
                    imvo_response_t *resp);
//  As portal_call, with its own timeout per attempt and number of attempts.
int portal_call_within (const char *service, const char *type, const char *body, size_t size, int timeout_ms,
                        int attempts, imvo_response_t *resp);
//  As portal_call, for public lists (covenants, a covenant's members): a reply the process got
//  less than ttl_ms ago for the same request serves again, without asking.
int portal_call_cached (const char *service, const char *type, const char *body, size_t size, int ttl_ms,
                        imvo_response_t *resp);
//  The calling HTTP thread's connection to the intake queue (NULL without a redis:// URL).
imvo_redis_t *portal_redis (void);
//  The catalogue's check of a request body (imvo_proto_validate, as the daemon runs it) before
//  the portal sends or queues it: 0, or -1 with err (its field names the offending one).
int portal_check (const char *type, const char *body, size_t size, imvo_error_t *err);
//  The catalogue's bound on a request field (a string's length in bytes): the forms' maxlength
//  comes from here, never from a number of the portal's own.
long portal_max (const char *type, const char *field);

//  --- portal_server.c and portal_http.c: requests, responses, CSRF, limits (the HTTP threads
//  share the per-address tables, the kept lists and the open connections, each under its lock) ---

//  A form's fields read at most (the arrays grow as they are read): the meetings page posts one a
//  member and one a party, and a 64 KiB body holds no more than this of any use.
#define PORTAL_MAX_FIELDS 4096
#define PORTAL_MAX_JOBS 4

typedef struct portal_job_s portal_job_t;
typedef struct portal_upload_s portal_upload_t;

//  A request in progress: its POST body and, parsed, its form fields.
typedef struct {
    char *body;
    size_t size;
    bool begun;                 //  the handler saw its headers
    bool too_large;
    unsigned refuse;            //  an HTTP status to answer at once (too many query parameters), or 0
    bool waited;                //  GET /received was suspended and resumed with the outcome below
    char state [16];            //  the intake entry's: pending, done or failed
    char receipt [96];          //  when done (kept 24 hours)
    char error [300];           //  when failed
    char **names, **values;     //  the form fields, nfields of them (room for cap)
    int nfields, cap;
    bool parsed;                //  the form fields above are read (once: a resumed request comes again)
    portal_job_t *jobs [PORTAL_MAX_JOBS];   //  its requests made on a worker (portal_defer.c), in order
    int njobs;
    portal_upload_t *upload;    //  a multipart/form-data body's files (portal_evidence.c), or NULL
} portal_req_t;

//  A form field, trimmed, or "" when absent (r may be NULL).
const char *portal_field (portal_req_t *r, const char *name);
//  A urlencoded body (r->body) into r's form fields; the end of a request (all it holds freed).
void portal_req_parse (portal_req_t *r);
//  A form field added (name and value malloc'ed, r's from now on); false (both freed) when r holds
//  PORTAL_MAX_FIELDS already.
bool portal_req_field (portal_req_t *r, char *name, char *value);
void portal_req_free (portal_req_t *r);

struct MHD_Connection;
//  Sends data with the portal's security headers (and a Set-Cookie when cookie); an HTML page
//  from b, which it releases.
enum MHD_Result portal_send (struct MHD_Connection *c, unsigned status, const char *type, const char *data,
                             size_t size, const char *cookie);
enum MHD_Result portal_page (struct MHD_Connection *c, unsigned status, portal_buf_t *b, const char *cookie);
//  As portal_send, as a download named filename (Content-Disposition: attachment) when not NULL.
enum MHD_Result portal_send_file (struct MHD_Connection *c, unsigned status, const char *type, const char *data,
                                  size_t size, const char *cookie, const char *filename);
//  As portal_send_file, for a response made by the caller (a stream: MHD_create_response_from_callback),
//  which it queues and releases (NULL: MHD_NO).
enum MHD_Result portal_respond (struct MHD_Connection *c, unsigned status, struct MHD_Response *resp, const char *type,
                                const char *cookie, const char *filename);
//  303 See Other to location (a path of ours), with a Set-Cookie when cookie.
enum MHD_Result portal_redirect (struct MHD_Connection *c, const char *location, const char *cookie);

//  CSRF: the browser's csrf cookie (or a new one, *set then the Set-Cookie header), the form's
//  token for it, and whether a posted form carries the right one.
void portal_csrf_cookie (struct MHD_Connection *c, char cookie [33], char set [128]);
void portal_csrf_token (const char *cookie, char hex [65]);
bool portal_csrf_ok (struct MHD_Connection *c, portal_req_t *r);
void portal_hidden (portal_buf_t *b, const char *name, const char *value);

//  Per client address: fewer than max events in the window (counted when count).
typedef struct {
    char addr [64];
    int64_t window_start;
    int count;
} portal_limit_t;
extern portal_limit_t portal_submits [1024], portal_misses [1024];
bool portal_allowed (portal_limit_t *table, const char *addr, int max, int64_t window_ms, bool count);

//  A request to a daemon with a body of fields given by spec, one letter per field: 's' a
//  string, 'i' an int64_t, each after its name: portal_ask (&resp, "complaints",
//  "complaint.status", "s", "receipt", receipt). As portal_call.
int portal_ask (imvo_response_t *resp, const char *service, const char *type, const char *spec, ...);

//  --- the pages -------------------------------------------------------------------------------

//  A covenant's current members (member.list, public: the same for every visitor), as kept
//  for a second (portal_call_cached) or fresh; 0 when resp holds them. The form's company list
//  and the console's names and respondent choice.
int portal_members (const char *covenant, bool fresh, imvo_response_t *resp);

//  portal_defer.c: requests to the daemons made on the portal's worker threads while the
//  connection waits suspended (sign-in, the console's writes with their idempotency key, the
//  export's pages); see there why.
int portal_defer_start (void);
//  Finishes what is queued (every suspended connection is resumed), then stops the workers.
void portal_defer_stop (void);
//  Suspends c and asks service for type with body on a worker, as actor when not NULL (else as
//  the portal), with the idempotency key when not NULL; when it has answered, the connection
//  resumes and libmicrohttpd calls the handler again, which finds the job in r->jobs (in the
//  order asked; portal_job_result). false when it cannot (too many waiting, stopping): then
//  ask with portal_ask_now.
bool portal_defer (struct MHD_Connection *c, portal_req_t *r, const char *service, const char *type, const char *key,
                   const char *body, size_t size, const portal_actor_t *actor);
//  The same request at once, on the calling thread (kept in r->jobs too when r is not NULL).
int portal_ask_now (portal_req_t *r, const char *service, const char *type, const char *key, const char *body,
                    size_t size, const portal_actor_t *actor, imvo_response_t *resp);
//  A job's rc and a copy of its reply (release it); the job keeps its own.
int portal_job_result (const portal_job_t *job, imvo_response_t *resp);
bool portal_job_done (const portal_job_t *job);
void portal_job_free (portal_job_t *job);
//  Runs fn (arg) on a worker thread; false when stopping or too many wait.
bool portal_defer_run (void (*fn) (void *), void *arg);
//  A request on the calling thread's own client of service (the workers'): as portal_call_as,
//  with key as the envelope's idempotency key when not NULL; actor NULL or without a role: as
//  the portal.
int portal_worker_call (const char *service, const char *type, const char *key, const char *body, size_t size,
                        const portal_actor_t *actor, imvo_response_t *resp);
//  portal_defer_kept.c: as portal_worker_call (key "" for none), but an account.* message with a
//  key gives the outcome the portal kept for the same type, key and body; and, at stop, the
//  kept outcomes wiped.
int portal_defer_kept (const char *service, const char *type, const char *key, const char *body, size_t size,
                       const portal_actor_t *actor, imvo_response_t *resp);
void portal_defer_kept_clear (void);

//  portal_complaint.c
//  The form; with an error the page says it (status 400, or the status given when not 0).
enum MHD_Result portal_form (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *covenant,
                             const char *error, unsigned status);
enum MHD_Result portal_submit (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *addr);
//  GET /received: the complaint just queued (its key in a cookie), the receipt once it is filed.
enum MHD_Result portal_received (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang);

//  portal_wait.c: GET /received waits for the intake queue without holding an HTTP thread.
int portal_wait_start (void);
//  Resumes every waiting request (libmicrohttpd must not stop with one suspended).
void portal_wait_stop (void);
//  Suspends c until the intake entry with key is no longer pending or IMVO_PORTAL_WAIT_MS
//  passed; then r->waited and its outcome are set and libmicrohttpd calls the handler again.
//  false when it cannot wait (too many waiting, stopping, or IMVO_PORTAL_WAIT_MS=0).
bool portal_wait (struct MHD_Connection *c, portal_req_t *r, const char *key);
//  complaint.intake_result for key, asked once: state pending (also when complaints does not
//  answer within timeout_ms), done with the receipt ("" after 24 hours), or failed with the error.
void portal_intake_outcome (const char *key, int timeout_ms, char state [16], char receipt [96], char error [300]);
enum MHD_Result portal_status (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *addr,
                               bool post);
//  portal_public.c
bool portal_code_ok (const char *s);
enum MHD_Result portal_not_found (struct MHD_Connection *c, portal_lang_t lang);
enum MHD_Result portal_decisions (struct MHD_Connection *c, portal_lang_t lang, const char *covenant);
enum MHD_Result portal_locations (struct MHD_Connection *c, portal_lang_t lang, const char *covenant,
                                  const char *year_text);

//  portal_evidence.c: files with the form and from the status page (multipart/form-data, field
//  evidence): streamed into encrypted temporary files (portal_evidence_disk.c), sent to
//  complaints by receipt in parts (portal_evidence_send.c); portal_evidence_page.c the pages'
//  parts; portal_evidence.h what those files share.
int portal_evidence_start (void);
//  After portal_defer_stop: nothing sends any more; the kept files go.
void portal_evidence_stop (void);
//  The request's body, when it is multipart/form-data to /submit or /status: begin at its
//  headers, feed each piece (true when it took it), end when it is whole, free with the request.
void portal_evidence_begin (struct MHD_Connection *c, portal_req_t *r, const char *url);
bool portal_evidence_feed (struct MHD_Connection *c, portal_req_t *r, const char *data, size_t size);
void portal_evidence_end (portal_req_t *r);
void portal_evidence_free (portal_req_t *r);
//  The number of files the request brought (0 when refused).
int portal_evidence_files (const portal_req_t *r);
//  A limit the files broke while they came: 0, or an HTTP status with error (naming the limit).
unsigned portal_evidence_refusal (const portal_req_t *r, portal_lang_t lang, char *error, size_t size);
//  The form's file input.
void portal_evidence_input (portal_buf_t *b, portal_lang_t lang);
//  The submit's files wait for the case of the intake entry key (false: no room, do not queue);
//  forgotten when the entry was not queued after all.
bool portal_evidence_keep (portal_req_t *r, const char *key);
void portal_evidence_forget (const char *key);
//  GET /received, once the entry is done: suspends c while its files are sent (true), and the
//  receipt page's list of them.
bool portal_evidence_wait (struct MHD_Connection *c, const char *key, const char *receipt);
void portal_evidence_report (portal_buf_t *b, portal_lang_t lang, const char *key);
//  POST /status with files: sends them by receipt while c waits suspended (true); when they
//  are sent (or refused), their outcome into b (and *status on a refusal).
bool portal_evidence_status (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *receipt,
                             portal_buf_t *b, unsigned *status);
void portal_evidence_status_form (portal_buf_t *b, portal_lang_t lang, const char *token, const char *receipt);

//  A staff console form that takes one file (field `file`) as multipart/form-data: its URL,
//  the declared types it takes (NULL-terminated) and the most bytes. staff_company_*.c says
//  which (portal_evidence_staff: the form of a URL, or NULL); the file streams as the
//  complaint's do, its CSRF token checked first (staff_csrf_early, staff_core.c).
typedef struct {
    const char *url;
    const char *const *types;
    long max;
} portal_staff_upload_t;
const portal_staff_upload_t *portal_evidence_staff (const char *url);
bool staff_csrf_early (struct MHD_Connection *c, portal_req_t *r);
//  File i of the request, decrypted whole into out (size bytes, NUL-terminated), its name and
//  declared type into name and type when not NULL: its length, or -1 (no such file, refused,
//  larger than size - 1, or it does not read back).
long portal_evidence_file (portal_req_t *r, int i, char *out, size_t size, char name [256], char type [32]);

//  /metrics in the Prometheus text format (portal_metrics.c).
void portal_metrics (portal_buf_t *b);

#endif

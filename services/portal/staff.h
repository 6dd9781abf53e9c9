/*  staff: the staff console under /staff/ (secretariat, committee, monitoring, steering and
    company persons signed in with their accounts in membership).

    staff_core.c: the dispatcher, the session (cookie, account.session on every page), the
    CSRF token bound to the session, sign in and out; staff_page.c: the page around each page,
    the forms' hidden fields, the error pages and the small helpers; staff_ask.c: the asking of
    daemons as the person; staff_cases.c: the queue and a case with everything done to it
    (its page: staff_case_page.c); staff_pages.c: home, inbox, audit; staff_export.c: the
    export; staff_members.c: members, locations; staff_accounts.c: accounts (staff_enroll.c:
    enrolling).

    A session is the token account.login gave, kept only in the browser's cookie
    `imvo_staff` (HttpOnly, SameSite=Strict, Path=/staff; Secure behind TLS). Every page asks
    account.session with it (membership ends it after 30 minutes idle or 12 hours); every form
    carries a token that is an HMAC of "staff:" + the session with the portal's key
    (portal_guard.c), so a form of an ended session or of another person is refused (403) and
    nothing is done. Requests go out with the actor {role, org, person} of the session.

    Every form also carries a one-time idempotency key (field `idem`, random per rendering):
    its change goes out with that key as the envelope's, so the same form sent twice (a
    double-click, a reload) changes things once. The changes, and whatever costs a daemon real
    time (sign-in, passwords, the export), are asked on the portal's worker threads while the
    connection waits suspended (staff_call, portal_defer.c), never on an HTTP thread.
*/
#ifndef STAFF_H
#define STAFF_H

#include "portal.h"

typedef struct {
    char token [65];            //  the session, from the cookie
    char username [65], name [201], role [33], org [65];
    char csrf [65];             //  the forms' token for this session
    portal_actor_t actor;
} staff_session_t;

typedef struct {
    struct MHD_Connection *c;
    portal_req_t *r;
    const char *url;
    portal_lang_t lang;
    bool post;
    const char *addr;
    bool tls;                   //  behind TLS (the cookie's Secure, the enrollment link's scheme)
    int calls;                  //  staff_call's made so far in this run of the handler
    staff_session_t s;
} staff_t;

//  The one pick between the two languages.
#define TR(x, nl, en) ((x)->lang == PORTAL_EN ? (en) : (nl))

//  portal_server.c hands every /staff request here (its own CSRF rule: see above).
enum MHD_Result staff_route (struct MHD_Connection *c, portal_req_t *r, const char *url, bool post,
                             portal_lang_t lang, const char *addr, bool tls);

//  staff_page.c: the page around a body (title escaped) and its end; answers (and releases b).
void staff_page_start (staff_t *x, portal_buf_t *b, const char *title);
enum MHD_Result staff_page_end (staff_t *x, portal_buf_t *b, unsigned status);
//  A form's start: <form method=post action=...> with the CSRF token and the language.
void staff_form (staff_t *x, portal_buf_t *b, const char *action);
//  A list of n items begun: <ul attrs> (attrs ours, "" for none), or when n is 0 the line empty
//  in a <p>; staff_list_end closes the list (nothing when n is 0).
void staff_list_start (portal_buf_t *b, uint32_t n, const char *empty, const char *attrs);
void staff_list_end (portal_buf_t *b, uint32_t n);
//  A table's start up to its <tbody>: <div class="table"><table class="list" id=id>, its caption
//  (class help; printf-style, ours: not escaped) and a column header for each of the n heads.
void staff_table_start (portal_buf_t *b, const char *id, const char *const *heads, int n, const char *caption, ...)
    __attribute__ ((format (printf, 5, 6)));
//  A query parameter ("" when absent).
const char *staff_query (staff_t *x, const char *name);
//  staff_ask.c: a request to a daemon as the signed-in person. spec: one letter per field, each after its
//  name: 's' a string, 'o' a string left out when "" or NULL, 'i' an int64_t, 'j' an int64_t
//  left out when < 0, 'b' a bool (int), 'B' a bool sent only when true. As portal_call.
int staff_ask (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *spec, ...);
//  As staff_ask, on a worker thread while the connection waits suspended (portal_defer.c), with
//  the posted form's idempotency key (field `idem`) as the envelope's key. The first time it
//  returns STAFF_WAIT: answer MHD_YES at once and do nothing else (resp is not to be released);
//  libmicrohttpd runs the handler again when the daemon has answered, and then the same call
//  (the n-th staff_call of the run) returns rc and resp as staff_ask does.
#define STAFF_WAIT 1
int staff_call (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *spec, ...);
//  As staff_call with a body packed by the caller.
int staff_call_body (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *body,
                     size_t size);
//  The posted form's idempotency key (32 hex digits), or NULL.
const char *staff_idem (staff_t *x);
//  The page for a refusal or failure of a daemon (rc, resp as from staff_ask): 400, 403, 404,
//  409 or 503 with the daemon's words; for a form, that nothing was changed.
enum MHD_Result staff_failed (staff_t *x, int rc, imvo_response_t *resp);
//  A page saying something went wrong (message ours), with status.
enum MHD_Result staff_error (staff_t *x, unsigned status, const char *title, const char *message);
//  A field's bound from the catalogue, or fallback while the message is not in it.
long staff_max (const char *type, const char *field, long fallback);
//  Unix ms as "2026-03-01 14:05" (UTC).
void staff_when (const msgpack_object *ms, char out [32]);
//  The words for a status (staff), a role, a transition's button.
const char *staff_status (staff_t *x, const char *status);
const char *staff_role (staff_t *x, const char *role);
bool staff_is (staff_t *x, const char *role);
//  Writes "?lang=xx" or "&lang=xx" suffix helpers: the language code of the page.
const char *staff_lang (staff_t *x);
//  A URL part, percent-encoded.
void staff_buf_url (portal_buf_t *b, const char *s);
//  A 303 back to path (ours) after a change.
enum MHD_Result staff_done (staff_t *x, const char *path);
//  After a form's staff_call (rc, resp): MHD_YES while the connection waits (STAFF_WAIT), the
//  refusal page (staff_failed), or resp released and a 303 back to path.
enum MHD_Result staff_changed (staff_t *x, int rc, imvo_response_t *resp, const char *path);
//  The 404 page (a form's action or a page we do not have).
enum MHD_Result staff_not_found (staff_t *x);

//  A covenant's name in the page's language (name_nl on Dutch pages when there is one).
const msgpack_object *staff_covenant_name (staff_t *x, const msgpack_object *covenant);

//  staff_accounts.c
enum MHD_Result staff_account (staff_t *x, const char *action);
enum MHD_Result staff_accounts (staff_t *x, const char *action);
//  After account.create or account.reset (resp): the enrollment address and token, once; back:
//  the accounts page to return to.
enum MHD_Result staff_account_token_page (staff_t *x, const imvo_response_t *resp, bool reset, const char *back);
//  An account's row begun (an item of account.list's reply): <tr> and its username, name and
//  e-mail cells, labelled by heads [0..2] (the secretariat's accounts page and the company's).
void staff_account_cells (portal_buf_t *b, const msgpack_object *account, const char *username, const char *const *heads);
//  An account's status (pending, active, disabled) in words.
const char *staff_account_status (staff_t *x, const char *status);
//  A line on a page saying an error (role alert) or that something was done (role status).
void staff_notice (portal_buf_t *b, bool error, const char *text);
//  A form's two inputs of a new password (new_password, repeat) with their help.
void staff_password_inputs (staff_t *x, portal_buf_t *b, const char *autocomplete);
//  The posted new password (as typed): NULL with why in *error when it will not do.
const char *staff_new_password (staff_t *x, const char **error);
//  staff_enroll.c: /staff/enroll: public (no session), with the portal's CSRF cookie as the
//  sign-in form.
enum MHD_Result staff_enroll (staff_t *x);
//  The portal's CSRF token for the sign-in and enrollment forms (and its Set-Cookie, or "").
void staff_public_csrf (staff_t *x, char token [65], char set [128]);
//  The hidden fields of a public form: csrf, lang and a fresh idempotency key.
void staff_public_form (staff_t *x, portal_buf_t *b, const char *action, const char *token);

//  staff_cases.c: the queue, and a case's page with its forms' POSTs.
enum MHD_Result staff_cases (staff_t *x);
enum MHD_Result staff_case (staff_t *x, const char *case_id, const char *action);
//  A form acting on a case: <form method=post action=/staff/case/<case_id>/<action>> (staff_form).
void staff_case_form (staff_t *x, portal_buf_t *b, const char *case_id, const char *action);
//  Whether o is the boolean true.
bool staff_true (const msgpack_object *o);
//  staff_case_page.c: the case's page for the staff from complaint.get's reply (got), with the
//  complainant's identity when revealed.
void staff_case_page (staff_t *x, portal_buf_t *b, const char *id, const imvo_response_t *got, bool revealed);
//  staff_evidence.c: a case's attachments on its page (from complaint.get's reply), and one of
//  them as a download (GET /staff/case/<id>/attachment/<attachment_id>).
void staff_attachments (staff_t *x, portal_buf_t *b, const char *case_id, const msgpack_object *case_body);
enum MHD_Result staff_attachment (staff_t *x, const char *case_id, const char *attachment_id);
//  A download's file name as a header may carry it (ASCII letters, digits, . - _), else fallback.
void staff_file_name (char *name, size_t size, const char *fallback);
//  A reply with data (bin), content_type and name as a download named by it (else fallback);
//  releases resp.
enum MHD_Result staff_download (staff_t *x, imvo_response_t *resp, const char *fallback);
//  staff_translation.c: the complaint's language, her words and the secretariat's translations
//  beside them on its page (from complaint.get's reply), and the form's POST
//  /staff/case/<id>/translate (complaint.translate).
void staff_translations (staff_t *x, portal_buf_t *b, const char *case_id, const msgpack_object *case_body);
enum MHD_Result staff_translate (staff_t *x, const char *case_id);

//  staff_committee.c: GET /staff/committee?covenant= (the committee's cases by stage); on a
//  case's page the committee's decisions from its history, and the messages as two threads
//  (with the complainant, with the company), each with its form while the case takes messages.
enum MHD_Result staff_committee (staff_t *x);
void staff_case_decisions (staff_t *x, portal_buf_t *b, const msgpack_object *case_body);
void staff_case_messages (staff_t *x, portal_buf_t *b, const char *case_id, const msgpack_object *case_body);
//  One message of a case's thread (an item of complaint.messages' reply): when, from whom (to a
//  company, its own as "your company") and its text; also the company's case page.
void staff_case_message (staff_t *x, portal_buf_t *b, const msgpack_object *m);
//  staff_orgs.c: organisations by their names on a page (see there): the names of the
//  covenants a page shows, each covenant's member list read once (kept a second by the portal)
//  and member.associated only when that list lacks an org; never a request per organisation.
#define STAFF_ORGS_COVENANTS 12
typedef struct {
    char covenant [40];
    imvo_response_t members;            //  member.list, kept a second (portal_members)
    bool have_members;
    imvo_response_t associated;         //  member.associated, asked as the person
    int associated_state;               //  0 not asked, 1 read, -1 refused or not answered
} staff_orgs_covenant_t;
typedef struct {
    staff_t *x;
    int n;                              //  covenants read so far
    staff_orgs_covenant_t c [STAFF_ORGS_COVENANTS];
} staff_orgs_t;
void staff_orgs_init (staff_orgs_t *self, staff_t *x);
void staff_orgs_release (staff_orgs_t *self);
//  The covenant's members (member.list's array), or NULL when it cannot be read.
const msgpack_object *staff_orgs_members (staff_orgs_t *self, const char *covenant);
//  An org's name in a covenant, or NULL when not known.
const msgpack_object *staff_orgs_name (staff_orgs_t *self, const char *covenant, const msgpack_object *org);
//  The name of org in list (an array of maps with org_id and name: member.list's, org.list's,
//  member.associated's), or NULL.
const msgpack_object *staff_org_find (const msgpack_object *list, const msgpack_object *org);
//  An org by its name with its id as the title (and after the name too when another org of the
//  covenant bears it), or its id when the name is not known; a list of orgs (an array of ids)
//  so, separated by commas.
void staff_orgs_show (staff_orgs_t *self, portal_buf_t *b, const char *covenant, const msgpack_object *org);
void staff_org_named (portal_buf_t *b, const msgpack_object *org, const msgpack_object *name);
void staff_orgs_show_list (staff_orgs_t *self, portal_buf_t *b, const char *covenant, const msgpack_object *orgs);
//  An <option> for each org of list (member.list's or org.list's array; of that kind only, unless
//  kind is NULL): its name, its id the value, chosen's selected.
void staff_org_options (portal_buf_t *b, const msgpack_object *list, const char *kind, const char *chosen);
//  Whether another org of list (an array of maps with name) has the i-th's name: a company names
//  itself (org.update) and may take another's name, so a choice among them shows their ids too.
bool staff_org_name_shared (const msgpack_object *list, uint32_t i);
//  The i-th org of list by its name (escaped), with its id when the name is shared; as an
//  <option> (its id in id; chosen's selected).
void staff_org_name_of (portal_buf_t *b, const msgpack_object *list, uint32_t i);
void staff_org_option (portal_buf_t *b, const msgpack_object *list, uint32_t i, const char *id, const char *chosen);
//  The i-th of members (staff_orgs_members) when it is a party, with its org id in org; NULL for
//  a supporter or an expert (no seat, no vote).
const msgpack_object *staff_party (const msgpack_object *members, uint32_t i, char org [72]);
//  A company's name remembered from its own org.get (staff_company_org), for the line naming
//  who is signed in: false when not (yet) known in this process.
void staff_orgs_remember (const char *org, const msgpack_object *name);
bool staff_orgs_remembered (const char *org, char *name, size_t size);
//  staff_cases.c: a labelled <select id=covenant name=covenant> of the covenants (chosen selected;
//  any: an option for all of them first).
void staff_select_covenant (staff_t *x, portal_buf_t *b, const char *chosen, bool any);

//  staff_pages.c
enum MHD_Result staff_home (staff_t *x);
enum MHD_Result staff_inbox (staff_t *x);
enum MHD_Result staff_audit (staff_t *x);
//  The covenant a page is about: ?covenant= (or the posted one) when valid, else NULL after
//  answering 400 into *answer.
const char *staff_page_covenant (staff_t *x, enum MHD_Result *answer);
//  staff_export.c
enum MHD_Result staff_export (staff_t *x);
//  staff_members.c
enum MHD_Result staff_members (staff_t *x, const char *action);
enum MHD_Result staff_locations (staff_t *x, const char *action);
//  staff_parties.c: on the members page, the trade associations' member companies and the
//  supporters' contributions (members: member.list's array), and their forms' POSTs
//  (/staff/members/associates, /staff/members/contribute).
void staff_parties_section (staff_t *x, portal_buf_t *b, const char *covenant, const msgpack_object *members, int64_t year);
enum MHD_Result staff_parties_post (staff_t *x, const char *covenant, const char *action);
//  On a case's page: a dispute's kind and claimant party, the association a respondent is reached
//  through (from complaint.get's reply; orgs: the names of the case's covenant).
void staff_parties_case_facts (staff_t *x, portal_buf_t *b, const msgpack_object *body, staff_orgs_t *orgs);

//  staff_chart.c: a bar chart drawn by the portal, inline: <svg role="img"> named by its <title>,
//  each value written beside its bar, and the figures again in a table (under <details>).
void staff_chart_bars (staff_t *x, portal_buf_t *b, const char *title, const char *const *labels,
                       const double *values, int n, const char *unit);

//  The monitoring committee's pages under /staff/monitoring/ (rest: what follows that): its
//  covenant's frameworks and the draft of the next version (staff_monitoring.c), the round
//  started and watched with every company's plan and result (staff_monitoring_round.c), the
//  appeals and the sector report (staff_monitoring_report.c).
enum MHD_Result staff_monitoring (staff_t *x, const char *rest);
enum MHD_Result staff_monitoring_round (staff_t *x, const char *covenant, int64_t year, const char *action);
enum MHD_Result staff_monitoring_appeals (staff_t *x, const char *covenant, int64_t year, const char *action);
enum MHD_Result staff_monitoring_report (staff_t *x, const char *covenant, int64_t year, const char *action);
//  The links between the monitoring pages of a covenant and year (here: the page shown).
void staff_monitoring_nav (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year, const char *here);
//  A result's finding code in words.
const char *staff_finding (staff_t *x, const char *code);
//  staff_steering.c: the steering group's overview (read only), per covenant.
enum MHD_Result staff_steering (staff_t *x);
//  staff_collective.c: /staff/collective (the working group's two collective risks, the
//  collective projects and their participants); staff_meetings.c: /staff/meetings (general
//  meetings with attendance and the parties' votes, the steering group). action: "" for the
//  page, else the posted form's last path part.
enum MHD_Result staff_collective (staff_t *x, const char *action);
enum MHD_Result staff_meetings (staff_t *x, const char *action);
//  staff_assessor.c: /staff/assessor (the monitoring committee verifies or adjusts each criterion
//  with a comment, and publishes after the companies' two weeks) and, company true,
//  /staff/review (a company reads the verdicts and comments within the window).
enum MHD_Result staff_assessor (staff_t *x, bool company, const char *action);
//  staff_terms.c: /staff/terms (the covenants' terms; the secretariat records an extension or
//  the end) and /staff/disclosures?covenant=&year= (the 4 July list: who disclosed, was
//  reminded, is overdue).
enum MHD_Result staff_terms (staff_t *x, const char *action);
enum MHD_Result staff_disclosures (staff_t *x);
//  The home page's link to /staff/terms, with how many run-out terms wait for a record
//  (covenants: covenant.list's array).
void staff_terms_link (staff_t *x, portal_buf_t *b, const msgpack_object *covenants);

//  staff_disputes.c: /staff/disputes (a party, or the secretariat for it, files a dispute
//  against another party: complaint.submit with kind dispute; a company's open disputes).
enum MHD_Result staff_disputes (staff_t *x, const char *action);
//  On a company's case page: a dispute's two parties by name (body: complaint.get's reply).
void staff_dispute_parties (staff_t *x, portal_buf_t *b, const msgpack_object *body);
//  staff_disputes_follow.c: on /staff/disputes, a company's open disputes as the claimant party
//  (org: its org.get, whose open_cases complaint.open fills).
void staff_own_disputes (staff_t *x, portal_buf_t *b, const imvo_response_t *org);

//  staff_company*.c: a company's own console (role company, its own organisation only; the
//  daemons keep it so too). staff_company.c: its part of the home page, the dispatcher of
//  /staff/company/<page>, the action plan; staff_company_results.c: the results and the appeal;
//  staff_company_case.c: a case against the company (respond, messages);
//  staff_company_locations.c: the locations CSV with its preview; staff_company_settings.c:
//  subscriptions, memberships and contributions, the company's accounts.
void staff_company_home (staff_t *x, portal_buf_t *b);
enum MHD_Result staff_company (staff_t *x, const char *page);
enum MHD_Result staff_company_case (staff_t *x, const char *case_id, const char *action);
//  A case's open deadlines in words, each with its date and whether it has passed (from
//  complaint.get's reply): the staff's case page and the company's.
void staff_deadlines (staff_t *x, portal_buf_t *b, const msgpack_object *body);
enum MHD_Result staff_company_locations (staff_t *x, const char *action);
enum MHD_Result staff_company_settings (staff_t *x, const char *page);
//  Shared by those files: this year (UTC; the other console pages take it from here too);
//  org.get of the company itself (0 when resp holds it); the covenant a page is about
//  (?covenant= or the posted one when the company is an active member, else its first; ""
//  when none) and the form choosing it (year shown when > 0).
int64_t staff_company_year (void);
//  The year a page is about: ?year= (or the posted one) from 2000 to 2100, else this year.
int64_t staff_company_year_of (staff_t *x);
//  staff_company_results.c: GET /staff/company/results and POST /staff/company/appeal.
enum MHD_Result staff_company_results (staff_t *x);
//  staff_company_documents.c: the plan's documents on its page (sub: submission.get's reply, or
//  NULL when there is no plan yet), POST /staff/company/plan/document (a file, multipart) and
//  GET /staff/company/plan/document/<doc id>?covenant=&year= (the download).
void staff_company_documents (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year,
                              const msgpack_object *sub);
enum MHD_Result staff_company_document (staff_t *x, const char *doc_id);
extern const portal_staff_upload_t staff_company_document_upload;
//  staff_company_risks.c: the plan's risk rows (risks: submission.get's, or NULL), the posted
//  rows that count (-1 with error naming the wrong row) and, that many, packed as "risks".
void staff_company_risk_fields (staff_t *x, portal_buf_t *b, const msgpack_object *risks);
int staff_company_risks_count (staff_t *x, char *error, size_t size);
void staff_company_risks_pack (staff_t *x, msgpack_packer *pk, int n);
int staff_company_org (staff_t *x, imvo_response_t *org);
//  An open case (an item of org.get's open_cases) as a list item begun: <li>, its link, its status
//  and summary; its status and when it was received into status and when. The caller ends it.
void staff_company_case_item (staff_t *x, portal_buf_t *b, const msgpack_object *c, char status [32], char when [32]);
const char *staff_company_covenant (staff_t *x, const imvo_response_t *org, char out [40]);
void staff_company_choose (staff_t *x, portal_buf_t *b, const imvo_response_t *org, const char *page,
                           const char *covenant, int64_t year);

extern const char staff_css [];

#endif

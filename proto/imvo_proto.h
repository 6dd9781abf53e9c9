/*  imvo_proto: the message catalogue and its validator.

    Each message a daemon answers is described once, by an imvo_proto_msg_t: its type and its
    body fields (dotted paths for nested maps), each with a kind, whether it is required,
    length or value bounds, a format (code, country, date, ...) and optionally a list of
    allowed values. imvo_proto_validate checks a body against its descriptor and hands the
    handler an array of imvo_value_t in field order, so handlers work on checked data and
    every refusal names the offending field. Unknown body fields are ignored: proto/README.md lets
    clients send more fields than a daemon knows.

    The catalogue files (catalogue_<service>.c) hold the descriptors; their header gives each
    field an index constant, e.g. COMPLAINT_SUBMIT_COVENANT.
*/
#ifndef IMVO_PROTO_H
#define IMVO_PROTO_H

#include "imvo_envelope.h"

typedef enum {
    IMVO_F_STR,         //  string; min/max are byte lengths
    IMVO_F_INT,         //  integer; min/max are values
    IMVO_F_BOOL,
    IMVO_F_MAP,         //  map; max is the number of entries
    IMVO_F_STRLIST,     //  array of strings; max is the number of items, each item uses format
    IMVO_F_ARRAY,       //  array of anything; max is the number of items
    IMVO_F_BIN          //  bytes (msgpack bin, or str); min/max are byte lengths, more than
                        //  max is too_large; str points at the bytes (not NUL-terminated)
} imvo_kind_t;

typedef enum {
    IMVO_FMT_TEXT = 0,  //  valid UTF-8 without control characters other than \n, \r and \t
    IMVO_FMT_LINE,      //  valid UTF-8, no control characters at all
    IMVO_FMT_CODE,      //  lower-case ASCII letters, digits, '-' and '_', starting with a letter or digit
    IMVO_FMT_ID,        //  printable ASCII without spaces
    IMVO_FMT_COUNTRY,   //  ISO 3166-1 alpha-2, upper case, an assigned code
    IMVO_FMT_DATE,      //  YYYY-MM-DD, a real calendar date
    IMVO_FMT_EMAIL,     //  local@domain, LINE
    IMVO_FMT_URL,       //  http:// or https:// URL, LINE
    IMVO_FMT_CASE_ID,   //  a case id: TEXTILE-2026-0042 (covenant, year, number)
    IMVO_FMT_RECEIPT    //  a receipt as a person may type it: textile-7kq4 m9px-2hrt-wc3d
} imvo_format_t;

typedef struct {
    const char *name;               //  dotted path in the body
    imvo_kind_t kind;
    bool required;
    int64_t min, max;               //  see imvo_kind_t; both 0 means "no bound"
    imvo_format_t format;
    const char *const *choices;     //  NULL-terminated allowed values for strings, or NULL
    const char *help;               //  for people (imvoctl's options, proto/README.md), or NULL
} imvo_field_t;

typedef struct {
    bool present;
    const char *str;                //  NUL-terminated copy (in the request zone) for STR fields
    size_t len;
    int64_t i;                      //  INT value
    bool b;                         //  BOOL value
    const msgpack_object *obj;      //  the raw object (any kind)
} imvo_value_t;

//  Who may send a message (proto/README.md, "Roles"): a set of roles. A request with
//  no role, or a role not listed here, may send only IMVO_PUBLIC messages. The default is no.
typedef enum {
    IMVO_ROLE_SECRETARIAT = 1 << 0,
    IMVO_ROLE_COMMITTEE = 1 << 1,   //  the complaints and disputes committee
    IMVO_ROLE_MONITORING = 1 << 2,  //  the independent monitoring committee
    IMVO_ROLE_COMPANY = 1 << 3,
    IMVO_ROLE_COMPLAINANT = 1 << 4,
    IMVO_ROLE_STEERING = 1 << 5,
    IMVO_ROLE_SERVICE = 1 << 6,     //  another daemon or a trusted gateway
    IMVO_ROLE_GATEWAY = 1 << 7,     //  a certificate that speaks for signed-in persons: the
                                    //  envelope's actor {role, org, person} is theirs
                                    //  (imvo_curve_apply); it sends nothing as itself
    IMVO_PUBLIC = 1 << 15,          //  anyone, with or without a role
} imvo_role_t;

#define IMVO_STAFF (IMVO_ROLE_SECRETARIAT | IMVO_ROLE_COMMITTEE)
//  A front end that serves many people and limits each of them itself: the portal (role
//  gateway) and a trusted service (the mail gateway). On the complainant's messages by receipt
//  they act for the complainant, and the daemon does not hold them to one client's limit.
#define IMVO_FRONT_ENDS (IMVO_ROLE_SERVICE | IMVO_ROLE_GATEWAY)
#define IMVO_ANY_ROLE (IMVO_STAFF | IMVO_ROLE_MONITORING | IMVO_ROLE_COMPANY | IMVO_ROLE_COMPLAINANT \
                       | IMVO_ROLE_STEERING | IMVO_ROLE_SERVICE)

//  Idempotency keys are kept a day (a complaint: its receipt is in the stored reply) or a week.
#define IMVO_DAY 86400L
#define IMVO_WEEK (7 * IMVO_DAY)

//  Where a daemon runs a message's handler.
typedef enum {
    //  On a worker thread, in a batch: it may make any number of Redis calls, even slow ones
    //  (an import), holding up only its own batch.
    IMVO_IN_WORKER = 0,
    //  In the runtime's poll loop: it makes at most one Redis call, with imvo_script_call,
    //  and that call joins one pipeline shared by every such request; the reply goes out as
    //  soon as its result is read. No thread hop, and one write to Redis for many requests.
    IMVO_PIPELINED,
} imvo_mode_t;

typedef struct {
    const char *type;               //  message type, e.g. "complaint.submit"
    const char *summary;            //  one line for humans (imvoctl, docs)
    const imvo_field_t *fields;
    int nfields;
    unsigned who;                   //  imvo_role_t bits: the roles that may send it
    //  "Own org only": a company may send it only about itself, when the body field `own`
    //  (e.g. "org_id") equals own_prefix + actor.org. NULL: no such rule.
    const char *own;
    const char *own_prefix;
    //  Rules across fields, run after each field passed its own: 0, or -1 with err set
    //  (invalid_argument naming the field). NULL: none.
    int (*check) (const imvo_value_t *values, imvo_error_t *err);
    //  The rest of the contract, each set by name (.service = ...) in the catalogue files.
    const char *service;            //  the daemon that answers it; "*" for every daemon
    imvo_mode_t mode;               //  where that daemon runs its handler
    long idem_ttl;                  //  seconds a request's idempotency key is kept (a
                                    //  retry within them gets the first reply); 0: the
                                    //  message changes nothing and keeps no key
    //  Roles that, on this message, act for the complainant: a case is named by its receipt
    //  and what they see and write is the complainant's. IMVO_ROLE_COMPLAINANT always does;
    //  a gateway (IMVO_ROLE_SERVICE: the portal) does where listed here.
    unsigned for_complainant;
    //  Roles not held to the per-client limit on wrong receipts: a gateway limits each of
    //  its own users (the portal), so the daemon does not count them as one client.
    unsigned unlimited;
    const char *reply;              //  the reply's fields, space-separated, '?' when optional
    //  The script that commits it, and its KEYS and ARGV by name, space-separated
    //  (imvo_named_t packs ARGV[2] by these names); NULL when it has no single script.
    const char *script;
    const char *script_keys;
    const char *script_args;
} imvo_proto_msg_t;

//  An event type: who emits it and the fields of its body (for notify's templates, docs).
typedef struct {
    const char *type;               //  e.g. "complaint.received"
    const char *service;            //  the daemon that emits it
    const char *summary;
    const char *fields;             //  body fields, space-separated, '?' when optional
} imvo_proto_event_t;

//  Every event type, ended by {NULL}.
extern const imvo_proto_event_t imvo_proto_events [];
//  The entry of an event type, or NULL.
const imvo_proto_event_t *imvo_proto_event_find (const char *type);
//  Whether a space-separated list ("case_id status receipt?") names field (with or without '?').
bool imvo_proto_names (const char *list, const char *field);

//  Whether the request acts for the complainant (its message's for_complainant roles).
bool imvo_proto_for_complainant (const imvo_request_t *req);
//  Whether the request's role is exempt from per-client guessing limits (its message's unlimited).
bool imvo_proto_unlimited (const imvo_request_t *req);

#define IMVO_PROTO_MAX_FIELDS 32


//  The descriptor of a message type, or NULL.
const imvo_proto_msg_t *imvo_proto_find (const char *type);
//  Validates body; values must hold IMVO_PROTO_MAX_FIELDS entries. Strings are copied into
//  zone. 0, or -1 with err (invalid_argument, field set).
int imvo_proto_validate (const imvo_proto_msg_t *msg, const msgpack_object *body,
                         msgpack_zone *zone, imvo_value_t *values, imvo_error_t *err);
//  The role bit of a role name (imvo_role_t), 0 for none or an unknown one.
unsigned imvo_proto_role (const char *role);
//  May the request's actor send msg? Before validation (values NULL): the role. After it
//  (values set): the own-org rule. 0, or -1 with err (forbidden, naming actor.role or the
//  field).
int imvo_proto_authorise (const imvo_proto_msg_t *msg, const imvo_request_t *req,
                          const imvo_value_t *values, imvo_error_t *err);
//  The roles as words ("secretariat, committee"; "anyone"), for errors and docs.
void imvo_proto_who (unsigned who, char *buf, size_t size);

//  Checks one string against a format; for imported data (CSV rows) too.
bool imvo_proto_format_ok (imvo_format_t format, const char *s, size_t len);
//  Case ids read "TEXTILE-2026-0042": the covenant in capitals, the year, a number counted
//  per covenant and year. Writes the covenant code ("textile") into buf; -1 when case_id does
//  not have that shape.
int imvo_case_id_covenant (const char *case_id, char *buf, size_t size);

//  Receipts read "TEXTILE-7KQ4-M9PX-2HRT-WC3D": the covenant, then 80 random bits in
//  Crockford base32. Normalises a receipt typed by a person (case, spaces, O/0, I/L/1) in
//  place and writes its covenant into buf; -1 when it cannot be a receipt.
int imvo_receipt_normalise (char *receipt, char *buf, size_t size);

#define IMVO_CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

//  Describes a format for error messages ("an ISO 3166-1 alpha-2 country code").
const char *imvo_proto_format_name (imvo_format_t format);

//  Describes a kind ("a string").
const char *imvo_proto_kind_name (imvo_kind_t kind);

//  All catalogue entries, NULL-terminated; each catalogue file contributes its table.
extern const imvo_proto_msg_t *const imvo_proto_core [];
extern const imvo_proto_msg_t *const imvo_proto_complaints [];
extern const imvo_proto_msg_t *const imvo_proto_notify [];
extern const imvo_proto_msg_t *const imvo_proto_membership [];
extern const imvo_proto_msg_t *const imvo_proto_scoring [];
extern const imvo_proto_msg_t *const imvo_proto_audit [];      //  audit.list (answered by complaints)

//  The six catalogues above, NULL-terminated.
extern const imvo_proto_msg_t *const *const imvo_proto_all [];

#define IMVO_FIELDS(arr) (arr), (int) (sizeof (arr) / sizeof ((arr) [0]))

#endif

/*  scoring_internal: what the scoring daemon's files share. scoring_server.c has the handler
    table and the requests; scoring_score.c the scoring rules (no I/O); scoring_round.c the
    round runner; scoring_report.c the sector report; scoring_frameworks.c the seeded
    frameworks.

    Keys, all under imvo:scoring:{<covenant>}: frameworks (hash version -> packed framework),
    frozen (set of versions a round used), sub:<year> (hash org -> packed submission),
    late:<year> (set of the orgs whose plan came after the due date),
    round:<year> (hash: the round), round:<year>:results (hash org -> packed result),
    round:<year>:lease (the runner's lease), appeals (hash appeal id -> packed appeal), events
    (stream). imvo:scoring:running is the set of rounds to run ("<covenant>|<year>").
*/
#ifndef SCORING_INTERNAL_H
#define SCORING_INTERNAL_H

#include "scoring_server.h"
#include "catalogue_scoring.h"

#define SCORING_APPEAL_DAYS 28              //  a company may appeal within 4 weeks
#define SCORING_CORRECTION_POINTS 2.0       //  an accepted appeal that moves the score this much is published
#define SCORING_RUNNING "imvo:scoring:running"

//  A framework, parsed for scoring. Strings point into the packed framework (zone).
typedef struct {
    const char *code;
    size_t code_len;
    uint64_t weight;
    uint32_t first, count;                  //  its criteria in scoring_fw_t.criteria
} scoring_part_t;

typedef struct {
    const char *id;
    size_t id_len;
    uint64_t max;
    uint32_t part;
} scoring_criterion_t;

typedef struct {
    int64_t version;
    char due [6];                           //  MM-DD
    scoring_part_t parts [SCORING_MAX_PARTS];
    int nparts;
    scoring_criterion_t criteria [SCORING_MAX_CRITERIA];
    int ncriteria;
    struct { char code [32]; double min; } bands [SCORING_MAX_BANDS];
    int nbands;
} scoring_fw_t;

//  One company's result.
typedef struct {
    char org_id [64];
    char name [201];
    char status [8];                        //  scored, late, missing
    bool has_score;
    double score;                           //  0-100, to 6 decimals
    double parts [SCORING_MAX_PARTS];
    char band [32];
    int company_year;                       //  round year - signing year (0 in that year)
    int threshold;                          //  20, 40, 60
    bool on_track;
    const char *findings [8];
    int nfindings;
    //  The covenant's mandatory collective project (scoring_collective.c), set before scoring:
    int mandatory_from;                     //  the company year it is mandatory from; 0: none
    const char *mandatory_project;          //  its code
    bool in_project;                        //  the company is among its participants
    char association [64];                  //  the trade association that lists it ("": none)
} scoring_result_t;

//  Trade associations' member companies in a round (scoring_assoc.c): appends to the packed
//  parties [{org_id, name, since}] the companies the covenant's associations list (membership's
//  member.associated), each with its association; 0, or -1 when membership did not answer.
int scoring_assoc_append (const char *covenant, msgpack_sbuffer *parties);
//  After scoring_score: a listed company's result names its association, and a plan without
//  identified risks gets the finding risks_not_mapped (association "" or NULL: nothing).
void scoring_assoc_apply (const char *association, const msgpack_object *submission, scoring_result_t *r);

//  A covenant's mandatory collective project in a year (textile's living wage from year 3):
//  code "" when it has none. scoring_collective.c.
typedef struct {
    char code [48];
    int from_company_year;
    zhashx_t *participants;                 //  org id -> "1"
} scoring_mandatory_t;
int scoring_mandatory_load (imvo_ctx_t *ctx, const char *covenant, int64_t year, scoring_mandatory_t *m);
//  Sets r's mandatory_from, mandatory_project and in_project for org (m may be NULL: none).
void scoring_mandatory_apply (const scoring_mandatory_t *m, const char *org, scoring_result_t *r);
void scoring_mandatory_release (scoring_mandatory_t *m);
//  The collective handlers (scoring_collective.c), the assessor's step (scoring_assessor.c) and
//  its publication (scoring_assessor_publish.c).
imvo_handler_fn scoring_collective_choose, scoring_project_put, scoring_project_list, scoring_assessment_verify,
    scoring_assessment_comment, scoring_assessment_publish, scoring_assessment_results, scoring_assessment_review;
//  The companies' comment window after a round completed (catalogue_collective.h's days).
#define SCORING_COMMENT_WINDOW_MS ((int64_t) COLLECTIVE_COMMENT_DAYS * 86400000LL)
//  A completed round as the assessor's step reads it (scoring_assessor.c).
typedef struct {
    char covenant [40];
    int64_t year;
    char status [16];
    int64_t version, completed_at, published_at;
} scoring_review_round_t;
//  The round of round_id, which must be completed; 0, or -1 with the reply's error
//  (invalid_argument, not_found, conflict).
int scoring_review_round (imvo_ctx_t *ctx, const char *round_id, scoring_review_round_t *rd, imvo_reply_t *reply);
//  A time (unix ms) as "YYYY-MM-DD HH:MM UTC" for a message.
void scoring_review_day (int64_t ms, char *buf, size_t size);
//  A packed value Redis returned, unpacked into zone; nil when there is none or it is not msgpack.
msgpack_object scoring_review_unpack (redisReply *v, msgpack_zone *zone);
//  Runs lua/record_put.lua: record under field of hash (and value2 under field2 of hash2), an
//  optional event; round_key: a round that must be completed and not published.
int scoring_record_put (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *hash,
                        const char *field, const msgpack_sbuffer *record, const char *round_key, const char *event,
                        const msgpack_sbuffer *body, const char *hash2, const char *field2,
                        const msgpack_sbuffer *value2, imvo_reply_t *reply);
//  scoring_appeals.c: the submission with corrected answers over its own; the round's summary
//  again from every stored result.
void scoring_pack_corrected (msgpack_packer *pk, const msgpack_object *sub, const msgpack_object *answers);
int scoring_resummarise (imvo_ctx_t *ctx, const char *covenant, int64_t year, const scoring_fw_t *fw,
                         msgpack_zone *zone);
//  From r, the covenant's appeals hash (HGETALL; NULL or an error: none): round_id's appeals as
//  assessment.round's `appeals`, by appeal id; and the org ids that appealed against round_id,
//  as a set whose keys point into r (the caller destroys it before freeing r).
void scoring_pack_appeals (msgpack_packer *pk, redisReply *r, const char *round_id);
zhashx_t *scoring_appealed (redisReply *r, const char *round_id);

//  Parses a packed framework map; 0, or -1 when it is not one (framework.put checked it).
int scoring_fw_parse (const msgpack_object *fw, scoring_fw_t *out);
//  The index of a criterion by id, or -1.
int scoring_fw_criterion (const scoring_fw_t *fw, const char *id, size_t len);
//  Checks answers ({id: points}) against the framework: invalid_argument naming the first
//  unknown criterion or out-of-range answer. 0 or -1.
int scoring_check_answers (const scoring_fw_t *fw, const msgpack_object *answers, imvo_reply_t *reply);
//  Scores one company. submission: the packed submission map or NULL (missing); previous:
//  its result of the year before or NULL; covenant for covenant-specific findings; year the
//  round's year; since_year the year the company joined.
void scoring_score (const scoring_fw_t *fw, const char *covenant, int64_t year, int64_t since_year,
                    const msgpack_object *submission, const msgpack_object *previous, scoring_result_t *r);
//  The threshold of a company in its n-th year: 20, 40, then 60.
int scoring_threshold (int company_year);
//  Packs a result as the round stores it and assessment.get shows it.
void scoring_pack_result (msgpack_packer *pk, const scoring_fw_t *fw, const scoring_result_t *r);
//  A score as replies carry it: to one decimal, whole numbers as integers.
void scoring_pack_value (msgpack_packer *pk, double v);

//  The aggregate (scoring_summary.c): a result as the summary counts it.
typedef struct {
    bool has_score, late, on_track;
    double score;
    char band [32];
} scoring_brief_t;
void scoring_brief_from (const msgpack_object *result, scoring_brief_t *b);
//  Packs the summary of n results; previous: the previous round's summary, or NULL.
void scoring_pack_summary (msgpack_packer *pk, const scoring_fw_t *fw, const scoring_brief_t *b, size_t n,
                           const msgpack_object *previous);
//  Adds a submission's risks to risks (theme|country -> counts; the caller sets free as the
//  destructor), and packs the ten heaviest (act_on false: the working group chooses, collective.choose).
void scoring_risks_add (zhashx_t *risks, const msgpack_object *submission);
void scoring_pack_risks (msgpack_packer *pk, zhashx_t *risks);

//  A recommendation for a finding code.
const char *scoring_recommendation (const char *finding);

//  The frameworks seeded from deploy/frameworks.json (scoring_frameworks.c): the packed
//  framework of a covenant (its own, or the generic OECD one), or NULL.
int scoring_seed_load (void);
const char *scoring_seed_framework (const char *covenant, size_t *len);

//  Reads a covenant's framework (version 0: the latest), writing the seeded one as version 1
//  when the covenant has none yet. Fills fw and *packed (malloc'd, the caller frees).
int scoring_framework_read (imvo_ctx_t *ctx, const char *covenant, int64_t version, scoring_fw_t *fw,
                            msgpack_zone *zone, char **packed, size_t *packed_len, imvo_reply_t *reply);

//  The round runner (scoring_round.c): runs every round in SCORING_RUNNING that no replica
//  holds; the daemon's timer (four times a second).
void scoring_rounds_tick (imvo_ctx_t *ctx);
//  The covenant's current company parties, asked of membership, packed as [{org_id, name, since}].
int scoring_fetch_parties (const char *covenant, msgpack_sbuffer *out);

//  The sector report (scoring_report.c) for a completed round; named: the committee's
//  version (every company named).
int scoring_report (imvo_ctx_t *ctx, const char *covenant, int64_t year, bool html, bool named, imvo_reply_t *reply);

//  The handlers of scoring_results.c.
imvo_handler_fn scoring_assessment_get, scoring_assessment_appeal, scoring_assessment_decide,
    scoring_assessment_report;
//  assessment.round (scoring_watch.c): the year as it runs, a page of companies at a time.
imvo_handler_fn scoring_assessment_round;

//  A round's stored results as (org id, packed result) chunk pairs sorted by org id, count in
//  *n; *keep owns the chunks (destroy it after). NULL when Redis failed.
zchunk_t **scoring_results_read (imvo_ctx_t *ctx, const char *covenant, int64_t year, size_t *n, zlistx_t **keep);

//  The documents of action plans (scoring_documents.c): submission.attach, submission.document;
//  a plan's documents (HVALS of its hash: packed metas) or NULL when Redis failed, and packed
//  as submission.get's "documents".
imvo_handler_fn scoring_submission_attach, scoring_submission_document;
redisReply *scoring_documents_read (imvo_ctx_t *ctx, const char *covenant, int64_t year, const char *org);
void scoring_documents_pack (msgpack_packer *pk, const redisReply *docs);

//  A round id "textile-2025" as covenant and year; -1 when it is not one.
int scoring_round_parse (const char *round_id, char *covenant, size_t size, int64_t *year);

#endif

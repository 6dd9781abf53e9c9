/*  The evidence messages (PROTOCOL.md, third part, "Evidence and confidentiality at rest"),
    listed among complaints' messages (catalogue_complaints.c).

    complaint.attach sends a file in one call (data: up to 10 MiB), or, for a client that
    streams it (the portal), in parts: the first call carries part: 0 with the name and the
    type and gets {upload}; each next call {upload, part: n, data} in order; the last says
    last: true and gets {attachment_id, sha256, size}. A part holds at most 512 KiB.
*/
#include "catalogue_evidence.h"

const char *const evidence_types [] = {
    "image/jpeg", "image/png", "application/pdf", "text/plain", "audio/mpeg", "audio/ogg", "video/mp4", NULL };

#define CASE_OR_RECEIPT(c, r) \
    [c] = { "case_id", IMVO_F_STR, false, 1, 64, IMVO_FMT_CASE_ID, NULL, "the case (staff)" }, \
    [r] = { "receipt", IMVO_F_STR, false, 1, 80, IMVO_FMT_RECEIPT, NULL, "the complainant's receipt, instead of case_id" }

static const imvo_field_t s_attach [] = {
    CASE_OR_RECEIPT (COMPLAINT_ATTACH_CASE_ID, COMPLAINT_ATTACH_RECEIPT),
    [COMPLAINT_ATTACH_NAME] = { "name", IMVO_F_STR, false, 1, 200, IMVO_FMT_LINE, NULL, "the file's name (with the first part only)" },
    [COMPLAINT_ATTACH_CONTENT_TYPE] = { "content_type", IMVO_F_STR, false, 1, 64, IMVO_FMT_ID, evidence_types, "the file's type, checked against its bytes (with the first part only)" },
    [COMPLAINT_ATTACH_DATA] = { "data", IMVO_F_BIN, true, 0, EVIDENCE_FILE_MAX, 0, NULL, "the file's bytes (up to 10 MiB), or one part's (up to 512 KiB)" },
    [COMPLAINT_ATTACH_UPLOAD] = { "upload", IMVO_F_STR, false, 1, 128, IMVO_FMT_ID, NULL, "the upload the first part began: the parts after it" },
    [COMPLAINT_ATTACH_PART] = { "part", IMVO_F_INT, false, 0, EVIDENCE_PARTS_MAX - 1, 0, NULL, "the part's number, from 0, in order (a streamed upload)" },
    [COMPLAINT_ATTACH_LAST] = { "last", IMVO_F_BOOL, false, 0, 0, 0, NULL, "this part ends the file" },
    [COMPLAINT_ATTACH_SHARED] = { "shared", IMVO_F_BOOL, false, 0, 0, 0, NULL, "the company may see it (default: the complainant's share_identity; staff's: no)" },
};

//  One call names the case, the name and the type; a streamed upload's first part does too,
//  and its next parts name the upload (and nothing of the file again).
static int
s_attach_check (const imvo_value_t *f, imvo_error_t *err)
{
    const imvo_value_t *part = &f [COMPLAINT_ATTACH_PART], *data = &f [COMPLAINT_ATTACH_DATA];
    bool next = f [COMPLAINT_ATTACH_UPLOAD].present;
    if (f [COMPLAINT_ATTACH_CASE_ID].present && f [COMPLAINT_ATTACH_RECEIPT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "case_id", "give case_id or receipt (one of the two)");
    if (!next && !f [COMPLAINT_ATTACH_CASE_ID].present && !f [COMPLAINT_ATTACH_RECEIPT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "case_id", "give case_id or receipt (one of the two)");
    if (next && !part->present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "part", "an upload's next part says which it is (part: 1, 2, ...)");
    if (next && part->i == 0)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "part", "part 0 begins an upload: it has no upload yet");
    if (!next && part->present && part->i != 0)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "upload", "part %lld needs the upload that part 0 began",
                               (long long) part->i);
    static const int first_only [] = { COMPLAINT_ATTACH_NAME, COMPLAINT_ATTACH_CONTENT_TYPE, COMPLAINT_ATTACH_SHARED };
    static const char *const names [] = { "name", "content_type", "shared" };
    for (int i = 0; i < 3; i++)
        if (next && f [first_only [i]].present)
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, names [i], "%s goes with the first part only", names [i]);
    if (!next && !f [COMPLAINT_ATTACH_NAME].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "name", "name is required");
    if (!next && !f [COMPLAINT_ATTACH_CONTENT_TYPE].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "content_type", "content_type is required: one of image/jpeg, "
                               "image/png, application/pdf, text/plain, audio/mpeg, audio/ogg, video/mp4");
    if (f [COMPLAINT_ATTACH_LAST].present && !part->present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "last", "last goes with a part");
    if (part->present && (int64_t) data->len > EVIDENCE_PART_MAX)
        return imvo_error_set (err, IMVO_ERR_TOO_LARGE, "data", "a part holds at most 512 KiB (%ld bytes); this one %zu",
                               EVIDENCE_PART_MAX, data->len);
    if (!part->present && data->len == 0)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "data", "data is empty: a file has at least one byte");
    return 0;
}

const imvo_proto_msg_t complaint_attach_msg = {
    "complaint.attach", "evidence on a case: a file (up to 10 MiB; 25 MiB and 100 files a case) of a fixed type checked against its bytes, kept encrypted; by the complainant (by receipt; or a gateway for her) or staff (by case id); in one call or in parts of up to 512 KiB (part 0 gets the upload, the last says last: true)",
    IMVO_FIELDS (s_attach), IMVO_STAFF | IMVO_ROLE_COMPLAINANT | IMVO_FRONT_ENDS, NULL, NULL, s_attach_check,
    .service = "complaints", .idem_ttl = IMVO_DAY, .for_complainant = IMVO_ROLE_COMPLAINANT | IMVO_FRONT_ENDS,
    .unlimited = IMVO_FRONT_ENDS,
    .reply = "attachment_id? sha256? size? upload?",
    .script = "complaint_attach", .script_keys = "idem case",
    .script_args = "step upload attachment_id part last name content_type size digest state from by person "
                   "shared now parts file_max case_max files_max ttl" };

static const imvo_field_t s_attachment [] = {
    CASE_OR_RECEIPT (COMPLAINT_ATTACHMENT_CASE_ID, COMPLAINT_ATTACHMENT_RECEIPT),
    [COMPLAINT_ATTACHMENT_ID] = { "attachment_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_ID, NULL, "the attachment (complaint.get lists them)" },
    [COMPLAINT_ATTACHMENT_PART] = { "part", IMVO_F_INT, false, 0, EVIDENCE_PARTS_MAX - 1, 0, NULL, "only this part (for a reader that streams; parts says how many)" },
};

static int
s_attachment_check (const imvo_value_t *f, imvo_error_t *err)
{
    if (f [COMPLAINT_ATTACHMENT_CASE_ID].present == f [COMPLAINT_ATTACHMENT_RECEIPT].present)
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, "case_id", "give case_id or receipt (one of the two)");
    return 0;
}

const imvo_proto_msg_t complaint_attachment_msg = {
    "complaint.attachment", "an attachment's bytes, decrypted, for those who may read the case: staff; the complainant her own (by receipt); the respondent company those the complainant shared",
    IMVO_FIELDS (s_attachment), IMVO_STAFF | IMVO_ROLE_COMPANY | IMVO_ROLE_COMPLAINANT | IMVO_FRONT_ENDS, NULL, NULL,
    s_attachment_check,
    .service = "complaints", .for_complainant = IMVO_ROLE_COMPLAINANT | IMVO_FRONT_ENDS, .unlimited = IMVO_FRONT_ENDS,
    .reply = "attachment_id name content_type size parts data" };

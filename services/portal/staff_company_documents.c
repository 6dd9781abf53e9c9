/*  staff_company_documents: the documents a company attaches to its submitted action plan of a
    year (a policy, a risk analysis as PDF): listed on the plan's page with a download each, and a
    form of their own that sends one file as multipart/form-data (field `file`, streamed by
    portal_evidence.c like the locations CSV, up to 4 MiB) to scoring's submission.attach, which
    checks its type against its bytes and keeps at most ten a plan. Downloads ask
    submission.document (a company only its own). See staff.h. */
#include "staff.h"

#include <microhttpd.h>
#include <sodium.h>

#define S_DOC_MAX (4L << 20)                //  scoring's SCORING_DOC_MAX

static const char *const s_doc_types [] = {
    "application/pdf", "text/plain", "text/csv", "image/png", "image/jpeg", NULL };
const portal_staff_upload_t staff_company_document_upload = { "/staff/company/plan/document", s_doc_types, S_DOC_MAX };

void
staff_company_documents (staff_t *x, portal_buf_t *b, const char *covenant, int64_t year, const msgpack_object *sub)
{
    const char *l = staff_lang (x);
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-docs\"><h2 id=\"h-docs\">%s</h2>",
                    TR (x, "Documenten bij het plan", "Documents with the plan"));
    if (!sub) {
        portal_buf_add (b, "<p>%s</p></section>", TR (x, "Dien eerst het plan in; daarna voegt u documenten toe.",
                                                     "Submit the plan first; then you add documents."));
        return;
    }
    const msgpack_object *docs = imvo_map_get (sub, "documents");
    uint32_t n = docs && docs->type == MSGPACK_OBJECT_ARRAY ? docs->via.array.size : 0;
    staff_list_start (b, n, TR (x, "Nog geen documenten.", "No documents yet."), " id=\"documents\"");
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *d = &docs->via.array.ptr [i];
        char id [40] = "", when [32];
        int64_t size = 0;
        imvo_obj_strcpy (imvo_map_get (d, "doc_id"), id, sizeof id);
        imvo_obj_int (imvo_map_get (d, "size"), &size);
        staff_when (imvo_map_get (d, "at"), when);
        portal_buf_add (b, "<li><a href=\"/staff/company/plan/document/");
        staff_buf_url (b, id);
        portal_buf_add (b, "?lang=%s&amp;covenant=", l);
        staff_buf_url (b, covenant);
        portal_buf_add (b, "&amp;year=%lld\">", (long long) year);
        portal_buf_obj (b, imvo_map_get (d, "name"));
        portal_buf_add (b, "</a> <span class=\"help\">(%lld kB, %s)</span></li>", (long long) (size + 1023) / 1024, when);
    }
    staff_list_end (b, n);
    portal_buf_add (b, "<form method=\"post\" action=\"/staff/company/plan/document\" enctype=\"multipart/form-data\">");
    portal_hidden (b, "csrf", x->s.csrf);
    portal_hidden (b, "lang", l);
    portal_hidden (b, "covenant", covenant);
    portal_buf_add (b, "<input type=\"hidden\" name=\"year\" value=\"%lld\"><label for=\"doc-file\">%s</label>"
                       "<p class=\"help\" id=\"doc-help\">%s</p><input type=\"file\" id=\"doc-file\" name=\"file\" required "
                       "accept=\".pdf,.txt,.csv,.png,.jpg,.jpeg,application/pdf,text/plain,text/csv,image/png,image/jpeg\" "
                       "aria-describedby=\"doc-help\"><button type=\"submit\" class=\"secondary\">%s</button></form></section>",
                    (long long) year, TR (x, "Document toevoegen", "Add a document"),
                    TR (x, "PDF, tekst, CSV, PNG of JPEG; ten hoogste 4 MB, tien per plan.",
                        "PDF, text, CSV, PNG or JPEG; at most 4 MB, ten a plan."),
                    TR (x, "Document toevoegen", "Add the document"));
}

static enum MHD_Result
s_bad (staff_t *x, unsigned status, const char *message)
{
    return staff_error (x, status, TR (x, "Controleer de invoer", "Please check the input"), message);
}

//  POST: the file to scoring.
static enum MHD_Result
s_attach (staff_t *x)
{
    char error [700], covenant [40];
    unsigned refused = portal_evidence_refusal (x->r, x->lang, error, sizeof error);
    if (refused == MHD_HTTP_CONTENT_TOO_LARGE)
        return s_bad (x, refused, TR (x, "Het document is groter dan 4 MB.", "The document is larger than 4 MB."));
    if (refused || portal_evidence_files (x->r) != 1)
        return s_bad (x, MHD_HTTP_BAD_REQUEST, TR (x, "Kies één PDF-, tekst-, CSV-, PNG- of JPEG-bestand.",
                                                  "Choose one PDF, text, CSV, PNG or JPEG file."));
    snprintf (covenant, sizeof covenant, "%s", portal_field (x->r, "covenant"));
    int64_t year = staff_company_year_of (x);
    if (!portal_code_ok (covenant))
        return s_bad (x, MHD_HTTP_BAD_REQUEST, TR (x, "Kies een convenant.", "Choose a covenant."));
    char name [256] = "", type [32] = "";
    char *data = malloc (S_DOC_MAX + 1);
    long n = data ? portal_evidence_file (x->r, 0, data, S_DOC_MAX + 1, name, type) : -1;
    if (n <= 0) {
        free (data);
        return s_bad (x, MHD_HTTP_BAD_REQUEST, TR (x, "Het bestand is leeg of kwam niet heel aan.",
                                                  "The file is empty or did not arrive whole."));
    }
    msgpack_sbuffer body = { 0, malloc ((size_t) n + 1024), (size_t) n + 1024 };
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 6);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_str (&pk, "org_id", x->s.org);
    imvo_pack_kv_int (&pk, "year", year);
    imvo_pack_kv_str (&pk, "name", name);
    imvo_pack_kv_str (&pk, "content_type", type);
    imvo_pack_str (&pk, "data");
    msgpack_pack_bin (&pk, (uint32_t) n);
    msgpack_pack_bin_body (&pk, data, (size_t) n);
    sodium_memzero (data, (size_t) n);
    free (data);
    imvo_response_t resp;
    int rc = staff_call_body (x, &resp, "scoring", "submission.attach", body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    char path [160];
    snprintf (path, sizeof path, "/staff/company/plan?done=document&covenant=%s&year=%lld", covenant, (long long) year);
    return staff_changed (x, rc, &resp, path);
}

enum MHD_Result
staff_company_document (staff_t *x, const char *doc_id)
{
    if (x->post)
        return *doc_id ? staff_not_found (x) : s_attach (x);
    const char *covenant = staff_query (x, "covenant");
    if (!*doc_id || strlen (doc_id) > 64 || !imvo_proto_format_ok (IMVO_FMT_ID, doc_id, strlen (doc_id))
    ||  !portal_code_ok (covenant))
        return staff_not_found (x);
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "scoring", "submission.document", "ssis", "covenant", covenant, "org_id", x->s.org,
                         "year", staff_company_year_of (x), "doc_id", doc_id);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    return staff_download (x, &resp, "document");
}

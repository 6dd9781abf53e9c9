/*  staff_evidence: a case's attachments in the staff console (complaint.get's attachments,
    complaint.attachment). The case page lists them with a link each; the link
    GET /staff/case/<case_id>/attachment/<attachment_id> answers the file only as a download
    (Content-Disposition: attachment, X-Content-Type-Options: nosniff, the strict CSP of every
    page), read on a worker thread while the connection waits (staff_call). A company person
    gets what complaints gives a company: the attachments the complainant shared.
*/
#include "staff.h"

//  The size for people: 812 B, 3.4 KiB, 9.8 MiB.
static void
s_size (int64_t n, char *out, size_t size)
{
    if (n < 1024)
        snprintf (out, size, "%lld B", (long long) n);
    else
    if (n < 1024 * 1024)
        snprintf (out, size, "%.1f KiB", (double) n / 1024);
    else
        snprintf (out, size, "%.1f MiB", (double) n / (1024 * 1024));
}

void
staff_attachments (staff_t *x, portal_buf_t *b, const char *case_id, const msgpack_object *case_body)
{
    const msgpack_object *list = imvo_map_get (case_body, "attachments");
    uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
    portal_buf_add (b, "<section class=\"card\" aria-labelledby=\"h-evidence\"><h2 id=\"h-evidence\">%s</h2>",
                    TR (x, "Bewijsstukken", "Evidence"));
    staff_list_start (b, n, TR (x, "Geen bestanden.", "No files."), " class=\"files\"");
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *a = &list->via.array.ptr [i];
        char aid [80] = "", from [32] = "", when [32], size [32];
        int64_t bytes = 0;
        imvo_obj_strcpy (imvo_map_get (a, "attachment_id"), aid, sizeof aid);
        imvo_obj_strcpy (imvo_map_get (a, "from"), from, sizeof from);
        imvo_obj_int (imvo_map_get (a, "size"), &bytes);
        s_size (bytes, size, sizeof size);
        staff_when (imvo_map_get (a, "at"), when);
        portal_buf_add (b, "<li><a download href=\"/staff/case/");
        staff_buf_url (b, case_id);
        portal_buf_add (b, "/attachment/");
        staff_buf_url (b, aid);
        portal_buf_add (b, "?lang=%s\">", staff_lang (x));
        portal_buf_obj (b, imvo_map_get (a, "name"));
        portal_buf_add (b, "</a> <span class=\"help\">(");
        portal_buf_obj (b, imvo_map_get (a, "content_type"));
        portal_buf_add (b, ", %s; %s, %s", size, when, staff_role (x, from));
        const msgpack_object *shared = imvo_map_get (a, "shared");
        if (!streq (x->s.role, "company"))
            portal_buf_add (b, "; %s", shared && shared->type == MSGPACK_OBJECT_BOOLEAN && shared->via.boolean
                                       ? TR (x, "gedeeld met het bedrijf", "shared with the company")
                                       : TR (x, "niet voor het bedrijf", "not for the company"));
        portal_buf_add (b, ")</span></li>");
    }
    staff_list_end (b, n);
    portal_buf_add (b, "</section>");
}

void
staff_file_name (char *name, size_t size, const char *fallback)
{
    //  The name as a header may carry it: ASCII letters, digits and . - _ ; anything else _.
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'
              || *p == '_'))
            *p = '_';
    if (!name [0] || name [0] == '.')
        snprintf (name, size, "%s", fallback);
}

enum MHD_Result
staff_attachment (staff_t *x, const char *case_id, const char *attachment_id)
{
    if (!imvo_proto_format_ok (IMVO_FMT_CASE_ID, case_id, strlen (case_id))
    ||  !*attachment_id || strlen (attachment_id) > 64 || !imvo_proto_format_ok (IMVO_FMT_ID, attachment_id, strlen (attachment_id)))
        return staff_not_found (x);
    imvo_response_t resp;
    int rc = staff_call (x, &resp, "complaints", "complaint.attachment", "ss", "case_id", case_id,
                         "attachment_id", attachment_id);
    if (rc == STAFF_WAIT)
        return MHD_YES;
    if (rc || !resp.ok)
        return staff_failed (x, rc, &resp);
    return staff_download (x, &resp, "attachment");
}

enum MHD_Result
staff_download (staff_t *x, imvo_response_t *resp, const char *fallback)
{
    const msgpack_object *data = imvo_map_get (resp->body, "data");
    char type [80] = "application/octet-stream", name [256] = "";
    imvo_obj_strcpy (imvo_map_get (resp->body, "content_type"), type, sizeof type);
    imvo_obj_strcpy (imvo_map_get (resp->body, "name"), name, sizeof name);
    staff_file_name (name, sizeof name, fallback);
    enum MHD_Result answer;
    if (!data || data->type != MSGPACK_OBJECT_BIN)
        answer = staff_error (x, MHD_HTTP_INTERNAL_SERVER_ERROR, TR (x, "Niet beschikbaar", "Unavailable"),
                              TR (x, "Het bestand kwam niet mee.", "The file did not come along."));
    else
        answer = portal_send_file (x->c, MHD_HTTP_OK, type, data->via.bin.ptr, data->via.bin.size, NULL, name);
    imvo_response_release (resp);
    return answer;
}

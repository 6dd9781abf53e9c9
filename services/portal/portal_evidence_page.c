/*  portal_evidence_page: what the pages say of a complaint's files: the words (English, through
    gettext), the form's and the status page's file inputs, a refused upload's error and the
    list of each file's outcome (the receipt page, the status page). */
#include "portal_evidence.h"

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

const char *
portal_evidence_word (portal_lang_t lang, portal_evidence_text_t key)
{
    return portal_tr (lang, s_texts [key]);
}

unsigned
portal_evidence_refusal (const portal_req_t *r, portal_lang_t lang, char *error, size_t size)
{
    const portal_upload_t *up = r ? r->upload : NULL;
    if (!up || !up->refused)
        return 0;
    char text [600];
    const char *fmt = portal_evidence_word (lang, up->refused == R_FILE_MAX ? E_FILE_MAX
                                                : up->refused == R_TOTAL_MAX ? E_TOTAL_MAX
                                                : up->refused == R_TYPE ? E_TYPE : up->refused == R_COUNT ? E_COUNT
                                                : up->refused == R_BUSY ? E_BUSY : E_BROKEN);
    //  The formats are ours and take the file's name (or nothing) once.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf (text, sizeof text, fmt, up->refused_name);
#pragma GCC diagnostic pop
    snprintf (error, size, "%s %s", text, portal_evidence_word (lang, E_AGAIN));
    return up->refused == R_FILE_MAX || up->refused == R_TOTAL_MAX ? MHD_HTTP_CONTENT_TOO_LARGE
         : up->refused == R_BUSY ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_BAD_REQUEST;
}

//  --- the form's parts -------------------------------------------------------------------------------

void
portal_evidence_input (portal_buf_t *b, portal_lang_t lang)
{
    portal_buf_add (b, "<label for=\"evidence\">%s</label><input type=\"file\" id=\"evidence\" name=\"evidence\" "
                       "multiple accept=\"", portal_evidence_word (lang, E_LABEL));
    for (int i = 0; portal_evidence_types [i]; i++)
        portal_buf_add (b, "%s%s", i ? "," : "", portal_evidence_types [i]);
    portal_buf_add (b, "\" aria-describedby=\"evidence-help\"><p class=\"help\" id=\"evidence-help\">%s</p>",
                    portal_evidence_word (lang, E_HELP));
}

void
portal_evidence_status_form (portal_buf_t *b, portal_lang_t lang, const char *token, const char *receipt)
{
    //  Its action names the language: a form of its own beside the message's.
    portal_buf_add (b, "<h2>%s</h2><form method=\"post\" action=\"/status?lang=%s\" enctype=\"multipart/form-data\">",
                    portal_evidence_word (lang, E_ADD), portal_lang_code (lang));
    portal_hidden (b, "csrf", token);
    portal_hidden (b, "receipt", receipt);
    portal_hidden (b, "lang", portal_lang_code (lang));
    portal_buf_add (b, "<label for=\"evidence\">%s</label><input type=\"file\" id=\"evidence\" name=\"evidence\" "
                       "multiple required accept=\"", portal_evidence_word (lang, E_FILES));
    for (int i = 0; portal_evidence_types [i]; i++)
        portal_buf_add (b, "%s%s", i ? "," : "", portal_evidence_types [i]);
    portal_buf_add (b, "\" aria-describedby=\"evidence-help\"><p class=\"help\" id=\"evidence-help\">%s</p>"
                       "<button type=\"submit\">%s</button></form>", portal_evidence_word (lang, E_HELP),
                    portal_evidence_word (lang, E_SEND_FILES));
}

void
portal_evidence_list (portal_buf_t *b, portal_lang_t lang, const portal_upload_t *up)
{
    if (!up->nfiles)
        return;
    portal_buf_add (b, "<h2>%s</h2><ul class=\"files\" id=\"files\">", portal_evidence_word (lang, E_FILES));
    for (int i = 0; i < up->nfiles; i++) {
        const portal_evidence_file_t *f = &up->files [i];
        bool pending = up->state != S_DONE && !f->ok && !f->err.code;
        portal_buf_add (b, "<li data-outcome=\"%s\">", f->ok ? "received" : pending ? "sending" : "refused");
        portal_buf_str (b, f->name);
        if (f->ok || pending)
            portal_buf_add (b, ": %s</li>", portal_evidence_word (lang, f->ok ? E_RECEIVED : E_SENDING));
        else {
            portal_buf_add (b, ": %s (", portal_evidence_word (lang, E_NOT_RECEIVED));
            if (f->err.code == IMVO_ERR_INVALID_ARGUMENT && streq (f->err.field, "content_type"))
                portal_buf_str (b, portal_evidence_word (lang, E_BAD_CONTENT));
            else
                portal_buf_str (b, f->err.message);
            portal_buf_add (b, ")</li>");
        }
    }
    portal_buf_add (b, "</ul>");
}

/*  imvoctl complaint from-mail: one RFC 5322 message as a complaint, read with GMime.

    The subject becomes the summary; the text body (or the HTML body as text, through
    libxml2's HTML parser) the description, with the attachments listed by name, type and
    size; From the complainant's name and contact; the Message-ID the idempotency key
    ("mail:<message-id>"), so the same mail imported twice makes one case.
*/
#include "imvoctl.h"

#include <czmq.h>
#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>

#define S_SUMMARY_MAX 200
#define S_DESCRIPTION_MAX 20000

//  Copies at most max bytes of s into a new string, cut at a UTF-8 character boundary, line
//  breaks and other control characters as spaces when one_line.
static char *
s_clip (const char *s, size_t max, bool one_line)
{
    size_t len = strlen (s);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char) s [len] & 0xc0) == 0x80)
            len--;
    }
    char *out = strndup (s, len);
    for (char *p = out; one_line && *p; p++)
        if ((unsigned char) *p < 0x20 || *p == 0x7f)
            *p = ' ';
    return out;
}

//  The text of an HTML body: its content, white space collapsed; NULL when unreadable.
static char *
s_html_text (const char *html)
{
    htmlDocPtr doc = htmlReadMemory (html, (int) strlen (html), NULL, "UTF-8",
                                     HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!doc)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement (doc);
    xmlChar *content = root ? xmlNodeGetContent (root) : NULL;
    char *out = content ? strdup ((const char *) content) : NULL;
    xmlFree (content);
    xmlFreeDoc (doc);
    //  Runs of spaces and tabs as one; more than two line breaks as two.
    char *w = out;
    int newlines = 0;
    bool space = false;
    for (const char *r = out; r && *r; r++) {
        if (*r == '\n' || *r == '\r') {
            if (*r == '\n' && ++newlines <= 2)
                *w++ = '\n';
            space = false;
        }
        else
        if (*r == ' ' || *r == '\t') {
            if (!space && newlines == 0 && w > out)
                *w++ = ' ';
            space = true;
        }
        else {
            *w++ = *r;
            space = false;
            newlines = 0;
        }
    }
    if (w)
        *w = 0;
    return out;
}

//  A part's content, decoded.
static zchunk_t *
s_part_bytes (GMimePart *part)
{
    GMimeDataWrapper *content = g_mime_part_get_content (part);
    if (!content)
        return zchunk_new (NULL, 0);
    GMimeStream *mem = g_mime_stream_mem_new ();
    g_mime_data_wrapper_write_to_stream (content, mem);
    GByteArray *bytes = g_mime_stream_mem_get_byte_array ((GMimeStreamMem *) mem);
    zchunk_t *chunk = zchunk_new (bytes->data, bytes->len);
    g_object_unref (mem);
    return chunk;
}

int
imvoctl_mail_body (const char *path, const char *covenant, const char *respondent, msgpack_sbuffer *body, char *key,
                   size_t key_size)
{
    return imvoctl_mail_body_files (path, covenant, respondent, body, key, key_size, NULL);
}

int
imvoctl_mail_body_files (const char *path, const char *covenant, const char *respondent, msgpack_sbuffer *body,
                         char *key, size_t key_size, zlistx_t *files)
{
    g_mime_init ();
    GError *err = NULL;
    GMimeStream *stream = streq (path, "-") ? g_mime_stream_pipe_new (0) : g_mime_stream_fs_open (path, O_RDONLY, 0, &err);
    if (!stream) {
        fprintf (stderr, "imvoctl: cannot read %s: %s\n", path, err ? err->message : "?");
        if (err)
            g_error_free (err);
        return -1;
    }
    if (streq (path, "-"))
        g_mime_stream_pipe_set_owner ((GMimeStreamPipe *) stream, FALSE);
    GMimeParser *parser = g_mime_parser_new_with_stream (stream);
    GMimeMessage *msg = g_mime_parser_construct_message (parser, NULL);
    g_object_unref (parser);
    g_object_unref (stream);
    InternetAddressList *from = msg ? g_mime_message_get_from (msg) : NULL;
    InternetAddress *sender = from && internet_address_list_length (from) > 0
                            ? internet_address_list_get_address (from, 0) : NULL;
    if (!msg || !sender || !INTERNET_ADDRESS_IS_MAILBOX (sender)) {
        fprintf (stderr, "imvoctl: %s is not a mail with a From address\n", path);
        if (msg)
            g_object_unref (msg);
        return -1;
    }
    const char *subject = g_mime_message_get_subject (msg);
    const char *message_id = g_mime_message_get_message_id (msg);
    const char *addr = internet_address_mailbox_get_addr ((InternetAddressMailbox *) sender);
    const char *name = internet_address_get_name (sender);
    //  The first text part, the first HTML part, and the attachments.
    char *text = NULL, *html = NULL;
    zchunk_t *attachments = zchunk_new (NULL, 256);
    int nattach = 0;
    GMimePartIter *iter = g_mime_part_iter_new ((GMimeObject *) msg);
    do {
        GMimeObject *cur = g_mime_part_iter_get_current (iter);
        if (!cur || !GMIME_IS_PART (cur))
            continue;
        GMimePart *part = (GMimePart *) cur;
        GMimeContentType *type = g_mime_object_get_content_type (cur);
        if (g_mime_part_is_attachment (part) || g_mime_part_get_filename (part)) {
            char *mime = g_mime_content_type_get_mime_type (type);
            const char *file = g_mime_part_get_filename (part);
            zchunk_t *bytes = s_part_bytes (part);
            char *line = zsys_sprintf ("\n- %s (%s, %zu bytes)", file ? file : "(no name)", mime, zchunk_size (bytes));
            zchunk_extend (attachments, line, strlen (line));
            zstr_free (&line);
            if (files) {                //  kept, to attach once the mail is a case
                imvoctl_mail_file_t *kept = calloc (1, sizeof *kept);
                assert (kept);
                kept->name = s_clip (file && *file ? file : "attachment", 200, true);
                kept->type = strdup (mime);
                kept->data = bytes;
                bytes = NULL;
                zlistx_add_end (files, kept);
            }
            zchunk_destroy (&bytes);
            g_free (mime);
            nattach++;
        }
        else
        if (GMIME_IS_TEXT_PART (cur) && g_mime_content_type_is_type (type, "text", "plain") && !text)
            text = g_mime_text_part_get_text ((GMimeTextPart *) cur);
        else
        if (GMIME_IS_TEXT_PART (cur) && g_mime_content_type_is_type (type, "text", "html") && !html)
            html = g_mime_text_part_get_text ((GMimeTextPart *) cur);
    } while (g_mime_part_iter_next (iter));
    g_mime_part_iter_free (iter);
    char *html_text = !text && html ? s_html_text (html) : NULL;
    const char *said = text ? text : html_text ? html_text : "";
    char *description = zsys_sprintf ("%s%s%.*s", said, nattach ? "\n\nAttachments:" : "",
                                      (int) zchunk_size (attachments), (char *) zchunk_data (attachments));
    char *summary = s_clip (subject && *subject ? subject : "(a complaint by e-mail, without a subject)", S_SUMMARY_MAX,
                            true);
    char *desc = s_clip (*description ? description : "(the mail has no text)", S_DESCRIPTION_MAX, false);
    char *who = s_clip (name && *name ? name : addr, 200, true);
    msgpack_packer pk;
    msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4 + (respondent != NULL));
    imvo_pack_kv_str (&pk, "covenant", covenant);
    if (respondent)
        imvo_pack_kv_str (&pk, "respondent", respondent);
    imvo_pack_kv_str (&pk, "summary", summary);
    imvo_pack_kv_str (&pk, "description", desc);
    imvo_pack_str (&pk, "complainant");
    msgpack_pack_map (&pk, 3);
    imvo_pack_kv_bool (&pk, "anonymous", false);
    imvo_pack_kv_str (&pk, "name", who);
    imvo_pack_kv_str (&pk, "contact", addr);
    if (message_id && *message_id)
        snprintf (key, key_size, "mail:%.*s", (int) (key_size - 6), message_id);
    else
        key [0] = 0;
    free (summary);
    free (desc);
    free (who);
    zstr_free (&description);
    g_free (text);
    g_free (html);
    free (html_text);
    zchunk_destroy (&attachments);
    g_object_unref (msg);
    return 0;
}

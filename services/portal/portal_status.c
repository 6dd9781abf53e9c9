/*  portal_status: following a case by its receipt: the status, the history, the messages that
    the complainant may see, and sending one (checked by the catalogue's validator of
    complaint.message first). Wrong receipts are counted per client address (portal_guard.c).
*/
#include "portal.h"

#include <ctype.h>
#include <sodium.h>

enum MHD_Result
portal_status (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *addr, bool post)
{
    char cookie [33], set [128], token [65];
    portal_csrf_cookie (c, cookie, set);
    portal_csrf_token (cookie, token);
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_FOLLOW), "/status");
    const char *receipt = portal_field (r, "receipt");
    unsigned status = MHD_HTTP_OK;
    bool shown = false;
    if (post && !portal_allowed (portal_misses, addr, 10, 60000, false)) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_TOO_MANY));
        status = MHD_HTTP_TOO_MANY_REQUESTS;
    }
    else
    if (post) {
        //  Files from the form below: sent by the receipt while the page waits, then listed.
        if (portal_evidence_status (c, r, lang, receipt, &b, &status)) {
            portal_buf_release (&b);
            return MHD_YES;
        }
        if (*portal_field (r, "text")) {
            //  The catalogue checks the message first; a wrong receipt is told below.
            msgpack_sbuffer message;
            msgpack_sbuffer_init (&message);
            msgpack_packer mpk;
            msgpack_packer_init (&mpk, &message, msgpack_sbuffer_write);
            msgpack_pack_map (&mpk, 2);
            imvo_pack_kv_str (&mpk, "receipt", receipt);
            imvo_pack_kv_str (&mpk, "text", portal_field (r, "text"));
            imvo_error_t err;
            if (portal_check ("complaint.message", message.data, message.size, &err) && streq (err.field, "text")) {
                portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s %s (", portal_t (lang, T_CHECK),
                                portal_t (lang, T_MESSAGE));
                portal_buf_str (&b, err.message);
                portal_buf_add (&b, ")</p>");
                status = MHD_HTTP_BAD_REQUEST;
            }
            else {
                imvo_response_t sent;
                if (portal_call ("complaints", "complaint.message", message.data, message.size, &sent) == 0 && sent.ok)
                    portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", portal_t (lang, T_SENT));
                imvo_response_release (&sent);
            }
            msgpack_sbuffer_destroy (&message);
        }
        msgpack_sbuffer body;
        imvo_pack_one_str (&body, "receipt", receipt);
        imvo_response_t st;
        int rc = portal_call ("complaints", "complaint.status", body.data, body.size, &st);
        if (rc == 0 && st.ok) {
            shown = true;
            char word [32] = "";
            imvo_obj_strcpy (imvo_map_get (st.body, "status"), word, sizeof word);
            portal_buf_add (&b, "<h2>%s</h2><p id=\"status\" data-status=\"%s\">%s</p>", portal_t (lang, T_STATUS),
                            word, portal_status_words (lang, word));
            //  The committee's public statement, once published: what the public reads of the case.
            const msgpack_object *statement = imvo_map_get (st.body, "statement");
            if (statement && statement->type == MSGPACK_OBJECT_STR) {
                char conclusion [32] = "", outcome [32] = "";
                imvo_obj_strcpy (imvo_map_get (st.body, "conclusion"), conclusion, sizeof conclusion);
                imvo_obj_strcpy (imvo_map_get (st.body, "outcome"), outcome, sizeof outcome);
                portal_buf_add (&b, "<section class=\"msg decision\" aria-labelledby=\"h-statement\"><h2 id=\"h-statement\">%s"
                                    "</h2><p><strong>%s</strong></p><p class=\"statement\" id=\"statement\">",
                                portal_tr (lang, "The committee's public statement"),
                                portal_conclusion (lang, conclusion, outcome));
                portal_buf_obj (&b, statement);
                portal_buf_add (&b, "</p></section>");
            }
            //  The history: the status changes notify keeps for the complainant.
            imvo_response_t inbox;
            if (portal_call ("notify", "inbox.by_receipt", body.data, body.size, &inbox) == 0 && inbox.ok) {
                const msgpack_object *items = imvo_map_get (inbox.body, "items");
                portal_buf_add (&b, "<h2>%s</h2><ol class=\"history\"><li>%s</li>", portal_t (lang, T_HISTORY),
                                portal_status_words (lang, "received"));
                for (uint32_t i = items && items->type == MSGPACK_OBJECT_ARRAY ? items->via.array.size : 0; i > 0; i--) {
                    const msgpack_object *it = &items->via.array.ptr [i - 1];
                    const msgpack_object *at = imvo_map_get (it, "at");
                    char when [32] = "";
                    if (at && at->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
                        time_t t = (time_t) (at->via.u64 / 1000);
                        strftime (when, sizeof when, "%Y-%m-%d", gmtime (&t));
                    }
                    //  In the page's words when the item says which status; else its own title. The
                    //  decision's item says what the move to decided beside it says (in the case's
                    //  language, not the page's): left out.
                    if (imvo_obj_streq (imvo_map_get (it, "type"), "complaint.decided"))
                        continue;
                    char to [32] = "";
                    portal_buf_add (&b, "<li>%s: ", when);
                    if (imvo_obj_strcpy (imvo_map_get (it, "status"), to, sizeof to) == 0)
                        portal_buf_str (&b, portal_status_words (lang, to));
                    else
                    if (imvo_obj_streq (imvo_map_get (it, "type"), "complaint.published"))
                        portal_buf_str (&b, portal_tr (lang, "The committee's public statement"));
                    else
                        portal_buf_obj (&b, imvo_map_get (it, "title"));
                    portal_buf_add (&b, "</li>");
                }
                portal_buf_add (&b, "</ol>");
            }
            imvo_response_release (&inbox);
            imvo_response_t msgs;
            portal_buf_add (&b, "<h2>%s</h2>", portal_t (lang, T_MESSAGES));
            if (portal_call ("complaints", "complaint.messages", body.data, body.size, &msgs) == 0 && msgs.ok) {
                const msgpack_object *list = imvo_map_get (msgs.body, "messages");
                uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
                if (!n)
                    portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_NO_MESSAGES));
                for (uint32_t i = 0; i < n; i++) {
                    char from [32] = "";
                    imvo_obj_strcpy (imvo_map_get (&list->via.array.ptr [i], "from"), from, sizeof from);
                    portal_buf_add (&b, "<div class=\"msg\"><strong>");
                    portal_buf_str (&b, portal_who (lang, from));
                    portal_buf_add (&b, "</strong><p>");
                    portal_buf_obj (&b, imvo_map_get (&list->via.array.ptr [i], "text"));
                    portal_buf_add (&b, "</p></div>");
                }
            }
            imvo_response_release (&msgs);
            portal_buf_add (&b, "<form method=\"post\" action=\"/status\">");
            portal_hidden (&b, "csrf", token);
            portal_hidden (&b, "receipt", receipt);
            portal_hidden (&b, "lang", portal_lang_code (lang));
            portal_buf_add (&b, "<label for=\"text\">%s</label><textarea id=\"text\" name=\"text\" required "
                                "maxlength=\"%ld\"></textarea><button type=\"submit\">%s</button></form>",
                            portal_t (lang, T_MESSAGE), portal_max ("complaint.message", "text"), portal_t (lang, T_SEND));
            portal_evidence_status_form (&b, lang, token, receipt);
        }
        else
        if (rc == 0 && (st.err.code == IMVO_ERR_NOT_FOUND || st.err.code == IMVO_ERR_INVALID_ARGUMENT
                        || st.err.code == IMVO_ERR_BUSY)) {
            //  Unknown and malformed receipts get the same answer; each counts against the address.
            portal_allowed (portal_misses, addr, 10, 60000, true);
            portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_WRONG_RECEIPT));
            status = MHD_HTTP_NOT_FOUND;
        }
        else {
            portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_UNAVAILABLE));
            status = MHD_HTTP_SERVICE_UNAVAILABLE;
        }
        imvo_response_release (&st);
        msgpack_sbuffer_destroy (&body);
    }
    if (!shown) {
        portal_buf_add (&b, "<form method=\"post\" action=\"/status\">");
        portal_hidden (&b, "csrf", token);
        portal_hidden (&b, "lang", portal_lang_code (lang));
        portal_buf_add (&b, "<label for=\"receipt\">%s</label><input type=\"text\" id=\"receipt\" name=\"receipt\" "
                            "required autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\">"
                            "<button type=\"submit\">%s</button></form>", portal_t (lang, T_RECEIPT),
                        portal_t (lang, T_SHOW));
    }
    portal_page_end (&b);
    return portal_page (c, status, &b, set [0] ? set : NULL);
}


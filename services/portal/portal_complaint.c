/*  portal_complaint: the complainant's pages: the form (the covenant first, then the rest),
    filing through the intake queue and the receipt page, and following a case by receipt
    (status, history, messages, sending one). */
#include "portal.h"

#include <microhttpd.h>
#include <sodium.h>

//  --- the form -------------------------------------------------------------------------------

static void
s_input (portal_buf_t *b, const char *name, const char *label, const char *value, const char *extra)
{
    portal_buf_add (b, "<label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" value=\"", name, label,
                    name, name);
    portal_buf_str (b, value);
    portal_buf_add (b, "\" %s>", extra);
}

//  The covenant's active members, for the company list and for matching the name typed.
static int
s_members (const char *covenant, imvo_response_t *resp)
{
    int rc = portal_ask (resp, "membership", "member.list", "si", "covenant", covenant, "limit", (int64_t) 1000);
    return rc == 0 && resp->ok ? 0 : -1;
}

enum MHD_Result
portal_form (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *covenant, const char *error)
{
    char cookie [33], set [128], token [65];
    portal_csrf_cookie (c, cookie, set);
    portal_csrf_token (cookie, token);
    portal_buf_t b;
    portal_buf_init (&b);
    char other [96];
    snprintf (other, sizeof other, "/?lang=%s%s%s", lang == PORTAL_EN ? "nl" : "en", *covenant ? "&covenant=" : "",
              covenant);
    portal_page_start (&b, lang, portal_t (lang, T_TITLE), other);
    portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_INTRO));
    if (error && *error) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p>");
    }
    imvo_response_t cov;
    if (portal_call ("membership", "covenant.list", NULL, 0, &cov) || !cov.ok) {
        imvo_response_release (&cov);
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (lang, T_UNAVAILABLE));
        portal_page_end (&b);
        return portal_page (c, MHD_HTTP_SERVICE_UNAVAILABLE, &b, set [0] ? set : NULL);
    }
    //  Step 1: the covenant (a plain GET form: it works without JavaScript).
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    portal_buf_add (&b, "<form method=\"get\" action=\"/\"><input type=\"hidden\" name=\"lang\" value=\"%s\">"
                        "<label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                    lang == PORTAL_EN ? "en" : "nl", portal_t (lang, T_COVENANT));
    bool known = false;
    for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
        const msgpack_object *cv = &list->via.array.ptr [i];
        if (!imvo_obj_streq (imvo_map_get (cv, "status"), "active"))
            continue;
        char code [40] = "";
        imvo_obj_strcpy (imvo_map_get (cv, "code"), code, sizeof code);
        known |= streq (code, covenant);
        portal_buf_add (&b, "<option value=\"");
        portal_buf_str (&b, code);
        portal_buf_add (&b, "\"%s>", streq (code, covenant) ? " selected" : "");
        portal_buf_obj (&b, imvo_map_get (cv, "name"));
        portal_buf_add (&b, "</option>");
    }
    imvo_response_release (&cov);
    portal_buf_add (&b, "</select><button type=\"submit\">%s</button></form>", portal_t (lang, T_CHOOSE));
    if (!known) {
        portal_page_end (&b);
        return portal_page (c, MHD_HTTP_OK, &b, set [0] ? set : NULL);
    }
    //  Step 2: the complaint, with the covenant's companies to choose from.
    unsigned char raw [16];
    char key [33];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (key, sizeof key, raw, sizeof raw);
    portal_buf_add (&b, "<form method=\"post\" action=\"/submit\">");
    portal_hidden (&b, "csrf", token);
    portal_hidden (&b, "key", *portal_field (r, "key") ? portal_field (r, "key") : key);      //  one complaint per form
    portal_hidden (&b, "covenant", covenant);
    portal_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
    s_input (&b, "company", portal_t (lang, T_COMPANY), portal_field (r, "company"),
             "list=\"companies\" required autocomplete=\"off\" aria-describedby=\"company-help\"");
    portal_buf_add (&b, "<p class=\"help\" id=\"company-help\">%s</p><datalist id=\"companies\">",
                    portal_t (lang, T_COMPANY_HELP));
    imvo_response_t members;
    if (s_members (covenant, &members) == 0) {
        const msgpack_object *m = imvo_map_get (members.body, "members");
        for (uint32_t i = 0; m && m->type == MSGPACK_OBJECT_ARRAY && i < m->via.array.size; i++)
            if (imvo_obj_streq (imvo_map_get (&m->via.array.ptr [i], "kind"), "company")) {
                portal_buf_add (&b, "<option value=\"");
                portal_buf_obj (&b, imvo_map_get (&m->via.array.ptr [i], "name"));
                portal_buf_add (&b, "\">");
            }
    }
    imvo_response_release (&members);
    portal_buf_add (&b, "</datalist>");
    s_input (&b, "summary", portal_t (lang, T_SUMMARY), portal_field (r, "summary"), "required maxlength=\"200\"");
    portal_buf_add (&b, "<label for=\"description\">%s</label><textarea id=\"description\" name=\"description\" "
                        "required maxlength=\"20000\">", portal_t (lang, T_DESCRIPTION));
    portal_buf_str (&b, portal_field (r, "description"));
    portal_buf_add (&b, "</textarea>");
    s_input (&b, "place", portal_t (lang, T_PLACE), portal_field (r, "place"), "maxlength=\"300\"");
    s_input (&b, "country", portal_t (lang, T_COUNTRY), portal_field (r, "country"),
             "maxlength=\"2\" pattern=\"[A-Za-z]{2}\" autocomplete=\"country\"");
    bool named = streq (portal_field (r, "who"), "named");
    portal_buf_add (&b, "<fieldset><legend>%s</legend>"
                        "<label><input type=\"radio\" name=\"who\" value=\"anonymous\"%s> %s</label>"
                        "<label><input type=\"radio\" name=\"who\" value=\"named\"%s> %s</label>",
                    portal_t (lang, T_WHO), named ? "" : " checked", portal_t (lang, T_ANONYMOUS),
                    named ? " checked" : "", portal_t (lang, T_NAMED));
    s_input (&b, "name", portal_t (lang, T_NAME), portal_field (r, "name"), "maxlength=\"200\" autocomplete=\"name\"");
    s_input (&b, "contact", portal_t (lang, T_CONTACT), portal_field (r, "contact"), "maxlength=\"200\"");
    portal_buf_add (&b, "<label><input type=\"checkbox\" name=\"share\" value=\"yes\"%s> %s</label></fieldset>"
                        "<button type=\"submit\">%s</button></form>",
                    streq (portal_field (r, "share"), "yes") ? " checked" : "", portal_t (lang, T_SHARE),
                    portal_t (lang, T_SUBMIT));
    portal_page_end (&b);
    return portal_page (c, error && *error ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, set [0] ? set : NULL);
}

//  --- submitting -----------------------------------------------------------------------------

static enum MHD_Result
s_receipt_page (struct MHD_Connection *c, portal_lang_t lang, const char *state, const char *receipt,
                const char *error, const char *key, const char *token)
{
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, streq (state, "failed") ? T_FAILED : T_RECEIPT_TITLE),
                       lang == PORTAL_EN ? "/?lang=nl" : "/?lang=en");
    if (streq (state, "done") && receipt) {
        portal_buf_add (&b, "<p>%s</p><p class=\"receipt\" id=\"receipt\">", portal_t (lang, T_RECEIPT_KEEP));
        portal_buf_str (&b, receipt);
        char due [32];
        time_t t = time (NULL) + 7 * 86400;
        strftime (due, sizeof due, "%Y-%m-%d", gmtime (&t));
        portal_buf_add (&b, "</p><p>");
        portal_buf_add (&b, portal_t (lang, T_NEXT), due);
        portal_buf_add (&b, "</p><p><a href=\"/status?lang=%s\">%s</a></p>", lang == PORTAL_EN ? "en" : "nl",
                        portal_t (lang, T_FOLLOW));
    }
    else
    if (streq (state, "failed")) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p>");
    }
    else {
        //  Still in the queue: the same key asks again (a POST: nothing in the URL).
        portal_buf_add (&b, "<p>%s</p><form method=\"post\" action=\"/submit\">", portal_t (lang, T_PENDING));
        portal_hidden (&b, "csrf", token);
        portal_hidden (&b, "key", key);
        portal_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
        portal_hidden (&b, "again", "yes");
        portal_buf_add (&b, "<button type=\"submit\">%s</button></form>", portal_t (lang, T_REFRESH));
    }
    portal_page_end (&b);
    return portal_page (c, streq (state, "failed") ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b, NULL);
}

//  The outcome of the queued complaint with this key, waiting up to 5 s.
static void
s_intake_result (const char *key, imvo_response_t *resp, char *state, size_t size)
{
    snprintf (state, size, "pending");
    int64_t deadline = zclock_mono () + 5000;
    do {
        if (portal_ask (resp, "complaints", "complaint.intake_result", "s", "key", key) == 0 && resp->ok) {
            imvo_obj_strcpy (imvo_map_get (resp->body, "state"), state, size);
            if (!streq (state, "pending"))
                break;
        }
        imvo_response_release (resp);
        memset (resp, 0, sizeof *resp);
        msgpack_zone_init (&resp->zone, 64);
        zclock_sleep (50);
    } while (zclock_mono () < deadline);
}

enum MHD_Result
portal_submit (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *addr)
{
    const char *key = portal_field (r, "key"), *covenant = portal_field (r, "covenant");
    char token [65] = "";
    const char *cookie = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "csrf");
    if (cookie && strlen (cookie) == 32)
        portal_csrf_token (cookie, token);
    if (!portal_csrf_ok (c, r) || strlen (key) != 32)
        return portal_form (c, r, lang, covenant, portal_t (lang, T_EXPIRED));
    if (!streq (portal_field (r, "again"), "yes")) {
        //  Which fields are missing, by their labels.
        char missing [512] = "";
        static const struct { const char *name; portal_text_t label; } required [] = {
            { "company", T_COMPANY }, { "summary", T_SUMMARY }, { "description", T_DESCRIPTION } };
        for (size_t i = 0; i < sizeof required / sizeof required [0]; i++)
            if (!*portal_field (r, required [i].name))
                snprintf (missing + strlen (missing), sizeof missing - strlen (missing), "%s%s",
                          missing [0] ? "; " : "", portal_t (lang, required [i].label));
        bool named = streq (portal_field (r, "who"), "named");
        if (named && !*portal_field (r, "name"))
            snprintf (missing + strlen (missing), sizeof missing - strlen (missing), "%s%s", missing [0] ? "; " : "",
                      portal_t (lang, T_NAME));
        if (named && !*portal_field (r, "contact"))
            snprintf (missing + strlen (missing), sizeof missing - strlen (missing), "%s%s", missing [0] ? "; " : "",
                      portal_t (lang, T_CONTACT));
        if (missing [0]) {
            char error [640];
            snprintf (error, sizeof error, "%s %s", portal_t (lang, T_MISSING), missing);
            return portal_form (c, r, lang, covenant, error);
        }
        //  The company by the name typed (or its id), among the covenant's members.
        char respondent [72] = "";
        imvo_response_t members;
        if (s_members (covenant, &members) == 0) {
            const msgpack_object *m = imvo_map_get (members.body, "members");
            const char *typed = portal_field (r, "company");
            for (uint32_t i = 0; m && m->type == MSGPACK_OBJECT_ARRAY && i < m->via.array.size && !respondent [0]; i++) {
                const msgpack_object *one = &m->via.array.ptr [i], *name = imvo_map_get (one, "name");
                if (!imvo_obj_streq (imvo_map_get (one, "kind"), "company"))
                    continue;
                if ((name && name->type == MSGPACK_OBJECT_STR && name->via.str.size == strlen (typed)
                     && strncasecmp (name->via.str.ptr, typed, name->via.str.size) == 0)
                ||  imvo_obj_streq (imvo_map_get (one, "org_id"), typed))
                    imvo_obj_strcpy (imvo_map_get (one, "org_id"), respondent, sizeof respondent);
            }
        }
        imvo_response_release (&members);
        if (!respondent [0])
            return portal_form (c, r, lang, covenant, portal_t (lang, T_NO_COMPANY));
        if (!portal_allowed (portal_submits, addr, 5, 600000, true))
            return portal_form (c, r, lang, covenant, portal_t (lang, T_TOO_MANY));
        //  The envelope, as on the socket, into the intake queue.
        msgpack_sbuffer env;
        msgpack_sbuffer_init (&env);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &env, msgpack_sbuffer_write);
        char id [33];
        unsigned char raw [16];
        randombytes_buf (raw, sizeof raw);
        sodium_bin2hex (id, sizeof id, raw, sizeof raw);
        msgpack_pack_map (&pk, 5);
        imvo_pack_kv_int (&pk, "v", 1);
        imvo_pack_kv_str (&pk, "id", id);
        imvo_pack_kv_str (&pk, "type", "complaint.submit");
        imvo_pack_kv_str (&pk, "key", key);
        imvo_pack_str (&pk, "body");
        const char *place = portal_field (r, "place"), *country = portal_field (r, "country");
        msgpack_pack_map (&pk, 5 + (strlen (country) == 2));
        imvo_pack_kv_str (&pk, "covenant", covenant);
        imvo_pack_kv_str (&pk, "respondent", respondent);
        imvo_pack_kv_str (&pk, "summary", portal_field (r, "summary"));
        char *description = *place ? zsys_sprintf ("%s\n\n%s: %s", portal_field (r, "description"),
                                                   portal_t (lang, T_PLACE), place)
                                   : strdup (portal_field (r, "description"));
        imvo_pack_kv_str (&pk, "description", description);
        zstr_free (&description);
        imvo_pack_str (&pk, "complainant");
        msgpack_pack_map (&pk, named ? 4 : 1);
        imvo_pack_kv_bool (&pk, "anonymous", !named);
        if (named) {
            imvo_pack_kv_str (&pk, "name", portal_field (r, "name"));
            imvo_pack_kv_str (&pk, "contact", portal_field (r, "contact"));
            imvo_pack_kv_bool (&pk, "share_identity", streq (portal_field (r, "share"), "yes"));
        }
        if (strlen (country) == 2) {
            char cc [3] = { (char) toupper ((unsigned char) country [0]), (char) toupper ((unsigned char) country [1]), 0 };
            imvo_pack_kv_str (&pk, "country", cc);
        }
        redisReply *x = portal_redis ? imvo_redis_cmd (portal_redis, "XADD imvo:complaints:intake * msg %b", env.data, env.size)
                                : NULL;
        bool queued = x && x->type == REDIS_REPLY_STRING;
        if (x)
            freeReplyObject (x);
        msgpack_sbuffer_destroy (&env);
        if (!queued)
            return portal_form (c, r, lang, covenant, portal_t (lang, T_UNAVAILABLE));
    }
    imvo_response_t resp;
    char state [16];
    s_intake_result (key, &resp, state, sizeof state);
    char receipt [96] = "", error [300] = "";
    if (streq (state, "done"))
        imvo_obj_strcpy (imvo_map_get (resp.body, "receipt"), receipt, sizeof receipt);
    if (streq (state, "failed"))
        imvo_obj_strcpy (imvo_map_get (imvo_map_get (resp.body, "error"), "message"), error, sizeof error);
    imvo_response_release (&resp);
    if (streq (state, "done") && !receipt [0])
        snprintf (state, sizeof state, "expired");      //  the receipt is shown for 24 hours only
    return s_receipt_page (c, lang, streq (state, "expired") ? "failed" : state, receipt,
                           streq (state, "expired") ? portal_t (lang, T_EXPIRED) : error, key, token);
}

//  --- following a case ---------------------------------------------------------------------

enum MHD_Result
portal_status (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *addr, bool post)
{
    char cookie [33], set [128], token [65];
    portal_csrf_cookie (c, cookie, set);
    portal_csrf_token (cookie, token);
    portal_buf_t b;
    portal_buf_init (&b);
    portal_page_start (&b, lang, portal_t (lang, T_FOLLOW), lang == PORTAL_EN ? "/status?lang=nl" : "/status?lang=en");
    const char *receipt = portal_field (r, "receipt");
    unsigned status = MHD_HTTP_OK;
    bool shown = false;
    if (post && !portal_csrf_ok (c, r)) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_EXPIRED));
        status = MHD_HTTP_BAD_REQUEST;
    }
    else
    if (post && !portal_allowed (portal_misses, addr, 10, 60000, false)) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">%s</p>", portal_t (lang, T_TOO_MANY));
        status = MHD_HTTP_TOO_MANY_REQUESTS;
    }
    else
    if (post) {
        if (*portal_field (r, "text")) {
            imvo_response_t sent;
            if (portal_ask (&sent, "complaints", "complaint.message", "ss", "receipt", receipt, "text",
                            portal_field (r, "text")) == 0 && sent.ok)
                portal_buf_add (&b, "<p class=\"ok\" role=\"status\">%s</p>", portal_t (lang, T_SENT));
            imvo_response_release (&sent);
        }
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 1);
        imvo_pack_kv_str (&pk, "receipt", receipt);
        imvo_response_t st;
        int rc = portal_call ("complaints", "complaint.status", body.data, body.size, &st);
        if (rc == 0 && st.ok) {
            shown = true;
            char word [32] = "";
            imvo_obj_strcpy (imvo_map_get (st.body, "status"), word, sizeof word);
            portal_buf_add (&b, "<h2>%s</h2><p id=\"status\" data-status=\"%s\">%s</p>", portal_t (lang, T_STATUS),
                            word, portal_status_words (lang, word));
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
                    //  In the page's words when the item says which status; else its own title.
                    char to [32] = "";
                    portal_buf_add (&b, "<li>%s: ", when);
                    if (imvo_obj_strcpy (imvo_map_get (it, "status"), to, sizeof to) == 0)
                        portal_buf_str (&b, portal_status_words (lang, to));
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
            portal_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
            portal_buf_add (&b, "<label for=\"text\">%s</label><textarea id=\"text\" name=\"text\" required "
                                "maxlength=\"5000\"></textarea><button type=\"submit\">%s</button></form>",
                            portal_t (lang, T_MESSAGE), portal_t (lang, T_SEND));
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
        portal_hidden (&b, "lang", lang == PORTAL_EN ? "en" : "nl");
        portal_buf_add (&b, "<label for=\"receipt\">%s</label><input type=\"text\" id=\"receipt\" name=\"receipt\" "
                            "required autocomplete=\"off\" autocapitalize=\"characters\" spellcheck=\"false\">"
                            "<button type=\"submit\">%s</button></form>", portal_t (lang, T_RECEIPT),
                        portal_t (lang, T_SHOW));
    }
    portal_page_end (&b);
    return portal_page (c, status, &b, set [0] ? set : NULL);
}


/*  portal_complaint: the complainant's pages: the form (the covenant first, then the rest),
    filing through the intake queue and the receipt page. Following a case by receipt is
    portal_status.c.

    The form's fields are checked by the catalogue's validator of complaint.submit (the same
    check complaints runs on the entry) before anything is queued, and its limits (maxlength)
    come from that entry: a refusal names the field on the form, never later in the queue.

    The submit does not wait for the intake queue: it queues the complaint and answers 303 to
    /received at once. The key travels in an HttpOnly cookie for /received only, never in a
    URL, and is dropped once the receipt (or the failure) has been shown. /received asks
    complaint.intake_result once; while the entry is pending its request waits without holding
    an HTTP thread (portal_wait.c says how and why), and then shows the receipt, the error, or
    that the complaint is being registered, with a link to look again. */
#include "portal.h"
#include "portal_places.h"
#include "imvo_keys.h"
#include "catalogue_translation.h"

#include <ctype.h>
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

int
portal_members (const char *covenant, bool fresh, imvo_response_t *resp)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "covenant", covenant);
    imvo_pack_kv_int (&pk, "limit", 1000);
    int rc = fresh ? portal_call ("membership", "member.list", body.data, body.size, resp)
                   : portal_call_cached ("membership", "member.list", body.data, body.size, 1000, resp);
    msgpack_sbuffer_destroy (&body);
    return rc == 0 && resp->ok ? 0 : -1;
}

enum MHD_Result
portal_form (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *covenant, const char *error,
             unsigned status)
{
    char cookie [33], set [128], token [65];
    portal_csrf_cookie (c, cookie, set);
    portal_csrf_token (cookie, token);
    portal_buf_t b;
    portal_buf_init (&b);
    char here [96];
    snprintf (here, sizeof here, "/%s%s", *covenant ? "?covenant=" : "", covenant);
    portal_page_start (&b, lang, portal_t (lang, T_TITLE), here);
    portal_buf_add (&b, "<p>%s</p>", portal_t (lang, T_INTRO));
    if (error && *error) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p>");
    }
    imvo_response_t cov;
    if (portal_call_cached ("membership", "covenant.list", NULL, 0, 10000, &cov) || !cov.ok) {
        imvo_response_release (&cov);
        portal_buf_add (&b, "<p class=\"error\">%s</p>", portal_t (lang, T_UNAVAILABLE));
        portal_page_end (&b);
        return portal_page (c, MHD_HTTP_SERVICE_UNAVAILABLE, &b, set [0] ? set : NULL);
    }
    //  Step 1: the covenant (a plain GET form: it works without JavaScript).
    const msgpack_object *list = imvo_map_get (cov.body, "covenants");
    portal_buf_add (&b, "<form method=\"get\" action=\"/\"><input type=\"hidden\" name=\"lang\" value=\"%s\">"
                        "<label for=\"covenant\">%s</label><select id=\"covenant\" name=\"covenant\">",
                    portal_lang_code (lang), portal_t (lang, T_COVENANT));
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
        portal_buf_obj (&b, portal_covenant_name (lang, cv));
        portal_buf_add (&b, "</option>");
    }
    imvo_response_release (&cov);
    portal_buf_add (&b, "</select><button type=\"submit\">%s</button></form>", portal_t (lang, T_CHOOSE));
    if (!known) {
        portal_page_end (&b);
        return portal_page (c, status ? status : MHD_HTTP_OK, &b, set [0] ? set : NULL);
    }
    //  Step 2: the place where it happened (a GET form of its own: portal_places.c), then the
    //  complaint, with the places found and the covenant's companies to choose from.
    portal_places_t places;
    portal_places_search (&b, c, r, lang, covenant, &places);
    unsigned char raw [16];
    char key [33];
    randombytes_buf (raw, sizeof raw);
    sodium_bin2hex (key, sizeof key, raw, sizeof raw);
    portal_buf_add (&b, "<form method=\"post\" action=\"/submit\" enctype=\"multipart/form-data\">");
    portal_hidden (&b, "csrf", token);
    portal_hidden (&b, "key", *portal_field (r, "key") ? portal_field (r, "key") : key);      //  one complaint per form
    portal_hidden (&b, "covenant", covenant);
    portal_hidden (&b, "lang", portal_lang_code (lang));
    portal_places_choice (&b, r, lang, &places);
    s_input (&b, "company", portal_t (lang, T_COMPANY), portal_field (r, "company"),
             "list=\"companies\" autocomplete=\"off\" aria-describedby=\"company-help\"");
    portal_buf_add (&b, "<p class=\"help\" id=\"company-help\">%s %s</p><datalist id=\"companies\">",
                    portal_t (lang, T_COMPANY_HELP), portal_places_text (lang, PLACES_COMPANY_HELP));
    imvo_response_t members;
    if (portal_members (covenant, false, &members) == 0) {
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
    //  The limits are the catalogue's (complaint.submit).
    char extra [96];
    snprintf (extra, sizeof extra, "required maxlength=\"%ld\"", portal_max ("complaint.submit", "summary"));
    s_input (&b, "summary", portal_t (lang, T_SUMMARY), portal_field (r, "summary"), extra);
    portal_buf_add (&b, "<label for=\"description\">%s</label><textarea id=\"description\" name=\"description\" "
                        "required maxlength=\"%ld\">", portal_t (lang, T_DESCRIPTION),
                    portal_max ("complaint.submit", "description"));
    portal_buf_str (&b, portal_field (r, "description"));
    portal_buf_add (&b, "</textarea>");
    snprintf (extra, sizeof extra, "maxlength=\"%ld\" pattern=\"[A-Za-z]{2}\" autocomplete=\"country\"",
              portal_max ("complaint.submit", "country"));
    s_input (&b, "country", portal_t (lang, T_COUNTRY), portal_field (r, "country"), extra);
    portal_evidence_input (&b, lang);
    bool named = streq (portal_field (r, "who"), "named");
    portal_buf_add (&b, "<fieldset><legend>%s</legend>"
                        "<label><input type=\"radio\" name=\"who\" value=\"anonymous\"%s> %s</label>"
                        "<label><input type=\"radio\" name=\"who\" value=\"named\"%s> %s</label>",
                    portal_t (lang, T_WHO), named ? "" : " checked", portal_t (lang, T_ANONYMOUS),
                    named ? " checked" : "", portal_t (lang, T_NAMED));
    snprintf (extra, sizeof extra, "maxlength=\"%ld\" autocomplete=\"name\"",
              portal_max ("complaint.submit", "complainant.name"));
    s_input (&b, "name", portal_t (lang, T_NAME), portal_field (r, "name"), extra);
    snprintf (extra, sizeof extra, "maxlength=\"%ld\"", portal_max ("complaint.submit", "complainant.contact"));
    s_input (&b, "contact", portal_t (lang, T_CONTACT), portal_field (r, "contact"), extra);
    portal_buf_add (&b, "<label><input type=\"checkbox\" name=\"share\" value=\"yes\"%s> %s</label></fieldset>"
                        "<button type=\"submit\">%s</button></form>",
                    streq (portal_field (r, "share"), "yes") ? " checked" : "", portal_t (lang, T_SHARE),
                    portal_t (lang, T_SUBMIT));
    portal_page_end (&b);
    return portal_page (c, status ? status : error && *error ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b,
                        set [0] ? set : NULL);
}

//  --- submitting -----------------------------------------------------------------------------

static enum MHD_Result
s_receipt_page (struct MHD_Connection *c, portal_lang_t lang, const char *state, const char *receipt,
                const char *error, const char *key)
{
    portal_buf_t b;
    portal_buf_init (&b);
    bool pending = streq (state, "pending");
    portal_page_start (&b, lang, portal_t (lang, streq (state, "failed") ? T_FAILED : T_RECEIPT_TITLE),
                       "/received");
    if (streq (state, "done")) {
        portal_buf_add (&b, "<p>%s</p><p class=\"receipt\" id=\"receipt\">", portal_t (lang, T_RECEIPT_KEEP));
        portal_buf_str (&b, receipt);
        char due [32];
        time_t t = time (NULL) + 7 * 86400;
        strftime (due, sizeof due, "%Y-%m-%d", gmtime (&t));
        portal_buf_add (&b, "</p><p>");
        portal_buf_add (&b, portal_t (lang, T_NEXT), due);
        portal_buf_add (&b, "</p><p><a href=\"/status?lang=%s\">%s</a></p>", portal_lang_code (lang),
                        portal_t (lang, T_FOLLOW));
        portal_evidence_report (&b, lang, key);
    }
    else
    if (streq (state, "failed")) {
        portal_buf_add (&b, "<p class=\"error\" role=\"alert\">");
        portal_buf_str (&b, error);
        portal_buf_add (&b, "</p><p><a href=\"/?lang=%s\">%s</a></p>", portal_lang_code (lang),
                        portal_t (lang, T_TITLE));
    }
    else
        portal_buf_add (&b, "<p role=\"status\">%s</p><p><a href=\"/received?lang=%s\">%s</a></p>",
                        portal_t (lang, T_PENDING), portal_lang_code (lang), portal_t (lang, T_REFRESH));
    portal_page_end (&b);
    //  Shown once: the browser forgets the key when the outcome is on the screen.
    return portal_page (c, streq (state, "failed") ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, &b,
                        pending ? NULL : "intake=; Path=/received; Max-Age=0; HttpOnly; SameSite=Strict");
}

enum MHD_Result
portal_received (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang)
{
    const char *key = MHD_lookup_connection_value (c, MHD_COOKIE_KIND, "intake");
    if (!key || strlen (key) != 32)
        return s_receipt_page (c, lang, "failed", NULL, portal_t (lang, T_EXPIRED), "");
    if (!r->waited) {
        //  One short question; while the entry is pending, wait for it (suspended).
        portal_intake_outcome (key, 500, r->state, r->receipt, r->error);
        if (streq (r->state, "pending") && portal_wait (c, r, key))
            return MHD_YES;
    }
    if (streq (r->state, "done") && !r->receipt [0])
        return s_receipt_page (c, lang, "failed", NULL, portal_t (lang, T_EXPIRED), "");   //  shown for 24 hours only
    //  The case exists: the files sent with the form go now (the page waits for them).
    if (streq (r->state, "done") && portal_evidence_wait (c, key, r->receipt))
        return MHD_YES;
    return s_receipt_page (c, lang, r->state, r->receipt, r->error, key);
}

//  The company by the name typed (or its id) among the covenant's members, into respondent
//  ("" when it is not one): in the list kept for the form, else in a fresh one. -1 when it is
//  not in the kept list and no fresh one could be read (membership or its Redis unreachable,
//  as during a failover): unknown, not "not a member".
static int
s_respondent (const char *covenant, const char *typed, char *respondent, size_t size)
{
    respondent [0] = 0;
    int rc = 0;
    for (int fresh = 0; fresh < 2 && !respondent [0] && *typed && portal_code_ok (covenant); fresh++) {
        imvo_response_t members;
        if ((rc = portal_members (covenant, fresh, &members)) == 0) {
            const msgpack_object *m = imvo_map_get (members.body, "members");
            for (uint32_t i = 0; m && m->type == MSGPACK_OBJECT_ARRAY && i < m->via.array.size && !respondent [0]; i++) {
                const msgpack_object *one = &m->via.array.ptr [i], *name = imvo_map_get (one, "name");
                if (!imvo_obj_streq (imvo_map_get (one, "kind"), "company"))
                    continue;
                if ((name && name->type == MSGPACK_OBJECT_STR && name->via.str.size == strlen (typed)
                     && strncasecmp (name->via.str.ptr, typed, name->via.str.size) == 0)
                ||  imvo_obj_streq (imvo_map_get (one, "org_id"), typed))
                    imvo_obj_strcpy (imvo_map_get (one, "org_id"), respondent, size);
            }
        }
        imvo_response_release (&members);
    }
    return respondent [0] || rc == 0 ? 0 : -1;
}

//  complaint.submit's body from the form: the fields as typed (trimmed), nothing checked here.
static void
s_submit_body (portal_req_t *r, const char *respondent, msgpack_sbuffer *out)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    const char *place = portal_field (r, "place"), *location = portal_field (r, "location_id");
    char *country = strdup (portal_field (r, "country"));
    assert (country);
    for (char *p = country; *p; p++)
        *p = (char) toupper ((unsigned char) *p);
    bool named = streq (portal_field (r, "who"), "named");
    //  The page's language (the form's hidden lang) is the complaint's: the case keeps it.
    const char *lang = complaint_lang_ok (portal_field (r, "lang")) ? portal_field (r, "lang") : "";
    msgpack_pack_map (&pk, 4 + (*respondent != 0) + (*country != 0) + (*place != 0) + (*location != 0) + (*lang != 0));
    imvo_pack_kv_str (&pk, "covenant", portal_field (r, "covenant"));
    if (*lang)
        imvo_pack_kv_str (&pk, "lang", lang);
    if (*respondent)
        imvo_pack_kv_str (&pk, "respondent", respondent);
    imvo_pack_kv_str (&pk, "summary", portal_field (r, "summary"));
    imvo_pack_kv_str (&pk, "description", portal_field (r, "description"));
    if (*location)                  //  a place from the published list (portal_places.c)
        imvo_pack_kv_str (&pk, "location_id", location);
    if (*place)                     //  one in her own words, for the secretariat to match
        imvo_pack_kv_str (&pk, "place", place);
    imvo_pack_str (&pk, "complainant");
    const char *name = portal_field (r, "name"), *contact = portal_field (r, "contact");
    msgpack_pack_map (&pk, named ? 2 + (*name != 0) + (*contact != 0) : 1);
    imvo_pack_kv_bool (&pk, "anonymous", !named);
    if (named) {
        if (*name)
            imvo_pack_kv_str (&pk, "name", name);
        if (*contact)
            imvo_pack_kv_str (&pk, "contact", contact);
        imvo_pack_kv_bool (&pk, "share_identity", streq (portal_field (r, "share"), "yes"));
    }
    if (*country)
        imvo_pack_kv_str (&pk, "country", country);
    free (country);
}

//  The catalogue's check of complaint.submit on body: 0, or -1 with error, for the person
//  filling in the form, naming the field by its label.
static int
s_submit_check (portal_req_t *r, portal_lang_t lang, const msgpack_sbuffer *body, char *error, size_t size)
{
    imvo_error_t err;
    if (portal_check ("complaint.submit", body->data, body->size, &err) == 0)
        return 0;
    static const struct { const char *field, *form; portal_text_t label; } labels [] = {
        { "covenant", "covenant", T_COVENANT }, { "respondent", "company", T_COMPANY },
        { "summary", "summary", T_SUMMARY }, { "description", "description", T_DESCRIPTION },
        { "complainant.name", "name", T_NAME }, { "complainant.contact", "contact", T_CONTACT },
        { "country", "country", T_COUNTRY }, { "location_id", "location_id", T_PLACE }, { "place", "place", T_PLACE },
        { "complainant", "who", T_WHO } };
    size_t i = 0;
    while (i < sizeof labels / sizeof labels [0] - 1 && !streq (labels [i].field, err.field))
        i++;
    //  Empty: ask for it. Else say which field and what the catalogue said about it.
    if (!*portal_field (r, labels [i].form))
        snprintf (error, size, "%s %s", portal_t (lang, T_MISSING), portal_t (lang, labels [i].label));
    else
        snprintf (error, size, "%s %s (%s)", portal_t (lang, T_CHECK), portal_t (lang, labels [i].label), err.message);
    return -1;
}

//  The body as queued: the complainant map sealed to complaints' public key (crypto_box_seal,
//  IMVO_DATA_PUBLIC_KEY_FILE), so that neither the stream nor the AOF holds her name and
//  contact (PROTOCOL.md third part). -1 without the key: nothing is queued then.
static int
s_sealed_body (const msgpack_sbuffer *plain, msgpack_sbuffer *out)
{
    const unsigned char *public = imvo_data_public_key ();
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object body;
    const char *why;
    int rc = public && imvo_msg_unpack (plain->data, plain->size, &zone, &body, &why) == 0
          && body.type == MSGPACK_OBJECT_MAP ? 0 : -1;
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    if (rc == 0)
        msgpack_pack_map (&pk, body.via.map.size);
    for (uint32_t i = 0; rc == 0 && i < body.via.map.size; i++) {
        msgpack_pack_object (&pk, body.via.map.ptr [i].key);
        if (!imvo_obj_streq (&body.via.map.ptr [i].key, "complainant")) {
            msgpack_pack_object (&pk, body.via.map.ptr [i].val);
            continue;
        }
        msgpack_sbuffer one;
        msgpack_sbuffer_init (&one);
        msgpack_packer opk;
        msgpack_packer_init (&opk, &one, msgpack_sbuffer_write);
        msgpack_pack_object (&opk, body.via.map.ptr [i].val);
        size_t n = one.size + crypto_box_SEALBYTES;
        unsigned char *sealed = malloc (n);
        rc = sealed ? crypto_box_seal (sealed, (const unsigned char *) one.data, one.size, public) : -1;
        sodium_memzero (one.data, one.size);
        msgpack_sbuffer_destroy (&one);
        msgpack_pack_map (&pk, 1);
        imvo_pack_str (&pk, "sealed");
        msgpack_pack_bin (&pk, n);
        if (sealed)
            msgpack_pack_bin_body (&pk, sealed, n);
        free (sealed);
    }
    msgpack_zone_destroy (&zone);
    return rc;
}

enum MHD_Result
portal_submit (struct MHD_Connection *c, portal_req_t *r, portal_lang_t lang, const char *addr)
{
    const char *key = portal_field (r, "key"), *covenant = portal_field (r, "covenant");
    const char *form_covenant = portal_code_ok (covenant) ? covenant : "";
    bool key_ok = strlen (key) == 32;
    for (const char *p = key; key_ok && *p; p++)
        key_ok = isxdigit ((unsigned char) *p);
    if (!key_ok)
        return portal_form (c, r, lang, form_covenant, portal_t (lang, T_EXPIRED), 0);
    char respondent [72];
    int known = s_respondent (covenant, portal_field (r, "company"), respondent, sizeof respondent);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    s_submit_body (r, respondent, &body);
    char error [640], files_error [700];
    unsigned files_status = portal_evidence_refusal (r, lang, files_error, sizeof files_error);
    const char *refusal = files_status ? files_error
                        : s_submit_check (r, lang, &body, error, sizeof error) ? error
                        : *portal_field (r, "company") && !respondent [0]
                          ? portal_t (lang, known < 0 ? T_UNAVAILABLE : T_NO_COMPANY)
                        : !respondent [0] && !*portal_field (r, "location_id") && !*portal_field (r, "place")
                          ? portal_places_text (lang, PLACES_NEED_ONE)
                        : !portal_allowed (portal_submits, addr, 5, 600000, true) ? portal_t (lang, T_TOO_MANY)
                        : NULL;
    bool queued = false;
    if (!refusal && !portal_evidence_keep (r, key))     //  its files wait for the case
        refusal = portal_t (lang, T_UNAVAILABLE);
    if (!refusal) {
        //  The envelope, as on the socket, into the intake queue.
        char id [33];
        unsigned char raw [16];
        randombytes_buf (raw, sizeof raw);
        sodium_bin2hex (id, sizeof id, raw, sizeof raw);
        msgpack_sbuffer env, sealed;
        msgpack_sbuffer_init (&env);
        msgpack_sbuffer_init (&sealed);
        int seal = s_sealed_body (&body, &sealed);
        imvo_request_pack (&env, id, "complaint.submit", key, NULL, NULL, sealed.data, sealed.size);
        msgpack_sbuffer_destroy (&sealed);
        imvo_redis_t *redis = seal == 0 ? portal_redis () : NULL;
        imvo_args_t xadd;           //  with IMVO_REDIS_WAIT_REPLICAS, queued once replicas hold it
        imvo_args_init (&xadd);
        imvo_args_str (&xadd, "XADD");
        imvo_args_str (&xadd, "imvo:complaints:intake");
        imvo_args_str (&xadd, "*");
        imvo_args_str (&xadd, "msg");
        imvo_args_add (&xadd, env.data, env.size);
        redisReply *x = redis ? imvo_redis_write_argv (redis, &xadd) : NULL;
        imvo_args_release (&xadd);
        queued = x && x->type == REDIS_REPLY_STRING;
        if (x)
            freeReplyObject (x);
        msgpack_sbuffer_destroy (&env);
        if (!queued) {
            portal_evidence_forget (key);
            refusal = portal_t (lang, T_UNAVAILABLE);
        }
    }
    msgpack_sbuffer_destroy (&body);
    if (refusal)
        return portal_form (c, r, lang, form_covenant, refusal,
                            refusal == files_error ? files_status
                            : refusal == portal_t (lang, T_UNAVAILABLE) ? MHD_HTTP_SERVICE_UNAVAILABLE : 0);
    char cookie [128], location [64];
    snprintf (cookie, sizeof cookie, "intake=%s; Path=/received; Max-Age=86400; HttpOnly; SameSite=Strict", key);
    snprintf (location, sizeof location, "/received?lang=%s", portal_lang_code (lang));
    return portal_redirect (c, location, cookie);
}

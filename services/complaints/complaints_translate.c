/*  complaints_translate: a complaint in her own language, and the secretariat's translations
    beside it (issue 20, "Her language"; proto/catalogue_translation.c).

    complaint.submit keeps the language she wrote in as the case's lang. complaint.translate
    (lua/complaint_translate.lua) keeps a translation of her summary and description, one per
    language, in <case>:translations, never in place of her words; again for a language
    corrects it. complaint.get shows the translations to staff only (lua/complaint_get.lua).
    complaint.list's q finds the case by a translation's words too: they join the case's word
    index (a corrected translation's earlier words stay in it, so a search may still find the
    case by them).
*/
#include "complaints_server.h"
#include "catalogue_translation.h"

int
complaints_translate (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *case_id = f [COMPLAINT_TRANSLATE_CASE_ID].str;
    char covenant [40];
    if (imvo_case_id_covenant (case_id, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "case_id must look like TEXTILE-2026-0042");
    //  The words complaint.list's q finds the case by, as complaint.submit makes them.
    zhashx_t *words = zhashx_new ();
    complaints_words (f [COMPLAINT_TRANSLATE_SUMMARY].str, words, COMPLAINTS_CASE_WORDS);
    complaints_words (f [COMPLAINT_TRANSLATE_DESCRIPTION].str, words, COMPLAINTS_CASE_WORDS);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    complaints_words_pack (words, &pk);
    zhashx_destroy (&words);

    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_named_t named;
    imvo_named_init (&named, req->type);
    imvo_named_fmt (&named, "prefix", "imvo:complaints:{%s}", covenant);
    imvo_named_str (&named, "lang", f [COMPLAINT_TRANSLATE_LANG].str);
    imvo_named_str (&named, "summary", f [COMPLAINT_TRANSLATE_SUMMARY].str);
    imvo_named_str (&named, "description", f [COMPLAINT_TRANSLATE_DESCRIPTION].str);
    imvo_named_str (&named, "by", req->role);
    imvo_named_str (&named, "person", req->person);
    imvo_named_fmt (&named, "now", "%lld", (long long) imvo_now_ms ());
    imvo_named_bytes (&named, "words", buf.data, buf.size);
    imvo_args_init (&args);
    imvo_named_done (&named, &args);
    int rc = imvo_commit (ctx, req, covenant, "complaint_translate", &keys, &args, reply);
    msgpack_sbuffer_destroy (&buf);
    return rc;
}

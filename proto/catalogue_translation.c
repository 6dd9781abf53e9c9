/*  A complaint's language and its translations (catalogue_translation.h).

    complaint.submit takes lang, the language the complainant wrote in (default nl), and the
    case keeps it. complaint.translate is the secretariat's translation of the complainant's
    summary and description into another of the codes, kept beside the original (never in its
    place), with who made it and when; translating into a language again corrects it.
    complaint.get shows the translations to staff only, never to the company; the complainant's
    view (complaint.status) has none.
*/
#include "catalogue_translation.h"

#include <string.h>

const char *const complaint_langs [] = { "nl", "en", "fr", "es", "bn", "hi", "zh", "tr", "vi", NULL };

bool
complaint_lang_ok (const char *code)
{
    for (int i = 0; code && complaint_langs [i]; i++)
        if (strcmp (code, complaint_langs [i]) == 0)
            return true;
    return false;
}

//  The limits are complaint.submit's: a translation holds what the original may hold, and a
//  little more (a translation can be longer than its source).
static const imvo_field_t s_translate [] = {
    [COMPLAINT_TRANSLATE_CASE_ID] = { "case_id", IMVO_F_STR, true, 1, 64, IMVO_FMT_CASE_ID, NULL, NULL },
    [COMPLAINT_TRANSLATE_LANG] = { "lang", IMVO_F_STR, true, 2, 2, IMVO_FMT_CODE, complaint_langs, "the translation's language (usually nl or en): nl, en, fr, es, bn, hi, zh, tr or vi, not the complaint's own" },
    [COMPLAINT_TRANSLATE_SUMMARY] = { "summary", IMVO_F_STR, true, 1, 400, IMVO_FMT_LINE, NULL, "the summary, translated" },
    [COMPLAINT_TRANSLATE_DESCRIPTION] = { "description", IMVO_F_STR, true, 1, 40000, IMVO_FMT_TEXT, NULL, "the description, translated" },
};

const imvo_proto_msg_t complaint_translate_msg = {
    "complaint.translate", "the secretariat's translation of a complaint's summary and description into another language, kept beside the original (never in its place) with who made it and when; again for the same language corrects it; staff see it in complaint.get, a company and the complainant never",
    IMVO_FIELDS (s_translate), IMVO_ROLE_SECRETARIAT, NULL, NULL, NULL,
    .service = "complaints", .idem_ttl = IMVO_WEEK,
    .reply = "case_id lang",
    .script = "complaint_translate", .script_keys = "idem case", .script_args = "prefix lang summary description by person now words" };

/*  A complaint's language and its translations (issue 20, "Her language"): the codes
    complaint.submit's lang takes, and complaint.translate, answered by complaints, listed with
    its other messages (catalogue_complaints.c). */
#ifndef CATALOGUE_TRANSLATION_H
#define CATALOGUE_TRANSLATION_H

#include "imvo_proto.h"

//  The languages a complaint may be in (PROTOCOL.md, "Languages": fixed codes), NULL-terminated;
//  the first, nl, is the default.
extern const char *const complaint_langs [];
//  Whether code is one of complaint_langs.
bool complaint_lang_ok (const char *code);

enum { COMPLAINT_TRANSLATE_CASE_ID, COMPLAINT_TRANSLATE_LANG, COMPLAINT_TRANSLATE_SUMMARY,
       COMPLAINT_TRANSLATE_DESCRIPTION };

extern const imvo_proto_msg_t complaint_translate_msg;

#endif

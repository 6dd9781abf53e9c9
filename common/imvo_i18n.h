/*  imvo_i18n: the nine languages of the portal and notify (PROTOCOL.md, "Languages"), and their
    translations through GNU gettext (glibc's libintl).

    The source texts are English (the msgids); po/<domain>/<lang>.po holds a language's
    translations (the translators' files), compiled by msgfmt into
    <dir>/<lang>/LC_MESSAGES/<domain>.mo. <dir> is IMVO_LOCALE_DIR, else the first of
    <binary's dir>/locale, <binary's dir>/../../locale (the build tree) and
    <binary's dir>/../share/locale (an installed binary) that exists.

    A request is answered in its own language on whatever thread serves it: imvo_gettext
    switches the calling thread to that language's locale (uselocale, LC_MESSAGES only, made
    once by newlocale) for the one dgettext call, and back. glibc finds the catalogue by the
    thread's LC_MESSAGES name, so each language needs its locale to exist on the machine
    (localedef; deploy/install-deps.sh, .ci/run and the Dockerfile make them). A language whose
    locale is missing speaks English, and imvo_i18n_init says so at start.
*/
#ifndef IMVO_I18N_H
#define IMVO_I18N_H

#define IMVO_LANGS 9
//  nl, en, fr, es, bn, hi, zh, tr, vi (in that order: an index is a language), NULL.
extern const char *const imvo_lang_codes [IMVO_LANGS + 1];
//  Each language named in itself: Nederlands, English, Français, ...
extern const char *const imvo_lang_names [IMVO_LANGS];
//  The index of a code, or -1.
int imvo_lang_index (const char *code);
//  The language an Accept-Language header prefers (q-values; the primary subtag: zh-CN is zh),
//  or -1 when it names none of ours.
int imvo_lang_accept (const char *header);

//  Once, before threads: binds domain to the locale directory (UTF-8) and makes each
//  language's locale. Returns the number of languages without a locale (logged), 0 when all
//  have one.
int imvo_i18n_init (const char *domain);
//  The directory the .mo files are read from.
const char *imvo_i18n_dir (void);
//  msgid in language lang (an index), from domain's catalogue; msgid itself for English, an
//  untranslated text, or a language without its locale.
const char *imvo_gettext (const char *domain, int lang, const char *msgid);

//  Marks a text for xgettext without translating it here (a table's entry).
#ifndef N_
#define N_(s) s
#endif

#endif

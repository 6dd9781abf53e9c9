/*  imvo_i18n: languages and gettext (imvo_i18n.h). */
#include "imvo_i18n.h"

#include <czmq.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const imvo_lang_codes [IMVO_LANGS + 1] = { "nl", "en", "fr", "es", "bn", "hi", "zh", "tr", "vi", NULL };
const char *const imvo_lang_names [IMVO_LANGS] = {
    "Nederlands", "English", "Français", "Español", "বাংলা", "हिन्दी", "中文", "Türkçe", "Tiếng Việt"
};

//  The locales that name each language for glibc's gettext, tried in order.
static const char *const s_locales [IMVO_LANGS][3] = {
    { "nl_NL.UTF-8", "nl_BE.UTF-8", NULL }, { "en_GB.UTF-8", "en_US.UTF-8", NULL },
    { "fr_FR.UTF-8", "fr_BE.UTF-8", NULL }, { "es_ES.UTF-8", "es_MX.UTF-8", NULL },
    { "bn_BD.UTF-8", "bn_IN.UTF-8", NULL }, { "hi_IN.UTF-8", NULL, NULL },
    { "zh_CN.UTF-8", "zh_SG.UTF-8", NULL }, { "tr_TR.UTF-8", NULL, NULL },
    { "vi_VN.UTF-8", NULL, NULL },
};

static locale_t s_locale [IMVO_LANGS];
static char s_dir [PATH_MAX];

int
imvo_lang_index (const char *code)
{
    for (int i = 0; code && i < IMVO_LANGS; i++)
        if (strcmp (code, imvo_lang_codes [i]) == 0)
            return i;
    return -1;
}

int
imvo_lang_accept (const char *header)
{
    //  "fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5": the highest q of ours, the first among equals.
    int best = -1;
    double best_q = 0;
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p + strcspn (p, ",");
        const char *semi = memchr (p, ';', (size_t) (end - p));
        size_t tag = (size_t) ((semi ? semi : end) - p);
        while (tag && p [tag - 1] == ' ')
            tag--;
        double q = 1;
        if (semi) {
            const char *qs = strstr (semi, "q=");
            if (qs && qs < end)
                q = strtod (qs + 2, NULL);
        }
        size_t primary = strcspn (p, "-_;, ");
        if (primary > tag)
            primary = tag;
        for (int i = 0; i < IMVO_LANGS; i++)
            if (primary == 2 && strncasecmp (p, imvo_lang_codes [i], 2) == 0 && q > best_q) {
                best = i;
                best_q = q;
            }
        p = end;
    }
    return best;
}

static bool
s_is_dir (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static void
s_find_dir (void)
{
    const char *env = getenv ("IMVO_LOCALE_DIR");
    if (env && *env) {
        snprintf (s_dir, sizeof s_dir, "%s", env);
        return;
    }
    char exe [PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe [n] = 0;
        char *slash = strrchr (exe, '/');
        if (slash)
            *slash = 0;
        static const char *const tails [] = { "/locale", "/../../locale", "/../share/locale" };
        for (size_t i = 0; i < sizeof tails / sizeof tails [0]; i++) {
            char path [PATH_MAX + 32];
            snprintf (path, sizeof path, "%s%s", exe, tails [i]);
            if (s_is_dir (path) && realpath (path, s_dir))
                return;
        }
    }
    snprintf (s_dir, sizeof s_dir, "/usr/local/share/locale");
}

int
imvo_i18n_init (const char *domain)
{
    if (!s_dir [0]) {
        //  LANGUAGE would override every thread's locale (glibc reads it first).
        unsetenv ("LANGUAGE");
        s_find_dir ();
    }
    bindtextdomain (domain, s_dir);
    bind_textdomain_codeset (domain, "UTF-8");
    int missing = 0;
    for (int i = 0; i < IMVO_LANGS; i++) {
        for (int k = 0; !s_locale [i] && k < 3 && s_locales [i][k]; k++)
            s_locale [i] = newlocale (LC_MESSAGES_MASK, s_locales [i][k], (locale_t) 0);
        if (!s_locale [i] && i != 1) {
            zsys_warning ("no locale %s on this machine (localedef -i %.5s -f UTF-8 %s): %s pages speak English",
                          s_locales [i][0], s_locales [i][0], s_locales [i][0], imvo_lang_names [i]);
            missing++;
        }
    }
    return missing;
}

const char *
imvo_i18n_dir (void)
{
    return s_dir;
}

const char *
imvo_gettext (const char *domain, int lang, const char *msgid)
{
    if (lang < 0 || lang == 1 || lang >= IMVO_LANGS || !s_locale [lang] || !msgid || !*msgid)
        return msgid;
    locale_t was = uselocale (s_locale [lang]);
    const char *text = dgettext (domain, msgid);
    uselocale (was);
    return text;
}

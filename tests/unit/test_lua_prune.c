/*  test_lua_prune: what Redis runs of each embedded script (common/imvo_lua_prune.c). For every
    script of every daemon, the text keeps the script's own text whole, and every prelude
    function it calls, directly or through another, is defined before the call: a function left
    out would fail only when its path runs, as an access to an unknown global. And the prelude's
    other functions are left out. */
#include "imvo_redis_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

extern const imvo_script_t imvo_common_scripts [], membership_scripts [], complaints_scripts [],
                           scoring_scripts [], notify_scripts [];

static int s_failures, s_checks, s_smaller;

static void
s_check (const imvo_script_t *script)
{
    char *text = imvo_lua_pruned (script->source);
    const char *own = strstr (script->source, IMVO_LUA_PRELUDE_END);
    s_checks++;
    if (!own || strlen (text) < strlen (own) || strcmp (text + strlen (text) - strlen (own), own)) {
        s_failures++;
        fprintf (stderr, "%s: its own text is not kept whole after the marker\n", script->name);
        free (text);
        return;
    }
    s_smaller += strlen (text) < strlen (script->source);
    //  Each call of an imvo_ name (a word imvo_..., then '(') has its definition before it.
    for (const char *p = strstr (text, "imvo_"); p; p = strstr (p + 1, "imvo_")) {
        if (p > text && (isalnum ((unsigned char) p [-1]) || p [-1] == '_'))
            continue;
        size_t len = 0;
        while (isalnum ((unsigned char) p [len]) || p [len] == '_')
            len++;
        if (p [len] != '(')
            continue;
        const char *line = p;               //  not in a comment
        while (line > text && line [-1] != '\n')
            line--;
        const char *dashes = strstr (line, "--");
        if (dashes && dashes < p)
            continue;
        char def [96];
        snprintf (def, sizeof def, "local function %.*s(", (int) len, p);
        const char *at = strstr (text, def);
        s_checks++;
        if (!at || (at > p && strncmp (p - 15, "local function ", 15) != 0)) {
            s_failures++;
            fprintf (stderr, "%s: calls %.*s, not defined before\n", script->name, (int) len, p);
        }
    }
    free (text);
}

int
main (void)
{
    const imvo_script_t *tables [] = { imvo_common_scripts, membership_scripts, complaints_scripts, scoring_scripts,
                                       notify_scripts };
    int scripts = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables [0]; t++)
        for (const imvo_script_t *s = tables [t]; s->name; s++, scripts++)
            s_check (s);
    //  Not every script calls every function: most get a shorter text.
    s_checks++;
    if (s_smaller < scripts / 2) {
        s_failures++;
        fprintf (stderr, "only %d of %d scripts lost a function of the prelude\n", s_smaller, scripts);
    }
    printf ("%d scripts, %d checks, %d failures (%d shorter than prelude and script)\n", scripts, s_checks, s_failures,
            s_smaller);
    return s_failures ? 1 : 0;
}

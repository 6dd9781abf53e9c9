/*  imvo_lua_prune: what Redis runs of an embedded script: the prelude's functions the script
    calls (directly or through another of them), then the script's own text.

    Why: common/EmbedLua.cmake puts the whole prelude (common/lua/prelude.lua) in front of each
    script, and every call of a script runs its text from the top: each `local function` of
    the prelude makes a closure, each call. With twenty of them that was about 1.5 us a call
    (redis-benchmark, EVALSHA of the prelude and `return 1` against `return 1` alone), some 5 %
    of the submit script's time (issue 21, 6), and the same for every script of every daemon.

    The embedded text is the prelude, IMVO_LUA_PRELUDE_END (a comment line EmbedLua.cmake puts
    after it), then the script. The prelude is a head (its comments and `local imvo_emitted`)
    and then functions, each starting at a line `local function <name>(`; a function runs
    from there to the next one. A function is kept when its name stands as a whole word in the
    script's text or in a kept function. Order is kept, so each is defined before its callers.
*/
#include "imvo_redis_internal.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_FUNCTIONS 64

typedef struct {
    const char *start, *stop;       //  its text: [start, stop)
    char name [64];
    bool kept;
} s_function_t;

static bool
s_word_char (char c)
{
    return isalnum ((unsigned char) c) || c == '_';
}

//  Whether name stands as a whole word in [start, stop).
static bool
s_mentions (const char *start, const char *stop, const char *name)
{
    size_t len = strlen (name);
    for (const char *p = start; p + len <= stop; p++) {
        p = memchr (p, name [0], (size_t) (stop - p));
        if (!p || p + len > stop)
            return false;
        if (memcmp (p, name, len) == 0 && (p == start || !s_word_char (p [-1]))
        &&  (p + len == stop || !s_word_char (p [len])))
            return true;
    }
    return false;
}

char *
imvo_lua_pruned (const char *source)
{
    const char *end = strstr (source, IMVO_LUA_PRELUDE_END);
    if (!end)
        return strdup (source);             //  not an embedded script: as it is
    const char *own = end + strlen (IMVO_LUA_PRELUDE_END), *stop = own + strlen (own);
    s_function_t fn [S_MAX_FUNCTIONS];
    size_t n = 0;
    const char *head_end = end;
    static const char marker [] = "\nlocal function ";
    for (const char *p = strstr (source, marker); p && p < end && n < S_MAX_FUNCTIONS; p = strstr (p + 1, marker)) {
        const char *at = p + 1, *name = at + strlen (marker) - 1;
        size_t len = 0;
        while (s_word_char (name [len]) && len + 1 < sizeof fn [n].name)
            len++;
        if (n == 0)
            head_end = at;
        else
            fn [n - 1].stop = at;
        fn [n] = (s_function_t) { .start = at, .stop = end, .kept = false };
        memcpy (fn [n].name, name, len);
        fn [n].name [len] = 0;
        n++;
    }
    //  The ones the script calls, then the ones those call, until none is added.
    for (size_t i = 0; i < n; i++)
        fn [i].kept = s_mentions (own, stop, fn [i].name);
    for (bool added = true; added; ) {
        added = false;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; fn [i].kept && j < n; j++)
                if (!fn [j].kept && s_mentions (fn [i].start, fn [i].stop, fn [j].name))
                    fn [j].kept = added = true;
    }
    size_t size = (size_t) (head_end - source) + (size_t) (stop - end) + 1;
    for (size_t i = 0; i < n; i++)
        size += fn [i].kept ? (size_t) (fn [i].stop - fn [i].start) : 0;
    char *out = malloc (size), *w = out;
    assert (out);
    memcpy (w, source, (size_t) (head_end - source));
    w += head_end - source;
    for (size_t i = 0; i < n; i++)
        if (fn [i].kept) {
            memcpy (w, fn [i].start, (size_t) (fn [i].stop - fn [i].start));
            w += fn [i].stop - fn [i].start;
        }
    memcpy (w, end, (size_t) (stop - end) + 1);     //  the marker line, the script, its NUL
    return out;
}

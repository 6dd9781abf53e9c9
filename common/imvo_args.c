/*  imvo_args: growable argument vectors for binary-safe Redis commands; see imvo_redis.h. */
#include "imvo_redis.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
imvo_args_init (imvo_args_t *a)
{
    memset (a, 0, sizeof *a);
}

void
imvo_args_release (imvo_args_t *a)
{
    for (int i = 0; i < a->nowned; i++)
        free (a->owned [i]);
    free (a->owned);
    free (a->argv);
    free (a->lens);
    memset (a, 0, sizeof *a);
}

void
imvo_args_add (imvo_args_t *a, const char *data, size_t len)
{
    if (a->argc == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->argv = realloc (a->argv, (size_t) a->cap * sizeof *a->argv);
        a->lens = realloc (a->lens, (size_t) a->cap * sizeof *a->lens);
        a->owned = realloc (a->owned, (size_t) a->cap * sizeof *a->owned);
        assert (a->argv && a->lens && a->owned);
    }
    a->argv [a->argc] = data;
    a->lens [a->argc++] = len;
}

void
imvo_args_str (imvo_args_t *a, const char *s)
{
    imvo_args_add (a, s, strlen (s));
}

void
imvo_args_fmt (imvo_args_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *s = NULL;
    int n = vasprintf (&s, fmt, ap);
    va_end (ap);
    assert (n >= 0);
    imvo_args_add (a, s, (size_t) n);
    a->owned [a->nowned++] = s;      //  owned has the same capacity as argv
}

void
imvo_args_own (imvo_args_t *a)
{
    size_t total = 0;
    for (int i = 0; i < a->argc; i++)
        total += a->lens [i];
    char *block = malloc (total ? total : 1);
    assert (block);
    char *p = block;
    for (int i = 0; i < a->argc; i++) {
        if (a->lens [i])
            memcpy (p, a->argv [i], a->lens [i]);
        a->argv [i] = p;
        p += a->lens [i];
    }
    if (a->nowned == a->cap) {          //  owned has argv's capacity; keep one slot more
        a->cap++;
        a->owned = realloc (a->owned, (size_t) a->cap * sizeof *a->owned);
        a->argv = realloc (a->argv, (size_t) a->cap * sizeof *a->argv);
        a->lens = realloc (a->lens, (size_t) a->cap * sizeof *a->lens);
        assert (a->owned && a->argv && a->lens);
    }
    a->owned [a->nowned++] = block;
}


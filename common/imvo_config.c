/*  imvo_config: environment configuration, see imvo_config.h. */
#include "imvo_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const imvo_services [4] = { "membership", "complaints", "scoring", "notify" };

const char *
imvo_env (const char *name, const char *dflt)
{
    const char *v = getenv (name);
    return v && *v ? v : dflt;
}

long
imvo_env_long (const char *name, long dflt, long min, long max)
{
    const char *v = getenv (name);
    if (!v || !*v)
        return dflt;
    char *end;
    long n = strtol (v, &end, 10);
    return *end || n < min || n > max ? dflt : n;
}

//  Looks up IMVO_<SERVICE>_<suffix>, else formats the default with the service's port.
static int
s_lookup (const char *service, const char *suffix, const char *fmt, int base,
          char *buf, size_t size)
{
    int index = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp (service, imvo_services [i]) == 0)
            index = i;
    if (index < 0)
        return -1;
    char name [64];
    int n = snprintf (name, sizeof name, "IMVO_");
    for (const char *s = service; *s && n < 40; s++)
        name [n++] = (char) toupper ((unsigned char) *s);
    snprintf (name + n, sizeof name - (size_t) n, "_%s", suffix);
    const char *v = imvo_env (name, NULL);
    if (v)
        snprintf (buf, size, "%s", v);
    else
        snprintf (buf, size, fmt, base + 1 + index);
    return 0;
}

int
imvo_config_bind (const char *service, char *buf, size_t size)
{
    return s_lookup (service, "BIND", "tcp://127.0.0.1:%d", 7100, buf, size);
}

int
imvo_config_events_bind (const char *service, char *buf, size_t size)
{
    return s_lookup (service, "EVENTS_BIND", "tcp://127.0.0.1:%d", 7200, buf, size);
}

//  An endpoint "@FILE" names the daemon's ready file (IMVO_READY_FILE): the endpoint is its
//  line that starts with word ("requests" or "events"), read now. While there is none (the
//  daemon is not up), ipc://FILE: nothing answers there, as for a daemon that is down.
static int
s_from_ready_file (const char *word, char *buf, size_t size)
{
    if (buf [0] != '@')
        return 0;
    char *text = imvo_file_read (buf + 1);
    int rc = -1;
    size_t len = strlen (word);
    for (char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL) {
        if (strncmp (line, word, len) == 0 && line [len] == ' ') {
            size_t n = strcspn (line + len + 1, "\n");
            if (n > 0 && n < size) {
                snprintf (buf, size, "%.*s", (int) n, line + len + 1);
                rc = 0;
            }
            break;
        }
    }
    free (text);
    if (rc) {
        char path [4096];
        snprintf (path, sizeof path, "%s", buf + 1);
        snprintf (buf, size, "ipc://%s", path);
    }
    return 0;
}

int
imvo_config_endpoint (const char *service, char *buf, size_t size)
{
    if (s_lookup (service, "ENDPOINT", "tcp://127.0.0.1:%d", 7100, buf, size))
        return -1;
    return s_from_ready_file ("requests", buf, size);
}

int
imvo_config_events_endpoint (const char *service, char *buf, size_t size)
{
    if (s_lookup (service, "EVENTS_ENDPOINT", "tcp://127.0.0.1:%d", 7200, buf, size))
        return -1;
    return s_from_ready_file ("events", buf, size);
}

const char *
imvo_config_redis_url (void)
{
    return imvo_env ("IMVO_REDIS_URL", "redis://127.0.0.1:6379/0");
}

char *
imvo_file_read (const char *path)
{
    FILE *in = strcmp (path, "-") == 0 ? stdin : fopen (path, "rb");
    if (!in)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    if (!out) {
        if (in != stdin)
            fclose (in);
        return NULL;
    }
    char chunk [65536];
    size_t got;
    while ((got = fread (chunk, 1, sizeof chunk, in)) > 0)
        fwrite (chunk, 1, got, out);
    int failed = ferror (in) ? (errno ? errno : EIO) : 0;
    fclose (out);
    if (in != stdin)
        fclose (in);
    if (failed) {
        free (buf);
        errno = failed;
        return NULL;
    }
    return buf;
}

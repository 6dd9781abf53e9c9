/*  imvo_magic: a file's type from its bytes (libmagic); see imvo_magic.h. */
#include "imvo_magic.h"

#include <czmq.h>
#include <magic.h>
#include <pthread.h>

static pthread_key_t s_key;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_free (void *cookie)
{
    magic_close ((magic_t) cookie);
}

static void
s_init (void)
{
    pthread_key_create (&s_key, s_free);
}

const char *
imvo_magic_type (const char *data, size_t len)
{
    pthread_once (&s_once, s_init);
    magic_t cookie = pthread_getspecific (s_key);
    if (!cookie) {
        cookie = magic_open (MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (cookie && magic_load (cookie, NULL) != 0) {
            zsys_error ("libmagic: cannot load its database: %s", magic_error (cookie));
            magic_close (cookie);
            cookie = NULL;
        }
        if (!cookie)
            return NULL;
        pthread_setspecific (s_key, cookie);
    }
    const char *seen = magic_buffer (cookie, data, len);
    return seen ? seen : "unknown";
}

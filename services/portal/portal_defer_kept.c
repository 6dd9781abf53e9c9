/*  portal_defer_kept: the outcomes the portal keeps itself, for the account.* messages asked with
    a form's idempotency key (portal_defer.c says why): the first outcome is kept for S_KEPT_MS
    under the message's type and key with a hash of the body, the same form again gets it (or
    waits for it while it is on its way), other values under the key are `conflict` after a
    success and asked anew after a refusal; a daemon that did not answer is not kept. The kept
    replies are wiped when they go. */
#include "portal.h"

#include <pthread.h>
#include <sodium.h>

#define S_KEPT 256
#define S_KEPT_MS (2 * 60 * 1000)

typedef struct {
    char type [48], key [IMVO_KEY_MAX + 1];
    unsigned char hash [32];        //  of the body
    int state;                      //  0 free, 1 on its way, 2 done
    int64_t expires;                //  zclock_mono
    int rc;
    bool ok;
    imvo_error_t err;
    char *reply;                    //  the reply's body, packed, when ok
    size_t reply_size;
} s_kept_t;

static s_kept_t s_kept [S_KEPT];
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t s_kept_done = PTHREAD_COND_INITIALIZER;

static void
s_kept_clear (s_kept_t *k)
{
    if (k->reply) {
        sodium_memzero (k->reply, k->reply_size);
        free (k->reply);
    }
    memset (k, 0, sizeof *k);
}

//  The outcome as a response of its own.
static void
s_kept_give (const s_kept_t *k, imvo_response_t *resp)
{
    memset (resp, 0, sizeof *resp);
    msgpack_zone_init (&resp->zone, 1024);
    resp->ok = k->ok;
    resp->err = k->err;
    size_t off = 0;
    if (k->ok && msgpack_unpack (k->reply, k->reply_size, &off, &resp->zone, &resp->root) == MSGPACK_UNPACK_SUCCESS)
        resp->body = &resp->root;
    else
    if (k->ok) {
        resp->ok = false;
        imvo_error_set (&resp->err, IMVO_ERR_INTERNAL, "", "the kept reply is not readable");
    }
}

static bool
s_keeps (const char *type, const char *key)
{
    return key [0] && strncmp (type, "account.", 8) == 0;
}

int
portal_defer_kept (const char *service, const char *type, const char *key, const char *body, size_t size,
                   const portal_actor_t *actor, imvo_response_t *resp)
{
    const char *sent_key = key [0] ? key : NULL;
    if (!s_keeps (type, key))
        return portal_worker_call (service, type, sent_key, body, size, actor, resp);
    unsigned char hash [32];
    crypto_generichash_state st;
    crypto_generichash_init (&st, NULL, 0, sizeof hash);
    crypto_generichash_update (&st, (const unsigned char *) service, strlen (service) + 1);
    if (actor)
        crypto_generichash_update (&st, (const unsigned char *) actor, sizeof *actor);
    if (size)
        crypto_generichash_update (&st, (const unsigned char *) body, size);
    crypto_generichash_final (&st, hash, sizeof hash);
    pthread_mutex_lock (&s_lock);
    s_kept_t *mine = NULL;
    for (;;) {
        int64_t now = zclock_mono ();
        s_kept_t *same = NULL, *free_slot = NULL;
        for (int i = 0; i < S_KEPT; i++) {
            s_kept_t *k = &s_kept [i];
            if (k->state == 2 && k->expires < now)
                s_kept_clear (k);
            if (k->state && streq (k->type, type) && streq (k->key, key))
                same = k;
            else
            if (!k->state && !free_slot)
                free_slot = k;
        }
        if (same && same->state == 2 && !same->ok && sodium_memcmp (same->hash, hash, sizeof hash) != 0) {
            //  A refusal answers only the same values again: the form corrected is asked anew.
            s_kept_clear (same);
            continue;
        }
        if (same && sodium_memcmp (same->hash, hash, sizeof hash) != 0) {
            pthread_mutex_unlock (&s_lock);
            memset (resp, 0, sizeof *resp);
            msgpack_zone_init (&resp->zone, 64);
            imvo_error_set (&resp->err, IMVO_ERR_CONFLICT, "key", "this form was sent already, with other values");
            return 0;
        }
        if (same && same->state == 2) {
            int rc = same->rc;
            s_kept_give (same, resp);
            pthread_mutex_unlock (&s_lock);
            return rc;
        }
        if (same) {                     //  on its way: wait for it (a worker thread, not an HTTP one)
            struct timespec until;
            clock_gettime (CLOCK_REALTIME, &until);
            until.tv_sec += 1;
            pthread_cond_timedwait (&s_kept_done, &s_lock, &until);
            continue;
        }
        mine = free_slot;               //  NULL when all are in use: asked without keeping
        if (mine) {
            snprintf (mine->type, sizeof mine->type, "%s", type);
            snprintf (mine->key, sizeof mine->key, "%s", key);
            memcpy (mine->hash, hash, sizeof hash);
            mine->state = 1;
        }
        break;
    }
    pthread_mutex_unlock (&s_lock);
    int rc = portal_worker_call (service, type, sent_key, body, size, actor, resp);
    if (!mine)
        return rc;
    pthread_mutex_lock (&s_lock);
    //  A daemon that did not answer is not kept: the same form may try again.
    bool keep = rc == 0 || resp->ok;
    if (keep) {
        mine->rc = rc;
        mine->ok = resp->ok;
        mine->err = resp->err;
        if (resp->ok) {
            msgpack_sbuffer packed;
            msgpack_sbuffer_init (&packed);
            msgpack_packer pk;
            msgpack_packer_init (&pk, &packed, msgpack_sbuffer_write);
            msgpack_pack_object (&pk, *resp->body);
            mine->reply = packed.data;
            mine->reply_size = packed.size;
        }
        mine->state = 2;
        mine->expires = zclock_mono () + S_KEPT_MS;
    }
    else
        s_kept_clear (mine);
    pthread_cond_broadcast (&s_kept_done);
    pthread_mutex_unlock (&s_lock);
    return rc;
}

void
portal_defer_kept_clear (void)
{
    for (int i = 0; i < S_KEPT; i++)
        s_kept_clear (&s_kept [i]);
}

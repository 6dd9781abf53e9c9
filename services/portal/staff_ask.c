/*  staff_ask: the console asking the daemons as the signed-in person: a request's body packed
    from a spec of fields (staff_ask at once, staff_call on a worker while the connection waits
    suspended, with the form's idempotency key). See staff.h. */
#include "staff.h"

#include <ctype.h>
#include <stdarg.h>
#include <sodium.h>

//  --- asking the daemons as the person -------------------------------------------------------

static void
s_pack (msgpack_packer *pk, const char *spec, va_list ap, bool count_only, uint32_t *count)
{
    for (const char *t = spec; *t; t++) {
        const char *name = va_arg (ap, const char *);
        if (*t == 'i' || *t == 'j') {
            int64_t v = va_arg (ap, int64_t);
            if (*t == 'j' && v < 0)
                continue;
            if (count_only)
                (*count)++;
            else
                imvo_pack_kv_int (pk, name, v);
        }
        else
        if (*t == 'b' || *t == 'B') {
            int v = va_arg (ap, int);
            if (*t == 'B' && !v)
                continue;
            if (count_only)
                (*count)++;
            else
                imvo_pack_kv_bool (pk, name, v != 0);
        }
        else {
            const char *v = va_arg (ap, const char *);
            if (*t == 'o' && (!v || !*v))
                continue;
            if (count_only)
                (*count)++;
            else
                imvo_pack_kv_str (pk, name, v ? v : "");
        }
    }
}

//  A request's body from spec and its values (as staff_ask), into body (initialised here).
static void
s_pack_body (msgpack_sbuffer *body, const char *spec, va_list ap)
{
    msgpack_sbuffer_init (body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
    uint32_t n = 0;
    va_list again;
    va_copy (again, ap);
    s_pack (&pk, spec, ap, true, &n);
    msgpack_pack_map (&pk, n);
    s_pack (&pk, spec, again, false, &n);
    va_end (again);
}

int
staff_ask (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *spec, ...)
{
    msgpack_sbuffer body;
    va_list ap;
    va_start (ap, spec);
    s_pack_body (&body, spec, ap);
    va_end (ap);
    int rc = portal_call_as (service, type, body.data, body.size, &x->s.actor, resp);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

const char *
staff_idem (staff_t *x)
{
    const char *key = x->post ? portal_field (x->r, "idem") : "";
    if (strlen (key) != 32)
        return NULL;
    for (const char *p = key; *p; p++)
        if (!isxdigit ((unsigned char) *p))
            return NULL;
    return key;
}

int
staff_call_body (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *body,
                 size_t size)
{
    int n = x->calls++;
    if (n < x->r->njobs && portal_job_done (x->r->jobs [n]))
        return portal_job_result (x->r->jobs [n], resp);
    const portal_actor_t *actor = x->s.actor.role [0] ? &x->s.actor : NULL;
    if (portal_defer (x->c, x->r, service, type, staff_idem (x), body, size, actor)) {
        memset (resp, 0, sizeof *resp);
        return STAFF_WAIT;
    }
    return portal_ask_now (x->r, service, type, staff_idem (x), body, size, actor, resp);
}

int
staff_call (staff_t *x, imvo_response_t *resp, const char *service, const char *type, const char *spec, ...)
{
    msgpack_sbuffer body;
    va_list ap;
    va_start (ap, spec);
    s_pack_body (&body, spec, ap);
    va_end (ap);
    int rc = staff_call_body (x, resp, service, type, body.data, body.size);
    //  The body may hold a password.
    sodium_memzero (body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    return rc;
}

const msgpack_object *
staff_covenant_name (staff_t *x, const msgpack_object *covenant)
{
    return portal_covenant_name (x->lang, covenant);
}

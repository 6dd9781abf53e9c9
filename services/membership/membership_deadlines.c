/*  membership_deadlines: the 4 July list. Seed 001 (textile): "Productielocaties van bij het
    convenant aangesloten bedrijven staan online. Jaarlijks wordt op 4 juli een nieuwe lijst
    gepubliceerd."

    A covenant with a list holds its disclosure deadline, its reminders and its publication
    day (deploy/covenants.json: disclosure {publish_on, deadline, reminders_days}). A timer, on
    the daemon's clock (IMVO_CLOCK_OFFSET_S moves it for tests), runs lua/disclosure_clock.lua
    for every covenant once a second: the companies that have not disclosed for the year hear
    location.disclosure_reminder (notify delivers it to the company), those still without a
    disclosure after the deadline are flagged and location.disclosure_overdue tells the
    secretariat and the company; from publish_on on the list is published, once per covenant
    and year: a marker kept in Redis says it was done, so a daemon that was down on 4 July
    publishes once when it starts again. The publication is location.publish with an
    idempotency key of its own (auto-<year>): a daemon killed between the publication and the
    marker publishes nothing twice. location.disclosures shows the secretariat where a year
    stands.
*/
#include "membership_dates.h"

//  Publishes covenant's list of year as location.publish does, under the key auto-<year>.
//  0 when published or when there was nothing to publish (conflict: no disclosures), -1 to try
//  again later (busy, Redis down).
static int
s_publish (imvo_ctx_t *ctx, const char *covenant, int64_t year)
{
    imvo_request_t req;
    memset (&req, 0, sizeof req);
    snprintf (req.type, sizeof req.type, "location.publish");
    snprintf (req.key, sizeof req.key, "auto-%lld", (long long) year);
    snprintf (req.role, sizeof req.role, "service");
    imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
    memset (values, 0, sizeof values);
    values [LOCATION_YEAR_COVENANT] = (imvo_value_t) { .present = true, .str = covenant, .len = strlen (covenant) };
    values [LOCATION_YEAR_YEAR] = (imvo_value_t) { .present = true, .i = year };
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    int rc = membership_location_publish (ctx, &req, values, &reply);
    if (rc == 0)
        zsys_info ("the %s list of %lld is published (4 July timer)", covenant, (long long) year);
    else
    if (reply.err.code == IMVO_ERR_CONFLICT) {
        zsys_info ("the %s list of %lld: %s; nothing to publish", covenant, (long long) year, reply.err.message);
        rc = 0;
    }
    else
        zsys_warning ("the %s list of %lld: %s; trying again", covenant, (long long) year, reply.err.message);
    imvo_reply_release (&reply);
    return rc;
}

//  One covenant: the script again while a step has more members to go through (16 a call: at
//  most S_MAX_CALLS calls a tick, the rest the next second's), then the publication when due.
#define S_MAX_CALLS 1000
static void
s_disclosure_clock (imvo_ctx_t *ctx, const char *covenant)
{
    char today [11];
    membership_today (today);
    int64_t publish = 0;
    bool more = true;
    for (int calls = 0; more && calls < S_MAX_CALLS; calls++) {
        imvo_reply_t got;
        imvo_reply_init (&got);
        more = false;
        if (membership_clock_script (ctx, "disclosure_clock", covenant, today, "tick", NULL, &got) == 0) {
            msgpack_zone zone;
            msgpack_zone_init (&zone, 256);
            msgpack_object o;
            const char *why;
            if (imvo_msg_unpack (got.body.data, got.body.size, &zone, &o, &why) == 0) {
                imvo_obj_int (imvo_map_get (&o, "publish"), &publish);
                const msgpack_object *m = imvo_map_get (&o, "more");
                more = m && m->type == MSGPACK_OBJECT_BOOLEAN && m->via.boolean;
            }
            msgpack_zone_destroy (&zone);
        }
        imvo_reply_release (&got);
    }
    if (!more && publish > 0 && s_publish (ctx, covenant, publish) == 0) {
        char mode [24];
        snprintf (mode, sizeof mode, "published:%lld", (long long) publish);
        membership_clock_script (ctx, "disclosure_clock", covenant, today, mode, NULL, NULL);
    }
}

//  Timer: every covenant's list deadlines.
void
membership_disclosure_run (imvo_ctx_t *ctx)
{
    membership_each_covenant (ctx, s_disclosure_clock);
}

//  Companies by org id in natural order (org-2 before org-10), as member.list gives them.
static int
s_company_cmp (const void *a, const void *b)
{
    char x [72] = "", y [72] = "";
    imvo_obj_strcpy (imvo_map_get (*(const msgpack_object *const *) a, "org_id"), x, sizeof x);
    imvo_obj_strcpy (imvo_map_get (*(const msgpack_object *const *) b, "org_id"), y, sizeof y);
    return strverscmp (x, y);
}

//  location.disclosures: where a year's list stands (this year by default). The script reads
//  the members a page at a time (SSCAN, 16 a call); the pages are gathered and sorted here.
int
membership_location_disclosures (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                 imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [DISCLOSURES_COVENANT].str;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    char today [11], mode [24], cursor [32] = "0";
    membership_today (today);
    snprintf (mode, sizeof mode, "read:%.4s", today);
    if (f [DISCLOSURES_YEAR].present)
        snprintf (mode, sizeof mode, "read:%lld", (long long) f [DISCLOSURES_YEAR].i);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    zlistx_t *pages = zlistx_new ();        //  the pages' bodies, kept while their objects are used
    zlistx_set_destructor (pages, (zlistx_destructor_fn *) zchunk_destroy);
    msgpack_object first = { .type = MSGPACK_OBJECT_NIL };
    const msgpack_object **companies = NULL;
    size_t n = 0, size = 0;
    int rc = 0;
    do {
        imvo_reply_t got;
        imvo_reply_init (&got);
        rc = membership_clock_script (ctx, "disclosure_clock", covenant, today, mode, cursor, &got);
        if (rc)
            reply->err = got.err;
        zchunk_t *page = rc ? NULL : zchunk_new (got.body.data, got.body.size);
        imvo_reply_release (&got);
        msgpack_object o;
        const char *why;
        if (page && imvo_msg_unpack ((const char *) zchunk_data (page), zchunk_size (page), &zone, &o, &why) == 0) {
            zlistx_add_end (pages, page);
            if (first.type == MSGPACK_OBJECT_NIL)
                first = o;
            const msgpack_object *list = imvo_map_get (&o, "companies");
            for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY && i < list->via.array.size; i++) {
                if (n == size) {
                    size = size ? size * 2 : 64;
                    companies = realloc (companies, size * sizeof *companies);
                    assert (companies);
                }
                companies [n++] = &list->via.array.ptr [i];
            }
            if (imvo_obj_strcpy (imvo_map_get (&o, "cursor"), cursor, sizeof cursor))
                strcpy (cursor, "0");
        }
        else {
            zchunk_destroy (&page);
            if (rc == 0)
                rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "a page of location.disclosures could not be read");
        }
    } while (rc == 0 && !streq (cursor, "0"));
    if (rc == 0) {
        if (n > 1)
            qsort (companies, n, sizeof *companies, s_company_cmp);
        static const char *const fields [] = { "covenant", "year", "deadline", "publish_on", "published_on",
                                               "auto_published" };
        msgpack_packer *pk = imvo_reply_pk (reply);
        uint32_t nf = 1;
        for (int i = 0; i < 6; i++)
            nf += imvo_map_get (&first, fields [i]) != NULL;
        msgpack_pack_map (pk, nf);
        for (int i = 0; i < 6; i++)
            if (imvo_map_get (&first, fields [i])) {
                imvo_pack_str (pk, fields [i]);
                msgpack_pack_object (pk, *imvo_map_get (&first, fields [i]));
            }
        imvo_pack_str (pk, "companies");
        msgpack_pack_array (pk, (uint32_t) n);
        for (size_t i = 0; i < n; i++)
            msgpack_pack_object (pk, *companies [i]);
    }
    free (companies);
    zlistx_destroy (&pages);
    msgpack_zone_destroy (&zone);
    return rc;
}

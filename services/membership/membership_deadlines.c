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

static void
s_disclosure_clock (imvo_ctx_t *ctx, const char *covenant)
{
    char today [11];
    membership_today (today);
    imvo_reply_t got;
    imvo_reply_init (&got);
    int64_t publish = 0;
    if (membership_clock_script (ctx, "disclosure_clock", covenant, today, "tick", &got) == 0) {
        msgpack_zone zone;
        msgpack_zone_init (&zone, 256);
        msgpack_object o;
        const char *why;
        if (imvo_msg_unpack (got.body.data, got.body.size, &zone, &o, &why) == 0)
            imvo_obj_int (imvo_map_get (&o, "publish"), &publish);
        msgpack_zone_destroy (&zone);
    }
    imvo_reply_release (&got);
    if (publish > 0 && s_publish (ctx, covenant, publish) == 0) {
        char mode [24];
        snprintf (mode, sizeof mode, "published:%lld", (long long) publish);
        membership_clock_script (ctx, "disclosure_clock", covenant, today, mode, NULL);
    }
}

//  Timer: every covenant's list deadlines.
void
membership_disclosure_run (imvo_ctx_t *ctx)
{
    membership_each_covenant (ctx, s_disclosure_clock);
}

//  location.disclosures: where a year's list stands (this year by default).
int
membership_location_disclosures (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                 imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [DISCLOSURES_COVENANT].str;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    char today [11], mode [24];
    membership_today (today);
    snprintf (mode, sizeof mode, "read:%.4s", today);
    if (f [DISCLOSURES_YEAR].present)
        snprintf (mode, sizeof mode, "read:%lld", (long long) f [DISCLOSURES_YEAR].i);
    return membership_clock_script (ctx, "disclosure_clock", covenant, today, mode, reply);
}

/*  membership_server: covenants, organisations, memberships and production locations.

    Keys (see README.md in this folder for the whole layout):
      imvo:membership:{catalog}:covenants            zset of covenant codes in seed order
      imvo:membership:{<covenant>}:covenant          hash, the covenant's facts (seeded)
      imvo:membership:{<covenant>}:wg                hash, working groups
      imvo:membership:{<covenant>}:member:<org>      hash, a membership (kept after leaving)
      imvo:membership:{<covenant>}:members           set of current members
      imvo:membership:{<covenant>}:loc:<id>, :locnorm, :bucket:..., :year:<y>:...  locations
      imvo:membership:{orgs}:org:<id>, :all, :seq     organisations
      imvo:membership:{accounts}:account:<username>, :all, :enroll:<hash>, :fails:<username>
                                                     accounts of persons (membership_accounts.c)
    Everything one script changes shares the covenant's (or the orgs') hash tag. Reads of an
    organisation before a membership script (its name, kind and share are copied into the
    membership) cross slots; organisations are never deleted, so the read cannot go stale in
    a way that matters.
*/
#include "membership_internal.h"
#include "membership_dates.h"

#include <stdarg.h>

void
membership_today (char buf [11])
{
    //  The daemon's clock (imvo_now_ms: tests may move it).
    time_t now = (time_t) (imvo_now_ms () / 1000);
    struct tm tm;
    gmtime_r (&now, &tm);
    strftime (buf, 11, "%Y-%m-%d", &tm);
}

const char *
membership_opt (const imvo_value_t *v)
{
    return v->present ? v->str : "";
}

const char *
membership_actor (const imvo_request_t *req)
{
    return req->role [0] ? req->role : "local";
}

//  Runs a read script whose result is a packed map.
int
membership_read (imvo_ctx_t *ctx, const char *script, imvo_args_t *keys, imvo_args_t *args, imvo_reply_t *reply)
{
    return imvo_redis_packed_reply (imvo_redis_eval (ctx->redis, script, keys, args), reply);
}

//  The same, on the data hash-tagged tag (a covenant, or "orgs"): KEYS[1] is
//  imvo:membership:{tag}:key, ARGV the prefix imvo:membership:{tag}, then mode and up to two
//  arguments (the first NULL ends them).
int
membership_read_tagged (imvo_ctx_t *ctx, const char *script, const char *tag, const char *key,
                        const char *mode, const char *a, const char *b, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    membership_args (&keys, &args, tag, "%s", key);
    imvo_args_str (&args, mode);
    if (a) {
        imvo_args_str (&args, a);
        if (b)
            imvo_args_str (&args, b);
    }
    int rc = membership_read (ctx, script, &keys, &args, reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

//  What membership_args and membership_named share: both vectors started, keys with
//  "imvo:membership:{tag}:" + the formatted key.
static void __attribute__ ((format (printf, 4, 0)))
s_args_start (imvo_args_t *keys, imvo_args_t *args, const char *tag, const char *key_fmt, va_list ap)
{
    imvo_args_init (keys);
    imvo_args_init (args);
    char key [256];
    vsnprintf (key, sizeof key, key_fmt, ap);
    imvo_args_fmt (keys, "imvo:membership:{%s}:%s", tag, key);
}

void
membership_args (imvo_args_t *keys, imvo_args_t *args, const char *tag, const char *key_fmt, ...)
{
    va_list ap;
    va_start (ap, key_fmt);
    s_args_start (keys, args, tag, key_fmt, ap);
    va_end (ap);
    imvo_args_fmt (args, "imvo:membership:{%s}", tag);
}

void
membership_named (imvo_args_t *keys, imvo_args_t *args, imvo_named_t *named, const char *type, const char *tag,
                  const char *key_fmt, ...)
{
    va_list ap;
    va_start (ap, key_fmt);
    s_args_start (keys, args, tag, key_fmt, ap);
    va_end (ap);
    imvo_named_init (named, type);
    imvo_named_fmt (named, "prefix", "imvo:membership:{%s}", tag);
}

int
membership_read_page (imvo_ctx_t *ctx, const char *script, const char *tag, const char *key, const char *a,
                      const char *b, const imvo_value_t *limit, const imvo_value_t *cursor, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    membership_args (&keys, &args, tag, "%s", key);
    imvo_args_str (&args, "list");
    imvo_args_str (&args, a);
    imvo_args_str (&args, b);
    imvo_args_fmt (&args, "%lld", (long long) (limit->present ? limit->i : 500));
    imvo_args_str (&args, membership_opt (cursor));
    int rc = membership_read (ctx, script, &keys, &args, reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

static const imvo_handler_t s_handlers [] = {
    { "covenant.list", membership_covenant_list },
    { "covenant.get", membership_covenant_get },
    { "org.register", membership_org_register },
    { "org.get", membership_org_get },
    { "org.list", membership_org_list },
    { "org.update", membership_org_update },
    { "member.join", membership_member_join },
    { "member.leave", membership_member_leave },
    { "member.list", membership_member_list },
    { "member.get", membership_member_get },
    { "member.pay", membership_member_pay },
    { "sector.list", membership_sector_list },
    { "meeting.record", membership_meeting_record },
    { "meeting.list", membership_meeting_list },
    { "steering.put", membership_steering_put },
    { "steering.get", membership_steering_get },
    { "member.unpaid", membership_member_unpaid },
    { "member.associates", membership_member_associates },
    { "member.associated", membership_member_associated },
    { "member.contribute", membership_member_contribute },
    { "location.add", membership_location_add },
    { "location.import", membership_location_import },
    { "location.list", membership_location_list },
    { "location.export", membership_location_export },
    { "location.publish", membership_location_publish },
    { "location.counts", membership_location_counts },
    { "location.flags", membership_location_flags },
    { "location.resolve", membership_location_resolve },
    { "location.sourcing", membership_location_sourcing },
    { "location.search", membership_location_search },
    { "location.disclosures", membership_location_disclosures },
    { "covenant.term_record", membership_covenant_term_record },
    { "account.create", membership_account_create },
    { "account.enroll", membership_account_enroll },
    { "account.login", membership_account_login },
    { "account.session", membership_account_session },
    { "account.logout", membership_account_logout },
    { "account.password", membership_account_password },
    { "account.list", membership_account_list },
    { "account.get", membership_account_get },
    { "account.disable", membership_account_disable },
    { "account.reset", membership_account_reset },
    { NULL, NULL },
};

//  On the daemon's clock (membership_dates.c, membership_deadlines.c): terms that ran out, and
//  the 4 July list's reminders, flags and publication.
static const imvo_timer_t s_timers [] = {
    { "terms", 1000, membership_terms_run },
    { "disclosure deadlines", 1000, membership_disclosure_run },
    { NULL, 0, NULL },
};

const imvo_service_def_t membership_service = {
    .name = "membership",
    .handlers = s_handlers,
    .scripts = membership_scripts,
    .on_start = membership_load_seeds,
    .timers = s_timers,
};

/*  membership_dates: dates that really happened. A membership's real signing date
    (member.join's since and source), and the covenants' terms: covenant.term_record, and the
    timer that tells the secretariat once a term has run out (lua/covenant_clock.lua).

    A term is held as the sources give it (deploy/covenants.json: term {starts_on, years?,
    ends_on?}); it runs out on ends_on, or starts_on + years, or on the date an extension
    recorded. Nothing ends on its own: when the run-out date has come, the timer raises
    covenant.term_due once (notify tells the secretariat), and the covenant stays as it is
    until the secretariat records, with covenant.term_record, that it was extended (until a
    new date) or that it ended.
*/
#include "membership_dates.h"

//  since: today or earlier; an earlier date only from staff (not a company for itself), and
//  with the source where it is written. 0, or -1 with the reply's error naming the field.
int
membership_check_since (const imvo_request_t *req, const imvo_value_t *since, const imvo_value_t *source,
                        const char *today, imvo_reply_t *reply)
{
    if (!since->present)
        return 0;
    int cmp = strcmp (since->str, today);
    if (cmp > 0)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "since",
                                "the signing date %s lies in the future (today is %s): give the day it was signed",
                                since->str, today);
    if (cmp < 0 && streq (req->role, "company"))
        return imvo_reply_fail (reply, IMVO_ERR_FORBIDDEN, "since",
                                "an earlier signing date is recorded by the secretariat");
    if (cmp < 0 && !source->present)
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "source",
                                "an earlier signing date needs its source: where the date is written");
    return 0;
}

//  --- terms ---------------------------------------------------------------------------------

int
membership_covenant_term_record (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                 imvo_reply_t *reply)
{
    const char *covenant = f [TERM_RECORD_COVENANT].str;
    char today [11];
    membership_today (today);
    imvo_args_t keys, args;
    imvo_named_t named;
    membership_named (&keys, &args, &named, req->type, covenant, "covenant");
    imvo_named_str (&named, "covenant", covenant);
    imvo_named_str (&named, "decision", f [TERM_RECORD_DECISION].str);
    imvo_named_str (&named, "until_on", membership_opt (&f [TERM_RECORD_UNTIL]));
    imvo_named_str (&named, "source", f [TERM_RECORD_SOURCE].str);
    imvo_named_str (&named, "today", today);
    imvo_named_str (&named, "actor", membership_actor (req));
    imvo_named_done (&named, &args);
    return imvo_commit (ctx, req, covenant, "covenant_term_record", &keys, &args, reply);
}

//  Calls fn for every covenant (the catalog's codes).
void
membership_each_covenant (imvo_ctx_t *ctx, void (*fn) (imvo_ctx_t *ctx, const char *covenant))
{
    redisReply *codes = imvo_redis_cmd (ctx->redis, "ZRANGE imvo:membership:{catalog}:covenants 0 -1");
    for (size_t i = 0; codes && codes->type == REDIS_REPLY_ARRAY && i < codes->elements; i++)
        if (codes->element [i]->type == REDIS_REPLY_STRING)
            fn (ctx, codes->element [i]->str);
    if (codes)
        freeReplyObject (codes);
}

//  A script of the timers, without an idempotency record (KEYS[1] ':idem:-', ARGV[1] '0'):
//  KEYS[2] the covenant hash, ARGV prefix, today, covenant, then mode and cursor. Its events
//  are published (imvo_outbox_commit); the reply's body is packed into got (NULL: freed).
//  0 or -1.
int
membership_clock_script (imvo_ctx_t *ctx, const char *script, const char *covenant, const char *today,
                         const char *mode, const char *cursor, imvo_reply_t *got)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:idem:-", covenant);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:covenant", covenant);
    imvo_args_str (&args, "0");
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, today);
    imvo_args_str (&args, covenant);
    if (mode)
        imvo_args_str (&args, mode);
    if (mode && cursor)
        imvo_args_str (&args, cursor);
    imvo_reply_t own;
    imvo_reply_t *reply = got ? got : &own;
    if (!got)
        imvo_reply_init (&own);
    int rc = imvo_outbox_commit (ctx, imvo_redis_eval (ctx->redis, script, &keys, &args), reply);
    if (rc)
        zsys_warning ("%s for %s: %s", script, covenant, reply->err.message);
    if (!got)
        imvo_reply_release (&own);
    imvo_args_release (&keys);
    imvo_args_release (&args);
    return rc;
}

static void
s_term_clock (imvo_ctx_t *ctx, const char *covenant)
{
    char today [11];
    membership_today (today);
    membership_clock_script (ctx, "covenant_clock", covenant, today, NULL, NULL, NULL);
}

//  Timer: every covenant's term, once a second (one HMGET-sized script per covenant).
void
membership_terms_run (imvo_ctx_t *ctx)
{
    membership_each_covenant (ctx, s_term_clock);
}

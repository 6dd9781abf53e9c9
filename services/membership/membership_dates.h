/*  membership_dates: dates that really happened (membership_dates.c), the covenants' terms and
    the 4 July list's disclosure deadline (membership_deadlines.c). */
#ifndef MEMBERSHIP_DATES_H
#define MEMBERSHIP_DATES_H

#include "membership_internal.h"
#include "catalogue_dates.h"

//  member.join's since and source: 0, or -1 with the error naming one.
int membership_check_since (const imvo_request_t *req, const imvo_value_t *since, const imvo_value_t *source,
                            const char *today, imvo_reply_t *reply);

int membership_covenant_term_record (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                     imvo_reply_t *reply);
int membership_location_disclosures (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                     imvo_reply_t *reply);
//  Timers (membership_server.c's table): terms that ran out; the 4 July list's deadlines.
void membership_terms_run (imvo_ctx_t *ctx);
void membership_disclosure_run (imvo_ctx_t *ctx);

//  Calls fn for every covenant.
void membership_each_covenant (imvo_ctx_t *ctx, void (*fn) (imvo_ctx_t *ctx, const char *covenant));
//  Runs a timer's script on a covenant (KEYS: ':idem:-', the covenant hash; ARGV: '0', prefix,
//  today, covenant, then mode and cursor when not NULL) and publishes its events; got (or
//  NULL) gets the reply.
int membership_clock_script (imvo_ctx_t *ctx, const char *script, const char *covenant, const char *today,
                             const char *mode, const char *cursor, imvo_reply_t *got);

#endif

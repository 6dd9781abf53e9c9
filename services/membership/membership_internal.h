/*  membership_internal: what the membership daemon's files share. membership_server.c has
    the helpers and the handler table; membership_covenants.c the seed data and covenants,
    membership_orgs.c organisations, membership_members.c memberships, membership_locations.c
    production locations, membership_accounts.c the accounts of persons and
    membership_sessions.c their sessions.
*/
#ifndef MEMBERSHIP_INTERNAL_H
#define MEMBERSHIP_INTERNAL_H

#include "membership_server.h"
#include "catalogue_membership.h"
#include "imvo_config.h"
#include "location_country.h"
#include "location_csv.h"
#include "location_norm.h"

#include <time.h>

extern const imvo_script_t membership_scripts [];
extern const char membership_seed_covenants [];

//  Accounts of persons (membership_accounts.c) and their sessions (membership_sessions.c).
int membership_account_create (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                               imvo_reply_t *reply);
int membership_account_enroll (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                               imvo_reply_t *reply);
int membership_account_login (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                              imvo_reply_t *reply);
int membership_account_session (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                imvo_reply_t *reply);
int membership_account_logout (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                               imvo_reply_t *reply);
int membership_account_password (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                 imvo_reply_t *reply);
int membership_account_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                             imvo_reply_t *reply);
int membership_account_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                            imvo_reply_t *reply);
int membership_account_disable (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                                imvo_reply_t *reply);
int membership_account_reset (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                              imvo_reply_t *reply);
int membership_check_covenant (imvo_ctx_t *ctx, const char *covenant, imvo_reply_t *reply);
int membership_covenant_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                             imvo_reply_t *reply);
int membership_covenant_list (imvo_ctx_t *ctx, const imvo_request_t *req,
                              const imvo_value_t *f, imvo_reply_t *reply);
int membership_load_seeds (imvo_ctx_t *ctx);
int membership_location_add (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                             imvo_reply_t *reply);
int membership_location_counts (imvo_ctx_t *ctx, const imvo_request_t *req,
                                const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_export (imvo_ctx_t *ctx, const imvo_request_t *req,
                                const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_flags (imvo_ctx_t *ctx, const imvo_request_t *req,
                               const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_import (imvo_ctx_t *ctx, const imvo_request_t *req,
                                const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_list (imvo_ctx_t *ctx, const imvo_request_t *req,
                              const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_publish (imvo_ctx_t *ctx, const imvo_request_t *req,
                                 const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_resolve (imvo_ctx_t *ctx, const imvo_request_t *req,
                                 const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_search (imvo_ctx_t *ctx, const imvo_request_t *req,
                                const imvo_value_t *f, imvo_reply_t *reply);
int membership_location_sourcing (imvo_ctx_t *ctx, const imvo_request_t *req,
                                  const imvo_value_t *f, imvo_reply_t *reply);
int membership_member_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                           imvo_reply_t *reply);
int membership_member_join (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                            imvo_reply_t *reply);
int membership_member_leave (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                             imvo_reply_t *reply);
int membership_member_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                            imvo_reply_t *reply);
//  membership_collective.c: the SRA's sectors, general meetings, the steering group.
imvo_handler_fn membership_sector_list, membership_meeting_record, membership_meeting_list, membership_steering_put,
    membership_steering_get;
int membership_member_pay (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                           imvo_reply_t *reply);
int membership_member_unpaid (imvo_ctx_t *ctx, const imvo_request_t *req,
                              const imvo_value_t *f, imvo_reply_t *reply);
const char *membership_opt (const imvo_value_t *v);
//  Who a record names as its actor: the sender's role, "local" for a call without one.
const char *membership_actor (const imvo_request_t *req);
int membership_org_get (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                        imvo_reply_t *reply);
int membership_org_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                         imvo_reply_t *reply);
int membership_org_register (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                             imvo_reply_t *reply);
int membership_org_update (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                           imvo_reply_t *reply);
int membership_read (imvo_ctx_t *ctx, const char *script, imvo_args_t *keys, imvo_args_t *args,
                     imvo_reply_t *reply);
int membership_read_tagged (imvo_ctx_t *ctx, const char *script, const char *tag,
                            const char *key, const char *mode, const char *a, const char *b, imvo_reply_t *reply);
void membership_today (char buf [11]);
//  Trade associations' member companies and supporters' contributions (membership_parties.c).
imvo_handler_fn membership_member_associates, membership_member_associated, membership_member_contribute;
//  Starts a script call's vectors: keys with "imvo:membership:{tag}:" + key_fmt, args with
//  the key prefix "imvo:membership:{tag}" (most scripts' ARGV after the idempotency record).
void membership_args (imvo_args_t *keys, imvo_args_t *args, const char *tag, const char *key_fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
//  As membership_args for a script with named arguments: keys as there, args empty, and named
//  started for the message type with "prefix" = "imvo:membership:{tag}" (imvo_named_done puts
//  it into args).
void membership_named (imvo_args_t *keys, imvo_args_t *args, imvo_named_t *named, const char *type,
                       const char *tag, const char *key_fmt, ...) __attribute__ ((format (printf, 6, 7)));
//  A page of a list script ("list" mode): ARGV = prefix, "list", a, b, limit (default 500),
//  cursor ("" for the first page).
int membership_read_page (imvo_ctx_t *ctx, const char *script, const char *tag, const char *key,
                          const char *a, const char *b, const imvo_value_t *limit,
                          const imvo_value_t *cursor, imvo_reply_t *reply);

//  A production location as disclosed (membership_locations.c, membership_import.c).
typedef struct {
    const char *name, *address, *city, *region, *country, *product_type;
    int64_t workers;                //  -1 when not given
    int line;                       //  CSV line, 0 for location.add
    const char *extra;              //  other columns, a packed map, or NULL
    size_t extra_len;
} membership_row_t;
//  Packs one row with its normal forms for matching (membership_disclose.c).
void membership_pack_row (msgpack_packer *pk, const membership_row_t *r);
//  Only current members disclose locations; not_found naming org_id otherwise.
int membership_check_discloser (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant,
                                const char *org, imvo_reply_t *reply);
//  The covenant's location lock, which every change to its locations holds from its first
//  read to its commit (membership_disclose_write.c): waits for it (busy after a while).
//  token gets the holder's token. 0, or -1 with the reply's error.
int membership_lock (imvo_ctx_t *ctx, const char *covenant, char token [33], imvo_reply_t *reply);
void membership_unlock (imvo_ctx_t *ctx, const char *covenant, const char *token);
//  Matches and commits packed rows (an array of membership_pack_row maps) for org and year
//  (membership_disclose*.c); preview: matches and answers the same, writing nothing.
int membership_upsert (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org,
                       int64_t year, const char *rows, size_t rows_len, bool preview, imvo_reply_t *reply);

#endif

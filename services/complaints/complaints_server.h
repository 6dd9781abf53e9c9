/*  complaints_server: the complaints daemon's handlers and its service description. */
#ifndef COMPLAINTS_SERVER_H
#define COMPLAINTS_SERVER_H

#include "imvo_service.h"

extern const imvo_service_def_t complaints_service;

//  Case ids read "TEXTILE-2026-0042": the covenant in capitals, the year, a number counted
//  per covenant and year. Writes the covenant code ("textile") into buf; -1 when case_id does
//  not have that shape.
int complaints_case_covenant (const char *case_id, char *buf, size_t size);

//  Receipts read "TEXTILE-7KQ4-M9PX-2HRT-WC3D": the covenant, then 80 random bits in
//  Crockford base32. Normalises a receipt typed by a person (case, spaces, O/0, I/L/1) in
//  place and writes its covenant into buf; -1 when it cannot be a receipt.
int complaints_receipt_normalise (char *receipt, char *buf, size_t size);

//  A new receipt for covenant ("TEXTILE-" and 16 Crockford base32 characters in groups of
//  4, from 80 random bits) into buf; -1 when there is no randomness.
int complaints_receipt_new (const char *covenant, char *buf, size_t size);
//  The receipt's hash as 40 hex digits: what is kept, never the receipt.
void complaints_receipt_hash (const char *receipt, char hex [41]);

//  The members view (complaints_view.c): the start hook, the consumer's round hook, the
//  handler of membership's events, and whether every covenant's view was read once.
int complaints_views_start (imvo_ctx_t *ctx);
void complaints_views_round (imvo_ctx_t *ctx);
int complaints_on_member_event (imvo_ctx_t *ctx, const imvo_event_t *ev);
bool complaints_views_ready (void);

#endif

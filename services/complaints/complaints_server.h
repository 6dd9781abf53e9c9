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

#endif

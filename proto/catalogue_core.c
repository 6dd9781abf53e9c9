/*  The messages every daemon answers (PROTOCOL.md, fixed): ping and stats. */
#include "imvo_proto.h"

static const imvo_field_t s_none [] = { { "", IMVO_F_MAP, false, 0, 0, 0, NULL, NULL } };

static const imvo_proto_msg_t s_ping = {
    "ping", "is the daemon up, and can it reach Redis", s_none, 0, IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "*" };
static const imvo_proto_msg_t s_stats = {
    "stats", "the daemon's counters: requests, errors by code, events", s_none, 0, IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "*" };

const imvo_proto_msg_t *const imvo_proto_core [] = { &s_ping, &s_stats, NULL };

/*  The messages every daemon answers (proto/README.md "every daemon"): ping and stats. */
#include "imvo_proto.h"

static const imvo_field_t s_none [] = { { "", IMVO_F_MAP, false, 0, 0, 0, NULL, NULL } };

static const imvo_proto_msg_t s_ping = {
    "ping", "is the daemon up, and can it reach Redis", s_none, 0, IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "*",
    .reply = "service version redis" };
static const imvo_proto_msg_t s_stats = {
    "stats", "the daemon's counters: requests, errors by code, events", s_none, 0, IMVO_PUBLIC, NULL, NULL, NULL,
    .service = "*",
    .reply = "service uptime_s workers requests types errors events_emitted events_consumed events_failed batches largest_batch pipelined deliveries?" };

const imvo_proto_msg_t *const imvo_proto_core [] = { &s_ping, &s_stats, NULL };

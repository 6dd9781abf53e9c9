/*  Dates that really happened, the covenants' terms and the 4 July list (issue 23, items 1
    and 3; catalogue_dates.c). The membership daemon answers them (membership_dates.c,
    membership_deadlines.c); they are listed with its other messages (catalogue_membership.c). */
#ifndef CATALOGUE_DATES_H
#define CATALOGUE_DATES_H

#include "imvo_proto.h"

enum { TERM_RECORD_COVENANT, TERM_RECORD_DECISION, TERM_RECORD_UNTIL, TERM_RECORD_SOURCE };
enum { DISCLOSURES_COVENANT, DISCLOSURES_YEAR };

extern const imvo_proto_msg_t covenant_term_record_msg;
extern const imvo_proto_msg_t location_disclosures_msg;

#endif

/*  scoring_server: the monitoring committee's yearly assessment (see scoring_internal.h). */
#ifndef SCORING_SERVER_H
#define SCORING_SERVER_H

#include "imvo_service.h"

extern const imvo_service_def_t scoring_service;

#endif

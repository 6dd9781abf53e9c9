/*  scoring_server: the scoring daemon's handlers and service description. */
#ifndef SCORING_SERVER_H
#define SCORING_SERVER_H

#include "imvo_service.h"

extern const imvo_service_def_t scoring_service;

#endif

/*  membership_server: the membership daemon's handlers and service description. */
#ifndef MEMBERSHIP_SERVER_H
#define MEMBERSHIP_SERVER_H

#include "imvo_service.h"

extern const imvo_service_def_t membership_service;

#endif

/*  notify_server: the notify daemon's event handlers, inbox messages and description. */
#ifndef NOTIFY_SERVER_H
#define NOTIFY_SERVER_H

#include "imvo_service.h"

extern const imvo_service_def_t notify_service;

#endif

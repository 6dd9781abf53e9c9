/*  imvo_internal: what the runtime's own files share and daemons do not see. */
#ifndef IMVO_INTERNAL_H
#define IMVO_INTERNAL_H

#include "imvo_service.h"

//  The scripts of common/lua (dead-lettering, trimming), registered on every connection.
extern const imvo_script_t imvo_common_scripts [];

//  What imvo_service_run hands a consumer actor; copied before the actor signals.
typedef struct {
    imvo_service_t *service;
    const imvo_service_def_t *def;
    const imvo_subscription_t *sub;
    const char *events_endpoint;        //  inproc PULL of the runtime's PUB
} imvo_consumer_args_t;

//  One actor per subscription (imvo_consumer.c).
void imvo_consumer_actor (zsock_t *pipe, void *args);

#endif

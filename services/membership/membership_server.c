/*  membership_server: answers ping and stats (the runtime's); its messages come with their issue. */
#include "membership_server.h"

static const imvo_handler_t s_handlers [] = {
    { NULL, NULL },
};

const imvo_service_def_t membership_service = {
    .name = "membership",
    .handlers = s_handlers,
};

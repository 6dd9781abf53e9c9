/*  scoring_server: answers ping and stats (the runtime's); its messages come with their issue. */
#include "scoring_server.h"

static const imvo_handler_t s_handlers [] = {
    { NULL, NULL, IMVO_IN_WORKER },
};

const imvo_service_def_t scoring_service = {
    .name = "scoring",
    .handlers = s_handlers,
};

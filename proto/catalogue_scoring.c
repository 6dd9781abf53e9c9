/*  The scoring daemon's messages: none beyond ping and stats until its own issue. */
#include "imvo_proto.h"

const imvo_proto_msg_t *const imvo_proto_scoring [] = { NULL };

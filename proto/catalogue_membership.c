/*  The membership daemon's messages. */
#include "imvo_proto.h"

const imvo_proto_msg_t *const imvo_proto_membership [] = { NULL };

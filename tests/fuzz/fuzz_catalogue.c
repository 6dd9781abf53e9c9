/*  fuzz_catalogue: every message type's validation against hostile bodies.

    The first byte of an input picks a message type of the catalogue (all of them, in
    imvo_proto_all order); the rest is the body, unpacked as the runtime does
    (imvo_msg_unpack) and validated with imvo_proto_validate. Asserted: a refusal is
    invalid_argument naming a field; an accepted body gives a value to every required field.
    Built with clang only (tests/fuzz/run.sh).
*/
#include "imvo_msg.h"
#include "imvo_proto.h"

#include <assert.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const imvo_proto_msg_t *s_types [256];
static int s_ntypes;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_ntypes)
        for (int c = 0; imvo_proto_all [c]; c++)
            for (int i = 0; imvo_proto_all [c][i] && s_ntypes < 256; i++)
                s_types [s_ntypes++] = imvo_proto_all [c][i];
    if (size < 1)
        return 0;
    const imvo_proto_msg_t *msg = s_types [data [0] % s_ntypes];
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object body;
    const char *why;
    if (imvo_msg_unpack ((const char *) data + 1, size - 1, &zone, &body, &why) == 0
    &&  body.type == MSGPACK_OBJECT_MAP) {
        imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
        imvo_error_t err = { 0 };
        if (imvo_proto_validate (msg, &body, &zone, values, &err))
            assert (err.code == IMVO_ERR_INVALID_ARGUMENT && err.field [0]);
        else
            for (int i = 0; i < msg->nfields; i++)
                assert (!msg->fields [i].required || values [i].present);
    }
    msgpack_zone_destroy (&zone);
    return 0;
}

/*  fuzz_envelope: a libFuzzer harness for the first line of defence against hostile frames.

    Every input is fed, as a request, through imvo_request_decode (the msgpack pre-pass, then
    msgpack-c, then the envelope checks) and, when it decodes, through the catalogue validator
    of its type (or complaint.submit) and imvo_json_from_obj; and, as a reply, through
    imvo_response_decode. The invariants a crash-free run does not show are asserted: a
    refusal is bad_request with a known field, a decoded request has an id, a type and a body
    map. Built with clang only (see README.md); not part of the CMake build.
*/
#include "imvo_envelope.h"
#include "imvo_proto.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_fields [] = {
    "", "v", "id", "type", "key", "actor", "actor.role", "actor.org", "body", NULL };

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    imvo_request_t req;
    imvo_error_t err = { 0 };
    if (imvo_request_decode (&req, data, size, &err) == 0) {
        assert (req.id [0] && req.type [0]);
        assert (req.body && req.body->type == MSGPACK_OBJECT_MAP);
        const imvo_proto_msg_t *msg = imvo_proto_find (req.type);
        if (!msg)
            msg = imvo_proto_find ("complaint.submit");
        imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
        imvo_error_t verr = { 0 };
        if (imvo_proto_validate (msg, req.body, &req.zone, values, &verr))
            assert (verr.code == IMVO_ERR_INVALID_ARGUMENT && verr.field [0]);
        free (imvo_json_from_obj (&req.root, 2));
    }
    else {
        assert (err.code == IMVO_ERR_BAD_REQUEST);
        bool known = false;
        for (int i = 0; s_fields [i]; i++)
            known |= strcmp (err.field, s_fields [i]) == 0;
        assert (known);
    }
    imvo_request_release (&req);

    imvo_response_t resp;
    if (imvo_response_decode (&resp, data, size) == 0 && resp.ok)
        assert (resp.body && resp.body->type == MSGPACK_OBJECT_MAP);
    imvo_response_release (&resp);
    return 0;
}

/*  complaints_links: the respondent set after intake (complaint.update), and reports about a
    place: the companies that disclosed the production location a complaint names become the
    case's linked companies, and hear of it (complaint.linked), never of who complained.

    The linking runs on complaints' own complaint.received events (a consumer, at least once;
    complaint_link.lua records them once), so intake never waits for membership: it asks
    membership's location.sourcing (as a service) which companies disclosed the place, in any
    covenant and year.
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"
#include "imvo_client.h"


int
complaints_update (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *case_id = f [COMPLAINT_UPDATE_CASE_ID].str;
    char covenant [40];
    if (imvo_case_id_covenant (case_id, covenant, sizeof covenant))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "not a case id");
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_str (&args, f [COMPLAINT_UPDATE_RESPONDENT].str);
    imvo_args_str (&args, req->role);
    imvo_args_fmt (&args, "%lld", (long long) imvo_now_ms ());
    return imvo_commit (ctx, req, covenant, "complaint_update", &keys, &args, reply);
}

//  complaint.open: a company's open cases in one covenant (membership's org.get shows them).
int
complaints_open (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [COMPLAINT_OPEN_COVENANT].str;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:respondent:%s", covenant, f [COMPLAINT_OPEN_RESPONDENT].str);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    return imvo_script_call (ctx, reply, "complaint_open", &keys, &args, imvo_packed_done);
}

static int
s_linked (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply)
{
    return imvo_outbox_commit (ctx, r, reply);
}

int
complaints_on_own_event (imvo_ctx_t *ctx, const imvo_event_t *ev)
{
    char location [72], case_id [72], covenant [40];
    if (!streq (ev->type, "complaint.received")
    ||  imvo_obj_strcpy (imvo_map_get (&ev->body, "location_id"), location, sizeof location)
    ||  imvo_obj_strcpy (imvo_map_get (&ev->body, "case_id"), case_id, sizeof case_id)
    ||  imvo_obj_strcpy (imvo_map_get (&ev->body, "covenant"), covenant, sizeof covenant))
        return 0;                   //  not about a place
    imvo_client_t *membership = imvo_client_new_service ("membership", 2000, 1);
    if (!membership)
        return -1;
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    imvo_pack_kv_str (&pk, "location_id", location);
    imvo_response_t resp;
    int rc = imvo_client_call (membership, "location.sourcing", NULL, body.data, body.size, &resp);
    msgpack_sbuffer_destroy (&body);
    imvo_client_destroy (&membership);
    if (rc || !resp.ok) {
        //  Membership away: tried again (the event stays pending). An unknown place links nobody.
        bool unknown = rc == 0 && resp.err.code == IMVO_ERR_NOT_FOUND;
        if (!unknown)
            zsys_warning ("membership did not say who sources at %s (case %s): %s; tried again", location, case_id,
                          rc ? resp.err.message : imvo_err_name (resp.err.code));
        imvo_response_release (&resp);
        return unknown ? 0 : -1;
    }
    const msgpack_object *companies = imvo_map_get (resp.body, "companies");
    msgpack_sbuffer packed;
    msgpack_sbuffer_init (&packed);
    msgpack_packer ppk;
    msgpack_packer_init (&ppk, &packed, msgpack_sbuffer_write);
    if (companies && companies->type == MSGPACK_OBJECT_ARRAY)
        msgpack_pack_object (&ppk, *companies);
    else
        msgpack_pack_array (&ppk, 0);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:idem:-", covenant);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:case:%s", covenant, case_id);
    imvo_args_str (&args, "0");
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    imvo_args_add (&args, packed.data, packed.size);
    //  Each company once, though it may have disclosed the place in several covenants.
    zhashx_t *seen = zhashx_new ();
    for (uint32_t i = 0; companies && companies->type == MSGPACK_OBJECT_ARRAY && i < companies->via.array.size; i++) {
        char org [72];
        if (imvo_obj_strcpy (imvo_map_get (&companies->via.array.ptr [i], "org_id"), org, sizeof org) == 0
        &&  zhashx_insert (seen, org, (void *) 1) == 0)
            imvo_args_fmt (&args, "%s", org);          //  copied: org is this loop's
    }
    zhashx_destroy (&seen);
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    //  The call owns copies of its arguments once it is parked; packed lives until then.
    rc = imvo_script_call (ctx, &reply, "complaint_link", &keys, &args, s_linked);
    imvo_reply_release (&reply);
    msgpack_sbuffer_destroy (&packed);
    imvo_response_release (&resp);
    return rc;
}

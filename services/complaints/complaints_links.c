/*  complaints_links: the respondent set after intake (complaint.update), and reports about a
    place: the companies that disclosed the production location a complaint names become the
    case's linked companies, and hear of it (complaint.linked), never of who complained.

    The linking runs behind the submit, on the cases that name a place
    (complaints_link_queue.c, at least once; complaint_link.lua records them once), so intake
    never waits for membership.
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"


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

//  complaint.open: a company's open cases in one covenant, and the disputes it filed as the
//  claimant party (membership's org.get shows them).
int
complaints_open (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [COMPLAINT_OPEN_COVENANT].str;
    if (complaints_cases_ready (ctx, covenant, "covenant", reply))     //  a case filed a moment ago
        return -1;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:respondent:%s", covenant, f [COMPLAINT_OPEN_RESPONDENT].str);
    imvo_args_fmt (&keys, "imvo:complaints:{%s}:claimant:%s", covenant, f [COMPLAINT_OPEN_RESPONDENT].str);
    imvo_args_fmt (&args, "imvo:complaints:{%s}", covenant);
    return imvo_script_call (ctx, reply, "complaint_open", &keys, &args, imvo_packed_done);
}

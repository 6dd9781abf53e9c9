/*  complaints_staff: what the secretariat and the committee do with cases beside moving them:
    give a case to a person (complaint.assign, lua/complaint_assign.lua; membership's account.get
    says first that she is staff), write internal notes
    (complaint.note, lua/complaint_internal_note.lua) and take a covenant's cases away as CSV
    (complaint.export, audited). None of it is ever shown to a company or a complainant.
*/
#include "complaints_server.h"
#include "catalogue_complaints.h"
#include "imvo_client.h"

#include <time.h>

#define S_EXPORT_PAGE 1000          //  cases per complaint.export page
#define S_EXPORT_TIES 64            //  more read, for cases of the cursor's millisecond
#define S_EXPORT_CHUNKS 4           //  reads a page is read in

//  The case a staff request names by case_id: KEYS[2] and its covenant, or -1 with the error.
static int
s_case (const imvo_value_t *id, char *covenant, size_t size, imvo_args_t *keys, imvo_reply_t *reply)
{
    if (imvo_case_id_covenant (id->str, covenant, size))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "case_id", "case_id must look like TEXTILE-2026-0042");
    imvo_args_init (keys);
    imvo_args_fmt (keys, "imvo:complaints:{%s}:case:%s", covenant, id->str);
    return 0;
}

//  A case goes only to a person who can work on it: an account of the secretariat or the
//  committee that is not disabled (a pending one is: her account was made, she signs in later).
//  Accounts are membership's, which complaints' Redis user cannot read, so it asks membership
//  (account.get) on this worker thread. Accounts name no covenant: any committee member may be
//  given a case of any covenant. 0 when she may, else -1 with the error naming person; when
//  membership does not answer, unavailable: a case is never given to someone unchecked.
static int
s_assignable (imvo_ctx_t *ctx, const char *person, imvo_reply_t *reply)
{
    imvo_client_t *membership = imvo_ctx_client (ctx, "membership", 1500, 2);
    if (!membership)
        return imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "person", "cannot reach membership to check person; nothing changed");
    msgpack_sbuffer body;
    imvo_pack_one_str (&body, "username", person);
    imvo_response_t resp;
    int rc = imvo_client_call (membership, "account.get", NULL, body.data, body.size, &resp);
    msgpack_sbuffer_destroy (&body);
    if (rc == 0 && resp.ok) {
        const msgpack_object *role = imvo_map_get (resp.body, "role");
        if (!imvo_obj_streq (role, "secretariat") && !imvo_obj_streq (role, "committee"))
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "person",
                                  "person '%s' is not of the secretariat or the committee: a case goes only to them", person);
        else
        if (imvo_obj_streq (imvo_map_get (resp.body, "status"), "disabled"))
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "person", "the account of person '%s' is disabled", person);
    }
    else
    if (rc == 0 && resp.err.code == IMVO_ERR_NOT_FOUND)
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "person", "no account has the username '%s'", person);
    else {
        zsys_warning ("membership did not say who %s is (account.get): %s", person,
                      rc ? resp.err.message : imvo_err_name (resp.err.code));
        rc = imvo_reply_fail (reply, IMVO_ERR_UNAVAILABLE, "person",
                              "membership did not answer, so person could not be checked; nothing changed, try again");
    }
    imvo_response_release (&resp);
    return rc;
}

int
complaints_assign (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40];
    imvo_args_t keys, args;
    if (s_case (&f [COMPLAINT_ASSIGN_CASE_ID], covenant, sizeof covenant, &keys, reply))
        return -1;
    const char *person = f [COMPLAINT_ASSIGN_PERSON].str;
    if (*person && s_assignable (ctx, person, reply)) {
        imvo_args_release (&keys);
        return -1;
    }
    imvo_named_t named;
    imvo_named_init (&named, req->type);
    imvo_named_fmt (&named, "prefix", "imvo:complaints:{%s}", covenant);
    imvo_named_str (&named, "person", f [COMPLAINT_ASSIGN_PERSON].str);
    imvo_named_str (&named, "by", req->role);
    imvo_named_str (&named, "by_person", req->person);
    imvo_named_fmt (&named, "now", "%lld", (long long) imvo_now_ms ());
    imvo_args_init (&args);
    imvo_named_done (&named, &args);
    return imvo_commit (ctx, req, covenant, "complaint_assign", &keys, &args, reply);
}

int
complaints_note (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    char covenant [40];
    imvo_args_t keys, args;
    if (s_case (&f [COMPLAINT_NOTE_CASE_ID], covenant, sizeof covenant, &keys, reply))
        return -1;
    imvo_named_t named;
    imvo_named_init (&named, req->type);
    imvo_named_str (&named, "role", req->role);
    imvo_named_str (&named, "person", req->person);
    imvo_named_str (&named, "text", f [COMPLAINT_NOTE_TEXT].str);
    imvo_named_fmt (&named, "now", "%lld", (long long) imvo_now_ms ());
    imvo_args_init (&args);
    imvo_named_done (&named, &args);
    return imvo_commit (ctx, req, covenant, "complaint_internal_note", &keys, &args, reply);
}

//  One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break; a cell
//  that a spreadsheet would take for a formula (=, +, -, @ first) gets a ' in front.
static void
s_cell (zchunk_t *csv, const char *text, size_t len, bool last)
{
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = text [i] == ',' || text [i] == '"' || text [i] == '\n' || text [i] == '\r';
    if (quote)
        zchunk_extend (csv, "\"", 1);
    if (len && strchr ("=+-@", text [0]))
        zchunk_extend (csv, "'", 1);
    for (size_t i = 0; i < len; i++) {
        if (text [i] == '"')
            zchunk_extend (csv, "\"", 1);
        zchunk_extend (csv, text + i, 1);
    }
    if (quote)
        zchunk_extend (csv, "\"", 1);
    zchunk_extend (csv, last ? "\r\n" : ",", last ? 2 : 1);
}

static void
s_cell_reply (zchunk_t *csv, const redisReply *v, bool last)
{
    if (v && v->type == REDIS_REPLY_STRING)
        s_cell (csv, v->str, v->len, last);
    else
        s_cell (csv, "", 0, last);
}

//  complaint.export: a page of up to S_EXPORT_PAGE cases of a covenant, newest first, as CSV
//  rows of what staff handle a case by, never the complainant's identity. The page is read
//  with a pipeline of a few ZREVRANGEBYSCORE and one of HMGET and ZSCORE per case (no script
//  or command holds Redis long); the first page (no cursor) is audited as complaint.export.
int
complaints_export (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [COMPLAINT_EXPORT_COVENANT].str;
    const char *status = f [COMPLAINT_EXPORT_STATUS].present ? f [COMPLAINT_EXPORT_STATUS].str : NULL;
    long long after_at = -1;
    char after_id [72] = "";
    if (f [COMPLAINT_EXPORT_CURSOR].present) {
        const char *c = f [COMPLAINT_EXPORT_CURSOR].str;
        char *end;
        after_at = strtoll (c, &end, 10);
        if (end == c || *end != ':' || after_at < 0 || !end [1] || strlen (end + 1) >= sizeof after_id)
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "cursor", "cursor must be the cursor of an earlier page");
        snprintf (after_id, sizeof after_id, "%s", end + 1);
    }
    //  The newest cases first enter the indexes read below.
    if (complaints_cases_ready (ctx, covenant, "covenant", reply))
        return -1;
    //  With a status, its index leads once the covenant's indexes are built; the status is
    //  checked on each case either way.
    redisReply *indexed = status ? imvo_redis_cmd (ctx->redis, "EXISTS imvo:complaints:{%s}:index_version", covenant) : NULL;
    bool by_status = indexed && indexed->type == REDIS_REPLY_INTEGER && indexed->integer == 1;
    if (indexed)
        freeReplyObject (indexed);
    char top [32] = "+inf";
    if (after_at >= 0)
        snprintf (top, sizeof top, "%lld", after_at);
    //  In S_EXPORT_CHUNKS reads of one pipeline, so that no command holds Redis for long.
    imvo_args_t reads [S_EXPORT_CHUNKS];
    redisReply *ids [S_EXPORT_CHUNKS];
    int chunk = (S_EXPORT_PAGE + S_EXPORT_TIES) / S_EXPORT_CHUNKS + 1;
    for (int k = 0; k < S_EXPORT_CHUNKS; k++) {
        imvo_args_init (&reads [k]);
        imvo_args_str (&reads [k], "ZREVRANGEBYSCORE");
        if (by_status)
            imvo_args_fmt (&reads [k], "imvo:complaints:{%s}:status:%s", covenant, status);
        else
            imvo_args_fmt (&reads [k], "imvo:complaints:{%s}:cases", covenant);
        imvo_args_str (&reads [k], top);
        imvo_args_str (&reads [k], "-inf");
        imvo_args_str (&reads [k], "WITHSCORES");
        imvo_args_str (&reads [k], "LIMIT");
        imvo_args_fmt (&reads [k], "%d", k * chunk);
        imvo_args_fmt (&reads [k], "%d", chunk);
    }
    bool read = imvo_redis_run_all (ctx->redis, reads, S_EXPORT_CHUNKS, ids) == 0;
    for (int k = 0; k < S_EXPORT_CHUNKS; k++)
        imvo_args_release (&reads [k]);
    for (int k = 0; read && k < S_EXPORT_CHUNKS; k++)
        read = ids [k] && ids [k]->type == REDIS_REPLY_ARRAY;
    if (!read) {
        int rc = imvo_redis_fail (NULL, reply);
        for (int k = 0; k < S_EXPORT_CHUNKS; k++)
            if (ids [k])
                freeReplyObject (ids [k]);
        return rc;
    }
    //  The cases after the cursor: ties of its millisecond come in descending id order.
    size_t n = 0;
    const char **page = malloc ((S_EXPORT_PAGE + 1) * sizeof *page);
    long long *scores = malloc ((S_EXPORT_PAGE + 1) * sizeof *scores);
    assert (page && scores);
    for (int k = 0; k < S_EXPORT_CHUNKS; k++)
        for (size_t i = 0; i < ids [k]->elements / 2 && n < S_EXPORT_PAGE; i++) {
            const char *id = ids [k]->element [2 * i]->str;
            long long at = strtoll (ids [k]->element [2 * i + 1]->str, NULL, 10);
            if (after_at >= 0 && at == after_at && strcmp (id, after_id) >= 0)
                continue;
            scores [n] = at;
            page [n++] = id;
        }
    bool more = n == S_EXPORT_PAGE;
    imvo_args_t *cmds = calloc (2 * n + 1, sizeof *cmds);
    redisReply **out = calloc (2 * n + 1, sizeof *out);
    assert (cmds && out);
    for (size_t i = 0; i < n; i++) {
        imvo_args_init (&cmds [2 * i]);
        imvo_args_str (&cmds [2 * i], "HMGET");
        imvo_args_fmt (&cmds [2 * i], "imvo:complaints:{%s}:case:%s", covenant, page [i]);
        static const char *const fields [] = { "case_id", "received_at", "status", "respondent", "summary", "assigned" };
        for (int k = 0; k < 6; k++)
            imvo_args_str (&cmds [2 * i], fields [k]);
        imvo_args_init (&cmds [2 * i + 1]);
        imvo_args_str (&cmds [2 * i + 1], "ZSCORE");
        imvo_args_fmt (&cmds [2 * i + 1], "imvo:complaints:{%s}:late", covenant);
        imvo_args_str (&cmds [2 * i + 1], page [i]);
    }
    int rc = n && imvo_redis_run_all (ctx->redis, cmds, 2 * n, out) ? imvo_redis_fail (NULL, reply) : 0;
    if (rc == 0) {
        zchunk_t *csv = zchunk_new (NULL, 64 * (n + 1));
        static const char header [] = "case_id,received_at,status,respondent,summary,assigned,overdue\r\n";
        if (after_at < 0)
            zchunk_extend (csv, header, sizeof header - 1);
        for (size_t i = 0; i < n; i++) {
            redisReply *c = out [2 * i];
            if (!c || c->type != REDIS_REPLY_ARRAY || c->elements != 6 || c->element [0]->type != REDIS_REPLY_STRING)
                continue;
            if (status && (c->element [2]->type != REDIS_REPLY_STRING || !streq (c->element [2]->str, status)))
                continue;
            s_cell_reply (csv, c->element [0], false);
            char iso [32] = "";
            if (c->element [1]->type == REDIS_REPLY_STRING) {
                long long ms = strtoll (c->element [1]->str, NULL, 10);
                time_t secs = (time_t) (ms / 1000);
                struct tm tm;
                gmtime_r (&secs, &tm);
                size_t len = strftime (iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
                snprintf (iso + len, sizeof iso - len, ".%03lldZ", ms % 1000);
            }
            s_cell (csv, iso, strlen (iso), false);
            for (int k = 2; k < 6; k++)
                s_cell_reply (csv, c->element [k], false);
            bool late = out [2 * i + 1] && out [2 * i + 1]->type == REDIS_REPLY_STRING;
            s_cell (csv, late ? "true" : "false", late ? 4 : 5, true);
        }
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, more ? 2 : 1);
        imvo_pack_str (pk, "csv");
        imvo_pack_strn (pk, (const char *) zchunk_data (csv), zchunk_size (csv));
        if (more) {
            char next [128];
            snprintf (next, sizeof next, "%lld:%s", scores [n - 1], page [n - 1]);
            imvo_pack_kv_str (pk, "cursor", next);
        }
        zchunk_destroy (&csv);
        if (after_at < 0)
            imvo_audit_mark (reply, "complaint.export", covenant);
    }
    for (size_t i = 0; i < 2 * n; i++) {
        imvo_args_release (&cmds [i]);
        if (out [i])
            freeReplyObject (out [i]);
    }
    free (cmds);
    free (out);
    free (page);
    free (scores);
    for (int k = 0; k < S_EXPORT_CHUNKS; k++)
        freeReplyObject (ids [k]);
    return rc;
}

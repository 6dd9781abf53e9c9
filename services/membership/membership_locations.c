/*  membership_locations: production locations: disclosure one by one or as CSV (all rows or
    none), matching (location_norm.c), the published lists, flags for the secretariat. */
#include "membership_internal.h"

//  --- production locations ------------------------------------------------------------------

typedef struct {
    const char *name, *address, *city, *region, *country, *product_type;
    int64_t workers;                //  -1 when not given
    int line;                       //  CSV line, 0 for location.add
    const char *extra;              //  other columns, a packed map, or NULL
    size_t extra_len;
} s_row_t;

//  Packs one row with its normal forms for lua/location_upsert.lua.
static void
s_pack_row (msgpack_packer *pk, const s_row_t *r)
{
    char norm_name [LOCATION_NAME_MAX * 3 + 8], norm_address [LOCATION_ADDRESS_MAX * 3 + 8];
    location_normalise (r->name, norm_name, sizeof norm_name, true);
    location_normalise (r->address, norm_address, sizeof norm_address, false);
    int n = 8 + (r->region && *r->region) + (r->workers >= 0) + (r->product_type && *r->product_type)
              + (r->extra != NULL);
    msgpack_pack_map (pk, (size_t) n);
    imvo_pack_kv_str (pk, "name", r->name);
    imvo_pack_kv_str (pk, "address", r->address);
    imvo_pack_kv_str (pk, "city", r->city);
    imvo_pack_kv_str (pk, "country", r->country);
    imvo_pack_kv_str (pk, "norm_name", norm_name);
    imvo_pack_kv_str (pk, "norm_address", norm_address);
    imvo_pack_kv_int (pk, "line", r->line);
    imvo_pack_kv_str (pk, "source", r->line ? "import" : "add");
    if (r->region && *r->region)
        imvo_pack_kv_str (pk, "region", r->region);
    if (r->workers >= 0)
        imvo_pack_kv_int (pk, "workers", r->workers);
    if (r->product_type && *r->product_type)
        imvo_pack_kv_str (pk, "product_type", r->product_type);
    if (r->extra) {
        imvo_pack_str (pk, "extra");
        msgpack_sbuffer_write (pk->data, r->extra, r->extra_len);
    }
}

//  A company discloses its own locations; the secretariat may do it for any member.
static int
s_check_discloser (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org,
                   imvo_reply_t *reply)
{
    (void) req;
    if (membership_check_covenant (ctx, covenant, reply))
        return -1;
    redisReply *r = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{%s}:member:%s status", covenant, org);
    int rc = 0;
    if (!r || r->type == REDIS_REPLY_ERROR)
        rc = imvo_redis_fail (r, reply);
    else
    if (r->type != REDIS_REPLY_STRING || !streq (r->str, "active"))
        rc = imvo_reply_fail (reply, IMVO_ERR_NOT_FOUND, "org_id", "%s is not a member of the %s covenant", org, covenant);
    if (r)
        freeReplyObject (r);
    return rc;
}

static int
s_upsert (imvo_ctx_t *ctx, const imvo_request_t *req, const char *covenant, const char *org, int64_t year,
          const char *rows, size_t rows_len, imvo_reply_t *reply)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:locnorm", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, org);
    imvo_args_fmt (&args, "%lld", (long long) year);
    imvo_args_add (&args, rows, rows_len);
    return membership_commit (ctx, req, covenant, "location_upsert", &keys, &args, reply);
}

int
membership_location_add (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_ADD_COVENANT].str, *org = f [LOCATION_ADD_ORG_ID].str;
    if (s_check_discloser (ctx, req, covenant, org, reply))
        return -1;
    s_row_t row = { f [LOCATION_ADD_NAME].str, f [LOCATION_ADD_ADDRESS].str, membership_opt (&f [LOCATION_ADD_CITY]),
                    membership_opt (&f [LOCATION_ADD_REGION]), f [LOCATION_ADD_COUNTRY].str,
                    membership_opt (&f [LOCATION_ADD_PRODUCT]),
                    f [LOCATION_ADD_WORKERS].present ? f [LOCATION_ADD_WORKERS].i : -1, 0, NULL, 0 };
    msgpack_sbuffer rows;
    msgpack_sbuffer_init (&rows);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &rows, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 1);
    s_pack_row (&pk, &row);
    int rc = s_upsert (ctx, req, covenant, org, f [LOCATION_ADD_YEAR].i, rows.data, rows.size, reply);
    msgpack_sbuffer_destroy (&rows);
    return rc;
}

//  The columns an import knows, as location.add's fields name them; a header may also call
//  them by the names of Open Supply Hub's lists, the field's common format.
typedef enum { C_NAME, C_ADDRESS, C_CITY, C_REGION, C_COUNTRY, C_WORKERS, C_PRODUCT, C_KNOWN } s_column_t;

static const struct {
    const char *header;
    s_column_t column;
} s_headers [] = {
    { "name", C_NAME }, { "facility_name", C_NAME }, { "address", C_ADDRESS }, { "city", C_CITY },
    { "region", C_REGION }, { "state", C_REGION }, { "province", C_REGION }, { "country", C_COUNTRY },
    { "country_code", C_COUNTRY }, { "country_name", C_COUNTRY }, { "workers", C_WORKERS },
    { "number_of_workers", C_WORKERS }, { "product_type", C_PRODUCT }, { NULL, C_KNOWN } };

//  location.add's field names, whose catalogue entries hold the rules for each column.
static const char *const s_field_of [C_KNOWN] = {
    "name", "address", "city", "region", "country", "workers", "product_type" };

#define S_MAX_EXTRA 8               //  other columns kept with a location
#define S_EXTRA_MAX 200             //  bytes in one of them

//  A header cell as a column name: trimmed, without a byte-order mark, lower case, '_' for
//  spaces and dashes ("Number of Workers" -> number_of_workers).
static void
s_header_name (char *h)
{
    char *r = h, *w = h;
    while (*r == ' ' || (unsigned char) *r == 0xef || (unsigned char) *r == 0xbb || (unsigned char) *r == 0xbf)
        r++;
    for (; *r; r++)
        *w++ = *r == ' ' || *r == '-' ? '_' : (char) tolower ((unsigned char) *r);
    while (w > h && (w [-1] == '_' || w [-1] == '\r'))
        w--;
    *w = 0;
}

//  Checks one cell by the catalogue's rules for its field in location.add; -1 with the error
//  naming csv.line.N.<column>.
static int
s_check_cell (const char *value, s_column_t c, int line, imvo_reply_t *reply)
{
    const imvo_proto_msg_t *msg = imvo_proto_find ("location.add");
    const imvo_field_t *fd = NULL;
    for (int i = 0; msg && i < msg->nfields; i++)
        if (streq (msg->fields [i].name, s_field_of [c]))
            fd = &msg->fields [i];
    assert (fd);
    size_t len = strlen (value);
    char field [96];
    snprintf (field, sizeof field, "csv.line.%d.%s", line, fd->name);
    if (len == 0)
        return fd->required ? imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: %s is empty",
                                               line, fd->name) : 0;
    if (fd->kind == IMVO_F_INT) {
        char *end;
        long long v = strtoll (value, &end, 10);
        if (*end || v < fd->min || v > fd->max)
            return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field,
                                    "line %d: %s must be a whole number from %lld to %lld", line, fd->name,
                                    (long long) fd->min, (long long) fd->max);
        return 0;
    }
    if ((int64_t) len < fd->min || (fd->max && (int64_t) len > fd->max))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: %s must be %lld to %lld bytes",
                                line, fd->name, (long long) fd->min, (long long) fd->max);
    if (!imvo_proto_format_ok (fd->format, value, len))
        return imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: %s must be %s",
                                line, fd->name, imvo_proto_format_name (fd->format));
    return 0;
}

//  location.import is all-or-nothing: every row is checked before anything is written, and
//  the rows are committed by one script. Columns are read by their header's names, in any
//  order: name, address and country are needed, city, region, workers and product_type may
//  be there, and up to S_MAX_EXTRA others (a sector, coordinates) are kept with the location.
//  A country may be a code or a name ("CHINA", "Viet Nam", "tr").
int
membership_location_import (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_IMPORT_COVENANT].str, *org = f [LOCATION_IMPORT_ORG_ID].str;
    if (s_check_discloser (ctx, req, covenant, org, reply))
        return -1;
    location_csv_t csv;
    location_csv_init (&csv, f [LOCATION_IMPORT_CSV].str);
    msgpack_sbuffer rows;
    msgpack_sbuffer_init (&rows);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &rows, msgpack_sbuffer_write);
    msgpack_sbuffer body;                   //  the rows, packed after counting them
    msgpack_sbuffer_init (&body);
    msgpack_packer bpk;
    msgpack_packer_init (&bpk, &body, msgpack_sbuffer_write);
    int rc = 0, got, count = 0, ncols = 0;
    int column_at [C_KNOWN];                //  the CSV column of each known field, or -1
    char extra_names [S_MAX_EXTRA][64];
    int extra_at [S_MAX_EXTRA], nextra = 0;
    for (int c = 0; c < C_KNOWN; c++)
        column_at [c] = -1;
    got = location_csv_next (&csv);
    if (got <= 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "csv",
                              "the CSV is empty; its first line names the columns: name, address, country, "
                              "and city, region, workers, product_type when you have them");
    ncols = got > 0 ? csv.nfields : 0;
    for (int i = 0; rc == 0 && i < ncols && i < LOCATION_CSV_MAX_FIELDS; i++) {
        s_header_name (csv.fields [i]);
        int known = -1;
        for (int h = 0; s_headers [h].header; h++)
            if (streq (csv.fields [i], s_headers [h].header))
                known = (int) s_headers [h].column;
        if (known >= 0 && column_at [known] < 0)
            column_at [known] = i;
        else
        if (known < 0 && csv.fields [i][0] && nextra < S_MAX_EXTRA
        &&  imvo_proto_format_ok (IMVO_FMT_LINE, csv.fields [i], strlen (csv.fields [i]))) {
            snprintf (extra_names [nextra], sizeof extra_names [nextra], "%s", csv.fields [i]);
            extra_at [nextra++] = i;
        }
    }
    for (int c = 0; rc == 0 && c < C_KNOWN; c++)
        if (column_at [c] < 0 && (c == C_NAME || c == C_ADDRESS || c == C_COUNTRY))
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "csv.line.1",
                                  "line 1 names the columns and needs %s (name, address and country are needed)",
                                  s_field_of [c]);
    while (rc == 0 && (got = location_csv_next (&csv)) != 0) {
        char field [64];
        snprintf (field, sizeof field, "csv.line.%d", csv.line);
        if (got < 0) {
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d: a quoted field is not closed", csv.line);
            break;
        }
        if (csv.nfields > ncols) {
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field, "line %d has %d fields; the header has %d",
                                  csv.line, csv.nfields > LOCATION_CSV_MAX_FIELDS ? LOCATION_CSV_MAX_FIELDS + 1 : csv.nfields,
                                  ncols);
            break;
        }
        const char *cell [C_KNOWN];
        for (int c = 0; c < C_KNOWN; c++)
            cell [c] = column_at [c] >= 0 && column_at [c] < csv.nfields ? csv.fields [column_at [c]] : "";
        char country [3] = "";
        if (cell [C_COUNTRY][0] && location_country (cell [C_COUNTRY], country)) {
            snprintf (field, sizeof field, "csv.line.%d.country", csv.line);
            rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field,
                                  "line %d: '%.40s' is not a country: write an ISO code (VN) or a name (Viet Nam)",
                                  csv.line, cell [C_COUNTRY]);
            break;
        }
        cell [C_COUNTRY] = country;
        for (int c = 0; rc == 0 && c < C_KNOWN; c++)
            rc = s_check_cell (cell [c], (s_column_t) c, csv.line, reply);
        for (int e = 0; rc == 0 && e < nextra; e++) {
            const char *v = extra_at [e] < csv.nfields ? csv.fields [extra_at [e]] : "";
            if (strlen (v) > S_EXTRA_MAX || !imvo_proto_format_ok (IMVO_FMT_LINE, v, strlen (v))) {
                snprintf (field, sizeof field, "csv.line.%d.%.40s", csv.line, extra_names [e]);
                rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, field,
                                      "line %d: %s must be one line of at most %d bytes", csv.line, extra_names [e],
                                      S_EXTRA_MAX);
            }
        }
        if (rc)
            break;
        s_row_t row = { cell [C_NAME], cell [C_ADDRESS], cell [C_CITY], cell [C_REGION], cell [C_COUNTRY],
                        cell [C_PRODUCT], cell [C_WORKERS][0] ? strtoll (cell [C_WORKERS], NULL, 10) : -1,
                        csv.line, NULL, 0 };
        msgpack_sbuffer extra;
        msgpack_sbuffer_init (&extra);
        int nset = 0;
        for (int e = 0; e < nextra; e++)
            nset += extra_at [e] < csv.nfields && csv.fields [extra_at [e]][0];
        if (nset) {
            msgpack_packer epk;
            msgpack_packer_init (&epk, &extra, msgpack_sbuffer_write);
            msgpack_pack_map (&epk, (size_t) nset);
            for (int e = 0; e < nextra; e++)
                if (extra_at [e] < csv.nfields && csv.fields [extra_at [e]][0])
                    imvo_pack_kv_str (&epk, extra_names [e], csv.fields [extra_at [e]]);
            row.extra = extra.data;
            row.extra_len = extra.size;
        }
        s_pack_row (&bpk, &row);
        msgpack_sbuffer_destroy (&extra);
        if (++count > LOCATION_IMPORT_MAX_ROWS) {
            rc = imvo_reply_fail (reply, IMVO_ERR_TOO_LARGE, "csv", "an import holds at most %d rows; split the file",
                                  LOCATION_IMPORT_MAX_ROWS);
            break;
        }
    }
    if (rc == 0 && count == 0)
        rc = imvo_reply_fail (reply, IMVO_ERR_INVALID_ARGUMENT, "csv", "the CSV has a header but no rows");
    if (rc == 0) {
        msgpack_pack_array (&pk, (uint32_t) count);
        msgpack_sbuffer_write (&rows, body.data, body.size);
        rc = s_upsert (ctx, req, covenant, org, f [LOCATION_IMPORT_YEAR].i, rows.data, rows.size, reply);
    }
    msgpack_sbuffer_destroy (&body);
    msgpack_sbuffer_destroy (&rows);
    location_csv_release (&csv);
    return rc;
}

static int
s_location_read (imvo_ctx_t *ctx, const char *covenant, const char *mode, const char *a, const char *b,
                 imvo_reply_t *reply)
{
    return membership_read_tagged (ctx, "location_read", covenant, "covenant", mode, a, b, reply);
}

//  The list of a covenant and year, as locations (list) or as CSV (export): as published for
//  everyone, as disclosed so far (the draft) for staff.
static int
s_location_year (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, const char *mode,
                 imvo_reply_t *reply)
{
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [LOCATION_YEAR_YEAR].i);
    return s_location_read (ctx, f [LOCATION_YEAR_COVENANT].str, mode, year,
                            imvo_actor_staff (req) ? "draft" : "published", reply);
}

int
membership_location_list (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    return s_location_year (ctx, req, f, "list", reply);
}

int
membership_location_export (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    return s_location_year (ctx, req, f, "export", reply);
}

int
membership_location_counts (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_location_read (ctx, f [LOCATION_COUNTS_COVENANT].str, "counts", "", "", reply);
}

int
membership_location_flags (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    return s_location_read (ctx, f [LOCATION_COUNTS_COVENANT].str, "flags", "", "", reply);
}

int
membership_location_sourcing (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_SOURCING_COVENANT].str;
    char year [8];
    snprintf (year, sizeof year, "%lld", (long long) f [LOCATION_SOURCING_YEAR].i);
    imvo_reply_t ids;
    imvo_reply_init (&ids);
    int rc = s_location_read (ctx, covenant, "sourcing", year, f [LOCATION_SOURCING_LOCATION].str, &ids);
    if (rc) {
        reply->err = ids.err;
        imvo_reply_release (&ids);
        return -1;
    }
    //  The org ids with their names, from the organisations' slot.
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object list;
    const char *why;
    rc = imvo_msg_unpack (ids.body.data, ids.body.size, &zone, &list, &why);
    if (rc == 0 && list.type == MSGPACK_OBJECT_ARRAY) {
        msgpack_packer *pk = imvo_reply_pk (reply);
        msgpack_pack_map (pk, 4);
        imvo_pack_kv_str (pk, "covenant", covenant);
        imvo_pack_kv_str (pk, "location_id", f [LOCATION_SOURCING_LOCATION].str);
        imvo_pack_kv_int (pk, "year", f [LOCATION_SOURCING_YEAR].i);
        imvo_pack_str (pk, "companies");
        msgpack_pack_array (pk, list.via.array.size);
        for (uint32_t i = 0; i < list.via.array.size; i++) {
            char org [80];
            imvo_obj_strcpy (&list.via.array.ptr [i], org, sizeof org);
            redisReply *n = imvo_redis_cmd (ctx->redis, "HGET imvo:membership:{orgs}:org:%s name", org);
            msgpack_pack_map (pk, 2);
            imvo_pack_kv_str (pk, "org_id", org);
            imvo_pack_kv_str (pk, "name", n && n->type == REDIS_REPLY_STRING ? n->str : NULL);
            if (n)
                freeReplyObject (n);
        }
    }
    else
        rc = imvo_reply_fail (reply, IMVO_ERR_INTERNAL, "", "unreadable sourcing list");
    msgpack_zone_destroy (&zone);
    imvo_reply_release (&ids);
    return rc;
}

int
membership_location_publish (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_YEAR_COVENANT].str;
    char today [11];
    membership_today (today);
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:covenant", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, covenant);
    imvo_args_fmt (&args, "%lld", (long long) f [LOCATION_YEAR_YEAR].i);
    imvo_args_str (&args, today);
    return membership_commit (ctx, req, covenant, "location_publish", &keys, &args, reply);
}

int
membership_location_resolve (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    (void) req;
    const char *covenant = f [LOCATION_RESOLVE_COVENANT].str;
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:flags", covenant);
    imvo_args_fmt (&keys, "imvo:membership:{%s}:locnorm", covenant);
    imvo_args_fmt (&args, "imvo:membership:{%s}", covenant);
    imvo_args_str (&args, f [LOCATION_RESOLVE_FLAG].str);
    imvo_args_str (&args, f [LOCATION_RESOLVE_DECISION].str);
    imvo_args_str (&args, membership_opt (&f [LOCATION_RESOLVE_LOCATION]));
    return membership_commit (ctx, req, covenant, "location_resolve", &keys, &args, reply);
}

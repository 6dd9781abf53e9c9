/*  membership_import: location.import, a year's production locations as CSV, all rows or
    none. Columns by header name (Open Supply Hub's lists as they are), countries as codes or
    names (location_country.c), each cell checked by location.add's catalogue rules.
*/
#include "membership_internal.h"

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
//  A country may be a code or a name ("CHINA", "Viet Nam", "tr"). With preview: true the rows
//  are checked and matched the same way and the reply is the same, but nothing is written: the
//  console shows a company what matches and what would be flagged before it confirms.
int
membership_location_import (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f, imvo_reply_t *reply)
{
    const char *covenant = f [LOCATION_IMPORT_COVENANT].str, *org = f [LOCATION_IMPORT_ORG_ID].str;
    if (membership_check_discloser (ctx, req, covenant, org, reply))
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
        membership_row_t row = { cell [C_NAME], cell [C_ADDRESS], cell [C_CITY], cell [C_REGION], cell [C_COUNTRY],
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
        membership_pack_row (&bpk, &row);
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
        rc = membership_upsert (ctx, req, covenant, org, f [LOCATION_IMPORT_YEAR].i, rows.data, rows.size,
                                f [LOCATION_IMPORT_PREVIEW].present && f [LOCATION_IMPORT_PREVIEW].b, reply);
    }
    msgpack_sbuffer_destroy (&body);
    msgpack_sbuffer_destroy (&rows);
    location_csv_release (&csv);
    return rc;
}

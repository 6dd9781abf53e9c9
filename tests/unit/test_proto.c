/*  test_proto: the catalogue validator (imvo_proto_validate) with the complaint.submit
    descriptor, and the formats behind it (UTF-8 text and lines, codes, ids, ISO countries,
    dates, e-mail, URLs). Every refusal must be invalid_argument naming the exact field.

    Bodies are written as JSON and packed with imvo_json_to_msgpack; \u0000 / \u0001 give NUL
    and control bytes. The JSON reader refuses bytes that are not UTF-8, so the test carries
    them through it as private-use characters U+F700+byte and puts the raw byte back in the
    packed strings (s_raw_bytes): the validator then sees exactly the hostile bytes.
*/
#include "imvo_proto.h"
#include "catalogue_complaints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_failures, s_checks;

#define CHECK(cond) do { s_checks++; if (!(cond)) { s_failures++; \
    fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_CASE(name, cond) do { s_checks++; if (!(cond)) { s_failures++; \
    fprintf (stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__, (name), #cond); } } while (0)

//  A valid complaint.submit body, in parts, so each case replaces one of them.
#define COV  "\"covenant\":\"textile\""
#define RESP "\"respondent\":\"org-1\""
#define SUM  "\"summary\":\"Locked fire exits\""
#define DESC "\"description\":\"Doors were locked.\\nNight shift.\""
#define ANON "\"complainant\":{\"anonymous\":true}"
#define NAMED "\"complainant\":{\"anonymous\":false,\"name\":\"Asha\",\"contact\":\"asha@example.org\"}"
#define BODY(cov, resp, sum, desc, comp) "{" cov "," resp "," sum "," desc "," comp "}"
#define BODY_PLUS(extra) "{" COV "," RESP "," SUM "," DESC "," ANON "," extra "}"

typedef struct {
    msgpack_sbuffer buf;            //  the packed body: msgpack-c's strings point into it
    msgpack_zone zone;
    msgpack_object body;
    imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
    imvo_error_t err;
    int rc;
} s_result_t;

//  json with each byte that is not part of valid UTF-8 written as U+F700+byte.
static char *
s_carry (const char *json)
{
    size_t len = strlen (json);
    char *out = malloc (len * 3 + 1);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const unsigned char *p = (const unsigned char *) json + i;
        size_t seq = p [0] < 0x80 ? 1 : (p [0] & 0xe0) == 0xc0 ? 2 : (p [0] & 0xf0) == 0xe0 ? 3
                   : (p [0] & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = seq && i + seq <= len;
        for (size_t k = 1; ok && k < seq; k++)
            ok = (p [k] & 0xc0) == 0x80;
        //  Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
        if (ok && seq == 2)
            ok = p [0] >= 0xc2;
        if (ok && seq == 3)
            ok = !(p [0] == 0xe0 && p [1] < 0xa0) && !(p [0] == 0xed && p [1] >= 0xa0);
        if (ok && seq == 4)
            ok = !(p [0] == 0xf0 && p [1] < 0x90) && !(p [0] == 0xf4 && p [1] >= 0x90) && p [0] <= 0xf4;
        if (ok) {
            memcpy (out + n, p, seq);
            n += seq;
            i += seq;
        }
        else {
            unsigned cp = 0xf700 + p [0];
            out [n++] = (char) (0xe0 | (cp >> 12));
            out [n++] = (char) (0x80 | ((cp >> 6) & 0x3f));
            out [n++] = (char) (0x80 | (cp & 0x3f));
            i++;
        }
    }
    out [n] = 0;
    return out;
}

//  Packs o with every U+F7xx in its strings back to the raw byte xx.
static void
s_raw_bytes (const msgpack_object *o, msgpack_packer *pk)
{
    if (o->type == MSGPACK_OBJECT_STR) {
        char *raw = malloc (o->via.str.size + 1);
        size_t n = 0;
        const unsigned char *p = (const unsigned char *) o->via.str.ptr;
        for (uint32_t i = 0; i < o->via.str.size;) {
            if (i + 2 < o->via.str.size && p [i] == 0xef && (p [i + 1] & 0xfc) == 0x9c) {
                raw [n++] = (char) (((p [i + 1] & 0x03) << 6) | (p [i + 2] & 0x3f));
                i += 3;
            }
            else
                raw [n++] = (char) p [i++];
        }
        imvo_pack_strn (pk, raw, n);
        free (raw);
    }
    else
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        msgpack_pack_array (pk, o->via.array.size);
        for (uint32_t i = 0; i < o->via.array.size; i++)
            s_raw_bytes (&o->via.array.ptr [i], pk);
    }
    else
    if (o->type == MSGPACK_OBJECT_MAP) {
        msgpack_pack_map (pk, o->via.map.size);
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            s_raw_bytes (&o->via.map.ptr [i].key, pk);
            s_raw_bytes (&o->via.map.ptr [i].val, pk);
        }
    }
    else
        msgpack_pack_object (pk, *o);
}

//  Validates the JSON body against msg; result->rc is the validator's (or -2 when the JSON or
//  msgpack could not be built, which is a test bug). Caller calls s_release.
static void
s_validate (const imvo_proto_msg_t *msg, const char *json, s_result_t *result)
{
    memset (result, 0, sizeof *result);
    msgpack_zone_init (&result->zone, 1024);
    msgpack_sbuffer_init (&result->buf);
    msgpack_sbuffer *buf = &result->buf;
    char jerr [128];
    const char *why;
    char *carried = s_carry (json);
    msgpack_sbuffer json_packed;
    msgpack_sbuffer_init (&json_packed);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object carried_obj;
    int bad = imvo_json_to_msgpack (carried, &json_packed, jerr, sizeof jerr);
    if (!bad)
        bad = imvo_msg_unpack (json_packed.data, json_packed.size, &zone, &carried_obj, &why);
    if (!bad) {
        msgpack_packer pk;
        msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
        s_raw_bytes (&carried_obj, &pk);
    }
    msgpack_zone_destroy (&zone);
    msgpack_sbuffer_destroy (&json_packed);
    free (carried);
    if (bad) {
        fprintf (stderr, "test bug: JSON %s: %s\n", json, jerr);
        result->rc = -2;
    }
    else
    if (imvo_msg_unpack (buf->data, buf->size, &result->zone, &result->body, &why)) {
        fprintf (stderr, "test bug: msgpack of %s: %s\n", json, why);
        result->rc = -2;
    }
    else
        result->rc = imvo_proto_validate (msg, &result->body, &result->zone, result->values, &result->err);
}

static void
s_release (s_result_t *result)
{
    msgpack_zone_destroy (&result->zone);
    msgpack_sbuffer_destroy (&result->buf);
}

//  The body must be refused, naming field.
static void
s_refused (const imvo_proto_msg_t *msg, const char *name, const char *json, const char *field)
{
    s_result_t r;
    s_validate (msg, json, &r);
    if (r.rc != -1 || r.err.code != IMVO_ERR_INVALID_ARGUMENT || strcmp (r.err.field, field))
        fprintf (stderr, "case '%s': rc=%d code=%s field='%s' (%s), expected field '%s'\n", name, r.rc,
                 imvo_err_name (r.err.code), r.err.field, r.err.message, field);
    CHECK_CASE (name, r.rc == -1);
    CHECK_CASE (name, r.err.code == IMVO_ERR_INVALID_ARGUMENT);
    CHECK_CASE (name, strcmp (r.err.field, field) == 0);
    CHECK_CASE (name, strstr (r.err.message, field) != NULL);
    s_release (&r);
}

//  The body must pass.
static void
s_accepted (const imvo_proto_msg_t *msg, const char *name, const char *json)
{
    s_result_t r;
    s_validate (msg, json, &r);
    if (r.rc != 0)
        fprintf (stderr, "case '%s': rc=%d field='%s' (%s)\n", name, r.rc, r.err.field, r.err.message);
    CHECK_CASE (name, r.rc == 0);
    s_release (&r);
}

static void
test_submit_valid (const imvo_proto_msg_t *msg)
{
    s_result_t r;
    s_validate (msg, BODY_PLUS ("\"country\":\"BD\",\"location_id\":\"loc-1\",\"unknown\":[1,{\"x\":null}],\"n\":7"), &r);
    CHECK (r.rc == 0);
    const imvo_value_t *v = r.values;
    CHECK (v [COMPLAINT_SUBMIT_COVENANT].present && strcmp (v [COMPLAINT_SUBMIT_COVENANT].str, "textile") == 0);
    CHECK (v [COMPLAINT_SUBMIT_COVENANT].len == 7);
    CHECK (strcmp (v [COMPLAINT_SUBMIT_RESPONDENT].str, "org-1") == 0);
    CHECK (strcmp (v [COMPLAINT_SUBMIT_DESCRIPTION].str, "Doors were locked.\nNight shift.") == 0);
    CHECK (v [COMPLAINT_SUBMIT_COMPLAINANT].present && v [COMPLAINT_SUBMIT_COMPLAINANT].obj->type == MSGPACK_OBJECT_MAP);
    CHECK (v [COMPLAINT_SUBMIT_ANONYMOUS].present && v [COMPLAINT_SUBMIT_ANONYMOUS].b);
    CHECK (!v [COMPLAINT_SUBMIT_NAME].present && v [COMPLAINT_SUBMIT_NAME].str == NULL);
    CHECK (!v [COMPLAINT_SUBMIT_KIND].present && !v [COMPLAINT_SUBMIT_SHARE].present);
    CHECK (strcmp (v [COMPLAINT_SUBMIT_COUNTRY].str, "BD") == 0);
    CHECK (strcmp (v [COMPLAINT_SUBMIT_LOCATION].str, "loc-1") == 0);
    s_release (&r);

    s_validate (msg, "{" COV "," RESP "," SUM "," DESC ",\"complainant\":{\"anonymous\":false,\"name\":\"\xc3\x9cnal\","
                     "\"contact\":\"+31 6 1234\",\"kind\":\"union\",\"share_identity\":true},\"country\":null}", &r);
    CHECK (r.rc == 0);
    CHECK (!r.values [COMPLAINT_SUBMIT_ANONYMOUS].b);
    CHECK (strcmp (r.values [COMPLAINT_SUBMIT_NAME].str, "\xc3\x9cnal") == 0);
    CHECK (strcmp (r.values [COMPLAINT_SUBMIT_KIND].str, "union") == 0);
    CHECK (r.values [COMPLAINT_SUBMIT_SHARE].present && r.values [COMPLAINT_SUBMIT_SHARE].b);
    CHECK (!r.values [COMPLAINT_SUBMIT_COUNTRY].present);     //  nil counts as absent
    s_release (&r);
    s_accepted (msg, "named", BODY (COV, RESP, SUM, DESC, NAMED));
    s_accepted (msg, "covenant with digits, - and _", BODY ("\"covenant\":\"natural-stone_2\"", RESP, SUM, DESC, ANON));
}

static void
test_submit_required (const imvo_proto_msg_t *msg)
{
    s_refused (msg, "empty body", "{}", "covenant");
    s_refused (msg, "covenant missing", "{" RESP "," SUM "," DESC "," ANON "}", "covenant");
    s_refused (msg, "covenant nil", BODY ("\"covenant\":null", RESP, SUM, DESC, ANON), "covenant");
    //  A complaint may come without its respondent (a mail, a report about a place): the
    //  secretariat sets it later with complaint.update.
    s_accepted (msg, "respondent missing", "{" COV "," SUM "," DESC "," ANON "}");
    s_refused (msg, "summary missing", "{" COV "," RESP "," DESC "," ANON "}", "summary");
    s_refused (msg, "description missing", "{" COV "," RESP "," SUM "," ANON "}", "description");
    s_refused (msg, "complainant missing", "{" COV "," RESP "," SUM "," DESC "}", "complainant");
    s_refused (msg, "complainant nil", BODY (COV, RESP, SUM, DESC, "\"complainant\":null"), "complainant");
    s_refused (msg, "complainant.anonymous missing", BODY (COV, RESP, SUM, DESC, "\"complainant\":{}"),
               "complainant.anonymous");
    s_refused (msg, "complainant.anonymous missing, name given",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"name\":\"A\"}"), "complainant.anonymous");
    s_refused (msg, "complainant.anonymous nil", BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":null}"),
               "complainant.anonymous");
    //  A top-level key spelled with the dot is not the nested field.
    s_refused (msg, "dotted key at top level",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{},\"complainant.anonymous\":true"), "complainant.anonymous");
}

static void
test_submit_kinds (const imvo_proto_msg_t *msg)
{
    s_refused (msg, "covenant int", BODY ("\"covenant\":7", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "covenant bool", BODY ("\"covenant\":true", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "covenant array", BODY ("\"covenant\":[\"textile\"]", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "respondent map", BODY (COV, "\"respondent\":{}", SUM, DESC, ANON), "respondent");
    s_refused (msg, "summary float", BODY (COV, RESP, "\"summary\":1.5", DESC, ANON), "summary");
    s_refused (msg, "description int", BODY (COV, RESP, SUM, "\"description\":12", ANON), "description");
    s_refused (msg, "complainant string", BODY (COV, RESP, SUM, DESC, "\"complainant\":\"me\""), "complainant");
    s_refused (msg, "complainant array", BODY (COV, RESP, SUM, DESC, "\"complainant\":[{\"anonymous\":true}]"),
               "complainant");
    s_refused (msg, "complainant bool", BODY (COV, RESP, SUM, DESC, "\"complainant\":true"), "complainant");
    s_refused (msg, "complainant.anonymous string", BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":\"no\"}"),
               "complainant.anonymous");
    s_refused (msg, "complainant.anonymous int", BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":1}"),
               "complainant.anonymous");
    s_refused (msg, "complainant.anonymous map", BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":{}}"),
               "complainant.anonymous");
    s_refused (msg, "complainant.name int",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":false,\"name\":5}"), "complainant.name");
    s_refused (msg, "complainant.share_identity string",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"share_identity\":\"yes\"}"),
               "complainant.share_identity");
    s_refused (msg, "country int", BODY_PLUS ("\"country\":31"), "country");
    s_refused (msg, "location_id bool", BODY_PLUS ("\"location_id\":false"), "location_id");
    //  complainant holds at most 16 entries.
    char json [2048];
    int n = snprintf (json, sizeof json, "{" COV "," RESP "," SUM "," DESC ",\"complainant\":{\"anonymous\":true");
    for (int i = 0; i < 16; i++)
        n += snprintf (json + n, sizeof json - (size_t) n, ",\"x%d\":%d", i, i);
    snprintf (json + n, sizeof json - (size_t) n, "}}");
    s_refused (msg, "complainant with 17 entries", json, "complainant");
}

//  A body with one string field of n copies of c (summary, description, ...).
static char *
s_body_with_long (const char *field, size_t n, char c)
{
    char *s = malloc (n + 1);
    memset (s, c, n);
    s [n] = 0;
    size_t size = n + 1024;
    char *json = malloc (size);
    if (strcmp (field, "covenant") == 0)
        snprintf (json, size, BODY ("\"covenant\":\"%s\"", RESP, SUM, DESC, ANON), s);
    else
    if (strcmp (field, "respondent") == 0)
        snprintf (json, size, BODY (COV, "\"respondent\":\"%s\"", SUM, DESC, ANON), s);
    else
    if (strcmp (field, "summary") == 0)
        snprintf (json, size, BODY (COV, RESP, "\"summary\":\"%s\"", DESC, ANON), s);
    else
    if (strcmp (field, "description") == 0)
        snprintf (json, size, BODY (COV, RESP, SUM, "\"description\":\"%s\"", ANON), s);
    else
    if (strcmp (field, "complainant.name") == 0)      //  a named complainant also gives a contact
        snprintf (json, size, BODY (COV, RESP, SUM, DESC,
                                    "\"complainant\":{\"anonymous\":false,\"contact\":\"c\",\"name\":\"%s\"}"), s);
    else
        snprintf (json, size, BODY (COV, RESP, SUM, DESC,
                                    "\"complainant\":{\"anonymous\":false,\"name\":\"n\",\"%s\":\"%s\"}"),
                  field + strlen ("complainant."), s);
    free (s);
    return json;
}

static void
test_submit_lengths (const imvo_proto_msg_t *msg)
{
    struct { const char *field; size_t max; char c; } limits [] = {
        { "covenant", 32, 'c' }, { "respondent", 64, 'r' }, { "summary", 200, 's' },
        { "description", 20000, 'd' }, { "complainant.name", 200, 'n' }, { "complainant.contact", 200, 'k' },
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits [0]; i++) {
        char *json = s_body_with_long (limits [i].field, limits [i].max, limits [i].c);
        s_accepted (msg, limits [i].field, json);
        free (json);
        json = s_body_with_long (limits [i].field, limits [i].max + 1, limits [i].c);
        s_refused (msg, limits [i].field, json, limits [i].field);
        free (json);
        json = s_body_with_long (limits [i].field, 0, limits [i].c);
        s_refused (msg, limits [i].field, json, limits [i].field);
        free (json);
    }
    //  Lengths are bytes: 100 two-byte characters fill a 200-byte summary exactly, 101 do not.
    char json [1024], text [300];
    for (int k = 0; k < 101; k++)
        memcpy (text + 2 * k, "\xc3\xa9", 2);
    text [200] = 0;
    snprintf (json, sizeof json, BODY (COV, RESP, "\"summary\":\"%s\"", DESC, ANON), text);
    s_accepted (msg, "summary of 100 two-byte characters", json);
    memcpy (text + 200, "\xc3\xa9", 2);
    text [202] = 0;
    snprintf (json, sizeof json, BODY (COV, RESP, "\"summary\":\"%s\"", DESC, ANON), text);
    s_refused (msg, "summary of 101 two-byte characters", json, "summary");
}

static void
test_submit_utf8 (const imvo_proto_msg_t *msg)
{
    static const char *const invalid [] = {
        "\xc0\xaf",             //  overlong '/'
        "\xc1\xbf",             //  overlong
        "\xe0\x80\xaf",         //  overlong, three bytes
        "\xe0\x9f\xbf",         //  overlong U+07FF
        "\xf0\x80\x80\xaf",     //  overlong, four bytes
        "\xf0\x8f\xbf\xbf",     //  overlong U+FFFF
        "\xed\xa0\x80",         //  surrogate U+D800
        "\xed\xbf\xbf",         //  surrogate U+DFFF
        "\xed\xa0\xbd\xed\xb8\x80",     //  a CESU-8 surrogate pair
        "\xf4\x90\x80\x80",     //  U+110000
        "\xf5\x80\x80\x80",     //  lead byte past U+10FFFF
        "\xff", "\xfe",
        "\x80",                 //  lone continuation byte
        "a\xbf" "b",
        "\xe2\x82",             //  truncated at the end
        "\xe2\x82x",            //  truncated inside
        "\xf0\x9f\x98",         //  truncated four-byte sequence
        "\xc3",                 //  lead byte at the end
        "\xc3\xc3\xa9",         //  lead byte followed by a lead byte
        NULL };
    static const char *const valid [] = {
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf" /* U+D7FF */,
        "\xee\x80\x80" /* U+E000 */, "\xef\xbf\xbf" /* U+FFFF */, "\xf4\x8f\xbf\xbf" /* U+10FFFF */,
        "\xc2\xa0" /* no-break space */, NULL };
    char json [512], name [64];
    for (int i = 0; invalid [i]; i++) {
        snprintf (name, sizeof name, "invalid UTF-8 #%d in description", i);
        snprintf (json, sizeof json, BODY (COV, RESP, SUM, "\"description\":\"x%sy\"", ANON), invalid [i]);
        s_refused (msg, name, json, "description");
        snprintf (name, sizeof name, "invalid UTF-8 #%d in summary", i);
        snprintf (json, sizeof json, BODY (COV, RESP, "\"summary\":\"%s\"", DESC, ANON), invalid [i]);
        s_refused (msg, name, json, "summary");
        snprintf (name, sizeof name, "invalid UTF-8 #%d in complainant.name", i);
        snprintf (json, sizeof json, BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":false,\"name\":\"%s\"}"),
                  invalid [i]);
        s_refused (msg, name, json, "complainant.name");
    }
    for (int i = 0; valid [i]; i++) {
        snprintf (name, sizeof name, "valid UTF-8 #%d", i);
        snprintf (json, sizeof json, BODY (COV, RESP, "\"summary\":\"a%sb\"", "\"description\":\"%s\"", ANON),
                  valid [i], valid [i]);
        s_accepted (msg, name, json);
    }
}

static void
test_submit_controls (const imvo_proto_msg_t *msg)
{
    //  summary is a LINE: no control characters at all.
    struct { const char *name; const char *value; } line_bad [] = {
        { "newline", "two\\nlines" }, { "carriage return", "a\\rb" }, { "tab", "a\\tb" },
        { "SOH", "a\\u0001b" }, { "ESC", "\\u001b[31mred" }, { "DEL", "a\\u007fb" },
        { "NUL", "a\\u0000b" }, { "NUL at the end", "ab\\u0000" }, { "C1 NEL", "a\\u0085b" },
        { "C1 CSI", "\\u009b31m" },
    };
    char json [512];
    for (size_t i = 0; i < sizeof line_bad / sizeof line_bad [0]; i++) {
        snprintf (json, sizeof json, BODY (COV, RESP, "\"summary\":\"%s\"", DESC, ANON), line_bad [i].value);
        s_refused (msg, line_bad [i].name, json, "summary");
        snprintf (json, sizeof json, BODY (COV, RESP, SUM, DESC,
                                           "\"complainant\":{\"anonymous\":false,\"contact\":\"%s\"}"), line_bad [i].value);
        s_refused (msg, line_bad [i].name, json, "complainant.contact");
    }
    //  description is TEXT: \n, \r and \t are fine, other controls are not.
    s_accepted (msg, "description with newlines and tabs",
                BODY (COV, RESP, SUM, "\"description\":\"a\\r\\n\\tb\\n\"", ANON));
    s_refused (msg, "description with SOH", BODY (COV, RESP, SUM, "\"description\":\"a\\u0001\"", ANON), "description");
    s_refused (msg, "description with DEL", BODY (COV, RESP, SUM, "\"description\":\"a\\u007f\"", ANON), "description");
    s_refused (msg, "description with C1", BODY (COV, RESP, SUM, "\"description\":\"a\\u0080\"", ANON), "description");
    //  NUL bytes in every string kind.
    s_refused (msg, "NUL in description", BODY (COV, RESP, SUM, "\"description\":\"d\\u0000\"", ANON), "description");
    s_refused (msg, "NUL in covenant", BODY ("\"covenant\":\"tex\\u0000tile\"", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "NUL in respondent", BODY (COV, "\"respondent\":\"org\\u00001\"", SUM, DESC, ANON), "respondent");
    s_refused (msg, "NUL in country", BODY_PLUS ("\"country\":\"N\\u0000\""), "country");
    s_refused (msg, "NUL in complainant.kind",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"kind\":\"ngo\\u0000\"}"), "complainant.kind");
    s_refused (msg, "NUL in location_id", BODY_PLUS ("\"location_id\":\"l\\u0000\""), "location_id");
    //  Formats of the id-like fields.
    s_refused (msg, "covenant upper case", BODY ("\"covenant\":\"Textile\"", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "covenant starting with -", BODY ("\"covenant\":\"-textile\"", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "covenant with a space", BODY ("\"covenant\":\"tex tile\"", RESP, SUM, DESC, ANON), "covenant");
    s_refused (msg, "respondent with a space", BODY (COV, "\"respondent\":\"org 1\"", SUM, DESC, ANON), "respondent");
    s_refused (msg, "respondent non-ASCII", BODY (COV, "\"respondent\":\"org-\xc3\xa9\"", SUM, DESC, ANON), "respondent");
}

static void
test_submit_country_choices (const imvo_proto_msg_t *msg)
{
    static const char *const bad_countries [] = { "XX", "nl", "Nl", "N", "NLD", "", "ZZ", "AA", "UK", "1A", "EU", NULL };
    static const char *const good_countries [] = { "NL", "BD", "AD", "ZW", "TR", "IN", "PK", "KH", "MM", "VN", NULL };
    char json [512], name [64];
    for (int i = 0; bad_countries [i]; i++) {
        snprintf (name, sizeof name, "country '%s'", bad_countries [i]);
        snprintf (json, sizeof json, BODY_PLUS ("\"country\":\"%s\""), bad_countries [i]);
        s_refused (msg, name, json, "country");
    }
    for (int i = 0; good_countries [i]; i++) {
        snprintf (name, sizeof name, "country '%s'", good_countries [i]);
        snprintf (json, sizeof json, BODY_PLUS ("\"country\":\"%s\""), good_countries [i]);
        s_accepted (msg, name, json);
    }
    //  complainant.kind: one of worker, union, ngo, representative, other.
    static const char *const kinds [] = { "worker", "union", "ngo", "representative", "other", NULL };
    static const char *const not_kinds [] = { "boss", "NGO", "ngo ", "", "workers", "unio", NULL };
    for (int i = 0; kinds [i]; i++) {
        snprintf (json, sizeof json, BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"kind\":\"%s\"}"),
                  kinds [i]);
        s_accepted (msg, kinds [i], json);
    }
    for (int i = 0; not_kinds [i]; i++) {
        snprintf (name, sizeof name, "kind '%s'", not_kinds [i]);
        snprintf (json, sizeof json, BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"kind\":\"%s\"}"),
                  not_kinds [i]);
        s_refused (msg, name, json, "complainant.kind");
    }
    s_result_t r;
    s_validate (msg, BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"kind\":\"boss\"}"), &r);
    CHECK (r.rc == -1 && strstr (r.err.message, "worker, union, ngo, representative, other") != NULL);
    s_release (&r);
}

//  A descriptor of our own, for the kinds and formats complaint.submit does not use.
static const char *const s_bands [] = { "a", "b", NULL };
static const imvo_field_t s_probe_fields [] = {
    { "signed_on", IMVO_F_STR, true, 10, 10, IMVO_FMT_DATE, NULL, NULL },
    { "year", IMVO_F_INT, false, 2000, 2100, 0, NULL, NULL },
    { "groups", IMVO_F_STRLIST, false, 1, 3, IMVO_FMT_CODE, NULL, NULL },
    { "bands", IMVO_F_STRLIST, false, 0, 0, IMVO_FMT_CODE, s_bands, NULL },
    { "email", IMVO_F_STR, false, 3, 200, IMVO_FMT_EMAIL, NULL, NULL },
    { "website", IMVO_F_STR, false, 8, 200, IMVO_FMT_URL, NULL, NULL },
    { "answers", IMVO_F_ARRAY, false, 0, 2, 0, NULL, NULL },
    { "meta.deep.flag", IMVO_F_BOOL, false, 0, 0, 0, NULL, NULL },
};
static const imvo_proto_msg_t s_probe = { "test.probe", "for test_proto", IMVO_FIELDS (s_probe_fields),
                                          IMVO_PUBLIC, NULL, NULL, NULL, .service = "test" };

static void
test_dates_and_other_kinds (void)
{
    static const char *const bad_dates [] = {
        "2019-02-29", "2019-13-01", "2019-00-10", "2019-04-31", "2019-12-32", "2019-01-00", "1900-02-29",
        "1899-12-31", "2019-1-01", "2019/01/01", "20190101xx", "2019-01-1a", " 2019-01-01", "", NULL };
    static const char *const good_dates [] = {
        "2020-02-29", "2000-02-29", "2019-05-23", "2019-12-31", "1900-01-01", "2024-02-29", NULL };
    char json [256], name [64];
    for (int i = 0; bad_dates [i]; i++) {
        snprintf (name, sizeof name, "date '%s'", bad_dates [i]);
        snprintf (json, sizeof json, "{\"signed_on\":\"%s\"}", bad_dates [i]);
        s_refused (&s_probe, name, json, "signed_on");
        CHECK_CASE (name, !imvo_proto_format_ok (IMVO_FMT_DATE, bad_dates [i], strlen (bad_dates [i])));
    }
    for (int i = 0; good_dates [i]; i++) {
        snprintf (name, sizeof name, "date '%s'", good_dates [i]);
        snprintf (json, sizeof json, "{\"signed_on\":\"%s\"}", good_dates [i]);
        s_accepted (&s_probe, name, json);
    }
    s_refused (&s_probe, "date missing", "{}", "signed_on");
    s_refused (&s_probe, "date as int", "{\"signed_on\":20190101}", "signed_on");
    //  Integers with bounds.
    s_accepted (&s_probe, "year 2000", "{\"signed_on\":\"2020-01-01\",\"year\":2000}");
    s_accepted (&s_probe, "year 2100", "{\"signed_on\":\"2020-01-01\",\"year\":2100}");
    s_refused (&s_probe, "year 1999", "{\"signed_on\":\"2020-01-01\",\"year\":1999}", "year");
    s_refused (&s_probe, "year 2101", "{\"signed_on\":\"2020-01-01\",\"year\":2101}", "year");
    s_refused (&s_probe, "year negative", "{\"signed_on\":\"2020-01-01\",\"year\":-2020}", "year");
    s_refused (&s_probe, "year string", "{\"signed_on\":\"2020-01-01\",\"year\":\"2020\"}", "year");
    s_refused (&s_probe, "year float", "{\"signed_on\":\"2020-01-01\",\"year\":2020.0}", "year");
    s_refused (&s_probe, "year huge", "{\"signed_on\":\"2020-01-01\",\"year\":9223372036854775807}", "year");
    //  String lists: each item named by index.
    s_accepted (&s_probe, "groups", "{\"signed_on\":\"2020-01-01\",\"groups\":[\"wg-1\",\"wg_2\"]}");
    s_refused (&s_probe, "groups empty", "{\"signed_on\":\"2020-01-01\",\"groups\":[]}", "groups");
    s_refused (&s_probe, "groups too many", "{\"signed_on\":\"2020-01-01\",\"groups\":[\"a\",\"b\",\"c\",\"d\"]}", "groups");
    s_refused (&s_probe, "groups not an array", "{\"signed_on\":\"2020-01-01\",\"groups\":\"a\"}", "groups");
    s_refused (&s_probe, "groups item int", "{\"signed_on\":\"2020-01-01\",\"groups\":[\"a\",5]}", "groups.1");
    s_refused (&s_probe, "groups item format", "{\"signed_on\":\"2020-01-01\",\"groups\":[\"A B\"]}", "groups.0");
    s_refused (&s_probe, "groups item empty", "{\"signed_on\":\"2020-01-01\",\"groups\":[\"a\",\"b\",\"\"]}", "groups.2");
    s_refused (&s_probe, "groups item NUL", "{\"signed_on\":\"2020-01-01\",\"groups\":[\"a\\u0000\"]}", "groups.0");
    s_refused (&s_probe, "bands choice", "{\"signed_on\":\"2020-01-01\",\"bands\":[\"a\",\"c\"]}", "bands.1");
    s_accepted (&s_probe, "bands", "{\"signed_on\":\"2020-01-01\",\"bands\":[\"b\",\"a\"]}");
    //  Arrays of anything, nested booleans.
    s_refused (&s_probe, "answers too many", "{\"signed_on\":\"2020-01-01\",\"answers\":[1,2,3]}", "answers");
    s_refused (&s_probe, "answers a map", "{\"signed_on\":\"2020-01-01\",\"answers\":{}}", "answers");
    s_accepted (&s_probe, "answers", "{\"signed_on\":\"2020-01-01\",\"answers\":[{},null]}");
    s_accepted (&s_probe, "deep flag", "{\"signed_on\":\"2020-01-01\",\"meta\":{\"deep\":{\"flag\":false}}}");
    s_accepted (&s_probe, "deep flag, meta not a map", "{\"signed_on\":\"2020-01-01\",\"meta\":7}");
    s_refused (&s_probe, "deep flag int", "{\"signed_on\":\"2020-01-01\",\"meta\":{\"deep\":{\"flag\":0}}}",
               "meta.deep.flag");
    //  E-mail and URL.
    s_accepted (&s_probe, "email", "{\"signed_on\":\"2020-01-01\",\"email\":\"a.b@example.org\"}");
    s_refused (&s_probe, "email without @", "{\"signed_on\":\"2020-01-01\",\"email\":\"example.org\"}", "email");
    s_refused (&s_probe, "email without dot", "{\"signed_on\":\"2020-01-01\",\"email\":\"a@b\"}", "email");
    s_refused (&s_probe, "email @ first", "{\"signed_on\":\"2020-01-01\",\"email\":\"@b.org\"}", "email");
    s_refused (&s_probe, "email @ last", "{\"signed_on\":\"2020-01-01\",\"email\":\"ab.org@\"}", "email");
    s_refused (&s_probe, "email with space", "{\"signed_on\":\"2020-01-01\",\"email\":\"a b@c.org\"}", "email");
    s_refused (&s_probe, "email with newline", "{\"signed_on\":\"2020-01-01\",\"email\":\"a@c.org\\n\"}", "email");
    s_accepted (&s_probe, "url", "{\"signed_on\":\"2020-01-01\",\"website\":\"https://imvo.example/c?x=1\"}");
    s_refused (&s_probe, "url ftp", "{\"signed_on\":\"2020-01-01\",\"website\":\"ftp://imvo.example\"}", "website");
    s_refused (&s_probe, "url bare scheme", "{\"signed_on\":\"2020-01-01\",\"website\":\"https://\"}", "website");
    s_refused (&s_probe, "url javascript", "{\"signed_on\":\"2020-01-01\",\"website\":\"javascript:alert(1)\"}", "website");
    s_refused (&s_probe, "url with space", "{\"signed_on\":\"2020-01-01\",\"website\":\"http://a b\"}", "website");

    //  The formats directly.
    CHECK (imvo_proto_format_ok (IMVO_FMT_CODE, "textile", 7) && !imvo_proto_format_ok (IMVO_FMT_CODE, "", 0));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_CODE, "_x", 2) && !imvo_proto_format_ok (IMVO_FMT_CODE, "a.b", 3));
    CHECK (imvo_proto_format_ok (IMVO_FMT_ID, "org:x-1/2", 9) && !imvo_proto_format_ok (IMVO_FMT_ID, "a\x7f", 2));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_ID, "a\xc3\xa9", 3));
    CHECK (imvo_proto_format_ok (IMVO_FMT_TEXT, "", 0) && imvo_proto_format_ok (IMVO_FMT_LINE, "", 0));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_LINE, "a\0b", 3) && !imvo_proto_format_ok (IMVO_FMT_TEXT, "a\0b", 3));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_COUNTRY, "NL\0", 3) && !imvo_proto_format_ok (IMVO_FMT_COUNTRY, "N\0", 2));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_EMAIL, "", 0) && !imvo_proto_format_ok (IMVO_FMT_URL, "", 0));
    for (int f = IMVO_FMT_TEXT; f <= IMVO_FMT_URL; f++)
        CHECK (strcmp (imvo_proto_format_name ((imvo_format_t) f), "?") != 0);
    for (int k = IMVO_F_STR; k <= IMVO_F_BIN; k++)
        CHECK (strcmp (imvo_proto_kind_name ((imvo_kind_t) k), "?") != 0);
}

//  Every catalogue entry can be found, and its fields fit the values array.
static void
test_catalogue (void)
{
    int messages = 0;
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++) {
            messages++;
            CHECK_CASE ((*m)->type, imvo_proto_find ((*m)->type) == *m);
            CHECK_CASE ((*m)->type, (*m)->nfields <= IMVO_PROTO_MAX_FIELDS);
        }
    CHECK (messages > 10);
    CHECK (imvo_proto_find ("complaint.explode") == NULL && imvo_proto_find ("") == NULL);
    //  The required fields of every message, when missing from an empty body, are named.
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++) {
            const char *first_required = NULL;
            for (int i = 0; i < (*m)->nfields && !first_required; i++)
                if ((*m)->fields [i].required)
                    first_required = (*m)->fields [i].name;
            if (first_required)
                s_refused (*m, (*m)->type, "{}", first_required);
            else
            if ((*m)->check) {
                //  One of several fields may be needed (case_id or receipt): refused, naming one.
                //  A rule that binds fields only when given (audit.list's covenant and case_id
                //  agree) accepts the empty body.
                s_result_t r;
                s_validate (*m, "{}", &r);
                CHECK_CASE ((*m)->type, r.rc == 0 || (r.rc == -1 && r.err.field [0]));
                s_release (&r);
            }
            else
                s_accepted (*m, (*m)->type, "{}");
        }
}

//  Rules across fields live in the catalogue too: anonymous versus name and contact.
static void
test_submit_cross_field (const imvo_proto_msg_t *msg)
{
    s_refused (msg, "anonymous with a name",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"name\":\"Asha\"}"), "complainant.name");
    s_refused (msg, "anonymous sharing an identity",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"share_identity\":true}"),
               "complainant.share_identity");
    s_refused (msg, "named without a name",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":false,\"contact\":\"a@b.org\"}"),
               "complainant.name");
    s_refused (msg, "named without a contact",
               BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":false,\"name\":\"Asha\"}"),
               "complainant.contact");
    s_accepted (msg, "anonymous with a contact for the secretariat",
                BODY (COV, RESP, SUM, DESC, "\"complainant\":{\"anonymous\":true,\"contact\":\"+880 1711\"}"));
    const imvo_proto_msg_t *get = imvo_proto_find ("complaint.get");
    s_accepted (get, "case id", "{\"case_id\":\"NATURAL-STONE-2026-0042\"}");
    s_refused (get, "not a case id", "{\"case_id\":\"TEXTILE-26-42\"}", "case_id");
    const imvo_proto_msg_t *status = imvo_proto_find ("complaint.status");
    s_accepted (status, "receipt as typed", "{\"receipt\":\" textile-7kq4-m9px-2hrt-wc3o \"}");
    s_refused (status, "not a receipt", "{\"receipt\":\"TEXTILE-UUUU-0000-0000-0000\"}", "receipt");
}

int
main (void)
{
    const imvo_proto_msg_t *msg = imvo_proto_find ("complaint.submit");
    CHECK (msg != NULL);
    if (!msg)
        return 1;
    test_submit_valid (msg);
    test_submit_required (msg);
    test_submit_kinds (msg);
    test_submit_lengths (msg);
    test_submit_utf8 (msg);
    test_submit_controls (msg);
    test_submit_country_choices (msg);
    test_submit_cross_field (msg);
    test_dates_and_other_kinds ();
    test_catalogue ();
    printf ("test_proto: %d checks, %d failed\n", s_checks, s_failures);
    return s_failures ? 1 : 0;
}

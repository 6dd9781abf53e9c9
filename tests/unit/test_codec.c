/*  test_codec: the msgpack pre-check, the envelope codec, the catalogue validator and the
    JSON reader, with a corpus of hostile frames. Each hostile frame must be refused with the
    right code and field, and refused before msgpack-c could size an allocation from it. */
#include "imvo_envelope.h"
#include "imvo_proto.h"

#include <stdio.h>
#include <string.h>

static int s_failures, s_checks;

#define CHECK(cond) do { s_checks++; if (!(cond)) { s_failures++; \
    fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

//  Packs a request envelope with the usual keys, then lets the caller append more.
static void
s_envelope (msgpack_sbuffer *buf, int nkeys)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, (uint32_t) nkeys);
}

typedef struct {
    const char *name;
    const char *bytes;
    size_t len;
    const char *field;          //  expected err.field
    const char *id;             //  expected req.id ("" when unreadable)
} s_hostile_t;

#define RAW(s) s, sizeof (s) - 1

static void
test_hostile_corpus (void)
{
    static const s_hostile_t corpus [] = {
        { "empty frame", RAW (""), "", "" },
        { "reserved byte", RAW ("\xc1"), "", "" },
        { "not a map: int", RAW ("\x01"), "", "" },
        { "not a map: array", RAW ("\x91\x01"), "", "" },
        { "not a map: string", RAW ("\xa3" "abc"), "", "" },
        { "not a map: nil", RAW ("\xc0"), "", "" },
        { "truncated map", RAW ("\x82\xa1v\x01"), "", "" },
        { "truncated str", RAW ("\x81\xa2id\xa5" "ab"), "", "" },
        { "truncated int", RAW ("\x81\xa1v\xcd\x01"), "", "" },
        { "huge array32", RAW ("\xdd\xff\xff\xff\xff\x01"), "", "" },
        { "huge map32", RAW ("\xdf\xff\xff\xff\xff\x01\x01"), "", "" },
        { "huge str32", RAW ("\xdb\xff\xff\xff\xff" "abc"), "", "" },
        { "huge bin32", RAW ("\xc6\xff\xff\xff\xff" "abc"), "", "" },
        { "huge ext32", RAW ("\xc9\xff\xff\xff\xff\x01" "abc"), "", "" },
        { "huge array16 in map", RAW ("\x81\xa4" "body\xdc\xff\xff"), "", "" },
        { "trailing bytes", RAW ("\x80\x00"), "", "" },
        { "id missing", RAW ("\x81\xa1v\x01"), "id", "" },
        { "id int", RAW ("\x81\xa2id\x05"), "id", "" },
        { "id empty", RAW ("\x81\xa2id\xa0"), "id", "" },
        { "v missing", RAW ("\x81\xa2id\xa1x"), "v", "x" },
        { "v string", RAW ("\x82\xa2id\xa1x\xa1v\xa1" "1"), "v", "x" },
        { "v 2", RAW ("\x82\xa2id\xa1x\xa1v\x02"), "v", "x" },
        { "v 0", RAW ("\x82\xa2id\xa1x\xa1v\x00"), "v", "x" },
        { "type missing", RAW ("\x82\xa2id\xa1x\xa1v\x01"), "type", "x" },
        { "type int", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\x07"), "type", "x" },
        { "type NUL", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa3p\x00g"), "type", "x" },
        { "body missing", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa4ping"), "body", "x" },
        { "body array", RAW ("\x84\xa2id\xa1x\xa1v\x01\xa4type\xa4ping\xa4" "body\x90"), "body", "x" },
        { "body string", RAW ("\x84\xa2id\xa1x\xa1v\x01\xa4type\xa4ping\xa4" "body\xa1x"), "body", "x" },
        { "actor not a map", RAW ("\x85\xa2id\xa1x\xa1v\x01\xa4type\xa4ping\xa4" "body\x80\xa5" "actor\x01"), "actor", "x" },
        { "actor.role int", RAW ("\x85\xa2id\xa1x\xa1v\x01\xa4type\xa4ping\xa4" "body\x80\xa5" "actor\x81\xa4role\x01"), "actor.role", "x" },
        { "id invalid UTF-8", RAW ("\x81\xa2id\xa2\xff\xfe"), "id", "" },
        { "type with space", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa3p g"), "type", "x" },
        { "key int", RAW ("\x85\xa2id\xa1x\xa1v\x01\xa4type\xa4ping\xa4" "body\x80\xa3key\x01"), "key", "x" },
    };
    for (size_t i = 0; i < sizeof corpus / sizeof corpus [0]; i++) {
        const s_hostile_t *h = &corpus [i];
        imvo_request_t req;
        imvo_error_t err = { 0 };
        int rc = imvo_request_decode (&req, h->bytes, h->len, &err);
        if (rc != -1 || err.code != IMVO_ERR_BAD_REQUEST || strcmp (err.field, h->field) || strcmp (req.id, h->id))
            fprintf (stderr, "hostile frame '%s': rc=%d code=%s field='%s' id='%s' (%s)\n", h->name, rc,
                     imvo_err_name (err.code), err.field, req.id, err.message);
        CHECK (rc == -1);
        CHECK (err.code == IMVO_ERR_BAD_REQUEST);
        CHECK (strcmp (err.field, h->field) == 0);
        CHECK (strcmp (req.id, h->id) == 0);
        CHECK (err.message [0]);
        imvo_request_release (&req);
    }
    //  The huge declarations again and again: refused by the pre-check, no memory grows
    //  (the ASan build would report a leak; a real allocation of 4 G would fail).
    for (int i = 0; i < 10000; i++) {
        imvo_request_t req;
        imvo_error_t err;
        CHECK (imvo_request_decode (&req, "\xdd\xff\xff\xff\xff\x01", 6, &err) == -1);
        imvo_request_release (&req);
    }
}

static void
test_long_strings (void)
{
    char id [70], key [140];
    memset (id, 'a', 65);
    memset (key, 'k', 129);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    imvo_request_pack (&buf, "ok", "ping", NULL, NULL, NULL, NULL, 0);
    imvo_request_t req;
    imvo_error_t err = { 0 };
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (strcmp (req.type, "ping") == 0 && strcmp (req.id, "ok") == 0 && req.key [0] == 0);
    imvo_request_release (&req);

    id [65] = 0;
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, id, "ping", NULL, NULL, NULL, NULL, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == -1 && strcmp (err.field, "id") == 0);
    imvo_request_release (&req);
    id [64] = 0;
    key [129] = 0;
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, id, "ping", key, NULL, NULL, NULL, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == -1 && strcmp (err.field, "key") == 0);
    CHECK (strcmp (req.id, id) == 0);
    imvo_request_release (&req);
    key [128] = 0;
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, id, "ping", key, "secretariat", "org-1", NULL, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (strlen (req.key) == 128 && strcmp (req.role, "secretariat") == 0 && strcmp (req.org, "org-1") == 0);
    imvo_request_release (&req);
    msgpack_sbuffer_destroy (&buf);
}

static void
test_nesting (void)
{
    //  16 levels of arrays inside the body are fine, 17 are not; 1000 are refused quickly.
    for (int depth = 15; depth <= 1000; depth = depth == 16 ? 1000 : depth + 1) {
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        s_envelope (&buf, 4);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
        imvo_pack_kv_int (&pk, "v", 1);
        imvo_pack_kv_str (&pk, "id", "n");
        imvo_pack_kv_str (&pk, "type", "ping");
        imvo_pack_str (&pk, "body");
        msgpack_pack_map (&pk, 1);
        imvo_pack_str (&pk, "x");
        //  The envelope map and the body map are two levels already.
        for (int i = 0; i < depth - 2; i++)
            msgpack_pack_array (&pk, 1);
        msgpack_pack_nil (&pk);
        imvo_request_t req;
        imvo_error_t err = { 0 };
        int rc = imvo_request_decode (&req, buf.data, buf.size, &err);
        CHECK ((depth <= 16) == (rc == 0));
        if (depth > 16)
            CHECK (strstr (err.message, "deeply") != NULL);
        imvo_request_release (&req);
        msgpack_sbuffer_destroy (&buf);
    }
}

static void
test_reply_round_trip (void)
{
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    msgpack_packer *pk = imvo_reply_pk (&reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_kv_str (pk, "case_id", "TEXTILE-2026-0001");
    msgpack_sbuffer out;
    msgpack_sbuffer_init (&out);
    imvo_reply_pack (&out, "r1", &reply);
    imvo_response_t resp;
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    CHECK (resp.ok && strcmp (resp.id, "r1") == 0);
    CHECK (imvo_obj_streq (imvo_map_get (resp.body, "case_id"), "TEXTILE-2026-0001"));
    imvo_response_release (&resp);

    imvo_reply_reset (&reply);
    imvo_reply_fail (&reply, IMVO_ERR_CONFLICT, "to", "not allowed from %s", "received");
    msgpack_sbuffer_clear (&out);
    imvo_reply_pack (&out, NULL, &reply);
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    CHECK (!resp.ok && resp.err.code == IMVO_ERR_CONFLICT && resp.id [0] == 0);
    CHECK (strcmp (resp.err.field, "to") == 0 && strcmp (resp.err.message, "not allowed from received") == 0);
    imvo_response_release (&resp);
    msgpack_sbuffer_destroy (&out);
    imvo_reply_release (&reply);
    for (int c = 1; c < IMVO_ERR_COUNT; c++) {
        const char *name = imvo_err_name ((imvo_err_t) c);
        CHECK (imvo_err_from_name (name, strlen (name)) == (imvo_err_t) c);
    }
}

static void
test_json (void)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err [128];
    CHECK (imvo_json_to_msgpack ("{\"a\": [1, -2, 3.5, true, null, \"\\u00dcnal \\ud83d\\ude00\"], \"b\": {}}",
                                 &buf, err, sizeof err) == 0);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 256);
    msgpack_object obj;
    const char *why;
    CHECK (imvo_msg_unpack (buf.data, buf.size, &zone, &obj, &why) == 0);
    char *json = imvo_json_from_obj (&obj, 0);
    CHECK (strcmp (json, "{\"a\":[1,-2,3.5,true,null,\"\xc3\x9cnal \xf0\x9f\x98\x80\"],\"b\":{}}") == 0);
    free (json);
    msgpack_zone_destroy (&zone);
    const char *bad [] = { "", "{", "[1,]", "{\"a\" 1}", "\"\\x\"", "01x", "[1] 2", "\"\\ud800\"", NULL };
    for (int i = 0; bad [i]; i++) {
        msgpack_sbuffer_clear (&buf);
        CHECK (imvo_json_to_msgpack (bad [i], &buf, err, sizeof err) == -1);
    }
    char deep [200];
    memset (deep, '[', 100);
    deep [100] = 0;
    CHECK (imvo_json_to_msgpack (deep, &buf, err, sizeof err) == -1);
    msgpack_sbuffer_destroy (&buf);
}

static void
test_validator (void)
{
    const imvo_proto_msg_t *msg = imvo_proto_find ("complaint.submit");
    CHECK (msg != NULL);
    struct { const char *json; const char *field; } cases [] = {
        { "{}", "covenant" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\"}", "complainant" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\",\"complainant\":{}}", "complainant.anonymous" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\",\"complainant\":{\"anonymous\":1}}", "complainant.anonymous" },
        { "{\"covenant\":\"TEXTILE\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\",\"complainant\":{\"anonymous\":true}}", "covenant" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"a\\u0001b\",\"description\":\"d\",\"complainant\":{\"anonymous\":true}}", "summary" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\\u0000\",\"complainant\":{\"anonymous\":true}}", "description" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\",\"complainant\":{\"anonymous\":true},\"country\":\"XX\"}", "country" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\",\"complainant\":{\"anonymous\":true,\"kind\":\"boss\"}}", "complainant.kind" },
        { "{\"covenant\":\"textile\",\"respondent\":\"o\",\"summary\":\"s\",\"description\":\"d\",\"complainant\":{\"anonymous\":true},\"country\":\"BD\",\"extra\":1}", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        char jerr [128];
        CHECK (imvo_json_to_msgpack (cases [i].json, &buf, jerr, sizeof jerr) == 0);
        msgpack_zone zone;
        msgpack_zone_init (&zone, 256);
        msgpack_object body;
        const char *why;
        CHECK (imvo_msg_unpack (buf.data, buf.size, &zone, &body, &why) == 0);
        imvo_value_t values [IMVO_PROTO_MAX_FIELDS];
        imvo_error_t err = { 0 };
        int rc = imvo_proto_validate (msg, &body, &zone, values, &err);
        if (cases [i].field) {
            CHECK (rc == -1 && err.code == IMVO_ERR_INVALID_ARGUMENT);
            CHECK (strcmp (err.field, cases [i].field) == 0);
        }
        else
            CHECK (rc == 0);
        msgpack_zone_destroy (&zone);
        msgpack_sbuffer_destroy (&buf);
    }
    //  Formats.
    CHECK (imvo_proto_format_ok (IMVO_FMT_COUNTRY, "NL", 2) && imvo_proto_format_ok (IMVO_FMT_COUNTRY, "TR", 2));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_COUNTRY, "nl", 2) && !imvo_proto_format_ok (IMVO_FMT_COUNTRY, "XX", 2));
    CHECK (imvo_proto_format_ok (IMVO_FMT_DATE, "2020-02-29", 10) && !imvo_proto_format_ok (IMVO_FMT_DATE, "2019-02-29", 10));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_DATE, "2019-13-01", 10) && !imvo_proto_format_ok (IMVO_FMT_DATE, "2019-1-01", 9));
    CHECK (imvo_proto_format_ok (IMVO_FMT_LINE, "\xc3\x9cnal", 5));
    CHECK (!imvo_proto_format_ok (IMVO_FMT_LINE, "\xc0\xaf", 2));          //  overlong
    CHECK (!imvo_proto_format_ok (IMVO_FMT_LINE, "\xed\xa0\x80", 3));      //  surrogate
    CHECK (!imvo_proto_format_ok (IMVO_FMT_LINE, "\xe2\x82", 2));          //  truncated
    CHECK (imvo_proto_format_ok (IMVO_FMT_TEXT, "a\nb", 3) && !imvo_proto_format_ok (IMVO_FMT_LINE, "a\nb", 3));
    CHECK (imvo_proto_format_ok (IMVO_FMT_EMAIL, "a@b.nl", 6) && !imvo_proto_format_ok (IMVO_FMT_EMAIL, "a@b", 3));
    CHECK (imvo_proto_format_ok (IMVO_FMT_URL, "https://x.nl/h", 14) && !imvo_proto_format_ok (IMVO_FMT_URL, "ftp://x", 7));
}

int
main (void)
{
    test_hostile_corpus ();
    test_long_strings ();
    test_nesting ();
    test_reply_round_trip ();
    test_json ();
    test_validator ();
    printf ("test_codec: %d checks, %d failed\n", s_checks, s_failures);
    return s_failures ? 1 : 0;
}

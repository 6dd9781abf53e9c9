/*  test_codec: the msgpack pre-pass (imvo_msg_check / imvo_msg_unpack), the request envelope
    decoder and packer, the reply packer and response decoder, and imvo_json_from_obj.

    The heart is a corpus of hostile frames: each must be refused by imvo_request_decode with
    bad_request, the expected field ("" when the frame is unreadable) and req.id set exactly
    when the id could be read. Frames that declare huge sizes must be refused by the pre-pass,
    before msgpack-c could size an allocation from them, quickly and without memory growth.
    Finally every seed in tests/fuzz/corpus/ is replayed, so the fuzz seeds (and anything the
    fuzzer ever finds, once copied there) are regression tests.

    The catalogue validator has its own test (test_proto.c).
*/
#include "imvo_envelope.h"

#include <dirent.h>
#include <libgen.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int s_failures, s_checks;

#define CHECK(cond) do { s_checks++; if (!(cond)) { s_failures++; \
    fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

//  Like CHECK, naming the case that failed.
#define CHECK_CASE(name, cond) do { s_checks++; if (!(cond)) { s_failures++; \
    fprintf (stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__, (name), #cond); } } while (0)

static double
s_now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

//  Heap bytes the program holds right now: ASan's count under the sanitizer build (freed blocks
//  in its quarantine do not count), glibc's otherwise.
#if defined (__SANITIZE_ADDRESS__)
size_t __sanitizer_get_current_allocated_bytes (void);     //  libasan's allocator interface
static long long
s_heap_in_use (void)
{
    return (long long) __sanitizer_get_current_allocated_bytes ();
}
#else
static long long
s_heap_in_use (void)
{
    return (long long) mallinfo2 ().uordblks;
}
#endif

//  Resident set size in KiB, from /proc/self/statm.
static long
s_rss_kib (void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen ("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose (f);
    return resident * 4;
}

//  Decodes a frame and checks the outcome: rc -1, bad_request, field, req.id.
static void
s_expect_refused (const char *name, const void *data, size_t size, const char *field, const char *id)
{
    imvo_request_t req;
    imvo_error_t err = { 0 };
    int rc = imvo_request_decode (&req, data, size, &err);
    if (rc != -1 || err.code != IMVO_ERR_BAD_REQUEST || strcmp (err.field, field) || strcmp (req.id, id))
        fprintf (stderr, "hostile frame '%s': rc=%d code=%s field='%s' id='%s' (%s)\n", name, rc,
                 imvo_err_name (err.code), err.field, req.id, err.message);
    CHECK_CASE (name, rc == -1);
    CHECK_CASE (name, err.code == IMVO_ERR_BAD_REQUEST);
    CHECK_CASE (name, strcmp (err.field, field) == 0);
    CHECK_CASE (name, strcmp (req.id, id) == 0);
    CHECK_CASE (name, err.message [0] != 0);
    imvo_request_release (&req);
}

//  --- The corpus of fixed hostile frames ---------------------------------------------------

typedef struct {
    const char *name;
    const char *bytes;
    size_t len;
    const char *field;          //  expected err.field ("" when unreadable)
    const char *id;             //  expected req.id ("" when the id could not be read)
} s_hostile_t;

#define RAW(s) s, sizeof (s) - 1
//  Appends a string literal's bytes to buf at *n.
#define APPEND(buf, n, lit) (memcpy ((buf) + (n), lit, sizeof (lit) - 1), (n) += sizeof (lit) - 1)
//  The envelope prefix {v:1, id:"x", type:"ping", ...}: a map of n keys.
#define ENV3 "\xa2id\xa1x\xa1v\x01\xa4type\xa4ping"
#define BODY "\xa4" "body\x80"

static const s_hostile_t s_corpus [] = {
    //  Unreadable frames: no id.
    { "empty frame", RAW (""), "", "" },
    { "reserved byte 0xc1", RAW ("\xc1"), "", "" },
    { "reserved byte inside a map", RAW ("\x81\xa2id\xc1"), "", "" },
    { "truncated map", RAW ("\x82\xa1v\x01"), "", "" },
    { "truncated map16 header", RAW ("\xde\x00"), "", "" },
    { "truncated str", RAW ("\x81\xa2id\xa5" "ab"), "", "" },
    { "truncated str8 header", RAW ("\x81\xa2id\xd9"), "", "" },
    { "truncated int16", RAW ("\x81\xa1v\xcd\x01"), "", "" },
    { "truncated int64", RAW ("\x81\xa1v\xcf\x00\x00\x00"), "", "" },
    { "truncated float64", RAW ("\x81\xa1v\xcb\x3f\xf0"), "", "" },
    { "truncated fixext", RAW ("\x81\xa1v\xd4\x01"), "", "" },
    { "huge array32", RAW ("\xdd\xff\xff\xff\xff\x01"), "", "" },
    { "huge array32, nothing after", RAW ("\xdd\xff\xff\xff\xff"), "", "" },
    { "huge map32", RAW ("\xdf\xff\xff\xff\xff\x01\x01"), "", "" },
    { "huge map32 in body", RAW ("\x84" ENV3 "\xa4" "body\xdf\x7f\xff\xff\xff\xa1k\x01"), "", "" },
    { "huge str32", RAW ("\xdb\xff\xff\xff\xff" "abc"), "", "" },
    { "huge str32 as id", RAW ("\x81\xa2id\xdb\xff\xff\xff\xf0" "abc"), "", "" },
    { "huge bin32", RAW ("\xc6\xff\xff\xff\xff" "abc"), "", "" },
    { "huge ext32", RAW ("\xc9\xff\xff\xff\xff\x01" "abc"), "", "" },
    { "huge array16 in map", RAW ("\x81\xa4" "body\xdc\xff\xff"), "", "" },
    { "huge map16", RAW ("\xde\xff\xff\xa1k\x01"), "", "" },
    { "str8 longer than frame", RAW ("\x81\xa2id\xd9\xff" "abc"), "", "" },
    { "bin8 longer than frame", RAW ("\x81\xa2id\xc4\x10" "abc"), "", "" },
    { "trailing byte after a map", RAW ("\x80\x00"), "", "" },
    { "trailing bytes after an envelope", RAW ("\x84" ENV3 BODY "\xc0\xc0"), "", "" },
    { "two envelopes in one frame", RAW ("\x84" ENV3 BODY "\x84" ENV3 BODY), "", "" },
    //  Readable, but not a map.
    { "not a map: int", RAW ("\x01"), "", "" },
    { "not a map: negative int", RAW ("\xff"), "", "" },
    { "not a map: array", RAW ("\x91\x01"), "", "" },
    { "not a map: empty array", RAW ("\x90"), "", "" },
    { "not a map: string", RAW ("\xa3" "abc"), "", "" },
    { "not a map: nil", RAW ("\xc0"), "", "" },
    { "not a map: true", RAW ("\xc3"), "", "" },
    { "not a map: float", RAW ("\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"), "", "" },
    { "not a map: bin", RAW ("\xc4\x02\x81\x80"), "", "" },
    { "not a map: ext", RAW ("\xd4\x01\x02"), "", "" },
    { "not a map: ext8", RAW ("\xc7\x02\x05\x81\x80"), "", "" },
    //  Envelope keys of the wrong type or size. The id comes first.
    { "empty map", RAW ("\x80"), "id", "" },
    { "id missing", RAW ("\x81\xa1v\x01"), "id", "" },
    { "id nil", RAW ("\x81\xa2id\xc0"), "id", "" },
    { "id int", RAW ("\x81\xa2id\x05"), "id", "" },
    { "id as bin", RAW ("\x81\xa2id\xc4\x01x"), "id", "" },
    { "id as ext", RAW ("\x81\xa2id\xd4\x01x"), "id", "" },
    { "id empty", RAW ("\x81\xa2id\xa0"), "id", "" },
    { "id with NUL", RAW ("\x81\xa2id\xa3" "a\x00" "b"), "id", "" },
    { "id with newline", RAW ("\x81\xa2id\xa3" "a\nb"), "id", "" },
    { "id invalid UTF-8", RAW ("\x81\xa2id\xa2\xff\xfe"), "id", "" },
    { "id overlong UTF-8", RAW ("\x81\xa2id\xa2\xc0\xaf"), "id", "" },
    { "id key as bin, not str", RAW ("\x84\xc4\x02id\xa1x\xa1v\x01\xa4type\xa4ping" BODY), "id", "" },
    { "v missing", RAW ("\x81\xa2id\xa1x"), "v", "x" },
    { "v nil", RAW ("\x82\xa2id\xa1x\xa1v\xc0"), "v", "x" },
    { "v as string", RAW ("\x82\xa2id\xa1x\xa1v\xa1" "1"), "v", "x" },
    { "v as float", RAW ("\x82\xa2id\xa1x\xa1v\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"), "v", "x" },
    { "v as bool", RAW ("\x82\xa2id\xa1x\xa1v\xc3"), "v", "x" },
    { "v as ext", RAW ("\x82\xa2id\xa1x\xa1v\xd4\x01\x01"), "v", "x" },
    { "v = 2", RAW ("\x82\xa2id\xa1x\xa1v\x02"), "v", "x" },
    { "v = 0", RAW ("\x82\xa2id\xa1x\xa1v\x00"), "v", "x" },
    { "v = -1", RAW ("\x82\xa2id\xa1x\xa1v\xff"), "v", "x" },
    { "v = 2^64-1", RAW ("\x82\xa2id\xa1x\xa1v\xcf\xff\xff\xff\xff\xff\xff\xff\xff"), "v", "x" },
    { "v = 2^32+1", RAW ("\x82\xa2id\xa1x\xa1v\xcf\x00\x00\x00\x01\x00\x00\x00\x01"), "v", "x" },
    { "type missing", RAW ("\x82\xa2id\xa1x\xa1v\x01"), "type", "x" },
    { "type nil", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xc0"), "type", "x" },
    { "type int", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\x07"), "type", "x" },
    { "type empty", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa0"), "type", "x" },
    { "type with NUL", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa5ping\x00"), "type", "x" },
    { "type NUL inside", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa3p\x00g"), "type", "x" },
    { "type with space", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa3p g"), "type", "x" },
    { "type non-ASCII", RAW ("\x83\xa2id\xa1x\xa1v\x01\xa4type\xa2\xc3\x9c"), "type", "x" },
    { "key int", RAW ("\x85" ENV3 BODY "\xa3key\x01"), "key", "x" },
    { "key empty", RAW ("\x85" ENV3 BODY "\xa3key\xa0"), "key", "x" },
    { "key with control byte", RAW ("\x85" ENV3 BODY "\xa3key\xa2k\x01"), "key", "x" },
    { "actor not a map: int", RAW ("\x85" ENV3 BODY "\xa5" "actor\x01"), "actor", "x" },
    { "actor not a map: string", RAW ("\x85" ENV3 BODY "\xa5" "actor\xa3" "sec"), "actor", "x" },
    { "actor not a map: array", RAW ("\x85" ENV3 BODY "\xa5" "actor\x91\xa3" "sec"), "actor", "x" },
    { "actor.role int", RAW ("\x85" ENV3 BODY "\xa5" "actor\x81\xa4role\x01"), "actor.role", "x" },
    { "actor.role empty", RAW ("\x85" ENV3 BODY "\xa5" "actor\x81\xa4role\xa0"), "actor.role", "x" },
    { "actor.role map", RAW ("\x85" ENV3 BODY "\xa5" "actor\x81\xa4role\x80"), "actor.role", "x" },
    { "actor.org int", RAW ("\x85" ENV3 BODY "\xa5" "actor\x81\xa3org\x01"), "actor.org", "x" },
    { "body missing", RAW ("\x83" ENV3), "body", "x" },
    { "body nil", RAW ("\x84" ENV3 "\xa4" "body\xc0"), "body", "x" },
    { "body array", RAW ("\x84" ENV3 "\xa4" "body\x90"), "body", "x" },
    { "body array of a map", RAW ("\x84" ENV3 "\xa4" "body\x91\x80"), "body", "x" },
    { "body string", RAW ("\x84" ENV3 "\xa4" "body\xa1x"), "body", "x" },
    { "body int", RAW ("\x84" ENV3 "\xa4" "body\x2a"), "body", "x" },
    { "body ext", RAW ("\x84" ENV3 "\xa4" "body\xd5\x01\x80\x80"), "body", "x" },
    { "body bin holding a map", RAW ("\x84" ENV3 "\xa4" "body\xc4\x01\x80"), "body", "x" },
};

static void
test_hostile_corpus (void)
{
    for (size_t i = 0; i < sizeof s_corpus / sizeof s_corpus [0]; i++) {
        const s_hostile_t *h = &s_corpus [i];
        s_expect_refused (h->name, h->bytes, h->len, h->field, h->id);
    }
    printf ("  hostile corpus: %zu fixed frames\n", sizeof s_corpus / sizeof s_corpus [0]);
}

//  A string of n copies of c as str8 bytes, into buf (n < 256).
static size_t
s_str8 (char *buf, char c, size_t n)
{
    buf [0] = (char) 0xd9;
    buf [1] = (char) n;
    memset (buf + 2, c, n);
    return n + 2;
}

//  Frames with strings at and over the length limits, built at run time.
static void
test_envelope_lengths (void)
{
    char frame [600];
    size_t n;
    //  id of 65 bytes: refused; of 64: fine.
    n = 0;
    n = 0, APPEND (frame, n, "\x84\xa2id");
    n += s_str8 (frame + n, 'a', 65);
    APPEND (frame, n, "\xa1v\x01\xa4type\xa4ping" BODY);
    s_expect_refused ("id of 65 bytes", frame, n, "id", "");
    frame [5] = 64;
    memmove (frame + 70, frame + 71, n - 71), n--;
    imvo_request_t req;
    imvo_error_t err = { 0 };
    CHECK (imvo_request_decode (&req, frame, n, &err) == 0);
    CHECK (strlen (req.id) == 64);
    imvo_request_release (&req);

    //  type of 65 bytes.
    n = 0;
    n = 0, APPEND (frame, n, "\x84" "\xa2id\xa1x\xa1v\x01\xa4type");
    n += s_str8 (frame + n, 't', 65);
    memcpy (frame + n, BODY, 6), n += 6;
    s_expect_refused ("type of 65 bytes", frame, n, "type", "x");

    //  key of 129 bytes refused, 128 fine.
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char key [140];
    memset (key, 'k', sizeof key);
    key [129] = 0;
    imvo_request_pack (&buf, "x", "ping", key, NULL, NULL, NULL, 0);
    s_expect_refused ("key of 129 bytes", buf.data, buf.size, "key", "x");
    key [128] = 0;
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, "x", "ping", key, NULL, NULL, NULL, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (strlen (req.key) == 128);
    imvo_request_release (&req);

    //  actor.role of 33 bytes, actor.org of 65 bytes.
    char role [40], org [70];
    memset (role, 'r', 33), role [33] = 0;
    memset (org, 'o', 65), org [65] = 0;
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, "x", "ping", NULL, role, NULL, NULL, 0);
    s_expect_refused ("actor.role of 33 bytes", buf.data, buf.size, "actor.role", "x");
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, "x", "ping", NULL, "secretariat", org, NULL, 0);
    s_expect_refused ("actor.org of 65 bytes", buf.data, buf.size, "actor.org", "x");
    role [32] = 0, org [64] = 0;
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, "x", "ping", NULL, role, org, NULL, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (strlen (req.role) == 32 && strlen (req.org) == 64);
    imvo_request_release (&req);
    msgpack_sbuffer_destroy (&buf);
}

//  --- The pre-pass itself ------------------------------------------------------------------

static void
test_msg_check (void)
{
    const char *why = NULL;
    struct { const char *name; const char *bytes; size_t len; const char *why; } refused [] = {
        { "empty", RAW (""), "frame is truncated" },
        { "array32 4G", RAW ("\xdd\xff\xff\xff\xff\x01"), "declared container size exceeds the frame" },
        { "map32 4G", RAW ("\xdf\xff\xff\xff\xff\x01\x01"), "declared container size exceeds the frame" },
        { "map32 2G pairs", RAW ("\xdf\x80\x00\x00\x00\x01\x01"), "declared container size exceeds the frame" },
        { "array16 64K", RAW ("\xdc\xff\xff\x01"), "declared container size exceeds the frame" },
        { "map of 1 pair, 1 byte", RAW ("\x81\x01"), "declared container size exceeds the frame" },
        { "str32 4G", RAW ("\xdb\xff\xff\xff\xff" "abc"), "declared string or binary size exceeds the frame" },
        { "bin32 4G", RAW ("\xc6\xff\xff\xff\xff" "abc"), "declared string or binary size exceeds the frame" },
        { "ext32 4G", RAW ("\xc9\xff\xff\xff\xff\x01" "abc"), "declared string or binary size exceeds the frame" },
        { "str16 64K", RAW ("\xda\xff\xff" "abc"), "declared string or binary size exceeds the frame" },
        { "fixstr 31", RAW ("\xbf" "abc"), "declared string or binary size exceeds the frame" },
        { "str32 header cut", RAW ("\xdb\xff\xff"), "frame is truncated" },
        { "reserved", RAW ("\xc1"), "frame holds a reserved msgpack byte" },
        { "trailing", RAW ("\xc0\xc0"), "frame has trailing bytes after the object" },
        { "array missing an item", RAW ("\x92\x01"), "declared container size exceeds the frame" },
        { "array of arrays missing an item", RAW ("\x92\x91\x01"), "frame is truncated" },
    };
    double t0 = s_now ();
    for (size_t i = 0; i < sizeof refused / sizeof refused [0]; i++) {
        why = NULL;
        CHECK_CASE (refused [i].name, imvo_msg_check (refused [i].bytes, refused [i].len, &why) == -1);
        CHECK_CASE (refused [i].name, why && strcmp (why, refused [i].why) == 0);
        if (why && strcmp (why, refused [i].why))
            fprintf (stderr, "  %s: why='%s'\n", refused [i].name, why);
    }
    //  Refused at once: no walk over 4 G of declared items.
    CHECK (s_now () - t0 < 0.5);

    struct { const char *name; const char *bytes; size_t len; } accepted [] = {
        { "nil", RAW ("\xc0") },
        { "negative fixint", RAW ("\xe0") },
        { "empty map", RAW ("\x80") },
        { "empty array32", RAW ("\xdd\x00\x00\x00\x00") },
        { "empty map32", RAW ("\xdf\x00\x00\x00\x00") },
        { "empty str32", RAW ("\xdb\x00\x00\x00\x00") },
        { "bin8", RAW ("\xc4\x02\x00\xff") },
        { "ext8", RAW ("\xc7\x02\x05\xaa\xbb") },
        { "ext16", RAW ("\xc8\x00\x01\x05\xaa") },
        { "ext32", RAW ("\xc9\x00\x00\x00\x01\x05\xaa") },
        { "fixext 1/2/4/8/16", RAW ("\x95\xd4\x01\x01\xd5\x01\x01\x02\xd6\x01\x01\x02\x03\x04"
                                   "\xd7\x01\x01\x02\x03\x04\x05\x06\x07\x08"
                                   "\xd8\x01\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10") },
        { "floats", RAW ("\x92\xca\x3f\x80\x00\x00\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00") },
        { "ints", RAW ("\x98\xcc\xff\xcd\xff\xff\xce\xff\xff\xff\xff\xcf\xff\xff\xff\xff\xff\xff\xff\xff"
                       "\xd0\x80\xd1\x80\x00\xd2\x80\x00\x00\x00\xd3\x80\x00\x00\x00\x00\x00\x00\x00") },
        { "map with non-string keys", RAW ("\x82\x01\x02\xc0\x91\x03") },
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted [0]; i++) {
        why = NULL;
        int rc = imvo_msg_check (accepted [i].bytes, accepted [i].len, &why);
        CHECK_CASE (accepted [i].name, rc == 0);
        if (rc)
            fprintf (stderr, "  %s: why='%s'\n", accepted [i].name, why);
        //  What the pre-pass accepts, msgpack-c reads.
        msgpack_zone zone;
        msgpack_zone_init (&zone, 256);
        msgpack_object obj;
        CHECK_CASE (accepted [i].name, imvo_msg_unpack (accepted [i].bytes, accepted [i].len, &zone, &obj, &why) == 0);
        msgpack_zone_destroy (&zone);
    }

    //  The object count limit: an array of IMVO_MSG_MAX_ITEMS nils (plus the array itself)
    //  is one too many; one fewer fits.
    size_t count = IMVO_MSG_MAX_ITEMS;
    char *big = malloc (5 + count);
    big [0] = (char) 0xdd;
    big [1] = (char) (count >> 24), big [2] = (char) (count >> 16);
    big [3] = (char) (count >> 8), big [4] = (char) count;
    memset (big + 5, 0xc0, count);
    CHECK (imvo_msg_check (big, 5 + count, &why) == -1 && strcmp (why, "frame holds too many objects") == 0);
    count--;
    big [3] = (char) (count >> 8), big [4] = (char) count;
    CHECK (imvo_msg_check (big, 5 + count, &why) == 0);
    free (big);
}

//  The huge-size frames, 10,000 times each through the full decoder: refused by the pre-pass
//  every time, fast, and the process does not grow (an allocation sized from 4 G entries would
//  fail or show; the ASan build would report a leak at exit).
static void
test_no_memory_growth (void)
{
    static const s_hostile_t huge [] = {
        { "array32", RAW ("\xdd\xff\xff\xff\xff\x01"), "", "" },
        { "map32", RAW ("\xdf\xff\xff\xff\xff\x01\x01"), "", "" },
        { "str32", RAW ("\xdb\xff\xff\xff\xff" "abc"), "", "" },
        { "bin32", RAW ("\xc6\xff\xff\xff\xff" "abc"), "", "" },
        { "map32 in body", RAW ("\x84" ENV3 "\xa4" "body\xdf\x7f\xff\xff\xff\xa1k\x01"), "", "" },
    };
    //  Warm up, so that the allocator's first-use growth does not count.
    for (int i = 0; i < 100; i++) {
        imvo_request_t req;
        imvo_error_t err;
        imvo_request_decode (&req, huge [0].bytes, huge [0].len, &err);
        imvo_request_release (&req);
    }
    for (size_t h = 0; h < sizeof huge / sizeof huge [0]; h++) {
        long rss0 = s_rss_kib ();
        long long heap0 = s_heap_in_use ();
        double t0 = s_now ();
        int refused = 0;
        for (int i = 0; i < 10000; i++) {
            imvo_request_t req;
            imvo_error_t err = { 0 };
            if (imvo_request_decode (&req, huge [h].bytes, huge [h].len, &err) == -1
            &&  err.code == IMVO_ERR_BAD_REQUEST && err.field [0] == 0)
                refused++;
            imvo_request_release (&req);
        }
        double secs = s_now () - t0;
        long long heap = s_heap_in_use () - heap0;
        long grown = s_rss_kib () - rss0;
        printf ("  10000 x huge %s: refused %d, %.3f s, heap in use %+lld bytes, RSS %+ld KiB\n",
                huge [h].name, refused, secs, heap, grown);
        CHECK_CASE (huge [h].name, refused == 10000);
        CHECK_CASE (huge [h].name, secs < 5.0);
        //  Every decode frees what it took: the heap in use does not grow at all.
        CHECK_CASE (huge [h].name, heap == 0);
        //  RSS under ASan grows by its quarantine of freed zone chunks (~3 KiB a decode), bounded;
        //  nothing like the gigabytes the declared sizes ask for.
        CHECK_CASE (huge [h].name, grown < 64 * 1024);
    }
}

//  --- Nesting ------------------------------------------------------------------------------

static void
test_nesting (void)
{
    //  Bare nested arrays: 16 levels are fine, 17 are not, whether or not the innermost
    //  array is empty; 1000 are refused quickly (the walk is iterative).
    char frame [1001];
    const char *why;
    for (int levels = 15; levels <= 1000; levels = levels == 18 ? 1000 : levels + 1) {
        for (int empty = 0; empty <= 1; empty++) {
            size_t n;
            if (empty) {
                memset (frame, 0x91, (size_t) levels - 1);
                frame [levels - 1] = (char) 0x90;
                n = (size_t) levels;
            }
            else {
                memset (frame, 0x91, (size_t) levels);
                frame [levels] = 0x01;
                n = (size_t) levels + 1;
            }
            char name [64];
            snprintf (name, sizeof name, "%d nested arrays%s", levels, empty ? ", innermost empty" : "");
            int rc = imvo_msg_check (frame, n, &why);
            CHECK_CASE (name, (levels <= IMVO_MSG_MAX_DEPTH) == (rc == 0));
            if (rc)
                CHECK_CASE (name, strcmp (why, "frame is nested too deeply") == 0);
            s_expect_refused (name, frame, n, "", "");
        }
    }
    //  Inside a request body: the envelope map and the body map are two levels already.
    for (int depth = 15; depth <= 1000; depth = depth == 17 ? 1000 : depth + 1) {
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 4);
        imvo_pack_kv_int (&pk, "v", 1);
        imvo_pack_kv_str (&pk, "id", "n");
        imvo_pack_kv_str (&pk, "type", "ping");
        imvo_pack_str (&pk, "body");
        msgpack_pack_map (&pk, 1);
        imvo_pack_str (&pk, "x");
        for (int i = 0; i < depth - 3; i++)
            msgpack_pack_array (&pk, 1);
        msgpack_pack_array (&pk, 0);
        char name [64];
        snprintf (name, sizeof name, "body nested %d deep", depth);
        if (depth <= IMVO_MSG_MAX_DEPTH) {
            imvo_request_t req;
            imvo_error_t err = { 0 };
            CHECK_CASE (name, imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
            imvo_request_release (&req);
        }
        else
            s_expect_refused (name, buf.data, buf.size, "", "");
        msgpack_sbuffer_destroy (&buf);
    }
}

//  --- Valid requests -----------------------------------------------------------------------

static void
test_positive (void)
{
    imvo_request_t req;
    imvo_error_t err = { 0 };

    //  Every envelope key, plus unknown keys (string and non-string) that must be ignored.
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 9);
    imvo_pack_kv_str (&pk, "trace", "abc");
    imvo_pack_kv_str (&pk, "id", "req-1");
    imvo_pack_kv_int (&pk, "v", 1);
    imvo_pack_kv_str (&pk, "type", "complaint.submit");
    imvo_pack_kv_str (&pk, "key", "idem-\xc3\x9c");
    imvo_pack_str (&pk, "actor");
    msgpack_pack_map (&pk, 3);
    imvo_pack_kv_str (&pk, "role", "secretariat");
    imvo_pack_kv_str (&pk, "org", "org-7");
    imvo_pack_kv_int (&pk, "level", 3);
    imvo_pack_str (&pk, "body");
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "covenant", "textile");
    imvo_pack_str (&pk, "blob");
    msgpack_pack_ext (&pk, 4, 7);
    msgpack_pack_ext_body (&pk, "\x01\x02\x03\x04", 4);
    msgpack_pack_int (&pk, 42);
    msgpack_pack_nil (&pk);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_true (&pk);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (strcmp (req.id, "req-1") == 0 && strcmp (req.type, "complaint.submit") == 0);
    CHECK (strcmp (req.key, "idem-\xc3\x9c") == 0);
    CHECK (strcmp (req.role, "secretariat") == 0 && strcmp (req.org, "org-7") == 0);
    CHECK (req.body && req.body->type == MSGPACK_OBJECT_MAP && req.body->via.map.size == 2);
    CHECK (imvo_obj_streq (imvo_map_get (req.body, "covenant"), "textile"));
    const msgpack_object *blob = imvo_map_get (req.body, "blob");
    CHECK (blob && blob->type == MSGPACK_OBJECT_EXT && blob->via.ext.type == 7 && blob->via.ext.size == 4);
    imvo_request_release (&req);

    //  Minimal: optional keys absent, or nil.
    msgpack_sbuffer_clear (&buf);
    msgpack_pack_map (&pk, 6);
    imvo_pack_kv_int (&pk, "v", 1);
    imvo_pack_kv_str (&pk, "id", "m");
    imvo_pack_kv_str (&pk, "type", "ping");
    imvo_pack_kv_str (&pk, "key", NULL);
    imvo_pack_str (&pk, "actor");
    msgpack_pack_nil (&pk);
    imvo_pack_str (&pk, "body");
    msgpack_pack_map (&pk, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (req.key [0] == 0 && req.role [0] == 0 && req.org [0] == 0 && req.body->via.map.size == 0);
    imvo_request_release (&req);

    //  v in any integer encoding: uint8, int8, int64.
    static const char *const v_encodings [] = { "\xcc\x01", "\xd0\x01", "\xd3\x00\x00\x00\x00\x00\x00\x00\x01" };
    static const size_t v_lens [] = { 2, 2, 9 };
    for (int i = 0; i < 3; i++) {
        char frame [64];
        size_t n = 0;
        n = 0, APPEND (frame, n, "\x84\xa2id\xa1x\xa1v");
        memcpy (frame + n, v_encodings [i], v_lens [i]);
        n += v_lens [i];
        APPEND (frame, n, "\xa4type\xa4ping" BODY);
        CHECK_CASE (v_encodings [i], imvo_request_decode (&req, frame, n, &err) == 0);
        imvo_request_release (&req);
    }
    //  The same id key twice: the first wins.
    const char dup [] = "\x85\xa2id\xa1" "a\xa2id\x05\xa1v\x01\xa4type\xa4ping" BODY;
    CHECK (imvo_request_decode (&req, dup, sizeof dup - 1, &err) == 0 && strcmp (req.id, "a") == 0);
    imvo_request_release (&req);
    msgpack_sbuffer_destroy (&buf);
}

//  imvo_request_pack output decodes to what went in.
static void
test_request_pack (void)
{
    msgpack_sbuffer buf, body;
    msgpack_sbuffer_init (&buf);
    msgpack_sbuffer_init (&body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    imvo_pack_kv_str (&pk, "case_id", "TEXTILE-2026-0001");
    imvo_pack_kv_int (&pk, "n", -5);
    imvo_request_pack (&buf, "id-1", "complaint.get", "k-1", "committee", "org-2", body.data, body.size);
    imvo_request_t req;
    imvo_error_t err = { 0 };
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (strcmp (req.id, "id-1") == 0 && strcmp (req.type, "complaint.get") == 0);
    CHECK (strcmp (req.key, "k-1") == 0 && strcmp (req.role, "committee") == 0 && strcmp (req.org, "org-2") == 0);
    CHECK (imvo_obj_streq (imvo_map_get (req.body, "case_id"), "TEXTILE-2026-0001"));
    int64_t n = 0;
    CHECK (imvo_obj_int (imvo_map_get (req.body, "n"), &n) == 0 && n == -5);
    imvo_request_release (&req);

    //  No body, no key; a role without an org.
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, "id-2", "ping", NULL, "secretariat", NULL, NULL, 0);
    CHECK (imvo_request_decode (&req, buf.data, buf.size, &err) == 0);
    CHECK (req.key [0] == 0 && strcmp (req.role, "secretariat") == 0 && req.org [0] == 0);
    CHECK (req.body->type == MSGPACK_OBJECT_MAP && req.body->via.map.size == 0);
    imvo_request_release (&req);

    //  A NULL id packs nil: refused, naming the id.
    msgpack_sbuffer_clear (&buf);
    imvo_request_pack (&buf, NULL, "ping", NULL, NULL, NULL, NULL, 0);
    s_expect_refused ("packed with a NULL id", buf.data, buf.size, "id", "");
    msgpack_sbuffer_destroy (&buf);
    msgpack_sbuffer_destroy (&body);
}

//  --- Replies ------------------------------------------------------------------------------

static void
test_reply_round_trip (void)
{
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    msgpack_packer *pk = imvo_reply_pk (&reply);
    msgpack_pack_map (pk, 2);
    imvo_pack_kv_str (pk, "case_id", "TEXTILE-2026-0001");
    imvo_pack_kv_bool (pk, "anonymous", true);
    msgpack_sbuffer out;
    msgpack_sbuffer_init (&out);
    char id64 [65];
    memset (id64, 'i', 64), id64 [64] = 0;
    imvo_reply_pack (&out, id64, &reply);
    imvo_response_t resp;
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    CHECK (resp.ok && strcmp (resp.id, id64) == 0 && resp.err.code == IMVO_ERR_NONE);
    CHECK (imvo_obj_streq (imvo_map_get (resp.body, "case_id"), "TEXTILE-2026-0001"));
    const msgpack_object *anon = imvo_map_get (resp.body, "anonymous");
    CHECK (anon && anon->type == MSGPACK_OBJECT_BOOLEAN && anon->via.boolean);
    imvo_response_release (&resp);

    //  A reply may be a long list (a year's locations: far more objects than a request may
    //  hold) and still decodes; a request of the same size does not.
    imvo_reply_reset (&reply);
    pk = imvo_reply_pk (&reply);
    msgpack_pack_map (pk, 1);
    imvo_pack_str (pk, "locations");
    msgpack_pack_array (pk, 20000);
    for (int i = 0; i < 20000; i++) {
        msgpack_pack_map (pk, 3);
        imvo_pack_kv_str (pk, "location_id", "L0123456789ab");
        imvo_pack_kv_str (pk, "name", "Sunrise Garments");
        imvo_pack_kv_int (pk, "workers", i);
    }
    msgpack_sbuffer_clear (&out);
    imvo_reply_pack (&out, "big", &reply);
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    const msgpack_object *locations = imvo_map_get (resp.body, "locations");
    CHECK (resp.ok && locations && locations->type == MSGPACK_OBJECT_ARRAY && locations->via.array.size == 20000);
    imvo_response_release (&resp);
    const char *why;
    CHECK (imvo_msg_check (out.data, out.size, &why) == -1);

    //  An ok reply with nothing packed has an empty body map.
    imvo_reply_reset (&reply);
    msgpack_sbuffer_clear (&out);
    imvo_reply_pack (&out, "r0", &reply);
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    CHECK (resp.ok && resp.body && resp.body->type == MSGPACK_OBJECT_MAP && resp.body->via.map.size == 0);
    imvo_response_release (&resp);

    //  A raw body.
    imvo_reply_raw (&reply, "\x81\xa1k\x07", 4);
    msgpack_sbuffer_clear (&out);
    imvo_reply_pack (&out, "r1", &reply);
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    int64_t k = 0;
    CHECK (resp.ok && imvo_obj_int (imvo_map_get (resp.body, "k"), &k) == 0 && k == 7);
    imvo_response_release (&resp);

    //  Errors, with and without a field; the id NULL or "" packs nil.
    imvo_reply_reset (&reply);
    imvo_reply_fail (&reply, IMVO_ERR_CONFLICT, "to", "not allowed from %s", "received");
    msgpack_sbuffer_clear (&out);
    imvo_reply_pack (&out, NULL, &reply);
    CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
    CHECK (!resp.ok && resp.err.code == IMVO_ERR_CONFLICT && resp.id [0] == 0);
    CHECK (strcmp (resp.err.field, "to") == 0 && strcmp (resp.err.message, "not allowed from received") == 0);
    CHECK (imvo_map_get (&resp.root, "id")->type == MSGPACK_OBJECT_NIL);
    CHECK (imvo_map_get (&resp.root, "body") == NULL);
    imvo_response_release (&resp);

    for (int c = 1; c < IMVO_ERR_COUNT; c++) {
        imvo_reply_reset (&reply);
        imvo_reply_fail (&reply, (imvo_err_t) c, NULL, "code %d", c);
        msgpack_sbuffer_clear (&out);
        imvo_reply_pack (&out, "", &reply);
        CHECK (imvo_response_decode (&resp, out.data, out.size) == 0);
        CHECK (!resp.ok && resp.err.code == (imvo_err_t) c && resp.err.field [0] == 0);
        CHECK (imvo_map_get (imvo_map_get (&resp.root, "error"), "field") == NULL);
        CHECK (imvo_map_get (&resp.root, "id")->type == MSGPACK_OBJECT_NIL);
        imvo_response_release (&resp);
        const char *name = imvo_err_name ((imvo_err_t) c);
        CHECK (imvo_err_from_name (name, strlen (name)) == (imvo_err_t) c);
    }
    CHECK (imvo_err_from_name ("ok", 2) == IMVO_ERR_INTERNAL);
    CHECK (imvo_err_from_name ("nonsense", 8) == IMVO_ERR_INTERNAL);
    CHECK (strcmp (imvo_err_name (IMVO_ERR_COUNT), "internal") == 0);
    msgpack_sbuffer_destroy (&out);
    imvo_reply_release (&reply);

    //  Hostile replies, as a client sees them.
    struct { const char *name; const char *bytes; size_t len; int rc; imvo_err_t code; } bad [] = {
        { "empty", RAW (""), -1, IMVO_ERR_INTERNAL },
        { "huge map32", RAW ("\xdf\xff\xff\xff\xff\x01"), -1, IMVO_ERR_INTERNAL },
        { "not a map", RAW ("\x91\x01"), -1, IMVO_ERR_INTERNAL },
        { "ok without body", RAW ("\x81\xa2ok\xc3"), -1, IMVO_ERR_INTERNAL },
        { "ok with array body", RAW ("\x82\xa2ok\xc3\xa4" "body\x90"), -1, IMVO_ERR_INTERNAL },
        { "no ok, no error", RAW ("\x80"), 0, IMVO_ERR_INTERNAL },
        { "error not a map", RAW ("\x82\xa2ok\xc2\xa5" "error\x01"), 0, IMVO_ERR_INTERNAL },
        { "unknown code", RAW ("\x82\xa2ok\xc2\xa5" "error\x81\xa4" "code\xa3" "bad"), 0, IMVO_ERR_INTERNAL },
        { "code not a string", RAW ("\x82\xa2ok\xc2\xa5" "error\x81\xa4" "code\x01"), 0, IMVO_ERR_INTERNAL },
        { "code busy", RAW ("\x82\xa2ok\xc2\xa5" "error\x81\xa4" "code\xa4" "busy"), 0, IMVO_ERR_BUSY },
        { "ok as int", RAW ("\x82\xa2ok\x01\xa4" "body\x80"), 0, IMVO_ERR_INTERNAL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        int rc = imvo_response_decode (&resp, bad [i].bytes, bad [i].len);
        CHECK_CASE (bad [i].name, rc == bad [i].rc);
        CHECK_CASE (bad [i].name, !resp.ok && resp.err.code == bad [i].code);
        imvo_response_release (&resp);
    }
    //  An id too long for the buffer is dropped, not overflowed.
    char frame [128];
    size_t n = 0;
    n = 0, APPEND (frame, n, "\x83\xa2id");
    n += s_str8 (frame + n, 'z', 100);
    APPEND (frame, n, "\xa2ok\xc3\xa4" "body\x80");
    CHECK (imvo_response_decode (&resp, frame, n) == 0 && resp.ok && resp.id [0] == 0);
    imvo_response_release (&resp);
}

//  --- JSON ---------------------------------------------------------------------------------

static char *
s_json_of (const char *bytes, size_t len, int indent)
{
    msgpack_zone zone;
    msgpack_zone_init (&zone, 256);
    msgpack_object obj;
    const char *why;
    char *json = NULL;
    if (imvo_msg_unpack (bytes, len, &zone, &obj, &why) == 0)
        json = imvo_json_from_obj (&obj, indent);
    msgpack_zone_destroy (&zone);
    return json;
}

static void
test_json_from_obj (void)
{
    struct { const char *name; const char *bytes; size_t len; int indent; const char *json; } cases [] = {
        { "nil", RAW ("\xc0"), 0, "null" },
        { "bools", RAW ("\x92\xc3\xc2"), 0, "[true,false]" },
        { "ints", RAW ("\x94\x00\xff\xcf\xff\xff\xff\xff\xff\xff\xff\xff\xd3\x80\x00\x00\x00\x00\x00\x00\x00"), 0,
          "[0,-1,1.8446744073709552e19,-9223372036854775808]" },        //  past INT64_MAX: a real
        { "NaN and infinity are null", RAW ("\x92\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00"),
          0, "[null,null]" },
        { "invalid UTF-8 becomes U+FFFD", RAW ("\xa3" "a\xff" "b"), 0, "\"a\xef\xbf\xbd" "b\"" },
        { "floats", RAW ("\x92\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00\xca\xbe\x80\x00\x00"), 0, "[1.5,-0.25]" },
        { "escapes", RAW ("\xa8q\"b\\\n\t\r\x01"), 0, "\"q\\\"b\\\\\\n\\t\\r\\u0001\"" },
        { "DEL and UTF-8", RAW ("\xa4\x7f\xc3\x9c!"), 0, "\"\x7f\xc3\x9c!\"" },
        { "bin as hex", RAW ("\xc4\x03\x00\xab\xff"), 0, "\"00abff\"" },
        { "ext as hex", RAW ("\xd5\x05\x12\x34"), 0, "\"1234\"" },
        { "empty containers", RAW ("\x82\xa1" "a\x80\xa1" "b\x90"), 0, "{\"a\":{},\"b\":[]}" },
        { "non-string keys", RAW ("\x83\x01\xa1" "a\xc0\x02\x91\x03\x04"), 0, "{\"1\":\"a\",\"null\":2,\"[3]\":4}" },
        { "string key needing escapes", RAW ("\x81\xa2k\"\x01"), 0, "{\"k\\\"\":1}" },
        { "nested, pretty", RAW ("\x82\xa1" "a\x92\x01\x02\xa1" "b\x81\xa1" "c\xc3"), 2,
          "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {\n    \"c\": true\n  }\n}" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        char *json = s_json_of (cases [i].bytes, cases [i].len, cases [i].indent);
        CHECK_CASE (cases [i].name, json && strcmp (json, cases [i].json) == 0);
        if (json && strcmp (json, cases [i].json))
            fprintf (stderr, "  %s: got %s\n", cases [i].name, json);
        free (json);
    }
    //  A whole decoded request, and every fixed corpus frame that msgpack-c can read.
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    imvo_request_pack (&buf, "j", "ping", "k", "r", "o", NULL, 0);
    char *json = s_json_of (buf.data, buf.size, 0);
    CHECK (json && strcmp (json, "{\"v\":1,\"id\":\"j\",\"type\":\"ping\",\"key\":\"k\","
                                 "\"actor\":{\"role\":\"r\",\"org\":\"o\"},\"body\":{}}") == 0);
    free (json);
    msgpack_sbuffer_destroy (&buf);
    for (size_t i = 0; i < sizeof s_corpus / sizeof s_corpus [0]; i++)
        free (s_json_of (s_corpus [i].bytes, s_corpus [i].len, i % 2 ? 4 : 0));

    //  And the JSON reader imvoctl uses, briefly.
    msgpack_sbuffer_init (&buf);
    char err [128];
    CHECK (imvo_json_to_msgpack ("{\"a\": [1, -2, 3.5, true, null, \"\\u00dcnal \\ud83d\\ude00\"], \"b\": {}}",
                                 &buf, err, sizeof err) == 0);
    json = s_json_of (buf.data, buf.size, 0);
    CHECK (json && strcmp (json, "{\"a\":[1,-2,3.5,true,null,\"\xc3\x9cnal \xf0\x9f\x98\x80\"],\"b\":{}}") == 0);
    free (json);
    const char *bad [] = { "", "{", "[1,]", "{\"a\" 1}", "\"\\x\"", "01x", "[1] 2", "\"\\ud800\"",
                           "\"abc", "\"\\u12\"", "{1:2}", "nul", "99999999999999999999",
                           "-.5", "007", "1.", "\"\xff\"", "{\"a\": 1, \"a\": 2}", NULL };
    for (int i = 0; bad [i]; i++) {
        msgpack_sbuffer_clear (&buf);
        CHECK_CASE (bad [i], imvo_json_to_msgpack (bad [i], &buf, err, sizeof err) == -1);
    }
    char deep [200];
    memset (deep, '[', 100);
    deep [100] = 0;
    msgpack_sbuffer_clear (&buf);
    CHECK (imvo_json_to_msgpack (deep, &buf, err, sizeof err) == -1);
    msgpack_sbuffer_destroy (&buf);
}

//  --- The fuzz seeds as regression tests ---------------------------------------------------
//  tests/fuzz/corpus/: files named ok-* must decode; bad-* must be refused with bad_request;
//  any other name (e.g. a crash-* input the fuzzer found) must merely be handled safely.

static const char *const s_fields [] = {
    "", "v", "id", "type", "key", "actor", "actor.role", "actor.org", "body", NULL };

static void
test_fuzz_corpus (void)
{
    char dir [4096];
    const char *src = getenv ("IMVO_SOURCE_DIR");
    if (src && *src)
        snprintf (dir, sizeof dir, "%s/tests/fuzz/corpus", src);
    else {
        char file [4096];
        snprintf (file, sizeof file, "%s", __FILE__);
        snprintf (dir, sizeof dir, "%s/../fuzz/corpus", dirname (file));
    }
    DIR *d = opendir (dir);
    CHECK (d != NULL);
    if (!d) {
        fprintf (stderr, "cannot open the fuzz corpus %s\n", dir);
        return;
    }
    int files = 0, ok = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir (d))) {
        if (e->d_name [0] == '.')
            continue;
        char path [4400];
        snprintf (path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen (path, "rb");
        CHECK_CASE (e->d_name, f != NULL);
        if (!f)
            continue;
        char *data = malloc (1 << 20);
        size_t size = fread (data, 1, 1 << 20, f);
        fclose (f);
        files++;
        imvo_request_t req;
        imvo_error_t err = { 0 };
        int rc = imvo_request_decode (&req, data, size, &err);
        if (strncmp (e->d_name, "ok-", 3) == 0) {
            CHECK_CASE (e->d_name, rc == 0);
            ok++;
        }
        else
        if (strncmp (e->d_name, "bad-", 4) == 0) {
            CHECK_CASE (e->d_name, rc == -1 && err.code == IMVO_ERR_BAD_REQUEST);
            bad++;
        }
        if (rc == 0)
            CHECK_CASE (e->d_name, req.body && req.body->type == MSGPACK_OBJECT_MAP && req.id [0] && req.type [0]);
        else {
            bool known = false;
            for (int i = 0; s_fields [i]; i++)
                known |= strcmp (err.field, s_fields [i]) == 0;
            CHECK_CASE (e->d_name, err.code == IMVO_ERR_BAD_REQUEST && known);
        }
        //  Whatever was read renders as JSON, and the bytes are safe as a reply too.
        if (req.root.type != MSGPACK_OBJECT_NIL || rc == 0)
            free (imvo_json_from_obj (&req.root, 2));
        imvo_request_release (&req);
        imvo_response_t resp;
        imvo_response_decode (&resp, data, size);
        imvo_response_release (&resp);
        free (data);
    }
    closedir (d);
    printf ("  fuzz corpus: %d files (%d ok-, %d bad-) from %s\n", files, ok, bad, dir);
    CHECK (files >= 10);
}

int
main (void)
{
    test_msg_check ();
    test_hostile_corpus ();
    test_envelope_lengths ();
    test_nesting ();
    test_no_memory_growth ();
    test_positive ();
    test_request_pack ();
    test_reply_round_trip ();
    test_json_from_obj ();
    test_fuzz_corpus ();
    printf ("test_codec: %d checks, %d failed\n", s_checks, s_failures);
    return s_failures ? 1 : 0;
}

/*  imvo_proto: validation of message bodies against the catalogue (see imvo_proto.h).
    The country list is ISO 3166-1 alpha-2 as published in Debian's iso-codes package (249
    codes), sorted, two letters per code, searched by bisection.
*/
#include "imvo_proto.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char s_countries [] =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCR"
    "CUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHU"
    "IDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQ"
    "MRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSI"
    "SJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

const imvo_proto_msg_t *const *const imvo_proto_all [] = {
    imvo_proto_core, imvo_proto_complaints, imvo_proto_notify,
    imvo_proto_membership, imvo_proto_scoring, imvo_proto_audit, NULL,
};

const imvo_proto_msg_t *
imvo_proto_find (const char *type)
{
    for (size_t c = 0; imvo_proto_all [c]; c++)
        for (const imvo_proto_msg_t *const *m = imvo_proto_all [c]; *m; m++)
            if (strcmp ((*m)->type, type) == 0)
                return *m;
    return NULL;
}

bool
imvo_proto_names (const char *list, const char *field)
{
    size_t len = strlen (field);
    for (const char *p = list; p && *p; ) {
        size_t n = strcspn (p, " ");
        size_t name = n && p [n - 1] == '?' ? n - 1 : n;
        if (name == len && strncmp (p, field, len) == 0)
            return true;
        p += n;
        p += strspn (p, " ");
    }
    return false;
}

bool
imvo_proto_for_complainant (const imvo_request_t *req)
{
    unsigned role = imvo_proto_role (req->role);
    const imvo_proto_msg_t *msg = imvo_proto_find (req->type);
    return role == IMVO_ROLE_COMPLAINANT || (msg && (msg->for_complainant & role));
}

bool
imvo_proto_unlimited (const imvo_request_t *req)
{
    const imvo_proto_msg_t *msg = imvo_proto_find (req->type);
    return msg && (msg->unlimited & imvo_proto_role (req->role));
}

//  Valid UTF-8 (no overlongs, no surrogates) without C0, DEL or C1 controls; allow_ws lets
//  \n \r \t through.
static bool
s_utf8_ok (const unsigned char *s, size_t len, bool allow_ws)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s [i];
        if (c < 0x80) {
            if ((c < 0x20 && !(allow_ws && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f)
                return false;
            i++;
            continue;
        }
        int n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
        else return false;
        if (i + (size_t) n >= len)
            return false;
        for (int k = 1; k <= n; k++) {
            if ((s [i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s [i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff))
        ||  (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
            return false;                       //  overlong, out of range, surrogate, C1 control
        i += (size_t) n + 1;
    }
    return true;
}

static bool
s_country_ok (const char *s, size_t len)
{
    if (len != 2)
        return false;
    size_t lo = 0, hi = (sizeof s_countries - 1) / 2;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = memcmp (s, s_countries + mid * 2, 2);
        if (cmp == 0)
            return true;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
}

static bool
s_date_ok (const char *s, size_t len)
{
    if (len != 10 || s [4] != '-' || s [7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s [i] < '0' || s [i] > '9'))
            return false;
    int y = (s [0] - '0') * 1000 + (s [1] - '0') * 100 + (s [2] - '0') * 10 + (s [3] - '0');
    int m = (s [5] - '0') * 10 + (s [6] - '0');
    int d = (s [8] - '0') * 10 + (s [9] - '0');
    static const int days [] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days [m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

bool
imvo_proto_format_ok (imvo_format_t format, const char *s, size_t len)
{
    switch (format) {
        case IMVO_FMT_TEXT:
            return s_utf8_ok ((const unsigned char *) s, len, true);
        case IMVO_FMT_LINE:
            return s_utf8_ok ((const unsigned char *) s, len, false);
        case IMVO_FMT_CODE:
            if (len == 0 || s [0] == '-' || s [0] == '_')
                return false;
            for (size_t i = 0; i < len; i++)
                if (!((s [i] >= 'a' && s [i] <= 'z') || (s [i] >= '0' && s [i] <= '9')
                      || s [i] == '-' || s [i] == '_'))
                    return false;
            return true;
        case IMVO_FMT_ID:
            for (size_t i = 0; i < len; i++)
                if (s [i] <= ' ' || s [i] > '~')
                    return false;
            return true;
        case IMVO_FMT_COUNTRY:
            return s_country_ok (s, len);
        case IMVO_FMT_DATE:
            return s_date_ok (s, len);
        case IMVO_FMT_EMAIL: {
            const char *at = memchr (s, '@', len);
            return at && at > s && at < s + len - 1 && !memchr (s, ' ', len)
                && memchr (at, '.', (size_t) (s + len - at))
                && s_utf8_ok ((const unsigned char *) s, len, false);
        }
        case IMVO_FMT_URL:
            return ((len > 7 && memcmp (s, "http://", 7) == 0) || (len > 8 && memcmp (s, "https://", 8) == 0))
                && !memchr (s, ' ', len) && s_utf8_ok ((const unsigned char *) s, len, false);
        case IMVO_FMT_CASE_ID:
        case IMVO_FMT_RECEIPT: {
            char copy [128], covenant [64];
            if (len >= sizeof copy || memchr (s, 0, len))
                return false;
            memcpy (copy, s, len);
            copy [len] = 0;
            return format == IMVO_FMT_CASE_ID ? imvo_case_id_covenant (copy, covenant, sizeof covenant) == 0
                                              : imvo_receipt_normalise (copy, covenant, sizeof covenant) == 0;
        }
    }
    return false;
}

const char *
imvo_proto_format_name (imvo_format_t format)
{
    switch (format) {
        case IMVO_FMT_TEXT: return "valid UTF-8 text";
        case IMVO_FMT_LINE: return "one line of valid UTF-8 text";
        case IMVO_FMT_CODE: return "a code of lower-case letters, digits, '-' and '_'";
        case IMVO_FMT_ID: return "an id of printable ASCII without spaces";
        case IMVO_FMT_COUNTRY: return "an ISO 3166-1 alpha-2 country code such as BD";
        case IMVO_FMT_DATE: return "a date as YYYY-MM-DD";
        case IMVO_FMT_EMAIL: return "an e-mail address";
        case IMVO_FMT_URL: return "an http(s) URL";
        case IMVO_FMT_CASE_ID: return "a case id such as TEXTILE-2026-0042";
        case IMVO_FMT_RECEIPT: return "a receipt such as TEXTILE-7KQ4-M9PX-2HRT-WC3D";
    }
    return "?";
}

const char *
imvo_proto_kind_name (imvo_kind_t kind)
{
    switch (kind) {
        case IMVO_F_STR: return "a string";
        case IMVO_F_INT: return "an integer";
        case IMVO_F_BOOL: return "a boolean";
        case IMVO_F_MAP: return "a map";
        case IMVO_F_STRLIST: return "an array of strings";
        case IMVO_F_ARRAY: return "an array";
        case IMVO_F_BIN: return "bytes";
    }
    return "?";
}

static int
s_check_str (const imvo_field_t *f, const char *field, const char *s, size_t len, imvo_error_t *err)
{
    if ((f->min && (int64_t) len < f->min) || (f->max && (int64_t) len > f->max)) {
        if (f->min && len == 0)
            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must not be empty", field);
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field,
                               "%s must be %lld to %lld bytes long (got %zu)", field,
                               (long long) f->min, (long long) f->max, len);
    }
    if (!imvo_proto_format_ok (f->format, s, len))
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be %s",
                               field, imvo_proto_format_name (f->format));
    if (f->choices) {
        for (const char *const *c = f->choices; *c; c++)
            if (strlen (*c) == len && memcmp (*c, s, len) == 0)
                return 0;
        char list [256] = "";
        for (const char *const *c = f->choices; *c; c++) {
            size_t used = strlen (list);
            snprintf (list + used, sizeof list - used, "%s%s", c == f->choices ? "" : ", ", *c);
        }
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, field, "%s must be one of: %s", field, list);
    }
    return 0;
}

static const char *const s_roles [] = {
    "secretariat", "committee", "monitoring", "company", "complainant", "steering", "service", "gateway", NULL };

unsigned
imvo_proto_role (const char *role)
{
    for (int i = 0; s_roles [i]; i++)
        if (strcmp (s_roles [i], role) == 0)
            return 1u << i;
    return 0;
}

void
imvo_proto_who (unsigned who, char *buf, size_t size)
{
    if (who & IMVO_PUBLIC) {
        snprintf (buf, size, "anyone");
        return;
    }
    size_t n = 0;
    buf [0] = 0;
    for (int i = 0; s_roles [i] && n < size; i++)
        if (who & (1u << i))
            n += (size_t) snprintf (buf + n, size - n, "%s%s", n ? ", " : "", s_roles [i]);
    if (!buf [0])
        snprintf (buf, size, "nobody");
}

//  The index of a field by name, or -1.
static int
s_field_index (const imvo_proto_msg_t *msg, const char *name)
{
    for (int i = 0; i < msg->nfields; i++)
        if (strcmp (msg->fields [i].name, name) == 0)
            return i;
    return -1;
}

int
imvo_proto_authorise (const imvo_proto_msg_t *msg, const imvo_request_t *req,
                      const imvo_value_t *values, imvo_error_t *err)
{
    unsigned role = imvo_proto_role (req->role);
    if (!values) {
        //  A company is always some company: what it may see and write depends on which.
        if (role == IMVO_ROLE_COMPANY && !req->org [0] && (msg->who & role))
            return imvo_error_set (err, IMVO_ERR_FORBIDDEN, "actor.org", "a company actor names its org (actor.org)");
        if ((msg->who & IMVO_PUBLIC) || (msg->who & role))
            return 0;
        char who [160];
        imvo_proto_who (msg->who, who, sizeof who);
        if (!req->role [0])
            return imvo_error_set (err, IMVO_ERR_FORBIDDEN, "actor.role",
                                   "%s needs an actor with a role: %s", msg->type, who);
        return imvo_error_set (err, IMVO_ERR_FORBIDDEN, "actor.role",
                               "role '%s' may not send %s (who may: %s)", req->role, msg->type, who);
    }
    if (!msg->own || role != IMVO_ROLE_COMPANY)
        return 0;
    int i = s_field_index (msg, msg->own);
    assert (i >= 0);            //  a catalogue entry names one of its own fields
    const char *prefix = msg->own_prefix ? msg->own_prefix : "";
    size_t plen = strlen (prefix);
    const char *value = values [i].present ? values [i].str : NULL;
    if (!req->org [0])
        return imvo_error_set (err, IMVO_ERR_FORBIDDEN, "actor.org", "a company actor names its org (actor.org)");
    if (!value || strncmp (value, prefix, plen) != 0 || strcmp (value + plen, req->org) != 0)
        return imvo_error_set (err, IMVO_ERR_FORBIDDEN, msg->own,
                               "a company sends %s only for itself: %s must be %s%s",
                               msg->type, msg->own, prefix, req->org);
    return 0;
}

int
imvo_proto_validate (const imvo_proto_msg_t *msg, const msgpack_object *body,
                     msgpack_zone *zone, imvo_value_t *values, imvo_error_t *err)
{
    assert (msg->nfields <= IMVO_PROTO_MAX_FIELDS);
    memset (values, 0, sizeof (imvo_value_t) * (size_t) msg->nfields);
    for (int i = 0; i < msg->nfields; i++) {
        const imvo_field_t *f = &msg->fields [i];
        const msgpack_object *o = imvo_map_path (body, f->name);
        imvo_value_t *v = &values [i];
        if (!o || o->type == MSGPACK_OBJECT_NIL) {
            if (f->required)
                return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s is required", f->name);
            continue;
        }
        v->present = true;
        v->obj = o;
        switch (f->kind) {
            case IMVO_F_STR:
                if (o->type != MSGPACK_OBJECT_STR)
                    break;
                if (s_check_str (f, f->name, o->via.str.ptr, o->via.str.size, err))
                    return -1;
                if (memchr (o->via.str.ptr, 0, o->via.str.size))
                    return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s holds a NUL byte", f->name);
                {
                    char *copy = msgpack_zone_malloc (zone, o->via.str.size + 1);
                    assert (copy);
                    memcpy (copy, o->via.str.ptr, o->via.str.size);
                    copy [o->via.str.size] = 0;
                    v->str = copy;
                    v->len = o->via.str.size;
                }
                continue;
            case IMVO_F_INT:
                if (imvo_obj_int (o, &v->i))
                    break;
                if ((f->min || f->max) && (v->i < f->min || v->i > f->max))
                    return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s must be between %lld and %lld",
                                           f->name, (long long) f->min, (long long) f->max);
                continue;
            case IMVO_F_BOOL:
                if (o->type != MSGPACK_OBJECT_BOOLEAN)
                    break;
                v->b = o->via.boolean;
                continue;
            case IMVO_F_MAP:
                if (o->type != MSGPACK_OBJECT_MAP)
                    break;
                if (f->max && o->via.map.size > f->max)
                    return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s holds more than %lld entries",
                                           f->name, (long long) f->max);
                continue;
            case IMVO_F_BIN:
                if (o->type != MSGPACK_OBJECT_BIN && o->type != MSGPACK_OBJECT_STR)
                    break;
                v->str = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.ptr : o->via.str.ptr;
                v->len = o->type == MSGPACK_OBJECT_BIN ? o->via.bin.size : o->via.str.size;
                if (f->max && (int64_t) v->len > f->max)
                    return imvo_error_set (err, IMVO_ERR_TOO_LARGE, f->name, "%s holds %zu bytes: at most %lld are allowed",
                                           f->name, v->len, (long long) f->max);
                if (f->min && (int64_t) v->len < f->min)
                    return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s must hold at least %lld bytes",
                                           f->name, (long long) f->min);
                continue;
            case IMVO_F_STRLIST:
            case IMVO_F_ARRAY:
                if (o->type != MSGPACK_OBJECT_ARRAY)
                    break;
                if ((f->max && o->via.array.size > f->max) || (f->min && o->via.array.size < f->min))
                    return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s must hold %lld to %lld items",
                                           f->name, (long long) f->min, (long long) f->max);
                if (f->kind == IMVO_F_STRLIST)
                    for (uint32_t k = 0; k < o->via.array.size; k++) {
                        const msgpack_object *item = &o->via.array.ptr [k];
                        char name [96];
                        snprintf (name, sizeof name, "%s.%u", f->name, k);
                        if (item->type != MSGPACK_OBJECT_STR)
                            return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, name, "%s must be a string", name);
                        imvo_field_t item_rule = { f->name, IMVO_F_STR, true, 1, 128, f->format, f->choices, NULL };
                        if (s_check_str (&item_rule, name, item->via.str.ptr, item->via.str.size, err))
                            return -1;
                    }
                continue;
        }
        return imvo_error_set (err, IMVO_ERR_INVALID_ARGUMENT, f->name, "%s must be %s",
                               f->name, imvo_proto_kind_name (f->kind));
    }
    if (msg->check)
        return msg->check (values, err);
    return 0;
}

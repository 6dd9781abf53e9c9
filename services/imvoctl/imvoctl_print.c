/*  imvoctl_print: how imvoctl shows a reply: lists as tables aligned by display width, maps
    as "key: value" lines with nested values as indented blocks, times as dates.
*/
#include "imvoctl.h"
#include "imvo_msg.h"
#include "imvo_proto.h"

#include <czmq.h>
#include <jansson.h>
#include <time.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

//  Formats a scalar (or compact JSON for containers) for a table cell or a line.
static char *
s_cell (const char *column, const msgpack_object *o)
{
    if (!o || o->type == MSGPACK_OBJECT_NIL)
        return strdup ("");
    if (o->type == MSGPACK_OBJECT_STR)
        return strndup (o->via.str.ptr, o->via.str.size);
    int64_t v;
    size_t clen = strlen (column);
    if (imvo_obj_int (o, &v) == 0 && v > 1000000000000LL
    &&  (streq (column, "at") || (clen > 3 && streq (column + clen - 3, "_at")))) {
        time_t t = (time_t) (v / 1000);
        struct tm tm;
        gmtime_r (&t, &tm);
        char buf [32];
        strftime (buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
        return strdup (buf);
    }
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        //  A list of scalars reads best comma-separated.
        bool scalars = true;
        for (uint32_t i = 0; i < o->via.array.size; i++)
            scalars &= o->via.array.ptr [i].type != MSGPACK_OBJECT_MAP && o->via.array.ptr [i].type != MSGPACK_OBJECT_ARRAY;
        if (scalars) {
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream (&buf, &len);
            for (uint32_t i = 0; i < o->via.array.size; i++) {
                char *c = s_cell ("", &o->via.array.ptr [i]);
                fprintf (f, "%s%s", i ? ", " : "", c);
                free (c);
            }
            fclose (f);
            return buf;
        }
    }
    if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32) {
        //  For people: 15 significant digits (41.7, not 41.700000000000003).
        char *buf = NULL;
        return asprintf (&buf, "%.15g", o->via.f64) < 0 ? NULL : buf;
    }
    return imvo_json_from_obj (o, 0);
}

//  Columns a character takes on a terminal: two for East Asian wide and full-width ones, none
//  for combining marks and other zero-width ones, one otherwise (ICU's character properties).
static int
s_columns (UChar32 c)
{
    int8_t type = u_charType (c);
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR || c == 0x200B)
        return 0;
    int eaw = u_getIntPropertyValue (c, UCHAR_EAST_ASIAN_WIDTH);
    return eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH ? 2 : 1;
}

//  The display width of UTF-8 text, cut (at a character, with " ...") to at most max columns;
//  returns the width it has then. "Ünal Tekstil" is 12 columns, not 13 bytes.
static size_t
s_fit (char *text, size_t max)
{
    size_t width = 0, cut = 0, cut_width = 0;
    int32_t i = 0, len = (int32_t) strlen (text);
    while (i < len) {
        UChar32 c;
        U8_NEXT (text, i, len, c);
        int w = c < 0 ? 1 : s_columns (c);
        if (width + (size_t) w <= max - 4) {
            cut = (size_t) i;
            cut_width = width + (size_t) w;
        }
        width += (size_t) w;
    }
    if (width <= max)
        return width;
    strcpy (text + cut, " ...");
    return cut_width + 4;
}

size_t
imvoctl_text_width (const char *text)
{
    size_t width = 0;
    int32_t i = 0, len = (int32_t) strlen (text);
    while (i < len) {
        UChar32 c;
        U8_NEXT (text, i, len, c);
        width += (size_t) (c < 0 ? 1 : s_columns (c));
    }
    return width;
}

void
imvoctl_print_cell (const char *text, size_t width)
{
    if (!width) {
        printf ("%s\n", text);
        return;
    }
    size_t w = imvoctl_text_width (text);
    printf ("%s%*s  ", text, (int) (width > w ? width - w : 0), "");
}

void
imvoctl_print_table (const msgpack_object *list, const char *columns)
{
    if (list->via.array.size == 0) {
        printf ("(none)\n");
        return;
    }
    char *cols [16];
    int ncols = 0;
    char *copy = strdup (columns), *save = NULL;
    for (char *t = strtok_r (copy, ",", &save); t && ncols < 16; t = strtok_r (NULL, ",", &save))
        cols [ncols++] = t;
    size_t width [16];
    for (int c = 0; c < ncols; c++)
        width [c] = strlen (cols [c]);
    uint32_t rows = list->via.array.size;
    char **cells = calloc ((size_t) rows * (size_t) ncols, sizeof *cells);
    for (uint32_t r = 0; r < rows; r++)
        for (int c = 0; c < ncols; c++) {
            char *cell = s_cell (cols [c], imvo_map_get (&list->via.array.ptr [r], cols [c]));
            for (char *p = cell; *p; p++)
                if (*p == '\n' || *p == '\t')
                    *p = ' ';
            size_t w = s_fit (cell, 70);
            if (w > width [c])
                width [c] = w;
            cells [(size_t) r * (size_t) ncols + (size_t) c] = cell;
        }
    for (int c = 0; c < ncols; c++) {
        for (char *p = cols [c]; *p; p++)
            *p = (char) toupper ((unsigned char) *p);
        imvoctl_print_cell (cols [c], c + 1 < ncols ? width [c] : 0);
    }
    for (uint32_t r = 0; r < rows; r++)
        for (int c = 0; c < ncols; c++) {
            char *cell = cells [(size_t) r * (size_t) ncols + (size_t) c];
            imvoctl_print_cell (cell, c + 1 < ncols ? width [c] : 0);
            free (cell);
        }
    free (cells);
    free (copy);
}

//  Where a key goes when a map is printed: what names the thing first, then the rest in
//  alphabetical order (Lua packs maps in hash order, which changes from run to run).
static int
s_key_rank (const char *key)
{
    static const char *const first [] = { "case_id", "org_id", "location_id", "round_id", "code",
                                          "name", "kind", "role", "status", NULL };
    for (int i = 0; first [i]; i++)
        if (streq (key, first [i]))
            return i;
    return 100;
}

static int
s_by_key (const void *a, const void *b)
{
    const msgpack_object_kv *x = *(const msgpack_object_kv *const *) a, *y = *(const msgpack_object_kv *const *) b;
    char *kx = s_cell ("", &x->key), *ky = s_cell ("", &y->key);
    int rx = s_key_rank (kx), ry = s_key_rank (ky);
    int c = rx != ry ? rx - ry : strcmp (kx, ky);
    free (kx);
    free (ky);
    return c;
}

//  Whether a value prints as an indented block: a map, a list of maps or lists, or a list of
//  texts with spaces or commas (sentences such as a covenant's notes, which joined with ", "
//  would run together); a list of codes or ids stays on one line, comma-separated.
static bool
s_nested (const msgpack_object *v)
{
    if (v->type == MSGPACK_OBJECT_MAP)
        return v->via.map.size > 0;
    if (v->type != MSGPACK_OBJECT_ARRAY)
        return false;
    for (uint32_t i = 0; i < v->via.array.size; i++) {
        const msgpack_object *item = &v->via.array.ptr [i];
        if (item->type == MSGPACK_OBJECT_MAP || item->type == MSGPACK_OBJECT_ARRAY)
            return true;
        if (item->type == MSGPACK_OBJECT_STR
        &&  (memchr (item->via.str.ptr, ' ', item->via.str.size) || memchr (item->via.str.ptr, ',', item->via.str.size)))
            return true;
    }
    return false;
}

static void s_print_value (const char *key, const msgpack_object *v, int indent, const char *lead);

//  Prints a map as "key: value" lines; nested maps and lists of maps as indented blocks.
//  lead, when given, stands before the first line instead of the indent ("- " of a list item).
static void
s_print_block (const msgpack_object *map, int indent, const char *lead)
{
    uint32_t n = map->via.map.size;
    const msgpack_object_kv **kvs = malloc ((n ? n : 1) * sizeof *kvs);
    for (uint32_t i = 0; i < n; i++)
        kvs [i] = &map->via.map.ptr [i];
    qsort (kvs, n, sizeof *kvs, s_by_key);
    for (uint32_t i = 0; i < n; i++) {
        char *key = s_cell ("", &kvs [i]->key);
        s_print_value (key, &kvs [i]->val, indent, i == 0 ? lead : NULL);
        free (key);
    }
    free (kvs);
}

static void
s_print_value (const char *key, const msgpack_object *v, int indent, const char *lead)
{
    if (lead)
        printf ("%*s%s", indent - (int) strlen (lead), "", lead);
    else
        printf ("%*s", indent, "");
    if (!s_nested (v)) {
        char *cell = s_cell (key, v);
        printf ("%s: %s\n", key, cell);
        free (cell);
        return;
    }
    printf ("%s:\n", key);
    if (v->type == MSGPACK_OBJECT_MAP) {
        s_print_block (v, indent + 2, NULL);
        return;
    }
    for (uint32_t j = 0; j < v->via.array.size; j++) {
        const msgpack_object *item = &v->via.array.ptr [j];
        if (item->type == MSGPACK_OBJECT_MAP && item->via.map.size)
            s_print_block (item, indent + 4, "- ");
        else {
            char *cell = s_cell ("", item);
            printf ("%*s- %s\n", indent + 2, "", cell);
            free (cell);
        }
    }
}

void
imvoctl_print_map (const msgpack_object *map, int indent)
{
    s_print_block (map, indent, NULL);
}

void
imvoctl_print_reply (bool json, const msgpack_object *body)
{
    if (json) {
        char *text = imvo_json_from_obj (body, 2);
        printf ("%s\n", text);
        free (text);
    }
    else
        imvoctl_print_map (body, 0);
}

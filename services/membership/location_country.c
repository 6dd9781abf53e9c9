/*  location_country: see location_country.h. */
#include "location_country.h"
#include "location_norm.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;                  //  normal form of a name, or an upper-case code
    char code [3];
} s_entry_t;

static s_entry_t *s_entries;
static size_t s_count, s_cap;
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

//  English names that iso-codes does not carry (its names follow the UN's).
static const char *const s_aliases [] = {
    "turkey", "TR", "russia", "RU", "south korea", "KR", "north korea", "KP", "iran", "IR",
    "syria", "SY", "laos", "LA", "tanzania", "TZ", "vietnam", "VN", "bolivia", "BO",
    "venezuela", "VE", "moldova", "MD", "czech republic", "CZ", "taiwan", "TW", "macau", "MO",
    "hong kong", "HK", "uk", "GB", "usa", "US", "united states of america", "US", NULL };

static void
s_add (const char *key, const char *code, bool name)
{
    if (!key || !code || strlen (code) != 2)
        return;
    if (s_count == s_cap) {
        s_cap = s_cap ? s_cap * 2 : 1024;
        s_entries = realloc (s_entries, s_cap * sizeof *s_entries);
    }
    char norm [512];
    if (name)
        location_normalise (key, norm, sizeof norm, false);
    else {
        snprintf (norm, sizeof norm, "%s", key);
        for (char *c = norm; *c; c++)
            *c = (char) toupper ((unsigned char) *c);
    }
    s_entries [s_count].key = strdup (norm);
    memcpy (s_entries [s_count].code, code, 3);
    s_count++;
}

static int
s_cmp (const void *a, const void *b)
{
    return strcmp (((const s_entry_t *) a)->key, ((const s_entry_t *) b)->key);
}

static void
s_load (void)
{
    const char *path = getenv ("IMVO_ISO_CODES");
    json_error_t err;
    json_t *doc = json_load_file (path ? path : "/usr/share/iso-codes/json/iso_3166-1.json", 0, &err);
    json_t *list = doc ? json_object_get (doc, "3166-1") : NULL;
    size_t i;
    json_t *c;
    json_array_foreach (list, i, c) {
        const char *code = json_string_value (json_object_get (c, "alpha_2"));
        s_add (code, code, false);
        s_add (json_string_value (json_object_get (c, "alpha_3")), code, false);
        s_add (json_string_value (json_object_get (c, "name")), code, true);
        s_add (json_string_value (json_object_get (c, "common_name")), code, true);
        s_add (json_string_value (json_object_get (c, "official_name")), code, true);
    }
    json_decref (doc);
    for (int a = 0; s_aliases [a]; a += 2)
        s_add (s_aliases [a], s_aliases [a + 1], true);
    if (s_count)
        qsort (s_entries, s_count, sizeof *s_entries, s_cmp);
}

static const char *
s_find (const char *key)
{
    s_entry_t probe = { .key = (char *) key };
    s_entry_t *e = s_count ? bsearch (&probe, s_entries, s_count, sizeof *s_entries, s_cmp) : NULL;
    return e ? e->code : NULL;
}

int
location_country (const char *text, char out [3])
{
    pthread_once (&s_once, s_load);
    char code [8];
    size_t len = strlen (text);
    while (len && text [len - 1] == ' ')
        len--;
    while (*text == ' ' && len) {
        text++;
        len--;
    }
    if (len == 2 || len == 3) {
        for (size_t i = 0; i < len; i++)
            code [i] = (char) toupper ((unsigned char) text [i]);
        code [len] = 0;
        const char *found = s_find (code);
        //  Without iso-codes, two letters are taken as they are (the catalogue checks them).
        if (found || (len == 2 && !s_count && isalpha ((unsigned char) code [0]) && isalpha ((unsigned char) code [1]))) {
            memcpy (out, found ? found : code, 3);
            out [2] = 0;
            return 0;
        }
    }
    char norm [512];
    location_normalise (text, norm, sizeof norm, false);
    const char *found = s_find (norm);
    if (!found)
        return -1;
    memcpy (out, found, 3);
    return 0;
}

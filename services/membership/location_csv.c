/*  location_csv: reads CSV records; see location_csv.h. */
#include "location_csv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void
location_csv_init (location_csv_t *self, const char *text)
{
    memset (self, 0, sizeof *self);
    self->p = text;
    self->next_line = 1;
}

void
location_csv_release (location_csv_t *self)
{
    free (self->buf);
    self->buf = NULL;
}

int
location_csv_next (location_csv_t *self)
{
    //  Skip blank lines.
    while (*self->p == '\n' || (*self->p == '\r' && self->p [1] == '\n')) {
        self->p += *self->p == '\r' ? 2 : 1;
        self->next_line++;
    }
    if (!*self->p)
        return 0;
    self->line = self->next_line;
    size_t need = strlen (self->p) + LOCATION_CSV_MAX_FIELDS + 2;
    if (need > self->cap) {
        //  A record is never longer than the rest of the text.
        free (self->buf);
        self->buf = malloc (need);
        assert (self->buf);
        self->cap = need;
    }
    char *w = self->buf;
    self->nfields = 0;
    int overflow = 0;
    while (1) {
        if (self->nfields < LOCATION_CSV_MAX_FIELDS)
            self->fields [self->nfields] = w;
        else
            overflow = 1;
        if (*self->p == '"') {
            self->p++;
            while (1) {
                if (!*self->p)
                    return -1;
                if (*self->p == '"') {
                    if (self->p [1] == '"') {
                        *w++ = '"';
                        self->p += 2;
                        continue;
                    }
                    self->p++;
                    break;
                }
                if (*self->p == '\n')
                    self->next_line++;
                *w++ = *self->p++;
            }
        }
        while (*self->p && *self->p != ',' && *self->p != '\n' && !(*self->p == '\r' && self->p [1] == '\n'))
            *w++ = *self->p++;
        *w++ = 0;
        if (!overflow)
            self->nfields++;
        if (*self->p == ',') {
            self->p++;
            continue;
        }
        break;
    }
    if (overflow)
        self->nfields = LOCATION_CSV_MAX_FIELDS + 1;
    if (*self->p == '\r')
        self->p++;
    if (*self->p == '\n') {
        self->p++;
        self->next_line++;
    }
    return 1;
}

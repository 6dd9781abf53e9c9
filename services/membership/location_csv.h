/*  location_csv: a small RFC 4180 reader for production location imports. */
#ifndef LOCATION_CSV_H
#define LOCATION_CSV_H

#include <stddef.h>

#define LOCATION_CSV_MAX_FIELDS 16

typedef struct {
    const char *p;              //  next unread character
    int line;                   //  line number of the record just read (1-based)
    int next_line;              //  line number where the next record starts
    char *buf;                  //  field text of the current record, NUL-separated
    size_t cap;
    char *fields [LOCATION_CSV_MAX_FIELDS];
    int nfields;
} location_csv_t;

void location_csv_init (location_csv_t *self, const char *text);
void location_csv_release (location_csv_t *self);
//  Reads the next record: 1 when read (fields/nfields set; a record with more than
//  LOCATION_CSV_MAX_FIELDS fields reports nfields = LOCATION_CSV_MAX_FIELDS + 1), 0 at the
//  end, -1 when a quoted field is not closed. Blank lines are skipped. Quoted fields may hold
//  commas, new lines and "" for a quote; CRLF and LF both end a record.
int location_csv_next (location_csv_t *self);

#endif

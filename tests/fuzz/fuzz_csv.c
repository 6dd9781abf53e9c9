/*  fuzz_csv: membership's CSV reader (production location imports) against hostile text.
    Asserted: records end, field counts stay within their bound, every field is a string
    inside the record buffer. Built with clang only (tests/fuzz/run.sh). */
#include "location_csv.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    char *text = malloc (size + 1);
    memcpy (text, data, size);
    text [size] = 0;
    location_csv_t csv;
    location_csv_init (&csv, text);
    int rc, records = 0;
    while ((rc = location_csv_next (&csv)) == 1) {
        assert (csv.nfields >= 1 && csv.nfields <= LOCATION_CSV_MAX_FIELDS + 1);
        for (int i = 0; i < csv.nfields && i < LOCATION_CSV_MAX_FIELDS; i++)
            assert (strlen (csv.fields [i]) <= size);
        assert (++records <= (int) size + 1);
    }
    assert (rc == 0 || rc == -1);
    location_csv_release (&csv);
    free (text);
    return 0;
}

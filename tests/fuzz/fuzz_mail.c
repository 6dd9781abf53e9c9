/*  fuzz_mail: imvoctl's mail reader (complaint from-mail: GMime, libxml2 for HTML bodies)
    against hostile messages. Each input is written to a file and read as `imvoctl complaint
    from-mail` reads one; asserted: it either refuses it or makes a complaint.submit body that
    is a msgpack map, with the key mail:<Message-ID> or none. Built with clang only (tests/fuzz/run.sh). */
#include "imvoctl.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    static char path [64];
    if (!path [0])              //  (run with -close_fd_mask=2: the reader's refusals are many)
        snprintf (path, sizeof path, "/tmp/fuzz-mail-%d.eml", (int) getpid ());
    FILE *f = fopen (path, "wb");
    fwrite (data, 1, size, f);
    fclose (f);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    char key [128] = "";
    if (imvoctl_mail_body (path, "textile", NULL, &body, key, sizeof key) == 0) {
        unsigned char head = body.size ? (unsigned char) body.data [0] : 0;
        assert ((head & 0xf0) == 0x80 || head == 0xde || head == 0xdf);         //  a map
        assert (key [0] == 0 || strncmp (key, "mail:", 5) == 0);               //  "" without a Message-ID
    }
    msgpack_sbuffer_destroy (&body);
    return 0;
}

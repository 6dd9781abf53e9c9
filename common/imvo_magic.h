/*  imvo_magic: what a file's bytes are, as libmagic tells (a MIME type such as application/pdf),
    for the daemons that check a declared type against the bytes: complaints (a complainant's
    files) and scoring (the documents of an action plan). A library of its own (imvo_magic),
    linked only by them. libmagic's cookie is not for sharing between threads: each thread
    opens one on first use, closed when the thread ends. */
#ifndef IMVO_MAGIC_H
#define IMVO_MAGIC_H

#include <stddef.h>

//  The MIME type of the bytes ("unknown" when libmagic cannot tell), or NULL when libmagic has
//  no database (logged).
const char *imvo_magic_type (const char *data, size_t len);

#endif

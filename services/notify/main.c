/*  imvo-notify: thin main; the logic is in notify_server.c. */
#include "notify_server.h"

int
main (void)
{
    return imvo_service_run (&notify_service);
}

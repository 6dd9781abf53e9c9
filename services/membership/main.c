/*  imvo-membership: thin main; the logic is in membership_server.c. */
#include "membership_server.h"

int
main (void)
{
    return imvo_service_run (&membership_service);
}

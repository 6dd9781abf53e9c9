/*  imvo-scoring: thin main; the logic is in scoring_server.c. */
#include "scoring_server.h"

int
main (void)
{
    return imvo_service_run (&scoring_service);
}

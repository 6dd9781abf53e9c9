/*  imvo-complaints: thin main; the logic is in complaints_server.c. */
#include "complaints_server.h"

int
main (void)
{
    return imvo_service_run (&complaints_service);
}

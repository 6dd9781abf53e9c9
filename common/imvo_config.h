/*  imvo_config: the environment variables of proto/README.md and their defaults.
    IMVO_<SERVICE>_BIND / _EVENTS_BIND on daemons, IMVO_<SERVICE>_ENDPOINT /
    _EVENTS_ENDPOINT on clients, IMVO_REDIS_URL everywhere.
*/
#ifndef IMVO_CONFIG_H
#define IMVO_CONFIG_H

#include <stddef.h>

//  The four daemons, in port order (membership 7101/7201 ... notify 7104/7204).
extern const char *const imvo_services [4];

//  getenv with a default for unset or empty variables.
const char *imvo_env (const char *name, const char *dflt);
//  Integer from the environment, dflt when unset or not a number in [min, max].
long imvo_env_long (const char *name, long dflt, long min, long max);

//  Each writes into buf; -1 when the service name is unknown. An ENDPOINT or EVENTS_ENDPOINT
//  of the form @FILE is read from that daemon's IMVO_READY_FILE at each call (a daemon bound
//  to port * writes there the endpoints it got); while it has none, ipc://FILE, where nothing
//  answers (as for a daemon that is down).
int imvo_config_bind (const char *service, char *buf, size_t size);
int imvo_config_events_bind (const char *service, char *buf, size_t size);
int imvo_config_endpoint (const char *service, char *buf, size_t size);
int imvo_config_events_endpoint (const char *service, char *buf, size_t size);
const char *imvo_config_redis_url (void);

//  The whole of a file ("-" is stdin) as a NUL-terminated string the caller frees; NULL with
//  errno set when it cannot be read.
char *imvo_file_read (const char *path);

#endif

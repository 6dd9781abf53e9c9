/*  imvo_consumer_internal: a consumer's state, for imvo_consumer.c and imvo_consumer_retry.c. */
#ifndef IMVO_CONSUMER_INTERNAL_H
#define IMVO_CONSUMER_INTERNAL_H

#include "imvo_service.h"

#define S_MAX_STREAMS 256
#define S_BATCH 128
//  Script calls one event's handler may park (more run at once, one round trip each):
//  notify writes to up to four inboxes per complaint event.
#define S_CALLS 4

typedef struct {
    imvo_ctx_t ctx;                         //  handler context (own Redis, own PUSH)
    const imvo_subscription_t *sub;         //  what we consume and how
    char group [64];                        //  consumer group: the consuming daemon's name
    char consumer [128];                    //  consumer name within the group
    char pattern [128];                     //  SCAN pattern of the source's streams
    char *streams [S_MAX_STREAMS];          //  known streams
    int nstreams;
    bool replay_pending;                    //  re-read our own pending list next round
    bool unavailable;                       //  an entry failed because Redis was unavailable
    int64_t replay_at;                      //  zclock_mono of that re-read after such a failure
    size_t seen_connects;                   //  Redis connects seen, to spot a reconnect
    long max_attempts;                      //  deliveries before dead-lettering
    long claim_idle_ms;                     //  idle time before an entry is reclaimed
    int64_t next_scan;                      //  zclock_mono of the next read of the registry
    int64_t next_full_scan;                 //  zclock_mono of the next SCAN of the keyspace
    int64_t next_trim;                      //  zclock_mono of the next trim
    int64_t next_retry;                     //  zclock_mono of the next dead-letter/reclaim pass
    imvo_call_t calls [S_BATCH * S_CALLS];  //  one batch's parked script calls, S_CALLS per entry
    imvo_reply_t replies [S_BATCH * S_CALLS];   //  and their outcomes
} imvo_consumer_t;

//  Applies a list of entries of one stream as one pipeline and acknowledges those whose
//  effects succeeded with one XACK; last, when given, gets the id of the last entry.
void imvo_consumer_apply_list (imvo_consumer_t *self, const char *stream, redisReply *list,
                               char *last, size_t last_size);
//  Dead-letters entries delivered too often, then reclaims idle ones (imvo_consumer_retry.c).
void imvo_consumer_retry (imvo_consumer_t *self, const char *stream);
//  Trims a stream below the oldest entry any of its groups still needs.
void imvo_consumer_trim (imvo_consumer_t *self, const char *stream);

#endif

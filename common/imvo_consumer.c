/*  imvo_consumer: at-least-once event consumption from other daemons' outbox streams.

    One actor per subscription, with its own Redis connection. Streams (imvo:<source>:{<tag>}:events,
    one per hash tag, e.g. per covenant) are found in the registry set imvo:<source>:streams,
    which the emitting daemon fills on a stream's first event (imvo_outbox_commit): read every
    2 s and whenever the PUB doorbell names a stream we do not know. A SCAN of the keyspace at
    start and every IMVO_CONSUMER_RESCAN_MS (10 min) is the safety net.
    For each stream the consumer group is named after the consuming daemon, the consumer after
    IMVO_CONSUMER_NAME (default: the host name, stable across restarts of one container).

    Each round:
      1. on start (and after Redis came back) re-read our own pending list (XREADGROUP ... 0);
      2. move entries delivered IMVO_MAX_ATTEMPTS times or more to <stream>:dead (XPENDING);
      3. reclaim entries idle for IMVO_CLAIM_IDLE_MS from any consumer, ourselves included,
         which also retries our own failures (XAUTOCLAIM); 2 and 3 run every quarter of
         IMVO_CLAIM_IDLE_MS (10 ms to 5 s), not on every doorbell;
      4. read new entries (XREADGROUP ... >).
    The entries of one read are applied as one pipeline (handlers park their script call with
    imvo_script_call) and acknowledged with one XACK. An entry is acknowledged only after its
    handler succeeded; handlers make effects
    idempotent by event id (notify's inbox_add.lua keeps each item under its event id). The PUB socket is only a doorbell: the
    streams are the record. Every IMVO_TRIM_MS the streams are trimmed with MINID below the
    oldest entry any group still needs and at most to 24 hours ago.
*/
#include "imvo_service.h"
#include "imvo_config.h"
#include "imvo_internal.h"
#include "imvo_consumer_internal.h"
#include "imvo_curve.h"

#include <unistd.h>



static bool
s_known (imvo_consumer_t *self, const char *stream)
{
    for (int i = 0; i < self->nstreams; i++)
        if (streq (self->streams [i], stream))
            return true;
    return false;
}

static void
s_add_stream (imvo_consumer_t *self, const char *stream)
{
    if (s_known (self, stream) || self->nstreams == S_MAX_STREAMS)
        return;
    redisReply *r = imvo_redis_cmd (self->ctx.redis, "XGROUP CREATE %s %s 0 MKSTREAM", stream, self->group);
    if (!r)
        return;
    bool ok = r->type != REDIS_REPLY_ERROR || strncmp (r->str, "BUSYGROUP", 9) == 0;
    if (!ok)
        zsys_error ("cannot create group %s on %s: %s", self->group, stream, r->str);
    freeReplyObject (r);
    if (ok)
        self->streams [self->nstreams++] = strdup (stream);
}

//  Every stream of the source: the registry set the emitters keep (imvo_outbox_commit), and,
//  at start and every IMVO_CONSUMER_RESCAN_MS, a SCAN of the keyspace as a safety net for a
//  stream whose emitter died between its first event and registering it.
static void
s_scan (imvo_consumer_t *self, bool full)
{
    redisReply *m = imvo_redis_cmd (self->ctx.redis, "SMEMBERS imvo:%s:streams", self->sub->source);
    for (size_t i = 0; m && m->type == REDIS_REPLY_ARRAY && i < m->elements; i++)
        if (m->element [i]->type == REDIS_REPLY_STRING)
            s_add_stream (self, m->element [i]->str);
    if (m)
        freeReplyObject (m);
    char cursor [32] = "0";
    do {
        if (!full)
            break;
        redisReply *r = imvo_redis_cmd (self->ctx.redis, "SCAN %s MATCH %s COUNT 20 TYPE stream",
                                        cursor, self->pattern);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            return;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element [0]->str);
        for (size_t i = 0; i < r->element [1]->elements; i++) {
            const char *name = r->element [1]->element [i]->str;
            size_t len = strlen (name);
            //  <stream>:dead streams match the pattern's tail only when named ...:events.
            if (len > 7 && streq (name + len - 7, ":events"))
                s_add_stream (self, name);
        }
        freeReplyObject (r);
    } while (!streq (cursor, "0"));
}

//  Hands one entry ([id, [field, value, ...]]) to the handler, which may park up to S_CALLS
//  script calls in call [0..], their outcomes in reply [0..]. Returns the handler's result (0, -1 or IMVO_DEFERRED); -1 for entries
//  that are not entries.
static int
s_prepare (imvo_consumer_t *self, const char *stream, redisReply *entry, imvo_call_t *call, imvo_reply_t *reply)
{
    for (int k = 0; k < S_CALLS; k++) {
        imvo_reply_init (&reply [k]);
        call [k].script = NULL;
    }
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
    ||  entry->element [0]->type != REDIS_REPLY_STRING)
        return -1;
    const char *id = entry->element [0]->str;
    redisReply *fields = entry->element [1];
    //  The entry's time is its id's (unix ms); its source is the stream's owner,
    //  imvo:<source>:{<tag>}:events. Entries written with explicit at and source fields (the
    //  first version) are read as well.
    imvo_event_t ev = { .stream = stream, .id = id, .type = "", .source = self->sub->source,
                        .at = strtoll (id, NULL, 10) };
    const char *body = NULL;
    size_t body_len = 0;
    for (size_t i = 0; fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements; i += 2) {
        const char *k = fields->element [i]->str;
        redisReply *v = fields->element [i + 1];
        if (!k || !v->str)
            continue;
        if (streq (k, "type"))
            ev.type = v->str;
        else
        if (streq (k, "source"))
            ev.source = v->str;
        else
        if (streq (k, "at"))
            ev.at = strtoll (v->str, NULL, 10);
        else
        if (streq (k, "body")) {
            body = v->str;
            body_len = v->len;
        }
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    const char *why;
    if (!body || imvo_msg_unpack (body, body_len, &zone, &ev.body, &why) || ev.body.type != MSGPACK_OBJECT_MAP)
        ev.body.type = MSGPACK_OBJECT_NIL;
    self->ctx.call = call;
    self->ctx.call_room = S_CALLS - 1;
    int rc = self->sub->handler (&self->ctx, &ev);
    self->ctx.call = NULL;
    self->ctx.call_room = 0;
    msgpack_zone_destroy (&zone);
    return rc;
}

//  Applies a list of entries of one stream as one pipeline, then acknowledges those whose
//  effects succeeded with one XACK. last, when given, gets the id of the last entry.
void
imvo_consumer_apply_list (imvo_consumer_t *self, const char *stream, redisReply *list, char *last, size_t last_size)
{
    size_t n = list->elements < S_BATCH ? list->elements : S_BATCH;
    int rcs [S_BATCH];
    for (size_t e = 0; e < n; e++)
        rcs [e] = s_prepare (self, stream, list->element [e], &self->calls [e * S_CALLS],
                             &self->replies [e * S_CALLS]);
    imvo_calls_run (&self->ctx, self->calls, self->replies, n * S_CALLS);
    imvo_args_t ack;
    imvo_args_init (&ack);
    imvo_args_str (&ack, "XACK");
    imvo_args_str (&ack, stream);
    imvo_args_str (&ack, self->group);
    for (size_t e = 0; e < n; e++) {
        //  Done when the handler succeeded and so did every call it parked.
        bool ok = rcs [e] == 0 || rcs [e] == IMVO_DEFERRED;
        for (int k = 0; k < S_CALLS; k++) {
            imvo_reply_t *reply = &self->replies [e * S_CALLS + k];
            ok &= reply->err.code == IMVO_ERR_NONE;
            self->unavailable |= reply->err.code == IMVO_ERR_UNAVAILABLE;
            imvo_reply_release (reply);
        }
        redisReply *entry = list->element [e];
        if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 1 || entry->element [0]->type != REDIS_REPLY_STRING)
            continue;
        if (last)
            snprintf (last, last_size, "%s", entry->element [0]->str);
        if (ok) {
            imvo_args_str (&ack, entry->element [0]->str);
            imvo_service_count_event_consumed (self->ctx.service);
        }
        else
            imvo_service_count_event_failed (self->ctx.service);
    }
    if (ack.argc > 3) {
        redisReply *r = imvo_redis_argv (self->ctx.redis, &ack);
        if (r)
            freeReplyObject (r);
    }
    imvo_args_release (&ack);
}

//  Applies every entry of a [stream, [entries]] list as XREADGROUP returns it. Returns the
//  most entries any one stream gave (COUNT applies per stream); last, when given, gets the id
//  of the last entry of the last stream.
static size_t
s_apply_streams (imvo_consumer_t *self, redisReply *r, char *last, size_t last_size)
{
    size_t most = 0;
    for (size_t s = 0; r && r->type == REDIS_REPLY_ARRAY && s < r->elements; s++) {
        redisReply *pair = r->element [s];
        if (pair->type != REDIS_REPLY_ARRAY || pair->elements != 2 || pair->element [1]->type != REDIS_REPLY_ARRAY)
            continue;
        redisReply *list = pair->element [1];
        imvo_consumer_apply_list (self, pair->element [0]->str, list, last, last_size);
        if (list->elements > most)
            most = list->elements;
    }
    return most;
}

//  Replays our pending list, stream by stream, each read starting after the last entry of
//  the one before: entries that fail again stay pending (s_retry deals with them) without
//  being read over and over.
static void
s_replay_pending (imvo_consumer_t *self)
{
    for (int i = 0; i < self->nstreams; i++) {
        char cursor [64] = "0";
        size_t got;
        do {
            redisReply *r = imvo_redis_cmd (self->ctx.redis, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s %s",
                                            self->group, self->consumer, S_BATCH, self->streams [i], cursor);
            got = r && r->type == REDIS_REPLY_ARRAY ? s_apply_streams (self, r, cursor, sizeof cursor) : 0;
            self->unavailable |= !r || r->type == REDIS_REPLY_ERROR;
            if (r)
                freeReplyObject (r);
        } while (got == S_BATCH);
    }
}

//  XREADGROUP of new entries (">"): one command per stream, since streams of different hash
//  tags live in different Redis Cluster slots, sent together and read in order. Returns the
//  most entries any stream gave.
static size_t
s_read (imvo_consumer_t *self)
{
    if (!self->nstreams)
        return 0;
    int sent = 0;
    for (int i = 0; i < self->nstreams; i++) {
        imvo_args_t a;
        imvo_args_init (&a);
        imvo_args_str (&a, "XREADGROUP");
        imvo_args_str (&a, "GROUP");
        imvo_args_str (&a, self->group);
        imvo_args_str (&a, self->consumer);
        imvo_args_str (&a, "COUNT");
        imvo_args_fmt (&a, "%d", S_BATCH);
        imvo_args_str (&a, "STREAMS");
        imvo_args_str (&a, self->streams [i]);
        imvo_args_str (&a, ">");
        sent += imvo_redis_append_argv (self->ctx.redis, &a) == 0;
        imvo_args_release (&a);
    }
    redisReply *replies [S_MAX_STREAMS];
    for (int i = 0; i < sent; i++)
        replies [i] = imvo_redis_next_reply (self->ctx.redis);
    size_t most = 0;
    bool gone = false;
    for (int i = 0; i < sent; i++) {
        redisReply *r = replies [i];
        size_t n = s_apply_streams (self, r, NULL, 0);
        if (n > most)
            most = n;
        gone |= r && r->type == REDIS_REPLY_ERROR && strstr (r->str, "NOGROUP");
        if (r)
            freeReplyObject (r);
    }
    if (gone) {
        //  A stream or group was deleted under us: forget streams, read the registry again.
        for (int i = 0; i < self->nstreams; i++)
            free (self->streams [i]);
        self->nstreams = 0;
        self->next_scan = 0;
    }
    return most;
}

static void
s_round (imvo_consumer_t *self)
{
    if (imvo_redis_ensure (self->ctx.redis))
        return;
    if (imvo_redis_connects (self->ctx.redis) != self->seen_connects) {
        self->seen_connects = imvo_redis_connects (self->ctx.redis);
        self->replay_pending = true;
        self->next_scan = 0;
    }
    if (zclock_mono () >= self->next_full_scan) {
        s_scan (self, true);
        self->next_full_scan = zclock_mono () + imvo_env_long ("IMVO_CONSUMER_RESCAN_MS", 600000, 10, 86400000);
        self->next_scan = zclock_mono () + 2000;
    }
    else
    if (zclock_mono () >= self->next_scan) {
        s_scan (self, false);
        self->next_scan = zclock_mono () + 2000;
    }
    //  Entries that failed because Redis was unavailable (restarting, a cluster node not yet
    //  taking writes) are read again from our pending list soon, not after claim_idle_ms.
    if (self->replay_at && zclock_mono () >= self->replay_at) {
        self->replay_pending = true;
        self->replay_at = 0;
    }
    if (self->replay_pending) {
        s_replay_pending (self);
        self->replay_pending = false;
    }
    //  Reclaiming is for entries idle for claim_idle_ms: looking for them more often than
    //  that finds nothing, and a doorbell per event would otherwise cost two commands each.
    if (zclock_mono () >= self->next_retry) {
        for (int i = 0; i < self->nstreams; i++)
            imvo_consumer_retry (self, self->streams [i]);
        long every = self->claim_idle_ms / 4;
        self->next_retry = zclock_mono () + (every < 10 ? 10 : every > 5000 ? 5000 : every);
    }
    while (s_read (self) == S_BATCH)
        ;
    if (self->unavailable && !self->replay_at)
        self->replay_at = zclock_mono () + 500;
    self->unavailable = false;
    if (zclock_mono () >= self->next_trim) {
        for (int i = 0; i < self->nstreams; i++)
            imvo_consumer_trim (self, self->streams [i]);
        self->next_trim = zclock_mono () + imvo_env_long ("IMVO_TRIM_MS", 60000, 100, 86400000);
    }
}

void
imvo_consumer_actor (zsock_t *pipe, void *args)
{
    //  args lives on the caller's stack: everything is copied before the signal below.
    const imvo_consumer_args_t *a = (const imvo_consumer_args_t *) args;
    imvo_consumer_t *self = calloc (1, sizeof *self);
    assert (self);
    self->ctx.service = a->service;
    self->sub = a->sub;
    self->ctx.name = a->def->name;
    self->ctx.state = a->def->state;
    self->ctx.worker = -1;
    self->ctx.redis = imvo_redis_new (imvo_config_redis_url ());
    imvo_redis_add_scripts (self->ctx.redis, imvo_common_scripts);
    if (a->def->scripts)
        imvo_redis_add_scripts (self->ctx.redis, a->def->scripts);
    self->ctx.events = zsock_new_push (a->events_endpoint);
    snprintf (self->group, sizeof self->group, "%s", self->ctx.name);
    char host [64] = "consumer";
    gethostname (host, sizeof host - 1);
    snprintf (self->consumer, sizeof self->consumer, "%s", imvo_env ("IMVO_CONSUMER_NAME", host));
    snprintf (self->pattern, sizeof self->pattern, "imvo:%s:{*}:events", self->sub->source);
    self->max_attempts = imvo_env_long ("IMVO_MAX_ATTEMPTS", 5, 1, 1000);
    self->claim_idle_ms = imvo_env_long ("IMVO_CLAIM_IDLE_MS", 30000, 10, 86400000);
    self->replay_pending = true;

    char doorbell_endpoint [256];
    imvo_config_events_endpoint (self->sub->source, doorbell_endpoint, sizeof doorbell_endpoint);
    zsock_t *doorbell = zsock_new (ZMQ_SUB);
    zsock_set_subscribe (doorbell, "");
    //  With CURVE the doorbell is a client of the other daemon's PUB, with our certificate.
    if (imvo_curve_client (doorbell, self->sub->source) == 0)
        zsock_connect (doorbell, "%s", doorbell_endpoint);
    zpoller_t *poller = zpoller_new (pipe, doorbell, NULL);
    zpoller_set_nonstop (poller, true);
    zsock_signal (pipe, 0);
    zsys_info ("consuming %s events as %s/%s (doorbell %s)", self->sub->source,
               self->group, self->consumer, doorbell_endpoint);

    while (true) {
        s_round (self);
        //  Wait for the doorbell, our pipe, or the next periodic round.
        void *which = zpoller_wait (poller, imvo_redis_connected (self->ctx.redis) ? 500 : 200);
        if (which == pipe)
            break;
        if (which == doorbell) {
            //  Drain the doorbell; the streams are read in the next round.
            while (zsock_events (doorbell) & ZMQ_POLLIN) {
                zmsg_t *msg = zmsg_recv (doorbell);
                zframe_t *payload = zmsg_last (msg);
                msgpack_zone zone;
                msgpack_zone_init (&zone, 512);
                msgpack_object ev;
                const char *why;
                char stream [256];
                if (payload && imvo_msg_unpack ((const char *) zframe_data (payload), zframe_size (payload),
                                                &zone, &ev, &why) == 0
                &&  imvo_obj_strcpy (imvo_map_get (&ev, "stream"), stream, sizeof stream) == 0
                &&  !s_known (self, stream))
                    self->next_scan = 0;
                msgpack_zone_destroy (&zone);
                zmsg_destroy (&msg);
            }
        }
    }
    zpoller_destroy (&poller);
    zsock_destroy (&doorbell);
    zsock_destroy (&self->ctx.events);
    imvo_redis_destroy (&self->ctx.redis);
    for (int i = 0; i < self->nstreams; i++)
        free (self->streams [i]);
    free (self);
}

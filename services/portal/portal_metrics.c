/*  portal_metrics: /metrics in the Prometheus text format, from each daemon's `stats`, the
    intake queue's length and notify's delivery backlog. */
#include "portal.h"

static void
s_help (portal_buf_t *b, const char *name, const char *type, const char *help)
{
    portal_buf_add (b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int64_t
s_int (const msgpack_object *map, const char *key)
{
    const msgpack_object *v = map ? imvo_map_get (map, key) : NULL;
    return v && (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER || v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
         ? v->via.i64 : 0;
}

void
portal_metrics (portal_buf_t *b)
{
    imvo_redis_t *redis = portal_redis ();
    static const char *const services [] = { "membership", "complaints", "scoring", "notify" };
    imvo_response_t resp [4];
    bool up [4];
    for (int i = 0; i < 4; i++)
        //  Short and once: a daemon that is down makes /metrics say so, not wait.
        up [i] = portal_call_within (services [i], "stats", NULL, 0, 500, 1, &resp [i]) == 0 && resp [i].ok;
    s_help (b, "imvo_up", "gauge", "1 when the daemon answers");
    for (int i = 0; i < 4; i++)
        portal_buf_add (b, "imvo_up{service=\"%s\"} %d\n", services [i], up [i]);
    s_help (b, "imvo_requests_total", "counter", "requests the daemon answered, by message type");
    for (int i = 0; i < 4; i++) {
        const msgpack_object *types = up [i] ? imvo_map_get (resp [i].body, "types") : NULL;
        for (uint32_t k = 0; types && types->type == MSGPACK_OBJECT_MAP && k < types->via.map.size; k++) {
            const msgpack_object_kv *kv = &types->via.map.ptr [k];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                portal_buf_add (b, "imvo_requests_total{service=\"%s\",type=\"%.*s\"} %llu\n", services [i],
                                (int) kv->key.via.str.size, kv->key.via.str.ptr, (unsigned long long) kv->val.via.u64);
        }
    }
    s_help (b, "imvo_errors_total", "counter", "error replies by code");
    for (int i = 0; i < 4; i++) {
        const msgpack_object *errors = up [i] ? imvo_map_get (resp [i].body, "errors") : NULL;
        for (uint32_t k = 0; errors && errors->type == MSGPACK_OBJECT_MAP && k < errors->via.map.size; k++) {
            const msgpack_object_kv *kv = &errors->via.map.ptr [k];
            if (kv->key.type == MSGPACK_OBJECT_STR && kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER)
                portal_buf_add (b, "imvo_errors_total{service=\"%s\",code=\"%.*s\"} %llu\n", services [i],
                                (int) kv->key.via.str.size, kv->key.via.str.ptr, (unsigned long long) kv->val.via.u64);
        }
    }
    static const char *const events [][2] = { { "events_emitted", "imvo_events_total" },
                                              { "events_consumed", "imvo_events_consumed_total" },
                                              { "events_failed", "imvo_events_failed_total" } };
    static const char *const events_help [] = { "events the daemon emitted", "events of other daemons it applied",
                                                "event applications that failed (retried, then dead-lettered)" };
    for (int e = 0; e < 3; e++) {
        s_help (b, events [e][1], "counter", events_help [e]);
        for (int i = 0; i < 4; i++)
            if (up [i])
                portal_buf_add (b, "%s{service=\"%s\"} %lld\n", events [e][1], services [i],
                                (long long) s_int (resp [i].body, events [e][0]));
    }
    redisReply *r = redis ? imvo_redis_cmd (redis, "XLEN imvo:complaints:intake") : NULL;
    if (r && r->type == REDIS_REPLY_INTEGER) {
        s_help (b, "imvo_intake_queue_length", "gauge", "entries in the intake stream (imvo:complaints:intake)");
        portal_buf_add (b, "imvo_intake_queue_length %lld\n", (long long) r->integer);
    }
    if (r)
        freeReplyObject (r);
    const msgpack_object *d = up [3] ? imvo_map_get (resp [3].body, "deliveries") : NULL;
    if (d && d->type == MSGPACK_OBJECT_MAP) {
        const msgpack_object *backlog = imvo_map_get (d, "backlog");
        s_help (b, "imvo_notify_backlog", "gauge", "webhook and e-mail deliveries not yet settled, by channel");
        portal_buf_add (b, "imvo_notify_backlog{channel=\"webhook\"} %lld\n", (long long) s_int (backlog, "webhook"));
        portal_buf_add (b, "imvo_notify_backlog{channel=\"email\"} %lld\n", (long long) s_int (backlog, "email"));
        s_help (b, "imvo_notify_oldest_undelivered_seconds", "gauge", "age of the oldest delivery not yet settled");
        portal_buf_add (b, "imvo_notify_oldest_undelivered_seconds %.3f\n", s_int (d, "oldest_undelivered_ms") / 1000.0);
        s_help (b, "imvo_notify_failed", "gauge", "deliveries that failed for good");
        portal_buf_add (b, "imvo_notify_failed %lld\n", (long long) s_int (d, "failed"));
    }
    for (int i = 0; i < 4; i++)
        imvo_response_release (&resp [i]);
}

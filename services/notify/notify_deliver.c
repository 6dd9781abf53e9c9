/*  notify_deliver: webhooks and e-mail, delivered beside the requests (the service's background
    actor), many at once with libcurl's multi interface, so a slow or dead endpoint holds up no
    other recipient.

    Every 200 ms the actor takes the deliveries that are due from each recipient with a webhook
    or e-mail subscription (lua/delivery_claim.lua: a lease, so one runner tries each), starts
    them, and settles each attempt with lua/delivery_done.lua: delivered (never again),
    retried after IMVO_NOTIFY_RETRY_MS (10 s) doubling, or failed for good after
    IMVO_NOTIFY_MAX_AGE_MS (24 hours). A webhook is a POST of {event_id, type, title, text, at,
    body} with X-IMVO-Event-Id and, with a secret, X-IMVO-Signature: sha256=<HMAC-SHA256>
    (libsodium); a 2xx answer is delivery. An e-mail is a MIME message (GMime) with a text and an
    HTML part, sent with SMTP to IMVO_SMTP_URL.
*/
#include "notify_internal.h"
#include "imvo_config.h"

#include <curl/curl.h>
#include <gmime/gmime.h>
#include <sodium.h>

#define S_MAX_IN_FLIGHT 64
//  At most this many deliveries of one recipient at a time: its receiver gets as many
//  connections (curl keeps them open between deliveries), and none waits in curl's queue,
//  so every attempt ends well within its lease.
#define S_MAX_PER_RECIPIENT 8

typedef struct {
    char recipient [NOTIFY_RECIPIENT_MAX];
    char member [160];
    char type [64];                 //  the event's
    char address [512];             //  where it went
    char *payload;                  //  what is sent: the JSON body or the mail
    size_t size, sent;
    struct curl_slist *list;        //  headers, or the mail's recipients
    char error [CURL_ERROR_SIZE];
    bool webhook;
} s_job_t;

typedef struct {
    imvo_ctx_t *ctx;
    CURLM *multi;
    zlistx_t *easies;               //  the transfers in flight
    zhashx_t *busy;                 //  recipient -> how many of its deliveries are in flight
    int64_t next_claim;             //  when to look for due deliveries again (every 200 ms,
    int64_t last_claim;             //  and 20 ms after the last look when some finished)
    int in_flight;
    long retry_ms, max_age_ms, timeout_ms;
    const char *smtp_url, *mail_from;
} s_self_t;

static size_t
s_read (char *buf, size_t size, size_t n, void *arg)
{
    s_job_t *job = arg;
    size_t left = job->size - job->sent, take = size * n < left ? size * n : left;
    memcpy (buf, job->payload + job->sent, take);
    job->sent += take;
    return take;
}

static size_t
s_discard (char *buf, size_t size, size_t n, void *arg)
{
    (void) buf, (void) arg;
    return size * n;
}

static void
s_job_free (s_job_t *job)
{
    free (job->payload);
    curl_slist_free_all (job->list);
    free (job);
}

static char *
s_str (const msgpack_object *d, const char *key)
{
    char *s = imvo_map_strdup (d, key);
    return s ? s : strdup ("");
}

//  The webhook's JSON body and headers.
static CURL *
s_webhook (s_self_t *self, s_job_t *job, const msgpack_object *d, const msgpack_object *sub)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &buf, msgpack_sbuffer_write);
    static const char *const keys [] = { "event_id", "type", "title", "text", "at", "body" };
    msgpack_pack_map (&pk, 6);
    for (int i = 0; i < 6; i++) {
        imvo_pack_str (&pk, keys [i]);
        const msgpack_object *v = imvo_map_get (d, keys [i]);
        if (v)
            msgpack_pack_object (&pk, *v);
        else
            msgpack_pack_nil (&pk);
    }
    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object o;
    const char *why;
    job->payload = imvo_msg_unpack (buf.data, buf.size, &zone, &o, &why) ? strdup ("{}") : imvo_json_from_obj (&o, 0);
    msgpack_zone_destroy (&zone);
    msgpack_sbuffer_destroy (&buf);
    job->size = strlen (job->payload);
    char *event_id = s_str (d, "event_id"), *secret = s_str (sub, "secret"), *url = s_str (sub, "address");
    char header [256];
    job->list = curl_slist_append (NULL, "Content-Type: application/json");
    //  No "Expect: 100-continue" (curl's default for larger bodies): a receiver that does not
    //  answer it would cost every delivery a second.
    job->list = curl_slist_append (job->list, "Expect:");
    snprintf (header, sizeof header, "X-IMVO-Event-Id: %s", event_id);
    job->list = curl_slist_append (job->list, header);
    if (*secret) {
        unsigned char mac [crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init (&st, (const unsigned char *) secret, strlen (secret));
        crypto_auth_hmacsha256_update (&st, (const unsigned char *) job->payload, job->size);
        crypto_auth_hmacsha256_final (&st, mac);
        char hex [2 * sizeof mac + 1];
        sodium_bin2hex (hex, sizeof hex, mac, sizeof mac);
        snprintf (header, sizeof header, "X-IMVO-Signature: sha256=%s", hex);
        job->list = curl_slist_append (job->list, header);
    }
    CURL *easy = curl_easy_init ();
    curl_easy_setopt (easy, CURLOPT_URL, url);
    curl_easy_setopt (easy, CURLOPT_POSTFIELDS, job->payload);
    curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) job->size);
    curl_easy_setopt (easy, CURLOPT_HTTPHEADER, job->list);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    (void) self;
    free (event_id);
    free (secret);
    free (url);
    return easy;
}

//  The mail: From, To, Subject, Content-Language, and the text and the HTML as alternatives.
static CURL *
s_email (s_self_t *self, s_job_t *job, const msgpack_object *d, const msgpack_object *sub)
{
    char *to = s_str (sub, "address"), *title = s_str (d, "title"), *text = s_str (d, "text"), *html = s_str (d, "html"),
         *lang = s_str (d, "lang"), *event_id = s_str (d, "event_id");
    GMimeMessage *msg = g_mime_message_new (TRUE);
    g_mime_message_add_mailbox (msg, GMIME_ADDRESS_TYPE_FROM, "IMVO", self->mail_from);
    g_mime_message_add_mailbox (msg, GMIME_ADDRESS_TYPE_TO, NULL, to);
    g_mime_message_set_subject (msg, title, "utf-8");
    g_mime_object_set_header ((GMimeObject *) msg, "Content-Language", lang, NULL);
    g_mime_object_set_header ((GMimeObject *) msg, "X-IMVO-Event-Id", event_id, NULL);
    GMimeMultipart *alt = g_mime_multipart_new_with_subtype ("alternative");
    GMimeTextPart *plain = g_mime_text_part_new_with_subtype ("plain");
    g_mime_text_part_set_text (plain, text);
    char *page = zsys_sprintf ("<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s</title></head>"
                               "<body>%s</body></html>", lang, title, html);
    GMimeTextPart *rich = g_mime_text_part_new_with_subtype ("html");
    g_mime_text_part_set_text (rich, page);
    g_mime_multipart_add (alt, (GMimeObject *) plain);
    g_mime_multipart_add (alt, (GMimeObject *) rich);
    g_mime_message_set_mime_part (msg, (GMimeObject *) alt);
    job->payload = g_mime_object_to_string ((GMimeObject *) msg, NULL);
    job->size = strlen (job->payload);
    g_object_unref (plain);
    g_object_unref (rich);
    g_object_unref (alt);
    g_object_unref (msg);
    zstr_free (&page);
    char rcpt [512];
    snprintf (rcpt, sizeof rcpt, "<%s>", to);
    job->list = curl_slist_append (NULL, rcpt);
    CURL *easy = curl_easy_init ();
    char from [256];
    snprintf (from, sizeof from, "<%s>", self->mail_from);
    curl_easy_setopt (easy, CURLOPT_URL, self->smtp_url);
    curl_easy_setopt (easy, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt (easy, CURLOPT_MAIL_RCPT, job->list);
    curl_easy_setopt (easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt (easy, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt (easy, CURLOPT_READDATA, job);
    curl_easy_setopt (easy, CURLOPT_INFILESIZE, (long) job->size);
    free (to), free (title), free (text), free (html), free (lang), free (event_id);
    return easy;
}

//  Settles one attempt; its events are published.
static void
s_done (s_self_t *self, s_job_t *job, bool ok, const char *error)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    static const char *const parts [] = { "idem:-", "due", "out", "delivered", "failed", "backlog", "queued", "tries" };
    for (int i = 0; i < 8; i++)
        imvo_args_fmt (&keys, "imvo:notify:{%s}:%s", job->recipient, parts [i]);
    imvo_args_str (&args, "0");
    imvo_args_str (&args, job->recipient);
    imvo_args_str (&args, job->member);
    imvo_args_str (&args, ok ? "1" : "0");
    imvo_args_str (&args, error);
    imvo_args_fmt (&args, "%ld", self->retry_ms);
    imvo_args_fmt (&args, "%ld", self->max_age_ms);
    imvo_args_fmt (&args, "imvo:notify:{%s}:events", job->recipient);
    imvo_args_str (&args, job->type);
    imvo_args_str (&args, job->address);
    imvo_reply_t reply;
    imvo_reply_init (&reply);
    if (imvo_outbox_commit (self->ctx, imvo_redis_eval (self->ctx->redis, "delivery_done", &keys, &args), &reply))
        zsys_warning ("delivery %s of %s not settled (it is tried again): %s", job->member, job->recipient,
                      reply.err.message);
    imvo_reply_release (&reply);
    imvo_args_release (&keys);
    imvo_args_release (&args);
}

//  Takes what is due from one recipient and starts it.
static void
s_claim (s_self_t *self, const char *recipient)
{
    imvo_args_t keys, args;
    imvo_args_init (&keys);
    imvo_args_init (&args);
    static const char *const parts [] = { "due", "out", "subs", "backlog", "queued" };
    for (int i = 0; i < 5; i++)
        imvo_args_fmt (&keys, "imvo:notify:{%s}:%s", recipient, parts [i]);
    //  The lease outlasts an attempt: the transfer's timeout and some.
    imvo_args_fmt (&args, "%ld", self->timeout_ms * 3);
    int busy = (int) (intptr_t) zhashx_lookup (self->busy, recipient);
    int room = S_MAX_IN_FLIGHT - self->in_flight;
    if (room > S_MAX_PER_RECIPIENT - busy)
        room = S_MAX_PER_RECIPIENT - busy;
    if (room <= 0) {
        imvo_args_release (&keys);
        imvo_args_release (&args);
        return;
    }
    imvo_args_fmt (&args, "%d", room);
    redisReply *r = imvo_redis_eval (self->ctx->redis, "delivery_claim", &keys, &args);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 2 < r->elements; i += 3) {
        msgpack_zone zone;
        msgpack_zone_init (&zone, 2048);
        msgpack_object d, sub;
        const char *why;
        if (imvo_msg_unpack (r->element [i + 1]->str, r->element [i + 1]->len, &zone, &d, &why) == 0
        &&  imvo_msg_unpack (r->element [i + 2]->str, r->element [i + 2]->len, &zone, &sub, &why) == 0) {
            s_job_t *job = calloc (1, sizeof *job);
            snprintf (job->recipient, sizeof job->recipient, "%s", recipient);
            snprintf (job->member, sizeof job->member, "%s", r->element [i]->str);
            imvo_obj_strcpy (imvo_map_get (&d, "type"), job->type, sizeof job->type);
            imvo_obj_strcpy (imvo_map_get (&sub, "address"), job->address, sizeof job->address);
            job->webhook = imvo_obj_streq (imvo_map_get (&sub, "channel"), "webhook");
            CURL *easy = job->webhook ? s_webhook (self, job, &d, &sub) : s_email (self, job, &d, &sub);
            curl_easy_setopt (easy, CURLOPT_PRIVATE, job);
            curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, job->error);
            curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, self->timeout_ms);
            curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, self->timeout_ms);
            curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
            curl_multi_add_handle (self->multi, easy);
            zlistx_add_end (self->easies, easy);
            self->in_flight++;
            zhashx_update (self->busy, recipient, (void *) (intptr_t) ++busy);
        }
        msgpack_zone_destroy (&zone);
    }
    if (r)
        freeReplyObject (r);
    imvo_args_release (&keys);
    imvo_args_release (&args);
}

static void
s_finished (s_self_t *self)
{
    //  The recipients whose deliveries finished: their next ones start at once.
    zlistx_t *again = zlistx_new ();
    zlistx_set_destructor (again, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_comparator (again, (zlistx_comparator_fn *) strcmp);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read (self->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        s_job_t *job = NULL;
        curl_easy_getinfo (easy, CURLINFO_PRIVATE, (char **) &job);
        long status = 0;
        curl_easy_getinfo (easy, CURLINFO_RESPONSE_CODE, &status);
        bool ok = m->data.result == CURLE_OK && (!job->webhook || (status >= 200 && status < 300));
        char error [CURL_ERROR_SIZE + 32];
        if (m->data.result != CURLE_OK)
            snprintf (error, sizeof error, "%s", job->error [0] ? job->error : curl_easy_strerror (m->data.result));
        else
            snprintf (error, sizeof error, "HTTP %ld", status);
        s_done (self, job, ok, ok ? "" : error);
        if (!zlistx_find (again, job->recipient))
            zlistx_add_end (again, strdup (job->recipient));
        curl_multi_remove_handle (self->multi, easy);
        void *handle = zlistx_find (self->easies, easy);
        if (handle)
            zlistx_delete (self->easies, handle);
        curl_easy_cleanup (easy);
        intptr_t busy = (intptr_t) zhashx_lookup (self->busy, job->recipient) - 1;
        if (busy > 0)
            zhashx_update (self->busy, job->recipient, (void *) busy);
        else
            zhashx_delete (self->busy, job->recipient);
        s_job_free (job);
        self->in_flight--;
    }
    for (const char *recipient = zlistx_first (again); recipient; recipient = zlistx_next (again))
        if (self->in_flight < S_MAX_IN_FLIGHT)
            s_claim (self, recipient);
    if (zlistx_size (again))
        self->next_claim = self->last_claim + 20;   //  room again: look at the others soon
    zlistx_destroy (&again);
}

void
notify_deliver_actor (zsock_t *pipe, void *args)
{
    s_self_t self = {
        .ctx = (imvo_ctx_t *) args,
        .retry_ms = imvo_env_long ("IMVO_NOTIFY_RETRY_MS", 10000, 10, 3600000),
        .max_age_ms = imvo_env_long ("IMVO_NOTIFY_MAX_AGE_MS", 86400000, 100, 30L * 86400000),
        .timeout_ms = imvo_env_long ("IMVO_NOTIFY_TIMEOUT_MS", 10000, 100, 600000),
        .smtp_url = imvo_env ("IMVO_SMTP_URL", "smtp://127.0.0.1:25"),
        .mail_from = imvo_env ("IMVO_MAIL_FROM", "notify@imvo.invalid"),
    };
    zsock_signal (pipe, 0);
    if (self.retry_ms != 10000 || self.max_age_ms != 86400000)
        zsys_notice ("deliveries: first retry after %ld ms, given up after %ld ms (IMVO_NOTIFY_RETRY_MS, "
                     "IMVO_NOTIFY_MAX_AGE_MS)", self.retry_ms, self.max_age_ms);
    g_mime_init ();
    //  libcurl's (and OpenSSL's) global state: this actor is the daemon's only user of it.
    curl_global_init (CURL_GLOBAL_DEFAULT);
    self.multi = curl_multi_init ();
    self.easies = zlistx_new ();
    self.busy = zhashx_new ();      //  values are counts, not pointers: no destructor
    zpoller_t *poller = zpoller_new (pipe, NULL);
    //  SIGTERM sets zsys_interrupted; the actor still waits for $TERM from the daemon.
    zpoller_set_nonstop (poller, true);
    bool stop = false;
    while (!stop) {
        if (zpoller_wait (poller, 0) == pipe) {
            char *command = zstr_recv (pipe);
            stop = !command || streq (command, "$TERM");
            zstr_free (&command);
            continue;
        }
        if (zclock_mono () >= self.next_claim) {
            self.last_claim = zclock_mono ();
            self.next_claim = self.last_claim + 200;
            if (self.in_flight < S_MAX_IN_FLIGHT && imvo_redis_ensure (self.ctx->redis) == 0) {
                redisReply *r = imvo_redis_cmd (self.ctx->redis, "SMEMBERS %s", NOTIFY_SUBSCRIBERS);
                for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
                    if (self.in_flight < S_MAX_IN_FLIGHT)
                        s_claim (&self, r->element [i]->str);
                if (r)
                    freeReplyObject (r);
            }
        }
        int running = 0;
        curl_multi_perform (self.multi, &running);
        s_finished (&self);
        int64_t wait = self.next_claim - zclock_mono ();
        curl_multi_poll (self.multi, NULL, 0, wait < 1 ? 1 : wait > 100 ? 100 : (int) wait, NULL);
    }
    //  What is in flight stays leased: tried again when the lease runs out.
    for (CURL *easy = zlistx_first (self.easies); easy; easy = zlistx_next (self.easies)) {
        s_job_t *job = NULL;
        curl_easy_getinfo (easy, CURLINFO_PRIVATE, (char **) &job);
        curl_multi_remove_handle (self.multi, easy);
        curl_easy_cleanup (easy);
        s_job_free (job);
    }
    zlistx_destroy (&self.easies);
    zhashx_destroy (&self.busy);
    curl_multi_cleanup (self.multi);
    curl_global_cleanup ();
    zpoller_destroy (&poller);
}

/*  notify_internal: what the notify daemon's files share. notify_server.c has the handlers
    and the event consumers, notify_route.c who hears what and the templates, notify_deliver.c
    the delivery of webhooks and e-mail beside the requests.

    Keys, under the recipient's hash tag {<recipient>}:
      :inbox      zset of event ids by event time      :items   hash event id -> packed item
      :read       hash event id -> when it was read     :subs    hash channel -> subscription
      :due        zset "<event id>|<channel>" by when its delivery is next tried (or its lease ends)
      :out        hash "<event id>|<channel>" -> what to send (packed by notify_server.c, in
                  the subscriber's language; the address comes from :subs when it is sent)
      :tries      hash "<event id>|<channel>" -> attempts so far
      :delivered  hash "<event id>|<channel>" -> when   :failed  hash -> the last error
      :backlog    hash channel -> deliveries not settled  :queued  zset of those by queued time
      :run:<n>    never written: keeps one inbox_add call to 8 events (notify_server.c)
    imvo:notify:{org:<id>}:name is an organisation's name (from member.joined, or for a company
    a trade association lists, member.listed), for texts.
    imvo:notify:subscribers is the set of recipients with a webhook or e-mail subscription.
*/
#ifndef NOTIFY_INTERNAL_H
#define NOTIFY_INTERNAL_H

#include "notify_server.h"
#include "catalogue_notify.h"

#define NOTIFY_RECIPIENT_MAX 160
#define NOTIFY_SUBSCRIBERS "imvo:notify:subscribers"
//  notify's text domain: po/imvo-notify/<lang>.po (imvo_i18n.h).
#define NOTIFY_DOMAIN "imvo-notify"

typedef struct {
    char *title, *text, *html;
} notify_text_t;

//  The templates (notify_route.c): loaded once at start; rendered for an event type and a
//  language (imvo_lang_codes: "nl", "en", "fr", ...) with the event body's fields; org_name, when not NULL or "", is the
//  name of the organisation the event is about. 0, or -1 when there is no template.
int notify_templates_load (void);
int notify_render (const char *type, const char *lang, const msgpack_object *body, const char *org_name,
                   notify_text_t *out);
void notify_text_release (notify_text_t *t);
//  The recipients of an event: how many were written to out (at most max).
int notify_route (const char *type, const msgpack_object *body, char out [][NOTIFY_RECIPIENT_MAX], int max);
extern const char *const notify_routed_types [];

//  Whose inboxes and subscriptions an actor reads and changes (notify_subs.c): the secretariat
//  (and a trusted service) every recipient, the complaints committee committee:<covenant>, the
//  monitoring committee monitoring:<covenant> (the inboxes the console opens for them), a company
//  org:<its id>. 0, or -1 with reply failed: forbidden, naming recipient.
int notify_recipient_check (const imvo_request_t *req, const char *recipient, imvo_reply_t *reply);
//  Handlers of notify_subs.c.
imvo_handler_fn notify_inbox_mark_read, notify_subscription_put, notify_subscription_list, notify_failures;
int notify_stats (imvo_ctx_t *ctx, msgpack_packer *pk);

//  The delivery actor (notify_deliver.c): the service's background actor.
void notify_deliver_actor (zsock_t *pipe, void *args);

#endif

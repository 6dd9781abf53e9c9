/*  imvoctl's notify commands: inboxes, subscriptions and failed deliveries. */
#include "imvoctl.h"

const imvoctl_cmd_t imvoctl_notify_cmds [] = {
    { "inbox list", "notify", "inbox.list", { "recipient" }, NULL, "items", "at,read,title,text",
      "a recipient's inbox, newest first: inbox list secretariat:textile" },
    { "inbox read", "notify", "inbox.mark_read", { "recipient" }, NULL, NULL, NULL,
      "mark items read: inbox read org:org-7 --event-ids '[\"1700000000000-0\"]'" },
    { "inbox receipt", "notify", "inbox.by_receipt", { "receipt" }, NULL, "items", "at,title,text",
      "the complainant's inbox: inbox receipt RECEIPT" },
    { "subscription put", "notify", "subscription.put", { "recipient", "channel" }, NULL, NULL, NULL,
      "how a recipient hears: subscription put org:org-7 webhook --address URL --secret S --lang en" },
    { "subscription list", "notify", "subscription.list", { "recipient" }, NULL, "subscriptions",
      "channel,lang,address,signed", "a recipient's subscriptions: subscription list org:org-7" },
    { "notify failures", "notify", "notify.failures", { "?recipient" }, NULL, "failures",
      "at,recipient,channel,type,event_id,attempts,address,error",
      "deliveries that failed for good: notify failures [RECIPIENT]" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

/*  imvoctl commands for the notify daemon. */
#include "imvoctl.h"

static const imvoctl_opt_t s_inbox_list [] = {
    { "--limit", "limit", IMVOCTL_INT, false, NULL, "most items to show (default 100)" },
    { "--cursor", "cursor", IMVOCTL_STR, false, NULL, "the next page: the next_cursor a page ended with" },
    { NULL, NULL, 0, false, NULL, NULL },
};

const imvoctl_cmd_t imvoctl_notify_cmds [] = {
    { "inbox list", "notify", "inbox.list", { "recipient" }, s_inbox_list, "items", "at,title,text",
      "a recipient's inbox, newest first: inbox list secretariat:textile" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

/*  imvoctl commands for the notify daemon. */
#include "imvoctl.h"

const imvoctl_cmd_t imvoctl_notify_cmds [] = {
    { "inbox list", "notify", "inbox.list", { "recipient" }, NULL, "items", "at,title,text",
      "a recipient's inbox, newest first: inbox list secretariat:textile" },
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

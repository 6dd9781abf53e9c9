/*  imvoctl commands for the membership daemon. */
#include "imvoctl.h"

const imvoctl_cmd_t imvoctl_membership_cmds [] = {
    { NULL, NULL, NULL, { NULL }, NULL, NULL, NULL, NULL },
};

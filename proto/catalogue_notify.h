/*  Field indexes of the notify daemon's messages (catalogue_notify.c). */
#ifndef CATALOGUE_NOTIFY_H
#define CATALOGUE_NOTIFY_H

enum { INBOX_LIST_RECIPIENT, INBOX_LIST_LIMIT, INBOX_LIST_CURSOR };

#endif

/*  Field indexes of the audit trail's messages (catalogue_audit.c). */
#ifndef CATALOGUE_AUDIT_H
#define CATALOGUE_AUDIT_H

enum { AUDIT_LIST_COVENANT, AUDIT_LIST_CASE_ID, AUDIT_LIST_PERSON, AUDIT_LIST_LIMIT };

#endif

/*  Field indexes and limits of the evidence messages (catalogue_evidence.c): complaint.attach
    and complaint.attachment, answered by complaints, listed with its other messages. */
#ifndef CATALOGUE_EVIDENCE_H
#define CATALOGUE_EVIDENCE_H

#include "imvo_proto.h"

#define EVIDENCE_FILE_MAX (10L << 20)           //  bytes a file may hold
#define EVIDENCE_CASE_MAX (25L << 20)           //  bytes a case's attachments may hold together
#define EVIDENCE_PART_MAX (512L << 10)          //  bytes one part of a streamed upload holds
#define EVIDENCE_PARTS_MAX 1024                 //  parts a file may be sent (and kept) in
#define EVIDENCE_CASE_FILES 100                 //  attachments a case may hold

enum { COMPLAINT_ATTACH_CASE_ID, COMPLAINT_ATTACH_RECEIPT, COMPLAINT_ATTACH_NAME, COMPLAINT_ATTACH_CONTENT_TYPE,
       COMPLAINT_ATTACH_DATA, COMPLAINT_ATTACH_UPLOAD, COMPLAINT_ATTACH_PART, COMPLAINT_ATTACH_LAST,
       COMPLAINT_ATTACH_SHARED };
enum { COMPLAINT_ATTACHMENT_CASE_ID, COMPLAINT_ATTACHMENT_RECEIPT, COMPLAINT_ATTACHMENT_ID, COMPLAINT_ATTACHMENT_PART };

//  The types an attachment may have (fixed: PROTOCOL.md, third part), NULL-terminated.
extern const char *const evidence_types [];

extern const imvo_proto_msg_t complaint_attach_msg, complaint_attachment_msg;

#endif

/*  complaints_server: the complaints daemon's handlers and its service description. */
#ifndef COMPLAINTS_SERVER_H
#define COMPLAINTS_SERVER_H

#include "imvo_service.h"

extern const imvo_service_def_t complaints_service;

//  Case ids and receipts: their shapes are the catalogue's formats (proto/imvo_ids.c:
//  imvo_case_id_covenant, imvo_receipt_normalise).

//  A new receipt for covenant ("TEXTILE-" and 16 Crockford base32 characters in groups of
//  4, from 80 random bits) into buf; -1 when there is no randomness.
int complaints_receipt_new (const char *covenant, char *buf, size_t size);
//  The receipt's hash as 40 hex digits: what is kept, never the receipt.
void complaints_receipt_hash (const char *receipt, char hex [65]);
//  Loads the server's receipt key (IMVO_RECEIPT_KEY_FILE); 0, or -1 (logged) without one.
int complaints_receipt_key (void);
//  The guessing limit: wrong receipts a client may try per covenant and window
//  (IMVO_RECEIPT_TRIES, default 10, per IMVO_RECEIPT_WINDOW_MS, default a minute); adds the
//  counter key and the two limits to keys and args.
void complaints_receipt_limit (const imvo_request_t *req, const char *covenant, imvo_args_t *keys, imvo_args_t *args);

//  The members view (complaints_view.c): the start hook, the timer that reads the views
//  until that has worked once, the handler of membership's events, and whether every
//  covenant's view was read once.
int complaints_views_start (imvo_ctx_t *ctx);
void complaints_views_build (imvo_ctx_t *ctx);
int complaints_on_member_event (imvo_ctx_t *ctx, const imvo_event_t *ev);
bool complaints_views_ready (void);

//  The intake queue (complaints_intake.c): the daemon's queues for the runtime (the intake
//  queue), and complaint.intake_result.
extern const imvo_queue_t complaints_queues [];
void complaints_intake_start (imvo_ctx_t *ctx);
int complaints_intake_result (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *f,
                              imvo_reply_t *reply);

//  The case after intake (complaints_cases.c, complaints_reads.c).
void complaints_pack_first_deadlines (msgpack_packer *pk, int64_t now);
//  The case a request names by case_id or receipt: its covenant and id; -1 with the error.
int complaints_case_named (imvo_ctx_t *ctx, const imvo_request_t *req, const imvo_value_t *id, const imvo_value_t *receipt, char *covenant,
                           size_t csize, char *case_id, size_t isize, imvo_reply_t *reply);
//  complaints_links.c: complaint.update, and the companies linked to the place a complaint names.
imvo_handler_fn complaints_update, complaints_open;
//  complaints_link_queue.c: the cases that name a place, linked by a timer (:to_link).
void complaints_link_queue_run (imvo_ctx_t *ctx);
void complaints_link_queue_start (imvo_ctx_t *ctx);
imvo_handler_fn complaints_transition, complaints_respond, complaints_message, complaints_messages,
    complaints_overdue, complaints_stats;
//  complaints_list.c: complaint.list, the cases newest first across covenants, a page at a time.
imvo_handler_fn complaints_list;
//  The covenants that have cases: those whose event stream (imvo:complaints:{<covenant>}:events)
//  is in complaints' registry of streams. A list of strings, the caller's to destroy; NULL when
//  Redis failed.
zlist_t *complaints_covenants (imvo_ctx_t *ctx);
//  complaints_publish.c: the committee's public statements, and the public list of them.
imvo_handler_fn complaints_publish, complaints_decisions;
//  complaints_evidence.c: attachments, kept encrypted (complaint.attach in one call or in parts).
imvo_handler_fn complaints_attach, complaints_attachment;
//  complaints_translate.c: the secretariat's translations of a complaint, beside the original.
imvo_handler_fn complaints_translate;
//  complaints_staff.c: what staff do with cases beside moving them.
imvo_handler_fn complaints_assign, complaints_note, complaints_export;
//  complaints_words.c: the case-folded words of UTF-8 text (ICU word breaks), each once, into
//  words (a zhashx of strings), until it holds max; 0, or -1 when the text is not UTF-8.
#define COMPLAINTS_CASE_WORDS 1000      //  words of one case's summary and description indexed
int complaints_words (const char *text, zhashx_t *words, size_t max);
//  Packs words as an array of strings.
void complaints_words_pack (zhashx_t *words, msgpack_packer *pk);
//  complaints_index.c: the timer that builds the case indexes (complaint.list's filters) of
//  covenants whose cases came before complaints kept them, a bounded step at a time.
void complaints_index_run (imvo_ctx_t *ctx);
//  The new cases into the case indexes (complaints_index.c): 0 when every case is in them, 1 when
//  many are still left, -1 when Redis failed. _start: once at start; _run: the timer.
int complaints_cases_catch_up (imvo_ctx_t *ctx, const char *covenant);
//  The same before a read of those indexes: 0, or -1 with the reply's error (unavailable, on field).
int complaints_cases_ready (imvo_ctx_t *ctx, const char *covenant, const char *field, imvo_reply_t *reply);
int complaints_cases_ready_all (imvo_ctx_t *ctx, zlist_t *covenants, const char *field, imvo_reply_t *reply);
int complaints_cases_start (imvo_ctx_t *ctx);
void complaints_cases_run (imvo_ctx_t *ctx);
//  complaints_word_index.c: the word index (:word:<w>) kept behind the submit by a timer, and
//  brought up to date for a covenant before complaint.list's q reads it: 0 when it is, 1 when
//  cases are still left after a bounded wait, -1 when Redis failed.
void complaints_words_run (imvo_ctx_t *ctx);
int complaints_words_catch_up (imvo_ctx_t *ctx, const char *covenant);
//  complaints_identity.c: the complainant's name and contact encrypted at rest. Packs the
//  complainant map of a case's file (name and contact sealed under the data key, bound to the
//  receipt's hash); -1 without a data key.
int complaints_identity_pack (msgpack_packer *pk, const imvo_value_t *f, const char *receipt_hash);
//  imvo_done_fn of complaint.get: the complainant's sealed identity in the script's reply opened.
int complaints_identity_done (imvo_ctx_t *ctx, redisReply *r, imvo_reply_t *reply);
//  An intake entry's sealed complainant ({"sealed": bin}, crypto_box_seal) opened in place in
//  the request's body; 0 (also when there is none), or -1 with err naming the field.
int complaints_identity_unseal (imvo_request_t *req, imvo_error_t *err);
//  complaints_audit.c: audit.list, every daemon's audit trail merged, newest first.
imvo_handler_fn complaints_audit_list;
//  Timers (complaints_reads.c): deadlines that have passed, and retention.
void complaints_deadlines_run (imvo_ctx_t *ctx);
void complaints_retention_run (imvo_ctx_t *ctx);

#endif

/*  membership_disclose: what the matching (membership_disclose.c) and the writing
    (membership_disclose_write.c) of disclosed production locations share. */
#ifndef MEMBERSHIP_DISCLOSE_H
#define MEMBERSHIP_DISCLOSE_H

#include "membership_internal.h"
#include "location_match.h"

#define DISCLOSE_CHUNK 8                           //  rows per write script: 16 took 0.4 ms, over
                                                   //  1 ms on a busy machine (bench_locations.py)
#define DISCLOSE_BATCH 256                         //  index fields per HMGET, entries per HSCAN
#define DISCLOSE_MAX_COMPARISONS 20000000LL        //  pairs one request may compare (about a second)

typedef struct {
    char *id;
    location_sig_t sig;
} disclose_entry_t;

//  A bucket's locations, as read and then as this request adds to it.
typedef struct {
    disclose_entry_t *entries;
    size_t count, cap;
    long long size;                         //  HLEN, for the comparison budget
} disclose_bucket_t;

typedef struct {
    char id [16];
    double similarity;
} disclose_cand_t;

typedef struct {
    const msgpack_object *row;              //  the packed row (membership_pack_row)
    char *key;                              //  country|normal name|normal address
    char *text;                             //  normal name and address
    char bucket [128];
    int64_t line;
    char id [16];
    const char *match;
    double similarity;
    bool index_write, created;
    disclose_cand_t *cands;
    size_t ncands;
    char flag_id [16];
} disclose_row_t;

typedef struct {
    imvo_ctx_t *ctx;
    const char *covenant;
    char prefix [96];
    disclose_row_t *rows;
    size_t nrows;
    zhashx_t *index;                        //  normal-form key -> location id ("" when absent)
    zhashx_t *buckets;                      //  bucket key -> disclose_bucket_t
} disclose_job_t;

//  A row's string field copied into buf (empty when absent).
const char *disclose_row_cpy (const disclose_row_t *r, const char *key, char *buf, size_t size);
//  zhashx destructor of a bucket.
void disclose_bucket_destroy (void **item);
//  Reads the normal-form index for every row (job->index).
int disclose_read_index (disclose_job_t *job, imvo_reply_t *reply);
//  Reads the buckets that rows without an exact match need, after checking the comparison
//  budget (too_large).
int disclose_read_buckets (disclose_job_t *job, imvo_reply_t *reply);
//  Matches every row in order; later rows see the locations that earlier rows made.
int disclose_match (disclose_job_t *job, imvo_reply_t *reply);
//  A similarity as the reply carries it: 1 as an integer, others as a float.
void disclose_pack_similarity (msgpack_packer *pk, double s);
//  "candidates": [{location_id, similarity}] of a row.
void disclose_pack_cands (msgpack_packer *pk, const disclose_row_t *r);

#endif

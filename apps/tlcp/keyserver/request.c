/* SPDX-License-Identifier: Apache-2.0 */
/* One request frame: decode, admit (order of ids, time window, nonce,
 * key, rate, in-flight bound), hand to the pool; and its response and log
 * line once the pool is done. Frames that put the stream out of step
 * (bad length, version, field) are answered, then the connection closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyserver.h"

int ks_conn_queue(struct ks_conn *c, const uint8_t *frame, size_t len)
{
    if (c->out_off > 0 && c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    return ks_queue_append(&c->out, &c->out_len, &c->out_cap, frame, len);
}

static void log_request(const struct keyserver *ks, const struct ks_conn *c, const char *key,
                        int op, int status, int64_t us)
{
    if (ks->quiet && status == KS_ST_OK)
        return;
    fprintf(stderr, "tlcp keyserver: client=\"%s\" key=%s op=%s result=%s us=%lld\n", c->who,
            key[0] != '\0' ? key : "-", ks_op_name(op), ks_status_name(status), (long long)us);
}

static int closes_stream(int status)
{
    return status == KS_ST_REPLAY || status == KS_ST_MALFORMED || status == KS_ST_BAD_VERSION ||
           status == KS_ST_TOO_LONG;
}

/* Answers without running anything (refusals). */
static void refuse(struct keyserver *ks, struct ks_conn *c, const struct ks_request *req,
                   int status, int64_t start_us)
{
    uint8_t frame[KS_LEN_PREFIX + KS_RESP_FIXED];
    size_t n = ks_encode_response(req->id, status, NULL, 0, frame, sizeof(frame));
    ks->refused++;
    log_request(ks, c, req->name, req->op, status, ks_mono_us() - start_us);
    if (n == 0 || !ks_conn_queue(c, frame, n) || closes_stream(status))
        c->closing = 1;
}

static const struct ks_key *find_key(const struct keyserver *ks, const char *name)
{
    for (size_t i = 0; i < ks->num_keys; i++) {
        if (strcmp(ks->keys[i].name, name) == 0)
            return &ks->keys[i];
    }
    return NULL;
}

/* The admission checks in order; KS_ST_OK when the request may run. */
static int admit(struct keyserver *ks, struct ks_conn *c, const struct ks_request *req,
                 const struct ks_key **key)
{
    /* Ids must grow on a connection: a frame replayed on its own
     * connection, or a request the client already had answered, is refused. */
    if (req->id <= c->last_id)
        return KS_ST_REPLAY;
    c->last_id = req->id;
    int64_t now = ks_wall_ms(), t = (int64_t)req->time_ms;
    if (t < now - ks->window_ms || t > now + ks->window_ms)
        return KS_ST_REPLAY;
    /* A frame replayed on another connection carries a nonce seen before. */
    if (!ks_nonce_fresh(ks, req->nonce, now))
        return KS_ST_REPLAY;
    if ((*key = find_key(ks, req->name)) == NULL)
        return KS_ST_UNKNOWN_KEY;
    if (!ks_bucket_take(ks, c->bucket, cli_now_ms()))
        return KS_ST_RATE_LIMITED;
    if (c->inflight >= (unsigned long)ks->max_inflight)
        return KS_ST_BUSY;
    return KS_ST_OK;
}

void ks_handle_frame(struct keyserver *ks, struct ks_conn *c, const uint8_t *frame, size_t len)
{
    int64_t start_us = ks_mono_us();
    struct ks_job *job = malloc(sizeof(*job) + len);
    if (job == NULL) {
        c->closing = 1;
        return;
    }
    memcpy(job->body, frame + KS_LEN_PREFIX, len - KS_LEN_PREFIX);
    job->body_len = len - KS_LEN_PREFIX;
    int status = ks_decode_request(job->body, job->body_len, &job->req);
    const struct ks_key *key = NULL;
    if (status == KS_ST_OK || status == KS_ST_UNKNOWN_OP) {
        int admitted = admit(ks, c, &job->req, &key);
        if (admitted != KS_ST_OK || status == KS_ST_OK)
            status = admitted;
    }
    if (status != KS_ST_OK) {
        refuse(ks, c, &job->req, status, start_us);
        free(job);
        return;
    }
    job->conn = c;
    job->key = key;
    job->start_us = start_us;
    c->inflight++;
    ks_pool_submit(&ks->pool, job);
}

void ks_job_finished(struct keyserver *ks, struct ks_job *job)
{
    struct ks_conn *c = job->conn;
    c->inflight--;
    if (!c->dead) {
        uint8_t frame[KS_LEN_PREFIX + KS_RESP_FIXED + TLCP_KEY_OP_MAX_OUT];
        size_t n =
            ks_encode_response(job->req.id, job->status, job->out,
                               job->status == KS_ST_OK ? job->out_len : 0, frame, sizeof(frame));
        ks->served++;
        log_request(ks, c, job->req.name, job->req.op, job->status, ks_mono_us() - job->start_us);
        if (n == 0 || !ks_conn_queue(c, frame, n))
            c->closing = 1;
        cli_wipe(frame, sizeof(frame)); /* a decrypted pre-master or KX secret */
    }
    cli_wipe(job->out, sizeof(job->out));
    cli_wipe(job->body, job->body_len); /* a KX request carries the ephemeral private key */
    free(job);
}

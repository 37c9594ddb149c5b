/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-memory transports for client/server pairs in one thread. Each
 * direction is a byte pipe; an endpoint reads from one and writes to the
 * other through the public tlcp_read_fn / tlcp_write_fn callbacks.
 *
 * Modes (per endpoint, for its writes and reads):
 *  - trickle: one byte per call, with WANT_READ / WANT_WRITE returned on
 *    every other call, so every resume point of the library is reached;
 *  - fragment: every plaintext handshake record written (before this side's
 *    ChangeCipherSpec) is re-cut into records of `fragment` payload bytes;
 *  - coalesce: plaintext handshake records are held back and merged into a
 *    single record, released when a ServerHelloDone (or a non-handshake
 *    record) passes;
 *  - tamper: a hook sees every plaintext handshake message this side writes
 *    and may replace it (tests of malformed and out-of-order messages);
 *  - inject: bytes (whole records) put on the wire just before this side's
 *    first ChangeCipherSpec, e.g. a plaintext message the peer never
 *    announced, where the peer reads it before anything it cannot check.
 */
#ifndef TLCP_TEST_MEMPIPE_H
#define TLCP_TEST_MEMPIPE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} mp_buf;

/* Return 1 after writing the replacement into `out` (may be empty = drop),
 * 0 to pass the message unchanged. `msg` is header(4) + body. */
typedef int (*mp_tamper_fn)(void *arg, const uint8_t *msg, size_t len, mp_buf *out);

typedef struct mp_end {
    mp_buf *in;
    mp_buf *out;
    size_t in_pos; /* consumed bytes of `in` */
    int trickle;
    unsigned tick;
    size_t fragment; /* 0 = off */
    int coalesce;
    mp_tamper_fn tamper;
    void *tamper_arg;
    mp_buf inject; /* sent once, before the first ChangeCipherSpec */
    /* Record staging for the transforms. */
    mp_buf stage;
    mp_buf held; /* coalesce: merged handshake payload */
    int ccs_seen;
    /* Message staging for tamper (handshake messages span records). */
    mp_buf msgs;
} mp_end;

typedef struct mp_pair {
    mp_buf c2s;
    mp_buf s2c;
    mp_end client;
    mp_end server;
} mp_pair;

void mp_pair_init(mp_pair *p);
void mp_pair_free(mp_pair *p);
long mp_read(void *ctx, uint8_t *buf, size_t len);
long mp_write(void *ctx, const uint8_t *buf, size_t len);
void mp_buf_append(mp_buf *b, const uint8_t *data, size_t len);
void mp_buf_free(mp_buf *b);
/* Unread bytes waiting for this endpoint. */
size_t mp_pending(const mp_end *e);

#endif

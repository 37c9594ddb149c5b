/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-memory transport for record-layer tests: a byte queue that a writer
 * fills and a reader drains, with knobs for chunk sizes, WANT_READ /
 * WANT_WRITE between calls and end of stream.
 */
#ifndef TLCP_TEST_RECORD_PIPE_H
#define TLCP_TEST_RECORD_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

typedef struct tu_pipe {
    uint8_t *buf;
    size_t len, cap, pos;
    size_t read_chunk;  /* most bytes per read call (0 = all asked) */
    size_t write_chunk; /* most bytes per write call (0 = all offered) */
    int read_blocks;    /* return WANT_READ before every successful read */
    int write_blocks;   /* return WANT_WRITE before every successful write */
    int rtoggle, wtoggle;
    int eof;        /* at the end of data: 1 = EOF (0), 0 = WANT_READ */
    int fail_reads; /* return TLCP_IO_ERROR */
    size_t read_calls, write_calls;
} tu_pipe;

void tu_pipe_init(tu_pipe *p);
void tu_pipe_free(tu_pipe *p);
void tu_pipe_push(tu_pipe *p, const uint8_t *data, size_t len);
long tu_pipe_read(void *ctx, uint8_t *buf, size_t len);
long tu_pipe_write(void *ctx, const uint8_t *buf, size_t len);

/* Calls tlcp_record_next until it returns something other than WANT_READ
 * while the pipe still has unread bytes (or the retry budget runs out). */
tlcp_result tu_next(tlcp_record_layer *rl, tu_pipe *p, tlcp_record_item *out);
/* Flushes until done, retrying WANT_WRITE; asserts TLCP_OK. */
void tu_flush(tlcp_record_layer *rl);

/* A record layer whose transport reads from and writes to `p`: make one to
 * write and another to read the same pipe. */
tlcp_record_layer *tu_record_new(tu_pipe *p);

/* Deterministic keys for tests: bytes seed, seed+1, ... */
void tu_test_keys(int bulk, uint8_t seed, tlcp_record_keys *k);

#endif

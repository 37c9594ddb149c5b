/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable byte queue for the output side. It is the one place in the
 * record layer that moves raw memory; everything else appends through it or
 * reads through cursors.
 */
#include <stdlib.h>
#include <string.h>

#include "record/record_internal.h"
#include "util/mem.h"

/* Hard ceiling of queued output: a caller that never flushes cannot make us
 * allocate without bound. */
#define RBUF_MAX ((size_t)64 * 1024 * 1024)

/* Drops consumed bytes at the front so the queue does not creep forward. */
static void compact(tlcp_rbuf *b)
{
    if (b->start == 0)
        return;
    size_t used = b->len - b->start;
    if (used > 0)
        memmove(b->data, b->data + b->start, used);
    b->start = 0;
    b->len = used;
}

int tlcp_rbuf_reserve(tlcp_rbuf *b, size_t n, uint8_t **out)
{
    if (b->cap - b->len < n)
        compact(b);
    if (b->cap - b->len < n) {
        if (n > RBUF_MAX - b->len)
            return 0;
        size_t cap = b->cap == 0 ? 4096 : b->cap;
        while (cap - b->len < n)
            cap = cap > RBUF_MAX / 2 ? RBUF_MAX : cap * 2;
        uint8_t *grown = malloc(cap);
        if (grown == NULL)
            return 0;
        if (b->len > 0)
            memcpy(grown, b->data, b->len);
        /* queued output is ciphertext, but before sealing it held plaintext */
        tlcp_free_secret(b->data, b->cap);
        b->data = grown;
        b->cap = cap;
    }
    *out = b->data + b->len;
    b->len += n;
    return 1;
}

void tlcp_rbuf_unreserve(tlcp_rbuf *b, size_t n)
{
    if (n > b->len - b->start)
        n = b->len - b->start;
    b->len -= n;
}

int tlcp_rbuf_append(tlcp_rbuf *b, const uint8_t *data, size_t len)
{
    uint8_t *p;
    GUARD(tlcp_rbuf_reserve(b, len, &p));
    if (len > 0)
        memcpy(p, data, len);
    return 1;
}

void tlcp_rbuf_consume(tlcp_rbuf *b, size_t n)
{
    if (n > b->len - b->start)
        n = b->len - b->start;
    b->start += n;
    if (b->start == b->len) {
        b->start = 0;
        b->len = 0;
    }
}

void tlcp_rbuf_free(tlcp_rbuf *b)
{
    tlcp_free_secret(b->data, b->cap);
    b->data = NULL;
    b->start = b->len = b->cap = 0;
}

void tlcp_rbuf_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n > 0)
        memcpy(dst, src, n);
}

void tlcp_rbuf_move(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n > 0)
        memmove(dst, src, n);
}

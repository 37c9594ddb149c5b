/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory transport for record-layer tests (see record_pipe.h). */
#include <stdlib.h>
#include <string.h>

#include "record_pipe.h"
#include "testutil.h"

void tu_pipe_init(tu_pipe *p)
{
    memset(p, 0, sizeof(*p));
}

void tu_pipe_free(tu_pipe *p)
{
    free(p->buf);
    memset(p, 0, sizeof(*p));
}

void tu_pipe_push(tu_pipe *p, const uint8_t *data, size_t len)
{
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? p->cap : 1024;
        while (cap < p->len + len)
            cap *= 2;
        p->buf = realloc(p->buf, cap);
        assert_non_null(p->buf);
        p->cap = cap;
    }
    if (len > 0)
        memcpy(p->buf + p->len, data, len);
    p->len += len;
}

long tu_pipe_read(void *ctx, uint8_t *buf, size_t len)
{
    tu_pipe *p = ctx;
    p->read_calls++;
    if (p->fail_reads)
        return TLCP_IO_ERROR;
    if (p->read_blocks && (p->rtoggle ^= 1))
        return TLCP_IO_WANT_READ;
    size_t avail = p->len - p->pos;
    if (avail == 0)
        return p->eof ? 0 : TLCP_IO_WANT_READ;
    size_t n = len < avail ? len : avail;
    if (p->read_chunk && n > p->read_chunk)
        n = p->read_chunk;
    memcpy(buf, p->buf + p->pos, n);
    p->pos += n;
    return (long)n;
}

long tu_pipe_write(void *ctx, const uint8_t *buf, size_t len)
{
    tu_pipe *p = ctx;
    p->write_calls++;
    if (p->write_blocks && (p->wtoggle ^= 1))
        return TLCP_IO_WANT_WRITE;
    size_t n = len;
    if (p->write_chunk && n > p->write_chunk)
        n = p->write_chunk;
    tu_pipe_push(p, buf, n);
    return (long)n;
}

tlcp_result tu_next(tlcp_record_layer *rl, tu_pipe *p, tlcp_record_item *out)
{
    int idle = 0;
    for (size_t budget = 0; budget < 10000000; budget++) {
        tlcp_result r = tlcp_record_next(rl, out);
        if (r != TLCP_WANT_READ)
            return r;
        /* a WANT_READ with nothing left twice in a row is real */
        if (p->pos == p->len) {
            if (++idle >= 2)
                return r;
        } else {
            idle = 0;
        }
    }
    return TLCP_WANT_READ;
}

void tu_flush(tlcp_record_layer *rl)
{
    for (int i = 0; i < 1000000; i++) {
        tlcp_result r = tlcp_record_flush(rl);
        if (r == TLCP_OK)
            return;
        assert_int_equal(r, TLCP_WANT_WRITE);
    }
    fail_msg("flush never finished");
}

tlcp_record_layer *tu_record_new(tu_pipe *p)
{
    tlcp_record_layer *rl = tlcp_record_new(NULL);
    assert_non_null(rl);
    tlcp_record_set_transport(rl, tu_pipe_read, tu_pipe_write, p);
    return rl;
}

void tu_test_keys(int bulk, uint8_t seed, tlcp_record_keys *k)
{
    memset(k, 0, sizeof(*k));
    k->bulk = bulk;
    for (size_t i = 0; i < sizeof(k->mac_key); i++)
        k->mac_key[i] = (uint8_t)(seed + i);
    for (size_t i = 0; i < sizeof(k->key); i++)
        k->key[i] = (uint8_t)(seed * 3 + i);
    for (size_t i = 0; i < sizeof(k->iv); i++)
        k->iv[i] = (uint8_t)(seed * 7 + i);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record-layer throughput: seal (tlcp_record_write + flush to a sink) and
 * open (tlcp_record_next from memory) of 16 KiB application-data records,
 * CBC and GCM. `tlcp-bench timing_cbc` additionally runs the CBC
 * constant-time check of timing_cbc.c (long; never in CI).
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "record/record.h"
#include "timing_cbc.h"

#define REC_LEN        16384
#define STREAM_RECORDS 64

/* A transport that swallows writes and serves reads from a fixed stream. */
typedef struct mem_io {
    uint8_t *buf;
    size_t len, pos, cap;
} mem_io;

static long sink_write(void *ctx, const uint8_t *buf, size_t len)
{
    mem_io *m = ctx;
    if (m->buf != NULL && m->len + len <= m->cap) {
        memcpy(m->buf + m->len, buf, len);
        m->len += len;
    }
    return (long)len;
}

static long stream_read(void *ctx, uint8_t *buf, size_t len)
{
    mem_io *m = ctx;
    size_t n = m->len - m->pos;
    if (n == 0)
        return TLCP_IO_WANT_READ;
    if (n > len)
        n = len;
    memcpy(buf, m->buf + m->pos, n);
    m->pos += n;
    return (long)n;
}

typedef struct rec_bench {
    tlcp_record_layer *rl;
    mem_io io;
    uint8_t *data;
} rec_bench;

static void bench_keys(int bulk, tlcp_record_keys *k)
{
    memset(k, 0, sizeof(*k));
    k->bulk = bulk;
    for (size_t i = 0; i < sizeof(k->mac_key); i++)
        k->mac_key[i] = (uint8_t)(0x40 + i);
    for (size_t i = 0; i < sizeof(k->key); i++)
        k->key[i] = (uint8_t)(0x80 + i);
    for (size_t i = 0; i < sizeof(k->iv); i++)
        k->iv[i] = (uint8_t)(0xc0 + i);
}

static int seal_op(void *arg)
{
    rec_bench *b = arg;
    return tlcp_record_write(b->rl, TLCP_CT_APPLICATION_DATA, b->data, REC_LEN) &&
           tlcp_record_flush(b->rl) == TLCP_OK;
}

static int open_op(void *arg)
{
    rec_bench *b = arg;
    if (b->io.pos == b->io.len) {
        /* replay the recorded stream: its records start again at seq 0 */
        b->io.pos = 0;
        tlcp_record_test_set_seq(b->rl, 0, 0);
    }
    tlcp_record_item it;
    return tlcp_record_next(b->rl, &it) == TLCP_OK && it.kind == TLCP_ITEM_APPLICATION_DATA &&
           tlcp_cursor_len(&it.data) == REC_LEN;
}

static void run_bulk(int bulk, const char *seal_name, const char *open_name)
{
    if (!bench_selected(seal_name) && !bench_selected(open_name))
        return;
    tlcp_record_keys k;
    bench_keys(bulk, &k);
    rec_bench w = {0}, r = {0};
    w.data = malloc(REC_LEN);
    if (w.data == NULL) {
        bench_fail(seal_name, "no memory");
        return;
    }
    memset(w.data, 0x5a, REC_LEN);
    w.rl = tlcp_record_new(NULL);
    r.rl = tlcp_record_new(NULL);
    if (w.rl == NULL || r.rl == NULL || !tlcp_record_set_pending_write(w.rl, &k) ||
        !tlcp_record_activate_write(w.rl) || !tlcp_record_set_pending_read(r.rl, &k) ||
        !tlcp_record_activate_read(r.rl)) {
        bench_fail(seal_name, "record layer setup failed");
        goto out;
    }
    /* the stream the reader replays: STREAM_RECORDS records from seq 0 */
    r.io.cap = STREAM_RECORDS * (REC_LEN + 128);
    r.io.buf = malloc(r.io.cap);
    if (r.io.buf == NULL)
        goto out;
    tlcp_record_set_transport(w.rl, NULL, sink_write, &r.io);
    for (int i = 0; i < STREAM_RECORDS; i++) {
        if (!seal_op(&w)) {
            bench_fail(seal_name, "seal failed");
            goto out;
        }
    }
    tlcp_record_set_transport(r.rl, stream_read, NULL, &r.io);
    tlcp_record_set_transport(w.rl, NULL, sink_write, &w.io); /* w.io.buf NULL: discard */
    bench_throughput(seal_name, seal_op, &w, REC_LEN);
    bench_throughput(open_name, open_op, &r, REC_LEN);
out:
    tlcp_record_free(w.rl);
    tlcp_record_free(r.rl);
    free(w.data);
    free(r.io.buf);
}

/* The filter names this figure on purpose (an empty filter selects all). */
static int explicitly_selected(const char *name)
{
    return bench_selected(name) && !bench_selected("\x01-no-such-figure");
}

void bench_record(void)
{
    run_bulk(TLCP_BULK_SM4_CBC_SM3, "record_seal_cbc_16k", "record_open_cbc_16k");
    run_bulk(TLCP_BULK_SM4_GCM, "record_seal_gcm_16k", "record_open_gcm_16k");
    if (explicitly_selected("timing_cbc"))
        bench_timing_cbc();
}

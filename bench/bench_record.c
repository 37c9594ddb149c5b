/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record-layer throughput: seal (tlcp_record_write + flush to a sink) and
 * open (tlcp_record_next from memory) of 1, 16 and 64 KiB application-data
 * writes, CBC and GCM; for CBC also the old paths (one record per 2^14
 * sealed serially; every MAC block masked on opening) and the ratios. `tlcp-bench timing_cbc`
 * additionally runs the CBC constant-time check of timing_cbc.c (long; never in CI).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "record/record.h"
#include "timing_cbc.h"

#define MAX_WRITE     65536
#define STREAM_WRITES 16

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
    size_t len; /* bytes per write */
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
    return tlcp_record_write(b->rl, TLCP_CT_APPLICATION_DATA, b->data, b->len) &&
           tlcp_record_flush(b->rl) == TLCP_OK;
}

/* Opens the records of one write (a large write may be several records). */
static int open_op(void *arg)
{
    rec_bench *b = arg;
    if (b->io.pos == b->io.len && tlcp_record_test_input_buffered(b->rl) == 0) {
        /* replay the recorded stream: its records start again at seq 0 */
        b->io.pos = 0;
        tlcp_record_test_set_seq(b->rl, 0, 0);
    }
    for (size_t got = 0; got < b->len;) {
        tlcp_record_item it;
        if (tlcp_record_next(b->rl, &it) != TLCP_OK || it.kind != TLCP_ITEM_APPLICATION_DATA)
            return 0;
        got += tlcp_cursor_len(&it.data);
    }
    return 1;
}

/* Seal and open figures of len-byte writes; old = 1 runs the old CBC paths.
 * Returns the two rates in rates[0], rates[1]. */
static void run_bulk(int bulk, size_t len, int old, const char *seal_name, const char *open_name,
                     double rates[2])
{
    rates[0] = rates[1] = 0.0;
    if (!bench_selected(seal_name) && !bench_selected(open_name))
        return;
    tlcp_record_keys k;
    bench_keys(bulk, &k);
    rec_bench w = {0}, r = {0};
    w.len = r.len = len;
    w.data = malloc(MAX_WRITE);
    if (w.data == NULL) {
        bench_fail(seal_name, "no memory");
        return;
    }
    memset(w.data, 0x5a, MAX_WRITE);
    w.rl = tlcp_record_new(NULL);
    r.rl = tlcp_record_new(NULL);
    if (w.rl == NULL || r.rl == NULL || !tlcp_record_set_pending_write(w.rl, &k) ||
        !tlcp_record_activate_write(w.rl) || !tlcp_record_set_pending_read(r.rl, &k) ||
        !tlcp_record_activate_read(r.rl)) {
        bench_fail(seal_name, "record layer setup failed");
        goto out;
    }
    if (old) {
        tlcp_record_test_set_multi(w.rl, 0);
        tlcp_record_test_set_read_ahead(r.rl, 0);
    }
    tlcp_record_test_old_cbc_open(old);
    /* the stream the reader replays: STREAM_WRITES writes from seq 0 */
    r.io.cap = STREAM_WRITES * (len + len / 8 + 1024);
    r.io.buf = malloc(r.io.cap);
    if (r.io.buf == NULL)
        goto out;
    tlcp_record_set_transport(w.rl, NULL, sink_write, &r.io);
    for (int i = 0; i < STREAM_WRITES; i++) {
        if (!seal_op(&w)) {
            bench_fail(seal_name, "seal failed");
            goto out;
        }
    }
    tlcp_record_set_transport(r.rl, stream_read, NULL, &r.io);
    tlcp_record_set_transport(w.rl, NULL, sink_write, &w.io); /* w.io.buf NULL: discard */
    rates[0] = bench_throughput(seal_name, seal_op, &w, len);
    rates[1] = bench_throughput(open_name, open_op, &r, len);
out:
    tlcp_record_test_old_cbc_open(0);
    tlcp_record_free(w.rl);
    tlcp_record_free(r.rl);
    free(w.data);
    free(r.io.buf);
}

static void report_ratio(const char *name, double now, double old)
{
    if (now > 0 && old > 0)
        bench_report(name, "x", now / old);
}

static void run_sizes(int bulk, const char *tag, int with_old)
{
    const bench_size *sizes = bench_write_sizes;
    for (size_t i = 0; i < BENCH_WRITE_SIZES; i++) {
        char seal[64], open[64], name[96];
        double now[2], old[2];
        snprintf(seal, sizeof(seal), "record_seal_%s_%s", tag, sizes[i].tag);
        snprintf(open, sizeof(open), "record_open_%s_%s", tag, sizes[i].tag);
        run_bulk(bulk, sizes[i].len, 0, seal, open, now);
        if (!with_old)
            continue;
        char seal_old[80], open_old[80];
        snprintf(seal_old, sizeof(seal_old), "%s_old", seal);
        snprintf(open_old, sizeof(open_old), "%s_old", open);
        run_bulk(bulk, sizes[i].len, 1, seal_old, open_old, old);
        snprintf(name, sizeof(name), "ratio_%s_vs_old", seal);
        report_ratio(name, now[0], old[0]);
        snprintf(name, sizeof(name), "ratio_%s_vs_old", open);
        report_ratio(name, now[1], old[1]);
    }
}

/* The filter names this figure on purpose (an empty filter selects all). */
static int explicitly_selected(const char *name)
{
    return bench_selected(name) && !bench_selected("\x01-no-such-figure");
}

void bench_record(void)
{
    run_sizes(TLCP_BULK_SM4_CBC_SM3, "cbc", 1);
    run_sizes(TLCP_BULK_SM4_GCM, "gcm", 0);
    if (explicitly_selected("timing_cbc"))
        bench_timing_cbc();
}

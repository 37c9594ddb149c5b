/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The record layer reading an arbitrary byte stream.
 *
 * Input: mode(1) | transport(1) | stream.
 *   mode % 5: 0 null protection throughout; 1 SM4-CBC+HMAC-SM3 / 2 SM4-GCM
 *   active from the first record; 3 CBC / 4 GCM pending, switched on at the
 *   first ChangeCipherSpec (as the handshake does). The keys are fixed
 *   (scripts/fuzz-corpus.py encrypts the seeds with the same ones).
 *   transport: bits 0-6 the most bytes one read returns (0 = all asked
 *   for); bit 7 makes every other read report WANT_READ first.
 *
 * Properties checked on the reading side (layer `rd`):
 *  - every item is well formed: a handshake item is one whole message within
 *    the per-message limit, application data is 1..2^14 bytes and only
 *    under protection, alerts handed up are warnings;
 *  - a failure names a reason and, unless the peer's alert or the end of
 *    the stream ended things, an alert to send that is not internal_error;
 *  - ERROR and CLOSED are sticky; the layer always makes progress.
 * Every item is echoed through a second layer (`wr`, same keys, switched at
 * the same point), and a third (`check`) must read that output back as
 * exactly the echoed items followed by a clean end of stream.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "record/record.h"

#define HS_LIMIT  131396 /* the handshake's largest per-message limit (ClientHello) */
#define MAX_ECHO  4096
#define MAX_OUT   (8u << 20)
#define NUM_MODES 5
/* One record buffer (header + largest ciphertext) and change. */
#define FIXED_ALLOWANCE (TLCP_RECORD_HEADER_LEN + TLCP_MAX_CIPHERTEXT + 4096)

typedef struct feed {
    const uint8_t *data;
    size_t len, pos;
    size_t chunk; /* 0 = no limit */
    int stall;    /* alternate WANT_READ */
    int stalled;
} feed;

typedef struct sink {
    uint8_t *data;
    size_t len, cap;
} sink;

typedef struct echo_item {
    int kind;
    uint8_t level, description;
    const uint8_t *data; /* inside the sink of the echo layer: we keep copies */
    size_t len;
} echo_item;

typedef struct echo_log {
    echo_item items[MAX_ECHO];
    uint8_t *copies[MAX_ECHO];
    size_t num;
} echo_log;

static long feed_read(void *ctx, uint8_t *buf, size_t len)
{
    feed *f = ctx;
    if (f->stall) {
        f->stalled ^= 1;
        if (f->stalled)
            return TLCP_IO_WANT_READ;
    }
    size_t n = f->len - f->pos;
    if (n > len)
        n = len;
    if (f->chunk != 0 && n > f->chunk)
        n = f->chunk;
    if (n > 0)
        memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (long)n;
}

static long sink_write(void *ctx, const uint8_t *buf, size_t len)
{
    sink *s = ctx;
    if (s->len + len > MAX_OUT)
        fuzz_fail("record: echo output larger than 8 MB");
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len)
            cap *= 2;
        s->data = realloc(s->data, cap);
        fuzz_require(s->data != NULL, "out of memory");
        s->cap = cap;
    }
    memcpy(s->data + s->len, buf, len);
    s->len += len;
    return (long)len;
}

static long no_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    fuzz_fail("record: the reading layer wrote to its transport");
}

static size_t hs_limit(void *arg, uint8_t msg_type)
{
    (void)arg;
    (void)msg_type;
    return HS_LIMIT;
}

static tlcp_record_keys fixed_keys(int mode)
{
    tlcp_record_keys k;
    memset(&k, 0, sizeof(k));
    k.bulk = (mode == 1 || mode == 3) ? TLCP_BULK_SM4_CBC_SM3 : TLCP_BULK_SM4_GCM;
    for (size_t i = 0; i < sizeof(k.mac_key); i++)
        k.mac_key[i] = (uint8_t)i;
    for (size_t i = 0; i < sizeof(k.key); i++)
        k.key[i] = (uint8_t)(0x40 + i);
    for (size_t i = 0; i < sizeof(k.iv); i++)
        k.iv[i] = (uint8_t)(0x80 + i);
    return k;
}

/* A layer in `mode`: keys active now (1, 2) or pending for the CCS (3, 4). */
static tlcp_record_layer *new_layer(int mode, int for_write)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_record_layer *rl = tlcp_record_new(&err);
    fuzz_require(rl != NULL, "record: allocation failed");
    tlcp_record_set_hs_limit(rl, hs_limit, NULL);
    if (mode == 0)
        return rl;
    tlcp_record_keys k = fixed_keys(mode);
    int ok =
        for_write ? tlcp_record_set_pending_write(rl, &k) : tlcp_record_set_pending_read(rl, &k);
    fuzz_require(ok, "record: pending keys refused");
    if (mode <= 2)
        fuzz_require(for_write ? tlcp_record_activate_write(rl) : tlcp_record_activate_read(rl),
                     "record: key activation refused");
    return rl;
}

static void check_item(const tlcp_record_item *it, int protected_now)
{
    size_t len = tlcp_cursor_len(&it->data);
    const uint8_t *d = tlcp_cursor_data(&it->data);
    switch (it->kind) {
    case TLCP_ITEM_HANDSHAKE:
        fuzz_require(len >= 4, "record: handshake item shorter than its header");
        fuzz_require(d[0] == it->hs_type, "record: hs_type differs from the message");
        fuzz_require(((size_t)d[1] << 16 | (size_t)d[2] << 8 | d[3]) + 4 == len,
                     "record: handshake item length differs from its header");
        fuzz_require(len - 4 <= HS_LIMIT, "record: handshake message over its limit");
        break;
    case TLCP_ITEM_APPLICATION_DATA:
        fuzz_require(len >= 1 && len <= TLCP_MAX_PLAINTEXT,
                     "record: application data item outside 1..2^14 bytes");
        fuzz_require(protected_now, "record: application data accepted without protection");
        break;
    case TLCP_ITEM_ALERT:
        fuzz_require(it->alert_level == TLCP_ALERT_LEVEL_WARNING,
                     "record: a fatal alert handed up as an item");
        break;
    case TLCP_ITEM_CHANGE_CIPHER_SPEC:
        break;
    default:
        fuzz_fail("record: unknown item kind");
    }
}

static void check_failure(tlcp_record_layer *rl)
{
    const tlcp_error *err = tlcp_record_error(rl);
    fuzz_require(err->reason != TLCP_R_NONE, "record: failure without a reason");
    if (err->reason == TLCP_R_PEER_ALERT || err->reason == TLCP_R_EOF)
        return;
    fuzz_require(err->alert != TLCP_NO_ALERT, "record: failure without an alert to send");
    fuzz_require(err->alert != TLCP_ALERT_INTERNAL_ERROR, "record: input caused internal_error");
}

static void log_item(echo_log *log, const tlcp_record_item *it)
{
    if (log->num == MAX_ECHO)
        fuzz_fail("record: more items than the echo log holds");
    echo_item *e = &log->items[log->num];
    e->kind = it->kind;
    e->level = it->alert_level;
    e->description = it->alert_description;
    e->len = tlcp_cursor_len(&it->data);
    uint8_t *copy = malloc(e->len ? e->len : 1);
    fuzz_require(copy != NULL, "out of memory");
    if (e->len)
        memcpy(copy, tlcp_cursor_data(&it->data), e->len);
    e->data = copy;
    log->copies[log->num++] = copy;
}

/* Writes the item through `wr` (CCS switches `wr` to its pending keys). */
static void echo(tlcp_record_layer *wr, int mode, const tlcp_record_item *it)
{
    int ok = 1;
    const uint8_t *d = tlcp_cursor_data(&it->data);
    size_t len = tlcp_cursor_len(&it->data);
    switch (it->kind) {
    case TLCP_ITEM_HANDSHAKE:
        ok = tlcp_record_write(wr, TLCP_CT_HANDSHAKE, d, len);
        break;
    case TLCP_ITEM_APPLICATION_DATA:
        ok = tlcp_record_write(wr, TLCP_CT_APPLICATION_DATA, d, len);
        break;
    case TLCP_ITEM_ALERT:
        ok = tlcp_record_write_alert(wr, it->alert_level, it->alert_description);
        break;
    case TLCP_ITEM_CHANGE_CIPHER_SPEC:
        ok = tlcp_record_write_ccs(wr);
        if (ok && mode >= 3)
            ok = tlcp_record_activate_write(wr);
        break;
    }
    fuzz_require(ok, "record: writing back an item the reader accepted failed");
    fuzz_require(tlcp_record_flush(wr) == TLCP_OK, "record: flush to a sink failed");
}

static int same_item(const echo_item *e, const tlcp_record_item *it)
{
    if (e->kind != it->kind)
        return 0;
    if (e->kind == TLCP_ITEM_ALERT)
        return e->level == it->alert_level && e->description == it->alert_description;
    if (e->kind == TLCP_ITEM_CHANGE_CIPHER_SPEC)
        return 1;
    return fuzz_same_bytes(e->data, e->len, tlcp_cursor_data(&it->data),
                           tlcp_cursor_len(&it->data));
}

/* Reads the echo output back; it must be exactly the logged items. */
static void check_echo(const sink *out, int mode, const echo_log *log)
{
    feed f = {out->data, out->len, 0, 0, 0, 0};
    tlcp_record_layer *rl = new_layer(mode, 0);
    tlcp_record_set_transport(rl, feed_read, no_write, &f);
    size_t i = 0;
    for (;;) {
        tlcp_record_item it;
        tlcp_result r = tlcp_record_next(rl, &it);
        if (r != TLCP_OK) {
            fuzz_require(r == TLCP_CLOSED, "record: the echo of accepted items does not read back");
            break;
        }
        fuzz_require(i < log->num && same_item(&log->items[i], &it),
                     "record: the echo reads back as different items");
        i++;
        if (it.kind == TLCP_ITEM_CHANGE_CIPHER_SPEC && mode >= 3)
            fuzz_require(tlcp_record_activate_read(rl), "record: echo activation refused");
    }
    fuzz_require(i == log->num, "record: the echo lost items");
    tlcp_record_free(rl);
}

/* Reads the whole stream; returns after the first non-OK result. */
static void read_all(tlcp_record_layer *rd, tlcp_record_layer *wr, int mode, feed *f, echo_log *log)
{
    int activated = mode == 1 || mode == 2;
    size_t budget = 4 * f->len + 64;
    for (;;) {
        fuzz_require(budget-- > 0, "record: no progress (reads loop without consuming)");
        tlcp_record_item it;
        tlcp_result r = tlcp_record_next(rd, &it);
        if (r == TLCP_WANT_READ)
            continue;
        if (r == TLCP_ERROR || r == TLCP_CLOSED) {
            if (r == TLCP_ERROR)
                check_failure(rd);
            fuzz_require(tlcp_record_next(rd, &it) == r, "record: ERROR/CLOSED not sticky");
            return;
        }
        fuzz_require(r == TLCP_OK, "record: unexpected result from tlcp_record_next");
        check_item(&it, activated);
        log_item(log, &it);
        echo(wr, mode, &it);
        if (it.kind == TLCP_ITEM_CHANGE_CIPHER_SPEC && mode >= 3 && !activated) {
            fuzz_require(tlcp_record_activate_read(rd), "record: activation at CCS refused");
            activated = 1;
        }
    }
}

int fuzz_record(const uint8_t *data, size_t len)
{
    if (len < 2)
        return 0;
    int mode = data[0] % NUM_MODES;
    feed f = {data + 2, len - 2, 0, data[1] & 0x7f, data[1] >> 7, 0};
    sink out = {NULL, 0, 0};
    echo_log *log = calloc(1, sizeof(*log));
    fuzz_require(log != NULL, "out of memory");

    tlcp_record_layer *rd = new_layer(mode, 0);
    tlcp_record_layer *wr = new_layer(mode, 1);
    tlcp_record_set_transport(rd, feed_read, no_write, &f);
    tlcp_record_set_transport(wr, NULL, sink_write, &out);
    fuzz_alloc_watch_start();
    read_all(rd, wr, mode, &f, log);
    /* Buffers of fixed size (one record) are fine; more than that must be
     * backed by bytes that actually arrived. */
    if (fuzz_strict_alloc())
        fuzz_require(fuzz_alloc_watch_largest() <= FIXED_ALLOWANCE + 2 * len,
                     "record: allocation sized by a length field before its bytes arrived");
    check_echo(&out, mode, log);

    tlcp_record_free(rd);
    tlcp_record_free(wr);
    for (size_t i = 0; i < log->num; i++)
        free(log->copies[i]);
    free(log);
    free(out.data);
    return 0;
}

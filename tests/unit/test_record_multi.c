/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-record CBC sealing (output_multi.c, protect_cbc_multi.c): a large
 * write split into records sealed side by side gives, byte for byte, the
 * records the serial path gives for the same fragments with the same IVs
 * (the deterministic test RNG), under every SM3 and SM4 kernel the CPU runs
 * and the EVP SM4 fallback; the records open, in order, with consecutive
 * sequence numbers, each within 2^14; small writes stay one record.
 * Sealing reads the caller's plaintext (no copy into the queue first): the
 * records, single and multi, are checked against a reference built from
 * one-shot HMAC-SM3 and SM4-CBC over the joined bytes for every length
 * 0..1100 and for 16-record writes of every record length mod 16 around
 * 1 KiB; sealing in place (plaintext already in the fragment) gives the
 * same bytes as sealing from a separate buffer, for CBC and GCM.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "crypto/sm4_core.h"
#include "record/record.h"
#include "record/record_internal.h"
#include "record_pipe.h"

typedef struct layers {
    tu_pipe p;
    tlcp_record_layer *w;
} layers;

static void open_writer(layers *l, unsigned multi, uint64_t seq)
{
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 0x5a, &k);
    tu_pipe_init(&l->p);
    l->w = tu_record_new(&l->p);
    tlcp_record_test_set_multi(l->w, multi);
    assert_true(tlcp_record_set_pending_write(l->w, &k));
    assert_true(tlcp_record_activate_write(l->w));
    tlcp_record_test_set_seq(l->w, 1, seq);
}

static void close_writer(layers *l)
{
    tlcp_record_free(l->w);
    tu_pipe_free(&l->p);
}

/* Opens every record of `wire`; fills the plaintext lengths, returns the count. */
static size_t open_all(tu_pipe *wire, const uint8_t *msg, size_t len, uint64_t seq,
                       size_t *frag_len, size_t max)
{
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 0x5a, &k);
    tlcp_record_layer *r = tu_record_new(wire);
    assert_true(tlcp_record_set_pending_read(r, &k));
    assert_true(tlcp_record_activate_read(r));
    tlcp_record_test_set_seq(r, 0, seq);
    size_t n = 0, got = 0;
    while (got < len) {
        tlcp_record_item it;
        assert_int_equal(tu_next(r, wire, &it), TLCP_OK);
        assert_int_equal(it.kind, TLCP_ITEM_APPLICATION_DATA);
        size_t m = tlcp_cursor_len(&it.data);
        assert_true(m > 0 && m <= TLCP_MAX_PLAINTEXT && m <= len - got);
        assert_memory_equal(tlcp_cursor_data(&it.data), msg + got, m);
        assert_true(n < max);
        frag_len[n++] = m;
        got += m;
    }
    assert_int_equal(tlcp_record_test_get_seq(r, 0), seq + n);
    tlcp_record_free(r);
    return n;
}

/* One write through the multi path against the same fragments sealed one by one. */
static size_t check_identity(const uint8_t *msg, size_t len, unsigned multi, uint64_t seed)
{
    const uint64_t seq = 1000;
    layers a, b;
    open_writer(&a, multi, seq);
    tlcp_random_set_deterministic(1, seed);
    assert_true(tlcp_record_write(a.w, TLCP_CT_APPLICATION_DATA, msg, len));
    tu_flush(a.w);

    static size_t frag[4096];
    tu_pipe copy = a.p;
    copy.pos = 0;
    size_t n = open_all(&copy, msg, len, seq, frag, 4096);

    open_writer(&b, 0, seq);
    tlcp_random_set_deterministic(1, seed);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(tlcp_record_write(b.w, TLCP_CT_APPLICATION_DATA, msg + off, frag[i]));
        off += frag[i];
    }
    tu_flush(b.w);
    tlcp_random_set_deterministic(0, 0);
    assert_int_equal(a.p.len, b.p.len);
    assert_memory_equal(a.p.buf, b.p.buf, a.p.len);
    assert_int_equal(tlcp_record_test_get_seq(a.w, 1), seq + n);
    close_writer(&a);
    close_writer(&b);
    return n;
}

static uint8_t *message(size_t len)
{
    uint8_t *m = malloc(len);
    assert_non_null(m);
    for (size_t i = 0; i < len; i++)
        m[i] = (uint8_t)(i * 13 + (i >> 9));
    return m;
}

static const size_t lens[] = {4095,  4096,  4097,  5000,  8191,  16383,
                              16384, 16385, 40000, 65536, 65537, 16384 * 16 + 100};

static void test_byte_identical_to_serial(void **state)
{
    (void)state;
    size_t max = 16384 * 16 + 100;
    uint8_t *msg = message(max);
    static const unsigned multis[] = {2, 4, 8, 16};
    for (size_t m = 0; m < sizeof(multis) / sizeof(multis[0]); m++)
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
            check_identity(msg, lens[i], multis[m], 77 + i);
    free(msg);
}

/* The same under every SM3 kernel (scalar, AVX2, AVX-512) and SM4 backend. */
static void test_every_kernel(void **state)
{
    (void)state;
    uint8_t *msg = message(65536);
    static const int masks[] = {0, TLCP_SM3_FEAT_AVX2, TLCP_SM3_FEAT_AVX512, -1};
    for (int evp = 0; evp <= 1; evp++) {
        tlcp_sm4_force_evp(evp);
        for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
            tlcp_sm3_force_features(masks[m]);
            assert_int_equal(check_identity(msg, 16384, 16, 5), 16);
            check_identity(msg, 65536, 16, 6);
            check_identity(msg, 9999, 8, 7);
        }
    }
    tlcp_sm3_force_features(-1);
    tlcp_sm4_force_evp(0);
    free(msg);
}

/* The split: writes below 4 KiB stay one record, no record below 1 KiB
 * (16 KiB with 16 gives 16 of 1 KiB, 64 KiB 16 of 4 KiB); the old path gives
 * one record per 2^14. */
static void test_split_shape(void **state)
{
    (void)state;
    uint8_t *msg = message(65536);
    assert_int_equal(check_identity(msg, 2047, 16, 1), 1);
    assert_int_equal(check_identity(msg, 4095, 16, 1), 1);
    assert_int_equal(check_identity(msg, 16384, 16, 2), 16);
    assert_int_equal(check_identity(msg, 16383, 16, 2), 15);
    assert_int_equal(check_identity(msg, 8192, 16, 2), 8);
    assert_int_equal(check_identity(msg, 16384, 4, 3), 4);
    assert_int_equal(check_identity(msg, 65536, 16, 4), 16);
    assert_int_equal(check_identity(msg, 65536, 0, 4), 4);
    assert_int_equal(check_identity(msg, 5000, 16, 4), 4);
    free(msg);
}

/* A transport that blocks: the queued records go out unchanged on retries. */
static void test_blocking_transport(void **state)
{
    (void)state;
    uint8_t *msg = message(40000);
    layers a;
    open_writer(&a, 16, 0);
    a.p.write_chunk = 1000;
    a.p.write_blocks = 1;
    assert_true(tlcp_record_write(a.w, TLCP_CT_APPLICATION_DATA, msg, 40000));
    size_t rounds = 0;
    while (tlcp_record_flush(a.w) == TLCP_WANT_WRITE)
        rounds++;
    assert_true(rounds > 10);
    static size_t frag[64];
    tu_pipe copy = a.p;
    copy.pos = 0;
    assert_int_equal(open_all(&copy, msg, 40000, 0, frag, 64), 16);
    close_writer(&a);
    free(msg);
}

/* The CBC fragment of one record from one-shot primitives: IV || SM4-CBC(
 * data || HMAC(seq || type || version || len || data) || minimal padding). */
static size_t reference_fragment(const tlcp_record_keys *k, uint64_t seq, const uint8_t iv[16],
                                 const uint8_t *msg, size_t len, uint8_t *out)
{
    size_t total = (len + 32 + 1 + 15) / 16 * 16;
    uint8_t *buf = malloc(13 + total);
    assert_non_null(buf);
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(seq >> (56 - 8 * i));
    buf[8] = TLCP_CT_APPLICATION_DATA;
    buf[9] = 0x01;
    buf[10] = 0x01;
    buf[11] = (uint8_t)(len >> 8);
    buf[12] = (uint8_t)len;
    if (len > 0)
        memcpy(buf + 13, msg, len);
    assert_true(tlcp_hmac_sm3(k->mac_key, sizeof(k->mac_key), buf, 13 + len, buf + 13 + len, NULL));
    size_t pad = total - len - 32 - 1;
    memset(buf + 13 + len + 32, (int)pad, pad + 1);
    memcpy(out, iv, 16);
    assert_true(tlcp_sm4_cbc_encrypt(k->key, iv, buf + 13, out + 16, total, NULL));
    free(buf);
    return 16 + total;
}

/* Every record on the wire against the reference (the plaintext lengths
 * from opening them); returns the record count. */
static size_t check_wire_against_reference(const tu_pipe *wire, const uint8_t *msg, size_t len,
                                           uint64_t seq)
{
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 0x5a, &k);
    static size_t plain[64];
    size_t n = 1;
    plain[0] = 0;
    if (len > 0) {
        tu_pipe copy = *wire;
        copy.pos = 0;
        n = open_all(&copy, msg, len, seq, plain, 64);
    }
    static uint8_t want[16 + TLCP_MAX_PLAINTEXT + 64];
    size_t at = 0, got = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(wire->len - at >= 5 + 16);
        assert_int_equal(wire->buf[at], TLCP_CT_APPLICATION_DATA);
        size_t frag = (size_t)wire->buf[at + 3] << 8 | wire->buf[at + 4];
        const uint8_t *f = wire->buf + at + 5;
        assert_int_equal(reference_fragment(&k, seq + i, f, msg + got, plain[i], want), frag);
        assert_memory_equal(f, want, frag);
        got += plain[i];
        at += 5 + frag;
    }
    assert_int_equal(at, wire->len);
    assert_int_equal(got, len);
    return n;
}

/* One write of len bytes on a fresh writer; the wire against the reference. */
static size_t check_reference(const uint8_t *msg, size_t len, unsigned multi)
{
    layers a;
    open_writer(&a, multi, 500);
    assert_true(tlcp_record_write(a.w, TLCP_CT_APPLICATION_DATA, msg, len));
    tu_flush(a.w);
    size_t n = check_wire_against_reference(&a.p, msg, len, 500);
    close_writer(&a);
    return n;
}

static void test_serial_against_reference(void **state)
{
    (void)state;
    uint8_t *msg = message(1100 + 7);
    for (int evp = 0; evp <= 1; evp++) {
        tlcp_sm4_force_evp(evp);
        for (size_t len = 0; len <= 1100; len++)
            assert_int_equal(check_reference(msg + len % 7, len, 16), 1);
    }
    tlcp_sm4_force_evp(0);
    free(msg);
}

/* 16-record writes: record lengths 1024..1056 (every residue mod 16, whole
 * and partial last blocks, a shorter last record), and 9..15-record writes. */
static void test_multi_against_reference(void **state)
{
    (void)state;
    uint8_t *msg = message(16 * 1056 + 7);
    for (size_t rec = 1024; rec <= 1056; rec++) {
        assert_int_equal(check_reference(msg + rec % 7, 16 * rec, 16), 16);
        assert_int_equal(check_reference(msg, 16 * rec - 5, 16), rec > 1024 ? 16 : 15);
    }
    for (size_t recs = 9; recs <= 15; recs++)
        assert_int_equal(check_reference(msg, recs * 1024 + 3 * recs, 16), recs);
    free(msg);
}

/* Sealing with the plaintext already in the fragment gives the bytes of
 * sealing it from a separate buffer (CBC single and multi, GCM). */
static void seal_both_ways(int bulk, size_t len)
{
    tlcp_record_keys k;
    tu_test_keys(bulk, 0x33, &k);
    uint8_t *msg = message(len);
    size_t room = 16 + len + 64;
    uint8_t *a = calloc(1, room), *b = calloc(1, room);
    assert_non_null(a);
    assert_non_null(b);
    tlcp_record_dir d;
    memset(&d, 0, sizeof(d));
    size_t la = 0, lb = 0;
    tlcp_random_set_deterministic(1, 9);
    assert_true(tlcp_record_dir_init(&d, &k, 1, NULL));
    assert_true(tlcp_record_seal(&d, TLCP_CT_APPLICATION_DATA, a, msg, len, &la, NULL));
    tlcp_record_dir_clear(&d);
    tlcp_random_set_deterministic(1, 9);
    assert_true(tlcp_record_dir_init(&d, &k, 1, NULL));
    uint8_t *in_place = b + tlcp_record_seal_prefix(&d);
    memcpy(in_place, msg, len);
    assert_true(tlcp_record_seal(&d, TLCP_CT_APPLICATION_DATA, b, in_place, len, &lb, NULL));
    tlcp_record_dir_clear(&d);
    tlcp_random_set_deterministic(0, 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
    free(msg);
}

static void test_in_place_seal(void **state)
{
    (void)state;
    for (size_t len = 0; len <= 300; len++) {
        seal_both_ways(TLCP_BULK_SM4_CBC_SM3, len);
        seal_both_ways(TLCP_BULK_SM4_GCM, len);
    }
    seal_both_ways(TLCP_BULK_SM4_CBC_SM3, TLCP_MAX_PLAINTEXT);
    seal_both_ways(TLCP_BULK_SM4_GCM, TLCP_MAX_PLAINTEXT);
}

static void test_in_place_seal_multi(void **state)
{
    (void)state;
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 0x44, &k);
    enum { K = 16, ROOM = 1200 };
    uint8_t *msg = message(K * 1200);
    static uint8_t a[K][ROOM], b[K][ROOM];
    uint8_t *fa[K], *fb[K];
    const uint8_t *src_a[K], *src_b[K];
    size_t len[K], oa[K], ob[K];
    for (size_t i = 0; i < K; i++) {
        len[i] = 1000 + 7 * i;
        fa[i] = a[i];
        fb[i] = b[i];
        src_a[i] = msg + 1200 * i;
        memcpy(b[i] + 16, src_a[i], len[i]);
        src_b[i] = b[i] + 16;
    }
    tlcp_record_dir d;
    memset(&d, 0, sizeof(d));
    tlcp_random_set_deterministic(1, 10);
    assert_true(tlcp_record_dir_init(&d, &k, 1, NULL));
    assert_true(tlcp_cbc_seal_multi(&d, TLCP_CT_APPLICATION_DATA, fa, src_a, len, K, oa, NULL));
    tlcp_record_dir_clear(&d);
    tlcp_random_set_deterministic(1, 10);
    assert_true(tlcp_record_dir_init(&d, &k, 1, NULL));
    assert_true(tlcp_cbc_seal_multi(&d, TLCP_CT_APPLICATION_DATA, fb, src_b, len, K, ob, NULL));
    tlcp_record_dir_clear(&d);
    tlcp_random_set_deterministic(0, 0);
    for (size_t i = 0; i < K; i++) {
        assert_int_equal(oa[i], ob[i]);
        assert_memory_equal(a[i], b[i], oa[i]);
    }
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_identical_to_serial),
        cmocka_unit_test(test_every_kernel),
        cmocka_unit_test(test_split_shape),
        cmocka_unit_test(test_blocking_transport),
        cmocka_unit_test(test_serial_against_reference),
        cmocka_unit_test(test_multi_against_reference),
        cmocka_unit_test(test_in_place_seal),
        cmocka_unit_test(test_in_place_seal_multi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

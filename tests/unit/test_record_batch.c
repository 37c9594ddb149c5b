/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Batch opening of queued CBC records (input.c read-ahead, read_batch.c,
 * protect_cbc_open_multi.c) against the serial path (read-ahead off): the
 * same stream of hand-made records, fed to both, must give the same items,
 * byte for byte, and the same error (reason, alert) at the same record.
 * Streams: random lengths 0..2^14 with random padding, every padding length
 * 0..255, a tampered record at every position of a 16-record batch, a bad
 * padding, a bad padding length byte, a plaintext over 2^14, a fragment
 * that is not whole blocks, a non-application-data record and a header
 * error inside the queue; under every SM3 kernel the CPU runs. A probe of
 * the sequence number proves the batch really ran.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "record/record.h"
#include "record_pipe.h"

#define MAX_STREAM (40 * (5 + 16384 + 2048))
#define SEED       0x5a
#define FIRST_SEQ  77

enum tamper { T_NONE, T_CIPHER, T_PAD_BYTE, T_PAD_LEN, T_SHAPE, T_HEADER };

typedef struct stream {
    uint8_t *buf;
    size_t len;
    uint64_t seq;
} stream;

static void stream_init(stream *s)
{
    s->buf = malloc(MAX_STREAM);
    assert_non_null(s->buf);
    s->len = 0;
    s->seq = FIRST_SEQ;
}

/* Appends one record: data (len bytes, a pattern from `fill`), its MAC,
 * pad + 1 padding bytes, encrypted under the test keys, then tampered. */
static void add_record(stream *s, size_t len, size_t pad, uint8_t type, int tamper, uint8_t fill)
{
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, SEED, &k);
    size_t body = len + 32 + pad + 1;
    if (body % 16 != 0)
        fail_msg("record of %zu bytes with padding %zu is not whole blocks", len, pad);
    uint8_t *h = s->buf + s->len;
    size_t frag_len = 16 + body;
    assert_true(s->len + 5 + frag_len <= MAX_STREAM);
    h[0] = type;
    h[1] = 1;
    h[2] = 1;
    h[3] = (uint8_t)(frag_len >> 8);
    h[4] = (uint8_t)frag_len;
    uint8_t *iv = h + 5, *p = iv + 16;
    for (size_t i = 0; i < 16; i++)
        iv[i] = (uint8_t)(s->seq * 7 + i);
    /* MAC input: seq || type || version || length || data */
    uint8_t *msg = malloc(13 + len);
    assert_non_null(msg);
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)(s->seq >> (56 - 8 * i));
    msg[8] = type;
    msg[9] = 1;
    msg[10] = 1;
    msg[11] = (uint8_t)(len >> 8);
    msg[12] = (uint8_t)len;
    for (size_t i = 0; i < len; i++)
        msg[13 + i] = p[i] = (uint8_t)(fill + i * 31);
    assert_true(tlcp_hmac_sm3(k.mac_key, 32, msg, 13 + len, p + len, NULL));
    free(msg);
    memset(p + len + 32, (int)pad, pad + 1);
    if (tamper == T_PAD_BYTE && pad > 0)
        p[body - 2] ^= 1;
    if (tamper == T_PAD_LEN)
        p[body - 1] = (uint8_t)(body - 32); /* no room left for the MAC */
    tlcp_sm4_cbc *c = tlcp_sm4_cbc_new(k.key, 1, NULL);
    assert_non_null(c);
    assert_true(tlcp_sm4_cbc_crypt(c, iv, p, p, body, NULL));
    tlcp_sm4_cbc_free(c);
    if (tamper == T_CIPHER)
        p[body / 2] ^= 0x40;
    if (tamper == T_SHAPE) { /* one byte short of whole blocks */
        frag_len--;
        h[3] = (uint8_t)(frag_len >> 8);
        h[4] = (uint8_t)frag_len;
    }
    if (tamper == T_HEADER)
        h[2] = 2; /* version 0x0102 */
    s->len += 5 + frag_len;
    s->seq++;
}

/* The smallest padding that makes len + MAC + padding whole blocks, plus 16 * extra. */
static size_t pad_for(size_t len, size_t extra)
{
    size_t pad = (16 - (len + 33) % 16) % 16 + 16 * extra;
    return pad <= 255 ? pad : (16 - (len + 33) % 16) % 16;
}

static tlcp_record_layer *reader(tu_pipe *p, const stream *s, int read_ahead)
{
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, SEED, &k);
    tu_pipe_init(p);
    tu_pipe_push(p, s->buf, s->len);
    tlcp_record_layer *rl = tu_record_new(p);
    tlcp_record_test_set_read_ahead(rl, read_ahead);
    assert_true(tlcp_record_set_pending_read(rl, &k));
    assert_true(tlcp_record_activate_read(rl));
    tlcp_record_test_set_seq(rl, 0, FIRST_SEQ);
    return rl;
}

/*
 * Reads the stream with and without batching; asserts identical items and
 * the same final error. Returns the number of items both handed up;
 * *batched gets the sequence-number lead the batch reader had after its
 * first item (records it opened ahead).
 */
static size_t compare(const stream *s, uint64_t *batched)
{
    tu_pipe pa, pb;
    /* 2: batches from the first record on */
    tlcp_record_layer *a = reader(&pa, s, 2), *b = reader(&pb, s, 0);
    size_t items = 0;
    *batched = 0;
    for (;;) {
        tlcp_record_item ia, ib;
        tlcp_result ra = tu_next(a, &pa, &ia), rb = tu_next(b, &pb, &ib);
        assert_int_equal(ra, rb);
        if (items == 0)
            *batched = tlcp_record_test_get_seq(a, 0) - tlcp_record_test_get_seq(b, 0);
        if (ra != TLCP_OK) {
            assert_int_equal(tlcp_record_error(a)->reason, tlcp_record_error(b)->reason);
            assert_int_equal(tlcp_record_error(a)->alert, tlcp_record_error(b)->alert);
            assert_string_equal(tlcp_error_message(tlcp_record_error(a)),
                                tlcp_error_message(tlcp_record_error(b)));
            break;
        }
        assert_int_equal(ia.kind, ib.kind);
        assert_int_equal(tlcp_cursor_len(&ia.data), tlcp_cursor_len(&ib.data));
        if (tlcp_cursor_len(&ia.data) > 0)
            assert_memory_equal(tlcp_cursor_data(&ia.data), tlcp_cursor_data(&ib.data),
                                tlcp_cursor_len(&ia.data));
        items++;
    }
    tlcp_record_free(a);
    tlcp_record_free(b);
    tu_pipe_free(&pa);
    tu_pipe_free(&pb);
    return items;
}

/* Runs `body` under every SM3 kernel mask the CPU honours. */
static void each_kernel(void (*body)(void))
{
    static const int masks[] = {0, TLCP_SM3_FEAT_AVX2, TLCP_SM3_FEAT_AVX512, -1};
    for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
        tlcp_sm3_force_features(masks[m]);
        body();
    }
    tlcp_sm3_force_features(-1);
}

static void random_stream(void)
{
    srand(1234);
    for (int round = 0; round < 3; round++) {
        stream s;
        stream_init(&s);
        size_t count = 6 + (size_t)round * 5, nonempty = 0;
        for (size_t i = 0; i < count; i++) {
            size_t len = (size_t)rand() % 4 == 0 ? 16384 : (size_t)rand() % 3000;
            if ((size_t)rand() % 5 == 0)
                len = (size_t)rand() % 40;
            add_record(&s, len, pad_for(len, (size_t)rand() % 16), TLCP_CT_APPLICATION_DATA, T_NONE,
                       (uint8_t)i);
            nonempty += len > 0;
        }
        uint64_t batched;
        /* the last item is followed by WANT_READ on both */
        assert_int_equal(compare(&s, &batched), nonempty);
        assert_true(batched >= 1);
        free(s.buf);
    }
}

static void test_random_streams(void **state)
{
    (void)state;
    each_kernel(random_stream);
}

static void every_padding(void)
{
    /* 256 records, 16 per batch, of every padding length */
    stream s;
    stream_init(&s);
    size_t n = 0;
    for (size_t pad = 0; pad < 256; pad++) {
        size_t len = (16 - (pad + 33) % 16) % 16 + 16 * (pad % 5);
        add_record(&s, len, pad, TLCP_CT_APPLICATION_DATA, T_NONE, (uint8_t)pad);
        n += len > 0; /* empty records are skipped, not handed up */
        if (s.len > MAX_STREAM - 20000)
            break;
    }
    uint64_t batched;
    assert_int_equal(compare(&s, &batched), n);
    assert_true(batched == 15); /* the first item came out of a batch of 16 */
    free(s.buf);
}

static void test_every_padding_length(void **state)
{
    (void)state;
    each_kernel(every_padding);
}

static void test_lengths_to_max(void **state)
{
    (void)state;
    static const size_t lens[] = {0,   1,   15,   16,   17,   31,   63,    64,    200,  255,
                                  256, 257, 1000, 2047, 4096, 8191, 16000, 16383, 16384};
    stream s;
    stream_init(&s);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
        add_record(&s, lens[i], pad_for(lens[i], i % 3), TLCP_CT_APPLICATION_DATA, T_NONE,
                   (uint8_t)i);
    uint64_t batched;
    /* the empty record is skipped, not handed up */
    assert_int_equal(compare(&s, &batched), sizeof(lens) / sizeof(lens[0]) - 1);
    assert_true(batched >= 1);
    free(s.buf);
}

/* A batch of 16 with a tampered record at position `at`. */
static void tampered_at(size_t at, int tamper)
{
    stream s;
    stream_init(&s);
    for (size_t i = 0; i < 16; i++) {
        size_t len = 500 + 37 * i;
        add_record(&s, len, pad_for(len, i % 4), TLCP_CT_APPLICATION_DATA,
                   i == at ? tamper : T_NONE, (uint8_t)i);
    }
    uint64_t batched;
    assert_int_equal(compare(&s, &batched), at);
    free(s.buf);
}

static void test_tampered_record_at_every_position(void **state)
{
    (void)state;
    static const int kinds[] = {T_CIPHER, T_PAD_BYTE, T_PAD_LEN, T_SHAPE, T_HEADER};
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (size_t at = 0; at < 16; at++)
            tampered_at(at, kinds[k]);
}

static void test_overflowing_plaintext_in_batch(void **state)
{
    (void)state;
    stream s;
    stream_init(&s);
    add_record(&s, 100, pad_for(100, 0), TLCP_CT_APPLICATION_DATA, T_NONE, 1);
    add_record(&s, 16385, pad_for(16385, 0), TLCP_CT_APPLICATION_DATA, T_NONE, 2);
    add_record(&s, 100, pad_for(100, 0), TLCP_CT_APPLICATION_DATA, T_NONE, 3);
    uint64_t batched;
    assert_int_equal(compare(&s, &batched), 1);
    assert_true(batched >= 1);
    free(s.buf);
}

static void test_other_type_ends_batch(void **state)
{
    (void)state;
    /* an alert (warning, user_canceled 90) between application data */
    stream s;
    stream_init(&s);
    add_record(&s, 300, pad_for(300, 0), TLCP_CT_APPLICATION_DATA, T_NONE, 1);
    add_record(&s, 300, pad_for(300, 1), TLCP_CT_APPLICATION_DATA, T_NONE, 2);
    add_record(&s, 2, pad_for(2, 0), TLCP_CT_ALERT, T_NONE, 0);
    add_record(&s, 300, pad_for(300, 2), TLCP_CT_APPLICATION_DATA, T_NONE, 3);
    uint64_t batched;
    /* the alert body is the pattern (not a valid alert): both fail at it alike */
    size_t items = compare(&s, &batched);
    assert_int_equal(items, 2);
    assert_int_equal(batched, 1);
    free(s.buf);
}

/* The default starts reading ahead only after about 36 KiB: none of the
 * first records is opened ahead, later ones are. */
static void test_default_starts_after_threshold(void **state)
{
    (void)state;
    stream s;
    stream_init(&s);
    for (size_t i = 0; i < 40; i++)
        add_record(&s, 2000, pad_for(2000, 0), TLCP_CT_APPLICATION_DATA, T_NONE, (uint8_t)i);
    tu_pipe p;
    tlcp_record_layer *rl = reader(&p, &s, 1);
    uint64_t max_lead = 0, first_lead = 1;
    for (size_t i = 0; i < 40; i++) {
        tlcp_record_item it;
        assert_int_equal(tu_next(rl, &p, &it), TLCP_OK);
        assert_int_equal(tlcp_cursor_len(&it.data), 2000);
        uint64_t lead = tlcp_record_test_get_seq(rl, 0) - (FIRST_SEQ + i + 1);
        if (i == 0)
            first_lead = lead;
        if (lead > max_lead)
            max_lead = lead;
    }
    assert_int_equal(first_lead, 0);
    assert_true(max_lead >= 8);
    tlcp_record_free(rl);
    tu_pipe_free(&p);
    free(s.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_streams),
        cmocka_unit_test(test_every_padding_length),
        cmocka_unit_test(test_lengths_to_max),
        cmocka_unit_test(test_tampered_record_at_every_position),
        cmocka_unit_test(test_overflowing_plaintext_in_batch),
        cmocka_unit_test(test_other_type_ends_batch),
        cmocka_unit_test(test_default_starts_after_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record protection: key-block layout, the example records of
 * tlcp-protocol.md §9 byte for byte, and round trips under null, CBC and GCM
 * protection at every length 0..300 and at 16383 / 16384, whole and with
 * one byte per read call; the output queue across WANT_WRITE.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "record/record.h"
#include "record_pipe.h"
#include "testutil.h"

static const char *MASTER = "2f4441f8438f07b18b2bf73eeafed437fafbdb8eace17433816c6617a8a327cd"
                            "c3748d92d98d07aeb532acee5882c12b";

static void randoms(uint8_t cr[32], uint8_t sr[32])
{
    for (int i = 0; i < 32; i++) {
        cr[i] = (uint8_t)i;
        sr[i] = (uint8_t)(0x20 + i);
    }
}

static void vector_keys(int bulk, tlcp_record_keys *client, tlcp_record_keys *server)
{
    uint8_t master[48], cr[32], sr[32], kb[128];
    tu_hex_into(MASTER, master, sizeof(master));
    randoms(cr, sr);
    size_t n = tlcp_key_block_len(bulk);
    assert_true(tlcp_prf_key_block(master, cr, sr, kb, n, NULL));
    assert_true(tlcp_record_keys_from_block(bulk, kb, n, client, server));
}

static void test_key_block_layout(void **state)
{
    (void)state;
    assert_int_equal(tlcp_key_block_len(TLCP_BULK_SM4_CBC_SM3), 128);
    assert_int_equal(tlcp_key_block_len(TLCP_BULK_SM4_GCM), 40);
    assert_int_equal(tlcp_key_block_len(TLCP_BULK_NULL), 0);
    assert_int_equal(tlcp_key_block_len(99), 0);

    tlcp_record_keys c, s;
    vector_keys(TLCP_BULK_SM4_CBC_SM3, &c, &s);
    assert_int_equal(c.bulk, TLCP_BULK_SM4_CBC_SM3);
    tu_assert_hex(c.mac_key, 32,
                  "e41131a49d4d2a4b720062f4628d57edfa4a35be8c5fa4c885e4752b4217b1b5");
    tu_assert_hex(s.mac_key, 32,
                  "957c63b84db8809a6b10f3da7097e894f5f75895f3418f6e7265f2f1cb9f07aa");
    tu_assert_hex(c.key, 16, "2223cc88c5b0a67318b669533ebb030c");
    tu_assert_hex(s.key, 16, "2b34fde2b691650662b0ed0fd0acc94e");
    tu_assert_hex(c.iv, 16, "6df48f63b9d861342ec351c08f132433");
    tu_assert_hex(s.iv, 16, "8508307704d49b088392145d970fede3");

    vector_keys(TLCP_BULK_SM4_GCM, &c, &s);
    assert_int_equal(s.bulk, TLCP_BULK_SM4_GCM);
    tu_assert_hex(c.key, 16, "e41131a49d4d2a4b720062f4628d57ed");
    tu_assert_hex(s.key, 16, "fa4a35be8c5fa4c885e4752b4217b1b5");
    tu_assert_hex(c.iv, 4, "957c63b8");
    tu_assert_hex(s.iv, 4, "4db8809a");

    /* too short a block, unknown bulk, NULL outputs */
    uint8_t kb[128] = {0};
    assert_false(tlcp_record_keys_from_block(TLCP_BULK_SM4_CBC_SM3, kb, 127, &c, &s));
    assert_false(tlcp_record_keys_from_block(TLCP_BULK_SM4_GCM, kb, 39, &c, &s));
    assert_false(tlcp_record_keys_from_block(TLCP_BULK_NULL, kb, 128, &c, &s));
    assert_false(tlcp_record_keys_from_block(TLCP_BULK_SM4_GCM, kb, 40, NULL, &s));
}

/* Seals "hello" with the §9 client keys at seq 0 and compares the wire bytes. */
static void example_record(int bulk, const char *expect)
{
    tlcp_record_keys c, s;
    vector_keys(bulk, &c, &s);
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    assert_true(tlcp_record_set_pending_write(w, &c));
    assert_true(tlcp_record_activate_write(w));
    if (bulk == TLCP_BULK_SM4_CBC_SM3) {
        uint8_t iv[16];
        for (int i = 0; i < 16; i++)
            iv[i] = (uint8_t)(0xa0 + i);
        tlcp_random_queue(iv, sizeof(iv));
    }
    assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, (const uint8_t *)"hello", 5));
    tu_flush(w);
    tu_assert_hex(p.buf, p.len, expect);

    /* and the reader with the same keys gets "hello" back */
    tlcp_record_layer *r = tu_record_new(&p);
    assert_true(tlcp_record_set_pending_read(r, &c));
    assert_true(tlcp_record_activate_read(r));
    tlcp_record_item it;
    assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_int_equal(it.kind, TLCP_ITEM_APPLICATION_DATA);
    assert_int_equal(tlcp_cursor_len(&it.data), 5);
    assert_memory_equal(tlcp_cursor_data(&it.data), "hello", 5);
    tlcp_record_free(w);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

static void test_example_cbc_record(void **state)
{
    (void)state;
    example_record(TLCP_BULK_SM4_CBC_SM3,
                   "1701010040a0a1a2a3a4a5a6a7a8a9aaabacadaeaf5443ce2990a20f5b64da9ce1cd95b4aaf6a2"
                   "7cb9b014a34c7532a8db96dbd36079686715d30bb32350cad36b7659bebc");
}

static void test_example_gcm_record(void **state)
{
    (void)state;
    example_record(TLCP_BULK_SM4_GCM,
                   "170101001d00000000000000008d7a95bb03ed626c42841252603f3445dab33b1994");
}

/* Expected fragment length on the wire for a plaintext of len bytes. */
static size_t wire_len(int bulk, size_t len)
{
    switch (bulk) {
    case TLCP_BULK_SM4_CBC_SM3:
        return 16 + ((len + 32) / 16 + 1) * 16;
    case TLCP_BULK_SM4_GCM:
        return 8 + len + 16;
    default:
        return len;
    }
}

typedef struct rt_opts {
    size_t read_chunk;
    int read_blocks;
} rt_opts;

/*
 * Writes one record of `len` bytes (application data when protected, a
 * handshake message of `len` bytes in all, header included, under null
 * protection where application data is not allowed), checks its size on
 * the wire and reads it back.
 */
/* Records a large CBC write is split into (tlcp_record_test_set_multi);
 * -1 leaves the default. */
static int g_multi = -1;

/* Records on the wire in p, each checked to fit the 2^14 + 2048 limit. */
static size_t wire_records(const tu_pipe *p)
{
    size_t n = 0;
    for (size_t at = 0; at + 5 <= p->len; n++) {
        size_t frag = (size_t)p->buf[at + 3] << 8 | p->buf[at + 4];
        assert_true(frag <= TLCP_MAX_PLAINTEXT + 2048);
        at += 5 + frag;
        assert_true(at <= p->len);
    }
    return n;
}

static void roundtrip(int bulk, size_t len, const rt_opts *o)
{
    tlcp_record_keys k;
    tu_test_keys(bulk, 0x11, &k);
    tu_pipe p;
    tu_pipe_init(&p);
    p.read_chunk = o->read_chunk;
    p.read_blocks = o->read_blocks;
    tlcp_record_layer *w = tu_record_new(&p);
    tlcp_record_layer *r = tu_record_new(&p);
    if (g_multi >= 0)
        tlcp_record_test_set_multi(w, (unsigned)g_multi);
    if (bulk != TLCP_BULK_NULL) {
        assert_true(tlcp_record_set_pending_write(w, &k));
        assert_true(tlcp_record_activate_write(w));
        assert_true(tlcp_record_set_pending_read(r, &k));
        assert_true(tlcp_record_activate_read(r));
    }
    uint8_t *msg = malloc(len + 4);
    for (size_t i = 0; i < len; i++)
        msg[i] = (uint8_t)(i * 31 + len);
    uint8_t type = TLCP_CT_APPLICATION_DATA;
    if (bulk == TLCP_BULK_NULL) {
        if (len < 4)
            len = 4;
        type = TLCP_CT_HANDSHAKE;
        msg[0] = 1;
        msg[1] = (uint8_t)((len - 4) >> 16);
        msg[2] = (uint8_t)((len - 4) >> 8);
        msg[3] = (uint8_t)(len - 4);
    }
    assert_true(tlcp_record_write(w, type, msg, len));
    tu_flush(w);
    size_t records = len == 0 ? 1 : (len + TLCP_MAX_PLAINTEXT - 1) / TLCP_MAX_PLAINTEXT;
    size_t on_wire = wire_records(&p);
    if (bulk == TLCP_BULK_SM4_CBC_SM3 && g_multi != 0 && g_multi != 1) {
        /* a large write may go out as more (smaller) records */
        assert_true(on_wire >= records);
        records = on_wire;
    }
    assert_int_equal(on_wire, records);
    if (records == 1)
        assert_int_equal(p.len, 5 + wire_len(bulk, len));

    tlcp_record_item it;
    if (len == 0) {
        /* an empty record is legal and skipped: nothing to hand up */
        assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
        assert_int_equal(p.pos, p.len);
    } else {
        /* a handshake message comes back whole; application data one item per record */
        size_t got = 0;
        while (got < len) {
            assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
            assert_int_equal(it.kind, type == TLCP_CT_HANDSHAKE ? TLCP_ITEM_HANDSHAKE
                                                                : TLCP_ITEM_APPLICATION_DATA);
            size_t n = tlcp_cursor_len(&it.data);
            assert_true(n > 0 && n <= len - got);
            assert_memory_equal(tlcp_cursor_data(&it.data), msg + got, n);
            got += n;
        }
        if (type == TLCP_CT_HANDSHAKE)
            assert_int_equal(tlcp_cursor_len(&it.data), len);
        assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
    }
    if (bulk != TLCP_BULK_NULL) {
        assert_int_equal(tlcp_record_test_get_seq(w, 1), records);
        assert_int_equal(tlcp_record_test_get_seq(r, 0), records);
    }
    free(msg);
    tlcp_record_free(w);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

static void roundtrip_all(int bulk)
{
    static const rt_opts whole = {0, 0}, bytewise = {1, 0}, blocking = {7, 1};
    static const size_t big[] = {16383, 16384, 16385, 40000};
    for (size_t len = 0; len <= 300; len++) {
        roundtrip(bulk, len, &whole);
        roundtrip(bulk, len, &bytewise);
        roundtrip(bulk, len, &blocking);
    }
    for (size_t i = 0; i < TLCP_ARRAY_LEN(big); i++) {
        roundtrip(bulk, big[i], &whole);
        roundtrip(bulk, big[i], &bytewise);
        roundtrip(bulk, big[i], &blocking);
    }
}

static void test_roundtrip_null(void **state)
{
    (void)state;
    roundtrip_all(TLCP_BULK_NULL);
}

static void test_roundtrip_cbc(void **state)
{
    (void)state;
    roundtrip_all(TLCP_BULK_SM4_CBC_SM3); /* default split */
    g_multi = 0;                          /* the old path: one record per 2^14 */
    roundtrip_all(TLCP_BULK_SM4_CBC_SM3);
    g_multi = 4;
    roundtrip_all(TLCP_BULK_SM4_CBC_SM3);
    g_multi = -1;
}

static void test_roundtrip_gcm(void **state)
{
    (void)state;
    roundtrip_all(TLCP_BULK_SM4_GCM);
}

/* Application data above 2^14 is cut into records of at most 2^14. */
static void test_large_write_split(void **state)
{
    (void)state;
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_GCM, 3, &k);
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    tlcp_record_layer *r = tu_record_new(&p);
    assert_true(tlcp_record_set_pending_write(w, &k) && tlcp_record_activate_write(w));
    assert_true(tlcp_record_set_pending_read(r, &k) && tlcp_record_activate_read(r));
    size_t len = 3 * 16384 + 5;
    uint8_t *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i >> 3);
    assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, data, len));
    tu_flush(w);
    assert_int_equal(p.len, 4 * 29 + len);
    size_t got = 0;
    tlcp_record_item it;
    while (got < len) {
        assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
        size_t n = tlcp_cursor_len(&it.data);
        assert_true(n <= 16384);
        assert_memory_equal(tlcp_cursor_data(&it.data), data + got, n);
        got += n;
    }
    assert_int_equal(got, len);
    free(data);
    tlcp_record_free(w);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

/* Output queue: a transport that blocks every other call and takes 7 bytes
 * at a time ends with exactly the stream an unhindered one gets. */
static void test_output_queue_want_write(void **state)
{
    (void)state;
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 9, &k);
    tu_pipe a, b;
    tu_pipe_init(&a);
    tu_pipe_init(&b);
    b.write_blocks = 1;
    b.write_chunk = 7;
    tlcp_record_layer *wa = tu_record_new(&a);
    tlcp_record_layer *wb = tu_record_new(&b);
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)i;
    for (int pass = 0; pass < 2; pass++) {
        tlcp_record_layer *w = pass ? wb : wa;
        tlcp_random_set_deterministic(1, 42);
        assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, data, 100));
        assert_true(tlcp_record_write_ccs(w));
        assert_true(tlcp_record_set_pending_write(w, &k));
        assert_true(tlcp_record_activate_write(w));
        assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, data, 16));
        if (pass) {
            /* interleave flushes that block with further writes */
            assert_int_equal(tlcp_record_flush(w), TLCP_WANT_WRITE);
            assert_true(tlcp_record_pending_output(w) > 0);
            size_t before = tlcp_record_pending_output(w);
            assert_int_equal(tlcp_record_flush(w), TLCP_WANT_WRITE);
            assert_int_equal(tlcp_record_pending_output(w), before - 7);
        }
        assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, data, sizeof(data)));
        assert_true(tlcp_record_write_alert(w, TLCP_ALERT_LEVEL_WARNING, 0));
        tu_flush(w);
        assert_int_equal(tlcp_record_pending_output(w), 0);
        tlcp_random_set_deterministic(0, 0);
    }
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    assert_true(b.write_calls > a.len / 7);

    /* a transport error on write */
    assert_true(tlcp_record_write(wa, TLCP_CT_APPLICATION_DATA, data, 10));
    tlcp_record_set_transport(wa, NULL, NULL, NULL);
    assert_int_equal(tlcp_record_flush(wa), TLCP_ERROR);
    tlcp_record_free(wa);
    tlcp_record_free(wb);
    tu_pipe_free(&a);
    tu_pipe_free(&b);
}

static long failing_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return TLCP_IO_ERROR;
}

static void test_write_arguments(void **state)
{
    (void)state;
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    uint8_t b[4] = {0};
    assert_false(tlcp_record_write(w, 24, b, 4));
    assert_int_equal(tlcp_record_error(w)->reason, TLCP_R_INVALID_ARGUMENT);
    assert_false(tlcp_record_write(w, TLCP_CT_HANDSHAKE, b, 0));
    assert_false(tlcp_record_write(w, TLCP_CT_HANDSHAKE, NULL, 4));
    assert_int_equal(tlcp_record_pending_output(w), 0);
    /* activation without pending keys */
    assert_false(tlcp_record_activate_write(w));
    assert_false(tlcp_record_activate_read(w));
    tlcp_record_keys k;
    tu_test_keys(77, 1, &k);
    assert_false(tlcp_record_set_pending_write(w, &k));
    tlcp_record_free(w);

    w = tu_record_new(&p);
    tlcp_record_set_transport(w, tu_pipe_read, failing_write, &p);
    assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, b, 4));
    assert_int_equal(tlcp_record_flush(w), TLCP_ERROR);
    assert_int_equal(tlcp_record_error(w)->reason, TLCP_R_TRANSPORT);
    tlcp_record_free(w);
    tlcp_record_free(NULL);
    tu_pipe_free(&p);
}

/* Sequence numbers restart at 0 whenever a direction activates new keys. */
static void test_seq_reset_on_activation(void **state)
{
    (void)state;
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_GCM, 5, &k);
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    tlcp_record_layer *r = tu_record_new(&p);
    assert_true(tlcp_record_set_pending_write(w, &k) && tlcp_record_activate_write(w));
    assert_true(tlcp_record_set_pending_read(r, &k) && tlcp_record_activate_read(r));
    uint8_t d[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++)
        assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, d, 3));
    assert_int_equal(tlcp_record_test_get_seq(w, 1), 3);
    assert_true(tlcp_record_set_pending_write(w, &k) && tlcp_record_activate_write(w));
    assert_int_equal(tlcp_record_test_get_seq(w, 1), 0);
    assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, d, 3));
    tu_flush(w);
    tlcp_record_item it;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_int_equal(tlcp_record_test_get_seq(r, 0), 3);
    /* the 4th record was sealed with seq 0: the reader at seq 3 rejects it
     * until it, too, switches keys */
    assert_true(tlcp_record_set_pending_read(r, &k) && tlcp_record_activate_read(r));
    assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_memory_equal(tlcp_cursor_data(&it.data), d, 3);
    tlcp_record_free(w);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_block_layout),   cmocka_unit_test(test_example_cbc_record),
        cmocka_unit_test(test_example_gcm_record), cmocka_unit_test(test_roundtrip_null),
        cmocka_unit_test(test_roundtrip_cbc),      cmocka_unit_test(test_roundtrip_gcm),
        cmocka_unit_test(test_large_write_split),  cmocka_unit_test(test_output_queue_want_write),
        cmocka_unit_test(test_write_arguments),    cmocka_unit_test(test_seq_reset_on_activation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

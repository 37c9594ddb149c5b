/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handshake-message framing above the records (split, join, limits, one
 * message per record on send) and alerts / ChangeCipherSpec / close_notify.
 */
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "record/record_internal.h" /* the framer's buffer size (F2) */
#include "record_pipe.h"
#include "testutil.h"

static void put_record(tu_pipe *p, uint8_t type, const uint8_t *d, size_t n)
{
    uint8_t h[5] = {type, 1, 1, (uint8_t)(n >> 8), (uint8_t)n};
    tu_pipe_push(p, h, 5);
    tu_pipe_push(p, d, n);
}

/* A handshake message of `body` bytes of type `type`, filled with a pattern. */
static size_t make_msg(uint8_t *out, uint8_t type, size_t body)
{
    out[0] = type;
    out[1] = (uint8_t)(body >> 16);
    out[2] = (uint8_t)(body >> 8);
    out[3] = (uint8_t)body;
    for (size_t i = 0; i < body; i++)
        out[4 + i] = (uint8_t)(type + i * 7);
    return 4 + body;
}

static void expect_msg(tlcp_record_layer *r, tu_pipe *p, const uint8_t *msg, size_t len)
{
    tlcp_record_item it;
    tlcp_result res = tu_next(r, p, &it);
    if (res != TLCP_OK)
        fail_msg("got %d: %s", res, tlcp_error_message(tlcp_record_error(r)));
    assert_int_equal(it.kind, TLCP_ITEM_HANDSHAKE);
    assert_int_equal(it.hs_type, msg[0]);
    assert_int_equal(tlcp_cursor_len(&it.data), len);
    assert_memory_equal(tlcp_cursor_data(&it.data), msg, len);
}

/* The same record stream read whole, 1 byte per call, and 1 byte with WANT_READs. */
typedef void (*layout_fn)(tu_pipe *p, const uint8_t *m, const size_t *lens);

static void run_layout(layout_fn layout)
{
    uint8_t m[3][400];
    size_t lens[3] = {make_msg(m[0], 2, 70), make_msg(m[1], 11, 300), make_msg(m[2], 14, 0)};
    uint8_t all[1200];
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        memcpy(all + off, m[i], lens[i]);
        off += lens[i];
    }
    for (int mode = 0; mode < 3; mode++) {
        tu_pipe p;
        tu_pipe_init(&p);
        p.read_chunk = mode == 0 ? 0 : 1;
        p.read_blocks = mode == 2;
        layout(&p, all, lens);
        tlcp_record_layer *r = tu_record_new(&p);
        for (int i = 0; i < 3; i++)
            expect_msg(r, &p, m[i], lens[i]);
        tlcp_record_item it;
        assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
        tlcp_record_free(r);
        tu_pipe_free(&p);
    }
}

static size_t total(const size_t *lens)
{
    return lens[0] + lens[1] + lens[2];
}

static void all_in_one(tu_pipe *p, const uint8_t *m, const size_t *lens)
{
    put_record(p, TLCP_CT_HANDSHAKE, m, total(lens));
}

static void one_byte_records(tu_pipe *p, const uint8_t *m, const size_t *lens)
{
    for (size_t i = 0; i < total(lens); i++)
        put_record(p, TLCP_CT_HANDSHAKE, m + i, 1);
}

static void odd_cuts(tu_pipe *p, const uint8_t *m, const size_t *lens)
{
    /* msg1 + 2 bytes of msg2's header | rest of the header + part of body |
     * the remainder of msg2 + msg3 */
    size_t a = lens[0] + 2, b = 150;
    put_record(p, TLCP_CT_HANDSHAKE, m, a);
    put_record(p, TLCP_CT_HANDSHAKE, m + a, b);
    put_record(p, TLCP_CT_HANDSHAKE, m + a + b, total(lens) - a - b);
}

static void test_coalesced_messages(void **state)
{
    (void)state;
    run_layout(all_in_one);
}

static void test_messages_over_many_records(void **state)
{
    (void)state;
    run_layout(one_byte_records);
    run_layout(odd_cuts);
}

/*
 * A message cut by record boundaries is gathered in a buffer that grows with
 * the bytes that arrived, not with its declared length (fuzz finding F2: 11
 * bytes used to pin 128 KiB). A 100000-byte message in records of varied
 * sizes still arrives whole.
 */
static void test_reassembly_grows_with_arrivals(void **state)
{
    (void)state;
    enum { BODY = 100000 };
    static const size_t cuts[] = {11, 1, 3, 700, 16384, 5, 2000};
    uint8_t *m = malloc(4 + BODY);
    assert_non_null(m);
    size_t n = make_msg(m, 11, BODY);
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *r = tu_record_new(&p);
    tlcp_record_item it;
    size_t off = 0;
    for (size_t i = 0; off < n; i++) {
        size_t cut = cuts[i % (sizeof(cuts) / sizeof(cuts[0]))];
        if (cut > n - off)
            cut = n - off;
        put_record(&p, TLCP_CT_HANDSHAKE, m + off, cut);
        off += cut;
        if (off == n)
            break;
        assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
        /* never more than twice what arrived, never more than declared */
        assert_true(r->hs.msg_cap <= 2 * off);
        assert_true(r->hs.msg_cap <= n);
        if (i == 0)
            assert_int_equal(r->hs.msg_cap, 11);
    }
    expect_msg(r, &p, m, n);
    assert_int_equal(tu_next(r, &p, &it), TLCP_WANT_READ);
    tlcp_record_free(r);
    tu_pipe_free(&p);

    /* a header declaring the limit, then the stream ends: refused, nothing big held */
    tu_pipe_init(&p);
    p.eof = 1;
    put_record(&p, TLCP_CT_HANDSHAKE, m, 6);
    r = tu_record_new(&p);
    assert_int_equal(tu_next(r, &p, &it), TLCP_ERROR);
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_EOF);
    assert_true(r->hs.msg_cap <= 6);
    tlcp_record_free(r);
    tu_pipe_free(&p);
    free(m);
}

static size_t limit_big(void *arg, uint8_t type)
{
    (void)type;
    return *(size_t *)arg;
}

/* Sending: one message per record, split at 2^14; receiving joins them. */
static void test_send_one_message_per_record(void **state)
{
    (void)state;
    static uint8_t big[4 + 40000];
    size_t big_len = make_msg(big, 11, 40000);
    uint8_t small[20];
    size_t small_len = make_msg(small, 14, 0);
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, small, small_len));
    assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, small, small_len));
    assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, big, big_len));
    tu_flush(w);
    /* two 4-byte records, then 16384 + 16384 + 7236 */
    assert_int_equal(p.len, 2 * (5 + 4) + 3 * 5 + big_len);
    assert_memory_equal(p.buf, "\x16\x01\x01\x00\x04", 5);
    assert_memory_equal(p.buf + 9, "\x16\x01\x01\x00\x04", 5);
    assert_memory_equal(p.buf + 18, "\x16\x01\x01\x40\x00", 5);

    tlcp_record_layer *r = tu_record_new(&p);
    size_t limit = 40000;
    tlcp_record_set_hs_limit(r, limit_big, &limit);
    expect_msg(r, &p, small, small_len);
    expect_msg(r, &p, small, small_len);
    expect_msg(r, &p, big, big_len);
    tlcp_record_free(r);

    /* one byte less allowed: refused */
    p.pos = 0;
    r = tu_record_new(&p);
    limit = 39999;
    tlcp_record_set_hs_limit(r, limit_big, &limit);
    expect_msg(r, &p, small, small_len);
    expect_msg(r, &p, small, small_len);
    tlcp_record_item it;
    assert_int_equal(tu_next(r, &p, &it), TLCP_ERROR);
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_MESSAGE_TOO_LONG);
    tlcp_record_free(r);
    tlcp_record_free(w);
    tu_pipe_free(&p);
}

static tlcp_result read_alert(const uint8_t *wire, size_t n, int protected_, tlcp_record_item *it,
                              tlcp_error *err_out)
{
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_CBC_SM3, 3, &k);
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    tlcp_record_layer *r = tu_record_new(&p);
    if (protected_) {
        assert_true(tlcp_record_set_pending_write(w, &k) && tlcp_record_activate_write(w));
        assert_true(tlcp_record_set_pending_read(r, &k) && tlcp_record_activate_read(r));
    }
    assert_true(tlcp_record_write(w, TLCP_CT_ALERT, wire, n));
    tu_flush(w);
    p.read_chunk = 1;
    tlcp_result res = tu_next(r, &p, it);
    *err_out = *tlcp_record_error(r);
    /* the outcome repeats: closed stays closed, failed stays failed */
    tlcp_record_item again;
    tlcp_result res2 = tu_next(r, &p, &again);
    if (res != TLCP_OK)
        assert_int_equal(res2, res);
    tlcp_record_free(w);
    tlcp_record_free(r);
    tu_pipe_free(&p);
    return res;
}

static void test_alerts(void **state)
{
    (void)state;
    for (int prot = 0; prot < 2; prot++) {
        tlcp_record_item it;
        tlcp_error e;
        /* known warnings are handed up, including the TLCP codes 200..205 */
        static const uint8_t warnings[] = {90, 100, 42, 200, 201, 202, 203, 204, 205};
        for (size_t i = 0; i < sizeof(warnings); i++) {
            uint8_t a[2] = {1, warnings[i]};
            assert_int_equal(read_alert(a, 2, prot, &it, &e), TLCP_OK);
            assert_int_equal(it.kind, TLCP_ITEM_ALERT);
            assert_int_equal(it.alert_level, 1);
            assert_int_equal(it.alert_description, warnings[i]);
        }
        /* fatal ones end the connection, with the alert still reported */
        static const uint8_t fatals[] = {40, 20, 51, 200, 205};
        for (size_t i = 0; i < sizeof(fatals); i++) {
            uint8_t a[2] = {2, fatals[i]};
            assert_int_equal(read_alert(a, 2, prot, &it, &e), TLCP_ERROR);
            assert_int_equal(e.reason, TLCP_R_PEER_ALERT);
            assert_int_equal(e.alert, TLCP_NO_ALERT);
            assert_int_equal(it.kind, TLCP_ITEM_ALERT);
            assert_int_equal(it.alert_description, fatals[i]);
        }
        /* an unknown description is fatal even at warning level; so is a bad level */
        static const uint8_t unknown[][2] = {{1, 1}, {1, 99}, {1, 206}, {1, 255}, {3, 40}};
        for (size_t i = 0; i < TLCP_ARRAY_LEN(unknown); i++) {
            assert_int_equal(read_alert(unknown[i], 2, prot, &it, &e), TLCP_ERROR);
            assert_int_equal(e.reason, TLCP_R_PEER_ALERT);
        }
        /* close_notify: a clean close, at either level */
        for (uint8_t level = 1; level <= 2; level++) {
            uint8_t a[2] = {level, 0};
            assert_int_equal(read_alert(a, 2, prot, &it, &e), TLCP_CLOSED);
            assert_int_equal(e.reason, TLCP_R_CLOSED);
        }
    }
}

static void test_alert_and_ccs_bytes(void **state)
{
    (void)state;
    tu_pipe p;
    tu_pipe_init(&p);
    tlcp_record_layer *w = tu_record_new(&p);
    assert_true(tlcp_record_write_alert(w, TLCP_ALERT_LEVEL_FATAL, TLCP_ALERT_HANDSHAKE_FAILURE));
    assert_true(tlcp_record_write_ccs(w));
    assert_true(tlcp_record_write_alert(w, TLCP_ALERT_LEVEL_WARNING, TLCP_ALERT_CLOSE_NOTIFY));
    tu_flush(w);
    tu_assert_hex(p.buf, p.len, "15010100020228 140101000101 15010100020100");

    tlcp_record_layer *r = tu_record_new(&p);
    tlcp_record_item it;
    assert_int_equal(tu_next(r, &p, &it), TLCP_ERROR); /* the fatal alert */
    tlcp_record_free(r);
    p.pos = 7;
    r = tu_record_new(&p);
    assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_int_equal(it.kind, TLCP_ITEM_CHANGE_CIPHER_SPEC);
    assert_int_equal(tu_next(r, &p, &it), TLCP_CLOSED);
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_CLOSED);
    tlcp_record_free(r);
    tlcp_record_free(w);
    tu_pipe_free(&p);
}

static void test_eof(void **state)
{
    (void)state;
    tu_pipe p;
    tu_pipe_init(&p);
    p.eof = 1;
    uint8_t m[8];
    size_t n = make_msg(m, 14, 0);
    put_record(&p, TLCP_CT_HANDSHAKE, m, n);
    tlcp_record_layer *r = tu_record_new(&p);
    expect_msg(r, &p, m, n);
    tlcp_record_item it;
    /* end of stream at a record boundary without close_notify */
    assert_int_equal(tu_next(r, &p, &it), TLCP_CLOSED);
    assert_int_equal(tlcp_record_error(r)->reason, TLCP_R_EOF);
    assert_int_equal(tu_next(r, &p, &it), TLCP_CLOSED);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

/* Application data, handshake and alerts interleave freely after the handshake. */
static void test_mixed_stream(void **state)
{
    (void)state;
    tlcp_record_keys k;
    tu_test_keys(TLCP_BULK_SM4_GCM, 8, &k);
    tu_pipe p;
    tu_pipe_init(&p);
    p.read_chunk = 3;
    tlcp_record_layer *w = tu_record_new(&p);
    tlcp_record_layer *r = tu_record_new(&p);
    uint8_t m[64];
    size_t n = make_msg(m, 20, 12);
    assert_true(tlcp_record_write_ccs(w));
    assert_true(tlcp_record_set_pending_write(w, &k) && tlcp_record_activate_write(w));
    assert_true(tlcp_record_write(w, TLCP_CT_HANDSHAKE, m, n));
    assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, NULL, 0));
    assert_true(tlcp_record_write(w, TLCP_CT_APPLICATION_DATA, (const uint8_t *)"abc", 3));
    assert_true(tlcp_record_write_alert(w, 1, TLCP_ALERT_USER_CANCELED));
    assert_true(tlcp_record_write_alert(w, 1, TLCP_ALERT_CLOSE_NOTIFY));
    tu_flush(w);

    tlcp_record_item it;
    assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_int_equal(it.kind, TLCP_ITEM_CHANGE_CIPHER_SPEC);
    /* the CCS item is the caller's cue to switch the read keys */
    assert_true(tlcp_record_set_pending_read(r, &k) && tlcp_record_activate_read(r));
    expect_msg(r, &p, m, n);
    assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_int_equal(it.kind, TLCP_ITEM_APPLICATION_DATA);
    assert_memory_equal(tlcp_cursor_data(&it.data), "abc", 3);
    assert_int_equal(tu_next(r, &p, &it), TLCP_OK);
    assert_int_equal(it.kind, TLCP_ITEM_ALERT);
    assert_int_equal(it.alert_description, TLCP_ALERT_USER_CANCELED);
    assert_int_equal(tu_next(r, &p, &it), TLCP_CLOSED);
    assert_int_equal(tlcp_record_test_get_seq(r, 0), 5);
    tlcp_record_free(w);
    tlcp_record_free(r);
    tu_pipe_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coalesced_messages),
        cmocka_unit_test(test_messages_over_many_records),
        cmocka_unit_test(test_reassembly_grows_with_arrivals),
        cmocka_unit_test(test_send_one_message_per_record),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_alert_and_ccs_bytes),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_mixed_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

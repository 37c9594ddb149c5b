/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_cursor: every read either succeeds completely or leaves the cursor untouched. */
#include <string.h>

#include "testutil.h"
#include "util/bytes.h"

static const uint8_t sample[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

/* The cursor still points at `data` with `len` bytes left. */
static void assert_at(const tlcp_cursor *c, const uint8_t *data, size_t len)
{
    assert_ptr_equal(tlcp_cursor_data(c), data);
    assert_int_equal(tlcp_cursor_len(c), len);
}

static void test_init_and_null(void **state)
{
    (void)state;
    tlcp_cursor c;
    tlcp_cursor_init(&c, sample, sizeof(sample));
    assert_at(&c, sample, sizeof(sample));
    assert_false(tlcp_cursor_is_empty(&c));

    /* A NULL buffer never claims to have bytes, whatever length is passed. */
    tlcp_cursor_init(&c, NULL, 100);
    assert_int_equal(tlcp_cursor_len(&c), 0);
    assert_true(tlcp_cursor_is_empty(&c));
    uint8_t v8 = 0xAA;
    assert_false(tlcp_cursor_get_u8(&c, &v8));
    assert_int_equal(v8, 0xAA);
    /* Zero-length steps on an empty NULL cursor succeed and do no pointer
     * arithmetic on NULL (clang's UBSan flags NULL + 0). */
    tlcp_cursor child;
    assert_true(tlcp_cursor_skip(&c, 0));
    assert_true(tlcp_cursor_get_bytes(&c, &child, 0));
    assert_true(tlcp_cursor_copy_bytes(&c, &v8, 0));
    assert_null(tlcp_cursor_data(&c));
    assert_true(tlcp_cursor_is_empty(&child));
}

static void test_get_values_big_endian(void **state)
{
    (void)state;
    tlcp_cursor c;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;

    tlcp_cursor_init(&c, sample, sizeof(sample));
    assert_true(tlcp_cursor_get_u8(&c, &v8));
    assert_int_equal(v8, 0x01);
    assert_true(tlcp_cursor_get_u16(&c, &v16));
    assert_int_equal(v16, 0x0203);
    assert_true(tlcp_cursor_get_u24(&c, &v32));
    assert_int_equal(v32, 0x040506);
    assert_true(tlcp_cursor_get_u24(&c, &v32));
    assert_int_equal(v32, 0x070809);
    assert_true(tlcp_cursor_is_empty(&c));

    tlcp_cursor_init(&c, sample, sizeof(sample));
    assert_true(tlcp_cursor_get_u32(&c, &v32));
    assert_int_equal(v32, 0x01020304);
    tlcp_cursor_init(&c, sample, sizeof(sample));
    assert_true(tlcp_cursor_get_u64(&c, &v64));
    assert_true(v64 == 0x0102030405060708ull);
    assert_at(&c, sample + 8, 1);

    /* The top bit survives (no sign extension). */
    static const uint8_t ff[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE};
    tlcp_cursor_init(&c, ff, sizeof(ff));
    assert_true(tlcp_cursor_get_u64(&c, &v64));
    assert_true(v64 == 0xFFFFFFFFFFFFFFFEull);
    tlcp_cursor_init(&c, ff, sizeof(ff));
    assert_true(tlcp_cursor_get_u24(&c, &v32));
    assert_int_equal(v32, 0xFFFFFF);
    assert_true(tlcp_cursor_get_u32(&c, &v32));
    assert_int_equal(v32, 0xFFFFFFFF);
}

/* For every width, every input shorter than the width fails without moving. */
static void test_get_short_input_fails_unchanged(void **state)
{
    (void)state;
    for (size_t len = 0; len < 8; len++) {
        tlcp_cursor c;
        uint8_t v8 = 0x5A;
        uint16_t v16 = 0x5A5A;
        uint32_t v32 = 0x5A5A5A5A;
        uint64_t v64 = 0x5A5A5A5A5A5A5A5Aull;

        tlcp_cursor_init(&c, sample, len);
        if (len < 1) {
            assert_false(tlcp_cursor_get_u8(&c, &v8));
            assert_false(tlcp_cursor_peek_u8(&c, &v8));
            assert_int_equal(v8, 0x5A);
        }
        if (len < 2) {
            assert_false(tlcp_cursor_get_u16(&c, &v16));
            assert_int_equal(v16, 0x5A5A);
        }
        if (len < 3) {
            assert_false(tlcp_cursor_get_u24(&c, &v32));
            assert_int_equal(v32, 0x5A5A5A5A);
        }
        if (len < 4) {
            assert_false(tlcp_cursor_get_u32(&c, &v32));
            assert_int_equal(v32, 0x5A5A5A5A);
        }
        assert_false(tlcp_cursor_get_u64(&c, &v64));
        assert_true(v64 == 0x5A5A5A5A5A5A5A5Aull);
        assert_at(&c, sample, len);
    }
}

static void test_peek_does_not_consume(void **state)
{
    (void)state;
    tlcp_cursor c;
    uint8_t v = 0;
    tlcp_cursor_init(&c, sample + 4, 2);
    assert_true(tlcp_cursor_peek_u8(&c, &v));
    assert_int_equal(v, 0x05);
    assert_at(&c, sample + 4, 2);
}

static void test_skip(void **state)
{
    (void)state;
    tlcp_cursor c;
    tlcp_cursor_init(&c, sample, 5);
    assert_true(tlcp_cursor_skip(&c, 0));
    assert_at(&c, sample, 5);
    assert_false(tlcp_cursor_skip(&c, 6));
    assert_false(tlcp_cursor_skip(&c, SIZE_MAX));
    assert_at(&c, sample, 5);
    assert_true(tlcp_cursor_skip(&c, 2));
    assert_at(&c, sample + 2, 3);
    assert_true(tlcp_cursor_skip(&c, 3));
    assert_true(tlcp_cursor_is_empty(&c));
    assert_false(tlcp_cursor_skip(&c, 1));
    assert_true(tlcp_cursor_skip(&c, 0));
}

static void test_copy_bytes(void **state)
{
    (void)state;
    tlcp_cursor c;
    uint8_t out[8];
    memset(out, 0xEE, sizeof(out));
    tlcp_cursor_init(&c, sample, 4);

    /* Too long: nothing copied, nothing consumed. */
    assert_false(tlcp_cursor_copy_bytes(&c, out, 5));
    assert_false(tlcp_cursor_copy_bytes(&c, out, SIZE_MAX));
    assert_at(&c, sample, 4);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xEE);

    /* Zero bytes is fine, even into NULL. */
    assert_true(tlcp_cursor_copy_bytes(&c, NULL, 0));
    assert_at(&c, sample, 4);

    assert_true(tlcp_cursor_copy_bytes(&c, out, 3));
    tu_assert_hex(out, 3, "010203");
    assert_int_equal(out[3], 0xEE);
    assert_at(&c, sample + 3, 1);
    assert_true(tlcp_cursor_copy_bytes(&c, out, 1));
    assert_int_equal(out[0], 0x04);
    assert_true(tlcp_cursor_is_empty(&c));
}

static void test_get_bytes_child(void **state)
{
    (void)state;
    tlcp_cursor c, child;
    tlcp_cursor_init(&c, sample, 6);
    memset(&child, 0, sizeof(child));
    assert_false(tlcp_cursor_get_bytes(&c, &child, 7));
    assert_at(&c, sample, 6);
    assert_null(tlcp_cursor_data(&child)); /* untouched on failure */

    assert_true(tlcp_cursor_get_bytes(&c, &child, 4));
    assert_at(&child, sample, 4); /* no copy: the child aliases the parent */
    assert_at(&c, sample + 4, 2);

    /* The child is bounded by its own length, not the parent's buffer. */
    assert_false(tlcp_cursor_skip(&child, 5));
    uint32_t v;
    assert_true(tlcp_cursor_get_u32(&child, &v));
    assert_int_equal(v, 0x01020304);
    assert_true(tlcp_cursor_is_empty(&child));
    uint8_t b;
    assert_false(tlcp_cursor_get_u8(&child, &b));

    assert_true(tlcp_cursor_get_bytes(&c, &child, 0));
    assert_int_equal(tlcp_cursor_len(&child), 0);
    assert_at(&c, sample + 4, 2);
}

static void test_prefixed_ok(void **state)
{
    (void)state;
    /* u8: 2 bytes | u16: 3 bytes | u24: 1 byte | trailing 0xEE */
    static const uint8_t msg[] = {0x02, 0xA1, 0xA2, 0x00, 0x03, 0xB1, 0xB2,
                                  0xB3, 0x00, 0x00, 0x01, 0xC1, 0xEE};
    tlcp_cursor c, child;
    tlcp_cursor_init(&c, msg, sizeof(msg));

    assert_true(tlcp_cursor_get_u8_prefixed(&c, &child));
    assert_at(&child, msg + 1, 2);
    assert_true(tlcp_cursor_get_u16_prefixed(&c, &child));
    assert_at(&child, msg + 5, 3);
    assert_true(tlcp_cursor_get_u24_prefixed(&c, &child));
    assert_at(&child, msg + 11, 1);
    assert_at(&c, msg + 12, 1);
    assert_false(tlcp_cursor_is_empty(&c)); /* the trailing byte is detected */
}

static void test_prefixed_empty_body(void **state)
{
    (void)state;
    static const uint8_t msg[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    tlcp_cursor c, child;
    tlcp_cursor_init(&c, msg, sizeof(msg));
    assert_true(tlcp_cursor_get_u8_prefixed(&c, &child));
    assert_true(tlcp_cursor_is_empty(&child));
    assert_true(tlcp_cursor_get_u16_prefixed(&c, &child));
    assert_true(tlcp_cursor_is_empty(&child));
    assert_true(tlcp_cursor_get_u24_prefixed(&c, &child));
    assert_true(tlcp_cursor_is_empty(&child));
    assert_true(tlcp_cursor_is_empty(&c));
}

typedef int (*prefixed_fn)(tlcp_cursor *, tlcp_cursor *);

/* The prefix claims one byte more than remains: fails, cursor and child untouched. */
static void check_prefix_too_long(prefixed_fn fn, const uint8_t *msg, size_t len)
{
    tlcp_cursor c, child;
    tlcp_cursor_init(&c, msg, len);
    tlcp_cursor_init(&child, sample, 3);
    assert_false(fn(&c, &child));
    assert_at(&c, msg, len);
    assert_at(&child, sample, 3);
}

static void test_prefixed_length_exceeds_remaining(void **state)
{
    (void)state;
    static const uint8_t u8_msg[] = {0x03, 0xA1, 0xA2};
    static const uint8_t u16_msg[] = {0x00, 0x03, 0xA1, 0xA2};
    static const uint8_t u24_msg[] = {0x00, 0x00, 0x03, 0xA1, 0xA2};
    static const uint8_t u24_huge[] = {0xFF, 0xFF, 0xFF, 0xA1};
    static const uint8_t u16_huge[] = {0xFF, 0xFF, 0xA1};
    check_prefix_too_long(tlcp_cursor_get_u8_prefixed, u8_msg, sizeof(u8_msg));
    check_prefix_too_long(tlcp_cursor_get_u16_prefixed, u16_msg, sizeof(u16_msg));
    check_prefix_too_long(tlcp_cursor_get_u24_prefixed, u24_msg, sizeof(u24_msg));
    check_prefix_too_long(tlcp_cursor_get_u24_prefixed, u24_huge, sizeof(u24_huge));
    check_prefix_too_long(tlcp_cursor_get_u16_prefixed, u16_huge, sizeof(u16_huge));
}

/* Fewer bytes than the length field itself. */
static void test_prefixed_truncated_length_field(void **state)
{
    (void)state;
    static const uint8_t msg[] = {0x00, 0x00};
    check_prefix_too_long(tlcp_cursor_get_u8_prefixed, msg, 0);
    check_prefix_too_long(tlcp_cursor_get_u16_prefixed, msg, 1);
    check_prefix_too_long(tlcp_cursor_get_u24_prefixed, msg, 2);
}

/*
 * A handshake-shaped structure: u24 body { u16 list { u8 item, u8 item } , u8 x }.
 * The inner reads are bounded by the inner lengths even where the outer buffer
 * has more bytes.
 */
static void test_nested_prefixes(void **state)
{
    (void)state;
    static const uint8_t msg[] = {
        0x00, 0x00, 0x09, /* u24 length 9 */
        0x00, 0x06,       /* u16 list length 6 */
        0x02, 0xA1, 0xA2, /* u8 item */
        0x01, 0xB1,       /* u8 item */
        0x00,             /* u8 empty item */
        0x7F,             /* one trailing byte inside the u24 body */
        0xEE,             /* outside the u24 body */
    };
    tlcp_cursor c, body, list, item;
    uint8_t v;
    tlcp_cursor_init(&c, msg, sizeof(msg));
    assert_true(tlcp_cursor_get_u24_prefixed(&c, &body));
    assert_int_equal(tlcp_cursor_len(&body), 9);
    assert_true(tlcp_cursor_get_u16_prefixed(&body, &list));
    assert_int_equal(tlcp_cursor_len(&list), 6);

    assert_true(tlcp_cursor_get_u8_prefixed(&list, &item));
    tu_assert_hex(tlcp_cursor_data(&item), tlcp_cursor_len(&item), "A1A2");
    assert_true(tlcp_cursor_get_u8_prefixed(&list, &item));
    tu_assert_hex(tlcp_cursor_data(&item), tlcp_cursor_len(&item), "B1");
    assert_true(tlcp_cursor_get_u8_prefixed(&list, &item));
    assert_true(tlcp_cursor_is_empty(&item));
    assert_true(tlcp_cursor_is_empty(&list));
    assert_false(tlcp_cursor_get_u8_prefixed(&list, &item));

    assert_true(tlcp_cursor_get_u8(&body, &v));
    assert_int_equal(v, 0x7F);
    assert_true(tlcp_cursor_is_empty(&body));
    assert_false(tlcp_cursor_get_u8(&body, &v)); /* does not run into 0xEE */
    assert_at(&c, msg + 12, 1);
}

/* An inner length that reaches past the outer body fails even though the
 * bytes exist in the underlying buffer. */
static void test_nested_inner_overruns_outer(void **state)
{
    (void)state;
    static const uint8_t msg[] = {
        0x03,             /* outer u8 length 3 */
        0x00, 0x02, 0xA1, /* inner u16 claims 2, only 1 inside the outer body */
        0xA2, 0xA3,       /* bytes that belong to the next field */
    };
    tlcp_cursor c, outer, inner;
    tlcp_cursor_init(&c, msg, sizeof(msg));
    assert_true(tlcp_cursor_get_u8_prefixed(&c, &outer));
    memset(&inner, 0, sizeof(inner));
    assert_false(tlcp_cursor_get_u16_prefixed(&outer, &inner));
    assert_at(&outer, msg + 1, 3);
    assert_null(tlcp_cursor_data(&inner));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_null),
        cmocka_unit_test(test_get_values_big_endian),
        cmocka_unit_test(test_get_short_input_fails_unchanged),
        cmocka_unit_test(test_peek_does_not_consume),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_copy_bytes),
        cmocka_unit_test(test_get_bytes_child),
        cmocka_unit_test(test_prefixed_ok),
        cmocka_unit_test(test_prefixed_empty_body),
        cmocka_unit_test(test_prefixed_length_exceeds_remaining),
        cmocka_unit_test(test_prefixed_truncated_length_field),
        cmocka_unit_test(test_nested_prefixes),
        cmocka_unit_test(test_nested_inner_overruns_outer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

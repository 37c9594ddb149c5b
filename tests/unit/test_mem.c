/* SPDX-License-Identifier: Apache-2.0 */
/* Secret hygiene helpers: wipe, constant-time compare and masks. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/mem.h"

#define ONES    ((size_t)0 - 1)
#define TOP_BIT ((size_t)1 << (sizeof(size_t) * 8 - 1))

static void test_wipe(void **state)
{
    (void)state;
    uint8_t buf[40];
    memset(buf, 0xAB, sizeof(buf));
    tlcp_wipe(buf + 4, 32);
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], (i >= 4 && i < 36) ? 0x00 : 0xAB); /* exactly the range */
    memset(buf, 0xAB, sizeof(buf));
    tlcp_wipe(buf, 0);
    assert_int_equal(buf[0], 0xAB);
    tlcp_wipe(NULL, 10); /* no-op, no crash */
}

static void test_free_secret(void **state)
{
    (void)state;
    uint8_t *p = malloc(64);
    assert_non_null(p);
    memset(p, 0x5C, 64);
    tlcp_free_secret(p, 64); /* ASan reports a leak or a bad free */
    tlcp_free_secret(NULL, 64);
}

static void test_ct_equal(void **state)
{
    (void)state;
    uint8_t a[33], b[33];
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = b[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(tlcp_ct_equal(a, b, sizeof(a)), 1);
    assert_int_equal(tlcp_ct_equal(a, b, 0), 1);
    assert_int_equal(tlcp_ct_equal(NULL, NULL, 0), 1);
    /* Every single-bit difference in every position is seen. */
    for (size_t i = 0; i < sizeof(a); i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(tlcp_ct_equal(a, b, sizeof(a)), 0);
            /* ...and only within the compared length. */
            assert_int_equal(tlcp_ct_equal(a, b, i), 1);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* Differences that cancel in a sum or xor-fold still differ. */
    static const uint8_t x[2] = {0x01, 0x02}, y[2] = {0x02, 0x01};
    assert_int_equal(tlcp_ct_equal(x, y, 2), 0);
    static const uint8_t z[2] = {0xFF, 0x00}, w[2] = {0x00, 0xFF};
    assert_int_equal(tlcp_ct_equal(z, w, 2), 0);
}

static const size_t edge_values[] = {
    0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, TOP_BIT - 1, TOP_BIT, TOP_BIT + 1, ONES - 1, ONES,
};

static void test_ct_is_zero(void **state)
{
    (void)state;
    assert_true(tlcp_ct_is_zero(0) == ONES);
    assert_true(tlcp_ct_is_zero(1) == 0);
    assert_true(tlcp_ct_is_zero(SIZE_MAX) == 0);
    assert_true(tlcp_ct_is_zero(TOP_BIT) == 0);
    for (size_t i = 0; i < sizeof(edge_values) / sizeof(edge_values[0]); i++) {
        size_t x = edge_values[i];
        assert_true(tlcp_ct_is_zero(x) == (x == 0 ? ONES : 0));
    }
}

static void test_ct_compare_masks(void **state)
{
    (void)state;
    size_t n = sizeof(edge_values) / sizeof(edge_values[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            size_t a = edge_values[i], b = edge_values[j];
            assert_true(tlcp_ct_eq(a, b) == (a == b ? ONES : 0));
            assert_true(tlcp_ct_lt(a, b) == (a < b ? ONES : 0));
            assert_true(tlcp_ct_ge(a, b) == (a >= b ? ONES : 0));
        }
    }
    /* The edges spelled out. */
    assert_true(tlcp_ct_lt(0, SIZE_MAX) == ONES);
    assert_true(tlcp_ct_lt(SIZE_MAX, 0) == 0);
    assert_true(tlcp_ct_lt(SIZE_MAX - 1, SIZE_MAX) == ONES);
    assert_true(tlcp_ct_lt(SIZE_MAX, SIZE_MAX) == 0);
    assert_true(tlcp_ct_ge(SIZE_MAX, SIZE_MAX) == ONES);
    assert_true(tlcp_ct_lt(0, 0) == 0);
    assert_true(tlcp_ct_ge(0, 0) == ONES);
    assert_true(tlcp_ct_lt(0, 1) == ONES);
    assert_true(tlcp_ct_lt(1, 0) == 0);
    assert_true(tlcp_ct_lt(TOP_BIT - 1, TOP_BIT) == ONES);
    assert_true(tlcp_ct_lt(TOP_BIT, TOP_BIT - 1) == 0);
    assert_true(tlcp_ct_eq(SIZE_MAX, SIZE_MAX) == ONES);
    assert_true(tlcp_ct_eq(0, SIZE_MAX) == 0);
}

/* A pseudo-random sweep (fixed seed) against the plain operators. */
static void test_ct_masks_sweep(void **state)
{
    (void)state;
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        size_t a = (size_t)s;
        size_t b = (i & 1) ? (size_t)(s >> 3) : a + (size_t)(i % 3) - 1; /* near neighbours */
        assert_true(tlcp_ct_lt(a, b) == (a < b ? ONES : 0));
        assert_true(tlcp_ct_eq(a, b) == (a == b ? ONES : 0));
    }
}

static void test_ct_select(void **state)
{
    (void)state;
    assert_true(tlcp_ct_select(ONES, 0x1234, 0x5678) == 0x1234);
    assert_true(tlcp_ct_select(0, 0x1234, 0x5678) == 0x5678);
    assert_true(tlcp_ct_select(ONES, 0, SIZE_MAX) == 0);
    assert_true(tlcp_ct_select(0, 0, SIZE_MAX) == SIZE_MAX);
    assert_true(tlcp_ct_select(tlcp_ct_lt(3, 5), 3, 5) == 3); /* min(3, 5) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_free_secret),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_ct_is_zero),
        cmocka_unit_test(test_ct_compare_masks),
        cmocka_unit_test(test_ct_masks_sweep),
        cmocka_unit_test(test_ct_select),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

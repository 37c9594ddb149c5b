/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_random_bytes: the RAND path, the deterministic test stream, the test queue. */
#include "testutil.h"

#include <openssl/err.h>
#include <string.h>

#include "crypto/crypto.h"

static int reset(void **state)
{
    (void)state;
    tlcp_random_set_deterministic(0, 0);
    return 0;
}

static void test_rand_path_differs(void **state)
{
    (void)state;
    uint8_t a[32], b[32], zero[32] = {0};
    tlcp_error err = {0};
    assert_int_equal(tlcp_random_bytes(a, sizeof(a), &err), 1);
    assert_int_equal(tlcp_random_bytes(b, sizeof(b), &err), 1);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_int_equal(tlcp_random_bytes(NULL, 0, &err), 1); /* nothing asked, nothing written */
    assert_false(tlcp_error_is_set(&err));
}

static void test_deterministic_stream(void **state)
{
    (void)state;
    uint8_t a[37], b[37], c[37];
    tlcp_random_set_deterministic(1, 42);
    assert_int_equal(tlcp_random_bytes(a, sizeof(a), NULL), 1);
    tlcp_random_set_deterministic(1, 42);
    assert_int_equal(tlcp_random_bytes(b, sizeof(b), NULL), 1);
    assert_memory_equal(a, b, sizeof(a));
    /* The stream advances... */
    assert_int_equal(tlcp_random_bytes(c, sizeof(c), NULL), 1);
    assert_memory_not_equal(a, c, sizeof(a));
    /* ...and another seed gives another stream. */
    tlcp_random_set_deterministic(1, 43);
    assert_int_equal(tlcp_random_bytes(c, sizeof(c), NULL), 1);
    assert_memory_not_equal(a, c, sizeof(a));
    /* Turning it off goes back to RAND_bytes. */
    tlcp_random_set_deterministic(0, 42);
    assert_int_equal(tlcp_random_bytes(c, sizeof(c), NULL), 1);
    assert_memory_not_equal(a, c, sizeof(a));
}

static void test_queue_then_fallback(void **state)
{
    (void)state;
    const uint8_t q[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    uint8_t a[4], b[6], c[10];
    tlcp_random_set_deterministic(1, 7);
    tlcp_random_queue(q, sizeof(q));
    assert_int_equal(tlcp_random_bytes(a, sizeof(a), NULL), 1);
    assert_memory_equal(a, q, 4);
    assert_int_equal(tlcp_random_bytes(b, sizeof(b), NULL), 1);
    assert_memory_equal(b, q + 4, 6);
    /* The queue is used up: back to the seeded stream, as if nothing was queued. */
    uint8_t want[10];
    assert_int_equal(tlcp_random_bytes(c, sizeof(c), NULL), 1);
    tlcp_random_set_deterministic(1, 7);
    assert_int_equal(tlcp_random_bytes(want, sizeof(want), NULL), 1);
    assert_memory_equal(c, want, sizeof(c));
}

static void test_short_queue_fails(void **state)
{
    (void)state;
    const uint8_t q[] = {9, 9, 9};
    uint8_t out[8];
    tlcp_error err = {0};
    tlcp_random_queue(q, sizeof(q));
    assert_int_equal(tlcp_random_bytes(out, sizeof(out), &err), 0);
    assert_int_equal(err.reason, TLCP_R_RNG);
    assert_int_equal(ERR_peek_error(), 0);
    tlcp_random_set_deterministic(0, 0); /* drops the queue */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rand_path_differs, reset, reset),
        cmocka_unit_test_setup_teardown(test_deterministic_stream, reset, reset),
        cmocka_unit_test_setup_teardown(test_queue_then_fallback, reset, reset),
        cmocka_unit_test_setup_teardown(test_short_queue_fails, reset, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

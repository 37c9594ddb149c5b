/* SPDX-License-Identifier: Apache-2.0 */
/* The shared hex decoder: every byte value as a digit, round trips of
 * random data, and the malformed inputs each caller relies on refusing. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "util/hex.h"

static int reference_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void test_every_byte_value(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++)
        assert_int_equal(tlcp_hex_digit((char)c), reference_digit(c));
}

static void test_round_trip_random(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        uint8_t in[64], out[64];
        char text[2 * sizeof(in) + 1];
        size_t n = (size_t)round % sizeof(in);
        assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
        for (size_t i = 0; i < n; i++)
            snprintf(text + 2 * i, 3, round % 2 ? "%02X" : "%02x", in[i]);
        assert_int_equal(tlcp_hex_decode(text, 2 * n, out, sizeof(out)), (long)n);
        assert_memory_equal(out, in, n);
    }
}

static void test_malformed_refused_and_wiped(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(tlcp_hex_decode("abc", 3, out, sizeof(out)), -1); /* odd length */
    assert_int_equal(tlcp_hex_decode("0011", 4, out, 1), -1);          /* over cap */
    assert_int_equal(tlcp_hex_decode("", 0, out, 0), 0);               /* empty is fine */
    static const char *const bad[] = {"0g", "g0", " 0", "0:", "/0", "@0", "`0", "G0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(tlcp_hex_decode(bad[i], 2, out, sizeof(out)), -1);
    memset(out, 0x55, sizeof(out));
    assert_int_equal(tlcp_hex_decode("a1b2c3zz", 8, out, sizeof(out)), -1);
    static const uint8_t zero[4] = {0};
    assert_memory_equal(out, zero, 4); /* the decoded prefix of a refused text is wiped */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_value),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_malformed_refused_and_wiped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

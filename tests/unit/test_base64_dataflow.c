/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of the Base64 code that handles exported sessions (their
 * master secret): the bytes to encode and the characters to decode are
 * marked undefined for Valgrind's memcheck, which reports any branch or
 * memory address that depends on them. Without valgrind (or under a
 * sanitizer) the same calls run as a correctness check and the test exits
 * 77, "skipped" (tu_dataflow_main).
 */
#include "testutil.h"

#include <string.h>

#include "util/base64.h"

#include "dataflow.h"

static void test_encode_never_steers(void **state)
{
    (void)state;
    uint8_t data[256];
    char text[344 + 4], want[344 + 4];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)i; /* every byte value, so every alphabet branch would show */
    for (size_t len = 254; len <= 256; len++) { /* no, one and two padding characters */
        size_t n = tlcp_base64_encode(data, len, want);
        MAKE_SECRET(data, sizeof(data));
        size_t m = tlcp_base64_encode(data, len, text);
        MAKE_PUBLIC(text, sizeof(text));
        MAKE_PUBLIC(data, sizeof(data));
        assert_int_equal(m, n);
        assert_memory_equal(text, want, n);
    }
}

static void test_decode_quad_never_steers(void **state)
{
    (void)state;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < 64; i += 4) {
        char quad[4];
        uint8_t out[3];
        memcpy(quad, alphabet + i, 4);
        MAKE_SECRET(quad, sizeof(quad));
        unsigned bad = tlcp_base64_decode_quad(quad, out);
        MAKE_PUBLIC(&bad, sizeof(bad));
        MAKE_PUBLIC(out, sizeof(out));
        assert_int_equal(bad, 0);
        unsigned w = (unsigned)i << 18 | (unsigned)(i + 1) << 12 | (unsigned)(i + 2) << 6 | (i + 3);
        assert_int_equal(out[0], (w >> 16) & 0xFF);
        assert_int_equal(out[1], (w >> 8) & 0xFF);
        assert_int_equal(out[2], w & 0xFF);
    }
    /* a character outside the alphabet is reported, still without a branch */
    char quad[4] = {'Z', 'm', '-', 'v'};
    uint8_t out[3];
    MAKE_SECRET(quad, sizeof(quad));
    unsigned bad = tlcp_base64_decode_quad(quad, out);
    MAKE_PUBLIC(&bad, sizeof(bad));
    assert_int_equal(bad, ~0u);
}

static int run_group(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_never_steers),
        cmocka_unit_test(test_decode_quad_never_steers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    return tu_dataflow_main(argv[0], run_group, NULL);
}

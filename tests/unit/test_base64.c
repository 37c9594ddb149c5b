/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time Base64: RFC 4648 vectors, OpenSSL as the reference on
 * random data, and every kind of malformed text. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/base64.h"

static void test_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                        "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        size_t n = tlcp_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), out);
        assert_int_equal(n, strlen(coded[i]));
        assert_int_equal(n, tlcp_base64_encoded_len(strlen(plain[i])));
        assert_memory_equal(out, coded[i], n);
        uint8_t back[16];
        size_t m = 99;
        assert_true(tlcp_base64_decode(coded[i], strlen(coded[i]), back, sizeof(back), &m));
        assert_int_equal(m, strlen(plain[i]));
        assert_memory_equal(back, plain[i], m);
    }
}

/* Every byte value through both directions, compared with OpenSSL. */
static void test_against_openssl(void **state)
{
    (void)state;
    uint8_t in[300], back[300];
    char ours[404];
    unsigned char ref[404];
    for (size_t len = 0; len <= sizeof(in); len++) {
        if (len < 256) {
            for (size_t i = 0; i < len; i++)
                in[i] = (uint8_t)(i * 7 + len);
        } else {
            assert_int_equal(RAND_bytes(in, (int)len), 1);
        }
        size_t n = tlcp_base64_encode(in, len, ours);
        int rn = EVP_EncodeBlock(ref, in, (int)len);
        assert_int_equal(n, (size_t)rn);
        assert_memory_equal(ours, ref, n);
        size_t m = 0;
        assert_true(tlcp_base64_decode(ours, n, back, sizeof(back), &m));
        assert_int_equal(m, len);
        assert_memory_equal(back, in, len);
    }
    /* all 64 characters of the alphabet in one text */
    static const char all[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t m = 0;
    assert_true(tlcp_base64_decode(all, 64, back, sizeof(back), &m));
    assert_int_equal(m, 48);
    int rm = EVP_DecodeBlock(ref, (const unsigned char *)all, 64);
    assert_int_equal(rm, 48);
    assert_memory_equal(back, ref, 48);
}

static void test_line_breaks(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t m = 0;
    assert_true(tlcp_base64_decode("\nZm9v\r\nYmFy\n", 12, out, sizeof(out), &m));
    assert_int_equal(m, 6);
    assert_memory_equal(out, "foobar", 6);
    /* a break inside a group is fine too (only the character count matters) */
    assert_true(tlcp_base64_decode("Zm\n9v", 5, out, sizeof(out), &m));
    assert_int_equal(m, 3);
}

static void expect_bad(const char *text, size_t cap)
{
    uint8_t out[64];
    size_t m = 12345;
    assert_false(tlcp_base64_decode(text, strlen(text), out, cap, &m));
    assert_int_equal(m, 12345); /* untouched on failure */
}

static void test_malformed(void **state)
{
    (void)state;
    expect_bad("Zm9", 64);    /* not a multiple of 4 */
    expect_bad("Zm9vY", 64);  /* dangling character */
    expect_bad("Zm 9v", 64);  /* space */
    expect_bad("Zm9v\t", 64); /* tab */
    expect_bad("Zm-v", 64);   /* URL-safe alphabet is not ours */
    expect_bad("Zm_v", 64);
    expect_bad("Zm9\xc3", 64); /* high byte */
    expect_bad("=m9v", 64);    /* padding first */
    expect_bad("Z=9v", 64);
    expect_bad("Zm=v", 64);     /* padding before data */
    expect_bad("Zg==Zm9v", 64); /* data after padding */
    expect_bad("Zg==\n=", 64);
    expect_bad("Zh==", 64);    /* non-canonical: spare bits set */
    expect_bad("Zm9=", 64);    /* "Zm8=" is the canonical form */
    expect_bad("Zm9vYmFy", 5); /* 6 bytes do not fit into 5 */
    expect_bad("Zm9vYg==", 3);
    uint8_t out[8];
    size_t m = 0;
    assert_true(tlcp_base64_decode("Zm9vYmFy", 8, out, 6, &m)); /* exactly enough */
    assert_int_equal(m, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_against_openssl),
        cmocka_unit_test(test_line_breaks),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* SipHash-2-4: the published vectors and OpenSSL's SIPHASH MAC for every length 0..100. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "testutil.h"
#include "util/siphash.h"

static void sequence(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)i;
}

/* The SipHash paper's appendix: key 00..0f, message 00..0e gives
 * a129ca6149be45e5; the reference implementation's first vector (empty
 * message) is 726fdb47dd0e0e31. */
static void test_published_vectors(void **state)
{
    (void)state;
    uint8_t key[16], msg[15];
    sequence(key, sizeof(key));
    sequence(msg, sizeof(msg));
    assert_true(tlcp_siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
    assert_true(tlcp_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
}

/* OpenSSL's SIPHASH MAC (8-byte output, 2-4 rounds) writes the hash as
 * little-endian bytes. */
static uint64_t openssl_siphash(const uint8_t key[16], const uint8_t *msg, size_t len)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    assert_non_null(mac);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    assert_non_null(ctx);
    size_t size = 8;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                           OSSL_PARAM_construct_end()};
    assert_int_equal(EVP_MAC_init(ctx, key, 16, params), 1);
    assert_int_equal(EVP_MAC_update(ctx, msg, len), 1);
    uint8_t out[8];
    size_t out_len = 0;
    assert_int_equal(EVP_MAC_final(ctx, out, &out_len, sizeof(out)), 1);
    assert_int_equal(out_len, 8);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | out[i];
    return v;
}

static void test_against_openssl(void **state)
{
    (void)state;
    uint8_t key[16], msg[100];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xA5 ^ (i * 37));
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof(msg); len++)
        assert_true(tlcp_siphash24(key, msg, len) == openssl_siphash(key, msg, len));
    /* The key matters. */
    uint64_t h = tlcp_siphash24(key, msg, 32);
    key[15] ^= 1;
    assert_true(tlcp_siphash24(key, msg, 32) != h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_against_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

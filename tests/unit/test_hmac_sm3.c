/* SPDX-License-Identifier: Apache-2.0 */
/* HMAC-SM3: Wycheproof vectors, RFC 2104 structure checks, bad arguments. */
#include "testutil.h"

#include <openssl/err.h>
#include <string.h>

#include "crypto/crypto.h"

static void test_wycheproof(void **state)
{
    (void)state;
    uint8_t key[32], out[TLCP_SM3_DIGEST_LEN];
    tlcp_error err = {0};

    tu_hex_into("1e225cafb90339bba1b24076d4206c3e79c355805d851682bc818baa4f5a7779", key, 32);
    assert_int_equal(tlcp_hmac_sm3(key, 32, NULL, 0, out, &err), 1);
    tu_assert_hex(out, sizeof(out),
                  "f9938b1b2515117f25dcd636c9a6a0e7f00bccaf5347e0e0df435cfca736cfc1");

    tu_hex_into("8159fd15133cd964c9a6964c94f0ea269a806fd9f43f0da58b6cd1b33d189b2a", key, 32);
    const uint8_t msg[] = {0x77};
    assert_int_equal(tlcp_hmac_sm3(key, 32, msg, 1, out, &err), 1);
    tu_assert_hex(out, sizeof(out),
                  "51aaf64843b6d2fc7a244ab9cda9b7b57164ce6a865f9808c01931b46195411d");
    assert_false(tlcp_error_is_set(&err));
}

/* RFC 2104: a key longer than the 64-byte block is replaced by its hash. */
static void test_long_key_is_hashed(void **state)
{
    (void)state;
    uint8_t key[100], hashed[TLCP_SM3_DIGEST_LEN], a[TLCP_SM3_DIGEST_LEN], b[TLCP_SM3_DIGEST_LEN];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(3 * i + 1);
    const uint8_t *msg = (const uint8_t *)"the quick brown fox";
    assert_int_equal(tlcp_sm3(key, sizeof(key), hashed, NULL), 1);
    assert_int_equal(tlcp_hmac_sm3(key, sizeof(key), msg, 19, a, NULL), 1);
    assert_int_equal(tlcp_hmac_sm3(hashed, sizeof(hashed), msg, 19, b, NULL), 1);
    assert_memory_equal(a, b, sizeof(a));
    /* A 64-byte key is used as is, not hashed. */
    assert_int_equal(tlcp_hmac_sm3(key, 64, msg, 19, a, NULL), 1);
    assert_int_equal(tlcp_sm3(key, 64, hashed, NULL), 1);
    assert_int_equal(tlcp_hmac_sm3(hashed, sizeof(hashed), msg, 19, b, NULL), 1);
    assert_memory_not_equal(a, b, sizeof(a));
}

/* H((K0 ^ opad) || H((K0 ^ ipad) || m)) built from tlcp_sm3, for key_len <= 64. */
static void hmac_by_hand(const uint8_t *key, size_t key_len, const uint8_t *m, size_t m_len,
                         uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    uint8_t buf[64 + 200];
    assert_true(key_len <= 64 && m_len <= 200);
    uint8_t k0[64] = {0};
    if (key_len > 0)
        memcpy(k0, key, key_len);
    for (int i = 0; i < 64; i++)
        buf[i] = k0[i] ^ 0x36;
    if (m_len > 0)
        memcpy(buf + 64, m, m_len);
    uint8_t inner[TLCP_SM3_DIGEST_LEN];
    assert_int_equal(tlcp_sm3(buf, 64 + m_len, inner, NULL), 1);
    for (int i = 0; i < 64; i++)
        buf[i] = k0[i] ^ 0x5c;
    memcpy(buf + 64, inner, sizeof(inner));
    assert_int_equal(tlcp_sm3(buf, 64 + sizeof(inner), out, NULL), 1);
}

static void test_matches_rfc2104_construction(void **state)
{
    (void)state;
    static const size_t key_lens[] = {0, 1, 13, 32, 63, 64};
    static const size_t msg_lens[] = {0, 1, 55, 56, 64, 119, 200};
    uint8_t key[64], msg[200];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 5);
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xa0 ^ i);
    for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++) {
        for (size_t m = 0; m < sizeof(msg_lens) / sizeof(msg_lens[0]); m++) {
            uint8_t want[TLCP_SM3_DIGEST_LEN], got[TLCP_SM3_DIGEST_LEN];
            hmac_by_hand(key, key_lens[k], msg, msg_lens[m], want);
            assert_int_equal(tlcp_hmac_sm3(key_lens[k] ? key : NULL, key_lens[k],
                                           msg_lens[m] ? msg : NULL, msg_lens[m], got, NULL),
                             1);
            assert_memory_equal(want, got, sizeof(want));
        }
    }
}

static void expect_invalid(int rc, tlcp_error *err)
{
    assert_int_equal(rc, 0);
    assert_int_equal(err->reason, TLCP_R_INVALID_ARGUMENT);
    assert_int_equal(ERR_peek_error(), 0);
    tlcp_error_clear(err);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    tlcp_error err = {0};
    uint8_t key[16] = {1}, out[TLCP_SM3_DIGEST_LEN];
    expect_invalid(tlcp_hmac_sm3(NULL, 16, key, 1, out, &err), &err);
    expect_invalid(tlcp_hmac_sm3(key, 16, NULL, 1, out, &err), &err);
    expect_invalid(tlcp_hmac_sm3(key, 16, key, 1, NULL, &err), &err);
    assert_int_equal(tlcp_hmac_sm3(NULL, 16, key, 1, out, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wycheproof),
        cmocka_unit_test(test_long_key_is_hashed),
        cmocka_unit_test(test_matches_rfc2104_construction),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constant-time HMAC-SM3: differential tests against tlcp_hmac_sm3 over
 * header || data for every secret length up to max_len (with the block
 * masks on AVX2 and a byte at a time), and the hand-written SM3 against
 * OpenSSL's. (Timing is measured in bench/, never asserted here.)
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "crypto/sm3_ct.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint8_t rnd8(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint8_t)(rng_state >> 24);
}

static void rnd_fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = rnd8();
}

static void test_own_sm3_matches_openssl(void **state)
{
    (void)state;
    uint8_t msg[300], want[32], got[32];
    rnd_fill(msg, sizeof(msg));
    for (size_t len = 0; len <= sizeof(msg); len++) {
        assert_int_equal(tlcp_sm3(msg, len, want, NULL), 1);
        tlcp_sm3_ct_digest(msg, len, got);
        assert_memory_equal(want, got, 32);
    }
    tlcp_sm3_ct_digest((const uint8_t *)"abc", 3, got);
    tu_assert_hex(got, 32, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    tlcp_sm3_ct_digest(NULL, 0, got);
    tu_assert_hex(got, 32, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

/* The reference: HMAC-SM3 (OpenSSL) over header || data[0..data_len). */
static void reference(const uint8_t *key, size_t key_len, const uint8_t header[13],
                      const uint8_t *data, size_t data_len, uint8_t out[32])
{
    uint8_t *msg = malloc(13 + data_len);
    assert_non_null(msg);
    memcpy(msg, header, 13);
    if (data_len > 0)
        memcpy(msg + 13, data, data_len);
    assert_int_equal(tlcp_hmac_sm3(key, key_len, msg, 13 + data_len, out, NULL), 1);
    free(msg);
}

static void check_all_lengths(const uint8_t *key, size_t key_len, size_t max_len)
{
    uint8_t header[13], want[32], got[32];
    uint8_t *data = malloc(max_len + 1);
    assert_non_null(data);
    for (size_t d = 0; d <= max_len; d++) {
        rnd_fill(header, sizeof(header));
        rnd_fill(data, max_len);
        reference(key, key_len, header, data, d, want);
        assert_int_equal(tlcp_hmac_sm3_ct(key, key_len, header, data, d, max_len, got), 1);
        if (memcmp(want, got, 32) != 0)
            fail_msg("mismatch: key_len %zu max_len %zu data_len %zu", key_len, max_len, d);
    }
    free(data);
}

static const size_t max_lens[] = {0, 1, 42, 43, 50, 106, 107, 128, 171, 255, 256, 333, 400};

static void test_differential_random_keys(void **state)
{
    (void)state;
    uint8_t key[64];
    for (size_t i = 0; i < sizeof(max_lens) / sizeof(max_lens[0]); i++) {
        size_t key_len = 1 + rnd8() % 64;
        rnd_fill(key, key_len);
        check_all_lengths(key, key_len, max_lens[i]);
    }
}

/* The same with the masks a byte at a time (no AVX2 path): both ways. */
static void test_differential_portable_masks(void **state)
{
    (void)state;
    uint8_t key[32];
    rnd_fill(key, sizeof(key));
    for (int features = 0; features <= 1; features++) {
        tlcp_sm3_force_features(features ? -1 : 0);
        check_all_lengths(key, sizeof(key), 333);
        check_all_lengths(key, sizeof(key), 1100);
    }
    tlcp_sm3_force_features(-1);
}

/* Record MAC keys are 32 bytes; also a full-block key, a hashed long key and an empty key. */
static void test_differential_key_sizes(void **state)
{
    (void)state;
    static const size_t key_lens[] = {32, 64, 65, 100, 0};
    uint8_t key[100];
    for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++) {
        rnd_fill(key, sizeof(key));
        const uint8_t *kp = key_lens[k] ? key : NULL;
        check_all_lengths(kp, key_lens[k], 400);
        check_all_lengths(kp, key_lens[k], 77);
    }
}

/* Near the record size limit, data_len only within the last padding range. */
static void test_full_size_record(void **state)
{
    (void)state;
    size_t max_len = 16384 + 255;
    uint8_t key[32], header[13], want[32], got[32];
    uint8_t *data = malloc(max_len);
    assert_non_null(data);
    rnd_fill(key, sizeof(key));
    rnd_fill(header, sizeof(header));
    rnd_fill(data, max_len);
    for (size_t d = max_len - 300; d <= max_len; d += 7) {
        reference(key, sizeof(key), header, data, d, want);
        assert_int_equal(tlcp_hmac_sm3_ct(key, sizeof(key), header, data, d, max_len, got), 1);
        assert_memory_equal(want, got, 32);
    }
    free(data);
}

/* Bytes past data_len (the padding region) must not influence the MAC. */
static void test_tail_bytes_ignored(void **state)
{
    (void)state;
    uint8_t key[32], header[13], data[200], a[32], b[32];
    rnd_fill(key, sizeof(key));
    rnd_fill(header, sizeof(header));
    rnd_fill(data, sizeof(data));
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, data, 120, sizeof(data), a), 1);
    memset(data + 120, 0x80, sizeof(data) - 120);
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, data, 120, sizeof(data), b), 1);
    assert_memory_equal(a, b, 32);
    /* ...while a byte inside does. */
    data[119] ^= 1;
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, data, 120, sizeof(data), b), 1);
    assert_memory_not_equal(a, b, 32);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t key[32] = {0}, header[13] = {0}, data[64] = {0}, out[32];
    memset(out, 0xaa, sizeof(out));
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, data, 65, 64, out), 0);
    uint8_t zero[32] = {0};
    assert_memory_equal(out, zero, sizeof(out)); /* no MAC for a broken contract */
    assert_int_equal(tlcp_hmac_sm3_ct(NULL, 32, header, data, 1, 64, out), 0);
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, NULL, data, 1, 64, out), 0);
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, NULL, 0, 64, out), 0);
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, data, 1, 64, NULL), 0);
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, data, 0, (size_t)-1, out), 0);
    /* NULL data is fine when nothing may be read. */
    assert_int_equal(tlcp_hmac_sm3_ct(key, 32, header, NULL, 0, 0, out), 1);
}

/* The keyed form with a public lower bound: every (min_len, data_len) pair
 * around block edges against the plain HMAC; outside the range it refuses. */
static void test_keyed_lower_bound(void **state)
{
    (void)state;
    uint8_t key[32], header[13], data[1200], msg[13 + 1200], want[32], got[32];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 11);
    memset(key, 0x33, sizeof(key));
    memset(header, 0x21, sizeof(header));
    tlcp_hmac_sm3_key k;
    tlcp_hmac_sm3_key_init(&k, key, sizeof(key));
    static const size_t bounds[] = {0, 51, 52, 115, 116, 300, 1100, 1200};
    for (size_t m = 0; m < sizeof(bounds) / sizeof(bounds[0]); m++) {
        size_t max_len = bounds[m];
        for (size_t min_len = 0; min_len <= max_len; min_len += 1 + max_len / 23) {
            for (size_t d = min_len; d <= max_len; d += 1 + (max_len - min_len) / 7) {
                memcpy(msg, header, 13);
                memcpy(msg + 13, data, d);
                assert_int_equal(tlcp_hmac_sm3(key, sizeof(key), msg, 13 + d, want, NULL), 1);
                assert_int_equal(tlcp_hmac_sm3_ct_keyed(&k, header, data, d, min_len, max_len, got),
                                 1);
                assert_memory_equal(want, got, sizeof(got));
            }
            if (min_len > 0)
                assert_int_equal(
                    tlcp_hmac_sm3_ct_keyed(&k, header, data, min_len - 1, min_len, max_len, got),
                    0);
        }
    }
    assert_int_equal(tlcp_hmac_sm3_ct_keyed(&k, header, data, 10, 20, 10, got), 0);
    assert_int_equal(tlcp_hmac_sm3_ct_keyed(NULL, header, data, 10, 0, 10, got), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyed_lower_bound),
        cmocka_unit_test(test_own_sm3_matches_openssl),
        cmocka_unit_test(test_differential_random_keys),
        cmocka_unit_test(test_differential_key_sizes),
        cmocka_unit_test(test_differential_portable_masks),
        cmocka_unit_test(test_full_size_record),
        cmocka_unit_test(test_tail_bytes_ignored),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

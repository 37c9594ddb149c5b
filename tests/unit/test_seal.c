/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_seal / tlcp_unseal (SM4-GCM for data kept outside the process): a
 * round trip, and every way an opened value must be refused: a flipped
 * bit anywhere, another key, another aad, truncation; size reporting and
 * argument errors.
 */
#include "testutil.h"

#include <string.h>

#include "tlcp/tlcp.h"

static const uint8_t KEY[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

static void seal_round_trip_and_tampering(void **state)
{
    (void)state;
    const uint8_t msg[] = "TLCS exported session bytes";
    const uint8_t aad[] = "tlcp:sess:00ff";
    uint8_t sealed[128], plain[128];
    size_t n = 0, m = 0;
    assert_int_equal(tlcp_seal(KEY, aad, sizeof(aad), msg, sizeof(msg), sealed, sizeof(sealed), &n),
                     TLCP_OK);
    assert_int_equal(n, sizeof(msg) + TLCP_SEAL_OVERHEAD);
    assert_int_equal(tlcp_unseal(KEY, aad, sizeof(aad), sealed, n, plain, sizeof(plain), &m),
                     TLCP_OK);
    assert_int_equal(m, sizeof(msg));
    assert_memory_equal(plain, msg, m);

    /* two seals of the same data differ (random nonce) */
    uint8_t again[128];
    size_t n2 = 0;
    assert_int_equal(tlcp_seal(KEY, aad, sizeof(aad), msg, sizeof(msg), again, sizeof(again), &n2),
                     TLCP_OK);
    assert_memory_not_equal(sealed, again, n);

    for (size_t bit = 0; bit < n * 8; bit++) {
        sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(tlcp_unseal(KEY, aad, sizeof(aad), sealed, n, plain, sizeof(plain), &m),
                         TLCP_ERROR);
        sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    uint8_t other[16];
    memcpy(other, KEY, 16);
    other[15] ^= 0x80;
    assert_int_equal(tlcp_unseal(other, aad, sizeof(aad), sealed, n, plain, sizeof(plain), &m),
                     TLCP_ERROR);
    assert_int_equal(tlcp_unseal(KEY, aad, sizeof(aad) - 1, sealed, n, plain, sizeof(plain), &m),
                     TLCP_ERROR);
    assert_int_equal(tlcp_unseal(KEY, NULL, 0, sealed, n, plain, sizeof(plain), &m), TLCP_ERROR);
    for (size_t cut = 0; cut < n; cut++)
        assert_int_equal(tlcp_unseal(KEY, aad, sizeof(aad), sealed, cut, plain, sizeof(plain), &m),
                         TLCP_ERROR);
}

static void seal_sizes_and_arguments(void **state)
{
    (void)state;
    uint8_t in[10] = {0}, out[64];
    size_t n = 0;
    /* too small: the size needed is reported */
    assert_int_equal(tlcp_seal(KEY, NULL, 0, in, sizeof(in), out, 20, &n), TLCP_ERROR);
    assert_int_equal(n, sizeof(in) + TLCP_SEAL_OVERHEAD);
    assert_int_equal(tlcp_seal(NULL, NULL, 0, in, sizeof(in), out, sizeof(out), &n), TLCP_ERROR);
    assert_int_equal(tlcp_seal(KEY, NULL, 5, in, sizeof(in), out, sizeof(out), &n), TLCP_ERROR);
    assert_int_equal(tlcp_seal(KEY, NULL, 0, NULL, 3, out, sizeof(out), &n), TLCP_ERROR);
    /* empty plaintext: only nonce and tag */
    assert_int_equal(tlcp_seal(KEY, NULL, 0, NULL, 0, out, sizeof(out), &n), TLCP_OK);
    assert_int_equal(n, TLCP_SEAL_OVERHEAD);
    uint8_t plain[8];
    size_t m = 99;
    assert_int_equal(tlcp_unseal(KEY, NULL, 0, out, n, plain, sizeof(plain), &m), TLCP_OK);
    assert_int_equal(m, 0);
    /* output too small for the plaintext */
    assert_int_equal(tlcp_seal(KEY, NULL, 0, in, sizeof(in), out, sizeof(out), &n), TLCP_OK);
    assert_int_equal(tlcp_unseal(KEY, NULL, 0, out, n, plain, sizeof(plain), &m), TLCP_ERROR);
    assert_int_equal(tlcp_unseal(KEY, NULL, 0, out, n, plain, sizeof(plain), NULL), TLCP_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seal_round_trip_and_tampering),
        cmocka_unit_test(seal_sizes_and_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

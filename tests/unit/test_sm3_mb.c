/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-buffer SM3 and HMAC-SM3 (sm3_mb.c) against the single-stream SM3
 * and OpenSSL's HMAC, under every kernel the CPU runs (scalar, AVX2 8 lanes,
 * AVX-512 16 lanes): every lane count 1..16, every length 0..1100 with
 * equal and unequal lengths per lane, long messages, long HMAC keys; the
 * HMAC over a separate 13-byte header and the data (tlcp_hmac_sm3_mb_hdr,
 * tlcp_hmac_sm3_keyed_hdr).
 */
#include "testutil.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"

#define MAX_LEN 20000

/* Feature masks: scalar only, AVX2 (8 lanes), AVX-512 (16 lanes), all. A
 * mask asks for no more than the CPU has: features it lacks stay off. */
static const int masks[] = {0, TLCP_SM3_FEAT_AVX2, TLCP_SM3_FEAT_AVX512, -1};
#define NMASKS (sizeof(masks) / sizeof(masks[0]))

static uint8_t *message(void)
{
    uint8_t *m = malloc(MAX_LEN + 16 * 64);
    assert_non_null(m);
    for (size_t i = 0; i < MAX_LEN + 16 * 64; i++)
        m[i] = (uint8_t)(i * 167 + (i >> 8) + 1);
    return m;
}

/* n lanes with lengths len[i], data at distinct offsets of m. */
static void check_sm3(const uint8_t *m, size_t n, const size_t len[])
{
    const uint8_t *data[16];
    uint8_t got[16][32], want[32];
    uint8_t *out[16];
    for (size_t i = 0; i < n; i++) {
        data[i] = m + 64 * i + i; /* unaligned, different per lane */
        out[i] = got[i];
    }
    tlcp_sm3_mb(n, data, len, out);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(tlcp_sm3(data[i], len[i], want, NULL), 1);
        assert_memory_equal(got[i], want, 32);
    }
}

static void test_sm3_mb_every_lane_count_and_length(void **state)
{
    (void)state;
    uint8_t *m = message();
    for (size_t k = 0; k < NMASKS; k++) {
        tlcp_sm3_force_features(masks[k]);
        for (size_t len = 0; len <= 1100; len++) {
            size_t n = 1 + len % 16, lens[16];
            for (size_t i = 0; i < 16; i++)
                lens[i] = len;
            check_sm3(m, n, lens); /* equal lengths */
            check_sm3(m, 16, lens);
            for (size_t i = 0; i < 16; i++)
                lens[i] = (len + 67 * i) % 1101;
            check_sm3(m, n, lens); /* unequal lengths */
        }
        for (size_t n = 1; n <= 16; n++) {
            size_t lens[16];
            for (size_t i = 0; i < n; i++)
                lens[i] = (i % 2 == 0) ? 16384 + 13 * i : 20000 - 1000 * i;
            check_sm3(m, n, lens); /* long, very unequal */
        }
    }
    tlcp_sm3_force_features(-1);
    free(m);
}

static void openssl_hmac(const uint8_t *key, size_t key_len, const uint8_t *d, size_t len,
                         uint8_t out[32])
{
    unsigned int n = 0;
    static const uint8_t empty[1];
    assert_non_null(HMAC(EVP_sm3(), key_len == 0 ? empty : key, (int)key_len, len == 0 ? empty : d,
                         len, out, &n));
    assert_int_equal(n, 32);
}

static void test_hmac_mb_against_openssl(void **state)
{
    (void)state;
    uint8_t *m = message();
    static const size_t key_lens[] = {0, 32, 64, 65, 200};
    uint8_t key[200];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xa5 ^ i);
    for (size_t k = 0; k < NMASKS; k++) {
        tlcp_sm3_force_features(masks[k]);
        for (size_t kl = 0; kl < sizeof(key_lens) / sizeof(key_lens[0]); kl++) {
            tlcp_hmac_sm3_key hk;
            tlcp_hmac_sm3_key_init(&hk, key, key_lens[kl]);
            for (size_t len = 0; len <= 1100; len += 1 + len / 50) {
                size_t n = 1 + (len + kl) % 16, lens[16];
                const uint8_t *data[16];
                uint8_t got[16][32], want[32];
                uint8_t *out[16];
                for (size_t i = 0; i < n; i++) {
                    lens[i] = (len + 29 * i) % 1101;
                    data[i] = m + 7 * i;
                    out[i] = got[i];
                }
                tlcp_hmac_sm3_mb(&hk, n, data, lens, out);
                for (size_t i = 0; i < n; i++) {
                    openssl_hmac(key, key_lens[kl], data[i], lens[i], want);
                    assert_memory_equal(got[i], want, 32);
                    tlcp_hmac_sm3_keyed(&hk, data[i], lens[i], got[i]);
                    assert_memory_equal(got[i], want, 32);
                }
            }
        }
    }
    tlcp_sm3_force_features(-1);
    free(m);
}

/* HMAC of header(13) || data with the header apart (the record layer's MAC
 * straight over the caller's data): single and multi-buffer, every length
 * 0..1100 (the 51-byte first block and its edges included), every lane
 * count, against HMAC over the joined bytes. */
static void test_hmac_with_header(void **state)
{
    (void)state;
    uint8_t *m = message();
    uint8_t key[32], joined[13 + 1200];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0x3c + 7 * i);
    tlcp_hmac_sm3_key hk;
    tlcp_hmac_sm3_key_init(&hk, key, sizeof(key));
    for (size_t k = 0; k < NMASKS; k++) {
        tlcp_sm3_force_features(masks[k]);
        for (size_t len = 0; len <= 1100; len++) {
            size_t n = 1 + len % 16, lens[16];
            const uint8_t *hdr[16], *data[16];
            uint8_t got[16][32], want[32];
            uint8_t *out[16];
            for (size_t i = 0; i < n; i++) {
                lens[i] = (len + 37 * i) % 1101;
                hdr[i] = m + 5000 + 13 * i;
                data[i] = m + 11 * i;
                out[i] = got[i];
            }
            tlcp_hmac_sm3_mb_hdr(&hk, n, hdr, data, lens, out);
            for (size_t i = 0; i < n; i++) {
                memcpy(joined, hdr[i], 13);
                memcpy(joined + 13, data[i], lens[i]);
                openssl_hmac(key, sizeof(key), joined, 13 + lens[i], want);
                assert_memory_equal(got[i], want, 32);
                tlcp_hmac_sm3_keyed_hdr(&hk, hdr[i], data[i], lens[i], got[i]);
                assert_memory_equal(got[i], want, 32);
            }
        }
    }
    tlcp_sm3_force_features(-1);
    free(m);
}

/* More than TLCP_SM3_MB_MAX messages are taken in groups. */
static void test_more_than_sixteen(void **state)
{
    (void)state;
    uint8_t *m = message();
    const uint8_t *data[40];
    size_t lens[40];
    uint8_t got[40][32], want[32];
    uint8_t *out[40];
    for (size_t i = 0; i < 40; i++) {
        data[i] = m + 3 * i;
        lens[i] = 100 * i;
        out[i] = got[i];
    }
    tlcp_sm3_mb(40, data, lens, out);
    for (size_t i = 0; i < 40; i++) {
        assert_int_equal(tlcp_sm3(data[i], lens[i], want, NULL), 1);
        assert_memory_equal(got[i], want, 32);
    }
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sm3_mb_every_lane_count_and_length),
        cmocka_unit_test(test_hmac_mb_against_openssl),
        cmocka_unit_test(test_hmac_with_header),
        cmocka_unit_test(test_more_than_sixteen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

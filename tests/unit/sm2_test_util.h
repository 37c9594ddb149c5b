/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the SM2 curve tests: a seeded generator with edge-heavy
 * values, and OpenSSL BIGNUM conversions for the reference side. */
#ifndef TLCP_TEST_SM2_TEST_UTIL_H
#define TLCP_TEST_SM2_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include <openssl/bn.h>

static uint64_t st_state = 0x9e3779b97f4a7c15ULL;

static inline uint64_t st_next(void)
{
    /* splitmix64: reproducible from the fixed seed */
    uint64_t z = (st_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void st_random_bytes(uint8_t out[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = st_next();
        for (int j = 0; j < 8; j++)
            out[i * 8 + j] = (uint8_t)(w >> (8 * j));
    }
}

/* Random 256-bit value whose 64-bit words are often 0, all-ones or a
 * neighbour of the modulus word, to reach the rare carry paths. */
static inline void st_edgy_bytes(uint8_t out[32], const uint8_t modulus[32])
{
    st_random_bytes(out);
    for (int i = 0; i < 4; i++) {
        uint64_t sel = st_next() % 8;
        if (sel == 0)
            memset(out + 8 * i, 0, 8);
        else if (sel == 1)
            memset(out + 8 * i, 0xff, 8);
        else if (sel == 2)
            memcpy(out + 8 * i, modulus + 8 * i, 8);
    }
}

static inline BIGNUM *st_bn(const uint8_t in[32])
{
    return BN_bin2bn(in, 32, NULL);
}

static inline void st_bn_out(uint8_t out[32], const BIGNUM *bn)
{
    if (BN_bn2binpad(bn, out, 32) != 32)
        memset(out, 0xee, 32);
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the multi-buffer SM3 kernels: the 8x8 transpose of 32-bit
 * words (eight lanes' words <-> eight words' lanes) both kernels use to move
 * blocks and states between memory order and lane order. Include after
 * <immintrin.h>.
 */
#ifndef TLCP_CRYPTO_SM3_MB_TRANSPOSE_H
#define TLCP_CRYPTO_SM3_MB_TRANSPOSE_H

/* r[i] word j <-> r[j] word i. */
static inline __attribute__((always_inline, target("avx2"))) void tlcp_sm3_transpose8(__m256i r[8])
{
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int j = 0; j < 4; j++) {
        r[j] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x20);
        r[j + 4] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x31);
    }
}

/* Big-endian words: a byte swap inside every 32-bit lane. */
static inline __attribute__((always_inline, target("avx2"))) __m256i tlcp_sm3_bswap32(__m256i x)
{
    const __m256i m = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3, 2,
                                       1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    return _mm256_shuffle_epi8(x, m);
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-buffer SM3, eight streams in the 32-bit lanes of AVX2 registers
 * (the rounds are in sm3_mb_impl.h). Compiled for AVX2 by attribute only;
 * sm3_mb.c calls it when CPUID reports AVX2.
 */
#include "crypto/sm3_mb_kernels.h"

#if defined(TLCP_SM3_MB_X86)
#include <immintrin.h>

#include "crypto/sm3_mb_transpose.h"

#define MB_LANES    8
#define MB_TARGET   __attribute__((target("avx2")))
#define MB_INLINE   static inline __attribute__((always_inline, target("avx2")))
#define MB_COMPRESS tlcp_sm3_mb_compress_avx2
typedef __m256i mbv;

MB_INLINE mbv mb_add(mbv a, mbv b)
{
    return _mm256_add_epi32(a, b);
}

MB_INLINE mbv mb_xor(mbv a, mbv b)
{
    return _mm256_xor_si256(a, b);
}

#define mb_rol(x, n) _mm256_or_si256(_mm256_slli_epi32((x), (n)), _mm256_srli_epi32((x), 32 - (n)))

MB_INLINE mbv mb_set1(uint32_t x)
{
    return _mm256_set1_epi32((int)x);
}

MB_INLINE mbv mb_xor3(mbv x, mbv y, mbv z)
{
    return _mm256_xor_si256(_mm256_xor_si256(x, y), z);
}

MB_INLINE mbv mb_maj(mbv x, mbv y, mbv z)
{
    return _mm256_or_si256(_mm256_and_si256(x, y), _mm256_and_si256(_mm256_or_si256(x, y), z));
}

MB_INLINE mbv mb_choose(mbv x, mbv y, mbv z)
{
    return _mm256_xor_si256(_mm256_and_si256(_mm256_xor_si256(y, z), x), z);
}

MB_INLINE void mb_load_words(mbv w[16], const uint8_t *const p[8])
{
    for (int half = 0; half < 2; half++) {
        mbv *r = w + 8 * half;
        for (int i = 0; i < 8; i++)
            r[i] = _mm256_loadu_si256((const __m256i *)(const void *)(p[i] + 32 * half));
        tlcp_sm3_transpose8(r);
        for (int j = 0; j < 8; j++)
            r[j] = tlcp_sm3_bswap32(r[j]);
    }
}

MB_INLINE void mb_load_state(mbv s[8], uint32_t *const v[8])
{
    for (int i = 0; i < 8; i++)
        s[i] = _mm256_loadu_si256((const __m256i *)(const void *)v[i]);
    tlcp_sm3_transpose8(s);
}

MB_INLINE void mb_store_state(uint32_t *const v[8], const mbv s[8])
{
    mbv r[8];
    for (int i = 0; i < 8; i++)
        r[i] = s[i];
    tlcp_sm3_transpose8(r);
    for (int i = 0; i < 8; i++)
        _mm256_storeu_si256((__m256i *)(void *)v[i], r[i]);
}

#include "crypto/sm3_mb_impl.h"

/* The message schedule of the eight consecutive blocks at p, lane b = block
 * b: W_j of block b at ww[8 * j + b] (j < 68), W'_j at wp[8 * j + b]. */
MB_TARGET void tlcp_sm3_schedule8_avx2(const uint8_t *p, uint32_t ww[68 * 8], uint32_t wp[64 * 8])
{
    const uint8_t *q[8];
    mbv w[68];
    for (int i = 0; i < 8; i++)
        q[i] = p + 64 * i;
    mb_load_words(w, q);
    for (int j = 16; j < 68; j++)
        w[j] = mb_xor3(mb_p1(mb_xor3(w[j - 16], w[j - 9], mb_rol(w[j - 3], 15))),
                       mb_rol(w[j - 13], 7), w[j - 6]);
    for (int j = 0; j < 68; j++)
        _mm256_storeu_si256((__m256i *)(void *)(ww + 8 * j), w[j]);
    for (int j = 0; j < 64; j++)
        _mm256_storeu_si256((__m256i *)(void *)(wp + 8 * j), mb_xor(w[j], w[j + 4]));
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-buffer SM3, sixteen streams in the 32-bit lanes of AVX-512
 * registers (the rounds are in sm3_mb_impl.h). VPROLD rotates in one
 * instruction and VPTERNLOGD computes the three-input functions (FF, GG,
 * P0, P1) in one, so a round costs about half the AVX2 instructions on
 * twice the lanes. Compiled for AVX-512F by attribute only; sm3_mb.c calls
 * it when CPUID (and the OS) report AVX-512.
 */
#include "crypto/sm3_mb_kernels.h"

#if defined(TLCP_SM3_MB_X86)
#include <immintrin.h>

#include "crypto/sm3_mb_transpose.h"

#define MB_LANES    16
#define MB_TARGET   __attribute__((target("avx2,avx512f")))
#define MB_INLINE   static inline __attribute__((always_inline, target("avx2,avx512f")))
#define MB_COMPRESS tlcp_sm3_mb_compress_avx512
typedef __m512i mbv;

MB_INLINE mbv mb_add(mbv a, mbv b)
{
    return _mm512_add_epi32(a, b);
}

MB_INLINE mbv mb_xor(mbv a, mbv b)
{
    return _mm512_xor_si512(a, b);
}

#define mb_rol(x, n) _mm512_rol_epi32((x), (n))

MB_INLINE mbv mb_set1(uint32_t x)
{
    return _mm512_set1_epi32((int)x);
}

/* VPTERNLOGD truth tables: 0x96 = x ^ y ^ z, 0xe8 = majority, 0xca = x ? y : z. */
MB_INLINE mbv mb_xor3(mbv x, mbv y, mbv z)
{
    return _mm512_ternarylogic_epi32(x, y, z, 0x96);
}

MB_INLINE mbv mb_maj(mbv x, mbv y, mbv z)
{
    return _mm512_ternarylogic_epi32(x, y, z, 0xe8);
}

MB_INLINE mbv mb_choose(mbv x, mbv y, mbv z)
{
    return _mm512_ternarylogic_epi32(x, y, z, 0xca);
}

MB_INLINE mbv join(__m256i lo, __m256i hi)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}

/* Words of lanes 0-7 go to the low halves, of lanes 8-15 to the high. */
MB_INLINE void mb_load_words(mbv w[16], const uint8_t *const p[16])
{
    for (int half = 0; half < 2; half++) {
        __m256i lo[8], hi[8];
        for (int i = 0; i < 8; i++) {
            lo[i] = _mm256_loadu_si256((const __m256i *)(const void *)(p[i] + 32 * half));
            hi[i] = _mm256_loadu_si256((const __m256i *)(const void *)(p[i + 8] + 32 * half));
        }
        tlcp_sm3_transpose8(lo);
        tlcp_sm3_transpose8(hi);
        for (int j = 0; j < 8; j++)
            w[8 * half + j] = join(tlcp_sm3_bswap32(lo[j]), tlcp_sm3_bswap32(hi[j]));
    }
}

MB_INLINE void mb_load_state(mbv s[8], uint32_t *const v[16])
{
    __m256i lo[8], hi[8];
    for (int i = 0; i < 8; i++) {
        lo[i] = _mm256_loadu_si256((const __m256i *)(const void *)v[i]);
        hi[i] = _mm256_loadu_si256((const __m256i *)(const void *)v[i + 8]);
    }
    tlcp_sm3_transpose8(lo);
    tlcp_sm3_transpose8(hi);
    for (int j = 0; j < 8; j++)
        s[j] = join(lo[j], hi[j]);
}

MB_INLINE void mb_store_state(uint32_t *const v[16], const mbv s[8])
{
    __m256i lo[8], hi[8];
    for (int j = 0; j < 8; j++) {
        lo[j] = _mm512_castsi512_si256(s[j]);
        hi[j] = _mm512_extracti64x4_epi64(s[j], 1);
    }
    tlcp_sm3_transpose8(lo);
    tlcp_sm3_transpose8(hi);
    for (int i = 0; i < 8; i++) {
        _mm256_storeu_si256((__m256i *)(void *)v[i], lo[i]);
        _mm256_storeu_si256((__m256i *)(void *)v[i + 8], hi[i]);
    }
}

#include "crypto/sm3_mb_impl.h"

/* The single-stream schedule of eight consecutive blocks (as
 * tlcp_sm3_schedule8_avx2) in 256-bit registers with the AVX-512VL forms:
 * one VPROLD per rotate and one VPTERNLOGD per three-input XOR, about half
 * the instructions, which leaves more of the CPU to the scalar rounds. */
#define VL_TARGET        __attribute__((target("avx2,avx512f,avx512vl")))
#define vl_xor3(x, y, z) _mm256_ternarylogic_epi32((x), (y), (z), 0x96)

VL_TARGET void tlcp_sm3_schedule8_avx512(const uint8_t *p, uint32_t ww[68 * 8], uint32_t wp[64 * 8])
{
    __m256i w[68];
    for (int half = 0; half < 2; half++) {
        __m256i *r = w + 8 * half;
        for (int i = 0; i < 8; i++)
            r[i] = _mm256_loadu_si256((const __m256i *)(const void *)(p + 64 * i + 32 * half));
        tlcp_sm3_transpose8(r);
        for (int j = 0; j < 8; j++)
            r[j] = tlcp_sm3_bswap32(r[j]);
    }
    for (int j = 16; j < 68; j++) {
        __m256i x = vl_xor3(w[j - 16], w[j - 9], _mm256_rol_epi32(w[j - 3], 15));
        x = vl_xor3(x, _mm256_rol_epi32(x, 15), _mm256_rol_epi32(x, 23));
        w[j] = vl_xor3(x, _mm256_rol_epi32(w[j - 13], 7), w[j - 6]);
    }
    for (int j = 0; j < 68; j++)
        _mm256_storeu_si256((__m256i *)(void *)(ww + 8 * j), w[j]);
    for (int j = 0; j < 64; j++)
        _mm256_storeu_si256((__m256i *)(void *)(wp + 8 * j), _mm256_xor_si256(w[j], w[j + 4]));
}

#endif

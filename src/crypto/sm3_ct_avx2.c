/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The masked message block of the constant-time HMAC-SM3 (sm3_ct_mask.h)
 * on two AVX2 vectors instead of 64 scalar steps. The secret offset is
 * first clamped (with masks) into [-128, 64]: every byte of the block then
 * has base + i in a signed byte, and a clamped value classifies each byte
 * as the exact one does (below -128 all bytes are data, above 64 none is).
 */
#include "crypto/sm3_ct_mask.h"

#if defined(TLCP_SM3_CT_MASK_X86)
#include <immintrin.h>

#include "util/mem.h"

/* All-ones when x, a two's complement value of magnitude < 2^24, is negative. */
static uint32_t neg_mask(uint32_t x)
{
    return (uint32_t)tlcp_ct_barrier((size_t)(0 - (x >> 31)));
}

static uint32_t clamp_offset(uint32_t t)
{
    uint32_t below = neg_mask(t + 128); /* t < -128 */
    uint32_t above = neg_mask(64 - t);  /* t > 64 */
    t = (below & (uint32_t)-128) | (~below & t);
    return (above & 64) | (~above & t);
}

__attribute__((target("avx2"))) void tlcp_sm3_ct_mask_avx2(uint8_t block[64], size_t first,
                                                           uint32_t base)
{
    const __m256i zero = _mm256_setzero_si256(), top = _mm256_set1_epi8((char)0x80);
    const __m256i firstv = _mm256_set1_epi8((char)first);
    /* the offset of block[0] (first <= 13: public) */
    __m256i t = _mm256_set1_epi8((char)(uint8_t)clamp_offset(base - (uint32_t)first));
    __m256i q = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
    for (int h = 0; h < 2; h++) {
        __m256i *at = (__m256i *)(void *)(block + 32 * h);
        __m256i d = _mm256_add_epi8(t, q);
        __m256i header = _mm256_cmpgt_epi8(firstv, q);
        __m256i keep = _mm256_or_si256(_mm256_cmpgt_epi8(zero, d), header);
        __m256i end = _mm256_andnot_si256(header, _mm256_cmpeq_epi8(d, zero));
        __m256i v = _mm256_loadu_si256(at);
        _mm256_storeu_si256(at,
                            _mm256_or_si256(_mm256_and_si256(v, keep), _mm256_and_si256(end, top)));
        q = _mm256_add_epi8(q, _mm256_set1_epi8(32));
    }
}

#else
typedef int tlcp_sm3_ct_avx2_unused; /* ISO C wants a non-empty file */
#endif

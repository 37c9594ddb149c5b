/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CBC record scans of cbc_scan.c on 32-byte AVX2 vectors: the same
 * bytes read, the same masks, a byte per lane instead of a byte per loop
 * step. Only n and max_data (public) steer loops and addresses; the secret
 * padding length and MAC offset only form lane masks and shuffle indices.
 */
#include "record/cbc_scan.h"

#if defined(TLCP_CBC_SCAN_X86)
#include <immintrin.h>
#include <string.h>

#include "util/mem.h"

#define AVX2_TARGET __attribute__((target("avx2")))

AVX2_TARGET static __m256i lane_index(void)
{
    return _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                            20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
}

AVX2_TARGET static __m256i load32(const uint8_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

/* All-ones when no byte of v is nonzero. */
AVX2_TARGET static size_t all_zero_mask(__m256i v)
{
    __m256i z = _mm256_cmpeq_epi8(v, _mm256_setzero_si256());
    return tlcp_ct_is_zero((size_t)(uint32_t)~_mm256_movemask_epi8(z));
}

/*
 * From the end, 32 bytes at a time; the last load starts at n - scan and
 * may overlap the one before (a byte checked twice changes nothing). Byte
 * n-1-i of the record is padding when i <= pad: i fits in a byte because
 * every loaded byte lies in the last 256.
 */
AVX2_TARGET size_t tlcp_cbc_padding_mask_avx2(const uint8_t *p, size_t n, size_t pad)
{
    size_t good = tlcp_ct_ge(n, pad + 1 + TLCP_CBC_SCAN_MAC_LEN);
    size_t scan = n < TLCP_CBC_PAD_SCAN_MAX ? n : TLCP_CBC_PAD_SCAN_MAX;
    if (scan < 32)
        return good; /* n < 33: no room for a MAC, good is 0 */
    const __m256i padv = _mm256_set1_epi8((char)pad), lanes = lane_index();
    __m256i bad = _mm256_setzero_si256();
    for (size_t done = 0; done < scan; done += 32) {
        size_t s = done + 32 <= scan ? n - done - 32 : n - scan;
        __m256i i = _mm256_sub_epi8(_mm256_set1_epi8((char)(n - 1 - s)), lanes);
        __m256i in_padding = _mm256_cmpeq_epi8(_mm256_max_epu8(i, padv), padv);
        __m256i matches = _mm256_cmpeq_epi8(load32(p + s), padv);
        bad = _mm256_or_si256(bad, _mm256_andnot_si256(matches, in_padding));
    }
    return good & all_zero_mask(bad);
}

/* out[m] = rot[(m + lo) % 32] for a secret lo < 32: two in-lane shuffles
 * (one of the halves swapped) and a blend on which half each byte is from. */
AVX2_TARGET static __m256i rotate_bytes(__m256i rot, __m256i lov, __m256i lanes)
{
    const __m256i sixteen = _mm256_set1_epi8(16);
    __m256i src = _mm256_and_si256(_mm256_add_epi8(lanes, lov), _mm256_set1_epi8(31));
    __m256i same = _mm256_shuffle_epi8(rot, src);
    __m256i other = _mm256_shuffle_epi8(_mm256_permute2x128_si256(rot, rot, 1), src);
    __m256i from_same =
        _mm256_cmpeq_epi8(_mm256_and_si256(src, sixteen), _mm256_and_si256(lanes, sixteen));
    return _mm256_blendv_epi8(other, same, from_same);
}

/*
 * Window byte idx = j - scan_start lands in lane idx % 32 of the OR of all
 * 32-byte chunks, masked to the MAC: with offset o = 32 hi + lo, chunk hi
 * from lane lo on and chunk hi + 1 below lane lo. The chunk that would run
 * past the record is read from a zero-padded copy.
 */
AVX2_TARGET void tlcp_cbc_extract_mac_avx2(const uint8_t *p, size_t n, size_t mac_start,
                                           size_t max_data, uint8_t out[TLCP_CBC_SCAN_MAC_LEN])
{
    size_t scan_start = tlcp_cbc_mac_scan_start(max_data);
    size_t window = n - 1 - scan_start;
    size_t o = mac_start - scan_start;
    size_t hi = tlcp_ct_barrier(o >> 5), lo = o & 31;
    const __m256i lanes = lane_index(), lov = _mm256_set1_epi8((char)lo);
    const __m256i below = _mm256_cmpgt_epi8(lov, lanes);
    __m256i rot = _mm256_setzero_si256();
    for (size_t c = 0; 32 * c < window; c++) {
        const uint8_t *at = p + scan_start + 32 * c;
        uint8_t buf[32] = {0};
        __m256i chunk;
        if (scan_start + 32 * c + 32 <= n) {
            chunk = load32(at);
        } else {
            memcpy(buf, at, n - scan_start - 32 * c);
            chunk = load32(buf);
            tlcp_wipe(buf, sizeof(buf));
        }
        __m256i here = _mm256_set1_epi8((char)tlcp_ct_eq(c, hi));
        __m256i next = _mm256_set1_epi8((char)tlcp_ct_eq(c, hi + 1));
        __m256i mask =
            _mm256_or_si256(_mm256_andnot_si256(below, here), _mm256_and_si256(below, next));
        rot = _mm256_or_si256(rot, _mm256_and_si256(chunk, mask));
    }
    _mm256_storeu_si256((__m256i *)(void *)out, rotate_bytes(rot, lov, lanes));
}

#else
typedef int tlcp_cbc_scan_avx2_unused; /* ISO C wants a non-empty file */
#endif

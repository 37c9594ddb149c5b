/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VAES + AVX2 kernel of our SM4 core (the dispatch is in sm4_core.c), for
 * CPUs that have 256-bit AESENCLAST but no GFNI (AMD Zen 3, for one).
 *
 * The round is exactly the AES-NI kernel's (sm4_core_aesni.c explains it),
 * on eight blocks per register: VAESENCLAST works on each 128-bit half like
 * AESENCLAST, ShiftRows included, so the same tables and shuffles apply to
 * both halves. The modes come from sm4_core_wide.h. CBC encryption is serial
 * and gains nothing from width: the dispatch uses the AES-NI kernel's.
 */
#include "crypto/sm4_core_impl.h"

#include <string.h>

#include "util/mem.h"

#if defined(TLCP_SM4_X86)
#include <immintrin.h>

#include "crypto/sm4_core_tables.h"

#define WIDE_TARGET __attribute__((target("vaes,avx2")))
#define WIDE_INLINE WIDE_TARGET static inline __attribute__((always_inline))

typedef struct wide_consts {
    __m256i u_lo, u_hi, v_lo, v_hi, w_lo, w_hi, nibble;
    __m256i p0, p8, p16, p24; /* undo ShiftRows, then rotate by 0, 8, 16, 24 */
    __m256i enter_lo, enter_hi, leave_lo, leave_hi;
} wide_consts;

/* A 16-byte table in both halves. */
WIDE_INLINE __m256i table(const uint8_t t[16])
{
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)t));
}

WIDE_INLINE void wide_load_consts(wide_consts *c)
{
    __m256i isr = table(inv_shift_rows);
    __m256i in_lo = table(sbox_in_lo);
    c->u_lo = table(round_u_lo);
    c->u_hi = table(round_u_hi);
    c->v_lo = table(round_v_lo);
    c->v_hi = table(round_v_hi);
    c->w_lo = table(round_w_lo);
    c->w_hi = table(round_w_hi);
    c->nibble = _mm256_set1_epi8(0x0f);
    /* shuffle(x, shuffle(isr, rot)) picks x[isr[rot[j]]]: unpermute, then rotate. */
    c->p0 = isr;
    c->p8 = _mm256_shuffle_epi8(isr, table(rol8_mask));
    c->p16 = _mm256_shuffle_epi8(isr, table(rol16_mask));
    c->p24 = _mm256_shuffle_epi8(isr, table(rol24_mask));
    /* Z is IN without its constant; the constant is in the round keys. */
    c->enter_lo = _mm256_xor_si256(in_lo, _mm256_shuffle_epi8(in_lo, _mm256_setzero_si256()));
    c->enter_hi = table(sbox_in_hi);
    c->leave_lo = table(leave_lo);
    c->leave_hi = table(leave_hi);
}

/* lo_tab[x & 15] ^ hi_tab[x >> 4] for every byte of x, in registers. */
WIDE_INLINE __m256i affine(__m256i x, __m256i lo_tab, __m256i hi_tab, __m256i nibble)
{
    __m256i lo = _mm256_and_si256(x, nibble);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble);
    return _mm256_xor_si256(_mm256_shuffle_epi8(lo_tab, lo), _mm256_shuffle_epi8(hi_tab, hi));
}

/* a0 ^ Z(T(t)) per 32-bit lane from z = IN(t), as round_a0 in
 * sm4_core_aesni.c: a0 ^ U first, pinned, two XOR levels after the last
 * shuffle. */
WIDE_INLINE __m256i wide_round(__m256i a0, __m256i z, const wide_consts *c)
{
    __m256i s = _mm256_aesenclast_epi128(z, _mm256_setzero_si256());
    __m256i lo = _mm256_and_si256(s, c->nibble);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(s, 4), c->nibble);
    __m256i u =
        _mm256_xor_si256(_mm256_shuffle_epi8(c->u_lo, lo), _mm256_shuffle_epi8(c->u_hi, hi));
    __m256i v =
        _mm256_xor_si256(_mm256_shuffle_epi8(c->v_lo, lo), _mm256_shuffle_epi8(c->v_hi, hi));
    __m256i w =
        _mm256_xor_si256(_mm256_shuffle_epi8(c->w_lo, lo), _mm256_shuffle_epi8(c->w_hi, hi));
    __m256i a0u = _mm256_xor_si256(a0, _mm256_shuffle_epi8(u, c->p0));
    WIDE_PIN(a0u);
    __m256i vv = _mm256_xor_si256(_mm256_shuffle_epi8(v, c->p8), _mm256_shuffle_epi8(v, c->p16));
    WIDE_PIN(vv);
    return _mm256_xor_si256(_mm256_xor_si256(a0u, _mm256_shuffle_epi8(w, c->p24)), vv);
}

WIDE_INLINE __m256i wide_enter(__m256i x, const wide_consts *c)
{
    return affine(x, c->enter_lo, c->enter_hi, c->nibble);
}

WIDE_INLINE __m256i wide_leave(__m256i x, const wide_consts *c)
{
    return affine(x, c->leave_lo, c->leave_hi, c->nibble);
}

#define WIDE_ECB         tlcp_sm4_vaes_ecb
#define WIDE_CBC_DECRYPT tlcp_sm4_vaes_cbc_decrypt
#define WIDE_CTR32       tlcp_sm4_vaes_ctr32
#define WIDE_CBC_MULTI   tlcp_sm4_vaes_cbc_multi
#include "crypto/sm4_core_wide.h"

#else
typedef int tlcp_sm4_vaes_unused; /* ISO C wants a non-empty file */
#endif

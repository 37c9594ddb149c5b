/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GFNI + AVX2 kernel of our SM4 core (the dispatch is in sm4_core.c).
 *
 * The round is the one of the AES-NI kernel (sm4_core_aesni.c explains it:
 * words kept in the Z domain, IN's constant folded into the round keys, T
 * split into three bytewise affine maps U, V, W of the AES S-box output plus
 * byte rotations). Here GF2P8AFFINEINVQB computes each of U, V and W straight
 * from the round input: inversion in the AES field, then an 8x8 bit matrix
 * and a constant, all printed by scripts/derive_sm4_affine.py. Without
 * AESENCLAST there is no ShiftRows to undo, and the serial chain of one round
 * is one XOR, one affine-inverse, one shuffle and two XORs: this is what makes
 * CBC encryption (one block at a time) faster than OpenSSL's tables.
 *
 * The modes with eight blocks per register come from sm4_core_wide.h.
 */
#include "crypto/sm4_core_impl.h"

#include <string.h>

#include "crypto/sm4_gfni_matrices.h"
#include "util/mem.h"

#if defined(TLCP_SM4_X86)
#include <immintrin.h>

#define WIDE_TARGET __attribute__((target("gfni,avx2")))
#define WIDE_INLINE WIDE_TARGET static inline __attribute__((always_inline))

typedef struct wide_consts {
    __m256i mu, mv, mw, enter, leave;
    __m256i r8, r16, r24; /* rotate each big-endian 32-bit lane left by 8, 16, 24 */
} wide_consts;

WIDE_INLINE void wide_load_consts(wide_consts *c)
{
    c->mu = _mm256_set1_epi64x((long long)GFNI_ROUND_U_MATRIX);
    c->mv = _mm256_set1_epi64x((long long)GFNI_ROUND_V_MATRIX);
    c->mw = _mm256_set1_epi64x((long long)GFNI_ROUND_W_MATRIX);
    c->enter = _mm256_set1_epi64x((long long)GFNI_ENTER_MATRIX);
    c->leave = _mm256_set1_epi64x((long long)GFNI_LEAVE_MATRIX);
    c->r8 = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6,
                             7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
    c->r16 = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6,
                              7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
    c->r24 = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7,
                              4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14);
}

/* a0 ^ Z(T(t)) per 32-bit lane from z = IN(t), T = U ^ V<<<8 ^ V<<<16 ^
 * W<<<24: a0 ^ U first, while the byte shuffles still run, which took the
 * round's chain from 14 to 12 cycles on a Zen 4 against XORing a0 last
 * (the 128-bit CBC round below groups it the same way). */
WIDE_INLINE __m256i wide_round(__m256i a0, __m256i z, const wide_consts *c)
{
    __m256i u = _mm256_gf2p8affineinv_epi64_epi8(z, c->mu, GFNI_ROUND_U_CONST);
    __m256i v = _mm256_gf2p8affineinv_epi64_epi8(z, c->mv, GFNI_ROUND_V_CONST);
    __m256i w = _mm256_gf2p8affineinv_epi64_epi8(z, c->mw, GFNI_ROUND_W_CONST);
    __m256i a0u = _mm256_xor_si256(a0, u);
    WIDE_PIN(a0u);
    __m256i vv = _mm256_xor_si256(_mm256_shuffle_epi8(v, c->r8), _mm256_shuffle_epi8(v, c->r16));
    WIDE_PIN(vv);
    return _mm256_xor_si256(_mm256_xor_si256(a0u, _mm256_shuffle_epi8(w, c->r24)), vv);
}

WIDE_INLINE __m256i wide_enter(__m256i x, const wide_consts *c)
{
    return _mm256_gf2p8affine_epi64_epi8(x, c->enter, 0);
}

WIDE_INLINE __m256i wide_leave(__m256i x, const wide_consts *c)
{
    return _mm256_gf2p8affine_epi64_epi8(x, c->leave, 0);
}

#define WIDE_ECB         tlcp_sm4_gfni_ecb
#define WIDE_CBC_DECRYPT tlcp_sm4_gfni_cbc_decrypt
#define WIDE_CTR32       tlcp_sm4_gfni_ctr32
#define WIDE_CBC_MULTI   tlcp_sm4_gfni_cbc_multi
#include "crypto/sm4_core_wide.h"

/* One round on 128-bit registers (CBC encryption); the XORs are grouped (and
 * pinned) so that a3 meets one XOR and a0 ^ u, ready first, waits for only
 * two more levels. */
#define GF_ROUND1(a0, a1, a2, a3, k)                                                               \
    do {                                                                                           \
        __m128i e_ = _mm_xor_si128(_mm_xor_si128(a1, a2), k);                                      \
        WIDE_PIN(e_);                                                                              \
        __m128i z_ = _mm_xor_si128(e_, a3);                                                        \
        __m128i u_ = _mm_gf2p8affineinv_epi64_epi8(z_, mu, GFNI_ROUND_U_CONST);                    \
        __m128i v_ = _mm_gf2p8affineinv_epi64_epi8(z_, mv, GFNI_ROUND_V_CONST);                    \
        __m128i w_ = _mm_gf2p8affineinv_epi64_epi8(z_, mw, GFNI_ROUND_W_CONST);                    \
        __m128i a0u_ = _mm_xor_si128(a0, u_);                                                      \
        WIDE_PIN(a0u_);                                                                            \
        __m128i vv_ = _mm_xor_si128(_mm_shuffle_epi8(v_, r8), _mm_shuffle_epi8(v_, r16));          \
        WIDE_PIN(vv_);                                                                             \
        a0 = _mm_xor_si128(_mm_xor_si128(a0u_, _mm_shuffle_epi8(w_, r24)), vv_);                   \
    } while (0)

/*
 * CBC encryption is serial, so latency is all that counts: one block at a
 * time, its words broadcast (no transposes), and the chaining value kept in
 * the Z domain, where Z(P ^ C) = Z(P) ^ Z(C) lets the next block start from
 * the round output before it has left the Z domain.
 */
WIDE_TARGET void tlcp_sm4_gfni_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16],
                                           const uint8_t *in, uint8_t *out, size_t nblocks)
{
    wide_consts c;
    wide_load_consts(&c);
    const __m128i mu = _mm256_castsi256_si128(c.mu), mv = _mm256_castsi256_si128(c.mv);
    const __m128i mw = _mm256_castsi256_si128(c.mw), r8 = _mm256_castsi256_si128(c.r8);
    const __m128i r16 = _mm256_castsi256_si128(c.r16), r24 = _mm256_castsi256_si128(c.r24);
    const __m128i enter_m = _mm256_castsi256_si128(c.enter);
    const __m128i leave_m = _mm256_castsi256_si128(c.leave);
    __m128i zc = _mm_gf2p8affine_epi64_epi8(load16(iv), enter_m, 0);

    for (; nblocks > 0; nblocks--, in += 16, out += 16) {
        __m128i z = _mm_xor_si128(_mm_gf2p8affine_epi64_epi8(load16(in), enter_m, 0), zc);
        __m128i a0 = _mm_shuffle_epi32(z, 0x00), a1 = _mm_shuffle_epi32(z, 0x55);
        __m128i a2 = _mm_shuffle_epi32(z, 0xaa), a3 = _mm_shuffle_epi32(z, 0xff);
        for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
            GF_ROUND1(a0, a1, a2, a3, _mm_set1_epi32((int)key->rk[i]));
            GF_ROUND1(a1, a2, a3, a0, _mm_set1_epi32((int)key->rk[i + 1]));
            GF_ROUND1(a2, a3, a0, a1, _mm_set1_epi32((int)key->rk[i + 2]));
            GF_ROUND1(a3, a0, a1, a2, _mm_set1_epi32((int)key->rk[i + 3]));
        }
        /* The block is (X35, X34, X33, X32) = lane 0 of (a3, a2, a1, a0). */
        zc = _mm_unpacklo_epi64(_mm_unpacklo_epi32(a3, a2), _mm_unpacklo_epi32(a1, a0));
        store16(out, _mm_gf2p8affine_epi64_epi8(zc, leave_m, 0));
    }
}

#else
typedef int tlcp_sm4_gfni_unused; /* ISO C wants a non-empty file */
#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GFNI + AVX-512 kernel of our SM4 core (dispatch in sm4_core.c): the
 * round of sm4_core_gfni.c on 512-bit registers, one word of sixteen blocks
 * per register, with VPTERNLOGD doing two XORs at a time: ten instructions
 * per round for sixteen blocks where the 256-bit kernel needs thirteen for
 * eight. The modes where that counts live here: CBC decryption (32 blocks in
 * flight), the multi-chain CBC encryption of sixteen chains (one register
 * group, latency-bound like the 256-bit kernel's eight chains but twice as
 * wide) and ECB; serial CBC encryption uses the 128-bit round with
 * VPTERNLOGD (one XOR level less on its chain). CTR, and what is shorter
 * than a 512-bit batch, go to the 256-bit kernel.
 *
 * Layout: as sm4_core_wide.h, four blocks per load: register j starts as
 * blocks 4j..4j+3 and the 4x4 transposes inside each 128-bit lane put word
 * i of blocks L, 4+L, 8+L, 12+L in lane L of x_i; the inverse transpose
 * restores memory order. Only lengths steer branches and addresses.
 */
#include "crypto/sm4_core_impl.h"

#include <string.h>

#include "crypto/sm4_gfni_matrices.h"
#include "util/mem.h"

#if defined(TLCP_SM4_X86)
#include <immintrin.h>

#define Z_TARGET __attribute__((target("gfni,avx2,avx512f,avx512bw,avx512vl")))
#define Z_INLINE Z_TARGET static inline __attribute__((always_inline))

typedef struct z_consts {
    __m512i mu, mv, mw, enter, leave;
    __m512i r8, r16, r24; /* rotate each big-endian 32-bit lane left by 8, 16, 24 */
} z_consts;

Z_INLINE void z_load_consts(z_consts *c)
{
    c->mu = _mm512_set1_epi64((long long)GFNI_ROUND_U_MATRIX);
    c->mv = _mm512_set1_epi64((long long)GFNI_ROUND_V_MATRIX);
    c->mw = _mm512_set1_epi64((long long)GFNI_ROUND_W_MATRIX);
    c->enter = _mm512_set1_epi64((long long)GFNI_ENTER_MATRIX);
    c->leave = _mm512_set1_epi64((long long)GFNI_LEAVE_MATRIX);
    c->r8 =
        _mm512_broadcast_i32x4(_mm_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12));
    c->r16 =
        _mm512_broadcast_i32x4(_mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
    c->r24 =
        _mm512_broadcast_i32x4(_mm_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14));
}

/* a0 ^ Z(T(t)) from z = IN(t), grouped as in sm4_core_gfni.c: a0 ^ U ^
 * W<<<24 in one VPTERNLOGD while the V shuffles run, then one more. */
Z_INLINE __m512i z_round(__m512i a0, __m512i z, const z_consts *c)
{
    __m512i u = _mm512_gf2p8affineinv_epi64_epi8(z, c->mu, GFNI_ROUND_U_CONST);
    __m512i v = _mm512_gf2p8affineinv_epi64_epi8(z, c->mv, GFNI_ROUND_V_CONST);
    __m512i w = _mm512_gf2p8affineinv_epi64_epi8(z, c->mw, GFNI_ROUND_W_CONST);
    __m512i t = _mm512_ternarylogic_epi32(a0, u, _mm512_shuffle_epi8(w, c->r24), 0x96);
    return _mm512_ternarylogic_epi32(t, _mm512_shuffle_epi8(v, c->r8),
                                     _mm512_shuffle_epi8(v, c->r16), 0x96);
}

/* a3 is the newest word: the other three and the key first, pinned. */
#define Z_ROUND(a0, a1, a2, a3, k)                                                                 \
    do {                                                                                           \
        __m512i early_ = _mm512_ternarylogic_epi32(a1, a2, k, 0x96);                               \
        WIDE_PIN(early_);                                                                          \
        a0 = z_round(a0, _mm512_xor_si512(early_, a3), c);                                         \
    } while (0)

Z_INLINE void rounds16(const uint32_t *rk, __m512i x[4], const z_consts *c)
{
    __m512i a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
        Z_ROUND(a0, a1, a2, a3, _mm512_set1_epi32((int)rk[i]));
        Z_ROUND(a1, a2, a3, a0, _mm512_set1_epi32((int)rk[i + 1]));
        Z_ROUND(a2, a3, a0, a1, _mm512_set1_epi32((int)rk[i + 2]));
        Z_ROUND(a3, a0, a1, a2, _mm512_set1_epi32((int)rk[i + 3]));
    }
    x[0] = a0, x[1] = a1, x[2] = a2, x[3] = a3;
}

/* Two groups round by round, so their independent chains overlap. */
Z_INLINE void rounds32(const uint32_t *rk, __m512i x[4], __m512i y[4], const z_consts *c)
{
    __m512i a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    __m512i b0 = y[0], b1 = y[1], b2 = y[2], b3 = y[3];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
        __m512i k = _mm512_set1_epi32((int)rk[i]);
        Z_ROUND(a0, a1, a2, a3, k);
        Z_ROUND(b0, b1, b2, b3, k);
        k = _mm512_set1_epi32((int)rk[i + 1]);
        Z_ROUND(a1, a2, a3, a0, k);
        Z_ROUND(b1, b2, b3, b0, k);
        k = _mm512_set1_epi32((int)rk[i + 2]);
        Z_ROUND(a2, a3, a0, a1, k);
        Z_ROUND(b2, b3, b0, b1, k);
        k = _mm512_set1_epi32((int)rk[i + 3]);
        Z_ROUND(a3, a0, a1, a2, k);
        Z_ROUND(b3, b0, b1, b2, k);
    }
    x[0] = a0, x[1] = a1, x[2] = a2, x[3] = a3;
    y[0] = b0, y[1] = b1, y[2] = b2, y[3] = b3;
}

/* 4x4 transpose of 32-bit lanes inside each 128-bit lane (its own inverse). */
Z_INLINE void transpose(__m512i r[4])
{
    __m512i t0 = _mm512_unpacklo_epi32(r[0], r[1]);
    __m512i t1 = _mm512_unpacklo_epi32(r[2], r[3]);
    __m512i t2 = _mm512_unpackhi_epi32(r[0], r[1]);
    __m512i t3 = _mm512_unpackhi_epi32(r[2], r[3]);
    r[0] = _mm512_unpacklo_epi64(t0, t1);
    r[1] = _mm512_unpackhi_epi64(t0, t1);
    r[2] = _mm512_unpacklo_epi64(t2, t3);
    r[3] = _mm512_unpackhi_epi64(t2, t3);
}

/* Sixteen blocks as loaded -> transposed, in the Z domain. */
Z_INLINE void enter(__m512i x[4], const __m512i b[4], const z_consts *c)
{
    for (int j = 0; j < 4; j++)
        x[j] = b[j];
    transpose(x);
    for (int j = 0; j < 4; j++)
        x[j] = _mm512_gf2p8affine_epi64_epi8(x[j], c->enter, 0);
}

/* Round output X32..X35 -> sixteen blocks (X35, X34, X33, X32) as stored. */
Z_INLINE void leave(__m512i b[4], const __m512i x[4], const z_consts *c)
{
    for (int j = 0; j < 4; j++)
        b[j] = _mm512_gf2p8affine_epi64_epi8(x[3 - j], c->leave, 0);
    transpose(b);
}

Z_INLINE __m512i load64(const uint8_t *p)
{
    return _mm512_loadu_si512((const void *)p);
}

Z_INLINE void store64(uint8_t *p, __m512i v)
{
    _mm512_storeu_si512((void *)p, v);
}

/* Encrypts (or decrypts, by the key order) 16 * groups blocks in registers. */
Z_INLINE void crypt(const uint32_t *rk, __m512i b[8], int groups, const z_consts *c)
{
    __m512i x[4], y[4];
    enter(x, b, c);
    if (groups == 2) {
        enter(y, b + 4, c);
        rounds32(rk, x, y, c);
        leave(b + 4, y, c);
    } else {
        rounds16(rk, x, c);
    }
    leave(b, x, c);
}

Z_TARGET void tlcp_sm4_gfni512_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out,
                                   size_t nblocks)
{
    z_consts c;
    __m512i b[8];

    z_load_consts(&c);
    for (; nblocks >= 32; nblocks -= 32, in += 512, out += 512) {
        for (int j = 0; j < 8; j++)
            b[j] = load64(in + 64 * j);
        crypt(key->rk, b, 2, &c);
        for (int j = 0; j < 8; j++)
            store64(out + 64 * j, b[j]);
    }
    if (nblocks > 0)
        tlcp_sm4_gfni_ecb(key, in, out, nblocks);
}

/*
 * CBC-decrypts 16 * groups blocks. Register j holds blocks 4j..4j+3, so the
 * previous ciphertexts are blocks 4j-1..4j+2: the top block of register
 * j-1 and the three low ones of j (VALIGNQ), the top block of *prev for
 * j = 0. Everything is loaded before anything is stored (in == out works);
 * *prev becomes the last register loaded.
 */
Z_INLINE void cbc_decrypt_batch(const uint32_t *rk, const uint8_t *in, uint8_t *out, __m512i *prev,
                                int groups, const z_consts *c)
{
    __m512i b[8], p[8];
    int regs = 4 * groups;
    for (int j = 0; j < regs; j++)
        b[j] = load64(in + 64 * j);
    p[0] = _mm512_alignr_epi64(b[0], *prev, 6);
    for (int j = 1; j < regs; j++)
        p[j] = _mm512_alignr_epi64(b[j], b[j - 1], 6);
    *prev = b[regs - 1];
    crypt(rk, b, groups, c);
    for (int j = 0; j < regs; j++)
        store64(out + 64 * j, _mm512_xor_si512(b[j], p[j]));
}

Z_TARGET void tlcp_sm4_gfni512_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16],
                                           const uint8_t *in, uint8_t *out, size_t nblocks)
{
    z_consts c;
    __m512i prev = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)iv));

    z_load_consts(&c);
    for (; nblocks >= 32; nblocks -= 32, in += 512, out += 512)
        cbc_decrypt_batch(key->rk, in, out, &prev, 2, &c);
    for (; nblocks >= 16; nblocks -= 16, in += 256, out += 256)
        cbc_decrypt_batch(key->rk, in, out, &prev, 1, &c);
    if (nblocks > 0) {
        uint8_t last[16];
        _mm_storeu_si128((__m128i *)(void *)last, _mm512_extracti32x4_epi32(prev, 3));
        tlcp_sm4_gfni_cbc_decrypt(key, last, in, out, nblocks);
    }
}

/*
 * Sixteen CBC chains of nblocks blocks, one per 32-bit lane position, as
 * cbc_multi in sm4_core_wide.h: the chaining values stay transposed in the
 * Z domain (Z is linear, Z(P ^ C) = Z(P) ^ Z(C)). Register j holds chains
 * 4j..4j+3. Every load of a step comes before its stores.
 */
Z_INLINE __m512i load_four(const uint8_t *const p[4], size_t off)
{
    __m512i v =
        _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *)(const void *)(p[0] + off)));
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(const void *)(p[1] + off)), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(const void *)(p[2] + off)), 2);
    return _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *)(const void *)(p[3] + off)), 3);
}

Z_INLINE void store_four(uint8_t *const p[4], size_t off, __m512i v)
{
    _mm_storeu_si128((__m128i *)(void *)(p[0] + off), _mm512_castsi512_si128(v));
    _mm_storeu_si128((__m128i *)(void *)(p[1] + off), _mm512_extracti32x4_epi32(v, 1));
    _mm_storeu_si128((__m128i *)(void *)(p[2] + off), _mm512_extracti32x4_epi32(v, 2));
    _mm_storeu_si128((__m128i *)(void *)(p[3] + off), _mm512_extracti32x4_epi32(v, 3));
}

Z_TARGET static void cbc_multi16(const tlcp_sm4_key *key, const uint8_t *const iv[],
                                 const uint8_t *const in[], uint8_t *const out[], size_t nblocks)
{
    z_consts c;
    __m512i b[4], x[4], zc[4];

    z_load_consts(&c);
    for (int j = 0; j < 4; j++)
        b[j] = load_four(iv + 4 * j, 0);
    enter(zc, b, &c);
    for (size_t s = 0; s < nblocks; s++) {
        for (int j = 0; j < 4; j++)
            b[j] = load_four(in + 4 * j, 16 * s);
        enter(x, b, &c);
        for (int j = 0; j < 4; j++)
            x[j] = _mm512_xor_si512(x[j], zc[j]);
        rounds16(key->rk, x, &c);
        /* The ciphertext is (X35, X34, X33, X32): the next chaining value. */
        for (int j = 0; j < 4; j++)
            zc[j] = x[3 - j];
        leave(b, x, &c);
        for (int j = 0; j < 4; j++)
            store_four(out + 4 * j, 16 * s, b[j]);
    }
}

void tlcp_sm4_gfni512_cbc_multi(const tlcp_sm4_key *key, int groups, const uint8_t *const iv[],
                                const uint8_t *const in[], uint8_t *const out[], size_t nblocks)
{
    if (groups == 2)
        cbc_multi16(key, iv, in, out, nblocks);
    else
        tlcp_sm4_gfni_cbc_multi(key, groups, iv, in, out, nblocks);
}

/* The 128-bit round of sm4_core_gfni.c's CBC encryption with VPTERNLOGD:
 * a3 meets one XOR, and after the shuffles two three-input XORs. */
#define ZX_ROUND1(a0, a1, a2, a3, k)                                                               \
    do {                                                                                           \
        __m128i e_ = _mm_ternarylogic_epi32(a1, a2, k, 0x96);                                      \
        WIDE_PIN(e_);                                                                              \
        __m128i z_ = _mm_xor_si128(e_, a3);                                                        \
        __m128i u_ = _mm_gf2p8affineinv_epi64_epi8(z_, mu, GFNI_ROUND_U_CONST);                    \
        __m128i v_ = _mm_gf2p8affineinv_epi64_epi8(z_, mv, GFNI_ROUND_V_CONST);                    \
        __m128i w_ = _mm_gf2p8affineinv_epi64_epi8(z_, mw, GFNI_ROUND_W_CONST);                    \
        __m128i t_ = _mm_ternarylogic_epi32(a0, u_, _mm_shuffle_epi8(w_, r24), 0x96);              \
        a0 =                                                                                       \
            _mm_ternarylogic_epi32(t_, _mm_shuffle_epi8(v_, r8), _mm_shuffle_epi8(v_, r16), 0x96); \
    } while (0)

Z_TARGET void tlcp_sm4_gfni512_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16],
                                           const uint8_t *in, uint8_t *out, size_t nblocks)
{
    z_consts c;
    z_load_consts(&c);
    const __m128i mu = _mm512_castsi512_si128(c.mu), mv = _mm512_castsi512_si128(c.mv);
    const __m128i mw = _mm512_castsi512_si128(c.mw), r8 = _mm512_castsi512_si128(c.r8);
    const __m128i r16 = _mm512_castsi512_si128(c.r16), r24 = _mm512_castsi512_si128(c.r24);
    const __m128i enter_m = _mm512_castsi512_si128(c.enter);
    const __m128i leave_m = _mm512_castsi512_si128(c.leave);
    __m128i zc =
        _mm_gf2p8affine_epi64_epi8(_mm_loadu_si128((const __m128i *)(const void *)iv), enter_m, 0);

    for (; nblocks > 0; nblocks--, in += 16, out += 16) {
        __m128i p = _mm_loadu_si128((const __m128i *)(const void *)in);
        __m128i z = _mm_xor_si128(_mm_gf2p8affine_epi64_epi8(p, enter_m, 0), zc);
        __m128i a0 = _mm_shuffle_epi32(z, 0x00), a1 = _mm_shuffle_epi32(z, 0x55);
        __m128i a2 = _mm_shuffle_epi32(z, 0xaa), a3 = _mm_shuffle_epi32(z, 0xff);
        for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
            ZX_ROUND1(a0, a1, a2, a3, _mm_set1_epi32((int)key->rk[i]));
            ZX_ROUND1(a1, a2, a3, a0, _mm_set1_epi32((int)key->rk[i + 1]));
            ZX_ROUND1(a2, a3, a0, a1, _mm_set1_epi32((int)key->rk[i + 2]));
            ZX_ROUND1(a3, a0, a1, a2, _mm_set1_epi32((int)key->rk[i + 3]));
        }
        /* The block is (X35, X34, X33, X32) = lane 0 of (a3, a2, a1, a0). */
        zc = _mm_unpacklo_epi64(_mm_unpacklo_epi32(a3, a2), _mm_unpacklo_epi32(a1, a0));
        _mm_storeu_si128((__m128i *)(void *)out, _mm_gf2p8affine_epi64_epi8(zc, leave_m, 0));
    }
}

#else
typedef int tlcp_sm4_gfni512_unused; /* ISO C wants a non-empty file */
#endif

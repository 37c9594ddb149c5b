/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AES-NI + SSSE3 kernel of our SM4 core (see sm4_core.h for why; the
 * dispatch is in sm4_core.c). It also holds the key schedule, which every
 * kernel shares.
 *
 * Layout: four blocks are transposed so that register x_i holds word i of
 * every block, one block per 32-bit lane, each word in memory (big-endian)
 * byte order. One SM4 round then updates four blocks with a few vector
 * instructions; two such groups are interleaved so the CPU overlaps their
 * dependency chains (eight blocks in flight).
 *
 * S-box: S(x) = OUT(AESENCLAST(IN(x), 0)) bytewise, IN and OUT affine maps
 * over GF(2) (scripts/derive_sm4_affine.py derives them and checks this for
 * all 256 inputs). An affine map of a byte is applied as lookups of its low
 * and high nibble with PSHUFB into 16-byte tables held in registers, so no
 * lookup touches memory and nothing depends on secret data.
 *
 * To keep those maps off the serial chain of a round, the state words are
 * kept in the "Z domain": Z = the linear part of IN, bytewise. Then the
 * S-box input IN(X1 ^ X2 ^ X3 ^ rk) is Z1 ^ Z2 ^ Z3 ^ IN(rk), so the round
 * keys carry IN (with its constant) and AESENCLAST applies directly; and the
 * round output Z(L(OUT(s))) splits into three bytewise affine maps of the
 * AES S-box output s and byte rotations of the 32-bit word (round_a0 below).
 * Blocks enter and leave the Z domain once per call, not once per round.
 * AESENCLAST also applies ShiftRows, a fixed byte permutation, undone by the
 * same shuffles that rotate.
 */
#include "crypto/sm4_core_impl.h"

#include <string.h>

#include "util/mem.h"

#if defined(TLCP_SM4_X86)
#include <immintrin.h>

#define SM4_TARGET __attribute__((target("aes,ssse3")))
#define SM4_INLINE SM4_TARGET static inline __attribute__((always_inline))

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t rotl32(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

#include "crypto/sm4_core_tables.h"

/* Everything the rounds keep in registers. */
typedef struct sm4_consts {
    __m128i u_lo, u_hi, v_lo, v_hi, w_lo, w_hi, nibble;
    __m128i p0, p8, p16, p24; /* undo ShiftRows, then rotate by 0, 8, 16, 24 */
    __m128i enter_lo, enter_hi, leave_lo, leave_hi;
} sm4_consts;

SM4_INLINE __m128i load16(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

SM4_INLINE void store16(uint8_t *p, __m128i v)
{
    _mm_storeu_si128((__m128i *)(void *)p, v);
}

SM4_INLINE void load_consts(sm4_consts *c)
{
    __m128i isr = load16(inv_shift_rows);
    __m128i in_lo = load16(sbox_in_lo);
    c->u_lo = load16(round_u_lo);
    c->u_hi = load16(round_u_hi);
    c->v_lo = load16(round_v_lo);
    c->v_hi = load16(round_v_hi);
    c->w_lo = load16(round_w_lo);
    c->w_hi = load16(round_w_hi);
    c->nibble = _mm_set1_epi8(0x0f);
    /* shuffle(x, shuffle(isr, rot)) picks x[isr[rot[j]]]: unpermute, then rotate. */
    c->p0 = isr;
    c->p8 = _mm_shuffle_epi8(isr, load16(rol8_mask));
    c->p16 = _mm_shuffle_epi8(isr, load16(rol16_mask));
    c->p24 = _mm_shuffle_epi8(isr, load16(rol24_mask));
    /* Z is IN without its constant; the constant goes into the round keys. */
    c->enter_lo = _mm_xor_si128(in_lo, _mm_shuffle_epi8(in_lo, _mm_setzero_si128()));
    c->enter_hi = load16(sbox_in_hi);
    c->leave_lo = load16(leave_lo);
    c->leave_hi = load16(leave_hi);
}

/* lo_tab[x & 15] ^ hi_tab[x >> 4] for every byte of x, in registers. */
SM4_INLINE __m128i affine(__m128i x, __m128i lo_tab, __m128i hi_tab, __m128i nibble)
{
    __m128i lo = _mm_and_si128(x, nibble);
    __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), nibble);
    return _mm_xor_si128(_mm_shuffle_epi8(lo_tab, lo), _mm_shuffle_epi8(hi_tab, hi));
}

/*
 * Z(T(t)) for each 32-bit lane, from z = Z(t) ^ (IN's constant), where Z is
 * the linear part of IN applied to every byte. With s the AES S-box output
 * and y = OUT(s) the SM4 S-box output:
 *   L(y) = y ^ y<<<2 ^ y<<<10 ^ y<<<18 ^ y<<<24, and since y<<<2 takes bits
 *   from each byte and the one after it, y<<<2 = A(s) ^ (B(s)<<<8) for the
 *   bytewise maps A = OUT<<2, B = OUT>>6, giving
 *   L(y) = U(s) ^ V(s)<<<8 ^ V(s)<<<16 ^ W(s)<<<24
 * with bytewise U = OUT^A, V = A^B, W = OUT^B. Z is bytewise and commutes with
 * byte rotations, so Z(L(y)) has the same form with Z folded into U, V, W:
 * three table lookups and four byte shuffles, which also undo ShiftRows.
 */
SM4_INLINE __m128i round_a0(__m128i a0, __m128i z, const sm4_consts *c)
{
    __m128i s = _mm_aesenclast_si128(z, _mm_setzero_si128());
    __m128i lo = _mm_and_si128(s, c->nibble);
    __m128i hi = _mm_and_si128(_mm_srli_epi16(s, 4), c->nibble);
    __m128i u = _mm_xor_si128(_mm_shuffle_epi8(c->u_lo, lo), _mm_shuffle_epi8(c->u_hi, hi));
    __m128i v = _mm_xor_si128(_mm_shuffle_epi8(c->v_lo, lo), _mm_shuffle_epi8(c->v_hi, hi));
    __m128i w = _mm_xor_si128(_mm_shuffle_epi8(c->w_lo, lo), _mm_shuffle_epi8(c->w_hi, hi));
    /* a0 ^ U first, pinned: two XOR levels after the last shuffle instead
     * of three (the XOR order that took the GFNI round from 14 to 12
     * cycles on a Zen 4; sm4_core_gfni.c). */
    __m128i a0u = _mm_xor_si128(a0, _mm_shuffle_epi8(u, c->p0));
    WIDE_PIN(a0u);
    __m128i vv = _mm_xor_si128(_mm_shuffle_epi8(v, c->p8), _mm_shuffle_epi8(v, c->p16));
    WIDE_PIN(vv);
    return _mm_xor_si128(_mm_xor_si128(a0u, _mm_shuffle_epi8(w, c->p24)), vv);
}

/* X_{i+4} = X_i ^ T(X_{i+1} ^ X_{i+2} ^ X_{i+3} ^ rk_i) in the Z domain, into
 * X_i's register; a3 is always the newest word, so it is XORed in last
 * (pinned: compilers reassociate XORs and were seen to put it first). */
#define SM4_ROUND(a0, a1, a2, a3, k)                                                               \
    do {                                                                                           \
        __m128i early_ = _mm_xor_si128(_mm_xor_si128(a1, a2), k);                                  \
        WIDE_PIN(early_);                                                                          \
        a0 = round_a0(a0, _mm_xor_si128(early_, a3), c);                                           \
    } while (0)

/* 32 rounds on one transposed group; afterwards x0..x3 hold X32..X35. */
SM4_INLINE void rounds4(const uint32_t *rk, __m128i x[4], const sm4_consts *c)
{
    __m128i a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
        SM4_ROUND(a0, a1, a2, a3, _mm_set1_epi32((int)rk[i]));
        SM4_ROUND(a1, a2, a3, a0, _mm_set1_epi32((int)rk[i + 1]));
        SM4_ROUND(a2, a3, a0, a1, _mm_set1_epi32((int)rk[i + 2]));
        SM4_ROUND(a3, a0, a1, a2, _mm_set1_epi32((int)rk[i + 3]));
    }
    x[0] = a0, x[1] = a1, x[2] = a2, x[3] = a3;
}

/* Two groups round by round, so their independent chains overlap. */
SM4_INLINE void rounds8(const uint32_t *rk, __m128i x[4], __m128i y[4], const sm4_consts *c)
{
    __m128i a0 = x[0], a1 = x[1], a2 = x[2], a3 = x[3];
    __m128i b0 = y[0], b1 = y[1], b2 = y[2], b3 = y[3];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
        __m128i k = _mm_set1_epi32((int)rk[i]);
        SM4_ROUND(a0, a1, a2, a3, k);
        SM4_ROUND(b0, b1, b2, b3, k);
        k = _mm_set1_epi32((int)rk[i + 1]);
        SM4_ROUND(a1, a2, a3, a0, k);
        SM4_ROUND(b1, b2, b3, b0, k);
        k = _mm_set1_epi32((int)rk[i + 2]);
        SM4_ROUND(a2, a3, a0, a1, k);
        SM4_ROUND(b2, b3, b0, b1, k);
        k = _mm_set1_epi32((int)rk[i + 3]);
        SM4_ROUND(a3, a0, a1, a2, k);
        SM4_ROUND(b3, b0, b1, b2, k);
    }
    x[0] = a0, x[1] = a1, x[2] = a2, x[3] = a3;
    y[0] = b0, y[1] = b1, y[2] = b2, y[3] = b3;
}

/* 4x4 transpose of 32-bit lanes (its own inverse). */
SM4_INLINE void transpose(__m128i r[4])
{
    __m128i t0 = _mm_unpacklo_epi32(r[0], r[1]);
    __m128i t1 = _mm_unpacklo_epi32(r[2], r[3]);
    __m128i t2 = _mm_unpackhi_epi32(r[0], r[1]);
    __m128i t3 = _mm_unpackhi_epi32(r[2], r[3]);
    r[0] = _mm_unpacklo_epi64(t0, t1);
    r[1] = _mm_unpackhi_epi64(t0, t1);
    r[2] = _mm_unpacklo_epi64(t2, t3);
    r[3] = _mm_unpackhi_epi64(t2, t3);
}

/* Transposed words (one block per lane) -> the Z domain. */
SM4_INLINE void enter(__m128i x[4], const sm4_consts *c)
{
    for (int j = 0; j < 4; j++)
        x[j] = affine(x[j], c->enter_lo, c->enter_hi, c->nibble);
}

/* Round output (X32..X35 in the Z domain) -> four blocks (X35, X34, X33, X32). */
SM4_INLINE void leave(__m128i out[4], const __m128i x[4], const sm4_consts *c)
{
    for (int j = 0; j < 4; j++)
        out[j] = affine(x[3 - j], c->leave_lo, c->leave_hi, c->nibble);
    transpose(out);
}

/* Encrypts (or decrypts, by the key order) four blocks held in registers. */
SM4_INLINE void crypt4(const uint32_t *rk, __m128i b[4], const sm4_consts *c)
{
    __m128i x[4] = {b[0], b[1], b[2], b[3]};
    transpose(x);
    enter(x, c);
    rounds4(rk, x, c);
    leave(b, x, c);
}

SM4_INLINE void crypt8(const uint32_t *rk, __m128i b[8], const sm4_consts *c)
{
    __m128i x[4] = {b[0], b[1], b[2], b[3]}, y[4] = {b[4], b[5], b[6], b[7]};
    transpose(x);
    transpose(y);
    enter(x, c);
    enter(y, c);
    rounds8(rk, x, y, c);
    leave(b, x, c);
    leave(b + 4, y, c);
}

/* Loads up to four blocks (missing ones as zero blocks). */
SM4_INLINE void load_upto4(__m128i b[4], const uint8_t *in, size_t n)
{
    for (size_t j = 0; j < 4; j++)
        b[j] = j < n ? load16(in + 16 * j) : _mm_setzero_si128();
}

/* The SM4 S-box on each byte of w (key schedule). With all four lanes equal,
 * ShiftRows moves nothing that matters in lane 0. */
SM4_TARGET static uint32_t sbox_word(uint32_t w, __m128i nibble)
{
    __m128i x = _mm_set1_epi32((int)w);
    x = affine(x, load16(sbox_in_lo), load16(sbox_in_hi), nibble);
    x = _mm_aesenclast_si128(x, _mm_setzero_si128());
    x = affine(x, load16(sbox_out_lo), load16(sbox_out_hi), nibble);
    return (uint32_t)_mm_cvtsi128_si32(x);
}

/* A round key as the rounds use it: IN applied to each byte (constant
 * included), laid out as the lanes hold words (memory byte order). */
SM4_TARGET static uint32_t round_key_word(uint32_t rk, __m128i nibble)
{
    uint8_t be[4];
    uint32_t lane;
    store_be32(be, rk);
    memcpy(&lane, be, 4);
    __m128i x = affine(_mm_set1_epi32((int)lane), load16(sbox_in_lo), load16(sbox_in_hi), nibble);
    tlcp_wipe(be, sizeof(be));
    return (uint32_t)_mm_cvtsi128_si32(x);
}

SM4_TARGET void tlcp_sm4_aesni_expand(tlcp_sm4_key *key, const uint8_t user_key[16], int decrypt)
{
    static const uint32_t fk[4] = {0xa3b1bac6u, 0x56aa3350u, 0x677d9197u, 0xb27022dcu};
    const __m128i nibble = _mm_set1_epi8(0x0f);
    uint32_t k[4], t;

    for (int i = 0; i < 4; i++)
        k[i] = load_be32(user_key + 4 * i) ^ fk[i];
    for (int i = 0; i < TLCP_SM4_ROUNDS; i++) {
        /* CK_i has bytes (4i + j) * 7 mod 256, j = 0..3. */
        uint32_t ck = 0;
        for (int j = 0; j < 4; j++)
            ck = ck << 8 | (uint32_t)(((4 * i + j) * 7) & 0xff);
        t = sbox_word(k[1] ^ k[2] ^ k[3] ^ ck, nibble);
        t = k[0] ^ t ^ rotl32(t, 13) ^ rotl32(t, 23);
        k[0] = k[1];
        k[1] = k[2];
        k[2] = k[3];
        k[3] = t;
        key->rk[decrypt ? TLCP_SM4_ROUNDS - 1 - i : i] = round_key_word(t, nibble);
    }
    tlcp_wipe(k, sizeof(k));
    tlcp_wipe(&t, sizeof(t));
}

SM4_TARGET void tlcp_sm4_aesni_ecb(const tlcp_sm4_key *key, const uint8_t *in, uint8_t *out,
                                   size_t nblocks)
{
    sm4_consts c;
    __m128i b[8];

    load_consts(&c);
    for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
        for (int j = 0; j < 8; j++)
            b[j] = load16(in + 16 * j);
        crypt8(key->rk, b, &c);
        for (int j = 0; j < 8; j++)
            store16(out + 16 * j, b[j]);
    }
    while (nblocks > 0) {
        size_t n = nblocks < 4 ? nblocks : 4;
        load_upto4(b, in, n);
        crypt4(key->rk, b, &c);
        for (size_t j = 0; j < n; j++)
            store16(out + 16 * j, b[j]);
        in += 16 * n;
        out += 16 * n;
        nblocks -= n;
    }
}

/*
 * One round for a single block whose words are broadcast to all four lanes
 * (CBC encryption). With four equal columns ShiftRows moves nothing, so u
 * needs no shuffle and the rotations are plain. The XORs are grouped (and
 * pinned, as in sm4_core_gfni.c) so that a3 meets one XOR and a0 ^ u, ready
 * first, waits for only two more levels.
 */
#define SM4_ROUND1(a0, a1, a2, a3, k)                                                              \
    do {                                                                                           \
        __m128i e_ = _mm_xor_si128(_mm_xor_si128(a1, a2), k);                                      \
        WIDE_PIN(e_);                                                                              \
        __m128i s_ = _mm_aesenclast_si128(_mm_xor_si128(e_, a3), _mm_setzero_si128());             \
        __m128i lo_ = _mm_and_si128(s_, c.nibble);                                                 \
        __m128i hi_ = _mm_and_si128(_mm_srli_epi16(s_, 4), c.nibble);                              \
        __m128i u_ = _mm_xor_si128(_mm_shuffle_epi8(c.u_lo, lo_), _mm_shuffle_epi8(c.u_hi, hi_));  \
        __m128i v_ = _mm_xor_si128(_mm_shuffle_epi8(c.v_lo, lo_), _mm_shuffle_epi8(c.v_hi, hi_));  \
        __m128i w_ = _mm_xor_si128(_mm_shuffle_epi8(c.w_lo, lo_), _mm_shuffle_epi8(c.w_hi, hi_));  \
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
SM4_TARGET void tlcp_sm4_aesni_cbc_encrypt(const tlcp_sm4_key *key, const uint8_t iv[16],
                                           const uint8_t *in, uint8_t *out, size_t nblocks)
{
    sm4_consts c;
    load_consts(&c);
    const __m128i r8 = load16(rol8_mask), r16 = load16(rol16_mask), r24 = load16(rol24_mask);
    __m128i zc = affine(load16(iv), c.enter_lo, c.enter_hi, c.nibble);

    for (; nblocks > 0; nblocks--, in += 16, out += 16) {
        __m128i z = _mm_xor_si128(affine(load16(in), c.enter_lo, c.enter_hi, c.nibble), zc);
        __m128i a0 = _mm_shuffle_epi32(z, 0x00), a1 = _mm_shuffle_epi32(z, 0x55);
        __m128i a2 = _mm_shuffle_epi32(z, 0xaa), a3 = _mm_shuffle_epi32(z, 0xff);
        for (int i = 0; i < TLCP_SM4_ROUNDS; i += 4) {
            SM4_ROUND1(a0, a1, a2, a3, _mm_set1_epi32((int)key->rk[i]));
            SM4_ROUND1(a1, a2, a3, a0, _mm_set1_epi32((int)key->rk[i + 1]));
            SM4_ROUND1(a2, a3, a0, a1, _mm_set1_epi32((int)key->rk[i + 2]));
            SM4_ROUND1(a3, a0, a1, a2, _mm_set1_epi32((int)key->rk[i + 3]));
        }
        /* The block is (X35, X34, X33, X32) = lane 0 of (a3, a2, a1, a0). */
        zc = _mm_unpacklo_epi64(_mm_unpacklo_epi32(a3, a2), _mm_unpacklo_epi32(a1, a0));
        store16(out, affine(zc, c.leave_lo, c.leave_hi, c.nibble));
    }
}

SM4_TARGET void tlcp_sm4_aesni_cbc_decrypt(const tlcp_sm4_key *key, const uint8_t iv[16],
                                           const uint8_t *in, uint8_t *out, size_t nblocks)
{
    sm4_consts c;
    __m128i prev = load16(iv), ct[8], b[8];

    load_consts(&c);
    /* All ciphertext of a batch is loaded before any store, so in == out works. */
    for (; nblocks >= 8; nblocks -= 8, in += 128, out += 128) {
        for (int j = 0; j < 8; j++)
            b[j] = ct[j] = load16(in + 16 * j);
        crypt8(key->rk, b, &c);
        store16(out, _mm_xor_si128(b[0], prev));
        for (int j = 1; j < 8; j++)
            store16(out + 16 * j, _mm_xor_si128(b[j], ct[j - 1]));
        prev = ct[7];
    }
    while (nblocks > 0) {
        size_t n = nblocks < 4 ? nblocks : 4;
        load_upto4(ct, in, n);
        for (int j = 0; j < 4; j++)
            b[j] = ct[j];
        crypt4(key->rk, b, &c);
        store16(out, _mm_xor_si128(b[0], prev));
        for (size_t j = 1; j < n; j++)
            store16(out + 16 * j, _mm_xor_si128(b[j], ct[j - 1]));
        prev = ct[n - 1];
        in += 16 * n;
        out += 16 * n;
        nblocks -= n;
    }
}

/* Four counter blocks ctr, inc32(ctr), ... starting `first` blocks on, in the
 * Z domain. `fixed` holds the first 12 bytes of the counter block, transposed
 * and transformed once per call. */
SM4_INLINE void counter_words(__m128i x[4], const __m128i fixed[3], uint32_t w3, uint32_t first,
                              const sm4_consts *c)
{
    const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    x[0] = fixed[0];
    x[1] = fixed[1];
    x[2] = fixed[2];
    /* 32-bit lane addition wraps modulo 2^32: exactly inc32. */
    __m128i n = _mm_add_epi32(_mm_set1_epi32((int)(w3 + first)), _mm_set_epi32(3, 2, 1, 0));
    x[3] = affine(_mm_shuffle_epi8(n, bswap), c->enter_lo, c->enter_hi, c->nibble);
}

/* XORs 16 * n keystream bytes (n <= 4) from ks onto in -> out. */
SM4_INLINE void xor_out(uint8_t *out, const uint8_t *in, const __m128i ks[4])
{
    for (int j = 0; j < 4; j++)
        store16(out + 16 * j, _mm_xor_si128(load16(in + 16 * j), ks[j]));
}

SM4_TARGET void tlcp_sm4_aesni_ctr32(const tlcp_sm4_key *key, uint8_t ctr[16], const uint8_t *in,
                                     uint8_t *out, size_t len)
{
    sm4_consts c;
    __m128i x[4], y[4], ks[4], fixed[3];
    uint32_t w3 = load_be32(ctr + 12);

    load_consts(&c);
    for (int i = 0; i < 3; i++) {
        uint32_t lane;
        memcpy(&lane, ctr + 4 * i, 4);
        fixed[i] = affine(_mm_set1_epi32((int)lane), c.enter_lo, c.enter_hi, c.nibble);
    }
    for (; len >= 128; len -= 128, in += 128, out += 128, w3 += 8) {
        counter_words(x, fixed, w3, 0, &c);
        counter_words(y, fixed, w3, 4, &c);
        rounds8(key->rk, x, y, &c);
        leave(ks, x, &c);
        xor_out(out, in, ks);
        leave(ks, y, &c);
        xor_out(out + 64, in + 64, ks);
    }
    while (len > 0) {
        size_t n = len < 64 ? len : 64;
        counter_words(x, fixed, w3, 0, &c);
        rounds4(key->rk, x, &c);
        leave(ks, x, &c);
        if (n == 64) {
            xor_out(out, in, ks);
        } else {
            uint8_t stream[64];
            for (int j = 0; j < 4; j++)
                store16(stream + 16 * j, ks[j]);
            for (size_t i = 0; i < n; i++)
                out[i] = in[i] ^ stream[i];
            tlcp_wipe(stream, sizeof(stream));
        }
        w3 += (uint32_t)((n + 15) / 16);
        in += n;
        out += n;
        len -= n;
    }
    store_be32(ctr + 12, w3);
}

#else
typedef int tlcp_sm4_aesni_unused; /* ISO C wants a non-empty file */
#endif

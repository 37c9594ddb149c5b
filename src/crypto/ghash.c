/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constant-time GHASH: a portable multiply built from integer multiplications
 * and, on x86-64 CPUs that have it, a PCLMULQDQ path. Both compute the same
 * function and are differential-tested against each other and libgcrypt.
 *
 * Math (see ghash.h for the reflected representation): for reflected A and B
 * the carry-less integer product P = A*B holds the coefficient of x^m at bit
 * 254-m. After P <<= 1 it sits at bit 255-m, so the upper 128 bits are the
 * degree 0..127 part and the lower 128 bits the degree 128..255 part, still
 * reflected. Reduction uses x^128 = 1 + x + x^2 + x^7; multiplying by x^k
 * is a right shift by k in reflected form, so each lower 64-bit word w is
 * folded upward with w ^ w>>1 ^ w>>2 ^ w>>7 into the word 128 bits above and
 * w<<63 ^ w<<62 ^ w<<57 into the word 64 bits above. Folding the lowest word
 * first and then the next keeps every folded bit inside the result.
 */
#include <string.h>

#include "crypto/ghash.h"

/* ---- portable carry-less multiply ------------------------------------ */

/*
 * 32x32 -> 64-bit carry-less product from ordinary multiplications. Each
 * operand is split into four sparse parts keeping every fourth bit, so a
 * partial product's bits land only on one residue class mod 4 and the sum in
 * any such column has at most 8 terms: the carries (at most 3 bits) stay in
 * the three positions above, which belong to other classes and are masked off.
 * Multiplication time does not depend on the operands on the 64-bit CPUs we
 * target, so this is constant time.
 */
static uint64_t clmul32(uint32_t x, uint32_t y)
{
    const uint64_t m0 = 0x1111111111111111u, m1 = 0x2222222222222222u;
    const uint64_t m2 = 0x4444444444444444u, m3 = 0x8888888888888888u;
    uint64_t x0 = x & (uint32_t)m0, x1 = x & (uint32_t)m1;
    uint64_t x2 = x & (uint32_t)m2, x3 = x & (uint32_t)m3;
    uint64_t y0 = y & (uint32_t)m0, y1 = y & (uint32_t)m1;
    uint64_t y2 = y & (uint32_t)m2, y3 = y & (uint32_t)m3;

    /* Column class of xi*yj is (i + j) mod 4. */
    uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & m0) | (z1 & m1) | (z2 & m2) | (z3 & m3);
}

/* 64x64 -> 128-bit carry-less product, Karatsuba over 32-bit halves. */
static void clmul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint32_t a0 = (uint32_t)a, a1 = (uint32_t)(a >> 32);
    uint32_t b0 = (uint32_t)b, b1 = (uint32_t)(b >> 32);
    uint64_t p0 = clmul32(a0, b0);
    uint64_t p2 = clmul32(a1, b1);
    uint64_t p1 = clmul32(a0 ^ a1, b0 ^ b1) ^ p0 ^ p2;
    *lo = p0 ^ (p1 << 32);
    *hi = p2 ^ (p1 >> 32);
}

/* Shift the 256-bit product z3:z2:z1:z0 left by one and reduce it. */
static tlcp_gf128 reduce256(uint64_t z3, uint64_t z2, uint64_t z1, uint64_t z0)
{
    tlcp_gf128 r;
    z3 = (z3 << 1) | (z2 >> 63);
    z2 = (z2 << 1) | (z1 >> 63);
    z1 = (z1 << 1) | (z0 >> 63);
    z0 <<= 1;

    z2 ^= z0 ^ (z0 >> 1) ^ (z0 >> 2) ^ (z0 >> 7);
    z1 ^= (z0 << 63) ^ (z0 << 62) ^ (z0 << 57);
    z3 ^= z1 ^ (z1 >> 1) ^ (z1 >> 2) ^ (z1 >> 7);
    z2 ^= (z1 << 63) ^ (z1 << 62) ^ (z1 << 57);
    r.hi = z3;
    r.lo = z2;
    return r;
}

tlcp_gf128 tlcp_gf128_mul(tlcp_gf128 a, tlcp_gf128 b)
{
    uint64_t l1, l0, h1, h0, m1, m0;
    clmul64(a.lo, b.lo, &l1, &l0);
    clmul64(a.hi, b.hi, &h1, &h0);
    clmul64(a.hi ^ a.lo, b.hi ^ b.lo, &m1, &m0);
    m1 ^= l1 ^ h1;
    m0 ^= l0 ^ h0;
    return reduce256(h1, h0 ^ m1, l1 ^ m0, l0);
}

static uint64_t load_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

void tlcp_gf128_load(tlcp_gf128 *out, const uint8_t in[TLCP_GHASH_BLOCK_LEN])
{
    out->hi = load_be64(in);
    out->lo = load_be64(in + 8);
}

void tlcp_gf128_store(uint8_t out[TLCP_GHASH_BLOCK_LEN], tlcp_gf128 in)
{
    store_be64(out, in.hi);
    store_be64(out + 8, in.lo);
}

static void ghash_blocks_portable(const tlcp_ghash_key *key, tlcp_gf128 *y, const uint8_t *data,
                                  size_t nblocks)
{
    tlcp_gf128 acc = *y;
    for (size_t i = 0; i < nblocks; i++, data += TLCP_GHASH_BLOCK_LEN) {
        acc.hi ^= load_be64(data);
        acc.lo ^= load_be64(data + 8);
        acc = tlcp_gf128_mul(acc, key->h[0]);
    }
    *y = acc;
}

/* ---- PCLMULQDQ path (x86-64) ----------------------------------------- */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TLCP_GHASH_X86 1
#include <immintrin.h>

#define CLMUL_TARGET __attribute__((target("pclmul,ssse3")))

/* The unreduced 256-bit product, as two 128-bit halves. */
typedef struct wide {
    __m128i hi;
    __m128i lo;
} wide;

CLMUL_TARGET static __m128i load_block(const uint8_t *p)
{
    /* Reverse the 16 bytes so the register holds the big-endian integer. */
    const __m128i bswap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), bswap);
}

CLMUL_TARGET static __m128i to_m128(tlcp_gf128 v)
{
    return _mm_set_epi64x((long long)v.hi, (long long)v.lo);
}

CLMUL_TARGET static void mul_acc(wide *acc, __m128i a, __m128i b)
{
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    acc->lo = _mm_xor_si128(acc->lo, _mm_xor_si128(lo, _mm_slli_si128(mid, 8)));
    acc->hi = _mm_xor_si128(acc->hi, _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/* x<<63 ^ x<<62 ^ x<<57 on each 64-bit lane. */
CLMUL_TARGET static __m128i fold_up(__m128i x)
{
    return _mm_xor_si128(_mm_xor_si128(_mm_slli_epi64(x, 63), _mm_slli_epi64(x, 62)),
                         _mm_slli_epi64(x, 57));
}

/* The same shift-and-reduce as reduce256, on vector registers. */
CLMUL_TARGET static __m128i reduce_wide(wide w)
{
    __m128i lc = _mm_srli_epi64(w.lo, 63);
    __m128i hc = _mm_srli_epi64(w.hi, 63);
    __m128i lo = _mm_or_si128(_mm_slli_epi64(w.lo, 1), _mm_slli_si128(lc, 8));
    __m128i hi = _mm_or_si128(_mm_or_si128(_mm_slli_epi64(w.hi, 1), _mm_slli_si128(hc, 8)),
                              _mm_srli_si128(lc, 8));

    /* Fold the lowest word into the next one, then both words upward. */
    lo = _mm_xor_si128(lo, _mm_slli_si128(fold_up(lo), 8));
    hi = _mm_xor_si128(hi, _mm_srli_si128(fold_up(lo), 8));
    hi = _mm_xor_si128(hi, lo);
    hi = _mm_xor_si128(hi, _mm_srli_epi64(lo, 1));
    hi = _mm_xor_si128(hi, _mm_srli_epi64(lo, 2));
    hi = _mm_xor_si128(hi, _mm_srli_epi64(lo, 7));
    return hi;
}

CLMUL_TARGET static void ghash_blocks_clmul(const tlcp_ghash_key *key, tlcp_gf128 *y,
                                            const uint8_t *data, size_t nblocks)
{
    __m128i acc = to_m128(*y);
    __m128i h1 = to_m128(key->h[0]);
    __m128i h2 = to_m128(key->h[1]);
    __m128i h3 = to_m128(key->h[2]);
    __m128i h4 = to_m128(key->h[3]);

    /* Four blocks per reduction: (y^b0)H^4 ^ b1 H^3 ^ b2 H^2 ^ b3 H. */
    while (nblocks >= 4) {
        wide w = {_mm_setzero_si128(), _mm_setzero_si128()};
        mul_acc(&w, _mm_xor_si128(acc, load_block(data)), h4);
        mul_acc(&w, load_block(data + 16), h3);
        mul_acc(&w, load_block(data + 32), h2);
        mul_acc(&w, load_block(data + 48), h1);
        acc = reduce_wide(w);
        data += 64;
        nblocks -= 4;
    }
    for (; nblocks > 0; nblocks--, data += 16) {
        wide w = {_mm_setzero_si128(), _mm_setzero_si128()};
        mul_acc(&w, _mm_xor_si128(acc, load_block(data)), h1);
        acc = reduce_wide(w);
    }
    y->lo = (uint64_t)_mm_cvtsi128_si64(acc);
    y->hi = (uint64_t)_mm_cvtsi128_si64(_mm_srli_si128(acc, 8));
}

static int cpu_has_clmul(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
}
#else
static int cpu_has_clmul(void)
{
    return 0;
}
#endif

/* ---- dispatch --------------------------------------------------------- */

#if defined(TLCP_TESTING)
static int g_force_portable;

void tlcp_ghash_force_portable(int on)
{
    g_force_portable = on;
}

int tlcp_ghash_have_clmul(void)
{
    return cpu_has_clmul();
}
#define FORCE_PORTABLE g_force_portable
#else
#define FORCE_PORTABLE 0
#endif

void tlcp_ghash_init(tlcp_ghash_key *key, const uint8_t h[TLCP_GHASH_BLOCK_LEN])
{
    tlcp_gf128_load(&key->h[0], h);
    for (int i = 1; i < 4; i++)
        key->h[i] = tlcp_gf128_mul(key->h[i - 1], key->h[0]);
    key->use_clmul = cpu_has_clmul() && !FORCE_PORTABLE;
}

void tlcp_ghash_blocks(const tlcp_ghash_key *key, tlcp_gf128 *y, const uint8_t *data,
                       size_t nblocks)
{
#if defined(TLCP_GHASH_X86)
    if (key->use_clmul) {
        ghash_blocks_clmul(key, y, data, nblocks);
        return;
    }
#endif
    ghash_blocks_portable(key, y, data, nblocks);
}

void tlcp_ghash_padded(const tlcp_ghash_key *key, tlcp_gf128 *y, const uint8_t *data, size_t len)
{
    size_t full = len / TLCP_GHASH_BLOCK_LEN;
    size_t rem = len % TLCP_GHASH_BLOCK_LEN;
    if (full > 0)
        tlcp_ghash_blocks(key, y, data, full);
    if (rem > 0) {
        uint8_t last[TLCP_GHASH_BLOCK_LEN] = {0};
        memcpy(last, data + full * TLCP_GHASH_BLOCK_LEN, rem);
        tlcp_ghash_blocks(key, y, last, 1);
    }
}

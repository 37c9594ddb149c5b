/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field arithmetic mod p = 2^256 - 2^224 - 2^96 + 2^64 - 1 (the SM2 prime) on
 * four 64-bit little-endian limbs, in Montgomery form (x*2^256 mod p), always
 * fully reduced to [0, p). Every function here runs in time independent of
 * the values: no branch, no table index and no variable-time instruction on
 * limb contents. Internal to the SM2 files of src/crypto/.
 *
 * The Montgomery constant -p^-1 mod 2^64 is 1, and p's special shape turns
 * each reduction step into additions and shifts (sm2_fe_mont_reduce): no
 * multiplication by p is needed.
 */
#ifndef TLCP_CRYPTO_SM2_FE_H
#define TLCP_CRYPTO_SM2_FE_H

#include <stdint.h>

typedef uint64_t sm2_fe[4];
typedef unsigned __int128 sm2_u128;

/* Defined here so that the compiler folds them into the code. */
static const sm2_fe sm2_fe_p = {0xffffffffffffffffULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                                0xfffffffeffffffffULL};
/* 1 in Montgomery form (2^256 mod p) */
static const sm2_fe sm2_fe_one = {0x0000000000000001ULL, 0x00000000ffffffffULL,
                                  0x0000000000000000ULL, 0x0000000100000000ULL};
extern const sm2_fe sm2_fe_rr; /* 2^512 mod p: converts into Montgomery form */
extern const sm2_fe sm2_fe_b;  /* the curve's b, Montgomery form */

/* Hides a value from the optimizer, so that it cannot see that a mask is
 * 0 or all-ones and turn the masked code back into a branch. */
static inline uint64_t sm2_ct_barrier(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
    return x;
#else
    volatile uint64_t v = x;
    return v;
#endif
}

/* 0 or all-ones masks from 0/1 bits, without branches. */
static inline uint64_t sm2_mask(uint64_t bit)
{
    return sm2_ct_barrier((uint64_t)0 - sm2_ct_barrier(bit));
}

/* All-ones if x == 0. */
static inline uint64_t sm2_mask_is_zero64(uint64_t x)
{
    x = sm2_ct_barrier(x);
    return sm2_mask(((x | ((uint64_t)0 - x)) >> 63) ^ 1);
}

/* 64-bit add/subtract with carry in and out (carry, borrow are 0 or 1),
 * through 128-bit sums: no boolean for the compiler to turn into a branch
 * (the overflow builtins did exactly that, caught by the data-flow test). */
static inline uint64_t sm2_adc64(uint64_t a, uint64_t b, uint64_t *carry)
{
    sm2_u128 s = (sm2_u128)a + b + *carry;
    *carry = (uint64_t)(s >> 64);
    return (uint64_t)s;
}

static inline uint64_t sm2_sbb64(uint64_t a, uint64_t b, uint64_t *borrow)
{
    sm2_u128 d = (sm2_u128)a - b - *borrow;
    *borrow = (uint64_t)(d >> 64) & 1;
    return (uint64_t)d;
}

static inline void sm2_fe_copy(sm2_fe r, const sm2_fe a)
{
    r[0] = a[0];
    r[1] = a[1];
    r[2] = a[2];
    r[3] = a[3];
}

/* r = mask ? a : r (mask is 0 or all-ones). */
static inline void sm2_fe_cmov(sm2_fe r, const sm2_fe a, uint64_t mask)
{
    for (int i = 0; i < 4; i++)
        r[i] ^= mask & (r[i] ^ a[i]);
}

/* All-ones if a == 0 (a is reduced, so 0 has one representation). */
static inline uint64_t sm2_fe_is_zero(const sm2_fe a)
{
    return sm2_mask_is_zero64(a[0] | a[1] | a[2] | a[3]);
}

/*
 * Shared by the field (mod p) and the scalars (mod n):
 * r = (v - m if v >= m else v), where v = carry*2^256 + t and v < 2m.
 */
static inline void sm2_reduce_once_mod(uint64_t r[4], const uint64_t t[4], uint64_t carry,
                                       const uint64_t m[4])
{
    uint64_t b = 0;
    uint64_t s0 = sm2_sbb64(t[0], m[0], &b);
    uint64_t s1 = sm2_sbb64(t[1], m[1], &b);
    uint64_t s2 = sm2_sbb64(t[2], m[2], &b);
    uint64_t s3 = sm2_sbb64(t[3], m[3], &b);
    /* v >= m exactly when the subtraction did not borrow past the carry. */
    uint64_t keep_t = sm2_mask(b & (carry ^ 1));
    r[0] = s0 ^ ((s0 ^ t[0]) & keep_t);
    r[1] = s1 ^ ((s1 ^ t[1]) & keep_t);
    r[2] = s2 ^ ((s2 ^ t[2]) & keep_t);
    r[3] = s3 ^ ((s3 ^ t[3]) & keep_t);
}

/* r = (a + b) mod m for a, b < m. */
static inline void sm2_add_mod(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                               const uint64_t m[4])
{
    uint64_t t[4], c = 0;
    t[0] = sm2_adc64(a[0], b[0], &c);
    t[1] = sm2_adc64(a[1], b[1], &c);
    t[2] = sm2_adc64(a[2], b[2], &c);
    t[3] = sm2_adc64(a[3], b[3], &c);
    sm2_reduce_once_mod(r, t, c, m);
}

/* r = (a - b) mod m for a, b < m. */
static inline void sm2_sub_mod(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                               const uint64_t m[4])
{
    uint64_t w = 0, c = 0;
    uint64_t t0 = sm2_sbb64(a[0], b[0], &w);
    uint64_t t1 = sm2_sbb64(a[1], b[1], &w);
    uint64_t t2 = sm2_sbb64(a[2], b[2], &w);
    uint64_t t3 = sm2_sbb64(a[3], b[3], &w);
    /* Add m back when a < b. */
    uint64_t mask = sm2_mask(w);
    r[0] = sm2_adc64(t0, m[0] & mask, &c);
    r[1] = sm2_adc64(t1, m[1] & mask, &c);
    r[2] = sm2_adc64(t2, m[2] & mask, &c);
    r[3] = sm2_adc64(t3, m[3] & mask, &c);
}

static inline void sm2_fe_reduce_once(sm2_fe r, const uint64_t t[4], uint64_t carry)
{
    sm2_reduce_once_mod(r, t, carry, sm2_fe_p);
}

static inline void sm2_fe_add(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    sm2_add_mod(r, a, b, sm2_fe_p);
}

static inline void sm2_fe_sub(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    sm2_sub_mod(r, a, b, sm2_fe_p);
}

static inline void sm2_fe_neg(sm2_fe r, const sm2_fe a)
{
    static const sm2_fe zero = {0, 0, 0, 0};
    sm2_fe_sub(r, zero, a);
}

/*
 * Montgomery reduction of a 512-bit t: r = t * 2^-256 mod p, for t < p*2^256.
 * One step with m = u[0] replaces u by (u + m*p) / 2^64 = (u >> 64) + m*q with
 * q = (p + 1) / 2^64 = 2^192 - 2^160 - 2^32 + 1, so
 *   m*q = m + m*2^192 - (m << 32 spread over limbs 0..3 as lo, hi, lo, hi).
 * Four steps reduce the low half; then the high half is added.
 */
static inline __attribute__((always_inline)) void sm2_fe_mont_reduce(sm2_fe r, const uint64_t t[8])
{
    uint64_t u0 = t[0], u1 = t[1], u2 = t[2], u3 = t[3];
    for (int step = 0; step < 4; step++) {
        /* m*q = m + m*2^192 - (m << 32) - (m << 160) depends on m only, so
         * the next step's m (u1 + d0) is ready early and the steps overlap;
         * the result fits in 256 bits, so the top carry is dropped */
        uint64_t m = u0, lo = m << 32, hi = m >> 32, c = 0, b = 0;
        uint64_t d0 = sm2_sbb64(m, lo, &b);
        uint64_t d1 = sm2_sbb64(0, hi, &b);
        uint64_t d2 = sm2_sbb64(0, lo, &b);
        uint64_t d3 = sm2_sbb64(m, hi, &b);
        u0 = sm2_adc64(u1, d0, &c);
        u1 = sm2_adc64(u2, d1, &c);
        u2 = sm2_adc64(u3, d2, &c);
        u3 = d3 + c;
    }
    /* u <= p; u + high half < 2p */
    uint64_t s[4], c = 0;
    s[0] = sm2_adc64(u0, t[4], &c);
    s[1] = sm2_adc64(u1, t[5], &c);
    s[2] = sm2_adc64(u2, t[6], &c);
    s[3] = sm2_adc64(u3, t[7], &c);
    sm2_fe_reduce_once(r, s, c);
}

/* Portable 256x256 -> 512-bit products. */
static inline void sm2_fe_mul_wide_portable(uint64_t t[8], const sm2_fe a, const sm2_fe b)
{
    for (int i = 0; i < 8; i++)
        t[i] = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            sm2_u128 x = (sm2_u128)a[i] * b[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)x;
            carry = (uint64_t)(x >> 64);
        }
        t[i + 4] = carry;
    }
}

static inline void sm2_fe_sqr_wide_portable(uint64_t t[8], const sm2_fe a)
{
    /* off-diagonal products once, doubled, plus the squares */
    for (int i = 0; i < 8; i++)
        t[i] = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t carry = 0;
        for (int j = i + 1; j < 4; j++) {
            sm2_u128 x = (sm2_u128)a[i] * a[j] + t[i + j] + carry;
            t[i + j] = (uint64_t)x;
            carry = (uint64_t)(x >> 64);
        }
        t[i + 4] = carry;
    }
    uint64_t top = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t w = t[i];
        t[i] = (w << 1) | top;
        top = w >> 63;
    }
    sm2_u128 acc = 0;
    for (int i = 0; i < 4; i++) {
        sm2_u128 sq = (sm2_u128)a[i] * a[i];
        acc += (sm2_u128)t[2 * i] + (uint64_t)sq;
        t[2 * i] = (uint64_t)acc;
        acc >>= 64;
        acc += (sm2_u128)t[2 * i + 1] + (uint64_t)(sq >> 64);
        t[2 * i + 1] = (uint64_t)acc;
        acc >>= 64;
    }
}

static inline void sm2_fe_mul_portable(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    uint64_t t[8];
    sm2_fe_mul_wide_portable(t, a, b);
    sm2_fe_mont_reduce(r, t);
}

static inline void sm2_fe_sqr_portable(sm2_fe r, const sm2_fe a)
{
    uint64_t t[8];
    sm2_fe_sqr_wide_portable(t, a);
    sm2_fe_mont_reduce(r, t);
}

/*
 * r = c * a mod p for a small public c (1 <= c <= 8) and a < p: the top limb
 * t of the five-limb product folds back with 2^256 = 2^224 + 2^96 - 2^64 + 1
 * (mod p), leaving a value below 2p for one final subtraction.
 */
static inline void sm2_fe_mul_small_portable(sm2_fe r, const sm2_fe a, uint64_t c)
{
    uint64_t t[4], top, carry = 0;
    for (int i = 0; i < 4; i++) {
        sm2_u128 x = (sm2_u128)a[i] * c + carry;
        t[i] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
    top = carry;
    carry = 0;
    t[0] = sm2_adc64(t[0], top, &carry);
    t[1] = sm2_adc64(t[1], (top << 32) - top, &carry);
    t[2] = sm2_adc64(t[2], 0, &carry);
    t[3] = sm2_adc64(t[3], top << 32, &carry);
    sm2_fe_reduce_once(r, t, carry);
}

/* Conversions (constant time; not on the hot path). in/out big-endian. */
void sm2_fe_from_bytes(sm2_fe r, const uint8_t in[32]); /* in < p assumed, see below */
void sm2_fe_to_bytes(uint8_t out[32], const sm2_fe a);
/* 1 if the big-endian value is < p (public data only). */
int sm2_fe_bytes_in_range(const uint8_t in[32]);

/* Big-endian bytes <-> little-endian limbs, no reduction. */
void sm2_limbs_from_bytes(uint64_t r[4], const uint8_t in[32]);
void sm2_limbs_to_bytes(uint8_t out[32], const uint64_t a[4]);

#endif

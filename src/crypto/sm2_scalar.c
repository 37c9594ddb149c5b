/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scalars mod n, the order of the SM2 base point, in constant time: 4-limb
 * Montgomery multiplication (CIOS) with __int128 and a fixed-window
 * exponentiation by the public n - 2 for the inverse.
 */
#include <string.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_fe.h"
#include "crypto/sm2_scalar.h"

const uint64_t sm2_scalar_n[4] = {0x53bbf40939d54123ULL, 0x7203df6b21c6052bULL,
                                  0xffffffffffffffffULL, 0xfffffffeffffffffULL};
/* 2^512 mod n, and -n^-1 mod 2^64 */
static const uint64_t n_rr[4] = {0x901192af7c114f20ULL, 0x3464504ade6fa2faULL,
                                 0x620fc84c3affe0d4ULL, 0x1eb5e412a22b3d3bULL};
static const uint64_t n_k0 = 0x327f9e8872350975ULL;

static void reduce_once(uint64_t r[4], const uint64_t t[4], uint64_t carry)
{
    sm2_reduce_once_mod(r, t, carry, sm2_scalar_n);
}

/* r = a*b/2^256 mod n for a, b < n. */
static void mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
    uint64_t t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        sm2_u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c = (sm2_u128)a[j] * b[i] + t[j] + (uint64_t)(c >> 64);
            t[j] = (uint64_t)c;
        }
        c = (sm2_u128)t[4] + (uint64_t)(c >> 64);
        t[4] = (uint64_t)c;
        t[5] = (uint64_t)(c >> 64);
        uint64_t m = t[0] * n_k0;
        c = (sm2_u128)m * sm2_scalar_n[0] + t[0];
        for (int j = 1; j < 4; j++) {
            c = (sm2_u128)m * sm2_scalar_n[j] + t[j] + (uint64_t)(c >> 64);
            t[j - 1] = (uint64_t)c;
        }
        c = (sm2_u128)t[4] + (uint64_t)(c >> 64);
        t[3] = (uint64_t)c;
        t[4] = t[5] + (uint64_t)(c >> 64);
    }
    reduce_once(r, t, t[4]);
}

void sm2_scalar_reduce_limbs(uint64_t r[4], const uint64_t a[4])
{
    /* 2^256 < 2n, so one conditional subtraction reduces any 256-bit value. */
    reduce_once(r, a, 0);
}

void sm2_scalar_reduce(uint8_t r[32], const uint8_t a[32])
{
    uint64_t v[4];
    sm2_limbs_from_bytes(v, a);
    sm2_scalar_reduce_limbs(v, v);
    sm2_limbs_to_bytes(r, v);
}

void sm2_scalar_add(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    uint64_t x[4], y[4];
    sm2_limbs_from_bytes(x, a);
    sm2_limbs_from_bytes(y, b);
    sm2_add_mod(x, x, y, sm2_scalar_n);
    sm2_limbs_to_bytes(r, x);
}

void sm2_scalar_sub(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    uint64_t x[4], y[4];
    sm2_limbs_from_bytes(x, a);
    sm2_limbs_from_bytes(y, b);
    sm2_sub_mod(x, x, y, sm2_scalar_n);
    sm2_limbs_to_bytes(r, x);
}

void sm2_scalar_mul(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    uint64_t x[4], y[4], t[4];
    sm2_limbs_from_bytes(x, a);
    sm2_limbs_from_bytes(y, b);
    sm2_scalar_reduce_limbs(x, x);
    sm2_scalar_reduce_limbs(y, y);
    mont_mul(t, x, y);    /* x*y/R */
    mont_mul(t, t, n_rr); /* x*y */
    sm2_limbs_to_bytes(r, t);
}

void sm2_scalar_inv(uint8_t r[32], const uint8_t a[32])
{
    /* n - 2, little-endian limbs; its 4-bit windows pick the table entry, and
     * being public they are fine as indices. */
    static const uint64_t e[4] = {0x53bbf40939d54121ULL, 0x7203df6b21c6052bULL,
                                  0xffffffffffffffffULL, 0xfffffffeffffffffULL};
    static const uint64_t one[4] = {1, 0, 0, 0};
    uint64_t x[4], pw[16][4], acc[4];
    sm2_limbs_from_bytes(x, a);
    sm2_scalar_reduce_limbs(x, x);
    mont_mul(pw[0], n_rr, one); /* 1 in Montgomery form */
    mont_mul(pw[1], x, n_rr);   /* x in Montgomery form */
    for (int i = 2; i < 16; i++)
        mont_mul(pw[i], pw[i - 1], pw[1]);
    memcpy(acc, pw[0], sizeof(acc));
    for (int i = 63; i >= 0; i--) {
        for (int s = 0; s < 4; s++)
            mont_mul(acc, acc, acc);
        mont_mul(acc, acc, pw[(e[i / 16] >> (4 * (i % 16))) & 15]);
    }
    mont_mul(acc, acc, one); /* out of Montgomery form */
    sm2_limbs_to_bytes(r, acc);
    memset(pw, 0, sizeof(pw));
    memset(x, 0, sizeof(x));
}

uint64_t sm2_scalar_is_zero_limbs(const uint64_t a[4])
{
    return sm2_mask_is_zero64(a[0] | a[1] | a[2] | a[3]);
}

uint64_t sm2_scalar_in_range_limbs(const uint64_t a[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        sm2_u128 d = (sm2_u128)a[i] - sm2_scalar_n[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return sm2_mask(borrow) & ~sm2_scalar_is_zero_limbs(a);
}

int sm2_scalar_is_zero(const uint8_t a[32])
{
    uint64_t v[4];
    sm2_limbs_from_bytes(v, a);
    return (int)(sm2_scalar_is_zero_limbs(v) & 1);
}

int sm2_scalar_in_range(const uint8_t a[32])
{
    uint64_t v[4];
    sm2_limbs_from_bytes(v, a);
    return (int)(sm2_scalar_in_range_limbs(v) & 1);
}

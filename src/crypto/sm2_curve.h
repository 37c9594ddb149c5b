/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 curve arithmetic (sm2p256v1): the internal interface between the SM2
 * operations (sm2_sign.c, sm2_enc.c, sm2_kx.c, sm2_key.c) and the field and
 * point code. All byte strings are big-endian; scalars and coordinates are 32
 * bytes; points are 64 bytes X||Y, affine, never infinity at the interface.
 * Not for use outside src/crypto/.
 */
#ifndef TLCP_CRYPTO_SM2_CURVE_H
#define TLCP_CRYPTO_SM2_CURVE_H

#include <stdint.h>

/* 1 if (x,y) is on the curve with 0 <= x,y < p (full validation); 0 otherwise. Public data. */
int sm2_point_is_valid(const uint8_t xy[64]);
/* out = k*G, constant time in k. k must be in [1, n-1]: returns 0 otherwise (checked in constant
 * time). */
int sm2_mul_base(uint8_t out[64], const uint8_t k[32]);
/* out = k*P, constant time in k (P public, validated by the caller). Returns 0 if k not in
 * [1,n-1] or the result is infinity. */
int sm2_mul_point(uint8_t out[64], const uint8_t k[32], const uint8_t p[64]);
/* out = a*G + b*P, variable time (verification only: public inputs). Returns 0 if the result is
 * infinity. a and b are any 256-bit values (reduced mod n internally); a or b may be 0. */
int sm2_mul_double_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                           const uint8_t p[64]);
/* out = a + b, public inputs, variable time; 0 if the sum is infinity. a == b works. */
int sm2_point_add(uint8_t out[64], const uint8_t a[64], const uint8_t b[64]);

/* Optional per-key precomputation for a point used many times (server keys, CA keys). */
typedef struct sm2_point_table sm2_point_table;            /* opaque, bounded size (<= 64 KiB) */
sm2_point_table *sm2_point_table_new(const uint8_t p[64]); /* NULL on error */
void sm2_point_table_free(sm2_point_table *t);
/* Same contract as sm2_mul_point, constant time in k. */
int sm2_mul_point_table(uint8_t out[64], const uint8_t k[32], const sm2_point_table *t);
/* Same contract as sm2_mul_double_vartime. */
int sm2_mul_double_table_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                                 const sm2_point_table *t);

/* Scalars mod n (constant time). */
void sm2_scalar_add(uint8_t r[32], const uint8_t a[32], const uint8_t b[32]); /* inputs < n */
void sm2_scalar_sub(uint8_t r[32], const uint8_t a[32], const uint8_t b[32]);
void sm2_scalar_mul(uint8_t r[32], const uint8_t a[32], const uint8_t b[32]);
void sm2_scalar_inv(uint8_t r[32], const uint8_t a[32]);    /* a^(n-2) mod n; a != 0 */
void sm2_scalar_reduce(uint8_t r[32], const uint8_t a[32]); /* a mod n for any 256-bit a */
int sm2_scalar_is_zero(const uint8_t a[32]);                /* 0/1 */
int sm2_scalar_in_range(const uint8_t a[32]);               /* 1 if 1 <= a <= n-1 */

#endif

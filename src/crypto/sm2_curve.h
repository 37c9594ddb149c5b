/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libtlcp's own SM2 curve arithmetic (sm2p256v1, GB/T 32918.5): point
 * validation, scalar multiplications and scalars mod n, on byte strings.
 * All values are big-endian; scalars and coordinates are 32 bytes; a point
 * is 64 bytes X||Y, affine, never the point at infinity. Functions marked
 * constant time run in time independent of their secret inputs (checked by
 * tests/unit/test_sm2_curve_dataflow.c). Internal to src/crypto/.
 *
 * The field code has a portable C back end and an x86-64 MULX/ADX one,
 * chosen once at run time by CPUID.
 */
#ifndef TLCP_CRYPTO_SM2_CURVE_H
#define TLCP_CRYPTO_SM2_CURVE_H

#include <stdint.h>

/* 1 if (x,y) is on the curve with 0 <= x,y < p (full validation); 0 otherwise. Public data. */
int sm2_point_is_valid(const uint8_t xy[64]);
/* out = k*G, constant time in k. k must be in [1, n-1]: returns 0 otherwise
 * (checked in constant time; out is then zeroed). */
int sm2_mul_base(uint8_t out[64], const uint8_t k[32]);
/* out = k*P, constant time in k (P public, validated by the caller). Returns 0
 * if k is not in [1, n-1] or the result is infinity. */
int sm2_mul_point(uint8_t out[64], const uint8_t k[32], const uint8_t p[64]);
/* out = k*(e*R + P) (the key exchange's U), constant time in k; e, R and P
 * are public (R, P validated by the caller; e any 256-bit value) and
 * e*R + P is formed by variable-time arithmetic. *sum_ok is set to 0 when
 * e*R + P is infinity. Returns 0 if k is not in [1, n-1], the sum is
 * infinity or the result is infinity. */
int sm2_mul_sum(uint8_t out[64], const uint8_t k[32], const uint8_t e[32], const uint8_t r[64],
                const uint8_t p[64], int *sum_ok);
/* out = a*G + b*P, variable time (verification only: public inputs); a, b any
 * 256-bit values. Returns 0 if the result is infinity. */
int sm2_mul_double_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                           const uint8_t p[64]);

/* out = a + b for valid points a, b (public inputs, variable time; a == b
 * works). Returns 0 if the sum is infinity (a = -b). */
int sm2_point_add(uint8_t out[64], const uint8_t a[64], const uint8_t b[64]);

/* Per-key precomputation (about 52 KiB) for a point used many times. */
typedef struct sm2_point_table sm2_point_table;
/* NULL on allocation failure or if p is not a valid point. */
sm2_point_table *sm2_point_table_new(const uint8_t p[64]);
void sm2_point_table_free(sm2_point_table *t);
/* Same contracts as sm2_mul_point and sm2_mul_double_vartime. */
int sm2_mul_point_table(uint8_t out[64], const uint8_t k[32], const sm2_point_table *t);
int sm2_mul_double_table_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                                 const sm2_point_table *t);

/* Scalars mod n, constant time. */
void sm2_scalar_add(uint8_t r[32], const uint8_t a[32], const uint8_t b[32]); /* inputs < n */
void sm2_scalar_sub(uint8_t r[32], const uint8_t a[32], const uint8_t b[32]); /* inputs < n */
void sm2_scalar_mul(uint8_t r[32], const uint8_t a[32], const uint8_t b[32]); /* any inputs */
void sm2_scalar_inv(uint8_t r[32], const uint8_t a[32]);    /* a^(n-2) mod n; 0 for a = 0 */
void sm2_scalar_reduce(uint8_t r[32], const uint8_t a[32]); /* a mod n for any 256-bit a */
int sm2_scalar_is_zero(const uint8_t a[32]);                /* 0/1 */
int sm2_scalar_in_range(const uint8_t a[32]);               /* 1 if 1 <= a <= n-1 */

#if defined(TLCP_TESTING)
/* Forces the portable field back end (on != 0) or the CPU's best (0). */
void sm2_curve_force_portable(int on);
/* Forces the MULX/ADX back end even where CPUID does not report it (valgrind
 * runs the instructions but hides ADX): only for a caller that knows the real
 * CPU has them. Returns 0 on builds without that back end. */
int sm2_curve_force_mulx(void);
/* Name of the back end in use: "portable" or "mulx". */
const char *sm2_curve_backend(void);
#endif

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Point types and the scalar-multiplication back ends of the SM2 curve
 * y^2 = x^3 - 3x + b over GF(p). The algorithms (sm2_point_impl.h,
 * sm2_mul_impl.h) are compiled once per field back end: portable C
 * (sm2_point_portable.c) and x86-64 MULX/ADX (sm2_point_mulx.c); sm2_curve.c
 * picks one at run time. Scalars are four little-endian 64-bit limbs.
 */
#ifndef TLCP_CRYPTO_SM2_IMPL_H
#define TLCP_CRYPTO_SM2_IMPL_H

#include <stdint.h>

#include "crypto/sm2_fe.h"

typedef struct {
    sm2_fe x, y; /* Montgomery form */
} sm2_aff;

typedef struct {
    sm2_fe x, y, z; /* Jacobian: (X/Z^2, Y/Z^3); Z = 0 is the point at infinity */
} sm2_jac;

/* The table scans treat points as arrays of limbs. */
_Static_assert(sizeof(sm2_aff) == 8 * sizeof(uint64_t), "sm2_aff is 8 limbs");
_Static_assert(sizeof(sm2_jac) == 12 * sizeof(uint64_t), "sm2_jac is 12 limbs");

/* Comb tables: window i holds (j+1) * 2^(w*i) * P for j < 2^(w-1), affine. */
#define SM2_COMB_WINDOWS(w) ((257 + (w)-1) / (w))
#define SM2_COMB_ENTRIES(w) (1 << ((w)-1))
#define SM2_BASE_W          6 /* G: 43 windows x 32 points, 88 KiB */
#define SM2_TABLE_W         5 /* per-key tables: 52 windows x 16 points, 52 KiB */

struct sm2_impl {
    const char *name;
    /* out = k*P from P's comb table, constant time in k; returns all-ones
     * if the result is not the point at infinity, else 0 (out is then 0,0). */
    uint64_t (*mul_comb_ct)(sm2_aff *out, const uint64_t k[4], const sm2_aff *table, int w);
    /* out = k*P for a point P of order n, constant time in k; k < n. */
    uint64_t (*mul_point_ct)(sm2_aff *out, const uint64_t k[4], const sm2_aff *p);
    /* out = k*(e*R + P) for points R, P of order n: e*R + P by public
     * (variable-time) arithmetic and left Jacobian, the product by k in
     * constant time in k. *sum_ok = 0 when e*R + P is infinity (public). */
    uint64_t (*mul_sum_ct)(sm2_aff *out, const uint64_t k[4], const uint64_t e[4], const sm2_aff *r,
                           const sm2_aff *p, int *sum_ok);
    /* out = a*G + b*P, variable time; 1 unless the result is infinity.
     * p_table is P's comb table of width SM2_TABLE_W, or NULL (then p is used). */
    int (*mul_double_vartime)(sm2_aff *out, const uint64_t a[4], const sm2_aff *g_table,
                              const uint64_t b[4], const sm2_aff *p, const sm2_aff *p_table);
    /* out = a + b (public points, variable time); 0 if the sum is infinity. */
    int (*add_vartime)(sm2_aff *out, const sm2_aff *a, const sm2_aff *b);
    /* Fills the comb table of width w for P (public, order n). */
    void (*comb_build)(sm2_aff *table, const sm2_aff *p, int w);
    /* r = a^-1 mod p (0 for 0), constant time. */
    void (*fe_inv)(sm2_fe r, const sm2_fe a);
};

extern const struct sm2_impl sm2_impl_portable;
#if defined(__x86_64__)
extern const struct sm2_impl sm2_impl_mulx;
#endif

#endif

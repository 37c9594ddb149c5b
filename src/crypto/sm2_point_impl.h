/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Jacobian point formulas for y^2 = x^3 - 3x + b, compiled per field back end
 * (FE_MUL/FE_SQR/FE_ADD/FE_SUB/FE_MUL_SMALL defined by the includer). The raw formulas have no
 * branch; the *_ct wrappers fix up the exceptional cases (an input at infinity, equal inputs) with
 * masks, the *_vartime ones with branches for public data.
 */
#ifndef TLCP_CRYPTO_SM2_POINT_IMPL_H
#define TLCP_CRYPTO_SM2_POINT_IMPL_H

#include <stddef.h>

#include "crypto/sm2_impl.h"

static void pt_cmov(sm2_jac *r, const sm2_jac *a, uint64_t mask)
{
    sm2_fe_cmov(r->x, a->x, mask);
    sm2_fe_cmov(r->y, a->y, mask);
    sm2_fe_cmov(r->z, a->z, mask);
}

static void pt_from_aff(sm2_jac *r, const sm2_aff *a)
{
    sm2_fe_copy(r->x, a->x);
    sm2_fe_copy(r->y, a->y);
    sm2_fe_copy(r->z, sm2_fe_one);
}

static void pt_set_infinity(sm2_jac *r)
{
    for (int i = 0; i < 4; i++)
        r->x[i] = r->y[i] = r->z[i] = 0;
}

/* r = 2a (dbl-2001-b, a = -3, with Z3 = 2YZ): 4M + 4S + three small multiples.
 * Infinity stays infinity. r may be a: every read of a comes before r is written. */
static void pt_dbl(sm2_jac *r, const sm2_jac *a)
{
    /* Ordered so that independent products sit next to each other: the
     * field operations are long, and the CPU overlaps only neighbours. */
    sm2_fe delta, gamma, gamma2, beta, alpha, t, u, yz;
    FE_SQR(delta, a->z);
    FE_SQR(gamma, a->y);
    FE_SUB(t, a->x, delta);
    FE_ADD(u, a->x, delta);
    FE_MUL(alpha, t, u);
    FE_MUL(beta, a->x, gamma);
    /* Z3 = 2YZ: one product and one addition, cheaper here than
     * (Y+Z)^2 - gamma - delta (a squaring, an addition, two subtractions) */
    FE_MUL(yz, a->y, a->z);
    FE_MUL_SMALL(alpha, alpha, 3); /* 3(X-delta)(X+delta) */
    FE_SQR(gamma2, gamma);
    FE_MUL_SMALL(beta, beta, 4);
    FE_SQR(t, alpha);
    FE_MUL_SMALL(gamma2, gamma2, 8);
    FE_ADD(r->z, yz, yz);
    FE_SUB(t, t, beta);
    FE_SUB(t, t, beta); /* X3 = alpha^2 - 8 beta */
    FE_SUB(u, beta, t);
    FE_MUL(u, u, alpha);
    FE_SUB(r->y, u, gamma2);
    sm2_fe_copy(r->x, t);
}

/*
 * The end of both additions, from U1, S1, H = U2 - U1, R = S2 - S1 and the
 * product of the input Z's: X3 = R^2 - H^3 - 2 U1 H^2,
 * Y3 = R (U1 H^2 - X3) - S1 H^3, Z3 = Z1 Z2 H.
 */
static void pt_add_finish(sm2_jac *r, const sm2_fe u1, const sm2_fe s1, const sm2_fe h,
                          const sm2_fe rr, const sm2_fe zz)
{
    /* independent products next to each other (see pt_dbl); the inputs
     * are the callers' locals, so r may be written early */
    sm2_fe h2, h3, v, x3, t;
    FE_SQR(h2, h);
    FE_SQR(x3, rr);
    FE_MUL(r->z, zz, h);
    FE_MUL(h3, h2, h);
    FE_MUL(v, u1, h2);
    FE_SUB(x3, x3, h3);
    FE_MUL(h3, h3, s1);
    FE_SUB(x3, x3, v);
    FE_SUB(x3, x3, v);
    FE_SUB(t, v, x3);
    FE_MUL(t, t, rr);
    FE_SUB(r->y, t, h3);
    sm2_fe_copy(r->x, x3);
}

/* r = a + b with b affine (8M + 3S). Wrong when a is infinity or a == b;
 * sets *equal to all-ones when H == 0 and R == 0 (a == b, unless a is
 * infinity). a == -b gives infinity (Z3 = 0) correctly. */
static void pt_add_mixed_raw(sm2_jac *r, const sm2_jac *a, const sm2_aff *b, uint64_t *equal)
{
    sm2_fe z2, u2, s2, h, rr, z1;
    FE_SQR(z2, a->z);
    FE_MUL(u2, b->x, z2);
    FE_MUL(s2, a->z, z2);
    FE_MUL(s2, s2, b->y);
    FE_SUB(h, u2, a->x);
    FE_SUB(rr, s2, a->y);
    *equal = sm2_fe_is_zero(h) & sm2_fe_is_zero(rr);
    sm2_fe u1, s1;
    sm2_fe_copy(u1, a->x);
    sm2_fe_copy(s1, a->y);
    sm2_fe_copy(z1, a->z);
    pt_add_finish(r, u1, s1, h, rr, z1);
}

/* r = a + b, both Jacobian (12M + 4S); same exceptions as above. */
static void pt_add_raw(sm2_jac *r, const sm2_jac *a, const sm2_jac *b, uint64_t *equal)
{
    sm2_fe z1z1, z2z2, u1, u2, s1, s2, h, rr, zz;
    FE_SQR(z1z1, a->z);
    FE_SQR(z2z2, b->z);
    FE_MUL(u1, a->x, z2z2);
    FE_MUL(u2, b->x, z1z1);
    FE_MUL(s1, b->z, z2z2);
    FE_MUL(s1, s1, a->y);
    FE_MUL(s2, a->z, z1z1);
    FE_MUL(s2, s2, b->y);
    FE_SUB(h, u2, u1);
    FE_SUB(rr, s2, s1);
    *equal = sm2_fe_is_zero(h) & sm2_fe_is_zero(rr);
    FE_MUL(zz, a->z, b->z);
    pt_add_finish(r, u1, s1, h, rr, zz);
}

/*
 * acc += b (affine) in constant time. present is all-ones when b is a real
 * point (a zero digit selects nothing); acc may be infinity. With full != 0
 * (a public flag) the case acc == b is handled too, at the cost of a
 * doubling; callers pass full = 0 only where they have shown it cannot occur.
 */
static void pt_add_mixed_ct(sm2_jac *acc, const sm2_aff *b, uint64_t present, int full)
{
    sm2_jac sum, bj;
    uint64_t equal;
    uint64_t acc_inf = sm2_fe_is_zero(acc->z);
    pt_add_mixed_raw(&sum, acc, b, &equal);
    if (full) {
        sm2_jac dbl;
        pt_dbl(&dbl, acc);
        pt_cmov(&sum, &dbl, equal & ~acc_inf);
    }
    pt_from_aff(&bj, b);
    pt_cmov(&sum, &bj, acc_inf);
    pt_cmov(acc, &sum, present);
}

/* acc += b (Jacobian, b not infinity unless present == 0), constant time. */
static void pt_add_ct(sm2_jac *acc, const sm2_jac *b, uint64_t present, int full)
{
    sm2_jac sum;
    uint64_t equal;
    uint64_t acc_inf = sm2_fe_is_zero(acc->z);
    pt_add_raw(&sum, acc, b, &equal);
    if (full) {
        sm2_jac dbl;
        pt_dbl(&dbl, acc);
        pt_cmov(&sum, &dbl, equal & ~acc_inf);
    }
    pt_cmov(&sum, b, acc_inf);
    pt_cmov(acc, &sum, present);
}

/* Variable time, any inputs (public data only). */
static void pt_add_vartime(sm2_jac *r, const sm2_jac *a, const sm2_jac *b)
{
    if (sm2_fe_is_zero(a->z)) {
        *r = *b;
        return;
    }
    if (sm2_fe_is_zero(b->z)) {
        *r = *a;
        return;
    }
    uint64_t equal;
    sm2_jac sum;
    pt_add_raw(&sum, a, b, &equal);
    if (equal)
        pt_dbl(&sum, a);
    *r = sum;
}

static void pt_add_mixed_vartime(sm2_jac *r, const sm2_jac *a, const sm2_aff *b)
{
    if (sm2_fe_is_zero(a->z)) {
        pt_from_aff(r, b);
        return;
    }
    uint64_t equal;
    sm2_jac sum;
    pt_add_mixed_raw(&sum, a, b, &equal);
    if (equal)
        pt_dbl(&sum, a);
    *r = sum;
}

/* out = affine a; returns all-ones unless a is infinity (then out = 0,0). */
static uint64_t pt_to_aff(sm2_aff *out, const sm2_jac *a)
{
    sm2_fe zi, zi2;
    fe_inv(zi, a->z);
    FE_SQR(zi2, zi);
    FE_MUL(out->x, a->x, zi2);
    FE_MUL(zi2, zi2, zi);
    FE_MUL(out->y, a->y, zi2);
    return ~sm2_fe_is_zero(a->z);
}

/* Affine forms of n points none of which is infinity (Montgomery's trick:
 * one inversion). Public data only; scratch holds n field elements. */
static void pt_batch_to_aff(sm2_aff *out, const sm2_jac *in, size_t n, sm2_fe *scratch)
{
    sm2_fe acc, inv, t;
    sm2_fe_copy(acc, sm2_fe_one);
    for (size_t i = 0; i < n; i++) {
        sm2_fe_copy(scratch[i], acc);
        FE_MUL(acc, acc, in[i].z);
    }
    fe_inv(inv, acc);
    for (size_t i = n; i-- > 0;) {
        sm2_fe zi, zi2;
        FE_MUL(zi, inv, scratch[i]);
        FE_MUL(inv, inv, in[i].z);
        FE_SQR(zi2, zi);
        FE_MUL(out[i].x, in[i].x, zi2);
        FE_MUL(t, zi2, zi);
        FE_MUL(out[i].y, in[i].y, t);
    }
}

#endif

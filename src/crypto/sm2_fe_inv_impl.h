/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field inversion by Fermat, r = a^(p-2), with a fixed addition chain:
 * the exponent is public, so the sequence of squarings and products is the
 * same for every a. Included by the back ends after FE_MUL/FE_SQR are
 * defined.
 */
#ifndef TLCP_CRYPTO_SM2_FE_INV_IMPL_H
#define TLCP_CRYPTO_SM2_FE_INV_IMPL_H

/* r = a^(2^n) */
static void fe_sqr_n(sm2_fe r, const sm2_fe a, int n)
{
    FE_SQR(r, a);
    for (int i = 1; i < n; i++)
        FE_SQR(r, r);
}

/*
 * p - 2 = FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF 00000000 FFFFFFFF FFFFFFFD:
 * 31 ones, a zero, 128 ones, 32 zeros, 32 ones, 30 ones, a zero, a one.
 * t_k = a^(2^k - 1) and t_(j+k) = t_j^(2^k) * t_k.
 */
static void fe_inv(sm2_fe r, const sm2_fe a)
{
    sm2_fe t2, t3, t6, t12, t15, t30, t31, t32, acc;
    FE_SQR(t2, a);
    FE_MUL(t2, t2, a);
    FE_SQR(t3, t2);
    FE_MUL(t3, t3, a);
    fe_sqr_n(t6, t3, 3);
    FE_MUL(t6, t6, t3);
    fe_sqr_n(t12, t6, 6);
    FE_MUL(t12, t12, t6);
    fe_sqr_n(t15, t12, 3);
    FE_MUL(t15, t15, t3);
    fe_sqr_n(t30, t15, 15);
    FE_MUL(t30, t30, t15);
    FE_SQR(t31, t30);
    FE_MUL(t31, t31, a);
    FE_SQR(t32, t31);
    FE_MUL(t32, t32, a);

    fe_sqr_n(acc, t31, 1); /* 31 ones, then the zero at bit 224 */
    for (int i = 0; i < 4; i++) {
        fe_sqr_n(acc, acc, 32);
        FE_MUL(acc, acc, t32);
    }
    fe_sqr_n(acc, acc, 32); /* 32 zeros */
    fe_sqr_n(acc, acc, 32);
    FE_MUL(acc, acc, t32);
    fe_sqr_n(acc, acc, 30);
    FE_MUL(acc, acc, t30);
    fe_sqr_n(acc, acc, 2);
    FE_MUL(r, acc, a);
}

#endif

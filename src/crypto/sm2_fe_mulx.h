/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86-64 field multiplication mod p with MULX (BMI2) and ADCX/ADOX (ADX):
 * the 256x256-bit product runs two independent carry chains (CF and OF),
 * and the Montgomery reduction uses p's special form (see
 * sm2_fe_mont_reduce) as add/sub chains. Straight-line code: no branch, no
 * memory address and no variable-time instruction depends on the values.
 * Only used after CPUID reported BMI2 and ADX (sm2_curve.c). Inline
 * assembly, so no compiler target flags are needed.
 */
#ifndef TLCP_CRYPTO_SM2_FE_MULX_H
#define TLCP_CRYPTO_SM2_FE_MULX_H

#include "crypto/sm2_fe.h"

/* One row b_i * a added at t_i..t_(i+4); t_(i+4) starts at 0; then t_i is
 * final and is stored, which frees its register for the next row. */
#define SM2_MULX_ROW(off, ti, ti1, ti2, ti3, ti4)                                                  \
    "movq " off "(%[b]), %%rdx\n\t"                                                                \
    "movq $0, %[" ti4 "]\n\t"                                                                      \
    "xorl %k[lo], %k[lo]\n\t" /* clears CF and OF */                                               \
    "mulxq 0(%[a]), %[lo], %[hi]\n\t"                                                              \
    "adcxq %[lo], %[" ti "]\n\t"                                                                   \
    "adoxq %[hi], %[" ti1 "]\n\t"                                                                  \
    "mulxq 8(%[a]), %[lo], %[hi]\n\t"                                                              \
    "adcxq %[lo], %[" ti1 "]\n\t"                                                                  \
    "adoxq %[hi], %[" ti2 "]\n\t"                                                                  \
    "mulxq 16(%[a]), %[lo], %[hi]\n\t"                                                             \
    "adcxq %[lo], %[" ti2 "]\n\t"                                                                  \
    "adoxq %[hi], %[" ti3 "]\n\t"                                                                  \
    "mulxq 24(%[a]), %[lo], %[hi]\n\t"                                                             \
    "adcxq %[lo], %[" ti3 "]\n\t"                                                                  \
    "adoxq %[hi], %[" ti4 "]\n\t"                                                                  \
    "adcq $0, %[" ti4 "]\n\t"                                                                      \
    "movq %[" ti "], " off "(%[t])\n\t"

/* t = a * b (512 bits). Few registers (the sanitizer build at -O0 keeps a
 * frame pointer): five rolling accumulators. */
static inline __attribute__((always_inline)) void
sm2_fe_mul_wide_mulx(uint64_t t[8], const sm2_fe a, const sm2_fe b)
{
    uint64_t x0, x1, x2, x3, x4, lo, hi;
    __asm__ volatile("movq 0(%[b]), %%rdx\n\t"
                     "mulxq 0(%[a]), %[x0], %[x1]\n\t"
                     "mulxq 8(%[a]), %[lo], %[x2]\n\t"
                     "addq %[lo], %[x1]\n\t"
                     "mulxq 16(%[a]), %[lo], %[x3]\n\t"
                     "adcq %[lo], %[x2]\n\t"
                     "mulxq 24(%[a]), %[lo], %[x4]\n\t"
                     "adcq %[lo], %[x3]\n\t"
                     "adcq $0, %[x4]\n\t"
                     "movq %[x0], 0(%[t])\n\t" SM2_MULX_ROW("8", "x1", "x2", "x3", "x4", "x0")
                         SM2_MULX_ROW("16", "x2", "x3", "x4", "x0", "x1") SM2_MULX_ROW(
                             "24", "x3", "x4", "x0", "x1", "x2") "movq %[x4], 32(%[t])\n\t"
                                                                 "movq %[x0], 40(%[t])\n\t"
                                                                 "movq %[x1], 48(%[t])\n\t"
                                                                 "movq %[x2], 56(%[t])\n\t"
                     : [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3),
                       [x4] "=&r"(x4), [lo] "=&r"(lo), [hi] "=&r"(hi)
                     : [a] "r"(a), [b] "r"(b), [t] "r"(t)
                     : "rdx", "cc", "memory");
}

/* t = a^2: the six cross products once, doubled, plus the four squares. */
static inline __attribute__((always_inline)) void sm2_fe_sqr_wide_mulx(uint64_t t[8],
                                                                       const sm2_fe a)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
    __asm__("movq 0(%[a]), %%rdx\n\t" /* a0 * (a1, a2, a3) at t1..t4 */
            "mulxq 8(%[a]), %[t1], %[t2]\n\t"
            "mulxq 16(%[a]), %[lo], %[t3]\n\t"
            "addq %[lo], %[t2]\n\t"
            "mulxq 24(%[a]), %[lo], %[t4]\n\t"
            "adcq %[lo], %[t3]\n\t"
            "adcq $0, %[t4]\n\t"
            "movq 8(%[a]), %%rdx\n\t" /* a1 * (a2, a3) at t3..t5 */
            "movq $0, %[t5]\n\t"
            "xorl %k[lo], %k[lo]\n\t"
            "mulxq 16(%[a]), %[lo], %[hi]\n\t"
            "adcxq %[lo], %[t3]\n\t"
            "adoxq %[hi], %[t4]\n\t"
            "mulxq 24(%[a]), %[lo], %[hi]\n\t"
            "adcxq %[lo], %[t4]\n\t"
            "adoxq %[hi], %[t5]\n\t"
            "adcq $0, %[t5]\n\t"
            "movq 16(%[a]), %%rdx\n\t" /* a2 * a3 at t5..t6 */
            "mulxq 24(%[a]), %[lo], %[t6]\n\t"
            "addq %[lo], %[t5]\n\t"
            "adcq $0, %[t6]\n\t"
            "movq $0, %[t7]\n\t" /* double */
            "addq %[t1], %[t1]\n\t"
            "adcq %[t2], %[t2]\n\t"
            "adcq %[t3], %[t3]\n\t"
            "adcq %[t4], %[t4]\n\t"
            "adcq %[t5], %[t5]\n\t"
            "adcq %[t6], %[t6]\n\t"
            "adcq $0, %[t7]\n\t"
            "movq 0(%[a]), %%rdx\n\t" /* + the squares */
            "mulxq %%rdx, %[t0], %[hi]\n\t"
            "addq %[hi], %[t1]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[t2]\n\t"
            "adcq %[hi], %[t3]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[t4]\n\t"
            "adcq %[hi], %[t5]\n\t"
            "movq 24(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adcq %[lo], %[t6]\n\t"
            "adcq %[hi], %[t7]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a] "r"(a)
            : "rdx", "cc", "memory");
    t[0] = t0;
    t[1] = t1;
    t[2] = t2;
    t[3] = t3;
    t[4] = t4;
    t[5] = t5;
    t[6] = t6;
    t[7] = t7;
}

/*
 * One reduction step with m = u0: u = (u >> 64) + m*q, q = (p + 1) / 2^64.
 * m*q = m + m*2^192 - (m << 32) - (m << 160) is formed first (it depends on
 * m only), so the next step's m = u1 + d0 is ready after three instructions
 * and the steps overlap. The new limbs are (u1, u2, u3, u0).
 */
#define SM2_MULX_REDUCE_STEP(u0, u1, u2, u3)                                                       \
    "movq %[" u0 "], %[lo]\n\t"                                                                    \
    "shlq $32, %[lo]\n\t"                                                                          \
    "movq %[" u0 "], %[hi]\n\t"                                                                    \
    "shrq $32, %[hi]\n\t"                                                                          \
    "movq %[" u0 "], %[d0]\n\t"                                                                    \
    "movq $0, %[d1]\n\t"                                                                           \
    "movq $0, %[d2]\n\t"                                                                           \
    "subq %[lo], %[d0]\n\t"                                                                        \
    "sbbq %[hi], %[d1]\n\t"                                                                        \
    "sbbq %[lo], %[d2]\n\t"                                                                        \
    "sbbq %[hi], %[" u0 "]\n\t"                                                                    \
    "addq %[d0], %[" u1 "]\n\t"                                                                    \
    "adcq %[d1], %[" u2 "]\n\t"                                                                    \
    "adcq %[d2], %[" u3 "]\n\t"                                                                    \
    "adcq $0, %[" u0 "]\n\t"

/* r = t / 2^256 mod p for t < p * 2^256, fully reduced. */
static inline __attribute__((always_inline)) void sm2_fe_mont_reduce_mulx(sm2_fe r,
                                                                          const uint64_t t[8])
{
    uint64_t u0, u1, u2, u3, lo, hi, d0, d1, d2;
    __asm__("movq 0(%[t]), %[u0]\n\t"
            "movq 8(%[t]), %[u1]\n\t"
            "movq 16(%[t]), %[u2]\n\t"
            "movq 24(%[t]), %[u3]\n\t" SM2_MULX_REDUCE_STEP("u0", "u1", "u2", "u3")
                SM2_MULX_REDUCE_STEP("u1", "u2", "u3", "u0")
                    SM2_MULX_REDUCE_STEP("u2", "u3", "u0", "u1")
                        SM2_MULX_REDUCE_STEP("u3", "u0", "u1", "u2")
            /* u <= p; add the high half (< p), then subtract p once if needed */
            "movq $0, %[d0]\n\t"
            "addq 32(%[t]), %[u0]\n\t"
            "adcq 40(%[t]), %[u1]\n\t"
            "adcq 48(%[t]), %[u2]\n\t"
            "adcq 56(%[t]), %[u3]\n\t"
            "adcq $0, %[d0]\n\t"
            "movq %[u0], %[lo]\n\t"
            "movq %[u1], %[hi]\n\t"
            "movq %[u2], %[d1]\n\t"
            "movq %[u3], %[d2]\n\t"
            "subq $-1, %[lo]\n\t"
            "sbbq %[p1], %[hi]\n\t"
            "sbbq $-1, %[d1]\n\t"
            "sbbq %[p3], %[d2]\n\t"
            "sbbq $0, %[d0]\n\t" /* CF = 1: u + high < p, keep it */
            "cmovncq %[lo], %[u0]\n\t"
            "cmovncq %[hi], %[u1]\n\t"
            "cmovncq %[d1], %[u2]\n\t"
            "cmovncq %[d2], %[u3]\n\t"
            : [u0] "=&r"(u0), [u1] "=&r"(u1), [u2] "=&r"(u2), [u3] "=&r"(u3), [lo] "=&r"(lo),
              [hi] "=&r"(hi), [d0] "=&r"(d0), [d1] "=&r"(d1), [d2] "=&r"(d2)
            : [t] "r"(t), [p1] "m"(sm2_fe_p[1]), [p3] "m"(sm2_fe_p[3])
            : "cc", "memory");
    r[0] = u0;
    r[1] = u1;
    r[2] = u2;
    r[3] = u3;
}

/* r = a + b mod p (a, b < p); plain x86-64 instructions, straight-line. */
static inline void sm2_fe_add_x86(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], s0, s1, s2, s3, c;
    __asm__("addq 0(%[b]), %[r0]\n\t"
            "adcq 8(%[b]), %[r1]\n\t"
            "adcq 16(%[b]), %[r2]\n\t"
            "adcq 24(%[b]), %[r3]\n\t"
            "movq $0, %[c]\n\t"
            "adcq $0, %[c]\n\t"
            "movq %[r0], %[s0]\n\t"
            "movq %[r1], %[s1]\n\t"
            "movq %[r2], %[s2]\n\t"
            "movq %[r3], %[s3]\n\t"
            "subq $-1, %[s0]\n\t"
            "sbbq %[p1], %[s1]\n\t"
            "sbbq $-1, %[s2]\n\t"
            "sbbq %[p3], %[s3]\n\t"
            "sbbq $0, %[c]\n\t" /* CF = 1: the sum is below p */
            "cmovncq %[s0], %[r0]\n\t"
            "cmovncq %[s1], %[r1]\n\t"
            "cmovncq %[s2], %[r2]\n\t"
            "cmovncq %[s3], %[r3]\n\t"
            : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [s0] "=&r"(s0),
              [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [c] "=&r"(c)
            : [b] "r"(b), [p1] "m"(sm2_fe_p[1]), [p3] "m"(sm2_fe_p[3])
            : "cc", "memory");
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

/* r = a - b mod p (a, b < p): subtract, then add p masked by the borrow. */
static inline void sm2_fe_sub_x86(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    uint64_t r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3], m, m1, m3;
    __asm__("subq 0(%[b]), %[r0]\n\t"
            "sbbq 8(%[b]), %[r1]\n\t"
            "sbbq 16(%[b]), %[r2]\n\t"
            "sbbq 24(%[b]), %[r3]\n\t"
            "sbbq %[m], %[m]\n\t" /* all-ones on borrow */
            "movq %[m], %[m1]\n\t"
            "movq %[m], %[m3]\n\t"
            "andq %[p1], %[m1]\n\t"
            "andq %[p3], %[m3]\n\t"
            "addq %[m], %[r0]\n\t"
            "adcq %[m1], %[r1]\n\t"
            "adcq %[m], %[r2]\n\t"
            "adcq %[m3], %[r3]\n\t"
            : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [m] "=&r"(m),
              [m1] "=&r"(m1), [m3] "=&r"(m3)
            : [b] "r"(b), [p1] "m"(sm2_fe_p[1]), [p3] "m"(sm2_fe_p[3])
            : "cc", "memory");
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

static inline __attribute__((always_inline)) void sm2_fe_mul_mulx(sm2_fe r, const sm2_fe a,
                                                                  const sm2_fe b)
{
    uint64_t t[8];
    sm2_fe_mul_wide_mulx(t, a, b);
    sm2_fe_mont_reduce_mulx(r, t);
}

static inline __attribute__((always_inline)) void sm2_fe_sqr_mulx(sm2_fe r, const sm2_fe a)
{
    uint64_t t[8];
    sm2_fe_sqr_wide_mulx(t, a);
    sm2_fe_mont_reduce_mulx(r, t);
}

#endif

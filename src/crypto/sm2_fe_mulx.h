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

/*
 * One reduction step with m = u0: u = (u >> 64) + m*q, q = (p + 1) / 2^64,
 * and m*q = m + m*2^192 - (m << 32) - (m << 160): m is added at limbs 0
 * and 3 of the shifted value and (lo, hi, lo, hi) = (m << 32, m >> 32, ...)
 * subtracted at limbs 0..3. The result fits in 256 bits
 * ((u + m*p) / 2^64 < 2^192 + p), so arithmetic mod 2^256 is exact and the
 * top carry is dropped; u0 becomes the new top limb: the new limbs are
 * (u1, u2, u3, u0). Two scratch registers, no multiplication.
 */
#define SM2_MULX_REDUCE_STEP(u0, u1, u2, u3)                                                       \
    "movq %[" u0 "], %[lo]\n\t"                                                                    \
    "shlq $32, %[lo]\n\t"                                                                          \
    "movq %[" u0 "], %[hi]\n\t"                                                                    \
    "shrq $32, %[hi]\n\t"                                                                          \
    "addq %[" u0 "], %[" u1 "]\n\t"                                                                \
    "adcq $0, %[" u2 "]\n\t"                                                                       \
    "adcq $0, %[" u3 "]\n\t"                                                                       \
    "adcq $0, %[" u0 "]\n\t"                                                                       \
    "subq %[lo], %[" u1 "]\n\t"                                                                    \
    "sbbq %[hi], %[" u2 "]\n\t"                                                                    \
    "sbbq %[lo], %[" u3 "]\n\t"                                                                    \
    "sbbq %[hi], %[" u0 "]\n\t"

/* (v0..v3) = v - p if v = (v0..v4) >= p, else v; v < 2p. t0..t3 scratch. */
#define SM2_MULX_FINAL(v0, v1, v2, v3, v4, t0, t1, t2, t3)                                         \
    "movq %[" v0 "], %[" t0 "]\n\t"                                                                \
    "movq %[" v1 "], %[" t1 "]\n\t"                                                                \
    "movq %[" v2 "], %[" t2 "]\n\t"                                                                \
    "movq %[" v3 "], %[" t3 "]\n\t"                                                                \
    "subq $-1, %[" t0 "]\n\t"                                                                      \
    "sbbq %[p1], %[" t1 "]\n\t"                                                                    \
    "sbbq $-1, %[" t2 "]\n\t"                                                                      \
    "sbbq %[p3], %[" t3 "]\n\t"                                                                    \
    "sbbq $0, %[" v4 "]\n\t" /* CF = 1: v < p, keep it */                                          \
    "cmovncq %[" t0 "], %[" v0 "]\n\t"                                                             \
    "cmovncq %[" t1 "], %[" v1 "]\n\t"                                                             \
    "cmovncq %[" t2 "], %[" v2 "]\n\t"                                                             \
    "cmovncq %[" t3 "], %[" v3 "]\n\t"

/*
 * The whole reduction of a 512-bit value whose low half is in t0..t3 and
 * whose high half h4..h7 (registers or memory operands) is below p: four
 * steps leave the low half <= p, the high half is added (carry into c) and
 * one final subtraction (scratch s0..s3) reduces the sum, which is < 2p.
 */
#define SM2_MULX_REDUCE_ALL(h4, h5, h6, h7, c, s0, s1, s2, s3)                                     \
    SM2_MULX_REDUCE_STEP("t0", "t1", "t2", "t3")                                                   \
    SM2_MULX_REDUCE_STEP("t1", "t2", "t3", "t0")                                                   \
    SM2_MULX_REDUCE_STEP("t2", "t3", "t0", "t1")                                                   \
    SM2_MULX_REDUCE_STEP("t3", "t0", "t1", "t2")                                                   \
    "xorl %k[" c "], %k[" c "]\n\t"                                                                \
    "addq " h4 ", %[t0]\n\t"                                                                       \
    "adcq " h5 ", %[t1]\n\t"                                                                       \
    "adcq " h6 ", %[t2]\n\t"                                                                       \
    "adcq " h7 ", %[t3]\n\t"                                                                       \
    "adcq $0, %[" c "]\n\t" SM2_MULX_FINAL("t0", "t1", "t2", "t3", c, s0, s1, s2, s3)

/* r = t / 2^256 mod p for t < p * 2^256, fully reduced. */
static inline __attribute__((always_inline)) void sm2_fe_mont_reduce_mulx(sm2_fe r,
                                                                          const uint64_t t[8])
{
    uint64_t t0, t1, t2, t3, lo, hi, c, s0, s1;
    __asm__("movq 0(%[t]), %[t0]\n\t"
            "movq 8(%[t]), %[t1]\n\t"
            "movq 16(%[t]), %[t2]\n\t"
            "movq 24(%[t]), %[t3]\n\t" SM2_MULX_REDUCE_ALL("32(%[t])", "40(%[t])", "48(%[t])",
                                                           "56(%[t])", "c", "lo", "hi", "s0", "s1")
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [lo] "=&r"(lo),
              [hi] "=&r"(hi), [c] "=&r"(c), [s0] "=&r"(s0), [s1] "=&r"(s1)
            : [t] "r"(t), [p1] "m"(sm2_fe_p[1]), [p3] "m"(sm2_fe_p[3])
            : "cc", "memory");
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

/*
 * r = c * a mod p for a small c (1 <= c <= 8, public) and a < p: the five-limb
 * product's top limb t (< 8) folds back with 2^256 = 2^224 + 2^96 - 2^64 + 1
 * (mod p), i.e. (t, t * (2^32 - 1), 0, t << 32) is added to the low limbs;
 * the sum stays below 2p, so one final subtraction reduces it. One pass
 * instead of two or three additions for the doubling's 3x, 4x and 8x.
 */
static inline __attribute__((always_inline)) void sm2_fe_mul_small_mulx(sm2_fe r, const sm2_fe a,
                                                                        uint64_t c)
{
    uint64_t r0, r1, r2, r3, r4, h0, h1, h2, h3;
    __asm__(
        "mulxq 0(%[a]), %[r0], %[h0]\n\t"
        "mulxq 8(%[a]), %[r1], %[h1]\n\t"
        "mulxq 16(%[a]), %[r2], %[h2]\n\t"
        "mulxq 24(%[a]), %[r3], %[r4]\n\t"
        "addq %[h0], %[r1]\n\t"
        "adcq %[h1], %[r2]\n\t"
        "adcq %[h2], %[r3]\n\t"
        "adcq $0, %[r4]\n\t"
        "movq %[r4], %[h0]\n\t"
        "shlq $32, %[h0]\n\t" /* t << 32 */
        "movq %[h0], %[h1]\n\t"
        "subq %[r4], %[h1]\n\t" /* t * (2^32 - 1) */
        "addq %[r4], %[r0]\n\t"
        "adcq %[h1], %[r1]\n\t"
        "adcq $0, %[r2]\n\t"
        "adcq %[h0], %[r3]\n\t"
        "movl $0, %k[r4]\n\t"
        "adcq $0, %[r4]\n\t" SM2_MULX_FINAL("r0", "r1", "r2", "r3", "r4", "h0", "h1", "h2", "h3")
        : [r0] "=&r"(r0), [r1] "=&r"(r1), [r2] "=&r"(r2), [r3] "=&r"(r3), [r4] "=&r"(r4),
          [h0] "=&r"(h0), [h1] "=&r"(h1), [h2] "=&r"(h2), [h3] "=&r"(h3), "+d"(c)
        : [a] "r"(a), [p1] "m"(sm2_fe_p[1]), [p3] "m"(sm2_fe_p[3])
        : "cc", "memory");
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
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

/*
 * r = a^2 / 2^256 mod p: the six cross products once, doubled, plus the
 * four squares, all in registers (twelve in all, which the frame-pointer
 * builds can give); then four reduction steps on the low half, the high
 * half added and one final subtraction. Nothing goes through memory.
 */
static inline __attribute__((always_inline)) void sm2_fe_sqr_mulx(sm2_fe r, const sm2_fe a)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
    const uint64_t *ap = a;
    __asm__("movq 0(%[a]), %%rdx\n\t" /* a0 * (a1, a2, a3) at t1..t4 */
            "mulxq 8(%[a]), %[t1], %[t2]\n\t"
            "mulxq 16(%[a]), %[lo], %[t3]\n\t"
            "addq %[lo], %[t2]\n\t"
            "mulxq 24(%[a]), %[lo], %[t4]\n\t"
            "adcq %[lo], %[t3]\n\t"
            "adcq $0, %[t4]\n\t"
            "movq 8(%[a]), %%rdx\n\t" /* a1 * (a2, a3) at t3..t5 */
            "xorl %k[t5], %k[t5]\n\t"
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
            "xorl %k[t7], %k[t7]\n\t" /* double */
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
            "adcq %[hi], %[t7]\n\t" SM2_MULX_REDUCE_ALL("%[t4]", "%[t5]", "%[t6]", "%[t7]", "a",
                                                        "t4", "t5", "t6", "t7")
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi),
              [a] "+&r"(ap)
            : [p1] "m"(sm2_fe_p[1]), [p3] "m"(sm2_fe_p[3])
            : "rdx", "cc", "memory");
    r[0] = t0;
    r[1] = t1;
    r[2] = t2;
    r[3] = t3;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scalar multiplication on the SM2 curve, compiled per field back end (after
 * sm2_fe_inv_impl.h and sm2_point_impl.h).
 *
 * Secret scalars use signed (Booth) windows: digit i of width w is
 *   d_i = bits[w*i .. w*i+w-1] + bit[w*i-1] - 2^w * bit[w*i+w-1],
 * so |d_i| <= 2^(w-1) and sum d_i 2^(w*i) = k. The table entry is found by a
 * full scan with masks and negated with masks: no branch and no memory
 * address depends on k.
 *
 * Why no addition but the last can hit the doubling case (k < n):
 * - comb (sum of d_i * 2^(wi) * P from per-window tables): before window i
 *   the accumulator holds m*P with |m| < 0.52 * 2^(wi), and 0 < |m +- d_i 2^(wi)|
 *   < 2^(wi+w-1) + 2^(wi) < n whenever w*(i+1) <= 256, which holds for every
 *   window but the last (w = 5, 6). So acc is never +-T there; acc = 0
 *   (leading zero digits) is handled by a mask.
 * - windowed double-and-add (from the top, w = 5): before adding d_i the
 *   accumulator is 32*m' * P; for m' != 0, 32 <= |32 m'| and |32 m' +- d_i| < n
 *   for every i > 0, so again only the last addition (i = 0) can meet equal
 *   or opposite points. Those last additions use the full formula (with the
 *   doubling computed and selected by mask).
 */
#ifndef TLCP_CRYPTO_SM2_MUL_IMPL_H
#define TLCP_CRYPTO_SM2_MUL_IMPL_H

#include <stddef.h>
#include <string.h>

/* bits [pos, pos + nbits) of k (nbits <= 8); pos may be -1; bits past 255
 * are 0. pos is public. */
static uint32_t scalar_bits(const uint64_t k[4], int pos, int nbits)
{
    if (pos < 0)
        return scalar_bits(k, 0, nbits - 1) << 1;
    int limb = pos / 64, off = pos % 64;
    uint64_t v = 0;
    if (limb < 4)
        v = k[limb] >> off;
    if (off + nbits > 64 && limb + 1 < 4)
        v |= k[limb + 1] << (64 - off);
    return (uint32_t)v & ((1u << nbits) - 1);
}

/* Booth digit from the w+1 bits wv: magnitude in [0, 2^(w-1)] and sign bit. */
static void booth_digit(uint32_t wv, int w, uint32_t *mag, uint64_t *neg)
{
    uint32_t dv = (wv >> 1) + (wv & 1);
    uint32_t s = (wv >> w) & 1;
    uint32_t alt = (1u << w) - dv;
    *mag = dv ^ ((dv ^ alt) & ((uint32_t)0 - s));
    *neg = s;
}

static uint64_t mask_eq32(uint32_t a, uint32_t b)
{
    return sm2_mask_is_zero64((uint64_t)(a ^ b));
}

/*
 * out = row[mag - 1] (zero when mag == 0), reading every entry: each entry is
 * ANDed with an all-ones or zero mask and ORed in. Points are plain arrays of
 * 64-bit limbs; two-limb vectors (SSE2 on x86-64, scalar code elsewhere)
 * halve the work of the scan.
 */
typedef uint64_t sm2_v2 __attribute__((vector_size(16)));

static inline sm2_v2 v2_load(const uint64_t *p)
{
    sm2_v2 v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void select_aff_ct(sm2_aff *out, const sm2_aff *row, int entries, uint32_t mag)
{
    const uint64_t *e = (const uint64_t *)row;
    sm2_v2 a0 = {0, 0}, a1 = a0, a2 = a0, a3 = a0;
    for (int j = 0; j < entries; j++, e += 8) {
        uint64_t m1 = mask_eq32(mag, (uint32_t)j + 1);
        sm2_v2 m = {m1, m1};
        a0 |= v2_load(e) & m;
        a1 |= v2_load(e + 2) & m;
        a2 |= v2_load(e + 4) & m;
        a3 |= v2_load(e + 6) & m;
    }
    uint64_t *o = (uint64_t *)out;
    memcpy(o, &a0, 16);
    memcpy(o + 2, &a1, 16);
    memcpy(o + 4, &a2, 16);
    memcpy(o + 6, &a3, 16);
}

static void select_jac_ct(sm2_jac *out, const sm2_jac *row, int entries, uint32_t mag)
{
    const uint64_t *e = (const uint64_t *)row;
    sm2_v2 a0 = {0, 0}, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (int j = 0; j < entries; j++, e += 12) {
        uint64_t m1 = mask_eq32(mag, (uint32_t)j + 1);
        sm2_v2 m = {m1, m1};
        a0 |= v2_load(e) & m;
        a1 |= v2_load(e + 2) & m;
        a2 |= v2_load(e + 4) & m;
        a3 |= v2_load(e + 6) & m;
        a4 |= v2_load(e + 8) & m;
        a5 |= v2_load(e + 10) & m;
    }
    uint64_t *o = (uint64_t *)out;
    memcpy(o, &a0, 16);
    memcpy(o + 2, &a1, 16);
    memcpy(o + 4, &a2, 16);
    memcpy(o + 6, &a3, 16);
    memcpy(o + 8, &a4, 16);
    memcpy(o + 10, &a5, 16);
}

static void fe_cneg(sm2_fe y, uint64_t neg)
{
    sm2_fe t;
    sm2_fe_neg(t, y);
    sm2_fe_cmov(y, t, sm2_mask(neg));
}

static uint64_t mul_comb_ct(sm2_aff *out, const uint64_t k[4], const sm2_aff *table, int w)
{
    const int nwin = SM2_COMB_WINDOWS(w), entries = SM2_COMB_ENTRIES(w);
    sm2_jac acc;
    pt_set_infinity(&acc);
    for (int i = 0; i < nwin; i++) {
        uint32_t mag;
        uint64_t neg;
        sm2_aff t;
        booth_digit(scalar_bits(k, w * i - 1, w + 1), w, &mag, &neg);
        select_aff_ct(&t, table + (size_t)i * entries, entries, mag);
        fe_cneg(t.y, neg);
        pt_add_mixed_ct(&acc, &t, ~sm2_mask_is_zero64(mag), i == nwin - 1);
    }
    return pt_to_aff(out, &acc);
}

#define SM2_WIN_W       5
#define SM2_WIN_ENTRIES 16
#define SM2_WIN_COUNT   52 /* 52 * 5 = 260 bits: the top digit is never negative */

/*
 * out = k * P, constant time in k, for P of order n given in Jacobian form
 * (pj) and, when the caller has it, in affine form too (pa, or NULL): the
 * affine form lets the table use the cheaper mixed additions.
 */
static uint64_t mul_jac_ct(sm2_aff *out, const uint64_t k[4], const sm2_jac *pj, const sm2_aff *pa)
{
    sm2_jac tab[SM2_WIN_ENTRIES], acc, t;
    uint64_t unused;
    /* tab[j] = (j+1) P; P is public and of order n, so no sum meets equal points. */
    tab[0] = *pj;
    for (int j = 1; j < SM2_WIN_ENTRIES; j++) {
        if ((j & 1) == 1)
            pt_dbl(&tab[j], &tab[j / 2]);
        else if (pa != NULL)
            pt_add_mixed_raw(&tab[j], &tab[j - 1], pa, &unused);
        else
            pt_add_raw(&tab[j], &tab[j - 1], pj, &unused);
    }
    uint32_t mag;
    uint64_t neg;
    int top = SM2_WIN_COUNT - 1;
    booth_digit(scalar_bits(k, SM2_WIN_W * top - 1, SM2_WIN_W + 1), SM2_WIN_W, &mag, &neg);
    select_jac_ct(&acc, tab, SM2_WIN_ENTRIES, mag);
    fe_cneg(acc.y, neg);
    for (int i = top - 1; i >= 0; i--) {
        for (int d = 0; d < SM2_WIN_W; d++)
            pt_dbl(&acc, &acc);
        booth_digit(scalar_bits(k, SM2_WIN_W * i - 1, SM2_WIN_W + 1), SM2_WIN_W, &mag, &neg);
        select_jac_ct(&t, tab, SM2_WIN_ENTRIES, mag);
        fe_cneg(t.y, neg);
        pt_add_ct(&acc, &t, ~sm2_mask_is_zero64(mag), i == 0);
    }
    return pt_to_aff(out, &acc);
}

static uint64_t mul_point_ct(sm2_aff *out, const uint64_t k[4], const sm2_aff *p)
{
    sm2_jac pj;
    pt_from_aff(&pj, p);
    return mul_jac_ct(out, k, &pj, p);
}

static void wnaf_mul_vartime(sm2_jac *acc, const uint64_t k[4], const sm2_aff *p);

/*
 * The key exchange's U = k * (e*R + P): the sum of the public points stays
 * Jacobian (no inversion) and goes straight into the constant-time
 * multiplication. *sum_ok is 0 (public) when e*R + P is infinity; then out
 * is 0,0 and the return value 0.
 */
static uint64_t mul_sum_ct(sm2_aff *out, const uint64_t k[4], const uint64_t e[4], const sm2_aff *r,
                           const sm2_aff *p, int *sum_ok)
{
    sm2_jac q;
    wnaf_mul_vartime(&q, e, r);
    pt_add_mixed_vartime(&q, &q, p);
    *sum_ok = !sm2_fe_is_zero(q.z);
    if (!*sum_ok) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    return mul_jac_ct(out, k, &q, NULL);
}

/* acc += k * P from P's comb table, variable time. */
static void comb_add_vartime(sm2_jac *acc, const uint64_t k[4], const sm2_aff *table, int w)
{
    const int nwin = SM2_COMB_WINDOWS(w), entries = SM2_COMB_ENTRIES(w);
    for (int i = 0; i < nwin; i++) {
        uint32_t mag;
        uint64_t neg;
        booth_digit(scalar_bits(k, w * i - 1, w + 1), w, &mag, &neg);
        if (mag == 0)
            continue;
        sm2_aff t = table[(size_t)i * entries + mag - 1];
        if (neg)
            sm2_fe_neg(t.y, t.y);
        pt_add_mixed_vartime(acc, acc, &t);
    }
}

#define SM2_WNAF_W 5

/* Width-5 NAF of k (< 2^256): odd digits in [-15, 15], at most 257 of them.
 * Returns the number of digits. Variable time (public scalars). */
static int wnaf_recode(int8_t naf[257], const uint64_t k[4])
{
    uint64_t d[5] = {k[0], k[1], k[2], k[3], 0};
    int len = 0;
    while ((d[0] | d[1] | d[2] | d[3] | d[4]) != 0) {
        int z = 0;
        if (d[0] & 1) {
            z = (int)(d[0] & ((1u << SM2_WNAF_W) - 1));
            if (z >= (1 << (SM2_WNAF_W - 1)))
                z -= 1 << SM2_WNAF_W;
            if (z > 0) {
                d[0] -= (uint64_t)z; /* the low bits are z: no borrow */
            } else {
                sm2_u128 c = (sm2_u128)d[0] + (uint64_t)(-z);
                d[0] = (uint64_t)c;
                for (int i = 1; i < 5 && (c >> 64) != 0; i++) {
                    c = (sm2_u128)d[i] + 1;
                    d[i] = (uint64_t)c;
                }
            }
        }
        naf[len++] = (int8_t)z;
        for (int i = 0; i < 4; i++)
            d[i] = (d[i] >> 1) | (d[i + 1] << 63);
        d[4] >>= 1;
    }
    return len;
}

/* acc = k * P by wNAF, variable time. */
static void wnaf_mul_vartime(sm2_jac *acc, const uint64_t k[4], const sm2_aff *p)
{
    sm2_jac odd[8], twice; /* odd[i] = (2i+1) P */
    int8_t naf[257];
    pt_from_aff(&odd[0], p);
    pt_dbl(&twice, &odd[0]);
    for (int i = 1; i < 8; i++)
        pt_add_vartime(&odd[i], &odd[i - 1], &twice);
    int len = wnaf_recode(naf, k);
    pt_set_infinity(acc);
    for (int i = len - 1; i >= 0; i--) {
        pt_dbl(acc, acc);
        int z = naf[i];
        if (z > 0) {
            pt_add_vartime(acc, acc, &odd[(z - 1) / 2]);
        } else if (z < 0) {
            sm2_jac t = odd[(-z - 1) / 2];
            sm2_fe_neg(t.y, t.y);
            pt_add_vartime(acc, acc, &t);
        }
    }
}

static int mul_double_vartime(sm2_aff *out, const uint64_t a[4], const sm2_aff *g_table,
                              const uint64_t b[4], const sm2_aff *p, const sm2_aff *p_table)
{
    sm2_jac acc;
    if (p_table != NULL) {
        pt_set_infinity(&acc);
        comb_add_vartime(&acc, b, p_table, SM2_TABLE_W);
    } else {
        wnaf_mul_vartime(&acc, b, p);
    }
    comb_add_vartime(&acc, a, g_table, SM2_BASE_W);
    if (sm2_fe_is_zero(acc.z))
        return 0;
    pt_to_aff(out, &acc);
    return 1;
}

static int add_vartime(sm2_aff *out, const sm2_aff *a, const sm2_aff *b)
{
    sm2_jac acc;
    pt_from_aff(&acc, a);
    pt_add_mixed_vartime(&acc, &acc, b);
    if (sm2_fe_is_zero(acc.z))
        return 0;
    pt_to_aff(out, &acc);
    return 1;
}

static void comb_build(sm2_aff *table, const sm2_aff *p, int w)
{
    const int nwin = SM2_COMB_WINDOWS(w), entries = SM2_COMB_ENTRIES(w);
    sm2_jac row[SM2_COMB_ENTRIES(SM2_BASE_W)], base;
    sm2_fe scratch[SM2_COMB_ENTRIES(SM2_BASE_W)];
    pt_from_aff(&base, p);
    for (int i = 0; i < nwin; i++) {
        row[0] = base;
        for (int j = 1; j < entries; j++) {
            if ((j & 1) == 1)
                pt_dbl(&row[j], &row[j / 2]);
            else
                pt_add_vartime(&row[j], &row[j - 1], &base);
        }
        pt_batch_to_aff(table + (size_t)i * entries, row, (size_t)entries, scratch);
        pt_dbl(&base, &row[entries - 1]);
    }
}

#define SM2_IMPL_INIT(label)                                                                       \
    {                                                                                              \
        label, mul_comb_ct, mul_point_ct, mul_sum_ct, mul_double_vartime, add_vartime, comb_build, \
            fe_inv                                                                                 \
    }

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The byte-string SM2 curve interface (sm2_curve.h): conversions, argument
 * checks in constant time, the choice of field back end and the base point's
 * comb table (built once, at first use).
 */
#include "crypto/sm2_curve.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm2_impl.h"
#include "crypto/sm2_scalar.h"
#include "util/mem.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

struct sm2_point_table {
    sm2_aff p;
    sm2_aff comb[SM2_COMB_WINDOWS(SM2_TABLE_W) * SM2_COMB_ENTRIES(SM2_TABLE_W)];
};

static const struct sm2_impl *active_impl = &sm2_impl_portable;
static const struct sm2_impl *best_impl = &sm2_impl_portable;
static sm2_aff base_table[SM2_COMB_WINDOWS(SM2_BASE_W) * SM2_COMB_ENTRIES(SM2_BASE_W)];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static const sm2_aff base_point = {
    {0x61328990f418029eULL, 0x3e7981eddca6c050ULL, 0xd6a1ed99ac24c3c3ULL, 0x91167a5ee1c13b05ULL},
    {0xc1354e593c2d0dddULL, 0xc1f5e5788d3295faULL, 0x8d4cfb066e2a48f8ULL, 0x63cd65d481d735bdULL}};

/* MULX is BMI2 (CPUID 7 EBX bit 8), ADCX/ADOX are ADX (bit 19). Read once:
 * CPUID traps to the hypervisor in a virtual machine. */
static int cpu_has_mulx_adx(void)
{
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return ((b >> 8) & 1) && ((b >> 19) & 1);
#else
    return 0;
#endif
}

static void init_curve(void)
{
#if defined(__x86_64__)
    if (cpu_has_mulx_adx())
        best_impl = &sm2_impl_mulx;
#endif
    active_impl = best_impl;
    active_impl->comb_build(base_table, &base_point, SM2_BASE_W);
}

static const struct sm2_impl *impl(void)
{
    pthread_once(&init_once, init_curve);
    return active_impl;
}

#if defined(TLCP_TESTING)
void sm2_curve_force_portable(int on)
{
    (void)impl();
    active_impl = on ? &sm2_impl_portable : best_impl;
}

int sm2_curve_force_mulx(void)
{
    (void)impl();
#if defined(__x86_64__)
    active_impl = &sm2_impl_mulx;
    return 1;
#else
    return 0;
#endif
}

const char *sm2_curve_backend(void)
{
    return impl()->name;
}
#endif

static void aff_from_bytes(sm2_aff *r, const uint8_t in[64])
{
    sm2_fe_from_bytes(r->x, in);
    sm2_fe_from_bytes(r->y, in + 32);
}

/* Writes the point, or 64 zero bytes when ok is 0 (a mask), in constant time. */
static int aff_to_bytes(uint8_t out[64], const sm2_aff *a, uint64_t ok)
{
    sm2_fe_to_bytes(out, a->x);
    sm2_fe_to_bytes(out + 32, a->y);
    uint8_t m = (uint8_t)ok;
    for (int i = 0; i < 64; i++)
        out[i] &= m;
    return (int)(ok & 1);
}

int sm2_point_is_valid(const uint8_t xy[64])
{
    if (!sm2_fe_bytes_in_range(xy) || !sm2_fe_bytes_in_range(xy + 32))
        return 0;
    sm2_aff a;
    aff_from_bytes(&a, xy);
    /* y^2 == x^3 - 3x + b; (0,0) and every other stand-in for infinity fail. */
    sm2_fe lhs, rhs, t;
    sm2_fe_sqr_portable(lhs, a.y);
    sm2_fe_sqr_portable(rhs, a.x);
    sm2_fe_mul_portable(rhs, rhs, a.x);
    sm2_fe_add(t, a.x, a.x);
    sm2_fe_add(t, t, a.x);
    sm2_fe_sub(rhs, rhs, t);
    sm2_fe_add(rhs, rhs, sm2_fe_b);
    sm2_fe_sub(t, lhs, rhs);
    return (int)(sm2_fe_is_zero(t) & 1);
}

int sm2_mul_base(uint8_t out[64], const uint8_t k[32])
{
    const struct sm2_impl *f = impl();
    uint64_t s[4];
    sm2_aff r;
    sm2_limbs_from_bytes(s, k);
    uint64_t ok = sm2_scalar_in_range_limbs(s);
    ok &= f->mul_comb_ct(&r, s, base_table, SM2_BASE_W);
    int rc = aff_to_bytes(out, &r, ok);
    tlcp_wipe(s, sizeof(s));
    tlcp_wipe(&r, sizeof(r));
    return rc;
}

int sm2_mul_point(uint8_t out[64], const uint8_t k[32], const uint8_t p[64])
{
    const struct sm2_impl *f = impl();
    uint64_t s[4];
    sm2_aff r, q;
    aff_from_bytes(&q, p);
    sm2_limbs_from_bytes(s, k);
    uint64_t ok = sm2_scalar_in_range_limbs(s);
    ok &= f->mul_point_ct(&r, s, &q);
    int rc = aff_to_bytes(out, &r, ok);
    tlcp_wipe(s, sizeof(s));
    tlcp_wipe(&r, sizeof(r));
    return rc;
}

int sm2_mul_sum(uint8_t out[64], const uint8_t k[32], const uint8_t e[32], const uint8_t r[64],
                const uint8_t p[64], int *sum_ok)
{
    const struct sm2_impl *f = impl();
    uint64_t s[4], se[4];
    sm2_aff res, qr, qp;
    aff_from_bytes(&qr, r);
    aff_from_bytes(&qp, p);
    sm2_limbs_from_bytes(s, k);
    sm2_limbs_from_bytes(se, e);
    uint64_t ok = sm2_scalar_in_range_limbs(s);
    ok &= f->mul_sum_ct(&res, s, se, &qr, &qp, sum_ok);
    int rc = aff_to_bytes(out, &res, ok);
    tlcp_wipe(s, sizeof(s));
    tlcp_wipe(&res, sizeof(res));
    return rc;
}

static int mul_double(uint8_t out[64], const uint8_t a[32], const uint8_t b[32], const sm2_aff *p,
                      const sm2_aff *p_table)
{
    const struct sm2_impl *f = impl();
    uint64_t sa[4], sb[4];
    sm2_aff r;
    sm2_limbs_from_bytes(sa, a);
    sm2_limbs_from_bytes(sb, b);
    if (!f->mul_double_vartime(&r, sa, base_table, sb, p, p_table)) {
        memset(out, 0, 64);
        return 0;
    }
    return aff_to_bytes(out, &r, ~(uint64_t)0);
}

int sm2_mul_double_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                           const uint8_t p[64])
{
    sm2_aff q;
    aff_from_bytes(&q, p);
    return mul_double(out, a, b, &q, NULL);
}

int sm2_point_add(uint8_t out[64], const uint8_t a[64], const uint8_t b[64])
{
    sm2_aff pa, pb, r;
    aff_from_bytes(&pa, a);
    aff_from_bytes(&pb, b);
    if (!impl()->add_vartime(&r, &pa, &pb)) {
        memset(out, 0, 64);
        return 0;
    }
    return aff_to_bytes(out, &r, ~(uint64_t)0);
}

sm2_point_table *sm2_point_table_new(const uint8_t p[64])
{
    if (!sm2_point_is_valid(p))
        return NULL;
    sm2_point_table *t = malloc(sizeof(*t));
    if (t == NULL)
        return NULL;
    aff_from_bytes(&t->p, p);
    impl()->comb_build(t->comb, &t->p, SM2_TABLE_W);
    return t;
}

void sm2_point_table_free(sm2_point_table *t)
{
    free(t);
}

int sm2_mul_point_table(uint8_t out[64], const uint8_t k[32], const sm2_point_table *t)
{
    const struct sm2_impl *f = impl();
    uint64_t s[4];
    sm2_aff r;
    sm2_limbs_from_bytes(s, k);
    uint64_t ok = sm2_scalar_in_range_limbs(s);
    ok &= f->mul_comb_ct(&r, s, t->comb, SM2_TABLE_W);
    int rc = aff_to_bytes(out, &r, ok);
    tlcp_wipe(s, sizeof(s));
    tlcp_wipe(&r, sizeof(r));
    return rc;
}

int sm2_mul_double_table_vartime(uint8_t out[64], const uint8_t a[32], const uint8_t b[32],
                                 const sm2_point_table *t)
{
    return mul_double(out, a, b, &t->p, t->comb);
}

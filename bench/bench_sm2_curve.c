/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 curve primitives (src/crypto/sm2_curve.h) against OpenSSL's
 * EC_POINT_mul on NID_sm2 in the same run: k*G, k*P, a*G + b*P (with and
 * without a per-key table), ops/s and the ratio ours/OpenSSL, for the back end
 * the CPU selects and for the portable one.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <string.h>

#include "bench.h"
#include "crypto/sm2_curve.h"

struct curve_state {
    uint8_t k[32], a[32], b[32], p[64], out[64];
    sm2_point_table *table;
    EC_GROUP *group;
    EC_POINT *pt, *res;
    BIGNUM *bk, *ba, *bb;
    BN_CTX *ctx;
};

static int op_mul_base(void *arg)
{
    struct curve_state *s = arg;
    s->k[31] ^= s->out[0] & 1; /* vary k a little; stays in range */
    return sm2_mul_base(s->out, s->k);
}

static int op_mul_point(void *arg)
{
    struct curve_state *s = arg;
    return sm2_mul_point(s->out, s->k, s->p);
}

static int op_mul_point_table(void *arg)
{
    struct curve_state *s = arg;
    return sm2_mul_point_table(s->out, s->k, s->table);
}

static int op_mul_double(void *arg)
{
    struct curve_state *s = arg;
    return sm2_mul_double_vartime(s->out, s->a, s->b, s->p);
}

static int op_mul_double_table(void *arg)
{
    struct curve_state *s = arg;
    return sm2_mul_double_table_vartime(s->out, s->a, s->b, s->table);
}

static int op_ossl_mul_base(void *arg)
{
    struct curve_state *s = arg;
    return EC_POINT_mul(s->group, s->res, s->bk, NULL, NULL, s->ctx);
}

static int op_ossl_mul_point(void *arg)
{
    struct curve_state *s = arg;
    return EC_POINT_mul(s->group, s->res, NULL, s->pt, s->bk, s->ctx);
}

static int op_ossl_mul_double(void *arg)
{
    struct curve_state *s = arg;
    return EC_POINT_mul(s->group, s->res, s->ba, s->pt, s->bb, s->ctx);
}

static void fill(uint8_t *out, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(seed + i * 53);
    out[0] &= 0x7f; /* below n */
}

static int state_init(struct curve_state *s)
{
    memset(s, 0, sizeof(*s));
    fill(s->k, 32, 1);
    fill(s->a, 32, 2);
    fill(s->b, 32, 3);
    uint8_t d[32], buf[65];
    fill(d, 32, 4);
    if (!sm2_mul_base(s->p, d))
        return 0;
    s->table = sm2_point_table_new(s->p);
    s->group = EC_GROUP_new_by_curve_name(NID_sm2);
    s->ctx = BN_CTX_new();
    if (s->table == NULL || s->group == NULL || s->ctx == NULL)
        return 0;
    s->pt = EC_POINT_new(s->group);
    s->res = EC_POINT_new(s->group);
    s->bk = BN_bin2bn(s->k, 32, NULL);
    s->ba = BN_bin2bn(s->a, 32, NULL);
    s->bb = BN_bin2bn(s->b, 32, NULL);
    buf[0] = 4;
    memcpy(buf + 1, s->p, 64);
    if (s->pt == NULL || s->res == NULL || s->bk == NULL || s->ba == NULL || s->bb == NULL)
        return 0;
    BN_set_flags(s->bk, BN_FLG_CONSTTIME);
    return EC_POINT_oct2point(s->group, s->pt, buf, sizeof(buf), s->ctx);
}

static void state_free(struct curve_state *s)
{
    sm2_point_table_free(s->table);
    EC_POINT_free(s->pt);
    EC_POINT_free(s->res);
    EC_GROUP_free(s->group);
    BN_free(s->bk);
    BN_free(s->ba);
    BN_free(s->bb);
    BN_CTX_free(s->ctx);
}

static void ratio(const char *name, double ours, double theirs)
{
    if (ours > 0 && theirs > 0)
        bench_report(name, "x", ours / theirs);
}

void bench_sm2_curve(void)
{
    struct curve_state s;
    if (!state_init(&s)) {
        bench_fail("sm2_curve", "setup failed");
        state_free(&s);
        return;
    }
    double o_base = bench_ops("ossl_ec_mul_base", op_ossl_mul_base, &s);
    double o_point = bench_ops("ossl_ec_mul_point", op_ossl_mul_point, &s);
    double o_double = bench_ops("ossl_ec_mul_double", op_ossl_mul_double, &s);
    double base = bench_ops("sm2_mul_base", op_mul_base, &s);
    double point = bench_ops("sm2_mul_point", op_mul_point, &s);
    double point_t = bench_ops("sm2_mul_point_table", op_mul_point_table, &s);
    double dbl = bench_ops("sm2_mul_double", op_mul_double, &s);
    double dbl_t = bench_ops("sm2_mul_double_table", op_mul_double_table, &s);
    ratio("sm2_mul_base/ossl", base, o_base);
    ratio("sm2_mul_point/ossl", point, o_point);
    ratio("sm2_mul_point_table/ossl", point_t, o_point);
    ratio("sm2_mul_double/ossl", dbl, o_double);
    ratio("sm2_mul_double_table/ossl", dbl_t, o_double);
#if defined(TLCP_TESTING)
    /* the portable field back end, for comparison */
    sm2_curve_force_portable(1);
    double pb = bench_ops("sm2_mul_base_portable", op_mul_base, &s);
    double pp = bench_ops("sm2_mul_point_portable", op_mul_point, &s);
    double pd = bench_ops("sm2_mul_double_portable", op_mul_double, &s);
    sm2_curve_force_portable(0);
    ratio("sm2_mul_base_portable/ossl", pb, o_base);
    ratio("sm2_mul_point_portable/ossl", pp, o_point);
    ratio("sm2_mul_double_portable/ossl", pd, o_double);
#endif
    state_free(&s);
}

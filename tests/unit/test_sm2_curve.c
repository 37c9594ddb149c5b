/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 point arithmetic (sm2_curve.h) against OpenSSL's EC_POINT_mul on
 * NID_sm2, on both field back ends: k*G, k*P, a*G + b*P (with and without a
 * per-key table) for random and edge scalars, the contract rejections
 * (k = 0, n, n+1, 2^256-1; infinity results) and point validation.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "crypto/sm2_curve.h"

#include "sm2_test_util.h"

#define N_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"
#define P_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"
/* GB/T 32918.5 Annex A: d and P = d*G */
#define ANNEX_D "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
#define ANNEX_P                                                                                    \
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"                             \
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"

#define RANDOM_CASES 150

struct ref {
    EC_GROUP *group;
    BN_CTX *ctx;
    BIGNUM *n;
};

static struct ref ref_new(void)
{
    struct ref r;
    r.group = EC_GROUP_new_by_curve_name(NID_sm2);
    r.ctx = BN_CTX_new();
    r.n = BN_new();
    assert_non_null(r.group);
    assert_int_equal(EC_GROUP_get_order(r.group, r.n, r.ctx), 1);
    return r;
}

static void ref_free(struct ref *r)
{
    EC_GROUP_free(r->group);
    BN_CTX_free(r->ctx);
    BN_free(r->n);
}

/* 64-byte X||Y of an OpenSSL point; returns 0 for infinity. */
static int point_bytes(const struct ref *r, const EC_POINT *pt, uint8_t out[64])
{
    if (EC_POINT_is_at_infinity(r->group, pt))
        return 0;
    uint8_t buf[65];
    assert_int_equal(
        EC_POINT_point2oct(r->group, pt, POINT_CONVERSION_UNCOMPRESSED, buf, 65, r->ctx), 65);
    memcpy(out, buf + 1, 64);
    return 1;
}

static EC_POINT *point_from(const struct ref *r, const uint8_t in[64])
{
    uint8_t buf[65];
    buf[0] = 4;
    memcpy(buf + 1, in, 64);
    EC_POINT *pt = EC_POINT_new(r->group);
    assert_int_equal(EC_POINT_oct2point(r->group, pt, buf, 65, r->ctx), 1);
    return pt;
}

/* want = a*G + b*P by OpenSSL (a or b may be NULL); returns 0 for infinity. */
static int ref_mul(const struct ref *r, uint8_t want[64], const uint8_t a[32], const uint8_t b[32],
                   const uint8_t p[64])
{
    BIGNUM *ba = a ? st_bn(a) : NULL, *bb = b ? st_bn(b) : NULL;
    EC_POINT *pp = p ? point_from(r, p) : NULL, *out = EC_POINT_new(r->group);
    assert_int_equal(EC_POINT_mul(r->group, out, ba, pp, bb, r->ctx), 1);
    int ok = point_bytes(r, out, want);
    BN_free(ba);
    BN_free(bb);
    EC_POINT_free(pp);
    EC_POINT_free(out);
    return ok;
}

static void random_scalar(const struct ref *r, uint8_t k[32])
{
    BIGNUM *b = BN_new();
    assert_int_equal(BN_rand_range(b, r->n), 1);
    if (BN_is_zero(b))
        BN_one(b);
    st_bn_out(k, b);
    BN_free(b);
}

static void random_point(const struct ref *r, uint8_t p[64])
{
    uint8_t k[32];
    random_scalar(r, k);
    assert_int_equal(ref_mul(r, p, k, NULL, NULL), 1);
}

/* k = n + delta (delta small, may be negative), as 32 bytes; 0 if out of 256 bits. */
static int n_plus(const struct ref *r, long delta, uint8_t k[32])
{
    BIGNUM *b = BN_dup(r->n);
    if (delta >= 0)
        BN_add_word(b, (BN_ULONG)delta);
    else
        BN_sub_word(b, (BN_ULONG)-delta);
    int ok = BN_num_bytes(b) <= 32;
    if (ok)
        st_bn_out(k, b);
    BN_free(b);
    return ok;
}

/* One scalar through k*G, k*P and the table form, against OpenSSL. */
static void check_scalar(const struct ref *r, const uint8_t k[32], const uint8_t p[64],
                         const sm2_point_table *tab)
{
    uint8_t want[64], got[64];
    BIGNUM *bk = st_bn(k);
    int in_range = !BN_is_zero(bk) && BN_cmp(bk, r->n) < 0;
    BN_free(bk);

    memset(got, 0xaa, 64);
    int rc = sm2_mul_base(got, k);
    assert_int_equal(rc, in_range);
    if (in_range) {
        assert_int_equal(ref_mul(r, want, k, NULL, NULL), 1);
        assert_memory_equal(got, want, 64);
    }
    rc = sm2_mul_point(got, k, p);
    assert_int_equal(rc, in_range);
    if (in_range) {
        assert_int_equal(ref_mul(r, want, NULL, k, p), 1);
        assert_memory_equal(got, want, 64);
    }
    rc = sm2_mul_point_table(got, k, tab);
    assert_int_equal(rc, in_range);
    if (in_range)
        assert_memory_equal(got, want, 64);
}

static void check_double(const struct ref *r, const uint8_t a[32], const uint8_t b[32],
                         const uint8_t p[64], const sm2_point_table *tab)
{
    uint8_t want[64], got[64], got_t[64];
    int want_ok = ref_mul(r, want, a, b, p);
    assert_int_equal(sm2_mul_double_vartime(got, a, b, p), want_ok);
    assert_int_equal(sm2_mul_double_table_vartime(got_t, a, b, tab), want_ok);
    if (want_ok) {
        assert_memory_equal(got, want, 64);
        assert_memory_equal(got_t, want, 64);
    }
}

static void run_points(int portable)
{
    sm2_curve_force_portable(portable);
    struct ref r = ref_new();
    uint8_t k[32], a[32], b[32], p[64];

    /* Annex A: d*G is the published public key. */
    uint8_t d[32], pub[64], got[64];
    tu_hex_into(ANNEX_D, d, 32);
    tu_hex_into(ANNEX_P, pub, 64);
    assert_int_equal(sm2_mul_base(got, d), 1);
    assert_memory_equal(got, pub, 64);

    random_point(&r, p);
    sm2_point_table *tab = sm2_point_table_new(p);
    assert_non_null(tab);

    /* small scalars and small Hamming weights */
    for (int i = 0; i < 40; i++) {
        memset(k, 0, 32);
        k[31] = (uint8_t)i;
        check_scalar(&r, k, p, tab);
    }
    for (int bit = 0; bit < 256; bit++) {
        memset(k, 0, 32);
        k[31 - bit / 8] = (uint8_t)(1u << (bit % 8));
        check_scalar(&r, k, p, tab);
        k[31] |= 1;
        k[31 - (bit * 7 % 256) / 8] |= (uint8_t)(1u << ((bit * 7) % 8));
        check_scalar(&r, k, p, tab);
    }
    /* runs of ones: every window digit at its extreme */
    for (int len = 1; len <= 256; len += 5) {
        memset(k, 0, 32);
        for (int bit = 0; bit < len; bit++)
            k[31 - bit / 8] |= (uint8_t)(1u << (bit % 8));
        check_scalar(&r, k, p, tab);
    }
    /* around n: n-1 .. n-64 reach the last addition's equal-point case
     * (k = n - 2|d0|); n, n+1, ... and 2^256-1 are rejected */
    for (long delta = -64; delta <= 8; delta++)
        if (n_plus(&r, delta, k))
            check_scalar(&r, k, p, tab);
    memset(k, 0xff, 32);
    check_scalar(&r, k, p, tab);
    /* around 2^252 and 2^255, where the top windows change */
    for (int top = 0; top < 32; top++) {
        st_random_bytes(k);
        k[0] = (uint8_t)((top & 1) ? 0x10 : 0x80);
        if (top & 2)
            memset(k + 1, 0, 31);
        check_scalar(&r, k, p, tab);
    }
    for (int i = 0; i < RANDOM_CASES; i++) {
        random_scalar(&r, k);
        if (i % 10 == 0) {
            sm2_point_table_free(tab);
            random_point(&r, p);
            tab = sm2_point_table_new(p);
            assert_non_null(tab);
        }
        check_scalar(&r, k, p, tab);
    }

    /* a*G + b*P: random, zero parts, and the cancelling/equal cases */
    for (int i = 0; i < RANDOM_CASES; i++) {
        random_scalar(&r, a);
        random_scalar(&r, b);
        check_double(&r, a, b, p, tab);
    }
    uint8_t zero[32] = {0};
    random_scalar(&r, a);
    check_double(&r, zero, a, p, tab);
    check_double(&r, a, zero, p, tab);
    check_double(&r, zero, zero, p, tab);
    memset(a, 0xff, 32); /* unreduced scalars */
    check_double(&r, a, a, p, tab);
    {
        /* P = c*G: a = -b*c gives infinity, a = b*c gives 2*b*P */
        uint8_t c[32], bc[32], neg[32];
        random_scalar(&r, c);
        assert_int_equal(sm2_mul_base(p, c), 1);
        sm2_point_table *tc = sm2_point_table_new(p);
        assert_non_null(tc);
        random_scalar(&r, b);
        sm2_scalar_mul(bc, b, c);
        sm2_scalar_sub(neg, zero, bc);
        check_double(&r, neg, b, p, tc);
        assert_int_equal(sm2_mul_double_vartime(got, neg, b, p), 0);
        check_double(&r, bc, b, p, tc);
        sm2_point_table_free(tc);
    }
    sm2_point_table_free(tab);
    ref_free(&r);
}

static void test_points_portable(void **state)
{
    (void)state;
    run_points(1);
    assert_string_equal(sm2_curve_backend(), "portable");
}

static void test_points_best(void **state)
{
    (void)state;
    run_points(0);
    fprintf(stderr, "note: best back end is %s\n", sm2_curve_backend());
}

/* a + b against OpenSSL: distinct, equal (doubling) and opposite points. */
static void test_point_add(void **state)
{
    (void)state;
    struct ref r = ref_new();
    for (int portable = 0; portable <= 1; portable++) {
        sm2_curve_force_portable(portable);
        for (int i = 0; i < 60; i++) {
            uint8_t a[64], b[64], got[64], want[64];
            random_point(&r, a);
            if (i % 3 == 0)
                memcpy(b, a, 64);
            else
                random_point(&r, b);
            EC_POINT *pa = point_from(&r, a), *pb = point_from(&r, b), *sum = EC_POINT_new(r.group);
            assert_int_equal(EC_POINT_add(r.group, sum, pa, pb, r.ctx), 1);
            assert_int_equal(point_bytes(&r, sum, want), 1);
            assert_int_equal(sm2_point_add(got, a, b), 1);
            assert_memory_equal(got, want, 64);
            /* a + (-a) is infinity */
            assert_int_equal(EC_POINT_invert(r.group, pa, r.ctx), 1);
            assert_int_equal(point_bytes(&r, pa, b), 1);
            assert_int_equal(sm2_point_add(got, a, b), 0);
            EC_POINT_free(pa);
            EC_POINT_free(pb);
            EC_POINT_free(sum);
        }
    }
    ref_free(&r);
}

/* k*(e*R + P) as OpenSSL computes it: 1 and want set, or 0 for infinity. */
static int ref_mul_sum(const struct ref *r, uint8_t want[64], const uint8_t k[32],
                       const uint8_t e[32], const uint8_t rp[64], const uint8_t p[64])
{
    uint8_t er[64];
    assert_int_equal(ref_mul(r, er, NULL, e, rp), 1); /* e*R is never infinity here */
    EC_POINT *q = point_from(r, er), *pp = point_from(r, p);
    BIGNUM *bk = st_bn(k);
    assert_int_equal(EC_POINT_add(r->group, q, q, pp, r->ctx), 1);
    assert_int_equal(EC_POINT_mul(r->group, q, NULL, q, bk, r->ctx), 1);
    int ok = point_bytes(r, q, want);
    BN_free(bk);
    EC_POINT_free(q);
    EC_POINT_free(pp);
    return ok;
}

static void check_mul_sum(const struct ref *r, const uint8_t k[32], const uint8_t e[32],
                          const uint8_t rp[64], const uint8_t p[64], int want_sum_ok)
{
    uint8_t want[64], got[64];
    int sum_ok = -1;
    BIGNUM *bk = st_bn(k);
    int in_range = !BN_is_zero(bk) && BN_cmp(bk, r->n) < 0;
    BN_free(bk);
    memset(got, 0xaa, 64);
    int rc = sm2_mul_sum(got, k, e, rp, p, &sum_ok);
    assert_int_equal(sum_ok, want_sum_ok);
    if (!want_sum_ok || !in_range) {
        static const uint8_t zeros[64];
        assert_int_equal(rc, 0);
        assert_memory_equal(got, zeros, 64);
        return;
    }
    assert_int_equal(rc, ref_mul_sum(r, want, k, e, rp, p));
    assert_memory_equal(got, want, 64);
}

/* The key exchange's k*(e*R + P) on both back ends: random points, e*R = P
 * (the sum doubles), e*R = -P (infinity), and the scalar's edge values. */
static void test_mul_sum(void **state)
{
    (void)state;
    struct ref r = ref_new();
    for (int portable = 0; portable <= 1; portable++) {
        sm2_curve_force_portable(portable);
        uint8_t k[32], e[32], rp[64], p[64], ep[64];
        for (int i = 0; i < 40; i++) {
            random_scalar(&r, k);
            random_scalar(&r, e);
            if (i % 4 == 0) /* a TLCP-sized e: 2^127 + 127 bits */
                memset(e, 0, 16), e[16] |= 0x80;
            random_point(&r, rp);
            random_point(&r, p);
            check_mul_sum(&r, k, e, rp, p, 1);
        }
        random_scalar(&r, e);
        random_point(&r, rp);
        assert_int_equal(ref_mul(&r, ep, NULL, e, rp), 1);
        for (long delta = -3; delta <= 1; delta++) {
            assert_int_equal(n_plus(&r, delta, k), 1);
            check_mul_sum(&r, k, e, rp, ep, 1); /* e*R + e*R */
        }
        random_scalar(&r, k);
        check_mul_sum(&r, k, e, rp, ep, 1);
        memset(k, 0, 32);
        check_mul_sum(&r, k, e, rp, ep, 1); /* k = 0 is refused */
        EC_POINT *neg = point_from(&r, ep);
        assert_int_equal(EC_POINT_invert(r.group, neg, r.ctx), 1);
        assert_int_equal(point_bytes(&r, neg, p), 1);
        EC_POINT_free(neg);
        random_scalar(&r, k);
        check_mul_sum(&r, k, e, rp, p, 0); /* e*R + (-e*R) */
    }
    sm2_curve_force_portable(0);
    ref_free(&r);
}

static void test_point_validation(void **state)
{
    (void)state;
    struct ref r = ref_new();
    uint8_t p[64], bad[64];
    for (int i = 0; i < 50; i++) {
        random_point(&r, p);
        assert_int_equal(sm2_point_is_valid(p), 1);
        memcpy(bad, p, 64);
        bad[63] ^= 1; /* off the curve */
        assert_int_equal(sm2_point_is_valid(bad), 0);
        memcpy(bad, p, 64);
        bad[5] ^= 0x40;
        assert_int_equal(sm2_point_is_valid(bad), 0);
    }
    uint8_t gen[64] = {0}, k1[32] = {0};
    k1[31] = 1;
    assert_int_equal(sm2_mul_base(gen, k1), 1);
    assert_int_equal(sm2_point_is_valid(gen), 1);
    /* stand-ins for infinity */
    memset(bad, 0, 64);
    assert_int_equal(sm2_point_is_valid(bad), 0);
    memset(bad, 0xff, 64);
    assert_int_equal(sm2_point_is_valid(bad), 0);
    /* x or y with p added (or = p): values >= p are refused even though the
     * residue would be on the curve (x + p does not fit; y + p may) */
    BIGNUM *pbn = BN_new(), *y = BN_new();
    uint8_t pb[32];
    tu_hex_into(P_HEX, pb, 32);
    BN_bin2bn(pb, 32, pbn);
    for (int i = 0; i < 200; i++) {
        random_point(&r, p);
        BN_bin2bn(p + 32, 32, y);
        BN_add(y, y, pbn);
        if (BN_num_bytes(y) <= 32) {
            memcpy(bad, p, 32);
            st_bn_out(bad + 32, y);
            assert_int_equal(sm2_point_is_valid(bad), 0);
        }
        BN_bin2bn(p, 32, y);
        BN_add(y, y, pbn);
        if (BN_num_bytes(y) <= 32) {
            st_bn_out(bad, y);
            memcpy(bad + 32, p + 32, 32);
            assert_int_equal(sm2_point_is_valid(bad), 0);
        }
    }
    memcpy(bad, pb, 32);
    memcpy(bad + 32, p + 32, 32);
    assert_int_equal(sm2_point_is_valid(bad), 0);
    assert_null(sm2_point_table_new(bad));
    BN_free(pbn);
    BN_free(y);
    ref_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_portable),  cmocka_unit_test(test_points_best),
        cmocka_unit_test(test_point_add),        cmocka_unit_test(test_mul_sum),
        cmocka_unit_test(test_point_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

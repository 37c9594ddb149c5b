/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SM2 field (mod p) and scalar (mod n) arithmetic against OpenSSL BIGNUM
 * on random and edge values: every field operation on both back ends
 * (portable C and, where the CPU has it, MULX/ADX), every scalar operation.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>

#include "crypto/sm2_curve.h"
#include "crypto/sm2_fe.h"
#include "crypto/sm2_impl.h"
#if defined(__x86_64__)
#include "crypto/sm2_fe_mulx.h"
#endif

#include "sm2_test_util.h"

#define P_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"
#define N_HEX "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"

#define FIELD_CASES  100000
#define SCALAR_CASES 20000

typedef void (*fe_binop)(sm2_fe r, const sm2_fe a, const sm2_fe b);
typedef void (*fe_unop)(sm2_fe r, const sm2_fe a);
typedef void (*fe_smallop)(sm2_fe r, const sm2_fe a, uint64_t c);

struct fe_backend {
    const char *name;
    fe_binop mul;
    fe_unop sqr;
    fe_unop inv;
    fe_smallop mul_small; /* r = c*a, 1 <= c <= 8 */
};

static void mul_portable(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    sm2_fe_mul_portable(r, a, b);
}
static void sqr_portable(sm2_fe r, const sm2_fe a)
{
    sm2_fe_sqr_portable(r, a);
}
static void mul_small_portable(sm2_fe r, const sm2_fe a, uint64_t c)
{
    sm2_fe_mul_small_portable(r, a, c);
}
#if defined(__x86_64__)
static void mul_mulx(sm2_fe r, const sm2_fe a, const sm2_fe b)
{
    sm2_fe_mul_mulx(r, a, b);
}
static void sqr_mulx(sm2_fe r, const sm2_fe a)
{
    sm2_fe_sqr_mulx(r, a);
}
static void mul_small_mulx(sm2_fe r, const sm2_fe a, uint64_t c)
{
    sm2_fe_mul_small_mulx(r, a, c);
}
#endif

static int cpu_has_mulx(void)
{
    sm2_curve_force_portable(0);
    return strcmp(sm2_curve_backend(), "mulx") == 0;
}

/* Edge values: 0, 1, 2, p-1, p, p+1, 2^256-1, 2^255, 2^224, 2^64-1 ... */
static void edge_value(uint8_t out[32], int i, const uint8_t mod[32])
{
    memset(out, 0, 32);
    BIGNUM *m = st_bn(mod);
    switch (i) {
    case 0:
        break;
    case 1:
        out[31] = 1;
        break;
    case 2:
        out[31] = 2;
        break;
    case 3:
        BN_sub_word(m, 1);
        st_bn_out(out, m);
        break;
    case 4:
        memcpy(out, mod, 32);
        break;
    case 5:
        BN_add_word(m, 1);
        st_bn_out(out, m);
        break;
    case 6:
        memset(out, 0xff, 32);
        break;
    case 7:
        out[0] = 0x80;
        break;
    case 8:
        out[3] = 1;
        break; /* 2^224 */
    case 9:
        memset(out + 24, 0xff, 8);
        break;
    case 10:
        BN_sub_word(m, 2);
        st_bn_out(out, m);
        break;
    default:
        memset(out, 0x55, 32);
        break;
    }
    BN_free(m);
}
#define EDGE_COUNT 12

/* a (any 256 bits) -> Montgomery element, and check the conversion. */
static void to_fe(sm2_fe r, const uint8_t a[32])
{
    sm2_fe_from_bytes(r, a);
}

static void check_field_case(const struct fe_backend *be, const uint8_t ab[32],
                             const uint8_t bb[32], BN_CTX *ctx, const BIGNUM *p)
{
    BIGNUM *a = st_bn(ab), *b = st_bn(bb), *want = BN_new();
    BN_nnmod(a, a, p, ctx);
    BN_nnmod(b, b, p, ctx);
    sm2_fe fa, fb, fr;
    uint8_t got[32], exp[32];
    to_fe(fa, ab);
    to_fe(fb, bb);

    sm2_fe_to_bytes(got, fa); /* round trip = a mod p */
    st_bn_out(exp, a);
    assert_memory_equal(got, exp, 32);

    be->mul(fr, fa, fb);
    sm2_fe_to_bytes(got, fr);
    BN_mod_mul(want, a, b, p, ctx);
    st_bn_out(exp, want);
    if (memcmp(got, exp, 32) != 0)
        fprintf(stderr, "%s mul mismatch\n", be->name);
    assert_memory_equal(got, exp, 32);

    be->sqr(fr, fa);
    sm2_fe_to_bytes(got, fr);
    BN_mod_sqr(want, a, p, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    /* the doubling's small multiples c*a, c in 1..8, taking turns by case */
    static uint64_t next_c;
    uint64_t c = 1 + next_c++ % 8;
    BIGNUM *bc = BN_new();
    assert_int_equal(BN_set_word(bc, (BN_ULONG)c), 1);
    be->mul_small(fr, fa, c);
    sm2_fe_to_bytes(got, fr);
    BN_mod_mul(want, a, bc, p, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);
    BN_free(bc);

    sm2_fe_add(fr, fa, fb);
    sm2_fe_to_bytes(got, fr);
    BN_mod_add(want, a, b, p, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    sm2_fe_sub(fr, fa, fb);
    sm2_fe_to_bytes(got, fr);
    BN_mod_sub(want, a, b, p, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    sm2_fe_neg(fr, fa);
    sm2_fe_to_bytes(got, fr);
    BN_mod_sub(want, p, a, p, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    /* every limb of a result stays below p (fully reduced) */
    for (int i = 3; i >= 0; i--) {
        if (fr[i] != sm2_fe_p[i]) {
            assert_true(fr[i] < sm2_fe_p[i]);
            break;
        }
        assert_true(i > 0);
    }
    BN_free(a);
    BN_free(b);
    BN_free(want);
}

static void check_inverse(const struct fe_backend *be, const uint8_t ab[32], BN_CTX *ctx,
                          const BIGNUM *p)
{
    BIGNUM *a = st_bn(ab), *want = BN_new();
    BN_nnmod(a, a, p, ctx);
    sm2_fe fa, fr;
    uint8_t got[32], exp[32];
    to_fe(fa, ab);
    be->inv(fr, fa);
    sm2_fe_to_bytes(got, fr);
    if (BN_is_zero(a))
        BN_zero(want);
    else
        assert_non_null(BN_mod_inverse(want, a, p, ctx));
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);
    BN_free(a);
    BN_free(want);
}

static void run_field(const struct fe_backend *be)
{
    uint8_t pb[32], ab[32], bb[32];
    tu_hex_into(P_HEX, pb, 32);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = st_bn(pb);
    for (int i = 0; i < EDGE_COUNT; i++) {
        for (int j = 0; j < EDGE_COUNT; j++) {
            edge_value(ab, i, pb);
            edge_value(bb, j, pb);
            check_field_case(be, ab, bb, ctx, p);
        }
        check_inverse(be, ab, ctx, p);
    }
    for (int i = 0; i < FIELD_CASES; i++) {
        if (i & 1) {
            st_random_bytes(ab);
            st_random_bytes(bb);
        } else {
            st_edgy_bytes(ab, pb);
            st_edgy_bytes(bb, pb);
        }
        check_field_case(be, ab, bb, ctx, p);
        if (i % 100 == 0)
            check_inverse(be, ab, ctx, p);
    }
    BN_free(p);
    BN_CTX_free(ctx);
}

static void test_field_portable(void **state)
{
    (void)state;
    struct fe_backend be = {"portable", mul_portable, sqr_portable, sm2_impl_portable.fe_inv,
                            mul_small_portable};
    run_field(&be);
}

static void test_field_mulx(void **state)
{
    (void)state;
#if defined(__x86_64__)
    if (!cpu_has_mulx())
        skip();
    struct fe_backend be = {"mulx", mul_mulx, sqr_mulx, sm2_impl_mulx.fe_inv, mul_small_mulx};
    run_field(&be);
#else
    skip();
#endif
}

static void check_scalar_case(const uint8_t ab[32], const uint8_t bb[32], BN_CTX *ctx,
                              const BIGNUM *n)
{
    BIGNUM *a = st_bn(ab), *b = st_bn(bb), *ar = BN_new(), *br = BN_new(), *want = BN_new();
    uint8_t got[32], exp[32], an[32], bn[32];
    BN_nnmod(ar, a, n, ctx);
    BN_nnmod(br, b, n, ctx);

    sm2_scalar_reduce(got, ab);
    st_bn_out(exp, ar);
    assert_memory_equal(got, exp, 32);
    memcpy(an, exp, 32);
    st_bn_out(bn, br);

    sm2_scalar_add(got, an, bn);
    BN_mod_add(want, ar, br, n, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    sm2_scalar_sub(got, an, bn);
    BN_mod_sub(want, ar, br, n, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    sm2_scalar_mul(got, ab, bb); /* unreduced inputs are allowed */
    BN_mod_mul(want, a, b, n, ctx);
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);

    assert_int_equal(sm2_scalar_is_zero(an), BN_is_zero(ar));
    int in_range = !BN_is_zero(a) && BN_cmp(a, n) < 0;
    assert_int_equal(sm2_scalar_in_range(ab), in_range);
    BN_free(a);
    BN_free(b);
    BN_free(ar);
    BN_free(br);
    BN_free(want);
}

static void check_scalar_inverse(const uint8_t ab[32], BN_CTX *ctx, const BIGNUM *n)
{
    BIGNUM *a = st_bn(ab), *want = BN_new();
    uint8_t got[32], exp[32];
    BN_nnmod(a, a, n, ctx);
    sm2_scalar_inv(got, ab);
    if (BN_is_zero(a))
        BN_zero(want);
    else
        assert_non_null(BN_mod_inverse(want, a, n, ctx));
    st_bn_out(exp, want);
    assert_memory_equal(got, exp, 32);
    BN_free(a);
    BN_free(want);
}

static void test_scalars(void **state)
{
    (void)state;
    uint8_t nb[32], ab[32], bb[32];
    tu_hex_into(N_HEX, nb, 32);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = st_bn(nb);
    for (int i = 0; i < EDGE_COUNT; i++) {
        for (int j = 0; j < EDGE_COUNT; j++) {
            edge_value(ab, i, nb);
            edge_value(bb, j, nb);
            check_scalar_case(ab, bb, ctx, n);
        }
        check_scalar_inverse(ab, ctx, n);
    }
    for (int i = 0; i < SCALAR_CASES; i++) {
        if (i & 1) {
            st_random_bytes(ab);
            st_random_bytes(bb);
        } else {
            st_edgy_bytes(ab, nb);
            st_edgy_bytes(bb, nb);
        }
        check_scalar_case(ab, bb, ctx, n);
        if (i % 20 == 0)
            check_scalar_inverse(ab, ctx, n);
    }
    /* the range check at its boundaries */
    edge_value(ab, 0, nb);
    assert_int_equal(sm2_scalar_in_range(ab), 0);
    edge_value(ab, 1, nb);
    assert_int_equal(sm2_scalar_in_range(ab), 1);
    edge_value(ab, 3, nb);
    assert_int_equal(sm2_scalar_in_range(ab), 1);
    edge_value(ab, 4, nb);
    assert_int_equal(sm2_scalar_in_range(ab), 0);
    edge_value(ab, 5, nb);
    assert_int_equal(sm2_scalar_in_range(ab), 0);
    edge_value(ab, 6, nb);
    assert_int_equal(sm2_scalar_in_range(ab), 0);
    BN_free(n);
    BN_CTX_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_portable),
        cmocka_unit_test(test_field_mulx),
        cmocka_unit_test(test_scalars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

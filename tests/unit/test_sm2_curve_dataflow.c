/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Data-flow check of the SM2 curve's constant-time functions (the
 * "ctgrind" method, tests/support/dataflow.h): the scalars are marked
 * undefined for Valgrind's memcheck, which then reports any branch or memory
 * address that depends on them, in sm2_mul_base, sm2_mul_point,
 * sm2_mul_point_table, sm2_mul_sum, sm2_scalar_mul/inv/add/sub/reduce/in_range, on both
 * field back ends (MULX/ADX when the real CPU has it). Only the return codes and outputs are
 * declassified, after the call. Without valgrind (or in a sanitizer build) the calls run as a plain
 * correctness check and the test exits 77, skipped (tu_dataflow_main).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sm2_curve.h"

#include "dataflow.h"

#define SECRET_CASES 3

/* k*G = Q and k*P, known from the same code run on public inputs. */
/* portable: 1 = the portable back end, -1 = keep the one already forced */
static void check_backend(int portable)
{
    if (portable >= 0)
        sm2_curve_force_portable(portable);
    uint8_t p[64], k[32], kp[32], want[64], got[64], b[32];
    uint8_t gen_k[32] = {0};
    gen_k[31] = 7;
    assert_int_equal(sm2_mul_base(p, gen_k), 1);
    uint8_t p2[64];
    gen_k[31] = 11;
    assert_int_equal(sm2_mul_base(p2, gen_k), 1);
    sm2_point_table *tab = sm2_point_table_new(p);
    assert_non_null(tab);
    for (int i = 0; i < SECRET_CASES; i++) {
        for (int j = 0; j < 32; j++) {
            k[j] = (uint8_t)(j * 37 + i * 101 + 5);
            b[j] = (uint8_t)(j * 13 + i * 7 + 1);
        }
        k[0] &= 0x7f;
        if (i == 2)
            memset(k, 0, 31); /* tiny scalar: leading zero windows */

        /* k*G */
        assert_int_equal(sm2_mul_base(want, k), 1);
        memcpy(kp, k, 32);
        MAKE_SECRET(kp, 32);
        int rc = sm2_mul_base(got, kp);
        MAKE_PUBLIC(&rc, sizeof(rc));
        MAKE_PUBLIC(got, 64);
        assert_int_equal(rc, 1);
        assert_memory_equal(got, want, 64);

        /* k*P and the table form */
        assert_int_equal(sm2_mul_point(want, k, p), 1);
        MAKE_SECRET(kp, 32);
        rc = sm2_mul_point(got, kp, p);
        MAKE_PUBLIC(&rc, sizeof(rc));
        MAKE_PUBLIC(got, 64);
        assert_int_equal(rc, 1);
        assert_memory_equal(got, want, 64);
        MAKE_SECRET(kp, 32);
        rc = sm2_mul_point_table(got, kp, tab);
        MAKE_PUBLIC(&rc, sizeof(rc));
        MAKE_PUBLIC(got, 64);
        assert_int_equal(rc, 1);
        assert_memory_equal(got, want, 64);

        /* k*(e*R + P), the key exchange's form (e, R, P public) */
        int sum_ok = 0;
        assert_int_equal(sm2_mul_sum(want, k, b, p, p2, &sum_ok), 1);
        MAKE_SECRET(kp, 32);
        rc = sm2_mul_sum(got, kp, b, p, p2, &sum_ok);
        MAKE_PUBLIC(&rc, sizeof(rc));
        MAKE_PUBLIC(got, 64);
        assert_int_equal(rc, 1);
        assert_int_equal(sum_ok, 1);
        assert_memory_equal(got, want, 64);

        /* scalar operations with both operands secret */
        uint8_t sb[32], r1[32], r2[32];
        const struct {
            void (*op)(uint8_t *, const uint8_t *, const uint8_t *);
        } ops[] = {{sm2_scalar_mul}, {sm2_scalar_add}, {sm2_scalar_sub}};
        for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
            ops[o].op(r1, k, b);
            memcpy(sb, b, 32);
            MAKE_SECRET(kp, 32);
            MAKE_SECRET(sb, 32);
            ops[o].op(r2, kp, sb);
            MAKE_PUBLIC(r2, 32);
            assert_memory_equal(r1, r2, 32);
        }
        sm2_scalar_inv(r1, k);
        MAKE_SECRET(kp, 32);
        sm2_scalar_inv(r2, kp);
        MAKE_PUBLIC(r2, 32);
        assert_memory_equal(r1, r2, 32);
        sm2_scalar_reduce(r1, k);
        MAKE_SECRET(kp, 32);
        sm2_scalar_reduce(r2, kp);
        MAKE_PUBLIC(r2, 32);
        assert_memory_equal(r1, r2, 32);
        MAKE_SECRET(kp, 32);
        int in_range = sm2_scalar_in_range(kp), zero = sm2_scalar_is_zero(kp);
        MAKE_PUBLIC(&in_range, sizeof(in_range));
        MAKE_PUBLIC(&zero, sizeof(zero));
        assert_int_equal(in_range, 1);
        assert_int_equal(zero, 0);
        MAKE_PUBLIC(kp, 32);
    }
    /* a rejected scalar (0) must not branch either */
    memset(kp, 0, 32);
    MAKE_SECRET(kp, 32);
    int rc = sm2_mul_base(got, kp);
    MAKE_PUBLIC(&rc, sizeof(rc));
    assert_int_equal(rc, 0);
    sm2_point_table_free(tab);
}

static void test_portable_secret_scalars(void **state)
{
    (void)state;
    check_backend(1);
}

/* Valgrind hides ADX from CPUID but runs the instructions, so the parent
 * (on the real CPU) tells the child under valgrind whether MULX/ADX exist. */
#define HOST_MULX_ENV "TLCP_TEST_SM2_HOST_MULX"

static void test_mulx_secret_scalars(void **state)
{
    (void)state;
    const char *host = getenv(HOST_MULX_ENV);
    if (host == NULL || strcmp(host, "1") != 0 || !sm2_curve_force_mulx()) {
        fprintf(stderr, "note: no MULX/ADX on this CPU; that back end is not checked\n");
        skip();
    }
    check_backend(-1);
    assert_string_equal(sm2_curve_backend(), "mulx");
}

static int dataflow_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portable_secret_scalars),
        cmocka_unit_test(test_mulx_secret_scalars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!UNDER_VALGRIND()) {
        sm2_curve_force_portable(0);
        setenv(HOST_MULX_ENV, strcmp(sm2_curve_backend(), "mulx") == 0 ? "1" : "0", 1);
    }
    return tu_dataflow_main(argv[0], dataflow_tests, NULL);
}

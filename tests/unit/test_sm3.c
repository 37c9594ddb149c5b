/* SPDX-License-Identifier: Apache-2.0 */
/* SM3 (our own compression function, every kernel the CPU runs): GB/T 32905
 * vectors, differential against OpenSSL, incremental use, copy/peek/reset, bad arguments. */
#include "testutil.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"

#define ABC_HASH    "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
#define ABCD16_HASH "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
#define EMPTY_HASH  "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"

static const char abcd16[] = "abcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcdabcd";

static const struct {
    const char *msg;
    const char *hash;
} vectors[] = {
    {"abc", ABC_HASH},
    {abcd16, ABCD16_HASH},
    {"", EMPTY_HASH},
};

static void test_one_shot_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        uint8_t out[TLCP_SM3_DIGEST_LEN];
        tlcp_error err = {0};
        assert_int_equal(
            tlcp_sm3((const uint8_t *)vectors[i].msg, strlen(vectors[i].msg), out, &err), 1);
        tu_assert_hex(out, sizeof(out), vectors[i].hash);
    }
    /* NULL data of length zero is the empty message. */
    uint8_t out[TLCP_SM3_DIGEST_LEN];
    assert_int_equal(tlcp_sm3(NULL, 0, out, NULL), 1);
    tu_assert_hex(out, sizeof(out), EMPTY_HASH);
}

static void test_incremental_byte_by_byte(void **state)
{
    (void)state;
    tlcp_error err = {0};
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(&err);
    assert_non_null(ctx);
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const uint8_t *m = (const uint8_t *)vectors[i].msg;
        size_t n = strlen(vectors[i].msg);
        for (size_t j = 0; j < n; j++)
            assert_int_equal(tlcp_sm3_update(ctx, m + j, 1, &err), 1);
        assert_int_equal(tlcp_sm3_update(ctx, NULL, 0, &err), 1); /* no-op */
        uint8_t out[TLCP_SM3_DIGEST_LEN];
        assert_int_equal(tlcp_sm3_final(ctx, out, &err), 1);
        tu_assert_hex(out, sizeof(out), vectors[i].hash);
        assert_int_equal(tlcp_sm3_reset(ctx, &err), 1);
    }
    tlcp_sm3_free(ctx);
}

/* The transcript pattern: hash-so-far in the middle, then keep going. */
static void test_peek_and_copy_continue(void **state)
{
    (void)state;
    tlcp_error err = {0};
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(&err);
    tlcp_sm3_ctx *snap = tlcp_sm3_new(&err);
    assert_non_null(ctx);
    assert_non_null(snap);
    uint8_t out[TLCP_SM3_DIGEST_LEN];

    assert_int_equal(tlcp_sm3_update(ctx, (const uint8_t *)abcd16, 3, &err), 1);
    assert_int_equal(tlcp_sm3_peek(ctx, out, &err), 1);
    tu_assert_hex(out, sizeof(out), ABC_HASH);
    /* Peeking twice gives the same value: the running state was not touched. */
    assert_int_equal(tlcp_sm3_peek(ctx, out, &err), 1);
    tu_assert_hex(out, sizeof(out), ABC_HASH);

    assert_int_equal(tlcp_sm3_copy(snap, ctx, &err), 1);
    assert_int_equal(tlcp_sm3_update(ctx, (const uint8_t *)abcd16 + 3, 61, &err), 1);
    assert_int_equal(tlcp_sm3_final(ctx, out, &err), 1);
    tu_assert_hex(out, sizeof(out), ABCD16_HASH);

    /* The copy still holds "abc" and is independent of the original. */
    assert_int_equal(tlcp_sm3_final(snap, out, &err), 1);
    tu_assert_hex(out, sizeof(out), ABC_HASH);

    /* Copying onto itself is harmless. */
    assert_int_equal(tlcp_sm3_reset(ctx, &err), 1);
    assert_int_equal(tlcp_sm3_update(ctx, (const uint8_t *)"abc", 3, &err), 1);
    assert_int_equal(tlcp_sm3_copy(ctx, ctx, &err), 1);
    assert_int_equal(tlcp_sm3_final(ctx, out, &err), 1);
    tu_assert_hex(out, sizeof(out), ABC_HASH);
    assert_false(tlcp_error_is_set(&err));

    tlcp_sm3_free(ctx);
    tlcp_sm3_free(snap);
}

static void test_reset_discards_input(void **state)
{
    (void)state;
    tlcp_error err = {0};
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(&err);
    assert_non_null(ctx);
    uint8_t out[TLCP_SM3_DIGEST_LEN];
    assert_int_equal(tlcp_sm3_update(ctx, (const uint8_t *)"garbage", 7, &err), 1);
    assert_int_equal(tlcp_sm3_reset(ctx, &err), 1);
    assert_int_equal(tlcp_sm3_final(ctx, out, &err), 1);
    tu_assert_hex(out, sizeof(out), EMPTY_HASH);
    tlcp_sm3_free(ctx);
    tlcp_sm3_free(NULL); /* no-op */
}

static void expect_invalid(int rc, tlcp_error *err)
{
    assert_int_equal(rc, 0);
    assert_int_equal(err->reason, TLCP_R_INVALID_ARGUMENT);
    assert_int_equal(ERR_peek_error(), 0);
    tlcp_error_clear(err);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    tlcp_error err = {0};
    uint8_t out[TLCP_SM3_DIGEST_LEN];
    tlcp_sm3_ctx *ctx = tlcp_sm3_new(&err);
    assert_non_null(ctx);
    expect_invalid(tlcp_sm3(NULL, 1, out, &err), &err);
    expect_invalid(tlcp_sm3((const uint8_t *)"a", 1, NULL, &err), &err);
    expect_invalid(tlcp_sm3_update(NULL, (const uint8_t *)"a", 1, &err), &err);
    expect_invalid(tlcp_sm3_update(ctx, NULL, 5, &err), &err);
    expect_invalid(tlcp_sm3_final(NULL, out, &err), &err);
    expect_invalid(tlcp_sm3_final(ctx, NULL, &err), &err);
    expect_invalid(tlcp_sm3_reset(NULL, &err), &err);
    expect_invalid(tlcp_sm3_copy(NULL, ctx, &err), &err);
    expect_invalid(tlcp_sm3_copy(ctx, NULL, &err), &err);
    expect_invalid(tlcp_sm3_peek(NULL, out, &err), &err);
    expect_invalid(tlcp_sm3_peek(ctx, NULL, &err), &err);
    /* A finished context refuses more work until it is reset. */
    assert_int_equal(tlcp_sm3_final(ctx, out, &err), 1);
    expect_invalid(tlcp_sm3_update(ctx, (const uint8_t *)"a", 1, &err), &err);
    expect_invalid(tlcp_sm3_final(ctx, out, &err), &err);
    expect_invalid(tlcp_sm3_peek(ctx, out, &err), &err);
    tlcp_sm3_ctx *copy = tlcp_sm3_new(&err);
    assert_non_null(copy);
    assert_int_equal(tlcp_sm3_copy(copy, ctx, &err), 1); /* the copy is finished too */
    expect_invalid(tlcp_sm3_update(copy, (const uint8_t *)"a", 1, &err), &err);
    tlcp_sm3_free(copy);
    assert_int_equal(tlcp_sm3_reset(ctx, &err), 1);
    /* A NULL error slot is allowed. */
    assert_int_equal(tlcp_sm3(NULL, 1, out, NULL), 0);
    /* The failed calls left the context usable. */
    assert_int_equal(tlcp_sm3_update(ctx, (const uint8_t *)"abc", 3, &err), 1);
    assert_int_equal(tlcp_sm3_final(ctx, out, &err), 1);
    tu_assert_hex(out, sizeof(out), ABC_HASH);
    tlcp_sm3_free(ctx);
}

static void evp_sm3(const uint8_t *m, size_t n, uint8_t out[32])
{
    unsigned int len = 0;
    static const uint8_t empty[1];
    assert_int_equal(EVP_Digest(n == 0 ? empty : m, n, out, &len, EVP_sm3(), NULL), 1);
    assert_int_equal(len, 32);
}

/* Feature masks that select each single-stream kernel in turn. */
static const int kernel_masks[] = {0,
                                   TLCP_SM3_FEAT_BMI2,
                                   TLCP_SM3_FEAT_SCHED8,
                                   TLCP_SM3_FEAT_SCHED8X,
                                   TLCP_SM3_FEAT_SCHED8I,
                                   TLCP_SM3_FEAT_ASM8,
                                   TLCP_SM3_FEAT_ASM8X,
                                   TLCP_SM3_FEAT_ASM8I,
                                   TLCP_SM3_FEAT_ASM1V,
                                   -1};

/* Every length 0..1100 and some long ones, one shot and split in two, under
 * every kernel, against OpenSSL's SM3. */
static void test_differential_openssl(void **state)
{
    (void)state;
    size_t max = 70000;
    uint8_t *m = malloc(max);
    assert_non_null(m);
    for (size_t i = 0; i < max; i++)
        m[i] = (uint8_t)(i * 131 + (i >> 7));
    static const size_t longs[] = {4096, 16384, 16384 + 13, 65536, 69999};
    for (size_t k = 0; k < sizeof(kernel_masks) / sizeof(kernel_masks[0]); k++) {
        tlcp_sm3_force_features(kernel_masks[k]);
        for (size_t n = 0; n <= 1100 + sizeof(longs) / sizeof(longs[0]); n++) {
            size_t len = n <= 1100 ? n : longs[n - 1101];
            uint8_t want[32], got[32];
            evp_sm3(m, len, want);
            assert_int_equal(tlcp_sm3(m, len, got, NULL), 1);
            assert_memory_equal(got, want, 32);
            tlcp_sm3_ctx *ctx = tlcp_sm3_new(NULL);
            assert_non_null(ctx);
            size_t cut = len / 3;
            assert_int_equal(tlcp_sm3_update(ctx, m, cut, NULL), 1);
            assert_int_equal(tlcp_sm3_update(ctx, m + cut, len - cut, NULL), 1);
            assert_int_equal(tlcp_sm3_final(ctx, got, NULL), 1);
            assert_memory_equal(got, want, 32);
            tlcp_sm3_free(ctx);
        }
    }
    tlcp_sm3_force_features(-1);
    free(m);
}

/* Each kernel the CPU runs, called directly, against the portable one on
 * 0..40 blocks from varied states and unaligned data: the forced-feature
 * tests above reach a kernel only through the choice in sm3_pick.c. */
static void test_every_kernel_matches_portable(void **state)
{
    (void)state;
    static uint8_t data[41 * 64 + 3];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 97 + (i >> 5));
    int cpu = tlcp_sm3_cpu_features();
    size_t ran = 0;
    for (size_t k = 0; k < tlcp_sm3_nkernels; k++) {
        const tlcp_sm3_kernel *kern = &tlcp_sm3_kernels[k];
        if ((kern->features & cpu) != kern->features)
            continue;
        ran++;
        for (size_t n = 0; n <= 40; n++) {
            uint32_t want[8], got[8];
            for (int i = 0; i < 8; i++)
                want[i] = got[i] = tlcp_sm3_iv[i] ^ (uint32_t)(n * 0x9e3779b9u + (uint32_t)i);
            tlcp_sm3_compress_portable(want, data + (n % 4), n);
            kern->fn(got, data + (n % 4), n);
            assert_memory_equal(got, want, sizeof(want));
        }
    }
    assert_true(ran >= 1); /* the portable one at least */
    /* Whatever the timing picked, it is a kernel this CPU runs. */
    for (size_t n = 1; n <= 16; n += 15) {
        const tlcp_sm3_kernel *pick = tlcp_sm3_kernel_for(n);
        assert_int_equal(pick->features & cpu, pick->features);
        assert_true(n >= pick->min_blocks);
    }
}

/* A 1 MiB (+5) pseudo-random message under every kernel, one shot and fed
 * in odd pieces (1, 63, 65, 511, 4097 bytes, ...), against the portable
 * kernel's one-shot digest. */
static void test_long_random_odd_splits(void **state)
{
    (void)state;
    size_t len = (1u << 20) + 5;
    uint8_t *m = malloc(len);
    assert_non_null(m);
    uint32_t x = 0x12345678u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
        m[i] = (uint8_t)(x >> 11);
    }
    uint8_t want[32], got[32];
    tlcp_sm3_force_features(0);
    assert_int_equal(tlcp_sm3(m, len, want, NULL), 1);
    static const size_t pieces[] = {1, 63, 65, 511, 4097, 3, 64 * 9 + 1, 128};
    for (size_t k = 0; k < sizeof(kernel_masks) / sizeof(kernel_masks[0]); k++) {
        tlcp_sm3_force_features(kernel_masks[k]);
        assert_int_equal(tlcp_sm3(m, len, got, NULL), 1);
        assert_memory_equal(got, want, 32);
        tlcp_sm3_ctx *ctx = tlcp_sm3_new(NULL);
        assert_non_null(ctx);
        for (size_t off = 0, p = 0; off < len; p++) {
            size_t n = pieces[p % (sizeof(pieces) / sizeof(pieces[0]))];
            n = n < len - off ? n : len - off;
            assert_int_equal(tlcp_sm3_update(ctx, m + off, n, NULL), 1);
            off += n;
        }
        assert_int_equal(tlcp_sm3_final(ctx, got, NULL), 1);
        assert_memory_equal(got, want, 32);
        tlcp_sm3_free(ctx);
    }
    tlcp_sm3_force_features(-1);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_shot_vectors),
        cmocka_unit_test(test_incremental_byte_by_byte),
        cmocka_unit_test(test_peek_and_copy_continue),
        cmocka_unit_test(test_reset_discards_input),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_differential_openssl),
        cmocka_unit_test(test_every_kernel_matches_portable),
        cmocka_unit_test(test_long_random_odd_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

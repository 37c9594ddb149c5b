/* SPDX-License-Identifier: Apache-2.0 */
/* SM4: GB/T 32907 vectors, CBC against a block-by-block reference, reuse, bad arguments. */
#include "testutil.h"

#include <openssl/err.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

#define KEY_HEX "0123456789abcdeffedcba9876543210"

static void test_one_block_vector(void **state)
{
    (void)state;
    uint8_t key[16], out[16];
    tlcp_error err = {0};
    tu_hex_into(KEY_HEX, key, 16);
    assert_int_equal(tlcp_sm4_encrypt_block(key, key, out, &err), 1);
    tu_assert_hex(out, 16, "681edf34d206965e86b3e94f536e4246");
    /* In place. */
    memcpy(out, key, 16);
    assert_int_equal(tlcp_sm4_encrypt_block(key, out, out, &err), 1);
    tu_assert_hex(out, 16, "681edf34d206965e86b3e94f536e4246");
}

/*
 * The 1,000,000-fold encryption. CBC over zero blocks with IV = P computes
 * exactly E(E(...E(P))), one iteration per block, so one call does it; the
 * first thousand steps are also checked with the ECB block helper.
 */
static void test_million_iterations(void **state)
{
    (void)state;
    enum { N = 1000000 };
    uint8_t key[16], x[16];
    tu_hex_into(KEY_HEX, key, 16);
    uint8_t *buf = calloc(N, 16);
    assert_non_null(buf);
    assert_int_equal(tlcp_sm4_cbc_encrypt(key, key, buf, buf, (size_t)N * 16, NULL), 1);
    tu_assert_hex(buf + (size_t)(N - 1) * 16, 16, "595298c7c6fd271f0402f804c33d3f66");

    memcpy(x, key, 16);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(tlcp_sm4_encrypt_block(key, x, x, NULL), 1);
    assert_memory_equal(x, buf + 999 * 16, 16);
    free(buf);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 131 + seed * 17 + (i >> 8)) & 0xff);
}

/* CBC by definition: C_i = E(P_i ^ C_{i-1}), C_0 = IV. */
static void cbc_reference(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in,
                          uint8_t *out, size_t len)
{
    uint8_t chain[16], x[16];
    memcpy(chain, iv, 16);
    for (size_t off = 0; off < len; off += 16) {
        for (int i = 0; i < 16; i++)
            x[i] = in[off + i] ^ chain[i];
        assert_int_equal(tlcp_sm4_encrypt_block(key, x, chain, NULL), 1);
        memcpy(out + off, chain, 16);
    }
}

static const size_t lengths[] = {0, 16, 32, 48, 64, 160, 1024, 16384 + 48};

static void test_cbc_known_answer_and_round_trip(void **state)
{
    (void)state;
    uint8_t key[16], iv[16];
    fill(key, 16, 1);
    fill(iv, 16, 2);
    size_t max = 16384 + 48;
    uint8_t *plain = malloc(max), *want = malloc(max), *ct = malloc(max), *back = malloc(max);
    assert_true(plain && want && ct && back);
    fill(plain, max, 3);
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        size_t n = lengths[i];
        tlcp_error err = {0};
        cbc_reference(key, iv, plain, want, n);
        assert_int_equal(tlcp_sm4_cbc_encrypt(key, iv, plain, ct, n, &err), 1);
        assert_memory_equal(ct, want, n);
        assert_int_equal(tlcp_sm4_cbc_decrypt(key, iv, ct, back, n, &err), 1);
        assert_memory_equal(back, plain, n);
        /* Exact aliasing, both directions. */
        memcpy(back, plain, n);
        assert_int_equal(tlcp_sm4_cbc_encrypt(key, iv, back, back, n, &err), 1);
        assert_memory_equal(back, want, n);
        assert_int_equal(tlcp_sm4_cbc_decrypt(key, iv, back, back, n, &err), 1);
        assert_memory_equal(back, plain, n);
        assert_false(tlcp_error_is_set(&err));
    }
    free(plain), free(want), free(ct), free(back);
}

/* A keyed context reused for many records with fresh IVs: each record stands
 * alone (no chaining state leaks from one call to the next). */
static void test_context_reuse_per_record(void **state)
{
    (void)state;
    uint8_t key[16], plain[96], want[96], got[96], back[96];
    fill(key, 16, 9);
    tlcp_error err = {0};
    tlcp_sm4_cbc *enc = tlcp_sm4_cbc_new(key, 1, &err);
    tlcp_sm4_cbc *dec = tlcp_sm4_cbc_new(key, 0, &err);
    assert_non_null(enc);
    assert_non_null(dec);
    for (unsigned rec = 0; rec < 20; rec++) {
        uint8_t iv[16];
        size_t n = 16 * (1 + rec % 6);
        fill(iv, 16, 100 + rec);
        fill(plain, n, 200 + rec);
        cbc_reference(key, iv, plain, want, n);
        assert_int_equal(tlcp_sm4_cbc_crypt(enc, iv, plain, got, n, &err), 1);
        assert_memory_equal(got, want, n);
        assert_int_equal(tlcp_sm4_cbc_crypt(dec, iv, got, back, n, &err), 1);
        assert_memory_equal(back, plain, n);
    }
    /* A rejected call does not spoil the context. */
    uint8_t iv[16] = {0};
    assert_int_equal(tlcp_sm4_cbc_crypt(enc, iv, plain, got, 15, &err), 0);
    tlcp_error_clear(&err);
    cbc_reference(key, iv, plain, want, 32);
    assert_int_equal(tlcp_sm4_cbc_crypt(enc, iv, plain, got, 32, &err), 1);
    assert_memory_equal(got, want, 32);
    tlcp_sm4_cbc_free(enc);
    tlcp_sm4_cbc_free(dec);
    tlcp_sm4_cbc_free(NULL);
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
    uint8_t key[16] = {0}, iv[16] = {0}, buf[64] = {0};
    tlcp_error err = {0};
    static const size_t odd[] = {1, 15, 17, 31, 63};
    for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
        expect_invalid(tlcp_sm4_cbc_encrypt(key, iv, buf, buf, odd[i], &err), &err);
        expect_invalid(tlcp_sm4_cbc_decrypt(key, iv, buf, buf, odd[i], &err), &err);
    }
    expect_invalid(tlcp_sm4_cbc_encrypt(NULL, iv, buf, buf, 16, &err), &err);
    expect_invalid(tlcp_sm4_cbc_encrypt(key, NULL, buf, buf, 16, &err), &err);
    expect_invalid(tlcp_sm4_cbc_encrypt(key, iv, NULL, buf, 16, &err), &err);
    expect_invalid(tlcp_sm4_cbc_decrypt(key, iv, buf, NULL, 16, &err), &err);
    assert_null(tlcp_sm4_cbc_new(NULL, 1, &err));
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_error_clear(&err);
    expect_invalid(tlcp_sm4_cbc_crypt(NULL, iv, buf, buf, 16, &err), &err);
    tlcp_sm4_cbc *ctx = tlcp_sm4_cbc_new(key, 0, &err);
    assert_non_null(ctx);
    expect_invalid(tlcp_sm4_cbc_crypt(ctx, NULL, buf, buf, 16, &err), &err);
    expect_invalid(tlcp_sm4_cbc_crypt(ctx, iv, buf, buf, 33, &err), &err);
    tlcp_sm4_cbc_free(ctx);
    /* Exact aliasing is allowed, partial overlap is not (it would corrupt CBC). */
    expect_invalid(tlcp_sm4_cbc_encrypt(key, iv, buf, buf + 16, 48, &err), &err);
    expect_invalid(tlcp_sm4_cbc_decrypt(key, iv, buf + 16, buf, 48, &err), &err);
    expect_invalid(tlcp_sm4_cbc_encrypt(key, iv, buf + 1, buf, 32, &err), &err);
    expect_invalid(tlcp_sm4_encrypt_block(key, buf, buf + 8, &err), &err);
    assert_int_equal(tlcp_sm4_cbc_encrypt(key, iv, buf, buf + 32, 32, &err), 1); /* adjacent */
    expect_invalid(tlcp_sm4_encrypt_block(NULL, buf, buf, &err), &err);
    expect_invalid(tlcp_sm4_encrypt_block(key, NULL, buf, &err), &err);
    expect_invalid(tlcp_sm4_encrypt_block(key, buf, NULL, &err), &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_block_vector),
        cmocka_unit_test(test_million_iterations),
        cmocka_unit_test(test_cbc_known_answer_and_round_trip),
        cmocka_unit_test(test_context_reuse_per_record),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* PRF (P_SM3): the key-schedule vectors of tlcp-protocol.md §9, structure, OpenSSL's TLS1-PRF
 * on random inputs, bad arguments. */
#include "testutil.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <string.h>

#include "crypto/crypto.h"

#define PRE_MASTER                                                                                 \
    "010102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"                             \
    "202122232425262728292a2b2c2d2e2f"
#define MASTER                                                                                     \
    "2f4441f8438f07b18b2bf73eeafed437fafbdb8eace17433816c6617a8a327cd"                             \
    "c3748d92d98d07aeb532acee5882c12b"

static uint8_t client_random[32], server_random[32];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++) {
        client_random[i] = (uint8_t)i;
        server_random[i] = (uint8_t)(0x20 + i);
    }
    return 0;
}

static void test_master_secret(void **state)
{
    (void)state;
    uint8_t pre[48], master[48];
    tlcp_error err = {0};
    tu_hex_into(PRE_MASTER, pre, sizeof(pre));
    assert_int_equal(
        tlcp_prf_master_secret(pre, sizeof(pre), client_random, server_random, master, &err), 1);
    tu_assert_hex(master, sizeof(master), MASTER);
}

static void test_cbc_key_block(void **state)
{
    (void)state;
    uint8_t master[48], kb[128];
    tlcp_error err = {0};
    tu_hex_into(MASTER, master, sizeof(master));
    assert_int_equal(tlcp_prf_key_block(master, client_random, server_random, kb, sizeof(kb), &err),
                     1);
    tu_assert_hex(kb, 32, "e41131a49d4d2a4b720062f4628d57edfa4a35be8c5fa4c885e4752b4217b1b5");
    tu_assert_hex(kb + 32, 32, "957c63b84db8809a6b10f3da7097e894f5f75895f3418f6e7265f2f1cb9f07aa");
    tu_assert_hex(kb + 64, 16, "2223cc88c5b0a67318b669533ebb030c");
    tu_assert_hex(kb + 80, 16, "2b34fde2b691650662b0ed0fd0acc94e");
    tu_assert_hex(kb + 96, 16, "6df48f63b9d861342ec351c08f132433");
    tu_assert_hex(kb + 112, 16, "8508307704d49b088392145d970fede3");
}

static void test_gcm_key_block(void **state)
{
    (void)state;
    uint8_t master[48], kb[40];
    tlcp_error err = {0};
    tu_hex_into(MASTER, master, sizeof(master));
    assert_int_equal(tlcp_prf_key_block(master, client_random, server_random, kb, sizeof(kb), &err),
                     1);
    tu_assert_hex(kb, 16, "e41131a49d4d2a4b720062f4628d57ed");
    tu_assert_hex(kb + 16, 16, "fa4a35be8c5fa4c885e4752b4217b1b5");
    tu_assert_hex(kb + 32, 4, "957c63b8");
    tu_assert_hex(kb + 36, 4, "4db8809a");
}

static void test_finished(void **state)
{
    (void)state;
    uint8_t master[48], hash[32], vd[12];
    tlcp_error err = {0};
    tu_hex_into(MASTER, master, sizeof(master));
    assert_int_equal(tlcp_sm3((const uint8_t *)"abc", 3, hash, &err), 1);
    assert_int_equal(tlcp_prf_finished(master, 1, hash, vd, &err), 1);
    tu_assert_hex(vd, sizeof(vd), "bb04ba2f8d40b1cae1b8071a");
    assert_int_equal(tlcp_prf_finished(master, 0, hash, vd, &err), 1);
    tu_assert_hex(vd, sizeof(vd), "5590b0ddee5b82617cf9f57c");
}

/* P_SM3 by its definition (A(i) chain over HMAC-SM3), compared for lengths
 * that stop inside and at the edge of an HMAC output. */
static void test_matches_p_hash_definition(void **state)
{
    (void)state;
    const uint8_t secret[] = "a secret";
    const uint8_t seed[] = {1, 2, 3, 4, 5};
    const char *label = "test label";
    uint8_t ls[64];
    size_t ls_len = strlen(label) + sizeof(seed);
    memcpy(ls, label, strlen(label));
    memcpy(ls + strlen(label), seed, sizeof(seed));

    uint8_t want[100], a[32], buf[32 + 64];
    assert_int_equal(tlcp_hmac_sm3(secret, 8, ls, ls_len, a, NULL), 1); /* A(1) */
    for (size_t off = 0; off < sizeof(want); off += 32) {
        uint8_t block[32];
        memcpy(buf, a, 32);
        memcpy(buf + 32, ls, ls_len);
        assert_int_equal(tlcp_hmac_sm3(secret, 8, buf, 32 + ls_len, block, NULL), 1);
        memcpy(want + off, block, sizeof(want) - off < 32 ? sizeof(want) - off : 32);
        assert_int_equal(tlcp_hmac_sm3(secret, 8, a, 32, a, NULL), 1); /* A(i+1) */
    }
    static const size_t lens[] = {1, 31, 32, 33, 64, 100};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint8_t got[100];
        assert_int_equal(tlcp_prf_sm3(secret, 8, label, seed, sizeof(seed), got, lens[i], NULL), 1);
        assert_memory_equal(got, want, lens[i]);
    }
    /* An empty seed leaves only the label. */
    uint8_t x[32], y[32];
    assert_int_equal(tlcp_prf_sm3(secret, 8, "ab", NULL, 0, x, 32, NULL), 1);
    assert_int_equal(tlcp_prf_sm3(secret, 8, "a", (const uint8_t *)"b", 1, y, 32, NULL), 1);
    assert_memory_equal(x, y, 32);
}

/* OpenSSL's TLS1-PRF KDF with SM3 over label || seed (the former implementation). */
static void openssl_prf(const uint8_t *secret, size_t secret_len, uint8_t *seed, size_t seed_len,
                        uint8_t *out, size_t out_len)
{
    static uint8_t empty[1];
    char digest[] = "SM3";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                          secret_len == 0 ? empty : (uint8_t *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, seed_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    assert_non_null(kdf);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    assert_non_null(ctx);
    assert_int_equal(EVP_KDF_derive(ctx, out, out_len, params), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
}

/* Random secrets (empty, short, longer than an SM3 block so HMAC hashes
 * them), labels, seeds up to the 1024-byte limit and output lengths. */
static void test_matches_openssl(void **state)
{
    (void)state;
    for (int i = 0; i < 2000; i++) {
        uint8_t r[8], secret[150], seed[1024], want[300], got[300];
        char label[16];
        assert_int_equal(RAND_bytes(r, sizeof(r)), 1);
        size_t secret_len = i < 3 ? (size_t)i * 64 : r[0] % sizeof(secret);
        size_t label_len = 1 + r[1] % (sizeof(label) - 1);
        size_t seed_len =
            i == 5 ? sizeof(seed) - label_len : (size_t)((r[2] | (r[3] & 1) << 8) % 200);
        size_t out_len = 1 + (r[4] | r[5] << 8) % sizeof(want);
        assert_int_equal(RAND_bytes(secret, sizeof(secret)), 1);
        assert_int_equal(RAND_bytes(seed, sizeof(seed)), 1);
        for (size_t j = 0; j < label_len; j++)
            label[j] = (char)('a' + seed[j] % 26);
        label[label_len] = '\0';
        uint8_t full[1024];
        memcpy(full, label, label_len);
        memcpy(full + label_len, seed, seed_len);
        openssl_prf(secret, secret_len, full, label_len + seed_len, want, out_len);
        assert_int_equal(
            tlcp_prf_sm3(secret, secret_len, label, seed, seed_len, got, out_len, NULL), 1);
        assert_memory_equal(got, want, out_len);
    }
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
    uint8_t s[48] = {0}, out[48], big[1100] = {0};
    expect_invalid(tlcp_prf_sm3(NULL, 8, "l", s, 1, out, 8, &err), &err);
    expect_invalid(tlcp_prf_sm3(s, 8, NULL, s, 1, out, 8, &err), &err);
    expect_invalid(tlcp_prf_sm3(s, 8, "l", NULL, 1, out, 8, &err), &err);
    expect_invalid(tlcp_prf_sm3(s, 8, "l", s, 1, NULL, 8, &err), &err);
    expect_invalid(tlcp_prf_sm3(s, 8, "l", s, 1, out, 0, &err), &err);
    expect_invalid(tlcp_prf_sm3(s, 8, "", NULL, 0, out, 8, &err), &err);
    expect_invalid(tlcp_prf_sm3(s, 8, "l", big, sizeof(big), out, 8, &err), &err);
    expect_invalid(tlcp_prf_master_secret(NULL, 48, s, s, out, &err), &err);
    expect_invalid(tlcp_prf_master_secret(s, 0, s, s, out, &err), &err);
    expect_invalid(tlcp_prf_master_secret(s, 48, NULL, s, out, &err), &err);
    expect_invalid(tlcp_prf_master_secret(s, 48, s, s, NULL, &err), &err);
    expect_invalid(tlcp_prf_key_block(NULL, s, s, out, 40, &err), &err);
    expect_invalid(tlcp_prf_key_block(s, s, NULL, out, 40, &err), &err);
    expect_invalid(tlcp_prf_key_block(s, s, s, out, 0, &err), &err);
    expect_invalid(tlcp_prf_finished(NULL, 1, s, out, &err), &err);
    expect_invalid(tlcp_prf_finished(s, 1, NULL, out, &err), &err);
    expect_invalid(tlcp_prf_finished(s, 1, s, NULL, &err), &err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_master_secret),
        cmocka_unit_test(test_cbc_key_block),
        cmocka_unit_test(test_gcm_key_block),
        cmocka_unit_test(test_finished),
        cmocka_unit_test(test_matches_p_hash_definition),
        cmocka_unit_test(test_matches_openssl),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

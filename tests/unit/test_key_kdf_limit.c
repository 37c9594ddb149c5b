/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz finding F4: an encrypted PKCS#8 key asking for 2^31-1 PBKDF2
 * iterations kept tlcp_pkey_load_private busy for minutes. Keys whose key
 * derivation costs more than TLCP_MAX_KDF_ITERATIONS iterations (PBKDF2,
 * PKCS#12 PBE) or TLCP_MAX_SCRYPT_WORK (scrypt N*r*p) are refused with
 * TLCP_R_BAD_KEY before anything is derived; keys as tools write them load.
 * Without the bound the refusal tests would run for minutes (ctest timeout).
 * Tests may use OpenSSL to build inputs.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/key_kdf_limit.h"

/*
 * The recorded GmSSL 3 server sign key (interop/gmssl3-ecc-sm4-cbc-sm3/
 * server-sign.key) encrypted with passphrase "test" by `openssl pkcs8 -topk8`
 * (-v2 aes-256-cbc -iter 2048; -scrypt -scrypt_N 1024 -scrypt_r 8
 * -scrypt_p 1; -v1 PBE-SHA1-3DES -iter 2048), and copies whose iteration or
 * parallelization INTEGER was re-encoded (lengths fixed up) to a huge value.
 */
#include "test_key_kdf_limit_vectors.inc"

#define PASS "test"

static uint8_t *hex(const char *h, size_t *len)
{
    uint8_t *b = tu_hex(h, len);
    assert_non_null(b);
    return b;
}

/* Loads and expects TLCP_R_BAD_KEY with `words` in the message. */
static void expect_refused(const uint8_t *data, size_t len, const char *pass, const char *words)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_load_private(data, len, pass, &err);
    assert_null(key);
    if (err.reason != TLCP_R_BAD_KEY || strstr(tlcp_error_message(&err), words) == NULL)
        fail_msg("reason %d: %s (wanted \"%s\")", err.reason, tlcp_error_message(&err), words);
}

static void expect_loads(const uint8_t *data, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_load_private(data, len, PASS, &err);
    if (key == NULL)
        fail_msg("load failed: %s", tlcp_error_message(&err));
    assert_true(tlcp_pkey_has_private(key));
    tlcp_pkey_free(key);
}

static void expect_refused_hex(const char *h, const char *words)
{
    size_t len;
    uint8_t *der = hex(h, &len);
    expect_refused(der, len, PASS, words);
    /* refused before the passphrase matters */
    expect_refused(der, len, NULL, words);
    expect_refused(der, len, "wrong", words);
    free(der);
}

static void test_huge_pbkdf2_count_refused(void **state)
{
    (void)state;
    expect_refused_hex(PBKDF2_MAX31_hex, "2147483647 PBKDF2 iterations");
    /* one over the bound */
    expect_refused_hex(PBKDF2_1E7P1_hex, "10000001 PBKDF2 iterations");
    expect_refused((const uint8_t *)PBKDF2_MAX31_PEM, strlen(PBKDF2_MAX31_PEM), PASS,
                   "2147483647 PBKDF2 iterations");
}

/* The same key as OpenSSL's own PBES2 encoder writes it at 2^31-1 iterations
 * (only the parameters are made; nothing is derived, so the ciphertext is
 * filler: the loader must not get as far as decrypting it). */
static void test_openssl_built_key_refused(void **state)
{
    (void)state;
    unsigned char salt[16], iv[16], filler[144];
    memset(salt, 's', sizeof(salt));
    memset(iv, 'i', sizeof(iv));
    memset(filler, 0x5a, sizeof(filler));
    X509_ALGOR *pbe = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), 0x7fffffff, salt, sizeof(salt), iv,
                                        NID_hmacWithSHA256);
    assert_non_null(pbe);
    const ASN1_OBJECT *oid = NULL;
    int ptype = 0;
    const void *pval = NULL;
    X509_ALGOR_get0(&oid, &ptype, &pval, pbe);
    assert_int_equal(ptype, V_ASN1_SEQUENCE);

    X509_SIG *sig = X509_SIG_new();
    assert_non_null(sig);
    X509_ALGOR *alg = NULL;
    ASN1_OCTET_STRING *data = NULL;
    X509_SIG_getm(sig, &alg, &data);
    assert_int_equal(X509_ALGOR_set0(alg, OBJ_dup(oid), V_ASN1_SEQUENCE, ASN1_STRING_dup(pval)), 1);
    assert_int_equal(ASN1_OCTET_STRING_set(data, filler, sizeof(filler)), 1);
    unsigned char *der = NULL;
    int len = i2d_X509_SIG(sig, &der);
    assert_true(len > 0);
    X509_SIG_free(sig);
    X509_ALGOR_free(pbe);

    expect_refused(der, (size_t)len, PASS, "2147483647 PBKDF2 iterations");
    OPENSSL_free(der);
}

static void test_other_schemes_refused(void **state)
{
    (void)state;
    expect_refused_hex(PBES1_MAX31_hex, "2147483647 PBE iterations");
    expect_refused_hex(SCRYPT_P2E20_hex, "scrypt work N*r*p = 1024*8*1048576");
}

/* Keys as tools write them are unaffected, in every scheme. */
static void test_normal_keys_load(void **state)
{
    (void)state;
    const char *all[] = {PBKDF2_2048_hex, SCRYPT_OK_hex, PBES1_2048_hex};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        size_t len;
        uint8_t *der = hex(all[i], &len);
        expect_loads(der, len);
        free(der);
    }
}

/* The bounds are inclusive: at the bound a key loads, one below it does not
 * (the bounds lowered to the keys' own cost, so nothing slow runs). */
static void test_bound_is_inclusive(void **state)
{
    (void)state;
    size_t len, slen, plen;
    uint8_t *der = hex(PBKDF2_2048_hex, &len);
    uint8_t *scrypt = hex(SCRYPT_OK_hex, &slen);
    uint8_t *pbes1 = hex(PBES1_2048_hex, &plen);
    tlcp_test_set_kdf_limits(2048, 1024 * 8);
    expect_loads(der, len);
    expect_loads(scrypt, slen);
    expect_loads(pbes1, plen);
    tlcp_test_set_kdf_limits(2047, 1024 * 8 - 1);
    expect_refused(der, len, PASS, "2048 PBKDF2 iterations, more than the 2047 allowed");
    expect_refused(scrypt, slen, PASS, "1024*8*1, more than the 8191 allowed");
    expect_refused(pbes1, plen, PASS, "2048 PBE iterations");
    tlcp_test_set_kdf_limits(0, 0);
    expect_loads(der, len);
    free(der);
    free(scrypt);
    free(pbes1);
}

/* What is not an encrypted key, or whose parameters do not parse, is left to
 * the decoder and gets its usual reason. */
static void test_check_leaves_other_input_alone(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    assert_true(tlcp_key_check_kdf_cost(junk, sizeof(junk), &err));
    assert_true(tlcp_key_check_kdf_cost((const uint8_t *)"not a key", 9, &err));
    assert_true(tlcp_key_check_kdf_cost(NULL, 0, &err));
    assert_int_equal(err.reason, TLCP_R_NONE);

    /* the 2^31-1 key cut short: no longer parses, so the decoder refuses it */
    size_t len;
    uint8_t *der = hex(PBKDF2_MAX31_hex, &len);
    assert_false(tlcp_key_check_kdf_cost(der, len, &err));
    tlcp_error_clear(&err);
    assert_true(tlcp_key_check_kdf_cost(der, 40, &err));
    assert_int_equal(err.reason, TLCP_R_NONE);
    tlcp_pkey *key = tlcp_pkey_load_private(der, 40, PASS, &err);
    assert_null(key);
    assert_true(err.reason != TLCP_R_NONE && err.reason != TLCP_R_BAD_KEY);
    free(der);

    /* a PEM file with the bad key as its second block is still refused */
    const char *cert_like = "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n";
    size_t n1 = strlen(cert_like), n2 = strlen(PBKDF2_MAX31_PEM);
    char *both = malloc(n1 + n2);
    assert_non_null(both);
    memcpy(both, cert_like, n1);
    memcpy(both + n1, PBKDF2_MAX31_PEM, n2);
    tlcp_error_clear(&err);
    assert_false(tlcp_key_check_kdf_cost((const uint8_t *)both, n1 + n2, &err));
    assert_int_equal(err.reason, TLCP_R_BAD_KEY);
    free(both);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_pbkdf2_count_refused),
        cmocka_unit_test(test_openssl_built_key_refused),
        cmocka_unit_test(test_other_schemes_refused),
        cmocka_unit_test(test_normal_keys_load),
        cmocka_unit_test(test_bound_is_inclusive),
        cmocka_unit_test(test_check_leaves_other_input_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_cert and tlcp_cert_list: parsing (DER, PEM, bundles, files), accessors, errors. */
#include "x509_test_util.h"

static const char *FX = "gmssl3-ecc-sm4-cbc-sm3";

static void test_pem_and_der_roundtrip(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    size_t pem_len = 0;
    uint8_t *pem = tu_read_file(fx_path(FX, "server-sign.pem"), &pem_len);
    assert_non_null(pem);
    tlcp_cert *a = tlcp_cert_from_pem(pem, pem_len, &err);
    assert_non_null(a);
    const uint8_t *der;
    size_t der_len;
    tlcp_cert_der(a, &der, &der_len);
    assert_true(der_len > 300);
    assert_int_equal(der[0], 0x30);
    tlcp_cert *b = tlcp_cert_from_der(der, der_len, &err);
    assert_non_null(b);
    const uint8_t *der2;
    size_t der2_len;
    tlcp_cert_der(b, &der2, &der2_len);
    assert_int_equal(der_len, der2_len);
    assert_memory_equal(der, der2, der_len);
    /* tlcp_cert_load detects both encodings. */
    tlcp_cert *c = tlcp_cert_load(der, der_len, &err);
    tlcp_cert *d = tlcp_cert_load(pem, pem_len, &err);
    assert_non_null(c);
    assert_non_null(d);
    assert_string_equal(tlcp_cert_subject(c), tlcp_cert_subject(d));
    tlcp_cert_free(a);
    tlcp_cert_free(b);
    tlcp_cert_free(c);
    tlcp_cert_free(d);
    free(pem);
}

static void test_accessors(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *sign = fx_cert(FX, "server-sign.pem");
    tlcp_cert *enc = fx_cert(FX, "server-enc.pem");
    tlcp_cert *ca = fx_cert(FX, "ca.pem");
    assert_string_equal(tlcp_cert_subject(sign),
                        "C=CN, ST=Beijing, L=Haidian, O=TLCPTest, OU=Peers, CN=localhost");
    assert_string_equal(tlcp_cert_issuer(sign),
                        "C=CN, ST=Beijing, L=Haidian, O=TLCPTest, OU=Peers, CN=TLCP Test Sub CA");
    assert_true(tlcp_cert_is_sm2(sign));
    int present = -1;
    assert_int_equal(tlcp_cert_key_usage(sign, &present), TLCP_KU_DIGITAL_SIGNATURE);
    assert_int_equal(present, 1);
    assert_int_equal(tlcp_cert_key_usage(enc, &present), TLCP_KU_ENC_ANY);
    assert_int_equal(tlcp_cert_key_usage(ca, NULL), TLCP_KU_KEY_CERT_SIGN | TLCP_KU_CRL_SIGN);
    assert_false(tlcp_cert_is_ca(sign));
    assert_true(tlcp_cert_is_ca(ca));
    assert_true(tlcp_cert_is_self_signed(ca));
    assert_false(tlcp_cert_is_self_signed(sign));
    time_t nb = 0, na = 0;
    assert_true(tlcp_cert_validity(sign, &nb, &na, &err));
    /* notBefore=Nov 27 07:01:42 2026 GMT, notAfter=Mar 1 07:01:42 2029 GMT */
    assert_int_equal((long long)nb, 1795762902LL);
    assert_int_equal((long long)na, 1867042902LL);
    tlcp_pkey *key = tlcp_cert_public_key(sign, &err);
    assert_non_null(key);
    tlcp_pkey_free(key);
    /* A second reference keeps the certificate alive. */
    tlcp_cert *again = tlcp_cert_up_ref(sign);
    tlcp_cert_free(sign);
    assert_true(tlcp_cert_is_sm2(again));
    tlcp_cert_free(again);
    tlcp_cert_free(enc);
    tlcp_cert_free(ca);
    tlcp_cert_free(NULL);
}

static void test_rsa_cert_is_not_sm2(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *rsa = fx_cert("tongsuo-rsa-sm4-cbc-sm3", "server-sign.pem");
    assert_false(tlcp_cert_is_sm2(rsa));
    assert_null(tlcp_cert_public_key(rsa, &err));
    assert_err(&err, TLCP_R_CERT, "does not hold an SM2 key");
    assert_int_equal(err.alert, TLCP_ALERT_UNSUPPORTED_CERTIFICATE);
    tlcp_cert_free(rsa);
}

static void test_pem_bundle(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    size_t a_len, b_len;
    uint8_t *a = tu_read_file(fx_path(FX, "chain.pem"), &a_len);
    uint8_t *b = tu_read_file(fx_path(FX, "ca.pem"), &b_len);
    assert_non_null(a);
    assert_non_null(b);
    /* Text before, between and after the blocks is allowed, like openssl. */
    size_t cap = a_len + b_len + 64;
    char *bundle = malloc(cap);
    assert_non_null(bundle);
    int n = snprintf(bundle, cap, "sub CA:\n%.*sroot:\n%.*s\n", (int)a_len, (const char *)a,
                     (int)b_len, (const char *)b);
    tlcp_cert_list list;
    tlcp_cert_list_init(&list);
    assert_true(tlcp_cert_list_load(&list, (const uint8_t *)bundle, (size_t)n, &err));
    assert_int_equal(list.num, 2);
    assert_non_null(strstr(tlcp_cert_subject(list.certs[0]), "Sub CA"));
    assert_non_null(strstr(tlcp_cert_subject(list.certs[1]), "Root CA"));
    /* Appending again keeps the order and the earlier entries. */
    assert_true(tlcp_cert_list_load_file(&list, fx_path(FX, "server-enc.pem"), &err));
    assert_int_equal(list.num, 3);
    tlcp_cert_list_clear(&list);
    assert_int_equal(list.num, 0);
    free(bundle);
    free(a);
    free(b);
}

static void test_garbage_and_truncated(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_cert *sign = fx_cert(FX, "server-sign.pem");
    const uint8_t *der;
    size_t der_len;
    tlcp_cert_der(sign, &der, &der_len);

    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_der(der, der_len - 1, &err));
    assert_err(&err, TLCP_R_DECODE, "malformed DER certificate");
    assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);

    uint8_t *longer = malloc(der_len + 2);
    assert_non_null(longer);
    memcpy(longer, der, der_len);
    longer[der_len] = 0;
    longer[der_len + 1] = 0;
    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_der(longer, der_len + 2, &err));
    assert_err(&err, TLCP_R_TRAILING_DATA, "2 bytes after the DER certificate");
    free(longer);

    static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_der(junk, sizeof(junk), &err));
    assert_err(&err, TLCP_R_DECODE, "malformed DER");

    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_der(NULL, 0, &err));
    assert_err(&err, TLCP_R_DECODE, "empty");

    static const char bad_pem[] = "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n"
                                  "-----END CERTIFICATE-----\n";
    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_pem((const uint8_t *)bad_pem, strlen(bad_pem), &err));
    assert_err(&err, TLCP_R_DECODE, "certificate #1 is malformed");

    static const char key_only[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_pem((const uint8_t *)key_only, strlen(key_only), &err));
    assert_err(&err, TLCP_R_DECODE, "no PEM certificate found");

    static const char text[] = "hello, this is not a certificate";
    tlcp_error_clear(&err);
    assert_null(tlcp_cert_load((const uint8_t *)text, strlen(text), &err));
    assert_err(&err, TLCP_R_DECODE, "malformed DER");
    tlcp_cert_free(sign);
}

static void test_bundle_with_bad_second_block(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    size_t a_len;
    uint8_t *a = tu_read_file(fx_path(FX, "ca.pem"), &a_len);
    assert_non_null(a);
    static const char bad[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    uint8_t *buf = malloc(a_len + sizeof(bad));
    assert_non_null(buf);
    memcpy(buf, a, a_len);
    memcpy(buf + a_len, bad, sizeof(bad) - 1);
    tlcp_cert_list list;
    tlcp_cert_list_init(&list);
    assert_false(tlcp_cert_list_load(&list, buf, a_len + sizeof(bad) - 1, &err));
    assert_err(&err, TLCP_R_DECODE, "certificate #2 is malformed");
    assert_int_equal(list.num, 0); /* nothing half-added */
    free(buf);
    free(a);
}

static void test_files(void **state)
{
    (void)state;
    tlcp_error err;
    const char *dir = tmp_dir();
    char path[512];

    tlcp_error_clear(&err);
    snprintf(path, sizeof(path), "%s/missing.pem", dir);
    assert_null(tlcp_cert_load_file(path, &err));
    assert_err(&err, TLCP_R_FILE, "missing.pem");

    tlcp_error_clear(&err);
    snprintf(path, sizeof(path), "%s/empty.pem", dir);
    write_file(path, "", 0);
    assert_null(tlcp_cert_load_file(path, &err));
    assert_err(&err, TLCP_R_DECODE, "empty.pem is empty");

    tlcp_error_clear(&err);
    snprintf(path, sizeof(path), "%s/garbage.der", dir);
    write_file(path, "\x30\x82\x01\x00garbage", 11);
    assert_null(tlcp_cert_load_file(path, &err));
    assert_err(&err, TLCP_R_DECODE, "garbage.der");

    tlcp_error_clear(&err);
    assert_null(tlcp_cert_load_file(dir, &err));
    assert_err(&err, TLCP_R_FILE, "is not a regular file");

    tlcp_error_clear(&err);
    snprintf(path, sizeof(path), "%s/huge.pem", dir);
    write_file(path, "", 0);
    assert_int_equal(truncate(path, (off_t)TLCP_X509_MAX_FILE + 1), 0);
    assert_null(tlcp_cert_load_file(path, &err));
    assert_err(&err, TLCP_R_FILE, "huge.pem is too large");

    tlcp_error_clear(&err);
    assert_null(tlcp_cert_load_file(NULL, &err));
    assert_err(&err, TLCP_R_INVALID_ARGUMENT, "no certificate file given");

    /* A DER file works as well as PEM. */
    tlcp_cert *sign = fx_cert(FX, "server-sign.pem");
    const uint8_t *der;
    size_t der_len;
    tlcp_cert_der(sign, &der, &der_len);
    snprintf(path, sizeof(path), "%s/sign.der", dir);
    write_file(path, der, der_len);
    tlcp_error_clear(&err);
    tlcp_cert *loaded = tlcp_cert_load_file(path, &err);
    assert_non_null(loaded);
    assert_string_equal(tlcp_cert_subject(loaded), tlcp_cert_subject(sign));

    char *pem = NULL;
    size_t pem_len = 0;
    assert_true(tlcp_cert_to_pem(loaded, &pem, &pem_len, &err));
    assert_int_equal(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
    assert_int_equal(strlen(pem), pem_len);
    free(pem);
    tlcp_cert_free(loaded);
    tlcp_cert_free(sign);
    rm_rf(dir);
}

static void test_list_limit(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *ca = fx_cert(FX, "ca.pem");
    tlcp_cert_list list;
    tlcp_cert_list_init(&list);
    for (unsigned i = 0; i < TLCP_X509_MAX_LIST; i++)
        assert_true(tlcp_cert_list_push(&list, ca, &err));
    assert_false(tlcp_cert_list_push(&list, ca, &err));
    assert_err(&err, TLCP_R_CERT, "more than");
    tlcp_cert_list_clear(&list);
    tlcp_cert_free(ca);
}

static void test_big_bundle_first_cert(void **state)
{
    (void)state;
    /* More certificates than a list holds: loading one takes the first. */
    size_t len;
    uint8_t *one = tu_read_file(fx_path(FX, "chain.pem"), &len);
    assert_non_null(one);
    size_t count = TLCP_X509_MAX_LIST + 4;
    uint8_t *big = malloc(len * count);
    assert_non_null(big);
    for (size_t i = 0; i < count; i++)
        memcpy(big + i * len, one, len);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *c = tlcp_cert_from_pem(big, len * count, &err);
    assert_non_null(c);
    assert_non_null(strstr(tlcp_cert_subject(c), "Sub CA"));
    tlcp_cert_free(c);
    tlcp_cert_list list;
    tlcp_cert_list_init(&list);
    assert_false(tlcp_cert_list_load(&list, big, len * count, &err));
    assert_err(&err, TLCP_R_CERT, "more than");
    assert_int_equal(list.num, 0);
    /* A trust store takes them all (duplicates are fine). */
    const char *dir = tmp_dir();
    char path[512];
    snprintf(path, sizeof(path), "%s/bundle.pem", dir);
    write_file(path, big, len * count);
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    tlcp_error_clear(&err);
    assert_true(tlcp_trust_store_load_file(store, path, &err));
    assert_int_equal(tlcp_trust_store_count(store), count);
    tlcp_trust_store_free(store);
    rm_rf(dir);
    free(big);
    free(one);
}

static void test_host_names(void **state)
{
    (void)state;
    tlcp_error err;
    /* GmSSL 2 leaf: SAN DNS:localhost, IP:127.0.0.1. */
    tlcp_cert *g2 = fx_cert("gmssl2-ecc-sm4-cbc-sm3", "server-sign.pem");
    tlcp_error_clear(&err);
    assert_true(tlcp_cert_check_host(g2, "localhost", &err));
    assert_true(tlcp_cert_check_host(g2, "LOCALHOST", &err));
    assert_true(tlcp_cert_check_host(g2, "127.0.0.1", &err));
    assert_false(tlcp_cert_check_host(g2, "127.0.0.2", &err));
    assert_err(&err, TLCP_R_HOSTNAME_MISMATCH, "IP address 127.0.0.2 does not match");
    assert_int_equal(err.alert, TLCP_ALERT_BAD_CERTIFICATE);
    tlcp_error_clear(&err);
    assert_false(tlcp_cert_check_host(g2, "example.com", &err));
    assert_err(&err, TLCP_R_HOSTNAME_MISMATCH, "host name example.com does not match");
    tlcp_error_clear(&err);
    assert_false(tlcp_cert_check_host(g2, "", &err));
    assert_err(&err, TLCP_R_INVALID_ARGUMENT, "empty host name");
    /* GmSSL 3 leaf: SAN DNS:localhost only, so the IP literal does not match. */
    tlcp_cert *g3 = fx_cert(FX, "server-sign.pem");
    tlcp_error_clear(&err);
    assert_false(tlcp_cert_check_host(g3, "127.0.0.1", &err));
    assert_err(&err, TLCP_R_HOSTNAME_MISMATCH, "127.0.0.1");
    tlcp_cert_free(g2);
    tlcp_cert_free(g3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pem_and_der_roundtrip),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_rsa_cert_is_not_sm2),
        cmocka_unit_test(test_pem_bundle),
        cmocka_unit_test(test_garbage_and_truncated),
        cmocka_unit_test(test_bundle_with_bad_second_block),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_list_limit),
        cmocka_unit_test(test_big_bundle_first_cert),
        cmocka_unit_test(test_host_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

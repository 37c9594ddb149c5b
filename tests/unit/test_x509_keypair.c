/* SPDX-License-Identifier: Apache-2.0 */
/* Key pairs and credentials: loading, key/certificate matching, wire order. */
#include "x509_test_util.h"

static void load_pair_ok(const char *fixture, const char *cert, const char *key)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_keypair pair = {0};
    char cert_path[4096];
    snprintf(cert_path, sizeof(cert_path), "%s", fx_path(fixture, cert));
    int ok = tlcp_keypair_load_files(&pair, cert_path, fx_path(fixture, key), NULL, &err);
    if (!ok)
        fprintf(stderr, "%s: %s\n", fixture, tlcp_error_message(&err));
    assert_true(ok);
    assert_non_null(pair.cert);
    assert_non_null(pair.key);
    assert_true(tlcp_pkey_has_private(pair.key));
    tlcp_keypair_clear(&pair);
    assert_null(pair.cert);
    assert_null(pair.key);
}

static void test_every_fixture_pair_matches(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = tu_list_fixtures(&names);
    size_t pairs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fx_is_sm2_server(names[i]))
            continue;
        load_pair_ok(names[i], "server-sign.pem", "server-sign.key");
        load_pair_ok(names[i], "server-enc.pem", "server-enc.key");
        pairs += 2;
        if (fx_has(names[i], "client-sign.pem") && fx_has(names[i], "client-sign.key")) {
            load_pair_ok(names[i], "client-sign.pem", "client-sign.key");
            pairs++;
        }
        if (fx_has(names[i], "client-enc.pem") && fx_has(names[i], "client-enc.key")) {
            load_pair_ok(names[i], "client-enc.pem", "client-enc.key");
            pairs++;
        }
    }
    tu_free_list(names, n);
    assert_true(pairs >= 50);
}

static void test_mismatch_names_both_files(void **state)
{
    (void)state;
    const char *fx = "gmssl3-ecc-sm4-cbc-sm3";
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_keypair pair = {0};
    char cert_path[4096];
    snprintf(cert_path, sizeof(cert_path), "%s", fx_path(fx, "server-enc.pem"));
    assert_false(
        tlcp_keypair_load_files(&pair, cert_path, fx_path(fx, "server-sign.key"), NULL, &err));
    assert_err(&err, TLCP_R_KEY_CERT_MISMATCH, "server-sign.key does not match certificate");
    assert_non_null(strstr(err.message, "server-enc.pem"));
    assert_null(pair.cert);
    assert_null(pair.key);

    /* A key of another fixture: same check. */
    tlcp_error_clear(&err);
    assert_false(tlcp_keypair_load_files(
        &pair, cert_path, fx_path("tongsuo-ecc-sm4-cbc-sm3", "server-enc.key"), NULL, &err));
    assert_int_equal(err.reason, TLCP_R_KEY_CERT_MISMATCH);
}

static void test_rsa_and_missing_files(void **state)
{
    (void)state;
    const char *fx = "tongsuo-rsa-sm4-cbc-sm3";
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_keypair pair = {0};
    char cert_path[4096];
    snprintf(cert_path, sizeof(cert_path), "%s", fx_path(fx, "server-sign.pem"));
    assert_false(
        tlcp_keypair_load_files(&pair, cert_path, fx_path(fx, "server-sign.key"), NULL, &err));
    assert_err(&err, TLCP_R_CERT, "does not hold an SM2 key");
    assert_non_null(strstr(err.message, "server-sign.pem"));

    /* An SM2 certificate with an RSA key: the key loader refuses it. */
    snprintf(cert_path, sizeof(cert_path), "%s",
             fx_path("tongsuo-ecc-sm4-cbc-sm3", "server-sign.pem"));
    tlcp_error_clear(&err);
    assert_false(
        tlcp_keypair_load_files(&pair, cert_path, fx_path(fx, "server-sign.key"), NULL, &err));
    assert_non_null(strstr(err.message, "cannot load private key"));
    assert_non_null(strstr(err.message, "server-sign.key"));

    tlcp_error_clear(&err);
    assert_false(tlcp_keypair_load_files(&pair, "/nonexistent/sign.pem",
                                         fx_path(fx, "server-sign.key"), NULL, &err));
    assert_err(&err, TLCP_R_FILE, "/nonexistent/sign.pem");

    tlcp_error_clear(&err);
    assert_false(tlcp_keypair_load_files(&pair, cert_path, "/nonexistent/sign.key", NULL, &err));
    assert_non_null(strstr(err.message, "/nonexistent/sign.key"));
    assert_null(pair.cert);
}

static void test_encrypted_key(void **state)
{
    (void)state;
    const char *fx = "tongsuo-ecc-sm4-cbc-sm3";
    const char *dir = tmp_dir();
    char key[512], cmd[8192], cert_path[4096];
    snprintf(key, sizeof(key), "%s/enc.key", dir);
    snprintf(cmd, sizeof(cmd),
             "openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret -in '%s' -out '%s'",
             fx_path(fx, "server-sign.key"), key);
    assert_int_equal(system(cmd), 0);
    snprintf(cert_path, sizeof(cert_path), "%s", fx_path(fx, "server-sign.pem"));
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_keypair pair = {0};
    assert_true(tlcp_keypair_load_files(&pair, cert_path, key, "s3cret", &err));
    tlcp_keypair_clear(&pair);
    assert_false(tlcp_keypair_load_files(&pair, cert_path, key, "wrong", &err));
    assert_true(err.reason == TLCP_R_BAD_PASSPHRASE || err.reason == TLCP_R_BAD_KEY);
    assert_non_null(strstr(err.message, "enc.key"));
    rm_rf(dir);
}

static void test_keypair_set(void **state)
{
    (void)state;
    const char *fx = "gmssl2-ecc-sm4-cbc-sm3";
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *sign = fx_cert(fx, "server-sign.pem");
    tlcp_cert *enc = fx_cert(fx, "server-enc.pem");
    tlcp_pkey *key = tlcp_pkey_load_private_file(fx_path(fx, "server-sign.key"), NULL, &err);
    assert_non_null(key);
    tlcp_keypair pair = {0};
    assert_false(tlcp_keypair_set(&pair, enc, key, &err));
    assert_int_equal(err.reason, TLCP_R_KEY_CERT_MISMATCH);
    tlcp_error_clear(&err);
    assert_true(tlcp_keypair_set(&pair, sign, key, &err));
    /* A public key alone is not a pair. */
    tlcp_pkey *pub = tlcp_cert_public_key(sign, &err);
    assert_non_null(pub);
    tlcp_keypair other = {0};
    assert_false(tlcp_keypair_set(&other, sign, pub, &err));
    assert_err(&err, TLCP_R_BAD_KEY, "not a private key");
    tlcp_pkey_free(pub);
    tlcp_keypair_clear(&pair);
    tlcp_pkey_free(key);
    tlcp_cert_free(sign);
    tlcp_cert_free(enc);
}

static void test_credentials(void **state)
{
    (void)state;
    const char *fx = "gmssl3-ecc-sm4-cbc-sm3";
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_credentials *creds = tlcp_credentials_new(&err);
    assert_non_null(creds);
    assert_false(tlcp_credentials_check(creds, 0, &err));
    assert_err(&err, TLCP_R_CONFIG, "no signing certificate");

    char cert_path[4096];
    snprintf(cert_path, sizeof(cert_path), "%s", fx_path(fx, "server-sign.pem"));
    tlcp_error_clear(&err);
    assert_true(
        tlcp_credentials_load_sign(creds, cert_path, fx_path(fx, "server-sign.key"), NULL, &err));
    assert_true(tlcp_credentials_check(creds, 0, &err));
    assert_false(tlcp_credentials_check(creds, 1, &err));
    assert_err(&err, TLCP_R_CONFIG, "no encryption certificate");

    snprintf(cert_path, sizeof(cert_path), "%s", fx_path(fx, "server-enc.pem"));
    tlcp_error_clear(&err);
    assert_true(
        tlcp_credentials_load_enc(creds, cert_path, fx_path(fx, "server-enc.key"), NULL, &err));
    assert_true(tlcp_credentials_load_chain_file(creds, fx_path(fx, "chain.pem"), &err));
    assert_true(tlcp_credentials_check(creds, 1, &err));

    const uint8_t *ders[4];
    size_t lens[4];
    assert_int_equal(tlcp_credentials_wire_list(creds, ders, lens, 4), 3);
    const uint8_t *want;
    size_t want_len;
    tlcp_cert_der(creds->sign.cert, &want, &want_len);
    assert_ptr_equal(ders[0], want);
    assert_int_equal(lens[0], want_len);
    tlcp_cert_der(creds->enc.cert, &want, &want_len);
    assert_ptr_equal(ders[1], want);
    tlcp_cert_der(creds->chain.certs[0], &want, &want_len);
    assert_ptr_equal(ders[2], want);
    /* A short array still reports the full count. */
    assert_int_equal(tlcp_credentials_wire_list(creds, ders, lens, 1), 3);

    /* Swapped files: the signing slot holding the enc cert fails the check. */
    tlcp_credentials *swapped = tlcp_credentials_new(&err);
    assert_non_null(swapped);
    assert_true(
        tlcp_credentials_load_sign(swapped, cert_path, fx_path(fx, "server-enc.key"), NULL, &err));
    assert_false(tlcp_credentials_check(swapped, 0, &err));
    assert_err(&err, TLCP_R_CERT_KEY_USAGE, "signing certificate lacks digitalSignature");
    tlcp_credentials_free(swapped);

    tlcp_credentials *ref = tlcp_credentials_up_ref(creds);
    tlcp_credentials_free(creds);
    assert_non_null(ref->sign.cert);
    tlcp_credentials_free(ref);
    tlcp_credentials_free(NULL);
}

/* Concatenates two fixture files into a temporary file; caller unlinks. */
static void concat_files(char *out_path, size_t cap, const char *fx, const char *a, const char *b)
{
    snprintf(out_path, cap, "/tmp/tlcp-keypair-XXXXXX");
    int fd = mkstemp(out_path);
    assert_true(fd >= 0);
    const char *parts[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        size_t len = 0;
        uint8_t *data = tu_read_file(fx_path(fx, parts[i]), &len);
        assert_non_null(data);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        free(data);
    }
    close(fd);
}

/* A cert file holding the leaf and its chain: the chain is sent after the
 * leaves, once, even when the sign and enc files and --chain all carry it. */
static void test_leaf_file_with_chain(void **state)
{
    (void)state;
    const char *fx = "gmssl3-ecc-sm4-cbc-sm3";
    tlcp_error err;
    tlcp_error_clear(&err);
    char sign_path[64], enc_path[64];
    concat_files(sign_path, sizeof(sign_path), fx, "server-sign.pem", "chain.pem");
    concat_files(enc_path, sizeof(enc_path), fx, "server-enc.pem", "chain.pem");
    tlcp_credentials *creds = tlcp_credentials_new(&err);
    assert_non_null(creds);
    char key[4096];
    snprintf(key, sizeof(key), "%s", fx_path(fx, "server-sign.key"));
    assert_true(tlcp_credentials_load_sign(creds, sign_path, key, NULL, &err));
    assert_int_equal(creds->sign.extra.num, 1);
    const uint8_t *ders[8];
    size_t lens[8];
    assert_int_equal(tlcp_credentials_wire_list(creds, ders, lens, 8), 2); /* sign, chain */
    assert_int_equal(tlcp_credentials_chain_count(creds), 1);
    snprintf(key, sizeof(key), "%s", fx_path(fx, "server-enc.key"));
    assert_true(tlcp_credentials_load_enc(creds, enc_path, key, NULL, &err));
    assert_true(tlcp_credentials_load_chain_file(creds, fx_path(fx, "chain.pem"), &err));
    assert_int_equal(tlcp_credentials_wire_list(creds, ders, lens, 8), 3); /* sign, enc, chain */
    assert_int_equal(tlcp_credentials_chain_count(creds), 1);
    const uint8_t *want;
    size_t want_len;
    tlcp_cert_der(creds->sign.extra.certs[0], &want, &want_len);
    assert_int_equal(lens[2], want_len);
    assert_memory_equal(ders[2], want, want_len);
    tlcp_cert_der(creds->enc.cert, &want, &want_len);
    assert_ptr_equal(ders[1], want);

    /* loading a plain leaf again drops the old file's chain */
    char plain[4096];
    snprintf(plain, sizeof(plain), "%s", fx_path(fx, "server-sign.pem"));
    snprintf(key, sizeof(key), "%s", fx_path(fx, "server-sign.key"));
    assert_true(tlcp_credentials_load_sign(creds, plain, key, NULL, &err));
    assert_int_equal(creds->sign.extra.num, 0);
    assert_int_equal(tlcp_credentials_wire_list(creds, ders, lens, 8), 3); /* enc file's chain */
    tlcp_credentials_free(creds);

    /* a malformed second block is an error naming the file */
    FILE *f = fopen(sign_path, "a");
    assert_non_null(f);
    fputs("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", f);
    fclose(f);
    tlcp_keypair pair = {0};
    tlcp_error_clear(&err);
    assert_false(tlcp_keypair_load_files(&pair, sign_path, key, NULL, &err));
    assert_err(&err, TLCP_R_DECODE, "certificate #3 is malformed");
    assert_null(pair.cert);
    unlink(sign_path);
    unlink(enc_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture_pair_matches),
        cmocka_unit_test(test_mismatch_names_both_files),
        cmocka_unit_test(test_rsa_and_missing_files),
        cmocka_unit_test(test_encrypted_key),
        cmocka_unit_test(test_keypair_set),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_leaf_file_with_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Trust stores: CA files with several certificates, hashed and plain CA directories. */
#include "x509_test_util.h"

static int verify_fixture(const tlcp_trust_store *store, const char *fixture, int with_chain,
                          tlcp_error *err)
{
    tlcp_cert_list all;
    tlcp_cert_list_init(&all);
    tlcp_error e;
    tlcp_error_clear(&e);
    assert_true(tlcp_cert_list_load_file(&all, fx_path(fixture, "server-sign.pem"), &e));
    assert_true(tlcp_cert_list_load_file(&all, fx_path(fixture, "server-enc.pem"), &e));
    if (with_chain && fx_has(fixture, "chain.pem"))
        assert_true(tlcp_cert_list_load_file(&all, fx_path(fixture, "chain.pem"), &e));
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    assert_true(tlcp_peer_certs_classify(&peer, all.certs, all.num, &e));
    tlcp_verify_params p;
    memset(&p, 0, sizeof(p));
    p.time = PIN_2026_11_28;
    p.require_enc = 1;
    int ok = tlcp_verify_peer(store, &peer, &p, NULL, err);
    tlcp_peer_certs_clear(&peer);
    tlcp_cert_list_clear(&all);
    return ok;
}

static void copy_as(const char *src, const char *dir, const char *name)
{
    size_t len;
    uint8_t *data = tu_read_file(src, &len);
    assert_non_null(data);
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    write_file(path, data, len);
    free(data);
}

/* Copies a certificate under its OpenSSL subject-hash name (<hash>.0). */
static void copy_hashed(const char *src, const char *dir)
{
    char cmd[4200], hash[32] = "";
    snprintf(cmd, sizeof(cmd), "openssl x509 -hash -noout -in '%s'", src);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(hash, sizeof(hash), p));
    assert_int_equal(pclose(p), 0);
    hash[strcspn(hash, "\n")] = '\0';
    assert_int_equal(strlen(hash), 8);
    char name[64];
    snprintf(name, sizeof(name), "%s.0", hash);
    copy_as(src, dir, name);
}

static void test_ca_file_with_several_roots(void **state)
{
    (void)state;
    const char *fixtures[] = {"gmssl2-ecc-sm4-cbc-sm3", "gmssl3-ecc-sm4-cbc-sm3",
                              "tongsuo-ecc-sm4-cbc-sm3"};
    const char *dir = tmp_dir();
    char bundle[512];
    snprintf(bundle, sizeof(bundle), "%s/bundle.pem", dir);
    FILE *out = fopen(bundle, "wb");
    assert_non_null(out);
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        uint8_t *data = tu_read_file(fx_path(fixtures[i], "ca.pem"), &len);
        assert_non_null(data);
        assert_int_equal(fwrite(data, 1, len, out), len);
        free(data);
    }
    assert_int_equal(fclose(out), 0);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    assert_non_null(store);
    assert_true(tlcp_trust_store_load_file(store, bundle, &err));
    assert_int_equal(tlcp_trust_store_count(store), 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(verify_fixture(store, fixtures[i], 1, &err));
    tlcp_trust_store_free(store);
    rm_rf(dir);
}

static void test_hashed_dir_supplies_intermediate(void **state)
{
    (void)state;
    const char *fx = "gmssl3-ecc-sm4-cbc-sm3";
    const char *dir = tmp_dir();
    char ca[4096], chain[4096];
    snprintf(ca, sizeof(ca), "%s", fx_path(fx, "ca.pem"));
    snprintf(chain, sizeof(chain), "%s", fx_path(fx, "chain.pem"));
    copy_hashed(ca, dir);
    copy_hashed(chain, dir);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    assert_true(tlcp_trust_store_load_dir(store, dir, &err));
    assert_int_equal(tlcp_trust_store_count(store), 0); /* read lazily */
    /* The peer sends no chain: the sub CA comes from the directory and its
     * SM2 signature only verifies because the lookup attaches the ID. */
    int ok = verify_fixture(store, fx, 0, &err);
    if (!ok)
        fprintf(stderr, "%s\n", tlcp_error_message(&err));
    assert_true(ok);
    /* A second verification reuses the cached sub CA; a peer that sends the
     * sub CA as well is fine too. */
    assert_true(verify_fixture(store, fx, 0, &err));
    assert_true(verify_fixture(store, fx, 1, &err));
    /* Another fixture's chain is not trusted by this directory. */
    assert_false(verify_fixture(store, "tongsuo-ecc-sm4-cbc-sm3", 1, &err));
    assert_int_equal(err.alert, TLCP_ALERT_UNKNOWN_CA);
    tlcp_trust_store_free(store);
    rm_rf(dir);
}

static void test_plain_pem_dir(void **state)
{
    (void)state;
    const char *dir = tmp_dir();
    char ca[4096];
    snprintf(ca, sizeof(ca), "%s", fx_path("gmssl2-ecc-sm4-cbc-sm3", "ca.pem"));
    copy_as(ca, dir, "gmssl2-root.pem");
    snprintf(ca, sizeof(ca), "%s", fx_path("tongsuo-ecc-sm4-cbc-sm3", "ca.pem"));
    copy_as(ca, dir, "tongsuo-root.crt");
    char readme[512];
    snprintf(readme, sizeof(readme), "%s/README.txt", dir);
    write_file(readme, "not a certificate", 17); /* ignored: no certificate suffix */
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    assert_true(tlcp_trust_store_load_dir(store, dir, &err));
    assert_int_equal(tlcp_trust_store_count(store), 2);
    assert_true(verify_fixture(store, "gmssl2-ecc-sm4-cbc-sm3", 1, &err));
    assert_true(verify_fixture(store, "tongsuo-ecc-sm4-cbc-sm3", 1, &err));
    assert_false(verify_fixture(store, "gmssl3-ecc-sm4-cbc-sm3", 1, &err));
    tlcp_trust_store_free(store);
    rm_rf(dir);
}

static void test_dir_errors(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    const char *dir = tmp_dir();

    tlcp_error_clear(&err);
    assert_false(tlcp_trust_store_load_dir(store, dir, &err));
    assert_err(&err, TLCP_R_CONFIG, "holds no certificates");

    char bad[512];
    snprintf(bad, sizeof(bad), "%s/broken.pem", dir);
    write_file(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 59);
    tlcp_error_clear(&err);
    assert_false(tlcp_trust_store_load_dir(store, dir, &err));
    assert_err(&err, TLCP_R_DECODE, "broken.pem");

    tlcp_error_clear(&err);
    assert_false(tlcp_trust_store_load_dir(store, "/nonexistent-ca-dir", &err));
    assert_err(&err, TLCP_R_FILE, "/nonexistent-ca-dir");

    tlcp_error_clear(&err);
    assert_false(tlcp_trust_store_load_file(store, bad, &err));
    assert_err(&err, TLCP_R_DECODE, "broken.pem: certificate #1 is malformed");

    char der[512];
    snprintf(der, sizeof(der), "%s/junk.der", dir);
    write_file(der, "\x30\x03\x02\x01\x01", 5);
    tlcp_error_clear(&err);
    assert_false(tlcp_trust_store_load_file(store, der, &err));
    assert_err(&err, TLCP_R_DECODE, "junk.der: malformed DER certificate");

    char empty[512];
    snprintf(empty, sizeof(empty), "%s/empty.pem", dir);
    write_file(empty, "", 0);
    tlcp_error_clear(&err);
    assert_false(tlcp_trust_store_load_file(store, empty, &err));
    assert_err(&err, TLCP_R_DECODE, "is empty");
    assert_int_equal(tlcp_trust_store_count(store), 0);
    tlcp_trust_store_free(store);
    rm_rf(dir);
}

static void test_add_cert_and_refs(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    tlcp_cert *root = fx_cert("tongsuo-ecc-sm4-cbc-sm3", "ca.pem");
    assert_true(tlcp_trust_store_add_cert(store, root, &err));
    tlcp_cert_free(root); /* the store keeps its own reference */
    tlcp_trust_store *ref = tlcp_trust_store_up_ref(store);
    tlcp_trust_store_free(store);
    assert_true(verify_fixture(ref, "tongsuo-ecc-sm4-cbc-sm3", 1, &err));
    assert_false(tlcp_trust_store_add_cert(ref, NULL, &err));
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_trust_store_free(ref);
    tlcp_trust_store_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ca_file_with_several_roots),
        cmocka_unit_test(test_hashed_dir_supplies_intermediate),
        cmocka_unit_test(test_plain_pem_dir),
        cmocka_unit_test(test_dir_errors),
        cmocka_unit_test(test_add_cert_and_refs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Revocation and chains (issue 11 item 6): CRLs checked for both leaves of
 * the server and for client certificates (revoked, bad CRL signature,
 * expired CRL, missing CRL), partial chains on/off, and a server in verify
 * mode OPTIONAL that goes on and reports what it saw. The PKI and the CRLs
 * are generated for the run (certgen), the handshakes run in memory.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e_pair.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define TEMP "/tmp/tlcp-revoke-XXXXXX"

/* The generated PKI: a root with server and client pairs, an intermediate
 * with a second server pair, and a foreign root. Paths of PEM files. */
static struct {
    tlcp_pkey *root_key, *inter_key, *foreign_key;
    tlcp_cert *root, *inter, *foreign;
    tlcp_cert *s_sign, *s_enc, *c_sign, *c_enc;
    char *root_pem, *inter_pem, *foreign_pem;
    char *s_sign_pem, *s_sign_key, *s_enc_pem, *s_enc_key;
    char *c_sign_pem, *c_sign_key, *c_enc_pem, *c_enc_key;
    char *i_sign_pem, *i_sign_key, *i_enc_pem, *i_enc_key;
    char *f_sign_pem, *f_sign_key;
} g;

static tlcp_cert *issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                        int profile, const char *cn)
{
    return e2e_issue(ca, ca_key, key, profile, 0, cn);
}

/* A leaf pair of `profile` issued by ca: certificate and key files. */
static tlcp_cert *leaf(const tlcp_cert *ca, const tlcp_pkey *ca_key, int profile, char **pem,
                       char **key_path)
{
    tlcp_pkey *key = tlcp_pkey_generate(NULL);
    assert_non_null(key);
    tlcp_cert *c = issue(ca, ca_key, key, profile, NULL);
    *pem = e2e_cert_file(TEMP, c);
    *key_path = e2e_key_file(TEMP, key);
    tlcp_pkey_free(key);
    return c;
}

static int setup_pki(void **state)
{
    (void)state;
    g.root_key = tlcp_pkey_generate(NULL);
    g.inter_key = tlcp_pkey_generate(NULL);
    g.foreign_key = tlcp_pkey_generate(NULL);
    g.root = issue(NULL, g.root_key, g.root_key, TLCP_PROFILE_CA, "Revocation Root");
    g.inter = issue(g.root, g.root_key, g.inter_key, TLCP_PROFILE_CA, "Revocation Intermediate");
    g.foreign = issue(NULL, g.foreign_key, g.foreign_key, TLCP_PROFILE_CA, "Foreign Root");
    g.root_pem = e2e_cert_file(TEMP, g.root);
    g.inter_pem = e2e_cert_file(TEMP, g.inter);
    g.foreign_pem = e2e_cert_file(TEMP, g.foreign);
    g.s_sign = leaf(g.root, g.root_key, TLCP_PROFILE_SIGN, &g.s_sign_pem, &g.s_sign_key);
    g.s_enc = leaf(g.root, g.root_key, TLCP_PROFILE_ENC, &g.s_enc_pem, &g.s_enc_key);
    g.c_sign = leaf(g.root, g.root_key, TLCP_PROFILE_SIGN, &g.c_sign_pem, &g.c_sign_key);
    g.c_enc = leaf(g.root, g.root_key, TLCP_PROFILE_ENC, &g.c_enc_pem, &g.c_enc_key);
    tlcp_cert_free(leaf(g.inter, g.inter_key, TLCP_PROFILE_SIGN, &g.i_sign_pem, &g.i_sign_key));
    tlcp_cert_free(leaf(g.inter, g.inter_key, TLCP_PROFILE_ENC, &g.i_enc_pem, &g.i_enc_key));
    tlcp_cert_free(leaf(g.foreign, g.foreign_key, TLCP_PROFILE_SIGN, &g.f_sign_pem, &g.f_sign_key));
    return 0;
}

static void drop(char *path)
{
    if (path != NULL)
        unlink(path);
    free(path);
}

static int teardown_pki(void **state)
{
    (void)state;
    char *paths[] = {g.root_pem,   g.inter_pem,  g.foreign_pem, g.s_sign_pem, g.s_sign_key,
                     g.s_enc_pem,  g.s_enc_key,  g.c_sign_pem,  g.c_sign_key, g.c_enc_pem,
                     g.c_enc_key,  g.i_sign_pem, g.i_sign_key,  g.i_enc_pem,  g.i_enc_key,
                     g.f_sign_pem, g.f_sign_key};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        drop(paths[i]);
    tlcp_cert *certs[] = {g.root, g.inter, g.foreign, g.s_sign, g.s_enc, g.c_sign, g.c_enc};
    for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
        tlcp_cert_free(certs[i]);
    tlcp_pkey_free(g.root_key);
    tlcp_pkey_free(g.inter_key);
    tlcp_pkey_free(g.foreign_key);
    return 0;
}

/* ---- CRL files ---------------------------------------------------------- */

enum crl_tamper { CRL_OK = 0, CRL_BAD_SIGNATURE = 1, CRL_EXPIRED = 2 };

/* A DER CRL of `ca` revoking `revoked` (may be NULL) in a temporary file. */
static char *crl_file(const tlcp_cert *ca, const tlcp_pkey *ca_key, tlcp_cert *revoked, int tamper)
{
    tlcp_crlgen_params p;
    memset(&p, 0, sizeof(p));
    if (tamper == CRL_EXPIRED) {
        p.this_update = time(NULL) - 10 * 86400;
        p.next_update = time(NULL) - 86400;
    }
    uint8_t *der = NULL;
    size_t len = 0;
    assert_true(tlcp_crlgen(ca, ca_key, revoked != NULL ? &revoked : NULL, revoked != NULL, &p,
                            &der, &len, NULL));
    /* The signature's BIT STRING ends the DER: its last byte is the last
     * byte of s, so the CRL still parses but no longer verifies. */
    if (tamper == CRL_BAD_SIGNATURE)
        der[len - 1] ^= 0x01;
    char *path = e2e_write_temp(TEMP, (const char *)der, len);
    free(der);
    return path;
}

/* ---- configs ------------------------------------------------------------ */

static tlcp_config *server_cfg(const char *sign, const char *sign_key, const char *enc,
                               const char *enc_key)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_load_sign_pair(cfg, sign, sign_key, NULL), TLCP_OK);
    assert_int_equal(tlcp_config_load_enc_pair(cfg, enc, enc_key, NULL), TLCP_OK);
    return cfg;
}

static tlcp_config *root_server(void)
{
    return server_cfg(g.s_sign_pem, g.s_sign_key, g.s_enc_pem, g.s_enc_key);
}

static tlcp_config *client_cfg(const char *ca, const char *crl)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_load_ca_file(cfg, ca), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, "localhost"), TLCP_OK);
    if (crl != NULL)
        assert_int_equal(tlcp_config_load_crl_file(cfg, crl), TLCP_OK);
    return cfg;
}

/* Runs one handshake; on failure checks the client's reason and alert
 * (want_reason 0: must succeed). Returns the client's error sentence copy. */
static void expect_client(tlcp_config *ccfg, tlcp_config *scfg, int want_reason, int want_alert,
                          const char *want_text)
{
    e2e_pair p;
    e2e_pair_open(&p, ccfg, scfg);
    int ok = e2e_pair_handshake(&p);
    if (want_reason == 0) {
        if (!ok)
            fail_msg("handshake failed: client '%s' server '%s'", tlcp_conn_error(p.client),
                     tlcp_conn_error(p.server));
        int reason = -1;
        assert_int_equal(tlcp_conn_peer_verify_result(p.client, &reason), TLCP_PEER_VERIFIED);
        assert_int_equal(reason, TLCP_R_NONE);
    } else {
        assert_false(ok);
        if (tlcp_conn_error_reason(p.client) != want_reason)
            fail_msg("client reason %d, want %d: %s", tlcp_conn_error_reason(p.client), want_reason,
                     tlcp_conn_error(p.client));
        assert_int_equal(tlcp_conn_alert_sent(p.client), want_alert);
        assert_int_equal(tlcp_conn_alert_received(p.server), want_alert);
        if (want_text != NULL && strstr(tlcp_conn_error(p.client), want_text) == NULL)
            fail_msg("'%s' not in '%s'", want_text, tlcp_conn_error(p.client));
    }
    e2e_pair_close(&p);
}

/* ---- server chains ------------------------------------------------------ */

static void test_crl_server_chains(void **state)
{
    (void)state;
    char *empty = crl_file(g.root, g.root_key, NULL, CRL_OK);
    char *sign = crl_file(g.root, g.root_key, g.s_sign, CRL_OK);
    char *enc = crl_file(g.root, g.root_key, g.s_enc, CRL_OK);
    /* Baselines: without a CRL, and with the root's CRL revoking nothing. */
    expect_client(client_cfg(g.root_pem, NULL), root_server(), 0, 0, NULL);
    expect_client(client_cfg(g.root_pem, empty), root_server(), 0, 0, NULL);
    /* The revoked signing certificate, then the revoked encryption one: both
     * chains are checked, the sentence says which. */
    expect_client(client_cfg(g.root_pem, sign), root_server(), TLCP_R_CERT_REVOKED,
                  TLCP_ALERT_CERTIFICATE_REVOKED,
                  "certificate revoked: C=CN, O=libtlcp, CN=localhost");
    expect_client(client_cfg(g.root_pem, sign), root_server(), TLCP_R_CERT_REVOKED,
                  TLCP_ALERT_CERTIFICATE_REVOKED, "peer's signing certificate");
    expect_client(client_cfg(g.root_pem, enc), root_server(), TLCP_R_CERT_REVOKED,
                  TLCP_ALERT_CERTIFICATE_REVOKED, "peer's encryption certificate");
    assert_string_equal(tlcp_reason_string(TLCP_R_CERT_REVOKED), "certificate revoked");
    drop(empty);
    drop(sign);
    drop(enc);
}

static void test_crl_bad_expired_missing(void **state)
{
    (void)state;
    char *bad = crl_file(g.root, g.root_key, NULL, CRL_BAD_SIGNATURE);
    char *old = crl_file(g.root, g.root_key, NULL, CRL_EXPIRED);
    char *foreign = crl_file(g.foreign, g.foreign_key, NULL, CRL_OK);
    /* The same CRL signed by another key (issuer name kept). */
    expect_client(client_cfg(g.root_pem, bad), root_server(), TLCP_R_CRL_INVALID,
                  TLCP_ALERT_CERTIFICATE_UNKNOWN, "CRL signature failure");
    expect_client(client_cfg(g.root_pem, old), root_server(), TLCP_R_CRL_EXPIRED,
                  TLCP_ALERT_CERTIFICATE_UNKNOWN, "CRL has expired");
    /* CRL checking is on (a CRL is loaded) but the root has none. */
    expect_client(client_cfg(g.root_pem, foreign), root_server(), TLCP_R_CRL_MISSING,
                  TLCP_ALERT_CERTIFICATE_UNKNOWN, "unable to get certificate CRL");
    drop(bad);
    drop(old);
    drop(foreign);
}

/* A CRL signed by a different key with the issuer's name: the signature
 * check, not only the name, decides. */
static void test_crl_wrong_signer(void **state)
{
    (void)state;
    tlcp_pkey *impostor = tlcp_pkey_generate(NULL);
    assert_non_null(impostor);
    tlcp_cert *fake_root = issue(NULL, impostor, impostor, TLCP_PROFILE_CA, "Revocation Root");
    char *fake = crl_file(fake_root, impostor, NULL, CRL_OK);
    tlcp_config *ccfg = client_cfg(g.root_pem, fake);
    e2e_pair p;
    e2e_pair_open(&p, ccfg, root_server());
    assert_false(e2e_pair_handshake(&p));
    int reason = tlcp_conn_error_reason(p.client);
    /* OpenSSL matches the CRL by name and AKI: either "no CRL" (the AKI
     * differs) or a signature failure, never success. */
    assert_true(reason == TLCP_R_CRL_MISSING || reason == TLCP_R_CRL_INVALID);
    e2e_pair_close(&p);
    drop(fake);
    tlcp_cert_free(fake_root);
    tlcp_pkey_free(impostor);
}

/* ---- loading ------------------------------------------------------------ */

static void test_crl_load_errors(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    assert_int_equal(tlcp_config_load_crl_file(cfg, "/nonexistent/x.crl"), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "/nonexistent/x.crl"));
    char *garbage = e2e_write_temp(TEMP, "not a crl", 9);
    assert_int_equal(tlcp_config_load_crl_file(cfg, garbage), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "not a CRL"));
    const char broken[] = "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";
    char *bad_pem = e2e_write_temp(TEMP, broken, sizeof(broken) - 1);
    assert_int_equal(tlcp_config_load_crl_file(cfg, bad_pem), TLCP_ERROR);
    /* A certificate is not a CRL. */
    assert_int_equal(tlcp_config_load_crl_file(cfg, g.root_pem), TLCP_ERROR);
    assert_int_equal(tlcp_config_load_crl_dir(cfg, "/nonexistent"), TLCP_ERROR);
    char dir[] = "/tmp/tlcp-crldir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(tlcp_config_load_crl_dir(cfg, dir), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "holds no CRLs"));
    /* A directory with one CRL (PEM) works and turns checking on. */
    tlcp_crlgen_params pp = {0, 0, 0, 1};
    uint8_t *pem = NULL;
    size_t len = 0;
    tlcp_cert *rev = g.s_enc;
    assert_true(tlcp_crlgen(g.root, g.root_key, &rev, 1, &pp, &pem, &len, NULL));
    assert_non_null(strstr((char *)pem, "-----BEGIN X509 CRL-----"));
    char path[512];
    snprintf(path, sizeof(path), "%s/root.crl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(pem, 1, len, f), len);
    fclose(f);
    free(pem);
    tlcp_config *ccfg = client_cfg(g.root_pem, NULL);
    assert_int_equal(tlcp_config_load_crl_dir(ccfg, dir), TLCP_OK);
    expect_client(ccfg, root_server(), TLCP_R_CERT_REVOKED, TLCP_ALERT_CERTIFICATE_REVOKED,
                  "encryption");
    unlink(path);
    rmdir(dir);
    drop(garbage);
    drop(bad_pem);
    tlcp_config_free(cfg);
}

/* ---- partial chains ----------------------------------------------------- */

static void test_partial_chain(void **state)
{
    (void)state;
    /* The server's pair is issued by the intermediate and sends no chain;
     * the client trusts only the intermediate. */
    tlcp_config *ccfg = client_cfg(g.inter_pem, NULL);
    expect_client(ccfg, server_cfg(g.i_sign_pem, g.i_sign_key, g.i_enc_pem, g.i_enc_key),
                  TLCP_R_CERT_VERIFY_FAILED, TLCP_ALERT_UNKNOWN_CA, "unable to get");
    ccfg = client_cfg(g.inter_pem, NULL);
    assert_int_equal(tlcp_config_set_partial_chain(ccfg, 1), TLCP_OK);
    expect_client(ccfg, server_cfg(g.i_sign_pem, g.i_sign_key, g.i_enc_pem, g.i_enc_key), 0, 0,
                  NULL);
    /* Partial chains do not make an unrelated CA acceptable. */
    ccfg = client_cfg(g.inter_pem, NULL);
    assert_int_equal(tlcp_config_set_partial_chain(ccfg, 1), TLCP_OK);
    expect_client(ccfg, root_server(), TLCP_R_CERT_VERIFY_FAILED, TLCP_ALERT_UNKNOWN_CA, NULL);
    /* Switched off again: the root is required. */
    ccfg = client_cfg(g.inter_pem, NULL);
    assert_int_equal(tlcp_config_set_partial_chain(ccfg, 1), TLCP_OK);
    assert_int_equal(tlcp_config_set_partial_chain(ccfg, 0), TLCP_OK);
    expect_client(ccfg, server_cfg(g.i_sign_pem, g.i_sign_key, g.i_enc_pem, g.i_enc_key),
                  TLCP_R_CERT_VERIFY_FAILED, TLCP_ALERT_UNKNOWN_CA, NULL);
}

/* ---- client certificates and verify mode OPTIONAL ----------------------- */

/* A client presenting sign (+ enc) of the given files; NULL: no pair. */
static tlcp_config *auth_client(const char *sign, const char *sign_key, const char *enc,
                                const char *enc_key)
{
    tlcp_config *cfg = client_cfg(g.root_pem, NULL);
    if (sign != NULL)
        assert_int_equal(tlcp_config_load_sign_pair(cfg, sign, sign_key, NULL), TLCP_OK);
    if (enc != NULL)
        assert_int_equal(tlcp_config_load_enc_pair(cfg, enc, enc_key, NULL), TLCP_OK);
    return cfg;
}

static tlcp_config *auth_server(int mode, const char *crl)
{
    tlcp_config *cfg = root_server();
    assert_int_equal(tlcp_config_set_verify_mode(cfg, mode), TLCP_OK);
    assert_int_equal(tlcp_config_load_ca_file(cfg, g.root_pem), TLCP_OK);
    if (crl != NULL)
        assert_int_equal(tlcp_config_load_crl_file(cfg, crl), TLCP_OK);
    return cfg;
}

/* Runs a client-auth handshake; checks the server's outcome. */
static void expect_server(tlcp_config *ccfg, tlcp_config *scfg, int want_ok, int want_status,
                          int want_reason)
{
    e2e_pair p;
    e2e_pair_open(&p, ccfg, scfg);
    int ok = e2e_pair_handshake(&p);
    if (ok != want_ok)
        fail_msg("handshake %s: client '%s' server '%s'", ok ? "succeeded" : "failed",
                 tlcp_conn_error(p.client), tlcp_conn_error(p.server));
    int reason = -1;
    if (want_ok) {
        assert_int_equal(tlcp_conn_peer_verify_result(p.server, &reason), want_status);
        assert_int_equal(reason, want_reason);
        /* The data path works as usual. */
        size_t n = 0;
        assert_int_equal(tlcp_write(p.client, "hi", 2, &n), TLCP_OK);
    } else {
        assert_int_equal(tlcp_conn_error_reason(p.server), want_reason);
    }
    e2e_pair_close(&p);
}

static void test_revoked_client_cert(void **state)
{
    (void)state;
    char *crl = crl_file(g.root, g.root_key, g.c_sign, CRL_OK);
    expect_server(auth_client(g.c_sign_pem, g.c_sign_key, g.c_enc_pem, g.c_enc_key),
                  auth_server(TLCP_VERIFY_REQUIRED, crl), 0, 0, TLCP_R_CERT_REVOKED);
    expect_server(auth_client(g.c_sign_pem, g.c_sign_key, g.c_enc_pem, g.c_enc_key),
                  auth_server(TLCP_VERIFY_OPTIONAL, crl), 1, TLCP_PEER_VERIFY_FAILED,
                  TLCP_R_CERT_REVOKED);
    drop(crl);
}

static void test_optional_mode(void **state)
{
    (void)state;
    /* No certificate: REQUIRED refuses, OPTIONAL goes on and says so. */
    expect_server(auth_client(NULL, NULL, NULL, NULL), auth_server(TLCP_VERIFY_REQUIRED, NULL), 0,
                  0, TLCP_R_HANDSHAKE_FAILURE);
    expect_server(auth_client(NULL, NULL, NULL, NULL), auth_server(TLCP_VERIFY_OPTIONAL, NULL), 1,
                  TLCP_PEER_NO_CERT, TLCP_R_NO_PEER_CERT);
    /* A good certificate. */
    expect_server(auth_client(g.c_sign_pem, g.c_sign_key, g.c_enc_pem, g.c_enc_key),
                  auth_server(TLCP_VERIFY_OPTIONAL, NULL), 1, TLCP_PEER_VERIFIED, TLCP_R_NONE);
    expect_server(auth_client(g.c_sign_pem, g.c_sign_key, g.c_enc_pem, g.c_enc_key),
                  auth_server(TLCP_VERIFY_REQUIRED, NULL), 1, TLCP_PEER_VERIFIED, TLCP_R_NONE);
    /* A certificate of an unknown CA. */
    expect_server(auth_client(g.f_sign_pem, g.f_sign_key, NULL, NULL),
                  auth_server(TLCP_VERIFY_REQUIRED, NULL), 0, 0, TLCP_R_CERT_VERIFY_FAILED);
    expect_server(auth_client(g.f_sign_pem, g.f_sign_key, NULL, NULL),
                  auth_server(TLCP_VERIFY_OPTIONAL, NULL), 1, TLCP_PEER_VERIFY_FAILED,
                  TLCP_R_CERT_VERIFY_FAILED);
    /* Without client authentication nothing is checked. */
    expect_server(auth_client(NULL, NULL, NULL, NULL), root_server(), 1, TLCP_PEER_NOT_CHECKED,
                  TLCP_R_NONE);
    assert_int_equal(tlcp_conn_peer_verify_result(NULL, NULL), TLCP_PEER_NOT_CHECKED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crl_server_chains), cmocka_unit_test(test_crl_bad_expired_missing),
        cmocka_unit_test(test_crl_wrong_signer),  cmocka_unit_test(test_crl_load_errors),
        cmocka_unit_test(test_partial_chain),     cmocka_unit_test(test_revoked_client_cert),
        cmocka_unit_test(test_optional_mode),
    };
    return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}

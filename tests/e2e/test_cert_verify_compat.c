/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CertificateVerify forms end to end: a libtlcp client signing in each form
 * (standard double hash, GmSSL 3 raw messages, GmSSL 2 digest without Z)
 * against a libtlcp server accepting every form (the default) or only some
 * (strict = standard only). Also: the key that must have signed is the
 * client's sign key in every form, and the setters refuse bad values.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "crypto/crypto.h"
#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"

#define FIX_CA      "interop/gmssl3-ecc-sm4-cbc-sm3-clientauth/"
#define FIX_DHE     "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */
#define MAX_STEPS   200000

#define TRACE_GMSSL2 "without Z (GmSSL 2 convention); accepted"
#define TRACE_RAW    "raw handshake messages (GmSSL 3 convention); accepted"

/* ---- configs -------------------------------------------------------------- */

/* A server requiring client certificates and accepting `accept`. */
static tlcp_config *server_config(const char *dir, uint16_t suite, unsigned accept)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    e2e_load_pair(cfg, dir, "server", 0);
    e2e_load_pair(cfg, dir, "server", 1);
    char *chain = e2e_fixture_path(dir, "chain.pem"), *ca = e2e_fixture_path(dir, "ca.pem");
    assert_int_equal(tlcp_config_load_chain_file(cfg, chain), TLCP_OK);
    assert_int_equal(tlcp_config_load_ca_file(cfg, ca), TLCP_OK);
    free(chain);
    free(ca);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &suite, 1), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    if (accept != TLCP_CV_ALL) /* else: the default, left untouched */
        assert_int_equal(tlcp_config_set_cert_verify_accept(cfg, accept), TLCP_OK);
    return cfg;
}

/* A client with its certificate (and enc pair for ECDHE) signing in `form`. */
static tlcp_config *client_config(const char *dir, uint16_t suite, int form)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    char *ca = e2e_fixture_path(dir, "ca.pem"), *chain = e2e_fixture_path(dir, "chain.pem");
    assert_int_equal(tlcp_config_load_ca_file(cfg, ca), TLCP_OK);
    free(ca);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, "localhost"), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &suite, 1), TLCP_OK);
    e2e_load_pair(cfg, dir, "client", 0);
    if (suite == TLCP_ECDHE_SM4_CBC_SM3 || suite == TLCP_ECDHE_SM4_GCM_SM3)
        e2e_load_pair(cfg, dir, "client", 1);
    assert_int_equal(tlcp_config_load_chain_file(cfg, chain), TLCP_OK);
    free(chain);
    if (form != TLCP_CV_STANDARD) /* else: the default, left untouched */
        assert_int_equal(tlcp_config_set_cert_verify_form(cfg, form), TLCP_OK);
    return cfg;
}

/* ---- running a pair --------------------------------------------------------- */

typedef struct pair {
    mp_pair io;
    tlcp_conn *client;
    tlcp_conn *server;
    e2e_capture strace;
} pair;

static void pair_open(pair *p, tlcp_config *ccfg, tlcp_config *scfg)
{
    memset(p, 0, sizeof(*p));
    assert_int_equal(tlcp_config_set_trace(scfg, e2e_capture_line, &p->strace), TLCP_OK);
    e2e_conns_open(&p->io, &p->client, &p->server, ccfg, scfg);
}

static void pair_close(pair *p)
{
    tlcp_conn_free(p->client);
    tlcp_conn_free(p->server);
    mp_pair_free(&p->io);
    free(p->strace.text);
}

/* 1 when both handshakes finish; on a failure the survivor reads the alert. */
static int pair_handshake(pair *p)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < MAX_STEPS; i++) {
        if (e2e_is_want(rc))
            rc = tlcp_handshake(p->client);
        if (e2e_is_want(rs))
            rs = tlcp_handshake(p->server);
        if (rc == TLCP_OK && rs == TLCP_OK)
            return 1;
        if (rc == TLCP_ERROR || rs == TLCP_ERROR) {
            for (int j = 0; j < 1000; j++) {
                if (e2e_is_want(rc))
                    rc = tlcp_handshake(p->client);
                if (e2e_is_want(rs))
                    rs = tlcp_handshake(p->server);
            }
            return 0;
        }
    }
    fail_msg("handshake did not finish in %d steps", MAX_STEPS);
    return 0;
}

/* Application data both ways proves the keys agree after client auth. */
static void exchange(pair *p)
{
    static const uint8_t hello[] = "client authenticated";
    uint8_t buf[sizeof(hello)];
    size_t sent = 0, got = 0;
    for (int i = 0; (sent < sizeof(hello) || got < sizeof(hello)) && i < 1000; i++) {
        size_t n = 0;
        if (sent < sizeof(hello)) {
            tlcp_result r = tlcp_write(p->client, hello + sent, sizeof(hello) - sent, &n);
            assert_true(r == TLCP_OK || e2e_is_want(r));
            sent += r == TLCP_OK ? n : 0;
        }
        if (got < sizeof(hello)) {
            n = 0;
            tlcp_result r = tlcp_read(p->server, buf + got, sizeof(buf) - got, &n);
            assert_true(r == TLCP_OK || e2e_is_want(r));
            got += r == TLCP_OK ? n : 0;
        }
    }
    assert_int_equal(got, sizeof(hello));
    assert_memory_equal(buf, hello, sizeof(hello));
}

/* One client form against one server policy. */
static void run(const char *dir, uint16_t suite, int form, unsigned accept, int want_ok)
{
    pair p;
    pair_open(&p, client_config(dir, suite, form), server_config(dir, suite, accept));
    int ok = pair_handshake(&p);
    if (ok != want_ok)
        fail_msg("form %d, accepted 0x%x, suite 0x%04X: handshake %s (client: %s / server: %s)",
                 form, accept, suite, ok ? "succeeded" : "failed", tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    if (ok) {
        /* The server names the form it accepted beyond the standard one. */
        assert_int_equal(e2e_captured(&p.strace, TRACE_GMSSL2), form == TLCP_CV_GMSSL2);
        assert_int_equal(e2e_captured(&p.strace, TRACE_RAW), form == TLCP_CV_GMSSL3_RAW);
        assert_true(e2e_captured(&p.strace, "client CertificateVerify verified"));
        exchange(&p);
    } else {
        assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_BAD_SIGNATURE);
        assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_DECRYPT_ERROR);
        assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_DECRYPT_ERROR);
        assert_non_null(strstr(tlcp_conn_error(p.server), "CertificateVerify"));
    }
    pair_close(&p);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_gmssl2_form_default_server(void **state)
{
    (void)state;
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL2, TLCP_CV_ALL, 1);
    run(FIX_CA, TLCP_ECC_SM4_GCM_SM3, TLCP_CV_GMSSL2, TLCP_CV_ALL, 1);
    run(FIX_DHE, TLCP_ECDHE_SM4_CBC_SM3, TLCP_CV_GMSSL2, TLCP_CV_ALL, 1);
}

static void test_strict_server(void **state)
{
    (void)state;
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_STANDARD, TLCP_CV_STANDARD, 1);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL2, TLCP_CV_STANDARD, 0);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL3_RAW, TLCP_CV_STANDARD, 0);
    run(FIX_DHE, TLCP_ECDHE_SM4_GCM_SM3, TLCP_CV_STANDARD, TLCP_CV_STANDARD, 1);
    run(FIX_DHE, TLCP_ECDHE_SM4_GCM_SM3, TLCP_CV_GMSSL2, TLCP_CV_STANDARD, 0);
}

/* Each extra form is its own switch. */
static void test_partial_accept_sets(void **state)
{
    (void)state;
    unsigned only2 = TLCP_CV_STANDARD | TLCP_CV_GMSSL2;
    unsigned only3 = TLCP_CV_STANDARD | TLCP_CV_GMSSL3_RAW;
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL2, only2, 1);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL3_RAW, only2, 0);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_STANDARD, only2, 1);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL3_RAW, only3, 1);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL2, only3, 0);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_STANDARD, TLCP_CV_ALL, 1);
    run(FIX_CA, TLCP_ECC_SM4_CBC_SM3, TLCP_CV_GMSSL3_RAW, TLCP_CV_ALL, 1);
}

/* ---- the signing key: always the client's sign certificate ------------------ */

/* Re-signs the client's CertificateVerify in GmSSL 2 form with `key`. The
 * hooks on both ends see every plaintext handshake message in wire order
 * (the flights do not interleave), so SM3 over what came before the
 * CertificateVerify is the digest the server checks against. The client's
 * own transcript keeps its original message, so even an accepted
 * replacement ends in a Finished mismatch: the server's trace and error
 * reason tell which check refused. */
typedef struct resign {
    mp_buf transcript;
    tlcp_pkey *key;
    int replaced;
} resign;

static int resign_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    resign *rs = arg;
    if (len < 4 || msg[0] != 15 /* certificate_verify */) {
        mp_buf_append(&rs->transcript, msg, len);
        return 0;
    }
    uint8_t e[TLCP_SM3_DIGEST_LEN], sig[TLCP_SM2_MAX_SIG_LEN];
    size_t sig_len = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_sm3(rs->transcript.data, rs->transcript.len, e, &err));
    assert_true(tlcp_sm2_sign_digest(rs->key, e, sig, &sig_len, sizeof(sig), &err));
    uint8_t head[6] = {15,
                       0,
                       (uint8_t)((sig_len + 2) >> 8),
                       (uint8_t)(sig_len + 2),
                       (uint8_t)(sig_len >> 8),
                       (uint8_t)sig_len};
    mp_buf_append(out, head, sizeof(head));
    mp_buf_append(out, sig, sig_len);
    rs->replaced++;
    return 1;
}

/* Returns the server's failure reason. */
static int resign_run(const char *key_file, unsigned accept)
{
    resign rs = {0};
    tlcp_error err;
    tlcp_error_clear(&err);
    char *k = e2e_fixture_path(FIX_DHE, key_file);
    rs.key = tlcp_pkey_load_private_file(k, NULL, &err);
    free(k);
    assert_non_null(rs.key);
    pair p;
    uint16_t suite = TLCP_ECDHE_SM4_CBC_SM3;
    pair_open(&p, client_config(FIX_DHE, suite, TLCP_CV_STANDARD),
              server_config(FIX_DHE, suite, accept));
    p.io.client.tamper = resign_hook;
    p.io.client.tamper_arg = &rs;
    p.io.server.tamper = resign_hook;
    p.io.server.tamper_arg = &rs;
    assert_false(pair_handshake(&p));
    assert_int_equal(rs.replaced, 1);
    int reason = tlcp_conn_error_reason(p.server);
    /* Past the CertificateVerify exactly when the GmSSL 2 form was accepted. */
    assert_int_equal(e2e_captured(&p.strace, TRACE_GMSSL2), reason == TLCP_R_BAD_FINISHED);
    assert_int_equal(e2e_captured(&p.strace, "client CertificateVerify verified"),
                     reason == TLCP_R_BAD_FINISHED);
    if (reason == TLCP_R_BAD_SIGNATURE) {
        assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_DECRYPT_ERROR);
        assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_DECRYPT_ERROR);
    }
    pair_close(&p);
    mp_buf_free(&rs.transcript);
    tlcp_pkey_free(rs.key);
    return reason;
}

static void test_gmssl2_form_needs_sign_key(void **state)
{
    (void)state;
    /* Control: the hook's digest is right, the sign key passes the
     * CertificateVerify (then the Finished differs, see above). */
    assert_int_equal(resign_run("client-sign.key", TLCP_CV_ALL), TLCP_R_BAD_FINISHED);
    /* GmSSL 2's bug: signed with the enc key. Refused in every mode. */
    assert_int_equal(resign_run("client-enc.key", TLCP_CV_ALL), TLCP_R_BAD_SIGNATURE);
    assert_int_equal(resign_run("client-enc.key", TLCP_CV_STANDARD), TLCP_R_BAD_SIGNATURE);
    /* Another party's key as well. */
    assert_int_equal(resign_run("server-sign.key", TLCP_CV_ALL), TLCP_R_BAD_SIGNATURE);
    /* And strict refuses even the sign key in this form. */
    assert_int_equal(resign_run("client-sign.key", TLCP_CV_STANDARD), TLCP_R_BAD_SIGNATURE);
}

/* ---- setters ------------------------------------------------------------------ */

static void test_setters(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(cfg->cv_form, TLCP_CV_STANDARD);
    assert_int_equal(cfg->cv_accept, TLCP_CV_ALL);

    const int bad_forms[] = {0, -1, 3, 5, 6, 7, 8, 1 << 30};
    for (size_t i = 0; i < sizeof(bad_forms) / sizeof(bad_forms[0]); i++) {
        assert_int_equal(tlcp_config_set_cert_verify_form(cfg, bad_forms[i]), TLCP_ERROR);
        assert_int_equal(cfg->err.reason, TLCP_R_INVALID_ARGUMENT);
        assert_int_equal(cfg->cv_form, TLCP_CV_STANDARD);
    }
    const int forms[] = {TLCP_CV_GMSSL2, TLCP_CV_GMSSL3_RAW, TLCP_CV_STANDARD};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(tlcp_config_set_cert_verify_form(cfg, forms[i]), TLCP_OK);
        assert_int_equal(cfg->cv_form, forms[i]);
    }
    /* The older setter maps onto the form. */
    assert_int_equal(tlcp_config_set_cert_verify_raw(cfg, 7), TLCP_OK);
    assert_int_equal(cfg->cv_form, TLCP_CV_GMSSL3_RAW);
    assert_int_equal(tlcp_config_set_cert_verify_raw(cfg, 0), TLCP_OK);
    assert_int_equal(cfg->cv_form, TLCP_CV_STANDARD);

    const unsigned bad_sets[] = {0,
                                 TLCP_CV_GMSSL2,
                                 TLCP_CV_GMSSL3_RAW,
                                 TLCP_CV_GMSSL2 | TLCP_CV_GMSSL3_RAW,
                                 TLCP_CV_ALL | 8u,
                                 ~0u};
    for (size_t i = 0; i < sizeof(bad_sets) / sizeof(bad_sets[0]); i++) {
        assert_int_equal(tlcp_config_set_cert_verify_accept(cfg, bad_sets[i]), TLCP_ERROR);
        assert_int_equal(cfg->err.reason, TLCP_R_INVALID_ARGUMENT);
        assert_int_equal(cfg->cv_accept, TLCP_CV_ALL);
    }
    assert_int_equal(tlcp_config_set_cert_verify_accept(cfg, TLCP_CV_STANDARD), TLCP_OK);
    assert_int_equal(cfg->cv_accept, TLCP_CV_STANDARD);
    assert_int_equal(tlcp_config_set_cert_verify_accept(cfg, TLCP_CV_ALL), TLCP_OK);
    assert_int_equal(cfg->cv_accept, TLCP_CV_ALL);

    /* A config in use is frozen. */
    tlcp_conn *c = tlcp_conn_new(cfg, TLCP_SERVER);
    assert_non_null(c);
    assert_int_equal(tlcp_config_set_cert_verify_form(cfg, TLCP_CV_GMSSL2), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_cert_verify_accept(cfg, TLCP_CV_STANDARD), TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_CONFIG);
    assert_int_equal(cfg->cv_accept, TLCP_CV_ALL);
    tlcp_conn_free(c);
    tlcp_config_free(cfg);
    assert_int_equal(tlcp_config_set_cert_verify_form(NULL, TLCP_CV_GMSSL2), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_cert_verify_accept(NULL, TLCP_CV_ALL), TLCP_ERROR);
}

/* A strict server keeps no raw copy of the messages; a default one does
 * (GmSSL 3's form needs it); a client only for that form. */
static void test_raw_copy_only_when_needed(void **state)
{
    (void)state;
    struct {
        int role;
        int form;
        unsigned accept;
        int keeps;
    } cases[] = {
        {TLCP_SERVER, TLCP_CV_STANDARD, TLCP_CV_ALL, 1},
        {TLCP_SERVER, TLCP_CV_STANDARD, TLCP_CV_STANDARD, 0},
        {TLCP_SERVER, TLCP_CV_STANDARD, TLCP_CV_STANDARD | TLCP_CV_GMSSL2, 0},
        {TLCP_CLIENT, TLCP_CV_STANDARD, TLCP_CV_ALL, 0},
        {TLCP_CLIENT, TLCP_CV_GMSSL2, TLCP_CV_ALL, 0},
        {TLCP_CLIENT, TLCP_CV_GMSSL3_RAW, TLCP_CV_STANDARD, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tlcp_config *cfg = tlcp_config_new();
        assert_non_null(cfg);
        assert_int_equal(tlcp_config_set_cert_verify_form(cfg, cases[i].form), TLCP_OK);
        assert_int_equal(tlcp_config_set_cert_verify_accept(cfg, cases[i].accept), TLCP_OK);
        tlcp_conn *c = tlcp_conn_new(cfg, cases[i].role);
        assert_non_null(c);
        assert_int_equal(c->hc.hs->transcript.keep_raw, cases[i].keeps);
        tlcp_conn_free(c);
        tlcp_config_free(cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gmssl2_form_default_server),
        cmocka_unit_test(test_strict_server),
        cmocka_unit_test(test_partial_accept_sets),
        cmocka_unit_test(test_gmssl2_form_needs_sign_key),
        cmocka_unit_test(test_setters),
        cmocka_unit_test(test_raw_copy_only_when_needed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client certificate list for client authentication, end to end against
 * a libtlcp server that requires client certificates:
 *  - ECC default: [sign, enc, chain] (what Tongsuo and GmSSL 2 servers want);
 *  - ECC with TLCP_CLIENT_CERTS_SIGN_ONLY, or with the GmSSL 3
 *    CertificateVerify form and no explicit list: [sign, chain] (GmSSL 3);
 *  - ECDHE: [sign, enc, chain] whatever the setting;
 *  - no enc pair configured: [sign, chain].
 * The list is read off the wire (the client's Certificate message, seen by
 * the transport) and compared with the certificate files; the server must
 * accept every form. The setter refuses bad values and a frozen config.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"
#include "util/bytes.h"
#include "x509/x509.h"

#define FIX         "interop/tongsuo-ecc-sm4-cbc-sm3-clientauth/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */
#define MAX_STEPS   200000
#define MAX_WIRE    8

/* ---- the client's Certificate message as seen on the wire ------------- */

typedef struct wire_list {
    int seen;
    size_t num;
    uint8_t *der[MAX_WIRE];
    size_t len[MAX_WIRE];
} wire_list;

static void wire_list_free(wire_list *w)
{
    for (size_t i = 0; i < w->num; i++)
        free(w->der[i]);
    memset(w, 0, sizeof(*w));
}

/* mempipe hook: sees each plaintext handshake message the client writes. */
static int grab_certificate(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    (void)out;
    wire_list *w = arg;
    tlcp_cursor c, list, cert;
    uint8_t type;
    uint32_t body_len;
    tlcp_cursor_init(&c, msg, len);
    if (!tlcp_cursor_get_u8(&c, &type) || type != 11 || !tlcp_cursor_get_u24(&c, &body_len))
        return 0; /* not a Certificate: passed unchanged */
    assert_int_equal(w->seen, 0);
    w->seen = 1;
    assert_int_equal(body_len, tlcp_cursor_len(&c));
    assert_true(tlcp_cursor_get_u24_prefixed(&c, &list));
    assert_true(tlcp_cursor_is_empty(&c));
    while (!tlcp_cursor_is_empty(&list)) {
        assert_true(w->num < MAX_WIRE);
        assert_true(tlcp_cursor_get_u24_prefixed(&list, &cert));
        w->len[w->num] = tlcp_cursor_len(&cert);
        w->der[w->num] = malloc(w->len[w->num]);
        assert_non_null(w->der[w->num]);
        memcpy(w->der[w->num], tlcp_cursor_data(&cert), w->len[w->num]);
        w->num++;
    }
    return 0;
}

/* Asserts entry i of the wire list is the certificate in fixture `file`. */
static void assert_wire_entry(const wire_list *w, size_t i, const char *file)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "%s%s", FIX, file);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *cert = tlcp_cert_load_file(tu_data_path(rel), &err);
    assert_non_null(cert);
    const uint8_t *der;
    size_t der_len;
    tlcp_cert_der(cert, &der, &der_len);
    assert_true(i < w->num);
    if (w->len[i] != der_len || memcmp(w->der[i], der, der_len) != 0)
        fail_msg("wire entry %zu is not %s", i, file);
    tlcp_cert_free(cert);
}

/* ---- configs -------------------------------------------------------------- */

static tlcp_config *server_config(uint16_t suite)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    e2e_load_pair(cfg, FIX, "server", 0);
    e2e_load_pair(cfg, FIX, "server", 1);
    assert_int_equal(tlcp_config_load_ca_file(cfg, tu_data_path(FIX "ca.pem")), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &suite, 1), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    return cfg;
}

/* list: 0 = leave the default; cv_form 0 = leave the default. */
static tlcp_config *client_config(uint16_t suite, int with_enc, int list, int cv_form)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_load_ca_file(cfg, tu_data_path(FIX "ca.pem")), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, "localhost"), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &suite, 1), TLCP_OK);
    e2e_load_pair(cfg, FIX, "client", 0);
    if (with_enc)
        e2e_load_pair(cfg, FIX, "client", 1);
    /* the root as "chain", as Tongsuo's client sends it: [sign, enc, root] */
    assert_int_equal(tlcp_config_load_chain_file(cfg, tu_data_path(FIX "ca.pem")), TLCP_OK);
    if (list != 0)
        assert_int_equal(tlcp_config_set_client_cert_list(cfg, list), TLCP_OK);
    if (cv_form != 0)
        assert_int_equal(tlcp_config_set_cert_verify_form(cfg, cv_form), TLCP_OK);
    return cfg;
}

/* ---- one handshake ---------------------------------------------------------- */

typedef struct run {
    mp_pair io;
    tlcp_conn *client;
    tlcp_conn *server;
    wire_list wire;
    e2e_capture ctrace;
} run;

/* Runs the handshake; returns 1 when both sides finished. */
static int run_handshake(run *p, tlcp_config *ccfg, tlcp_config *scfg)
{
    memset(p, 0, sizeof(*p));
    assert_int_equal(tlcp_config_set_trace(ccfg, e2e_capture_line, &p->ctrace), TLCP_OK);
    e2e_conns_open(&p->io, &p->client, &p->server, ccfg, scfg);
    p->io.client.tamper = grab_certificate;
    p->io.client.tamper_arg = &p->wire;
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < MAX_STEPS && (e2e_is_want(rc) || e2e_is_want(rs)); i++) {
        if (e2e_is_want(rc))
            rc = tlcp_handshake(p->client);
        if (e2e_is_want(rs))
            rs = tlcp_handshake(p->server);
        if (rc == TLCP_ERROR || rs == TLCP_ERROR)
            break;
    }
    if (rc != TLCP_OK || rs != TLCP_OK)
        fprintf(stderr, "client: %s\nserver: %s\n", tlcp_conn_error(p->client),
                tlcp_conn_error(p->server));
    return rc == TLCP_OK && rs == TLCP_OK;
}

static void run_free(run *p)
{
    tlcp_conn_free(p->client);
    tlcp_conn_free(p->server);
    mp_pair_free(&p->io);
    wire_list_free(&p->wire);
    free(p->ctrace.text);
}

/* The server saw the client's enc certificate (or not). */
static void assert_server_got_enc(const run *p, int expected)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    tlcp_result r = tlcp_conn_peer_cert(p->server, TLCP_CERT_ENC, &der, &len);
    if (expected) {
        assert_int_equal(r, TLCP_OK);
        assert_true(len == p->wire.len[1] && memcmp(der, p->wire.der[1], len) == 0);
    } else {
        assert_true(r != TLCP_OK || der == NULL);
    }
    assert_int_equal(tlcp_conn_peer_cert(p->server, TLCP_CERT_SIGN, &der, &len), TLCP_OK);
    assert_true(len == p->wire.len[0] && memcmp(der, p->wire.der[0], len) == 0);
}

static void expect_sign_enc_chain(run *p)
{
    assert_int_equal(p->wire.seen, 1);
    assert_int_equal(p->wire.num, 3);
    assert_wire_entry(&p->wire, 0, "client-sign.pem");
    assert_wire_entry(&p->wire, 1, "client-enc.pem");
    assert_wire_entry(&p->wire, 2, "ca.pem");
    assert_non_null(strstr(p->ctrace.text, "sending client certificates: sign, enc, 1 chain\n"));
    assert_server_got_enc(p, 1);
}

static void expect_sign_chain(run *p)
{
    assert_int_equal(p->wire.seen, 1);
    assert_int_equal(p->wire.num, 2);
    assert_wire_entry(&p->wire, 0, "client-sign.pem");
    assert_wire_entry(&p->wire, 1, "ca.pem");
    assert_non_null(strstr(p->ctrace.text, "sending client certificates: sign, 1 chain\n"));
    assert_server_got_enc(p, 0);
}

static const uint16_t ecc_suites[] = {TLCP_ECC_SM4_CBC_SM3, TLCP_ECC_SM4_GCM_SM3};
static const uint16_t ecdhe_suites[] = {TLCP_ECDHE_SM4_CBC_SM3, TLCP_ECDHE_SM4_GCM_SM3};

/* ---- tests ------------------------------------------------------------------- */

static void test_ecc_default_sends_enc(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        run p;
        assert_true(
            run_handshake(&p, client_config(ecc_suites[i], 1, 0, 0), server_config(ecc_suites[i])));
        expect_sign_enc_chain(&p);
        run_free(&p);
    }
}

static void test_ecc_explicit_sign_enc(void **state)
{
    (void)state;
    run p;
    /* explicit beats the GmSSL 3 CertificateVerify form's default */
    assert_true(run_handshake(
        &p, client_config(TLCP_ECC_SM4_CBC_SM3, 1, TLCP_CLIENT_CERTS_SIGN_ENC, TLCP_CV_GMSSL3_RAW),
        server_config(TLCP_ECC_SM4_CBC_SM3)));
    expect_sign_enc_chain(&p);
    run_free(&p);
}

static void test_ecc_sign_only(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        run p;
        assert_true(run_handshake(&p,
                                  client_config(ecc_suites[i], 1, TLCP_CLIENT_CERTS_SIGN_ONLY, 0),
                                  server_config(ecc_suites[i])));
        expect_sign_chain(&p);
        run_free(&p);
    }
}

static void test_gmssl3_form_defaults_to_sign_only(void **state)
{
    (void)state;
    run p;
    assert_true(run_handshake(&p, client_config(TLCP_ECC_SM4_GCM_SM3, 1, 0, TLCP_CV_GMSSL3_RAW),
                              server_config(TLCP_ECC_SM4_GCM_SM3)));
    expect_sign_chain(&p);
    run_free(&p);
}

static void test_ecc_without_enc_pair(void **state)
{
    (void)state;
    run p;
    assert_true(run_handshake(&p, client_config(TLCP_ECC_SM4_CBC_SM3, 0, 0, 0),
                              server_config(TLCP_ECC_SM4_CBC_SM3)));
    expect_sign_chain(&p);
    run_free(&p);
}

static void test_ecdhe_always_sends_enc(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        run p;
        assert_true(run_handshake(&p,
                                  client_config(ecdhe_suites[i], 1, TLCP_CLIENT_CERTS_SIGN_ONLY, 0),
                                  server_config(ecdhe_suites[i])));
        expect_sign_enc_chain(&p);
        run_free(&p);
    }
}

static void test_setter(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_set_client_cert_list(cfg, 0), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "client certificate list 0"));
    assert_int_equal(tlcp_config_set_client_cert_list(cfg, 3), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_client_cert_list(cfg, -1), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_client_cert_list(NULL, TLCP_CLIENT_CERTS_SIGN_ENC),
                     TLCP_ERROR);
    assert_int_equal(tlcp_config_set_client_cert_list(cfg, TLCP_CLIENT_CERTS_SIGN_ONLY), TLCP_OK);
    assert_int_equal(tlcp_config_set_client_cert_list(cfg, TLCP_CLIENT_CERTS_SIGN_ENC), TLCP_OK);
    tlcp_conn *conn = tlcp_conn_new(cfg, TLCP_CLIENT);
    assert_non_null(conn);
    /* frozen once a connection uses it */
    assert_int_equal(tlcp_config_set_client_cert_list(cfg, TLCP_CLIENT_CERTS_SIGN_ONLY),
                     TLCP_ERROR);
    tlcp_conn_free(conn);
    tlcp_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecc_default_sends_enc),
        cmocka_unit_test(test_ecc_explicit_sign_enc),
        cmocka_unit_test(test_ecc_sign_only),
        cmocka_unit_test(test_gmssl3_form_defaults_to_sign_only),
        cmocka_unit_test(test_ecc_without_enc_pair),
        cmocka_unit_test(test_ecdhe_always_sends_enc),
        cmocka_unit_test(test_setter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

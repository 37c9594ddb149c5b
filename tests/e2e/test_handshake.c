/* SPDX-License-Identifier: Apache-2.0 */
/*
 * End-to-end handshakes between a libtlcp client and server in one thread
 * over in-memory transports: both suites, byte-at-a-time transports with
 * WANT_* in between, a coalesced server flight, fragmented messages, client
 * authentication, ECDHE, and the failure paths (each with its alert and
 * error text; ASan builds check for leaks).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn_internal.h"
#include "crypto/crypto.h"
#include "handshake/messages.h"
#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"
#include "util/mem.h"
#include "x509/x509.h"

#define FIX          "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define FIX_CA       "interop/gmssl3-ecc-sm4-cbc-sm3-clientauth/"
#define FIX_DHE      "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define FIX_OTHER_CA "interop/tongsuo-ecc-sm4-cbc-sm3/ca.pem"
#define PINNED_TIME  1795824000 /* 2026-11-28T00:00:00Z */
#define TEMP_PEM     "/tmp/tlcp-e2e-XXXXXX"
#define GEN_CA_NAME  "libtlcp e2e CA"
#define MAX_STEPS    200000

/* ---- configs ---------------------------------------------------------- */

static tlcp_config *server_config(const char *dir)
{
    return e2e_server_config(dir);
}

static tlcp_config *client_config(const char *dir)
{
    return e2e_client_config(dir, "localhost", PINNED_TIME);
}

static void set_suite(tlcp_config *cfg, uint16_t suite)
{
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &suite, 1), TLCP_OK);
}

/* ---- a client/server pair -------------------------------------------- */

typedef struct pair {
    mp_pair io;
    tlcp_conn *client;
    tlcp_conn *server;
    int stalled; /* both sides waited with nothing left to read */
} pair;

static void pair_open(pair *p, tlcp_config *ccfg, tlcp_config *scfg)
{
    p->stalled = 0;
    e2e_conns_open(&p->io, &p->client, &p->server, ccfg, scfg);
}

static void pair_close(pair *p)
{
    tlcp_conn_free(p->client);
    tlcp_conn_free(p->server);
    mp_pair_free(&p->io);
}

/* Runs both handshakes until both finish or one fails (the other then gets
 * a chance to read the alert). Returns 1 when both succeeded. */
static size_t progress(const pair *p)
{
    const mp_end *c = &p->io.client, *s = &p->io.server;
    return p->io.c2s.len + p->io.s2c.len + c->in_pos + s->in_pos + c->stage.len + s->stage.len +
           c->held.len + s->held.len + c->msgs.len + s->msgs.len;
}

static int pair_handshake(pair *p)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    size_t last = 0;
    int idle = 0;
    for (int i = 0; i < MAX_STEPS; i++) {
        size_t now = progress(p);
        idle = now == last ? idle + 1 : 0;
        last = now;
        if (idle > 64) { /* e.g. a length that promises bytes never sent */
            p->stalled = 1;
            return 0;
        }
        if (rc != TLCP_OK && rc != TLCP_ERROR)
            rc = tlcp_handshake(p->client);
        if (rs != TLCP_OK && rs != TLCP_ERROR)
            rs = tlcp_handshake(p->server);
        if (rc == TLCP_OK && rs == TLCP_OK)
            return 1;
        if (rc == TLCP_ERROR || rs == TLCP_ERROR) {
            /* Let the survivor read what is left (the alert). */
            for (int j = 0; j < 1000; j++) {
                if (e2e_is_want(rc) || rc == TLCP_OK)
                    rc = rc == TLCP_OK ? rc : tlcp_handshake(p->client);
                if (e2e_is_want(rs) || rs == TLCP_OK)
                    rs = rs == TLCP_OK ? rs : tlcp_handshake(p->server);
            }
            return 0;
        }
    }
    fail_msg("handshake did not finish in %d steps", MAX_STEPS);
    return 0;
}

/* Sends `len` bytes from one side and reads them on the other. */
static void transfer(tlcp_conn *from, tlcp_conn *to, const uint8_t *data, size_t len)
{
    size_t sent = 0, got = 0;
    uint8_t *in = malloc(len + 1);
    assert_non_null(in);
    for (int i = 0; (sent < len || got < len) && i < MAX_STEPS; i++) {
        if (sent < len) {
            size_t n = 0;
            tlcp_result r = tlcp_write(from, data + sent, len - sent, &n);
            assert_true(r == TLCP_OK || e2e_is_want(r));
            if (r == TLCP_OK) {
                assert_true(n > 0);
                sent += n;
            }
        }
        if (got < len) {
            size_t n = 0;
            tlcp_result r = tlcp_read(to, in + got, len - got, &n);
            assert_true(r == TLCP_OK || e2e_is_want(r));
            if (r == TLCP_OK)
                got += n;
        }
    }
    assert_int_equal(sent, len);
    assert_int_equal(got, len);
    assert_memory_equal(in, data, len);
    free(in);
}

static uint8_t *pattern(size_t len)
{
    uint8_t *b = malloc(len);
    assert_non_null(b);
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    return b;
}

static void exchange_and_close(pair *p)
{
    static const uint8_t hello[] = "hello from the client";
    static const uint8_t answer[] = "and hello from the server";
    transfer(p->client, p->server, hello, sizeof(hello));
    transfer(p->server, p->client, answer, sizeof(answer));
    uint8_t *big = pattern(70000); /* several records, two write calls */
    transfer(p->client, p->server, big, 70000);
    transfer(p->server, p->client, big, 70000);
    free(big);

    tlcp_result r = TLCP_WANT_WRITE;
    for (int i = 0; i < 100 && e2e_is_want(r); i++)
        r = tlcp_shutdown(p->client);
    assert_int_equal(r, TLCP_OK);
    uint8_t buf[16];
    size_t n = 0;
    r = TLCP_WANT_READ;
    for (int i = 0; i < 1000 && e2e_is_want(r); i++)
        r = tlcp_read(p->server, buf, sizeof(buf), &n);
    assert_int_equal(r, TLCP_CLOSED);
    assert_int_equal(tlcp_conn_alert_received(p->server), TLCP_ALERT_CLOSE_NOTIFY);
}

/* ---- happy paths ------------------------------------------------------ */

static void run_ok(uint16_t suite, int trickle, size_t fragment, int coalesce)
{
    e2e_capture trace = {0}, keylog = {0};
    tlcp_config *ccfg = client_config(FIX);
    tlcp_config *scfg = server_config(FIX);
    set_suite(ccfg, suite);
    assert_int_equal(tlcp_config_set_trace(ccfg, e2e_capture_line, &trace), TLCP_OK);
    assert_int_equal(tlcp_config_set_keylog(ccfg, e2e_capture_line, &keylog), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, scfg);
    p.io.client.trickle = p.io.server.trickle = trickle;
    p.io.client.fragment = p.io.server.fragment = fragment;
    p.io.server.coalesce = coalesce;
    if (!pair_handshake(&p))
        fail_msg("handshake failed: client: %s / server: %s", tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    assert_true(tlcp_conn_handshake_done(p.client));
    assert_null(tlcp_conn_server_name(p.server)); /* no SNI unless configured */
    assert_int_equal(tlcp_conn_cipher_suite(p.client), suite);
    assert_int_equal(tlcp_conn_cipher_suite(p.server), suite);
    assert_non_null(strstr(tlcp_conn_peer_subject(p.client, TLCP_CERT_SIGN), "CN=localhost"));
    const uint8_t *der = NULL;
    size_t der_len = 0;
    assert_int_equal(tlcp_conn_peer_cert(p.client, TLCP_CERT_ENC, &der, &der_len), TLCP_OK);
    assert_true(der_len > 100 && der[0] == 0x30);
    assert_int_equal(tlcp_conn_peer_cert(p.server, TLCP_CERT_SIGN, &der, &der_len), TLCP_ERROR);

    assert_true(e2e_captured(&trace, "TLS_ST_BEFORE -> TLS_ST_CW_CLNT_HELLO"));
    assert_true(e2e_captured(&trace, "TLS_ST_CW_CLNT_HELLO -> TLS_ST_CR_SRVR_HELLO"));
    assert_true(e2e_captured(&trace, "TLS_ST_CR_SRVR_DONE -> TLS_ST_CW_KEY_EXCH"));
    assert_true(e2e_captured(&trace, "TLS_ST_CR_FINISHED -> TLS_ST_OK"));
    assert_true(e2e_captured(&trace, "WRITE_STATE_PRE_WORK"));
    assert_true(e2e_captured(&trace, "READ_STATE_POST_PROCESS"));
    assert_true(e2e_captured(&trace, "master secret derived"));
    assert_int_equal(keylog.lines, 1);
    assert_int_equal(strncmp(keylog.text, "CLIENT_RANDOM ", 14), 0);
    assert_int_equal(keylog.len, 14 + 64 + 1 + 96 + 1);
    /* The trace never shows the master secret, not even a part of it. */
    char master_part[17];
    memcpy(master_part, keylog.text + 14 + 65, 16);
    master_part[16] = '\0';
    assert_false(e2e_captured(&trace, master_part));
    char spaced[24]; /* the trace's own hex style: "ab cd ef ..." */
    for (int i = 0; i < 8; i++) {
        spaced[3 * i] = master_part[2 * i];
        spaced[3 * i + 1] = master_part[2 * i + 1];
        spaced[3 * i + 2] = ' ';
    }
    spaced[23] = '\0';
    assert_false(e2e_captured(&trace, spaced));

    exchange_and_close(&p);
    pair_close(&p);
    e2e_capture_free(&trace);
    e2e_capture_free(&keylog);
}

static void test_full_cbc(void **state)
{
    (void)state;
    run_ok(TLCP_ECC_SM4_CBC_SM3, 0, 0, 0);
}

static void test_full_gcm(void **state)
{
    (void)state;
    run_ok(TLCP_ECC_SM4_GCM_SM3, 0, 0, 0);
}

static void test_trickle_cbc(void **state)
{
    (void)state;
    run_ok(TLCP_ECC_SM4_CBC_SM3, 1, 0, 0);
}

static void test_trickle_gcm(void **state)
{
    (void)state;
    run_ok(TLCP_ECC_SM4_GCM_SM3, 1, 0, 0);
}

static void test_coalesced_server_flight(void **state)
{
    (void)state;
    run_ok(TLCP_ECC_SM4_CBC_SM3, 0, 0, 1);
    run_ok(TLCP_ECC_SM4_GCM_SM3, 1, 0, 1);
}

static void test_fragmented_messages(void **state)
{
    (void)state;
    run_ok(TLCP_ECC_SM4_CBC_SM3, 0, 7, 0);
    run_ok(TLCP_ECC_SM4_GCM_SM3, 1, 1, 0);
}

/* Server preference decides among the client's offers. */
static void test_server_preference(void **state)
{
    (void)state;
    tlcp_config *ccfg = client_config(FIX);
    tlcp_config *scfg = server_config(FIX);
    uint16_t offer[] = {TLCP_ECC_SM4_CBC_SM3, TLCP_ECC_SM4_GCM_SM3};
    uint16_t pref[] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECC_SM4_CBC_SM3};
    assert_int_equal(tlcp_config_set_cipher_suites(ccfg, offer, 2), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(scfg, pref, 2), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, scfg);
    assert_true(pair_handshake(&p));
    assert_int_equal(tlcp_conn_cipher_suite(p.client), TLCP_ECC_SM4_GCM_SM3);
    assert_string_equal(tlcp_conn_cipher_suite_name(p.client), "ECC_SM4_GCM_SM3");
    pair_close(&p);
}

static void client_auth(const char *dir, uint16_t suite, int with_enc, int cke_prefix, int cv_raw)
{
    tlcp_config *ccfg = client_config(dir);
    assert_int_equal(tlcp_config_set_ecdhe_cke_length_prefix(ccfg, cke_prefix), TLCP_OK);
    assert_int_equal(tlcp_config_set_cert_verify_raw(ccfg, cv_raw), TLCP_OK);
    tlcp_config *scfg = server_config(dir);
    set_suite(ccfg, suite);
    set_suite(scfg, suite);
    e2e_load_pair(ccfg, dir, "client", 0);
    if (with_enc)
        e2e_load_pair(ccfg, dir, "client", 1);
    char *chain = e2e_fixture_path(dir, "chain.pem");
    char *ca = e2e_fixture_path(dir, "ca.pem");
    assert_int_equal(tlcp_config_load_chain_file(ccfg, chain), TLCP_OK);
    assert_int_equal(tlcp_config_load_ca_file(scfg, ca), TLCP_OK);
    free(chain);
    free(ca);
    assert_int_equal(tlcp_config_set_verify_mode(scfg, TLCP_VERIFY_REQUIRED), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(scfg, PINNED_TIME), TLCP_OK);
    e2e_capture trace = {0}, ctrace = {0};
    assert_int_equal(tlcp_config_set_trace(scfg, e2e_capture_line, &trace), TLCP_OK);
    assert_int_equal(tlcp_config_set_trace(ccfg, e2e_capture_line, &ctrace), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, scfg);
    if (!pair_handshake(&p))
        fail_msg("client auth failed: client: %s / server: %s", tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    if (with_enc) /* ECDHE: 69-byte point, or 71 with the length prefix */
        assert_true(e2e_captured(&ctrace, cke_prefix ? "client_key_exchange, 75 bytes"
                                                     : "client_key_exchange, 73 bytes"));
    assert_non_null(strstr(tlcp_conn_peer_subject(p.server, TLCP_CERT_SIGN), "tlcp-client"));
    assert_true(e2e_captured(&trace, "TLS_ST_SW_CERT_REQ"));
    assert_true(e2e_captured(&trace, "TLS_ST_SR_CERT_VRFY"));
    assert_int_equal(e2e_captured(&trace, "raw handshake messages (GmSSL 3 convention); accepted"),
                     cv_raw);
    exchange_and_close(&p);
    pair_close(&p);
    e2e_capture_free(&trace);
    e2e_capture_free(&ctrace);
}

static void test_client_auth(void **state)
{
    (void)state;
    client_auth(FIX_CA, TLCP_ECC_SM4_CBC_SM3, 0, 0, 0);
    client_auth(FIX_CA, TLCP_ECC_SM4_GCM_SM3, 0, 0, 0);
    /* GmSSL 3 master's CertificateVerify form, accepted by our server */
    client_auth(FIX_CA, TLCP_ECC_SM4_CBC_SM3, 0, 0, 1);
}

static void test_ecdhe(void **state)
{
    (void)state;
    client_auth(FIX_DHE, TLCP_ECDHE_SM4_CBC_SM3, 1, 0, 0);
    client_auth(FIX_DHE, TLCP_ECDHE_SM4_CBC_SM3, 1, 1, 0); /* GmSSL 3 form */
    client_auth(FIX_DHE, TLCP_ECDHE_SM4_GCM_SM3, 1, 0, 0);
}

/* A client without a certificate answers a request with an empty list;
 * OPTIONAL accepts that, REQUIRED refuses with handshake_failure. */
static void test_client_auth_without_cert(void **state)
{
    (void)state;
    for (int required = 0; required <= 1; required++) {
        tlcp_config *ccfg = client_config(FIX_CA);
        tlcp_config *scfg = server_config(FIX_CA);
        char *ca = e2e_fixture_path(FIX_CA, "ca.pem");
        assert_int_equal(tlcp_config_load_ca_file(scfg, ca), TLCP_OK);
        free(ca);
        assert_int_equal(tlcp_config_set_verify_mode(scfg, required ? TLCP_VERIFY_REQUIRED
                                                                    : TLCP_VERIFY_OPTIONAL),
                         TLCP_OK);
        pair p;
        pair_open(&p, ccfg, scfg);
        int ok = pair_handshake(&p);
        assert_int_equal(ok, !required);
        if (required) {
            assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_HANDSHAKE_FAILURE);
            assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_HANDSHAKE_FAILURE);
            assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_HANDSHAKE_FAILURE);
        } else {
            assert_null(tlcp_conn_peer_subject(p.server, TLCP_CERT_SIGN));
        }
        pair_close(&p);
    }
}

/* ---- failures --------------------------------------------------------- */

/* Asserts who failed, why, with which alert, and that the peer saw it. */
static void expect_failure(pair *p, int server_fails, int reason, int alert, const char *text)
{
    assert_false(pair_handshake(p));
    tlcp_conn *bad = server_fails ? p->server : p->client;
    tlcp_conn *other = server_fails ? p->client : p->server;
    const char *msg = tlcp_conn_error(bad);
    if (tlcp_conn_error_reason(bad) != reason || tlcp_conn_alert_sent(bad) != alert ||
        (text != NULL && strstr(msg, text) == NULL))
        fail_msg("%s: reason %d alert %d \"%s\"; expected reason %d alert %d \"%s\"",
                 server_fails ? "server" : "client", tlcp_conn_error_reason(bad),
                 tlcp_conn_alert_sent(bad), msg, reason, alert, text ? text : "");
    assert_int_equal(tlcp_conn_alert_received(other), alert);
    assert_int_equal(tlcp_conn_error_reason(other), TLCP_R_PEER_ALERT);
}

static void pair_default(pair *p)
{
    pair_open(p, client_config(FIX), server_config(FIX));
}

/* Half-close: after the client's close_notify the server can still send
 * (what tlcp proxy needs to deliver a backend's late answer), until its own
 * tlcp_shutdown; then the client reads CLOSED. */
static void test_write_after_peer_close_notify(void **state)
{
    (void)state;
    pair p;
    pair_default(&p);
    assert_true(pair_handshake(&p));
    tlcp_result r = TLCP_WANT_WRITE;
    for (int i = 0; i < 100 && e2e_is_want(r); i++)
        r = tlcp_shutdown(p.client);
    assert_int_equal(r, TLCP_OK);
    uint8_t buf[64];
    size_t n = 0;
    r = TLCP_WANT_READ;
    for (int i = 0; i < 1000 && e2e_is_want(r); i++)
        r = tlcp_read(p.server, buf, sizeof(buf), &n);
    assert_int_equal(r, TLCP_CLOSED);
    static const uint8_t late[] = "the answer after the client finished";
    transfer(p.server, p.client, late, sizeof(late));
    r = TLCP_WANT_WRITE;
    for (int i = 0; i < 100 && e2e_is_want(r); i++)
        r = tlcp_shutdown(p.server);
    assert_int_equal(r, TLCP_OK);
    r = TLCP_WANT_READ;
    for (int i = 0; i < 1000 && e2e_is_want(r); i++)
        r = tlcp_read(p.client, buf, sizeof(buf), &n);
    assert_int_equal(r, TLCP_CLOSED);
    /* Once it sent its own close_notify, the server writes no more. */
    assert_int_equal(tlcp_write(p.server, late, sizeof(late), &n), TLCP_ERROR);
    pair_close(&p);
}

static void test_no_shared_suite(void **state)
{
    (void)state;
    tlcp_config *ccfg = client_config(FIX);
    tlcp_config *scfg = server_config(FIX);
    set_suite(ccfg, TLCP_ECC_SM4_CBC_SM3);
    set_suite(scfg, TLCP_ECC_SM4_GCM_SM3);
    pair p;
    pair_open(&p, ccfg, scfg);
    expect_failure(&p, 1, TLCP_R_NO_SHARED_CIPHER, TLCP_ALERT_HANDSHAKE_FAILURE, "no cipher suite");
    pair_close(&p);
}

static void test_wrong_ca(void **state)
{
    (void)state;
    tlcp_config *ccfg = tlcp_config_new();
    assert_int_equal(tlcp_config_load_ca_file(ccfg, tu_data_path(FIX_OTHER_CA)), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(ccfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(ccfg, "localhost"), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, server_config(FIX));
    assert_false(pair_handshake(&p));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_CERT_VERIFY_FAILED);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_UNKNOWN_CA);
    assert_int_equal(tlcp_conn_alert_received(p.server), TLCP_ALERT_UNKNOWN_CA);
    pair_close(&p);
}

static void test_expired_certificate(void **state)
{
    (void)state;
    tlcp_config *ccfg = client_config(FIX);
    assert_int_equal(tlcp_config_set_verify_time(ccfg, 2208988800), TLCP_OK); /* 2040 */
    pair p;
    pair_open(&p, ccfg, server_config(FIX));
    expect_failure(&p, 0, TLCP_R_CERT_VERIFY_FAILED, TLCP_ALERT_CERTIFICATE_EXPIRED, "expired");
    pair_close(&p);
}

static void test_hostname_mismatch(void **state)
{
    (void)state;
    tlcp_config *ccfg = client_config(FIX);
    assert_int_equal(tlcp_config_set_host_name(ccfg, "www.example.com"), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, server_config(FIX));
    expect_failure(&p, 0, TLCP_R_HOSTNAME_MISMATCH, TLCP_ALERT_BAD_CERTIFICATE, NULL);
    pair_close(&p);
}

static int reject_all(void *arg, int ok, const char *reason, const uint8_t *s, size_t sl,
                      const uint8_t *e, size_t el)
{
    int *calls = arg;
    (*calls)++;
    assert_int_equal(ok, 1);
    assert_string_equal(reason, "ok");
    assert_true(s != NULL && sl > 0 && e != NULL && el > 0);
    return 0;
}

static void test_verify_callback_rejects(void **state)
{
    (void)state;
    int calls = 0;
    tlcp_config *ccfg = client_config(FIX);
    assert_int_equal(tlcp_config_set_verify_callback(ccfg, reject_all, &calls), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, server_config(FIX));
    assert_false(pair_handshake(&p));
    assert_int_equal(calls, 1);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_CERT_VERIFY_FAILED);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_BAD_CERTIFICATE);
    pair_close(&p);
}

static void test_garbage_instead_of_client_hello(void **state)
{
    (void)state;
    pair p;
    pair_default(&p);
    static const char http[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    mp_buf_append(&p.io.c2s, (const uint8_t *)http, sizeof(http) - 1);
    tlcp_result r = tlcp_handshake(p.server);
    assert_int_equal(r, TLCP_ERROR);
    assert_true(tlcp_conn_alert_sent(p.server) > 0);
    assert_true(strlen(tlcp_conn_error(p.server)) > 0);
    /* The alert went out as a plaintext record. */
    assert_true(p.io.s2c.len >= 7);
    assert_int_equal(p.io.s2c.data[0], 21);
    pair_close(&p);
}

static void test_config_frozen_and_checks(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    tlcp_conn *c = tlcp_conn_new(cfg, TLCP_SERVER);
    assert_non_null(c);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_NONE), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "in use"));
    /* A server without certificates fails before sending anything. */
    assert_int_equal(tlcp_handshake(c), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(c), TLCP_R_CONFIG);
    assert_int_equal(tlcp_conn_alert_sent(c), -1);
    tlcp_conn_free(c);
    tlcp_config_free(cfg);

    cfg = tlcp_config_new();
    uint16_t bad = 0x0035;
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &bad, 1), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, 7), TLCP_ERROR);
    assert_int_equal(tlcp_config_load_sign_pair(cfg, "/nonexistent.pem", "/nonexistent.key", NULL),
                     TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "nonexistent"));
    /* A client with no CA and verification on refuses to start. */
    c = tlcp_conn_new(cfg, TLCP_CLIENT);
    assert_int_equal(tlcp_handshake(c), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(c), TLCP_R_CONFIG);
    tlcp_conn_free(c);
    tlcp_config_free(cfg);
    tlcp_conn_free(NULL);
    tlcp_config_free(NULL);
    assert_null(tlcp_conn_new(NULL, TLCP_CLIENT));
}

/* ---- tampered messages ------------------------------------------------ */

enum tamper_action {
    T_TRUNCATE,
    T_TRAILING,
    T_WRONG_TYPE,
    T_DROP,
    T_OVERSIZE,
    T_FLIP_LAST,
    T_SWAP_SUITES,
    T_REPLACE,
    T_BREAK_SNI
};

typedef struct tamper_spec {
    uint8_t type;
    int action;
    int done;
    const uint8_t *replacement; /* T_REPLACE: whole message */
    size_t replacement_len;
} tamper_spec;

static void put_msg(mp_buf *out, uint8_t type, const uint8_t *body, size_t len)
{
    uint8_t hdr[4] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    mp_buf_append(out, hdr, 4);
    mp_buf_append(out, body, len);
}

static int tamper_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    tamper_spec *t = arg;
    if (t->done || msg[0] != t->type)
        return 0;
    t->done = 1;
    const uint8_t *body = msg + 4;
    size_t blen = len - 4;
    switch (t->action) {
    case T_TRUNCATE:
        put_msg(out, msg[0], body, blen - 1);
        break;
    case T_TRAILING: {
        put_msg(out, msg[0], body, blen);
        uint8_t zero = 0;
        mp_buf_append(out, &zero, 1);
        out->data[3]++; /* body length + 1 (no carry for our sizes) */
        break;
    }
    case T_WRONG_TYPE:
        put_msg(out, TLCP_HS_CERTIFICATE_VERIFY, body, blen);
        break;
    case T_DROP:
        break;
    case T_OVERSIZE: {
        uint8_t *big = calloc(1, 140000);
        assert_non_null(big);
        memcpy(big, body, blen);
        put_msg(out, msg[0], big, msg[0] == TLCP_HS_CLIENT_HELLO ? 131397 : 102401);
        free(big);
        if (msg[0] == TLCP_HS_SERVER_HELLO_DONE || msg[0] == TLCP_HS_CLIENT_KEY_EXCHANGE ||
            msg[0] == TLCP_HS_SERVER_HELLO) {
            out->len = 0;
            uint8_t *b2 = calloc(1, 30000);
            assert_non_null(b2);
            memcpy(b2, body, blen);
            size_t n = msg[0] == TLCP_HS_SERVER_HELLO_DONE ? 1
                       : msg[0] == TLCP_HS_SERVER_HELLO    ? 20001
                                                           : 2049;
            put_msg(out, msg[0], b2, n);
            free(b2);
        }
        break;
    }
    case T_FLIP_LAST:
        put_msg(out, msg[0], body, blen);
        out->data[out->len - 1] ^= 0x01;
        break;
    case T_SWAP_SUITES: {
        /* ClientHello: version(2) random(32) sid_len(1)=0 suites_len(2) s1 s2 */
        put_msg(out, msg[0], body, blen);
        uint8_t *s = out->data + 4 + 35 + 2;
        uint8_t a = s[0], b = s[1];
        s[0] = s[2];
        s[1] = s[3];
        s[2] = a;
        s[3] = b;
        break;
    }
    case T_BREAK_SNI:
        /* ... 00 0c | 00 | 00 09 | "localhost": the list length no longer fits */
        put_msg(out, msg[0], body, blen);
        out->data[out->len - 13] ^= 0x01;
        break;
    case T_REPLACE:
        mp_buf_append(out, t->replacement, t->replacement_len);
        break;
    default:
        return 0;
    }
    return 1;
}

/* Opens a default pair with a tamper hook on the writer of `type`. */
static void pair_tampered(pair *p, tamper_spec *t, int client_writes)
{
    pair_default(p);
    mp_end *e = client_writes ? &p->io.client : &p->io.server;
    e->tamper = tamper_hook;
    e->tamper_arg = t;
}

typedef struct msg_case {
    uint8_t type;
    int client_writes;
    const char *name;
} msg_case;

static const msg_case plain_messages[] = {
    {TLCP_HS_CLIENT_HELLO, 1, "ClientHello"},
    {TLCP_HS_SERVER_HELLO, 0, "ServerHello"},
    {TLCP_HS_CERTIFICATE, 0, "Certificate"},
    {TLCP_HS_SERVER_KEY_EXCHANGE, 0, "ServerKeyExchange"},
    {TLCP_HS_SERVER_HELLO_DONE, 0, "ServerHelloDone"},
    {TLCP_HS_CLIENT_KEY_EXCHANGE, 1, "ClientKeyExchange"},
};

static void test_truncated_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(plain_messages); i++) {
        const msg_case *m = &plain_messages[i];
        if (m->type == TLCP_HS_SERVER_HELLO_DONE)
            continue; /* empty body: nothing to cut */
        tamper_spec t = {m->type, T_TRUNCATE, 0, NULL, 0};
        pair p;
        pair_tampered(&p, &t, m->client_writes);
        print_message("truncated %s\n", m->name);
        expect_failure(&p, m->client_writes, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, NULL);
        assert_true(t.done);
        pair_close(&p);
    }
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(plain_messages); i++) {
        const msg_case *m = &plain_messages[i];
        tamper_spec t = {m->type, T_TRAILING, 0, NULL, 0};
        pair p;
        pair_tampered(&p, &t, m->client_writes);
        print_message("trailing byte after %s\n", m->name);
        assert_false(pair_handshake(&p));
        tlcp_conn *reader = m->client_writes ? p.server : p.client;
        int reason = tlcp_conn_error_reason(reader);
        if (m->type == TLCP_HS_SERVER_HELLO_DONE) {
            assert_int_equal(reason, TLCP_R_MESSAGE_TOO_LONG);
            assert_int_equal(tlcp_conn_alert_sent(reader), TLCP_ALERT_ILLEGAL_PARAMETER);
        } else {
            if (reason != TLCP_R_DECODE && reason != TLCP_R_TRAILING_DATA)
                fail_msg("%s: reason %d (%s)", m->name, reason, tlcp_conn_error(reader));
            assert_int_equal(tlcp_conn_alert_sent(reader), TLCP_ALERT_DECODE_ERROR);
        }
        pair_close(&p);
    }
}

static void test_wrong_type_and_out_of_order(void **state)
{
    (void)state;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(plain_messages); i++) {
        const msg_case *m = &plain_messages[i];
        for (int action = T_WRONG_TYPE; action <= T_DROP; action++) {
            tamper_spec t = {m->type, action, 0, NULL, 0};
            pair p;
            pair_tampered(&p, &t, m->client_writes);
            print_message("%s %s\n", action == T_DROP ? "dropped" : "wrong type for", m->name);
            if (action == T_DROP &&
                (m->type == TLCP_HS_CLIENT_HELLO || m->type == TLCP_HS_SERVER_HELLO_DONE)) {
                /* The last message of a flight is missing: both sides wait. */
                for (int k = 0; k < 10; k++) {
                    assert_int_equal(tlcp_handshake(p.client), TLCP_WANT_READ);
                    assert_int_equal(tlcp_handshake(p.server), TLCP_WANT_READ);
                }
                pair_close(&p);
                continue;
            }
            expect_failure(&p, m->client_writes, TLCP_R_UNEXPECTED_MESSAGE,
                           TLCP_ALERT_UNEXPECTED_MESSAGE, "unexpected");
            pair_close(&p);
        }
    }
}

static void test_oversize_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(plain_messages); i++) {
        const msg_case *m = &plain_messages[i];
        tamper_spec t = {m->type, T_OVERSIZE, 0, NULL, 0};
        pair p;
        pair_tampered(&p, &t, m->client_writes);
        p.io.client.fragment = p.io.server.fragment = 16384; /* records stay legal */
        print_message("oversize %s\n", m->name);
        expect_failure(&p, m->client_writes, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER,
                       "exceeds");
        pair_close(&p);
    }
}

static void test_bad_server_key_exchange_signature(void **state)
{
    (void)state;
    tamper_spec t = {TLCP_HS_SERVER_KEY_EXCHANGE, T_FLIP_LAST, 0, NULL, 0};
    pair p;
    pair_tampered(&p, &t, 0);
    expect_failure(&p, 0, TLCP_R_BAD_SIGNATURE, TLCP_ALERT_DECRYPT_ERROR,
                   "ServerKeyExchange signature");
    pair_close(&p);
}

/* A changed transcript (suite order swapped in flight, same keys) must be
 * caught by the server's check of the client Finished. */
static void test_bad_finished(void **state)
{
    (void)state;
    tamper_spec t = {TLCP_HS_CLIENT_HELLO, T_SWAP_SUITES, 0, NULL, 0};
    pair p;
    pair_tampered(&p, &t, 1);
    expect_failure(&p, 1, TLCP_R_BAD_FINISHED, TLCP_ALERT_DECRYPT_ERROR, "Finished");
    pair_close(&p);
}

/* A corrupted pre-master ciphertext is not reported as such: the server
 * carries on with a random pre-master and fails at the Finished check
 * (the client's Finished then fails to decrypt: bad_record_mac). */
/* A ClientKeyExchange carrying `pre_master` encrypted to the fixture
 * server's encryption key (header included). */
static uint8_t *cke_with(const uint8_t *pre_master, size_t pm_len, size_t *out_len)
{
    char *path = e2e_fixture_path(FIX, "server-enc.pem");
    tlcp_cert *cert = tlcp_cert_load_file(path, NULL);
    free(path);
    assert_non_null(cert);
    tlcp_pkey *key = tlcp_cert_public_key(cert, NULL);
    assert_non_null(key);
    uint8_t ct[300];
    size_t ct_len = 0;
    assert_true(tlcp_sm2_encrypt(key, pre_master, pm_len, ct, &ct_len, sizeof(ct), NULL));
    tlcp_builder b, body;
    assert_true(tlcp_builder_init(&b, 512, 0));
    assert_true(tlcp_builder_add_u8(&b, TLCP_HS_CLIENT_KEY_EXCHANGE));
    assert_true(tlcp_builder_open_u24(&b, &body));
    assert_true(tlcp_build_client_key_exchange_ecc(&body, ct, ct_len));
    uint8_t *msg = NULL;
    assert_true(tlcp_builder_finish(&b, &msg, out_len));
    tlcp_pkey_free(key);
    tlcp_cert_free(cert);
    return msg;
}

static void expect_finished_mac_failure(tamper_spec *t)
{
    pair p;
    pair_tampered(&p, t, 1);
    assert_false(pair_handshake(&p));
    assert_true(t->done);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_BAD_RECORD_MAC);
    assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_BAD_RECORD_MAC);
    assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_BAD_RECORD_MAC);
    pair_close(&p);
}

/* A bad pre-master is not reported as such: the server carries on with a
 * random pre-master, so the client's Finished record fails to decrypt. A
 * ciphertext that does not decrypt, a pre-master with the wrong version
 * and one of the wrong length all end the same way. */
static void test_bad_pre_master_no_oracle(void **state)
{
    (void)state;
    tamper_spec t = {TLCP_HS_CLIENT_KEY_EXCHANGE, T_FLIP_LAST, 0, NULL, 0};
    expect_finished_mac_failure(&t);

    uint8_t pm[TLCP_PRE_MASTER_LEN + 1];
    memset(pm, 0x5c, sizeof(pm));
    pm[0] = 0x03; /* TLS 1.2's version instead of 01 01 */
    pm[1] = 0x03;
    size_t len = 0;
    uint8_t *msg = cke_with(pm, TLCP_PRE_MASTER_LEN, &len);
    tamper_spec wrong_version = {TLCP_HS_CLIENT_KEY_EXCHANGE, T_REPLACE, 0, msg, len};
    expect_finished_mac_failure(&wrong_version);
    free(msg);

    pm[0] = pm[1] = 0x01;
    msg = cke_with(pm, TLCP_PRE_MASTER_LEN + 1, &len);
    tamper_spec wrong_length = {TLCP_HS_CLIENT_KEY_EXCHANGE, T_REPLACE, 0, msg, len};
    expect_finished_mac_failure(&wrong_length);
    free(msg);
}

/* Mutates one byte of one plaintext handshake message (chosen by a seeded
 * counter) and runs the pair. Every byte of the handshake is protected (by
 * parsing, signatures or Finished), so every run must fail: with an error
 * on one side, or as a stall when a length field promises bytes that never
 * come. ASan builds check that no path leaks or reads out of bounds. */
typedef struct mutate_spec {
    uint32_t state;
    unsigned target; /* which message to hit */
    unsigned seen;
    int done;
} mutate_spec;

static uint32_t next_rand(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static int mutate_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    mutate_spec *m = arg;
    if (m->done || m->seen++ != m->target)
        return 0;
    m->done = 1;
    mp_buf_append(out, msg, len);
    size_t at = next_rand(&m->state) % len;
    uint8_t flip = (uint8_t)(next_rand(&m->state) | 1);
    out->data[at] ^= flip;
    return 1;
}

static void test_random_mutations(void **state)
{
    (void)state;
    int failures = 0, runs = 0, stalls = 0;
    for (uint32_t seed = 1; seed <= 120; seed++) {
        int client_side = seed % 3 == 0; /* client writes CH and CKE, server four */
        mutate_spec m = {seed * 2654435761u, seed % (client_side ? 2u : 4u), 0, 0};
        pair p;
        pair_default(&p);
        mp_end *e = client_side ? &p.io.client : &p.io.server;
        e->tamper = mutate_hook;
        e->tamper_arg = &m;
        int ok = pair_handshake(&p);
        assert_true(m.done);
        runs++;
        stalls += p.stalled;
        if (!ok && !p.stalled) {
            failures++;
            /* Someone noticed, said why, and (unless the transport just
             * stalled on a length) told the peer. */
            int cr = tlcp_conn_error_reason(p.client), sr = tlcp_conn_error_reason(p.server);
            assert_true(cr != TLCP_R_NONE || sr != TLCP_R_NONE);
        }
        pair_close(&p);
    }
    print_message("%d of %d mutated handshakes failed cleanly, %d stalled\n", failures, runs,
                  stalls);
    assert_true(failures + stalls == runs);
}

/* Session-ID resumption: a full handshake, then an abbreviated one with the
 * session it left; a server without a cache answers with a full one. */
static void test_session_resumption(void **state)
{
    (void)state;
    e2e_capture trace = {0}, keylog = {0};
    tlcp_config *ccfg = client_config(FIX);
    tlcp_config *scfg = server_config(FIX);
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    assert_int_equal(tlcp_config_set_trace(ccfg, e2e_capture_line, &trace), TLCP_OK);
    assert_int_equal(tlcp_config_set_keylog(ccfg, e2e_capture_line, &keylog), TLCP_OK);

    pair p;
    pair_open(&p, tlcp_config_up_ref(ccfg), tlcp_config_up_ref(scfg));
    assert_true(pair_handshake(&p));
    assert_false(tlcp_conn_session_reused(p.client));
    tlcp_session *session = tlcp_conn_get_session(p.client);
    assert_non_null(session);
    pair_close(&p);
    e2e_capture_free(&trace);

    pair_open(&p, tlcp_config_up_ref(ccfg), tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, session), TLCP_OK);
    assert_int_equal(tlcp_conn_set_session(p.server, session), TLCP_ERROR); /* client only */
    if (!pair_handshake(&p))
        fail_msg("resumption failed: %s / %s", tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    assert_true(tlcp_conn_session_reused(p.client));
    assert_true(tlcp_conn_session_reused(p.server));
    assert_true(e2e_captured(&trace, "TLS_ST_CR_SRVR_HELLO -> TLS_ST_CR_CHANGE"));
    assert_false(e2e_captured(&trace, "TLS_ST_CR_CERT"));
    assert_true(e2e_captured(&trace, "TLS_ST_CW_FINISHED -> TLS_ST_OK"));
    assert_non_null(tlcp_conn_peer_subject(p.client, TLCP_CERT_SIGN));
    /* Same master secret in both key log lines. */
    assert_int_equal(keylog.lines, 2);
    assert_memory_equal(keylog.text + 79, keylog.text + 176 + 79, 96);
    exchange_and_close(&p);
    tlcp_session *again = tlcp_conn_get_session(p.client);
    assert_ptr_equal(again, session);
    tlcp_session_free(again);
    pair_close(&p);

    /* A server that caches nothing runs a full handshake. */
    tlcp_config *plain = server_config(FIX);
    pair_open(&p, tlcp_config_up_ref(ccfg), plain);
    assert_int_equal(tlcp_conn_set_session(p.client, session), TLCP_OK);
    assert_true(pair_handshake(&p));
    assert_false(tlcp_conn_session_reused(p.client));
    assert_false(tlcp_conn_session_reused(p.server));
    assert_null(tlcp_conn_get_session(p.client)); /* empty session ID */
    pair_close(&p);

    tlcp_session_free(session);
    tlcp_session_free(NULL);
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
    e2e_capture_free(&trace);
    e2e_capture_free(&keylog);
}

/* ---- generated certificates ------------------------------------------ */

/* An encryption certificate that only allows digitalSignature must be
 * refused by the client (the server's own config check would refuse to
 * send it, so the message is replaced in flight). */
static void test_enc_cert_without_key_encipherment(void **state)
{
    (void)state;
    tlcp_pkey *ca_key = tlcp_pkey_generate(NULL), *sign_key = tlcp_pkey_generate(NULL);
    tlcp_pkey *enc_key = tlcp_pkey_generate(NULL);
    assert_non_null(ca_key);
    assert_non_null(sign_key);
    assert_non_null(enc_key);
    tlcp_cert *ca = e2e_issue(NULL, ca_key, ca_key, TLCP_PROFILE_CA, 0, GEN_CA_NAME);
    tlcp_cert *sign = e2e_issue(ca, ca_key, sign_key, TLCP_PROFILE_SIGN, 0, GEN_CA_NAME);
    tlcp_cert *enc = e2e_issue(ca, ca_key, enc_key, TLCP_PROFILE_ENC, 0, GEN_CA_NAME);
    tlcp_cert *bad_enc =
        e2e_issue(ca, ca_key, enc_key, TLCP_PROFILE_ENC, TLCP_KU_DIGITAL_SIGNATURE, GEN_CA_NAME);
    char *files[6] = {e2e_cert_file(TEMP_PEM, ca),      e2e_cert_file(TEMP_PEM, sign),
                      e2e_key_file(TEMP_PEM, sign_key), e2e_cert_file(TEMP_PEM, enc),
                      e2e_key_file(TEMP_PEM, enc_key),  NULL};

    tlcp_config *scfg = tlcp_config_new(), *ccfg = tlcp_config_new();
    assert_int_equal(tlcp_config_load_sign_pair(scfg, files[1], files[2], NULL), TLCP_OK);
    assert_int_equal(tlcp_config_load_enc_pair(scfg, files[3], files[4], NULL), TLCP_OK);
    assert_int_equal(tlcp_config_load_ca_file(ccfg, files[0]), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(ccfg, "localhost"), TLCP_OK);

    /* Certificate message [sign, bad enc]. */
    const uint8_t *ders[2];
    size_t lens[2];
    tlcp_cert_der(sign, &ders[0], &lens[0]);
    tlcp_cert_der(bad_enc, &ders[1], &lens[1]);
    tlcp_builder b, body;
    assert_true(tlcp_builder_init(&b, 2048, 0));
    assert_true(tlcp_builder_add_u8(&b, TLCP_HS_CERTIFICATE));
    assert_true(tlcp_builder_open_u24(&b, &body));
    assert_true(tlcp_build_certificate(&body, ders, lens, 2));
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    assert_true(tlcp_builder_finish(&b, &msg, &msg_len));

    tamper_spec t = {TLCP_HS_CERTIFICATE, T_REPLACE, 0, msg, msg_len};
    pair p;
    pair_open(&p, ccfg, scfg);
    p.io.server.tamper = tamper_hook;
    p.io.server.tamper_arg = &t;
    expect_failure(&p, 0, TLCP_R_CERT_KEY_USAGE, TLCP_ALERT_UNSUPPORTED_CERTIFICATE, NULL);
    pair_close(&p);

    free(msg);
    for (int i = 0; files[i] != NULL; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    tlcp_cert_free(ca);
    tlcp_cert_free(sign);
    tlcp_cert_free(enc);
    tlcp_cert_free(bad_enc);
    tlcp_pkey_free(ca_key);
    tlcp_pkey_free(sign_key);
    tlcp_pkey_free(enc_key);
}

/* A malformed server_name extension is a decode error. */
static void test_malformed_server_name(void **state)
{
    (void)state;
    tlcp_config *ccfg = client_config(FIX);
    assert_int_equal(tlcp_config_set_send_sni(ccfg, 1), TLCP_OK);
    tamper_spec t = {TLCP_HS_CLIENT_HELLO, T_BREAK_SNI, 0, NULL, 0};
    pair p;
    pair_open(&p, ccfg, server_config(FIX));
    p.io.client.tamper = tamper_hook;
    p.io.client.tamper_arg = &t;
    expect_failure(&p, 1, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, "server_name");
    pair_close(&p);
}

/* GmSSL 2 style order sign, chain, enc is accepted (told apart by key usage). */
static void test_certificate_order_sign_chain_enc(void **state)
{
    (void)state;
    size_t n = 0;
    char *files[3] = {e2e_fixture_path(FIX, "server-sign.pem"), e2e_fixture_path(FIX, "chain.pem"),
                      e2e_fixture_path(FIX, "server-enc.pem")};
    tlcp_cert *certs[3];
    for (int i = 0; i < 3; i++) {
        certs[i] = tlcp_cert_load_file(files[i], NULL);
        assert_non_null(certs[i]);
        free(files[i]);
    }
    const uint8_t *ders[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++)
        tlcp_cert_der(certs[i], &ders[i], &lens[i]);
    tlcp_builder b, body;
    assert_true(tlcp_builder_init(&b, 4096, 0));
    assert_true(tlcp_builder_add_u8(&b, TLCP_HS_CERTIFICATE));
    assert_true(tlcp_builder_open_u24(&b, &body));
    assert_true(tlcp_build_certificate(&body, ders, lens, 3));
    uint8_t *msg = NULL;
    assert_true(tlcp_builder_finish(&b, &msg, &n));

    tamper_spec t = {TLCP_HS_CERTIFICATE, T_REPLACE, 0, msg, n};
    pair p;
    pair_default(&p);
    p.io.server.tamper = tamper_hook;
    p.io.server.tamper_arg = &t;
    /* The server's transcript has its own order, so Finished must fail on
     * the server side: the client accepted the reordered list and the
     * signature over the enc certificate, which is what is checked here. */
    assert_false(pair_handshake(&p));
    assert_true(t.done);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_BAD_FINISHED);
    assert_non_null(tlcp_conn_peer_subject(p.client, TLCP_CERT_ENC));
    const uint8_t *enc_der = NULL;
    size_t enc_len = 0;
    assert_int_equal(tlcp_conn_peer_cert(p.client, TLCP_CERT_ENC, &enc_der, &enc_len), TLCP_OK);
    assert_int_equal(enc_len, lens[2]);
    assert_memory_equal(enc_der, ders[2], enc_len);
    pair_close(&p);
    free(msg);
    for (int i = 0; i < 3; i++)
        tlcp_cert_free(certs[i]);
}

/* Trust anchors from a directory. */
static void test_ca_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/tlcp-e2e-ca-XXXXXX";
    assert_non_null(mkdtemp(dir));
    size_t len = 0;
    uint8_t *pem = tu_read_file(tu_data_path(FIX "ca.pem"), &len);
    assert_non_null(pem);
    char path[128];
    snprintf(path, sizeof(path), "%s/root.pem", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pem, 1, len, f), len);
    fclose(f);
    free(pem);

    tlcp_config *ccfg = tlcp_config_new();
    assert_int_equal(tlcp_config_load_ca_dir(ccfg, dir), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(ccfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(ccfg, "localhost"), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, server_config(FIX));
    assert_true(pair_handshake(&p));
    pair_close(&p);
    unlink(path);
    rmdir(dir);
}

/* The built-in fd transport over a non-blocking socketpair. */
static void test_fd_transport(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK), 0);
    tlcp_config *ccfg = client_config(FIX);
    assert_int_equal(tlcp_config_set_send_sni(ccfg, 1), TLCP_OK);
    e2e_capture trace = {0};
    tlcp_config *scfg = server_config(FIX);
    assert_int_equal(tlcp_config_set_trace(scfg, e2e_capture_line, &trace), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, scfg);
    assert_int_equal(tlcp_conn_set_fd(p.client, sv[0]), TLCP_OK);
    assert_int_equal(tlcp_conn_set_fd(p.server, sv[1]), TLCP_OK);
    assert_true(pair_handshake(&p));
    /* SNI only because it was asked for; the server's trace shows it. */
    assert_true(e2e_captured(&trace, "server_name"));
    assert_string_equal(tlcp_conn_server_name(p.server), "localhost");
    assert_string_equal(tlcp_conn_server_name(p.client), "localhost");
    exchange_and_close(&p);
    pair_close(&p);
    close(sv[0]);
    close(sv[1]);
    e2e_capture_free(&trace);
}

/* Drives one side's tlcp_read until it returns something other than WANT_*. */
static tlcp_result read_until(tlcp_conn *c, tlcp_conn *other)
{
    uint8_t buf[64];
    size_t n = 0;
    tlcp_result r = TLCP_WANT_READ;
    for (int i = 0; i < 1000 && e2e_is_want(r); i++) {
        r = tlcp_read(c, buf, sizeof(buf), &n);
        if (e2e_is_want(r) && other != NULL)
            (void)tlcp_read(other, buf, sizeof(buf), &n);
    }
    return r;
}

/* After the handshake, renegotiation is refused: a HelloRequest gets a
 * no_renegotiation warning (and the connection goes on), a ClientHello a
 * fatal no_renegotiation. The messages are injected through the internal
 * record layer, protected with the live keys. */
static void test_renegotiation_refused(void **state)
{
    (void)state;
    pair p;
    pair_default(&p);
    assert_true(pair_handshake(&p));

    static const uint8_t hello_request[] = {0, 0, 0, 0};
    assert_true(tlcp_record_write(p.server->rl, TLCP_CT_HANDSHAKE, hello_request, 4));
    assert_int_equal(tlcp_record_flush(p.server->rl), TLCP_OK);
    assert_int_equal(read_until(p.client, NULL), TLCP_WANT_READ);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_NO_RENEGOTIATION);
    /* The server sees the warning and the connection still works. */
    static const uint8_t ping[] = "still alive";
    transfer(p.client, p.server, ping, sizeof(ping));
    assert_int_equal(tlcp_conn_alert_received(p.server), TLCP_ALERT_NO_RENEGOTIATION);

    /* A ClientHello from the client: fatal no_renegotiation. */
    /* header(4) | version 0101 | random(32) | sid 0 | suites {E013} | comp {0} */
    uint8_t client_hello[4 + 41];
    memset(client_hello, 0, sizeof(client_hello));
    client_hello[0] = TLCP_HS_CLIENT_HELLO;
    client_hello[3] = 41;
    client_hello[4] = client_hello[5] = 1;
    client_hello[4 + 36] = 2; /* session id empty, then suites length 2 */
    client_hello[4 + 37] = 0xE0;
    client_hello[4 + 38] = 0x13;
    client_hello[4 + 39] = 1; /* one compression method: null (0) */
    assert_true(
        tlcp_record_write(p.client->rl, TLCP_CT_HANDSHAKE, client_hello, sizeof(client_hello)));
    assert_int_equal(tlcp_record_flush(p.client->rl), TLCP_OK);
    assert_int_equal(read_until(p.server, NULL), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_NO_RENEGOTIATION);
    assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_NO_RENEGOTIATION);
    assert_int_equal(read_until(p.client, NULL), TLCP_ERROR);
    assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_NO_RENEGOTIATION);
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_cbc),
        cmocka_unit_test(test_full_gcm),
        cmocka_unit_test(test_write_after_peer_close_notify),
        cmocka_unit_test(test_trickle_cbc),
        cmocka_unit_test(test_trickle_gcm),
        cmocka_unit_test(test_coalesced_server_flight),
        cmocka_unit_test(test_fragmented_messages),
        cmocka_unit_test(test_server_preference),
        cmocka_unit_test(test_client_auth),
        cmocka_unit_test(test_ecdhe),
        cmocka_unit_test(test_client_auth_without_cert),
        cmocka_unit_test(test_no_shared_suite),
        cmocka_unit_test(test_wrong_ca),
        cmocka_unit_test(test_expired_certificate),
        cmocka_unit_test(test_hostname_mismatch),
        cmocka_unit_test(test_verify_callback_rejects),
        cmocka_unit_test(test_garbage_instead_of_client_hello),
        cmocka_unit_test(test_config_frozen_and_checks),
        cmocka_unit_test(test_truncated_messages),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_wrong_type_and_out_of_order),
        cmocka_unit_test(test_oversize_messages),
        cmocka_unit_test(test_bad_server_key_exchange_signature),
        cmocka_unit_test(test_bad_finished),
        cmocka_unit_test(test_bad_pre_master_no_oracle),
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_session_resumption),
        cmocka_unit_test(test_renegotiation_refused),
        cmocka_unit_test(test_enc_cert_without_key_encipherment),
        cmocka_unit_test(test_fd_transport),
        cmocka_unit_test(test_certificate_order_sign_chain_enc),
        cmocka_unit_test(test_ca_directory),
        cmocka_unit_test(test_malformed_server_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handshake handlers driven with bare handshake contexts: no tlcp_conn,
 * no record layer, no transport. One client and one server context pass
 * the bodies a handler builds to the other side's handler, the way the
 * driver would; the tests check what the handlers negotiate, the actions
 * they ask of the driver, and the alerts of the failures. One group per
 * handler family: hello, certificate, key exchange, verify, finished.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "e2e_pair.h"
#include "handshake/context.h"
#include "handshake/handlers.h"
#include "handshake/keys.h"
#include "handshake/messages.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define FIX          "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define FIX_OTHER_CA "interop/tongsuo-ecc-sm4-cbc-sm3/ca.pem"
#define PINNED_TIME  1795824000 /* 2026-11-28T00:00:00Z, the fixtures are valid */

typedef struct side {
    tlcp_hs_ctx ctx;
    tlcp_error err;
    uint16_t suites[2];
    tlcp_credentials *creds;
    tlcp_trust_store *trust;
    e2e_capture trace;
} side;

/* A message body a handler built, kept for the other side. */
typedef struct body {
    tlcp_builder b;
} body;

static void load_server_creds(side *s)
{
    char *sc = e2e_fixture_path(FIX, "server-sign.pem"),
         *sk = e2e_fixture_path(FIX, "server-sign.key");
    char *ec = e2e_fixture_path(FIX, "server-enc.pem"),
         *ek = e2e_fixture_path(FIX, "server-enc.key");
    s->creds = tlcp_credentials_new(&s->err);
    assert_non_null(s->creds);
    assert_true(tlcp_credentials_load_sign(s->creds, sc, sk, NULL, &s->err));
    assert_true(tlcp_credentials_load_enc(s->creds, ec, ek, NULL, &s->err));
    char *chain = e2e_fixture_path(FIX, "chain.pem");
    assert_true(tlcp_credentials_load_chain_file(s->creds, chain, &s->err));
    free(chain);
    free(sc);
    free(sk);
    free(ec);
    free(ek);
    s->ctx.cfg.creds = s->creds;
}

static void side_init(side *s, int is_server, uint16_t suite)
{
    memset(s, 0, sizeof(*s));
    tlcp_error_clear(&s->err);
    assert_true(tlcp_hs_ctx_init(&s->ctx, is_server, &s->err));
    s->suites[0] = suite;
    s->ctx.cfg.suites = s->suites;
    s->ctx.cfg.num_suites = 1;
    s->ctx.cfg.verify_mode = TLCP_VERIFY_NONE;
    s->ctx.cfg.max_cert_list = 102400;
    s->ctx.cfg.cv_accept = TLCP_CV_ALL;
    s->ctx.trace = e2e_capture_line;
    s->ctx.trace_arg = &s->trace;
    if (is_server)
        load_server_creds(s);
}

static void side_free(side *s)
{
    tlcp_hs_ctx_cleanup(&s->ctx);
    tlcp_credentials_free(s->creds);
    tlcp_trust_store_free(s->trust);
    e2e_capture_free(&s->trace);
}

static tlcp_cursor body_cursor(const body *m)
{
    tlcp_cursor c;
    tlcp_cursor_init(&c, tlcp_builder_data(&m->b), tlcp_builder_len(&m->b));
    return c;
}

/* Runs a construct handler into m (which the caller cleans up). */
static tlcp_status build(body *m, tlcp_status (*fn)(tlcp_hs_ctx *, tlcp_builder *), side *s)
{
    assert_true(tlcp_builder_init(&m->b, 512, 1u << 20));
    tlcp_status st = fn(&s->ctx, &m->b);
    if (tlcp_is_ok(st))
        assert_true(tlcp_builder_flush(&m->b));
    return st;
}

static void assert_alert(const side *s, int reason, int alert)
{
    assert_int_equal(s->err.reason, reason);
    assert_int_equal(s->err.alert, alert);
}

/* ClientHello and ServerHello between the two sides; both agree on `suite`. */
static void hello(side *c, side *s)
{
    body ch, sh;
    assert_true(tlcp_is_ok(tlcp_hs_client_hello_pre_work(&c->ctx)));
    assert_true(tlcp_is_ok(build(&ch, tlcp_hs_client_hello_construct, c)));
    assert_true(tlcp_is_ok(tlcp_hs_client_hello_process(&s->ctx, body_cursor(&ch))));
    assert_true(tlcp_is_ok(tlcp_hs_client_hello_post_process(&s->ctx)));
    assert_true(tlcp_is_ok(build(&sh, tlcp_hs_server_hello_construct, s)));
    assert_true(tlcp_is_ok(tlcp_hs_server_hello_process(&c->ctx, body_cursor(&sh))));
    tlcp_builder_cleanup(&ch.b);
    tlcp_builder_cleanup(&sh.b);
}

/* ---- hello ----------------------------------------------------------- */

static void test_hello_negotiates_without_a_connection(void **state)
{
    (void)state;
    side c, s;
    side_init(&c, 0, TLCP_ECC_SM4_GCM_SM3);
    side_init(&s, 1, TLCP_ECC_SM4_GCM_SM3);
    hello(&c, &s);
    assert_int_equal(c.ctx.suite, TLCP_ECC_SM4_GCM_SM3);
    assert_int_equal(s.ctx.suite, TLCP_ECC_SM4_GCM_SM3);
    assert_int_equal(s.ctx.hs->bulk, TLCP_BULK_SM4_GCM);
    assert_memory_equal(c.ctx.hs->client_random, s.ctx.hs->client_random, 32);
    assert_memory_equal(c.ctx.hs->server_random, s.ctx.hs->server_random, 32);
    assert_false(s.ctx.hs->cert_requested); /* verify none, ECC */
    assert_true(e2e_captured(&s.trace, "negotiated cipher suite ECC_SM4_GCM_SM3 (0xE053)"));
    side_free(&c);
    side_free(&s);
}

static void test_hello_without_a_shared_suite(void **state)
{
    (void)state;
    side c, s;
    side_init(&c, 0, TLCP_ECC_SM4_CBC_SM3);
    side_init(&s, 1, TLCP_ECC_SM4_GCM_SM3);
    body ch;
    assert_true(tlcp_is_ok(tlcp_hs_client_hello_pre_work(&c.ctx)));
    assert_true(tlcp_is_ok(build(&ch, tlcp_hs_client_hello_construct, &c)));
    assert_false(tlcp_is_ok(tlcp_hs_client_hello_process(&s.ctx, body_cursor(&ch))));
    assert_alert(&s, TLCP_R_NO_SHARED_CIPHER, TLCP_ALERT_HANDSHAKE_FAILURE);
    /* A TLS 1.2 version in the same hello is refused as a TLS hello (the
     * server does not take TLS hellos for TLCP unless told to). */
    uint8_t *v = (uint8_t *)tlcp_builder_data(&ch.b);
    v[0] = 3;
    v[1] = 3;
    side s2;
    side_init(&s2, 1, TLCP_ECC_SM4_CBC_SM3);
    assert_false(tlcp_is_ok(tlcp_hs_client_hello_process(&s2.ctx, body_cursor(&ch))));
    assert_alert(&s2, TLCP_R_TLS_CLIENT_HELLO, TLCP_ALERT_PROTOCOL_VERSION);
    tlcp_builder_cleanup(&ch.b);
    side_free(&c);
    side_free(&s);
    side_free(&s2);
}

/* ---- certificate ----------------------------------------------------- */

static void test_certificate_verified_by_the_handler(void **state)
{
    (void)state;
    side c, s;
    side_init(&c, 0, TLCP_ECC_SM4_CBC_SM3);
    side_init(&s, 1, TLCP_ECC_SM4_CBC_SM3);
    hello(&c, &s);
    char *ca = e2e_fixture_path(FIX, "ca.pem");
    c.trust = tlcp_trust_store_new(&c.err);
    assert_non_null(c.trust);
    assert_true(tlcp_trust_store_load_file(c.trust, ca, &c.err));
    free(ca);
    c.ctx.cfg.trust = c.trust;
    c.ctx.cfg.verify_mode = TLCP_VERIFY_REQUIRED;
    c.ctx.cfg.host_name = "localhost";
    c.ctx.cfg.verify_time = PINNED_TIME;
    body cert;
    assert_true(tlcp_is_ok(build(&cert, tlcp_hs_server_cert_construct, &s)));
    if (!tlcp_is_ok(tlcp_hs_server_cert_process(&c.ctx, body_cursor(&cert))))
        fail_msg("%s", tlcp_error_message(&c.err));
    assert_non_null(c.ctx.peer_cert[TLCP_CERT_SIGN]);
    assert_non_null(c.ctx.peer_cert[TLCP_CERT_ENC]);
    assert_non_null(c.ctx.hs->peer_sign_key);
    assert_non_null(c.ctx.hs->peer_enc_key);
    assert_true(e2e_captured(&c.trace, "peer certificates verified"));
    tlcp_builder_cleanup(&cert.b);
    side_free(&c);
    side_free(&s);
}

static void test_certificate_refused_by_the_handler(void **state)
{
    (void)state;
    side c, s;
    side_init(&c, 0, TLCP_ECC_SM4_CBC_SM3);
    side_init(&s, 1, TLCP_ECC_SM4_CBC_SM3);
    hello(&c, &s);
    /* Another CA: the chain does not verify. */
    c.trust = tlcp_trust_store_new(&c.err);
    assert_true(tlcp_trust_store_load_file(c.trust, tu_data_path(FIX_OTHER_CA), &c.err));
    c.ctx.cfg.trust = c.trust;
    c.ctx.cfg.verify_mode = TLCP_VERIFY_REQUIRED;
    c.ctx.cfg.verify_time = PINNED_TIME;
    body cert;
    assert_true(tlcp_is_ok(build(&cert, tlcp_hs_server_cert_construct, &s)));
    assert_false(tlcp_is_ok(tlcp_hs_server_cert_process(&c.ctx, body_cursor(&cert))));
    assert_true(c.err.alert != TLCP_NO_ALERT);
    assert_null(c.ctx.peer_cert[TLCP_CERT_SIGN]);
    tlcp_builder_cleanup(&cert.b);
    /* A list with only one certificate is not a TLCP server's. */
    side c2;
    side_init(&c2, 0, TLCP_ECC_SM4_CBC_SM3);
    const uint8_t *der;
    size_t len;
    tlcp_cert_der(s.creds->sign.cert, &der, &len);
    assert_true(tlcp_builder_init(&cert.b, 512, 1u << 20));
    assert_true(tlcp_build_certificate(&cert.b, &der, &len, 1) && tlcp_builder_flush(&cert.b));
    assert_false(tlcp_is_ok(tlcp_hs_server_cert_process(&c2.ctx, body_cursor(&cert))));
    assert_alert(&c2, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE);
    tlcp_builder_cleanup(&cert.b);
    side_free(&c);
    side_free(&c2);
    side_free(&s);
}

/* ---- key exchange ---------------------------------------------------- */

/* Hello and the server's certificates (not verified). */
static void through_certificate(side *c, side *s, uint16_t suite)
{
    side_init(c, 0, suite);
    side_init(s, 1, suite);
    hello(c, s);
    body cert;
    assert_true(tlcp_is_ok(build(&cert, tlcp_hs_server_cert_construct, s)));
    assert_true(tlcp_is_ok(tlcp_hs_server_cert_process(&c->ctx, body_cursor(&cert))));
    tlcp_builder_cleanup(&cert.b);
}

static void test_key_exchange_cuts_the_same_keys(void **state)
{
    (void)state;
    side c, s;
    through_certificate(&c, &s, TLCP_ECC_SM4_CBC_SM3);
    body ske, cke;
    assert_true(tlcp_is_ok(build(&ske, tlcp_hs_server_kx_construct, &s)));
    assert_true(tlcp_is_ok(tlcp_hs_server_kx_process(&c.ctx, body_cursor(&ske))));
    assert_true(tlcp_is_ok(build(&cke, tlcp_hs_client_kx_construct, &c)));
    /* The key schedule asks the driver to install the keys; it installs nothing itself. */
    tlcp_status cs = tlcp_hs_client_kx_post_work(&c.ctx);
    assert_true(tlcp_is_ok(cs));
    assert_true((cs.v & TLCP_HS_DO_INSTALL_KEYS) != 0);
    assert_true(tlcp_is_ok(tlcp_hs_client_kx_process(&s.ctx, body_cursor(&cke))));
    tlcp_status ss = tlcp_hs_client_kx_post_process(&s.ctx);
    assert_true((ss.v & TLCP_HS_DO_INSTALL_KEYS) != 0);
    assert_memory_equal(c.ctx.hs->master, s.ctx.hs->master, 48);
    assert_memory_equal(c.ctx.hs->pending_keys, s.ctx.hs->pending_keys,
                        sizeof(c.ctx.hs->pending_keys));
    assert_int_equal(c.ctx.hs->pending_keys[0].bulk, TLCP_BULK_SM4_CBC_SM3);
    assert_true(c.ctx.hs->keys_ready && s.ctx.hs->keys_ready);
    tlcp_builder_cleanup(&ske.b);
    tlcp_builder_cleanup(&cke.b);
    side_free(&c);
    side_free(&s);
}

static void test_key_exchange_bad_signature(void **state)
{
    (void)state;
    side c, s;
    through_certificate(&c, &s, TLCP_ECC_SM4_GCM_SM3);
    body ske;
    assert_true(tlcp_is_ok(build(&ske, tlcp_hs_server_kx_construct, &s)));
    /* The signed data covers both randoms: another client random breaks it. */
    c.ctx.hs->client_random[0] ^= 1;
    assert_false(tlcp_is_ok(tlcp_hs_server_kx_process(&c.ctx, body_cursor(&ske))));
    assert_alert(&c, TLCP_R_BAD_SIGNATURE, TLCP_ALERT_DECRYPT_ERROR);
    tlcp_builder_cleanup(&ske.b);
    side_free(&c);
    side_free(&s);
}

/* ---- verify ---------------------------------------------------------- */

/* The client signs with the server fixture's sign pair (any SM2 pair does);
 * the server checks with that certificate's key. Both transcripts hold the
 * same bytes. */
static void cv_sides(side *c, side *s, const char *transcript)
{
    side_init(c, 0, TLCP_ECC_SM4_CBC_SM3);
    side_init(s, 1, TLCP_ECC_SM4_CBC_SM3);
    c->creds = tlcp_credentials_up_ref(s->creds);
    c->ctx.cfg.creds = c->creds;
    s->ctx.hs->peer_sign_key = tlcp_cert_public_key(s->creds->sign.cert, &s->err);
    assert_non_null(s->ctx.hs->peer_sign_key);
    size_t n = strlen(transcript);
    assert_true(
        tlcp_transcript_update(&c->ctx.hs->transcript, (const uint8_t *)transcript, n, &c->err));
    assert_true(
        tlcp_transcript_update(&s->ctx.hs->transcript, (const uint8_t *)transcript, n, &s->err));
}

static void test_verify_checks_the_signature(void **state)
{
    (void)state;
    side c, s;
    cv_sides(&c, &s, "handshake messages so far");
    body cv;
    assert_true(tlcp_is_ok(build(&cv, tlcp_hs_cert_verify_construct, &c)));
    assert_true(tlcp_is_ok(tlcp_hs_cert_verify_process(&s.ctx, body_cursor(&cv))));
    assert_true(e2e_captured(&s.trace, "client CertificateVerify verified"));
    tlcp_builder_cleanup(&cv.b);
    side_free(&c);
    side_free(&s);

    /* Other transcripts: the signature does not cover the server's. */
    cv_sides(&c, &s, "handshake messages so far");
    assert_true(tlcp_transcript_update(&s.ctx.hs->transcript, (const uint8_t *)"x", 1, &s.err));
    assert_true(tlcp_is_ok(build(&cv, tlcp_hs_cert_verify_construct, &c)));
    assert_false(tlcp_is_ok(tlcp_hs_cert_verify_process(&s.ctx, body_cursor(&cv))));
    assert_alert(&s, TLCP_R_BAD_SIGNATURE, TLCP_ALERT_DECRYPT_ERROR);
    tlcp_builder_cleanup(&cv.b);
    side_free(&c);
    side_free(&s);
}

/* ---- finished -------------------------------------------------------- */

static void fin_sides(side *c, side *s)
{
    side_init(c, 0, TLCP_ECC_SM4_CBC_SM3);
    side_init(s, 1, TLCP_ECC_SM4_CBC_SM3);
    for (int i = 0; i < 48; i++)
        c->ctx.hs->master[i] = s->ctx.hs->master[i] = (uint8_t)(i * 7);
    assert_true(tlcp_transcript_update(&c->ctx.hs->transcript, (const uint8_t *)"abc", 3, &c->err));
    assert_true(tlcp_transcript_update(&s->ctx.hs->transcript, (const uint8_t *)"abc", 3, &s->err));
}

static void test_finished_and_change_cipher_spec(void **state)
{
    (void)state;
    side c, s;
    fin_sides(&c, &s);
    tlcp_cursor none;
    tlcp_cursor_init(&none, NULL, 0);
    /* An early ChangeCipherSpec is unexpected; after the keys it asks the
     * driver to switch the read keys, and ours to switch the write keys. */
    assert_false(tlcp_is_ok(tlcp_hs_ccs_process(&s.ctx, none)));
    assert_alert(&s, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    tlcp_error_clear(&s.err);
    s.ctx.hs->keys_ready = 1;
    tlcp_status st = tlcp_hs_ccs_process(&s.ctx, none);
    assert_true(tlcp_is_ok(st) && st.v == (TLCP_STATUS_OK_BIT | TLCP_HS_DO_ACTIVATE_READ));
    st = tlcp_hs_ccs_post_work(&c.ctx);
    assert_true(tlcp_is_ok(st) && st.v == (TLCP_STATUS_OK_BIT | TLCP_HS_DO_ACTIVATE_WRITE));

    body fin;
    assert_true(tlcp_is_ok(build(&fin, tlcp_hs_finished_construct, &c)));
    assert_true(tlcp_is_ok(tlcp_hs_finished_process(&s.ctx, body_cursor(&fin))));
    assert_true(e2e_captured(&s.trace, "client Finished verified"));
    /* The server's own Finished uses the other label: it does not pass as the client's. */
    body sfin;
    assert_true(tlcp_is_ok(build(&sfin, tlcp_hs_finished_construct, &s)));
    assert_false(tlcp_is_ok(tlcp_hs_finished_process(&s.ctx, body_cursor(&sfin))));
    assert_alert(&s, TLCP_R_BAD_FINISHED, TLCP_ALERT_DECRYPT_ERROR);
    tlcp_builder_cleanup(&fin.b);
    tlcp_builder_cleanup(&sfin.b);
    side_free(&c);
    side_free(&s);
}

/* ---- outside the sequences ------------------------------------------ */

static void test_hello_request_in_one_place(void **state)
{
    (void)state;
    side c, s;
    side_init(&c, 0, TLCP_ECC_SM4_CBC_SM3);
    side_init(&s, 1, TLCP_ECC_SM4_CBC_SM3);
    tlcp_cursor none;
    tlcp_cursor_init(&none, NULL, 0);
    /* While negotiating: ignored, no action. */
    tlcp_status st = tlcp_hs_hello_request_process(&c.ctx, none);
    assert_true(st.v == TLCP_STATUS_OK_BIT);
    assert_true(e2e_captured(&c.trace, "ignoring hello_request during the handshake"));
    /* Afterwards: the driver is asked to send warning no_renegotiation. */
    c.ctx.established = 1;
    c.ctx.hello_requests = 0;
    st = tlcp_hs_hello_request_process(&c.ctx, none);
    assert_true(st.v == (TLCP_STATUS_OK_BIT | TLCP_HS_DO_REFUSE_RENEGOTIATION));
    /* Not without end. */
    for (int i = 0; i < 3; i++)
        assert_true(tlcp_is_ok(tlcp_hs_hello_request_process(&c.ctx, none)));
    assert_false(tlcp_is_ok(tlcp_hs_hello_request_process(&c.ctx, none)));
    assert_alert(&c, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    /* A renegotiating ClientHello is fatal. */
    assert_false(tlcp_is_ok(tlcp_hs_renegotiation_process(&s.ctx, none)));
    assert_alert(&s, TLCP_R_NO_RENEGOTIATION, TLCP_ALERT_NO_RENEGOTIATION);
    side_free(&c);
    side_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_negotiates_without_a_connection),
        cmocka_unit_test(test_hello_without_a_shared_suite),
        cmocka_unit_test(test_certificate_verified_by_the_handler),
        cmocka_unit_test(test_certificate_refused_by_the_handler),
        cmocka_unit_test(test_key_exchange_cuts_the_same_keys),
        cmocka_unit_test(test_key_exchange_bad_signature),
        cmocka_unit_test(test_verify_checks_the_signature),
        cmocka_unit_test(test_finished_and_change_cipher_spec),
        cmocka_unit_test(test_hello_request_in_one_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

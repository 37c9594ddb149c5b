/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hardening found by review (issue #9 item 5): a verifying client needs a
 * host name, and the session and alert bookkeeping around it. Each test
 * failed before its fix.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "handshake/messages.h"
#include "handshake/session.h"
#include "record/record.h"
#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */

/* A client trusting the fixture CA, with no host name. */
static tlcp_config *nameless_client(void)
{
    tlcp_config *cfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
    assert_int_equal(tlcp_config_set_host_name(cfg, NULL), TLCP_OK);
    return cfg;
}

/* ---- a verifying client needs a host name ---------------------------- */

/* Without a host name any certificate of a trusted CA would pass for any
 * server: the handshake fails before the ClientHello is written. */
static void test_verifying_client_needs_host_name(void **state)
{
    (void)state;
    e2e_pair p;
    e2e_pair_open(&p, nameless_client(), e2e_server_config(FIX));
    assert_int_equal(tlcp_handshake(p.client), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_NO_HOST_NAME);
    assert_non_null(strstr(tlcp_conn_error(p.client), "tlcp_config_set_host_name"));
    assert_int_equal(p.io.c2s.len, 0); /* nothing sent, not even an alert */
    assert_int_equal(tlcp_conn_alert_sent(p.client), -1);
    assert_string_equal(tlcp_reason_string(TLCP_R_NO_HOST_NAME),
                        "no host name to verify the server against");
    e2e_pair_close(&p);

    /* OPTIONAL verifies on a client as well. */
    tlcp_config *cfg = nameless_client();
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_OPTIONAL), TLCP_OK);
    e2e_pair_open(&p, cfg, e2e_server_config(FIX));
    assert_int_equal(tlcp_handshake(p.client), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_NO_HOST_NAME);
    e2e_pair_close(&p);
}

/* The explicit opt-out verifies the chain and accepts any name; verify
 * mode NONE needs no name either. */
static void test_no_verify_name_opt_out(void **state)
{
    (void)state;
    tlcp_config *cfg = nameless_client();
    assert_int_equal(tlcp_config_insecure_no_verify_name(cfg), TLCP_OK);
    e2e_pair p;
    e2e_pair_open(&p, cfg, e2e_server_config(FIX));
    if (!e2e_pair_handshake(&p))
        fail_msg("%s / %s", tlcp_conn_error(p.client), tlcp_conn_error(p.server));
    e2e_pair_close(&p);

    /* The chain is still verified: a CA the client does not trust fails. */
    cfg = tlcp_config_new();
    assert_non_null(cfg);
    char *other = e2e_fixture_path("interop/gmssl2-ecc-sm4-cbc-sm3/", "ca.pem");
    assert_int_equal(tlcp_config_load_ca_file(cfg, other), TLCP_OK);
    free(other);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_insecure_no_verify_name(cfg), TLCP_OK);
    e2e_pair_open(&p, cfg, e2e_server_config(FIX));
    assert_false(e2e_pair_handshake(&p));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_CERT_VERIFY_FAILED);
    e2e_pair_close(&p);

    cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_NONE), TLCP_OK);
    e2e_pair_open(&p, cfg, e2e_server_config(FIX));
    assert_true(e2e_pair_handshake(&p));
    e2e_pair_close(&p);

    /* Like every setter, refused once a connection uses the config. */
    cfg = nameless_client();
    tlcp_conn *c = tlcp_conn_new(cfg, TLCP_CLIENT);
    assert_non_null(c);
    assert_int_equal(tlcp_config_insecure_no_verify_name(cfg), TLCP_ERROR);
    assert_int_equal(tlcp_config_insecure_no_verify_name(NULL), TLCP_ERROR);
    tlcp_conn_free(c);
    tlcp_config_free(cfg);
}

/* ---- a refused HelloRequest does not silence later fatal alerts ------- */

static tlcp_result read_some(tlcp_conn *c, uint8_t *buf, size_t len, size_t *n)
{
    tlcp_result r = TLCP_WANT_READ;
    for (int i = 0; i < 1000 && e2e_is_want(r); i++)
        r = tlcp_read(c, buf, len, n);
    return r;
}

/* The client answers a HelloRequest with a warning no_renegotiation; a
 * fatal error after that must still send its fatal alert (the warning used
 * to count as "an alert was sent" and the fatal one was skipped). */
static void test_fatal_alert_after_refused_hello_request(void **state)
{
    (void)state;
    e2e_pair p;
    e2e_pair_open(&p, e2e_client_config(FIX, "localhost", PINNED_TIME), e2e_server_config(FIX));
    assert_true(e2e_pair_handshake(&p));
    static const uint8_t hello_request[] = {TLCP_HS_HELLO_REQUEST, 0, 0, 0};
    assert_true(tlcp_record_write(p.server->rl, TLCP_CT_HANDSHAKE, hello_request, 4));
    size_t n = 0;
    assert_int_equal(tlcp_write(p.server, "x", 1, &n), TLCP_OK);
    uint8_t buf[8];
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_NO_RENEGOTIATION);

    /* A protected record that fails its MAC: fatal bad_record_mac. */
    uint8_t forged[5 + 64] = {TLCP_CT_APPLICATION_DATA, 0x01, 0x01, 0x00, 64};
    memset(forged + 5, 0x5A, 64);
    mp_buf_append(&p.io.s2c, forged, sizeof(forged));
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_BAD_RECORD_MAC);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_BAD_RECORD_MAC);

    /* The server reads the warning (ignored), then the fatal alert. */
    assert_int_equal(read_some(p.server, buf, sizeof(buf), &n), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_PEER_ALERT);
    assert_int_equal(tlcp_conn_alert_received(p.server), TLCP_ALERT_BAD_RECORD_MAC);
    e2e_pair_close(&p);
}

/* ---- a session the verify callback let through is not "verified" ------- */

static int accept_anything(void *arg, int ok, const char *reason, const uint8_t *s, size_t sl,
                           const uint8_t *e, size_t el)
{
    int *overrides = arg;
    (void)reason, (void)s, (void)sl, (void)e, (void)el;
    *overrides += !ok;
    return 1;
}

/* A client of "www.example.com" whose callback accepts the fixture server
 * (certified for localhost only). */
static tlcp_config *lenient_client(int *overrides)
{
    tlcp_config *cfg = e2e_client_config(FIX, "www.example.com", PINNED_TIME);
    assert_int_equal(tlcp_config_set_verify_callback(cfg, accept_anything, overrides), TLCP_OK);
    return cfg;
}

/* The callback overrides the host name mismatch; the session records that.
 * A strict connection to the same name must not resume it (resumption skips
 * the checks) but run a full handshake, which fails on the host name. */
static void test_overridden_session_not_resumed_strictly(void **state)
{
    (void)state;
    tlcp_config *scfg = e2e_server_config(FIX);
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    int overrides = 0;
    e2e_pair p;
    e2e_pair_open(&p, lenient_client(&overrides), tlcp_config_up_ref(scfg));
    if (!e2e_pair_handshake(&p))
        fail_msg("%s / %s", tlcp_conn_error(p.client), tlcp_conn_error(p.server));
    assert_int_equal(overrides, 1);
    tlcp_session *s = tlcp_conn_get_session(p.client);
    assert_non_null(s);
    e2e_pair_close(&p);
    assert_false(s->verified);
    assert_true(s->overridden);
    assert_int_equal(s->verify_reason, TLCP_R_HOSTNAME_MISMATCH);
    /* Exported and imported it stays unverified (the format has one flag). */
    uint8_t blob[TLCP_SESSION_EXPORT_MAX];
    size_t blob_len = 0;
    assert_int_equal(tlcp_session_export(s, blob, sizeof(blob), &blob_len), TLCP_OK);
    tlcp_session *imported = NULL;
    assert_int_equal(tlcp_session_import(blob, blob_len, &imported, NULL), TLCP_OK);
    assert_false(imported->verified);
    assert_false(tlcp_session_fits_peer(imported, "www.example.com", TLCP_VERIFY_REQUIRED));
    assert_true(tlcp_session_fits_peer(imported, "www.example.com", TLCP_VERIFY_NONE));
    tlcp_session_free(imported);

    e2e_pair_open(&p, e2e_client_config(FIX, "www.example.com", PINNED_TIME),
                  tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_false(e2e_pair_handshake(&p));
    assert_false(tlcp_conn_session_reused(p.client));
    assert_false(tlcp_conn_session_reused(p.server));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_HOSTNAME_MISMATCH);
    e2e_pair_close(&p);

    /* Verify mode NONE does not care how the session was verified. */
    tlcp_config *none = e2e_client_config(FIX, "www.example.com", PINNED_TIME);
    assert_int_equal(tlcp_config_set_verify_mode(none, TLCP_VERIFY_NONE), TLCP_OK);
    e2e_pair_open(&p, none, tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_true(e2e_pair_handshake(&p));
    assert_true(tlcp_conn_session_reused(p.client));
    e2e_pair_close(&p);
    tlcp_session_free(s);

    /* A session that passed the checks is verified and resumes strictly. */
    tlcp_config *strict = e2e_client_config(FIX, "localhost", PINNED_TIME);
    e2e_pair_open(&p, tlcp_config_up_ref(strict), tlcp_config_up_ref(scfg));
    assert_true(e2e_pair_handshake(&p));
    s = tlcp_conn_get_session(p.client);
    assert_non_null(s);
    e2e_pair_close(&p);
    assert_true(s->verified);
    assert_false(s->overridden);
    e2e_pair_open(&p, strict, tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_true(e2e_pair_handshake(&p));
    assert_true(tlcp_conn_session_reused(p.client));
    e2e_pair_close(&p);
    tlcp_session_free(s);
    tlcp_config_free(scfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verifying_client_needs_host_name),
        cmocka_unit_test(test_no_verify_name_opt_out),
        cmocka_unit_test(test_fatal_alert_after_refused_hello_request),
        cmocka_unit_test(test_overridden_session_not_resumed_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

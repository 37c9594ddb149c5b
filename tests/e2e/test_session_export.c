/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exported sessions in use: a session saved after a full handshake and
 * loaded into a new client (binary and PEM) is resumed by the server; one
 * loaded for another host name is not offered.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */

static tlcp_config *server_config(e2e_capture *trace)
{
    tlcp_config *cfg = e2e_server_config(FIX);
    assert_int_equal(tlcp_config_set_session_cache(cfg, 16, 600), TLCP_OK);
    assert_int_equal(tlcp_config_set_trace(cfg, e2e_capture_line, trace), TLCP_OK);
    return cfg;
}

/* One handshake of a new client (offering `offer` when not NULL); returns
 * whether it resumed, and the new session in *out (may be NULL). */
static int connect_once(tlcp_config *scfg, tlcp_config *ccfg, tlcp_session *offer,
                        tlcp_session **out)
{
    mp_pair io;
    tlcp_conn *c, *s;
    tlcp_config_up_ref(scfg);
    e2e_conns_open(&io, &c, &s, ccfg, scfg);
    if (offer != NULL)
        assert_int_equal(tlcp_conn_set_session(c, offer), TLCP_OK);
    if (!e2e_drive_handshake(c, s))
        fail_msg("handshake: client %s / server %s", tlcp_conn_error(c), tlcp_conn_error(s));
    int reused = tlcp_conn_session_reused(c);
    assert_int_equal(tlcp_conn_session_reused(s), reused);
    /* the server's certificates are known after a resumption too */
    assert_non_null(tlcp_conn_peer_subject(c, TLCP_CERT_SIGN));
    assert_non_null(tlcp_conn_peer_subject(c, TLCP_CERT_ENC));
    if (out != NULL)
        *out = tlcp_conn_get_session(c);
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    mp_pair_free(&io);
    return reused;
}

static tlcp_session *through_pem(const tlcp_session *s)
{
    size_t len = 0;
    assert_int_equal(tlcp_session_export_pem(s, NULL, 0, &len), TLCP_ERROR);
    char *text = malloc(len + 1);
    assert_non_null(text);
    assert_int_equal(tlcp_session_export_pem(s, text, len + 1, &len), TLCP_OK);
    tlcp_session *t = NULL;
    int reason = -1;
    assert_int_equal(tlcp_session_import_pem(text, len, &t, &reason), TLCP_OK);
    assert_int_equal(reason, TLCP_R_NONE);
    free(text);
    return t;
}

static tlcp_session *through_binary(const tlcp_session *s)
{
    uint8_t buf[TLCP_SESSION_EXPORT_MAX];
    size_t len = 0;
    assert_int_equal(tlcp_session_export(s, buf, sizeof(buf), &len), TLCP_OK);
    tlcp_session *t = NULL;
    assert_int_equal(tlcp_session_import(buf, len, &t, NULL), TLCP_OK);
    return t;
}

/* A client of host "localhost" (it verifies the fixture server). */
static int connect_localhost(tlcp_config *scfg, tlcp_session *offer, tlcp_session **out)
{
    return connect_once(scfg, e2e_client_config(FIX, "localhost", PINNED_TIME), offer, out);
}

/* The session of a first, full handshake. */
static tlcp_session *first_session(tlcp_config *scfg)
{
    tlcp_session *first = NULL;
    assert_int_equal(connect_localhost(scfg, NULL, &first), 0);
    assert_non_null(first);
    return first;
}

static void test_imported_session_resumes(void **state)
{
    (void)state;
    e2e_capture trace = {0};
    tlcp_config *scfg = server_config(&trace);
    tlcp_session *first = first_session(scfg);

    tlcp_session *loaded = through_pem(first);
    e2e_capture_free(&trace);
    assert_int_equal(connect_localhost(scfg, loaded, NULL), 1);
    assert_true(e2e_captured(&trace, "resuming the session the client offered"));
    tlcp_session_free(loaded);

    loaded = through_binary(first);
    assert_int_equal(connect_localhost(scfg, loaded, NULL), 1);
    tlcp_session_free(loaded);
    tlcp_session_free(first);
    tlcp_config_free(scfg);
    e2e_capture_free(&trace);
}

/* Resumption skips certificate checks: a session made with "localhost" is
 * not offered to another host name, even after a trip through a file. */
static void test_other_host_not_resumed(void **state)
{
    (void)state;
    e2e_capture trace = {0};
    tlcp_config *scfg = server_config(&trace);
    tlcp_session *first = first_session(scfg);
    tlcp_session *loaded = through_pem(first);

    /* verify mode none, so that the full handshake with the other name works */
    tlcp_config *other = tlcp_config_new();
    assert_non_null(other);
    assert_int_equal(tlcp_config_set_verify_mode(other, TLCP_VERIFY_NONE), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(other, "elsewhere.example"), TLCP_OK);
    e2e_capture_free(&trace);
    assert_int_equal(connect_once(scfg, other, loaded, NULL), 0);
    assert_false(e2e_captured(&trace, "resuming the session"));

    /* the same loaded session still resumes for its own host */
    assert_int_equal(connect_localhost(scfg, loaded, NULL), 1);
    tlcp_session_free(loaded);
    tlcp_session_free(first);
    tlcp_config_free(scfg);
    e2e_capture_free(&trace);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imported_session_resumes),
        cmocka_unit_test(test_other_host_not_resumed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

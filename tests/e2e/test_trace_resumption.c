/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trace lines of a resumed session: each side reports the negotiated cipher
 * suite exactly once. The server used to report its preferred suite and
 * then, on resuming, the session's suite as a second "negotiated" line; the
 * resumed session here has a suite other than the server's first choice,
 * so a stale first line would name the wrong suite.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/tongsuo-ecc-sm4-cbc-sm3-clientauth/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */

typedef struct capture {
    char *text;
    size_t len;
} capture;

static void capture_line(void *arg, const char *line)
{
    capture *c = arg;
    size_t n = strlen(line);
    char *p = realloc(c->text, c->len + n + 3);
    assert_non_null(p);
    c->text = p;
    if (c->len == 0)
        c->text[c->len++] = '\n'; /* every line sits between newlines */
    memcpy(c->text + c->len, line, n);
    c->len += n;
    c->text[c->len++] = '\n';
    c->text[c->len] = '\0';
}

static void capture_reset(capture *c)
{
    free(c->text);
    c->text = NULL;
    c->len = 0;
}

static size_t count(const capture *c, const char *needle)
{
    size_t n = 0;
    for (const char *p = c->text; p != NULL && (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static tlcp_config *server_config(capture *trace)
{
    static const uint16_t prefer[] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECC_SM4_CBC_SM3};
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    e2e_load_pair(cfg, FIX, "server", 0);
    e2e_load_pair(cfg, FIX, "server", 1);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, prefer, 2), TLCP_OK);
    assert_int_equal(tlcp_config_set_session_cache(cfg, 16, 600), TLCP_OK);
    assert_int_equal(tlcp_config_set_trace(cfg, capture_line, trace), TLCP_OK);
    return cfg;
}

static tlcp_config *client_config(const uint16_t *suites, size_t n, capture *trace)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_load_ca_file(cfg, tu_data_path(FIX "ca.pem")), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, "localhost"), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, suites, n), TLCP_OK);
    assert_int_equal(tlcp_config_set_trace(cfg, capture_line, trace), TLCP_OK);
    return cfg;
}

static void handshake(tlcp_conn *client, tlcp_conn *server)
{
    mp_pair io;
    mp_pair_init(&io);
    tlcp_conn_set_io(client, mp_read, mp_write, &io.client);
    tlcp_conn_set_io(server, mp_read, mp_write, &io.server);
    if (!e2e_drive_handshake(client, server))
        fail_msg("handshake: client %s / server %s", tlcp_conn_error(client),
                 tlcp_conn_error(server));
    mp_pair_free(&io);
}

static void test_resumed_suite_traced_once(void **state)
{
    (void)state;
    static const uint16_t cbc_only[] = {TLCP_ECC_SM4_CBC_SM3};
    static const uint16_t both[] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECC_SM4_CBC_SM3};
    capture st = {NULL, 0}, ct1 = {NULL, 0}, ct2 = {NULL, 0};
    tlcp_config *scfg = server_config(&st);

    /* 1: a full handshake on CBC, the only suite this client offers */
    tlcp_config *ccfg = client_config(cbc_only, 1, &ct1);
    tlcp_conn *c = tlcp_conn_new(ccfg, TLCP_CLIENT), *s = tlcp_conn_new(scfg, TLCP_SERVER);
    assert_non_null(c);
    assert_non_null(s);
    handshake(c, s);
    assert_int_equal(tlcp_conn_session_reused(c), 0);
    tlcp_session *session = tlcp_conn_get_session(c);
    assert_non_null(session);
    assert_int_equal(count(&st, "\nnegotiated cipher suite ECC_SM4_CBC_SM3 (0xE013)\n"), 1);
    assert_int_equal(count(&st, "negotiated cipher suite"), 1);
    assert_int_equal(count(&ct1, "\nnegotiated cipher suite ECC_SM4_CBC_SM3 (0xE013)\n"), 1);
    assert_int_equal(count(&ct1, "negotiated cipher suite"), 1);
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    capture_reset(&st);

    /* 2: resumed; the server would prefer GCM but the session is CBC */
    tlcp_config *ccfg2 = client_config(both, 2, &ct2);
    c = tlcp_conn_new(ccfg2, TLCP_CLIENT);
    s = tlcp_conn_new(scfg, TLCP_SERVER);
    assert_non_null(c);
    assert_non_null(s);
    assert_int_equal(tlcp_conn_set_session(c, session), TLCP_OK);
    handshake(c, s);
    assert_int_equal(tlcp_conn_session_reused(c), 1);
    assert_int_equal(tlcp_conn_session_reused(s), 1);
    assert_int_equal(count(&st, "\nresuming the session the client offered\n"), 1);
    assert_int_equal(count(&st, "\nnegotiated cipher suite ECC_SM4_CBC_SM3 (0xE013)\n"), 1);
    assert_int_equal(count(&st, "negotiated cipher suite"), 1);
    assert_int_equal(count(&ct2, "\nnegotiated cipher suite ECC_SM4_CBC_SM3 (0xE013)\n"), 1);
    assert_int_equal(count(&ct2, "negotiated cipher suite"), 1);
    assert_int_equal(count(&ct2, "\nserver resumed the session; abbreviated handshake\n"), 1);
    /* resuming comes first, then the one suite line */
    assert_true(strstr(st.text, "resuming the session") < strstr(st.text, "negotiated cipher"));

    tlcp_session_free(session);
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    tlcp_config_free(ccfg);
    tlcp_config_free(ccfg2);
    tlcp_config_free(scfg);
    capture_reset(&st);
    capture_reset(&ct1);
    capture_reset(&ct2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resumed_suite_traced_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

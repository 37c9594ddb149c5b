/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A 360-browser-style TLS ClientHello (built by tests/support/tls_hello.c:
 * record 0x0301 or 0x0303, client_version 0x0303, TLCP suites first, TLS
 * extensions) sent to a libtlcp server: answered with a TLCP ServerHello
 * when tlcp_config_accept_tls_hello_for_tlcp is on, refused with a
 * specific reason when it is off or when no TLCP suite is offered.
 */
#include "testutil.h"

#include <string.h>

#include "e2e_pair.h"
#include "tls_hello.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000

static tlcp_conn *server_with(int accept, mp_pair *io, tlcp_conn **client)
{
    tlcp_config *scfg = e2e_server_config(FIX);
    if (accept)
        assert_int_equal(tlcp_config_accept_tls_hello_for_tlcp(scfg, 1), TLCP_OK);
    tlcp_conn *server = NULL;
    e2e_conns_open(io, client, &server, e2e_client_config(FIX, "localhost", PINNED_TIME), scfg);
    return server;
}

/* Feeds the hello to a fresh server and runs it once. */
static tlcp_result send_hello(int accept, uint16_t rec, uint16_t ver, const uint16_t *suites,
                              size_t n, mp_pair *io, tlcp_conn **client, tlcp_conn **server)
{
    uint8_t hello[1024];
    size_t len = tu_tls_client_hello(hello, sizeof(hello), rec, ver, suites, n);
    assert_true(len > 0);
    *server = server_with(accept, io, client);
    mp_buf_append(&io->c2s, hello, len);
    return tlcp_handshake(*server);
}

static void test_360_hello_answered_with_tlcp(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0xE013, 0xE053, 0xC02F, 0xC030, 0x00FF};
    static const uint16_t recs[] = {0x0301, 0x0303};
    for (size_t i = 0; i < 2; i++) {
        mp_pair io;
        tlcp_conn *client, *server;
        tlcp_result r = send_hello(1, recs[i], 0x0303, suites, 5, &io, &client, &server);
        assert_int_equal(r, TLCP_WANT_READ); /* flight sent, waiting for the client */
        const uint8_t *out = io.s2c.data;
        assert_true(io.s2c.len > 50);
        /* Record: handshake, TLCP 0x0101; ServerHello with server_version 0x0101. */
        assert_int_equal(out[0], 22);
        assert_int_equal(out[1], 0x01);
        assert_int_equal(out[2], 0x01);
        assert_int_equal(out[5], 2);
        assert_int_equal(out[9], 0x01);
        assert_int_equal(out[10], 0x01);
        /* The server's preference among the offered TLCP suites. */
        uint16_t suite = tlcp_conn_cipher_suite(server);
        assert_true(suite == 0xE013 || suite == 0xE053);
        /* The reply is TLCP to the detector too. */
        assert_int_equal(tlcp_detect_protocol(out, io.s2c.len), TLCP_DETECT_TLCP);
        tlcp_conn_free(client);
        tlcp_conn_free(server);
        mp_pair_free(&io);
    }
}

static void test_tls_hello_refused(void **state)
{
    (void)state;
    static const uint16_t tlcp_first[] = {0xE013, 0xC02F};
    static const uint16_t tls_only[] = {0xC02F, 0x1301, 0x00FF};
    struct {
        int accept;
        uint16_t rec, ver;
        const uint16_t *suites;
        size_t n;
        int reason;
    } cases[] = {
        /* Off: a TLS record version, or a TLCP record with a TLS hello. */
        {0, 0x0303, 0x0303, tlcp_first, 2, TLCP_R_PROTOCOL_VERSION},
        {0, 0x0101, 0x0303, tlcp_first, 2, TLCP_R_TLS_CLIENT_HELLO},
        /* On, but no TLCP suite offered. */
        {1, 0x0303, 0x0303, tls_only, 3, TLCP_R_NO_SHARED_CIPHER},
        /* On, but an SSL 3.0 / unknown hello version. */
        {1, 0x0301, 0x0300, tlcp_first, 2, TLCP_R_PROTOCOL_VERSION},
        {1, 0x0301, 0x0304, tlcp_first, 2, TLCP_R_PROTOCOL_VERSION},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mp_pair io;
        tlcp_conn *client, *server;
        tlcp_result r = send_hello(cases[i].accept, cases[i].rec, cases[i].ver, cases[i].suites,
                                   cases[i].n, &io, &client, &server);
        assert_int_equal(r, TLCP_ERROR);
        if (tlcp_conn_error_reason(server) != cases[i].reason)
            fail_msg("case %zu: reason %d (%s), want %d", i, tlcp_conn_error_reason(server),
                     tlcp_conn_error(server), cases[i].reason);
        tlcp_conn_free(client);
        tlcp_conn_free(server);
        mp_pair_free(&io);
    }
}

/* With the option on, ordinary TLCP clients are served as before. */
static void test_tlcp_clients_unchanged(void **state)
{
    (void)state;
    tlcp_config *scfg = e2e_server_config(FIX);
    assert_int_equal(tlcp_config_accept_tls_hello_for_tlcp(scfg, 1), TLCP_OK);
    e2e_pair p;
    e2e_pair_open(&p, e2e_client_config(FIX, "localhost", PINNED_TIME), scfg);
    assert_true(e2e_pair_handshake(&p));
    e2e_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_360_hello_answered_with_tlcp),
        cmocka_unit_test(test_tls_hello_refused),
        cmocka_unit_test(test_tlcp_clients_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

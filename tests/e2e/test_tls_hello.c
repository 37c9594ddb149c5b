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

#include "conn_test.h"
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

/* Walks the client's records on the wire: every record up to and including
 * its ChangeCipherSpec carries `tls_version`, every later one 0x0101. */
static void check_client_records(const mp_buf *c2s, uint16_t tls_version)
{
    size_t pos = 0, records = 0;
    int after_ccs = 0;
    while (pos + 5 <= c2s->len) {
        const uint8_t *r = c2s->data + pos;
        unsigned version = (unsigned)r[1] << 8 | r[2];
        size_t len = (size_t)r[3] << 8 | r[4];
        assert_int_equal(version, after_ccs ? 0x0101 : tls_version);
        if (r[0] == 20)
            after_ccs = 1;
        pos += 5 + len;
        records++;
    }
    assert_int_equal(pos, c2s->len);
    assert_true(after_ccs && records >= 4); /* hello, key exchange, CCS, Finished, ... */
}

/* Application data both ways after the handshake. */
static void check_echo(tlcp_conn *client, tlcp_conn *server)
{
    static const uint8_t msg[] = "hello over TLCP after a TLS ClientHello";
    uint8_t buf[128];
    size_t n = 0;
    assert_int_equal(tlcp_write(client, msg, sizeof(msg), &n), TLCP_OK);
    assert_int_equal(n, sizeof(msg));
    assert_int_equal(tlcp_read(server, buf, sizeof(buf), &n), TLCP_OK);
    assert_int_equal(n, sizeof(msg));
    assert_memory_equal(buf, msg, sizeof(msg));
    assert_int_equal(tlcp_write(server, buf, n, &n), TLCP_OK);
    assert_int_equal(tlcp_read(client, buf, sizeof(buf), &n), TLCP_OK);
    assert_int_equal(n, sizeof(msg));
    assert_memory_equal(buf, msg, sizeof(msg));
}

/* A client that sends the 360-style hello (the test-build hook of
 * conn_test.h) and then goes on as a TLCP client: the whole handshake
 * (Certificate, ServerKeyExchange, ClientKeyExchange with a 0x0101
 * pre-master, CCS, Finished over a transcript holding the hello bytes as
 * sent) completes and data flows. */
static void run_360_client(uint16_t rec, const uint16_t *suites, size_t n, int accept,
                           uint16_t want_suite)
{
    uint8_t hello[1024];
    size_t len = tu_tls_client_hello(hello, sizeof(hello), rec, 0x0303, suites, n);
    assert_true(len > 0);
    mp_pair io;
    tlcp_conn *client, *server;
    server = server_with(accept, &io, &client);
    assert_int_equal(tlcp_conn_test_set_client_hello(client, hello, len), TLCP_OK);
    assert_int_equal(tlcp_handshake(client), TLCP_WANT_READ);
    /* On the wire: exactly the bytes built above. */
    assert_int_equal(io.c2s.len, len);
    assert_memory_equal(io.c2s.data, hello, len);
    int ok = e2e_run_handshake(&io, client, server);
    if (!accept) {
        assert_false(ok);
        assert_int_equal(tlcp_conn_error_reason(server),
                         rec == 0x0101 ? TLCP_R_TLS_CLIENT_HELLO : TLCP_R_PROTOCOL_VERSION);
        assert_int_equal(tlcp_conn_alert_sent(server), TLCP_ALERT_PROTOCOL_VERSION);
        assert_int_equal(tlcp_conn_alert_received(client), TLCP_ALERT_PROTOCOL_VERSION);
    } else {
        if (!ok)
            fail_msg("360-style handshake failed: client %s / server %s", tlcp_conn_error(client),
                     tlcp_conn_error(server));
        uint16_t got = tlcp_conn_cipher_suite(server);
        assert_true(want_suite != 0 ? got == want_suite : (got == 0xE013 || got == 0xE053));
        assert_int_equal(tlcp_conn_cipher_suite(client), got);
        check_client_records(&io.c2s, rec);
        check_echo(client, server);
    }
    tlcp_conn_free(client);
    tlcp_conn_free(server);
    mp_pair_free(&io);
}

static void test_360_full_handshake(void **state)
{
    (void)state;
    static const uint16_t cbc_first[] = {0xE013, 0xE053, 0xC02F, 0xC030, 0x1301, 0x00FF};
    static const uint16_t cbc_only[] = {0xE013, 0xC02F, 0x00FF};
    static const uint16_t gcm_only[] = {0xE053, 0xC02B, 0x00FF};
    run_360_client(0x0301, cbc_only, 3, 1, 0xE013);
    run_360_client(0x0303, cbc_only, 3, 1, 0xE013);
    run_360_client(0x0301, gcm_only, 3, 1, 0xE053);
    run_360_client(0x0303, gcm_only, 3, 1, 0xE053);
    run_360_client(0x0303, cbc_first, 6, 1, 0); /* 0: the server's choice of the two */
}

/* A service without the option: the same client is refused with
 * protocol_version, not left hanging. */
static void test_360_full_handshake_refused(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0xE013, 0xE053, 0xC02F, 0x00FF};
    run_360_client(0x0301, suites, 4, 0, 0);
    run_360_client(0x0303, suites, 4, 0, 0);
    run_360_client(0x0101, suites, 4, 0, 0);
}

/* The hook refuses what is not one whole ClientHello record. */
static void test_hook_rejects_bad_records(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0xE013};
    uint8_t hello[1024];
    size_t len = tu_tls_client_hello(hello, sizeof(hello), 0x0303, 0x0303, suites, 1);
    mp_pair io;
    tlcp_conn *client, *server = server_with(1, &io, &client);
    assert_int_equal(tlcp_conn_test_set_client_hello(client, hello, len - 1), TLCP_ERROR);
    hello[5] = 2; /* not a ClientHello */
    assert_int_equal(tlcp_conn_test_set_client_hello(client, hello, len), TLCP_ERROR);
    hello[5] = 1;
    assert_int_equal(tlcp_conn_test_set_client_hello(server, hello, len), TLCP_ERROR);
    tlcp_conn_free(client);
    tlcp_conn_free(server);
    mp_pair_free(&io);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_360_hello_answered_with_tlcp),
        cmocka_unit_test(test_tls_hello_refused),
        cmocka_unit_test(test_tlcp_clients_unchanged),
        cmocka_unit_test(test_360_full_handshake),
        cmocka_unit_test(test_360_full_handshake_refused),
        cmocka_unit_test(test_hook_rejects_bad_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

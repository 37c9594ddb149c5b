/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Session tickets end to end (RFC 5077): a full handshake issues a ticket,
 * the next connection resumes with it, in all four suites and with client
 * authentication; tickets that cannot be used (garbled, truncated, foreign,
 * from a removed key) give a full handshake, never an error; an old key's
 * ticket is renewed; the ticket survives the session export. A server
 * flight the client did not ask for fails: a NewSessionTicket without the
 * ServerHello's announcement (unexpected_message), the announcement in
 * answer to a ClientHello without the extension (unsupported_extension).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e_pair.h"
#include "handshake/session.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/tongsuo-ecc-sm4-cbc-sm3-clientauth/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */

static const uint16_t all_suites[] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECC_SM4_CBC_SM3,
                                      TLCP_ECDHE_SM4_GCM_SM3, TLCP_ECDHE_SM4_CBC_SM3};

static tlcp_config *server_config(uint16_t suite, e2e_capture *trace)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    e2e_load_pair(cfg, FIX, "server", 0);
    e2e_load_pair(cfg, FIX, "server", 1);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &suite, 1), TLCP_OK);
    assert_int_equal(tlcp_config_load_ca_file(cfg, tu_data_path(FIX "ca.pem")), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED), TLCP_OK);
    assert_int_equal(tlcp_config_set_session_tickets(cfg, 1), TLCP_OK);
    if (trace != NULL)
        assert_int_equal(tlcp_config_set_trace(cfg, e2e_capture_line, trace), TLCP_OK);
    return cfg;
}

static tlcp_config *client_config(int tickets, e2e_capture *trace)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    assert_int_equal(tlcp_config_load_ca_file(cfg, tu_data_path(FIX "ca.pem")), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(cfg, "localhost"), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, all_suites, 4), TLCP_OK);
    e2e_load_pair(cfg, FIX, "client", 0);
    e2e_load_pair(cfg, FIX, "client", 1);
    assert_int_equal(tlcp_config_set_session_tickets(cfg, tickets), TLCP_OK);
    if (trace != NULL)
        assert_int_equal(tlcp_config_set_trace(cfg, e2e_capture_line, trace), TLCP_OK);
    return cfg;
}

/* One connection offering `offer` (may be NULL); returns 1 when both ends
 * resumed, 0 for a full handshake; *out gets the client's new session. */
static int connect_once(tlcp_config *ccfg, tlcp_config *scfg, tlcp_session *offer,
                        tlcp_session **out)
{
    mp_pair io;
    mp_pair_init(&io);
    tlcp_conn *c = tlcp_conn_new(ccfg, TLCP_CLIENT), *s = tlcp_conn_new(scfg, TLCP_SERVER);
    assert_non_null(c);
    assert_non_null(s);
    if (offer != NULL)
        assert_int_equal(tlcp_conn_set_session(c, offer), TLCP_OK);
    tlcp_conn_set_io(c, mp_read, mp_write, &io.client);
    tlcp_conn_set_io(s, mp_read, mp_write, &io.server);
    if (!e2e_drive_handshake(c, s))
        fail_msg("handshake: client %s / server %s", tlcp_conn_error(c), tlcp_conn_error(s));
    int reused = tlcp_conn_session_reused(c);
    assert_int_equal(reused, tlcp_conn_session_reused(s));
    /* the client's identity is known on a resumed connection too */
    assert_non_null(tlcp_conn_peer_subject(s, TLCP_CERT_SIGN));
    if (out != NULL)
        *out = tlcp_conn_get_session(c);
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    mp_pair_free(&io);
    return reused;
}

static void release(tlcp_config *ccfg, tlcp_config *scfg, e2e_capture *ct, e2e_capture *st)
{
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
    e2e_capture_free(ct);
    e2e_capture_free(st);
}

static void test_resume_all_suites(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        e2e_capture ct = {0}, st = {0};
        tlcp_config *scfg = server_config(all_suites[i], &st), *ccfg = client_config(1, &ct);
        tlcp_session *s1 = NULL, *s2 = NULL;
        assert_int_equal(connect_once(ccfg, scfg, NULL, &s1), 0);
        assert_non_null(s1);
        assert_true(tlcp_session_has_ticket(s1));
        assert_int_equal(tlcp_session_ticket_lifetime_hint(s1), 7200);
        assert_true(e2e_captured(&st, "issuing a session ticket"));
        assert_true(e2e_captured(&ct, "received a session ticket"));
        assert_true(e2e_captured(&ct, "new_session_ticket"));
        assert_int_equal(connect_once(ccfg, scfg, s1, &s2), 1);
        assert_true(e2e_captured(&st, "resuming from a session ticket"));
        assert_non_null(s2);
        /* the ticket again, and again */
        assert_int_equal(connect_once(ccfg, scfg, s2, NULL), 1);
        tlcp_session_free(s1);
        tlcp_session_free(s2);
        release(ccfg, scfg, &ct, &st);
    }
}

/* Flips, cuts or replaces the ticket of `s` (a private copy of it). */
static tlcp_session *with_ticket(const tlcp_session *s, const uint8_t *t, size_t len)
{
    uint8_t buf[TLCP_SESSION_EXPORT_MAX];
    size_t n = 0;
    assert_int_equal(tlcp_session_export(s, buf, sizeof(buf), &n), TLCP_OK);
    tlcp_session *copy = NULL;
    assert_int_equal(tlcp_session_import(buf, n, &copy, NULL), TLCP_OK);
    assert_true(tlcp_session_set_ticket(copy, t, len, copy->ticket_hint));
    return copy;
}

static void test_unusable_tickets_full_handshake(void **state)
{
    (void)state;
    e2e_capture st = {0};
    tlcp_config *scfg = server_config(TLCP_ECC_SM4_GCM_SM3, &st), *ccfg = client_config(1, NULL);
    tlcp_session *good = NULL;
    assert_int_equal(connect_once(ccfg, scfg, NULL, &good), 0);
    uint8_t t[TLCP_TICKET_MAX_LEN];
    size_t len = good->ticket_len;
    memcpy(t, good->ticket, len);

    /* a byte flipped in the key name, the nonce, the ciphertext, the tag */
    size_t at[] = {0, 20, 40, len - 1};
    for (size_t i = 0; i < 4; i++) {
        t[at[i]] ^= 0x01;
        tlcp_session *bad = with_ticket(good, t, len);
        assert_int_equal(connect_once(ccfg, scfg, bad, NULL), 0);
        tlcp_session_free(bad);
        t[at[i]] ^= 0x01;
    }
    assert_true(e2e_captured(&st, "not accepted"));
    /* truncated, and a few bytes only */
    size_t cuts[] = {len - 1, 30, 1};
    for (size_t i = 0; i < 3; i++) {
        tlcp_session *bad = with_ticket(good, t, cuts[i]);
        assert_int_equal(connect_once(ccfg, scfg, bad, NULL), 0);
        tlcp_session_free(bad);
    }
    /* foreign: another server's random key */
    tlcp_config *other = server_config(TLCP_ECC_SM4_GCM_SM3, NULL);
    assert_int_equal(connect_once(ccfg, other, good, NULL), 0);
    tlcp_config_free(other);
    /* still good after all that */
    assert_int_equal(connect_once(ccfg, scfg, good, NULL), 1);
    tlcp_session_free(good);
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
    e2e_capture_free(&st);
}

static void test_rotation_and_removed_key(void **state)
{
    (void)state;
    static const uint8_t name1[16] = "key-one.........", name2[16] = "key-two.........";
    static const uint8_t secret[32] = "0123456789abcdef0123456789abcdef";
    e2e_capture st = {0};
    tlcp_config *scfg = server_config(TLCP_ECDHE_SM4_GCM_SM3, &st), *ccfg = client_config(1, NULL);
    assert_int_equal(tlcp_config_set_session_tickets(scfg, 0), TLCP_OK); /* drop the random key */
    assert_int_equal(tlcp_config_add_ticket_key(scfg, name1, secret, 32), TLCP_OK);
    tlcp_session *s1 = NULL, *s2 = NULL, *s3 = NULL;
    assert_int_equal(connect_once(ccfg, scfg, NULL, &s1), 0);
    assert_memory_equal(s1->ticket, name1, 16);
    /* rotate while the config is in use: the old ticket resumes and is renewed */
    assert_int_equal(tlcp_config_add_ticket_key(scfg, name2, secret, 32), TLCP_OK);
    assert_int_equal(connect_once(ccfg, scfg, s1, &s2), 1);
    assert_true(e2e_captured(&st, "under an older key: issuing a new one"));
    assert_memory_equal(s2->ticket, name2, 16);
    /* the old key goes: its tickets give full handshakes */
    assert_int_equal(tlcp_config_remove_ticket_key(scfg, name1), TLCP_OK);
    assert_int_equal(tlcp_config_remove_ticket_key(scfg, name1), TLCP_ERROR);
    assert_int_equal(connect_once(ccfg, scfg, s1, NULL), 0);
    assert_int_equal(connect_once(ccfg, scfg, s2, &s3), 1);
    /* a second server with the same named key opens the tickets */
    tlcp_config *peer = server_config(TLCP_ECDHE_SM4_GCM_SM3, NULL);
    assert_int_equal(tlcp_config_add_ticket_key(peer, name2, secret, 32), TLCP_OK);
    assert_int_equal(connect_once(ccfg, peer, s3, NULL), 1);
    tlcp_config_free(peer);
    tlcp_session_free(s1);
    tlcp_session_free(s2);
    tlcp_session_free(s3);
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
    e2e_capture_free(&st);
}

static void test_export_keeps_ticket_and_off_by_default(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config(TLCP_ECC_SM4_CBC_SM3, NULL), *ccfg = client_config(1, NULL);
    tlcp_session *s1 = NULL;
    assert_int_equal(connect_once(ccfg, scfg, NULL, &s1), 0);
    uint8_t buf[TLCP_SESSION_EXPORT_MAX];
    size_t n = 0;
    assert_int_equal(tlcp_session_export(s1, buf, sizeof(buf), &n), TLCP_OK);
    assert_int_equal(buf[4], 2); /* version 2: it has a ticket */
    tlcp_session *back = NULL;
    assert_int_equal(tlcp_session_import(buf, n, &back, NULL), TLCP_OK);
    assert_true(tlcp_session_has_ticket(back));
    assert_int_equal(connect_once(ccfg, scfg, back, NULL), 1);
    /* a client with tickets off sends no extension: no ticket, and the
     * ticket-only session (the server gave no session ID) does not resume */
    tlcp_config *plain = client_config(0, NULL);
    tlcp_session *s2 = NULL;
    assert_int_equal(connect_once(plain, scfg, back, &s2), 0);
    assert_true(s2 == NULL || !tlcp_session_has_ticket(s2));
    tlcp_session_free(s2);
    tlcp_config_free(plain);
    tlcp_session_free(back);
    tlcp_session_free(s1);
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
}

/* Server-side lifetime: a ticket past it gives a full handshake (and a new
 * ticket), not an error. The client's copy is kept valid longer so that it
 * does offer the ticket: the check under test is the server's. */
static void test_expired_ticket_full_handshake(void **state)
{
    (void)state;
    e2e_capture ct = {0}, st = {0};
    tlcp_config *scfg = server_config(TLCP_ECC_SM4_GCM_SM3, &st), *ccfg = client_config(1, &ct);
    assert_int_equal(tlcp_config_set_ticket_lifetime(scfg, 0), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_ticket_lifetime(scfg, 1), TLCP_OK);
    time_t issued = time(NULL);
    tlcp_session *s1 = NULL, *s2 = NULL;
    assert_int_equal(connect_once(ccfg, scfg, NULL, &s1), 0);
    assert_int_equal(tlcp_session_ticket_lifetime_hint(s1), 1);
    tlcp_session *offer = with_ticket(s1, s1->ticket, s1->ticket_len);
    tlcp_session_set_times(offer, (int64_t)time(NULL), 7200);
    /* "expired" is more than `lifetime` whole seconds after the issue */
    while (time(NULL) - issued < 3)
        sleep(1);
    assert_int_equal(connect_once(ccfg, scfg, offer, &s2), 0);
    assert_true(e2e_captured(&ct, "offering a session ticket"));
    assert_true(e2e_captured(&st, "not accepted (the session has expired): full handshake"));
    assert_true(tlcp_session_has_ticket(s2)); /* a fresh one */
    tlcp_session_free(offer);
    tlcp_session_free(s1);
    tlcp_session_free(s2);
    release(ccfg, scfg, &ct, &st);
}

/* ---- a server flight the client did not ask for ---------------------- */

/* One handshake that must fail on the client with `reason` and `alert`
 * (the server must read that alert). */
static void expect_client_failure(mp_pair *io, tlcp_conn *c, tlcp_conn *s, int reason, int alert)
{
    assert_int_equal(e2e_run_handshake(io, c, s), 0);
    if (tlcp_conn_error_reason(c) != reason || tlcp_conn_alert_sent(c) != alert)
        fail_msg("client: reason %d alert %d (%s), expected %d / %d", tlcp_conn_error_reason(c),
                 tlcp_conn_alert_sent(c), tlcp_conn_error(c), reason, alert);
    /* A server whose flight ended the handshake reads the alert as data. */
    uint8_t buf[16];
    size_t n = 0;
    for (int i = 0; i < 100 && tlcp_conn_alert_received(s) < 0; i++)
        if (tlcp_read(s, buf, sizeof(buf), &n) == TLCP_ERROR)
            break;
    assert_int_equal(tlcp_conn_alert_received(s), alert);
}

/* A plaintext NewSessionTicket record (hint 7200, a 16-byte ticket), put
 * before the server's ChangeCipherSpec, where a client that asked for a
 * ticket reads one: after its Finished, or after the ServerHello when
 * resuming. */
static void inject_new_session_ticket(mp_end *server)
{
    static const uint8_t rec[] = {22,   1,    1,   0,   26,  4,   0,   0,   22,  0,   0,
                                  0x1c, 0x20, 0,   16,  'u', 'n', 'a', 's', 'k', 'e', 'd',
                                  '-',  't',  'i', 'c', 'k', 'e', 't', '.', '.', '.'};
    mp_buf_append(&server->inject, rec, sizeof(rec));
}

static void test_unasked_new_session_ticket(void **state)
{
    (void)state;
    /* client tickets off / on, server tickets off: no ServerHello extension */
    for (int client_tickets = 0; client_tickets <= 1; client_tickets++) {
        e2e_capture ct = {0};
        tlcp_config *scfg = server_config(TLCP_ECC_SM4_GCM_SM3, NULL);
        tlcp_config *ccfg = client_config(client_tickets, &ct);
        assert_int_equal(tlcp_config_set_session_tickets(scfg, 0), TLCP_OK);
        mp_pair io;
        tlcp_conn *c, *s;
        e2e_conns_open(&io, &c, &s, ccfg, scfg);
        inject_new_session_ticket(&io.server);
        expect_client_failure(&io, c, s, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
        assert_false(e2e_captured(&ct, "received a session ticket"));
        tlcp_conn_free(c);
        tlcp_conn_free(s);
        mp_pair_free(&io);
        e2e_capture_free(&ct);
    }
}

static void test_unasked_ticket_on_resumption(void **state)
{
    (void)state;
    /* session-ID resumption (no client certificates: those are not cached) */
    e2e_capture ct = {0};
    tlcp_config *scfg = server_config(TLCP_ECC_SM4_CBC_SM3, NULL), *ccfg = client_config(0, &ct);
    assert_int_equal(tlcp_config_set_session_tickets(scfg, 0), TLCP_OK);
    assert_int_equal(tlcp_config_set_verify_mode(scfg, TLCP_VERIFY_NONE), TLCP_OK);
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    mp_pair io;
    tlcp_conn *c, *s;
    tlcp_config_up_ref(ccfg);
    tlcp_config_up_ref(scfg);
    e2e_conns_open(&io, &c, &s, ccfg, scfg);
    assert_int_equal(e2e_run_handshake(&io, c, s), 1);
    tlcp_session *s1 = tlcp_conn_get_session(c);
    assert_non_null(s1);
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    mp_pair_free(&io);
    e2e_conns_open(&io, &c, &s, ccfg, scfg); /* takes our references */
    assert_int_equal(tlcp_conn_set_session(c, s1), TLCP_OK);
    inject_new_session_ticket(&io.server);
    expect_client_failure(&io, c, s, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE);
    assert_true(e2e_captured(&ct, "server resumed the session; abbreviated handshake"));
    tlcp_conn_free(c);
    tlcp_conn_free(s);
    mp_pair_free(&io);
    tlcp_session_free(s1);
    e2e_capture_free(&ct);
}

/* Tamper hook of the server: appends the extension bytes in `arg` (type,
 * length, data; first byte = their count) to the ServerHello. */
static int add_server_hello_ext(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    const uint8_t *ext = arg;
    if (msg[0] != 2) /* ServerHello */
        return 0;
    size_t at = 4 + 2 + 32;    /* header, version, random */
    at += 1 + msg[at] + 2 + 1; /* session ID, suite, compression */
    assert_true(at <= len);
    size_t old_exts = at == len ? 0 : ((size_t)msg[at] << 8 | msg[at + 1]);
    size_t exts = old_exts + ext[0], body = len - 4 + ext[0] + (at == len ? 2 : 0);
    uint8_t hdr[4] = {2, (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body};
    uint8_t ext_len[2] = {(uint8_t)(exts >> 8), (uint8_t)exts};
    mp_buf_append(out, hdr, 4);
    mp_buf_append(out, msg + 4, at - 4);
    mp_buf_append(out, ext_len, 2);
    if (at < len)
        mp_buf_append(out, msg + at + 2, len - at - 2);
    mp_buf_append(out, ext + 1, ext[0]);
    return 1;
}

static void test_unasked_session_ticket_extension(void **state)
{
    (void)state;
    static uint8_t empty[] = {4, 0, 35, 0, 0}, with_data[] = {6, 0, 35, 0, 2, 0xab, 0xcd};
    static const struct {
        int client_tickets;
        uint8_t *ext;
        int reason, alert;
    } cases[] = {
        /* not offered: unsupported_extension (RFC 5246 7.4.1.4) */
        {0, empty, TLCP_R_EXTENSION_NOT_OFFERED, TLCP_ALERT_UNSUPPORTED_EXTENSION},
        {0, with_data, TLCP_R_EXTENSION_NOT_OFFERED, TLCP_ALERT_UNSUPPORTED_EXTENSION},
        /* offered, but the announcement is not empty (RFC 5077 3.2) */
        {1, with_data, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tlcp_config *scfg = server_config(TLCP_ECDHE_SM4_GCM_SM3, NULL);
        tlcp_config *ccfg = client_config(cases[i].client_tickets, NULL);
        assert_int_equal(tlcp_config_set_session_tickets(scfg, 0), TLCP_OK);
        mp_pair io;
        tlcp_conn *c, *s;
        e2e_conns_open(&io, &c, &s, ccfg, scfg);
        io.server.tamper = add_server_hello_ext;
        io.server.tamper_arg = cases[i].ext;
        expect_client_failure(&io, c, s, cases[i].reason, cases[i].alert);
        tlcp_conn_free(c);
        tlcp_conn_free(s);
        mp_pair_free(&io);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_all_suites),
        cmocka_unit_test(test_unusable_tickets_full_handshake),
        cmocka_unit_test(test_rotation_and_removed_key),
        cmocka_unit_test(test_export_keeps_ticket_and_off_by_default),
        cmocka_unit_test(test_expired_ticket_full_handshake),
        cmocka_unit_test(test_unasked_new_session_ticket),
        cmocka_unit_test(test_unasked_ticket_on_resumption),
        cmocka_unit_test(test_unasked_session_ticket_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

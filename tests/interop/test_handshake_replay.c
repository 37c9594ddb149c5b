/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replays the recorded traffic of every ECC and ECDHE fixture in
 * tests/data/interop through libtlcp's own handshake handlers:
 *
 *   - a SERVER-side checker (a tlcp_conn in the server role, configured with
 *     the recorded server keys) reads the client's bytes through its record
 *     layer and runs the server's process handlers on them: ClientHello,
 *     client Certificate, ClientKeyExchange (SM2-decrypting the pre-master
 *     with server-enc.key), CertificateVerify, ChangeCipherSpec, Finished;
 *   - a CLIENT-side checker (client role, trusting the recorded CA at a
 *     pinned time) reads the server's bytes: ServerHello, Certificate (chain
 *     and key usage verified), ServerKeyExchange (signature verified),
 *     CertificateRequest, ServerHelloDone, ChangeCipherSpec, Finished.
 *
 * Both checkers keep their transcript from the recorded messages in wire
 * order. ECC: the master secret comes from the decrypted pre-master and must
 * equal keylog.txt. ECDHE: the server's ephemeral key was not recorded, so
 * the master secret is taken from keylog.txt (the exchange itself is
 * covered by the e2e tests). Then both Finished messages must verify and the
 * application data must decrypt to client-sent.bin / server-sent.bin.
 *
 * Fixtures that record a failure are checked for the behaviour their README
 * asks of a correct implementation. The client's CertificateVerify is judged
 * twice: by a strict server (standard form only) and by the default one,
 * which also accepts GmSSL 3's and GmSSL 2's forms. RSA suites are not implemented and are
 * skipped. Resumption fixtures replay both connections: session-ID ones with
 * the cache, the ticket one with our NewSessionTicket handler and ticket offer
 * (client role) and the fall-back from a foreign ticket (server role).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn_internal.h"
#include "handshake/driver.h"
#include "handshake/handlers.h"
#include "handshake/keys.h"
#include "handshake/messages.h"
#include "handshake/session.h"
#include "handshake/ticket.h"
#include "mempipe.h"
#include "util/mem.h"

#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */

enum stage {
    ST_CLIENT_HELLO,
    ST_SERVER_HELLO,
    ST_SERVER_CERT,
    ST_SKE,
    ST_SERVER_DONE,
    ST_CLIENT_CERT,
    ST_CKE,
    ST_MASTER,
    ST_CERT_VERIFY,
    ST_CLIENT_FINISHED,
    ST_SERVER_FINISHED,
    ST_CLIENT_DATA,
    ST_SERVER_DATA,
    ST_COUNT
};

/* A handler's status, carried out on the connection's record layer the way
 * the driver would (install or switch keys): 1/0. */
static int H(tlcp_conn *c, tlcp_status s)
{
    return tlcp_hs_apply(&c->hc, c->rl, s);
}

static const char *const stage_names[ST_COUNT] = {"CH",    "SH",     "certs",  "SKE", "SHD",
                                                  "cCert", "CKE",    "master", "CV",  "cFin",
                                                  "sFin",  "c-data", "s-data"};

/* -1 not reached, 0 failed, 1 passed */
typedef struct replay {
    char dir[512];
    char manifest[8192];
    uint16_t suite;
    int is_ecdhe;
    tlcp_conn *srv; /* reads c2s */
    tlcp_conn *cli; /* reads s2c */
    mp_buf c2s, s2c, sink_c, sink_s;
    mp_end srv_end, cli_end;
    int result[ST_COUNT];
    char why[ST_COUNT][200];
    int cv_alert;        /* alert of a refused CertificateVerify (default mode) */
    int cv_strict;       /* -1 not reached, else the strict server's verdict */
    int cv_strict_alert; /* its alert when refused */
    uint8_t keylog_master[48];
    int have_keylog;
    const char *conn_prefix; /* "", "conn1-" or "conn2-" */
    /* The first connection's session, for the abbreviated second one. */
    uint8_t session_id[32];
    size_t session_id_len;
    uint8_t session_master[48];
    uint8_t ticket[2048]; /* the NewSessionTicket's ticket of conn1 (ticket fixtures) */
    size_t ticket_len;
    int resume_result; /* -1 not tried, 0 failed, 1 passed */
    char resume_why[200];
} replay;

static char *path_in(const replay *r, const char *file)
{
    static char buf[600];
    snprintf(buf, sizeof(buf), "%s/%s", r->dir, file);
    return buf;
}

static uint8_t *read_fixture(const replay *r, const char *file, size_t *len)
{
    return tu_read_file(path_in(r, file), len);
}

static int manifest_has(const replay *r, const char *needle)
{
    return strstr(r->manifest, needle) != NULL;
}

static void mark(replay *r, int stage, int ok, const char *why)
{
    r->result[stage] = ok;
    if (!ok)
        snprintf(r->why[stage], sizeof(r->why[stage]), "%s", why);
}

/* Both transcripts take every message, in wire order. */
static void hash_both(replay *r, tlcp_cursor msg)
{
    assert_true(tlcp_transcript_update(&r->srv->hc.hs->transcript, tlcp_cursor_data(&msg),
                                       tlcp_cursor_len(&msg), NULL));
    assert_true(tlcp_transcript_update(&r->cli->hc.hs->transcript, tlcp_cursor_data(&msg),
                                       tlcp_cursor_len(&msg), NULL));
}

static tlcp_cursor body_of(tlcp_cursor msg)
{
    tlcp_cursor b = msg;
    assert_true(tlcp_cursor_skip(&b, 4));
    return b;
}

/* Next item of one direction; 0 at the end of the recording or on error. */
static int next_item(tlcp_conn *c, tlcp_record_item *it)
{
    return tlcp_record_next(c->rl, it) == TLCP_OK;
}

static int next_handshake(tlcp_conn *c, tlcp_record_item *it, uint8_t type)
{
    return next_item(c, it) && it->kind == TLCP_ITEM_HANDSHAKE && it->hs_type == type;
}

static void load_keylog(replay *r)
{
    size_t len = 0;
    char *text = (char *)read_fixture(r, "keylog.txt", &len);
    if (text == NULL)
        return;
    char want[65];
    for (int i = 0; i < 32; i++)
        snprintf(want + 2 * i, 3, "%02x", r->srv->hc.hs->client_random[i]);
    char *line = text;
    while (line < text + len) {
        char *end = memchr(line, '\n', (size_t)(text + len - line));
        size_t n = end ? (size_t)(end - line) : (size_t)(text + len - line);
        if (n >= 14 + 64 + 1 + 96 && strncmp(line, "CLIENT_RANDOM ", 14) == 0 &&
            strncasecmp(line + 14, want, 64) == 0) {
            char hex[97];
            memcpy(hex, line + 14 + 65, 96);
            hex[96] = '\0';
            tu_hex_into(hex, r->keylog_master, 48);
            r->have_keylog = 1;
        }
        line += n + 1;
    }
    free(text);
}

static tlcp_config *checker_config(replay *r, int server)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    uint16_t all[] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECC_SM4_CBC_SM3, TLCP_ECDHE_SM4_GCM_SM3,
                      TLCP_ECDHE_SM4_CBC_SM3};
    if (server) {
        assert_int_equal(tlcp_config_set_cipher_suites(cfg, &r->suite, 1), TLCP_OK);
        char cert[600], key[600];
        snprintf(cert, sizeof(cert), "%s", path_in(r, "server-sign.pem"));
        snprintf(key, sizeof(key), "%s", path_in(r, "server-sign.key"));
        assert_int_equal(tlcp_config_load_sign_pair(cfg, cert, key, NULL), TLCP_OK);
        snprintf(cert, sizeof(cert), "%s", path_in(r, "server-enc.pem"));
        snprintf(key, sizeof(key), "%s", path_in(r, "server-enc.key"));
        assert_int_equal(tlcp_config_load_enc_pair(cfg, cert, key, NULL), TLCP_OK);
        /* Client chains may end at a root that is not part of the fixture:
         * the replay checks the client's signatures, not its chain. */
        assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_NONE), TLCP_OK);
    } else {
        assert_int_equal(tlcp_config_set_cipher_suites(cfg, all, 4), TLCP_OK);
        assert_int_equal(tlcp_config_load_ca_file(cfg, path_in(r, "ca.pem")), TLCP_OK);
        assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
        /* Every recorded server certificate names localhost. */
        assert_int_equal(tlcp_config_set_host_name(cfg, "localhost"), TLCP_OK);
        /* The recorded client's ALPN offer ("ClientHello:alpn(h2,http/1.1)"):
         * the server's answer is checked against it. */
        const char *alpn = strstr(r->manifest, "ClientHello:alpn(");
        if (alpn != NULL) {
            char list[256];
            alpn += strlen("ClientHello:alpn(");
            size_t len = strcspn(alpn, ")");
            assert_true(len < sizeof(list));
            memcpy(list, alpn, len);
            list[len] = '\0';
            assert_int_equal(tlcp_config_set_alpn(cfg, list), TLCP_OK);
        }
        /* With the recorded client pairs the checker answers a
         * CertificateRequest as the recorded client did (ECDHE needs both). */
        size_t n = 0;
        uint8_t *probe = read_fixture(r, "client-enc.key", &n);
        if (probe != NULL) {
            free(probe);
            char cert[600], key[600];
            snprintf(cert, sizeof(cert), "%s", path_in(r, "client-sign.pem"));
            snprintf(key, sizeof(key), "%s", path_in(r, "client-sign.key"));
            assert_int_equal(tlcp_config_load_sign_pair(cfg, cert, key, NULL), TLCP_OK);
            snprintf(cert, sizeof(cert), "%s", path_in(r, "client-enc.pem"));
            snprintf(key, sizeof(key), "%s", path_in(r, "client-enc.key"));
            assert_int_equal(tlcp_config_load_enc_pair(cfg, cert, key, NULL), TLCP_OK);
        }
    }
    return cfg;
}

static void open_checkers(replay *r)
{
    char c2s[64], s2c[64];
    size_t n = 0;
    snprintf(c2s, sizeof(c2s), "%sc2s.bin", r->conn_prefix);
    snprintf(s2c, sizeof(s2c), "%ss2c.bin", r->conn_prefix);
    uint8_t *data = read_fixture(r, c2s, &n);
    assert_non_null(data);
    mp_buf_append(&r->c2s, data, n);
    free(data);
    data = read_fixture(r, s2c, &n);
    assert_non_null(data);
    mp_buf_append(&r->s2c, data, n);
    free(data);

    tlcp_config *scfg = checker_config(r, 1), *ccfg = checker_config(r, 0);
    r->srv = tlcp_conn_new(scfg, TLCP_SERVER);
    r->cli = tlcp_conn_new(ccfg, TLCP_CLIENT);
    tlcp_config_free(scfg);
    tlcp_config_free(ccfg);
    assert_non_null(r->srv);
    assert_non_null(r->cli);
    r->srv_end.in = &r->c2s;
    r->srv_end.out = &r->sink_s;
    r->cli_end.in = &r->s2c;
    r->cli_end.out = &r->sink_c;
    tlcp_conn_set_io(r->srv, mp_read, mp_write, &r->srv_end);
    tlcp_conn_set_io(r->cli, mp_read, mp_write, &r->cli_end);
}

static void close_checkers(replay *r)
{
    tlcp_conn_free(r->srv);
    tlcp_conn_free(r->cli);
    r->srv = r->cli = NULL;
    mp_buf_free(&r->c2s);
    mp_buf_free(&r->s2c);
    mp_buf_free(&r->sink_c);
    mp_buf_free(&r->sink_s);
    memset(&r->srv_end, 0, sizeof(r->srv_end));
    memset(&r->cli_end, 0, sizeof(r->cli_end));
}

/* Runs a process handler; on failure records why and clears the slot. */
static int step(replay *r, int stage, tlcp_conn *c, int ok)
{
    const tlcp_error *rerr = tlcp_record_error(c->rl);
    const char *why = tlcp_error_is_set(&c->err) ? tlcp_conn_error(c)
                      : tlcp_error_is_set(rerr)  ? tlcp_error_message(rerr)
                                                 : "the recording has no such message";
    mark(r, stage, ok, why);
    if (!ok)
        tlcp_error_clear(&c->err);
    return ok;
}

static int replay_hellos(replay *r)
{
    tlcp_record_item it;
    if (!next_handshake(r->srv, &it, TLCP_HS_CLIENT_HELLO))
        return step(r, ST_CLIENT_HELLO, r->srv, 0);
    int ok = H(r->srv, tlcp_hs_client_hello_process(&r->srv->hc, body_of(it.data))) &&
             H(r->srv, tlcp_hs_client_hello_post_process(&r->srv->hc));
    if (!step(r, ST_CLIENT_HELLO, r->srv, ok))
        return 0;
    /* The checker does not ask for client certificates itself (verify mode
     * none), so it keeps the raw messages explicitly for CertificateVerify. */
    assert_true(tlcp_transcript_keep_raw(&r->srv->hc.hs->transcript));
    memcpy(r->cli->hc.hs->client_random, r->srv->hc.hs->client_random, 32);
    /* The client checker stands in for the recorded client: a ServerHello
     * may answer the session_ticket the recorded ClientHello offered. */
    tlcp_client_hello m;
    tlcp_error perr;
    tlcp_error_clear(&perr);
    assert_true(tlcp_parse_client_hello(body_of(it.data), &m, &perr));
    r->cli->hc.hs->ticket_ext_sent =
        tlcp_find_extension(m.extensions, m.num_extensions, TLCP_EXT_SESSION_TICKET) != NULL;
    hash_both(r, it.data);

    if (!next_handshake(r->cli, &it, TLCP_HS_SERVER_HELLO))
        return step(r, ST_SERVER_HELLO, r->cli, 0);
    ok = H(r->cli, tlcp_hs_server_hello_process(&r->cli->hc, body_of(it.data))) &&
         r->cli->hc.hs->suite == r->suite;
    if (!step(r, ST_SERVER_HELLO, r->cli, ok))
        return 0;
    memcpy(r->srv->hc.hs->server_random, r->cli->hc.hs->server_random, 32);
    hash_both(r, it.data);
    return 1;
}

static int replay_server_flight(replay *r)
{
    tlcp_record_item it;
    if (!next_handshake(r->cli, &it, TLCP_HS_CERTIFICATE))
        return step(r, ST_SERVER_CERT, r->cli, 0);
    if (!step(r, ST_SERVER_CERT, r->cli,
              H(r->cli, tlcp_hs_server_cert_process(&r->cli->hc, body_of(it.data)))))
        return 0;
    hash_both(r, it.data);

    if (!next_handshake(r->cli, &it, TLCP_HS_SERVER_KEY_EXCHANGE))
        return step(r, ST_SKE, r->cli, 0);
    if (!step(r, ST_SKE, r->cli,
              H(r->cli, tlcp_hs_server_kx_process(&r->cli->hc, body_of(it.data)))))
        return 0;
    hash_both(r, it.data);

    if (!next_item(r->cli, &it) || it.kind != TLCP_ITEM_HANDSHAKE)
        return step(r, ST_SERVER_DONE, r->cli, 0);
    if (it.hs_type == TLCP_HS_CERTIFICATE_REQUEST) {
        if (!step(r, ST_SERVER_DONE, r->cli,
                  H(r->cli, tlcp_hs_cert_request_process(&r->cli->hc, body_of(it.data)))))
            return 0;
        r->srv->hc.hs->cert_requested = 1;
        hash_both(r, it.data);
        if (!next_item(r->cli, &it) || it.kind != TLCP_ITEM_HANDSHAKE)
            return step(r, ST_SERVER_DONE, r->cli, 0);
    }
    int ok = it.hs_type == TLCP_HS_SERVER_HELLO_DONE &&
             H(r->cli, tlcp_hs_server_done_process(&r->cli->hc, body_of(it.data)));
    if (!step(r, ST_SERVER_DONE, r->cli, ok))
        return 0;
    hash_both(r, it.data);
    return 1;
}

static int replay_key_exchange(replay *r, tlcp_record_item *it)
{
    int ok;
    if (r->is_ecdhe) {
        /* Parse only: the recorded server's ephemeral key is not known. */
        tlcp_client_key_exchange m;
        ok = tlcp_parse_client_key_exchange(body_of(it->data), 1, &m, &r->srv->err);
    } else {
        ok = H(r->srv, tlcp_hs_client_kx_process(&r->srv->hc, body_of(it->data)));
    }
    if (!step(r, ST_CKE, r->srv, ok))
        return 0;
    hash_both(r, it->data);

    load_keylog(r);
    if (r->is_ecdhe) {
        ok = r->have_keylog;
        memcpy(r->srv->hc.hs->master, r->keylog_master, 48);
        memcpy(r->cli->hc.hs->master, r->keylog_master, 48);
        ok = ok && H(r->srv, tlcp_hs_install_key_block(&r->srv->hc)) &&
             H(r->cli, tlcp_hs_install_key_block(&r->cli->hc));
    } else {
        memcpy(r->cli->hc.hs->pre_master, r->srv->hc.hs->pre_master, 48);
        ok = H(r->srv, tlcp_hs_derive_keys(&r->srv->hc)) &&
             H(r->cli, tlcp_hs_derive_keys(&r->cli->hc)) && r->have_keylog &&
             memcmp(r->srv->hc.hs->master, r->keylog_master, 48) == 0;
        if (!ok && !tlcp_error_is_set(&r->srv->err))
            TLCP_ERR(&r->srv->err, TLCP_R_INTERNAL, "master secret differs from keylog.txt");
    }
    return step(r, ST_MASTER, r->srv, ok);
}

/* The CertificateVerify judged by a strict server first (standard form
 * only, so it needs no raw copy of the messages), then by the default one.
 * The handler drops the raw copy, so it is put back between the two. */
static void replay_cert_verify(replay *r, tlcp_cursor msg)
{
    tlcp_transcript *t = &r->srv->hc.hs->transcript;
    size_t raw_len = 0;
    const uint8_t *raw = tlcp_transcript_raw(t, &raw_len);
    uint8_t *saved = raw != NULL ? malloc(raw_len + 1) : NULL;
    if (raw != NULL) {
        assert_non_null(saved);
        memcpy(saved, raw, raw_len);
    }
    tlcp_hs_config *cfg = &r->srv->hc.cfg; /* the checker's own view */
    cfg->cv_accept = TLCP_CV_STANDARD;
    r->cv_strict = H(r->srv, tlcp_hs_cert_verify_process(&r->srv->hc, body_of(msg)));
    r->cv_strict_alert = r->srv->err.alert;
    tlcp_error_clear(&r->srv->err);
    cfg->cv_accept = TLCP_CV_ALL;
    if (saved != NULL) {
        assert_true(tlcp_transcript_keep_raw(t));
        assert_true(tlcp_builder_add_bytes(&t->raw, saved, raw_len));
        free(saved);
    }
    int ok = H(r->srv, tlcp_hs_cert_verify_process(&r->srv->hc, body_of(msg)));
    r->cv_alert = r->srv->err.alert;
    /* Judged, but not fatal here: the expectations decide. */
    step(r, ST_CERT_VERIFY, r->srv, ok);
}

/* Client Certificate, CKE, CertificateVerify, CCS, Finished. */
static int replay_client_flight(replay *r)
{
    tlcp_record_item it;
    if (!next_item(r->srv, &it) || it.kind != TLCP_ITEM_HANDSHAKE)
        return step(r, ST_CKE, r->srv, 0);
    if (it.hs_type == TLCP_HS_CERTIFICATE) {
        if (!step(r, ST_CLIENT_CERT, r->srv,
                  H(r->srv, tlcp_hs_client_cert_process(&r->srv->hc, body_of(it.data)))))
            return 0;
        hash_both(r, it.data);
        if (!next_handshake(r->srv, &it, TLCP_HS_CLIENT_KEY_EXCHANGE))
            return step(r, ST_CKE, r->srv, 0);
    }
    if (it.hs_type != TLCP_HS_CLIENT_KEY_EXCHANGE)
        return step(r, ST_CKE, r->srv, 0);
    if (!replay_key_exchange(r, &it))
        return 0;

    if (!next_item(r->srv, &it))
        return step(r, ST_CLIENT_FINISHED, r->srv, 0);
    if (it.kind == TLCP_ITEM_HANDSHAKE && it.hs_type == TLCP_HS_CERTIFICATE_VERIFY) {
        replay_cert_verify(r, it.data);
        hash_both(r, it.data);
        if (!next_item(r->srv, &it))
            return step(r, ST_CLIENT_FINISHED, r->srv, 0);
    }
    int ok = it.kind == TLCP_ITEM_CHANGE_CIPHER_SPEC &&
             H(r->srv, tlcp_hs_ccs_process(&r->srv->hc, it.data)) &&
             next_handshake(r->srv, &it, TLCP_HS_FINISHED) &&
             H(r->srv, tlcp_hs_finished_process(&r->srv->hc, body_of(it.data)));
    if (!step(r, ST_CLIENT_FINISHED, r->srv, ok))
        return 0;
    hash_both(r, it.data);
    return 1;
}

static int replay_server_finish(replay *r)
{
    tlcp_record_item it;
    int ok = next_item(r->cli, &it);
    /* Tongsuo sends a NewSessionTicket before its CCS: part of the transcript. */
    while (ok && it.kind == TLCP_ITEM_HANDSHAKE && it.hs_type == TLCP_HS_NEW_SESSION_TICKET) {
        /* our client's handler keeps the ticket for conn2 */
        if (!H(r->cli, tlcp_hs_new_session_ticket_process(&r->cli->hc, body_of(it.data))))
            return step(r, ST_SERVER_FINISHED, r->cli, 0);
        const tlcp_hs *ch = r->cli->hc.hs;
        if (ch->new_ticket != NULL && ch->new_ticket_len <= sizeof(r->ticket)) {
            memcpy(r->ticket, ch->new_ticket, ch->new_ticket_len);
            r->ticket_len = ch->new_ticket_len;
        }
        hash_both(r, it.data);
        ok = next_item(r->cli, &it);
    }
    ok = ok && it.kind == TLCP_ITEM_CHANGE_CIPHER_SPEC &&
         H(r->cli, tlcp_hs_ccs_process(&r->cli->hc, it.data)) &&
         next_handshake(r->cli, &it, TLCP_HS_FINISHED) &&
         H(r->cli, tlcp_hs_finished_process(&r->cli->hc, body_of(it.data)));
    return step(r, ST_SERVER_FINISHED, r->cli, ok);
}

/* Decrypts one direction's application data and compares it. */
static void replay_data(replay *r, int stage, tlcp_conn *c, const char *sent_file)
{
    size_t want_len = 0;
    char file[64];
    snprintf(file, sizeof(file), "%s%s", r->conn_prefix, sent_file);
    uint8_t *want = read_fixture(r, file, &want_len);
    mp_buf got = {0};
    tlcp_record_item it;
    while (tlcp_record_next(c->rl, &it) == TLCP_OK)
        if (it.kind == TLCP_ITEM_APPLICATION_DATA)
            mp_buf_append(&got, tlcp_cursor_data(&it.data), tlcp_cursor_len(&it.data));
    int ok =
        want == NULL ? got.len == 0 : got.len == want_len && memcmp(got.data, want, want_len) == 0;
    char why[120];
    snprintf(why, sizeof(why), "decrypted %zu bytes, recorded %zu", got.len, want_len);
    mark(r, stage, ok, why);
    free(want);
    mp_buf_free(&got);
}

static void run_replay(replay *r)
{
    for (int i = 0; i < ST_COUNT; i++)
        r->result[i] = -1;
    r->cv_strict = -1;
    size_t n = 0;
    uint8_t *probe = read_fixture(r, "conn1-c2s.bin", &n);
    r->conn_prefix = probe != NULL ? "conn1-" : "";
    free(probe);
    open_checkers(r);
    if (replay_hellos(r) && replay_server_flight(r) && replay_client_flight(r) &&
        replay_server_finish(r)) {
        replay_data(r, ST_CLIENT_DATA, r->srv, "client-sent.bin");
        replay_data(r, ST_SERVER_DATA, r->cli, "server-sent.bin");
        r->session_id_len = r->cli->hc.hs->session_id_len;
        memcpy(r->session_id, r->cli->hc.hs->session_id, r->session_id_len);
        memcpy(r->session_master, r->keylog_master, 48);
    }
    close_checkers(r);
}

static int resume_fail(replay *r, const char *what, tlcp_conn *c)
{
    snprintf(r->resume_why, sizeof(r->resume_why), "%s: %s", what,
             c != NULL && tlcp_error_is_set(&c->err) ? tlcp_conn_error(c) : "missing");
    return 0;
}

static int replay_abbreviated(replay *r, tlcp_record_item *ch);

/* The second connection of a session-ID fixture: an abbreviated handshake.
 * The client checker offers the first connection's session; the server
 * checker has it in its cache. Both must agree to resume, and both
 * Finished messages and the application data must check. */
static int replay_resumption(replay *r)
{
    r->conn_prefix = "conn2-";
    open_checkers(r);
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *session = tlcp_session_new(r->session_id, r->suite, r->session_master, none);
    assert_non_null(session);
    /* conn1 verified the server's certificates as localhost */
    assert_true(tlcp_session_bind_peer(session, "localhost", 1));
    assert_int_equal(tlcp_conn_set_session(r->cli, session), TLCP_OK);
    tlcp_session_free(session);
    /* what the client checker's ClientHello would have carried */
    memcpy(r->cli->hc.hs->offered_id, r->session_id, 32);
    r->cli->hc.hs->offered_id_len = 32;
    tlcp_config *scfg = r->srv->cfg;
    scfg->sessions = tlcp_session_cache_new(4, 0); /* the checker's own config (frozen) */
    assert_non_null(scfg->sessions);
    tlcp_session_cache_as_store(scfg->sessions, &scfg->store, &scfg->store_arg);
    r->srv->hc.cfg.store = &scfg->store; /* the handshake's view of it */
    r->srv->hc.cfg.store_arg = scfg->store_arg;
    tlcp_session_cache_store(scfg->sessions, r->session_id, r->suite, r->session_master,
                             NULL); /* the fixtures send no server_name */

    tlcp_record_item it;
    if (!next_handshake(r->srv, &it, TLCP_HS_CLIENT_HELLO) ||
        !H(r->srv, tlcp_hs_client_hello_process(&r->srv->hc, body_of(it.data))) ||
        !H(r->srv, tlcp_hs_client_hello_post_process(&r->srv->hc)) || !r->srv->hc.hs->resumed)
        return resume_fail(r, "server did not resume", r->srv);
    return replay_abbreviated(r, &it);
}

/* From the ClientHello (in *it, processed) on: ServerHello, server CCS and
 * Finished, client CCS and Finished, application data. */
static int replay_abbreviated(replay *r, tlcp_record_item *ch)
{
    tlcp_record_item it;
    memcpy(r->cli->hc.hs->client_random, r->srv->hc.hs->client_random, 32);
    hash_both(r, ch->data);
    if (!next_handshake(r->cli, &it, TLCP_HS_SERVER_HELLO) ||
        !H(r->cli, tlcp_hs_server_hello_process(&r->cli->hc, body_of(it.data))) ||
        !r->cli->hc.hs->resumed)
        return resume_fail(r, "client did not resume", r->cli);
    memcpy(r->srv->hc.hs->server_random, r->cli->hc.hs->server_random, 32);
    if (!H(r->srv, tlcp_hs_server_hello_post_work(&r->srv->hc)))
        return resume_fail(r, "server keys", r->srv);
    hash_both(r, it.data);
    if (!next_item(r->cli, &it) || it.kind != TLCP_ITEM_CHANGE_CIPHER_SPEC ||
        !H(r->cli, tlcp_hs_ccs_process(&r->cli->hc, it.data)) ||
        !next_handshake(r->cli, &it, TLCP_HS_FINISHED) ||
        !H(r->cli, tlcp_hs_finished_process(&r->cli->hc, body_of(it.data))))
        return resume_fail(r, "server Finished", r->cli);
    hash_both(r, it.data);
    if (!next_item(r->srv, &it) || it.kind != TLCP_ITEM_CHANGE_CIPHER_SPEC ||
        !H(r->srv, tlcp_hs_ccs_process(&r->srv->hc, it.data)) ||
        !next_handshake(r->srv, &it, TLCP_HS_FINISHED) ||
        !H(r->srv, tlcp_hs_finished_process(&r->srv->hc, body_of(it.data))))
        return resume_fail(r, "client Finished", r->srv);
    replay_data(r, ST_CLIENT_DATA, r->srv, "client-sent.bin");
    replay_data(r, ST_SERVER_DATA, r->cli, "server-sent.bin");
    if (r->result[ST_CLIENT_DATA] != 1 || r->result[ST_SERVER_DATA] != 1)
        return resume_fail(r, "application data", NULL);
    return 1;
}

/* The second connection of a ticket fixture. Client role: our client
 * offers conn1's ticket (kept by our NewSessionTicket handler) with the
 * session ID the recorded client sent, and must take the server's echo as
 * resumption. Server role: our server cannot open Tongsuo's ticket (its key
 * is Tongsuo's), so it must fall back to a full handshake without an error;
 * the checker then continues as if the ticket had opened (master from
 * keylog.txt) to check the client's Finished and data. */
static int replay_ticket_resumption(replay *r)
{
    if (r->ticket_len == 0)
        return resume_fail(r, "no ticket kept from connection 1", r->cli);
    r->conn_prefix = "conn2-";
    open_checkers(r);
    uint8_t no_id[32] = {0};
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *session = tlcp_session_new(no_id, r->suite, r->session_master, none);
    assert_non_null(session);
    assert_true(tlcp_session_bind_peer(session, "localhost", 1));
    assert_true(tlcp_session_set_ticket(session, r->ticket, r->ticket_len, 7200));
    assert_int_equal(tlcp_conn_set_session(r->cli, session), TLCP_OK);
    tlcp_session_free(session);
    r->cli->hc.cfg.offer_tickets = 1;
    assert_int_equal(tlcp_config_set_session_tickets(r->srv->cfg, 0), TLCP_ERROR); /* frozen */
    static const uint8_t name[16] = "replay checker..";
    assert_int_equal(tlcp_config_add_ticket_key(r->srv->cfg, name, name, 16), TLCP_OK);
    r->srv->hc.cfg.ticket_keys = r->srv->cfg->ticket_keys;

    tlcp_record_item it;
    if (!next_handshake(r->srv, &it, TLCP_HS_CLIENT_HELLO) ||
        !H(r->srv, tlcp_hs_client_hello_process(&r->srv->hc, body_of(it.data))))
        return resume_fail(r, "server failed on a foreign ticket", r->srv);
    tlcp_hs *sh = r->srv->hc.hs;
    if (sh->resumed || !sh->ticket)
        return resume_fail(r, "server did not fall back to a full handshake", NULL);
    tlcp_client_hello m;
    tlcp_error perr;
    tlcp_error_clear(&perr);
    assert_true(tlcp_parse_client_hello(body_of(it.data), &m, &perr));
    sh->resumed = 1; /* as if the ticket had opened */
    sh->ticket = 0;
    memcpy(sh->master, r->session_master, 48);
    memcpy(r->cli->hc.hs->offered_id, m.session_id, m.session_id_len);
    r->cli->hc.hs->offered_id_len = m.session_id_len;
    r->cli->hc.hs->ticket_ext_sent = 1;
    return replay_abbreviated(r, &it);
}

static void print_result(const char *name, const replay *r)
{
    char line[512];
    size_t n = (size_t)snprintf(line, sizeof(line), "%-62s", name);
    for (int i = 0; i < ST_COUNT && n < sizeof(line); i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, " %s%s", stage_names[i],
                              r->result[i] == 1   ? "+"
                              : r->result[i] == 0 ? "!"
                                                  : "-");
    if (r->cv_strict >= 0)
        snprintf(line + n, sizeof(line) - n, " strict-CV%s", r->cv_strict ? "+" : "!");
    print_message("%s\n", line);
    for (int i = 0; i < ST_COUNT; i++)
        if (r->result[i] == 0)
            print_message("    %s: %s\n", stage_names[i], r->why[i]);
}

/* The CertificateVerify verdicts. By default a server accepts the standard
 * double hash, GmSSL 3's signature over the raw messages and GmSSL 2's
 * digest without Z, always with the client's sign key: only a signature by
 * another key (the enc key) is refused. A strict server accepts only the
 * standard form, which is what the READMEs' "standard SM2 signature by the
 * client sign certificate" asks. Refusals carry decrypt_error. */
static void check_cert_verify(const char *name, const replay *r)
{
    int wrong_key = manifest_has(r, "signed with the client enc key");
    int standard = !wrong_key && !manifest_has(r, "no Z/ID") &&
                   !manifest_has(r, "signs the raw handshake messages");
    if (r->result[ST_CERT_VERIFY] != !wrong_key || r->cv_strict != standard)
        fail_msg("%s: CertificateVerify default %d strict %d, expected %d and %d", name,
                 r->result[ST_CERT_VERIFY], r->cv_strict, !wrong_key, standard);
    if (wrong_key)
        assert_int_equal(r->cv_alert, TLCP_ALERT_DECRYPT_ERROR);
    if (!standard)
        assert_int_equal(r->cv_strict_alert, TLCP_ALERT_DECRYPT_ERROR);
}

/* Which stages must pass, and what the CertificateVerify must give. */
static void check_expectations(const char *name, const replay *r)
{
    const int *res = r->result;
    if (manifest_has(r, "\"expect\": \"handshake-ok\"")) {
        for (int i = 0; i < ST_COUNT; i++) {
            if (i == ST_CLIENT_CERT || i == ST_CERT_VERIFY)
                continue;
            if (res[i] != 1)
                fail_msg("%s: stage %s did not pass", name, stage_names[i]);
        }
        if (manifest_has(r, "\"client_auth\": true")) {
            assert_int_equal(res[ST_CLIENT_CERT], 1);
            assert_int_equal(res[ST_CERT_VERIFY], 1);
            check_cert_verify(name, r);
        }
        return;
    }
    if (manifest_has(r, "certificate-verify")) {
        /* Everything before the CertificateVerify checks; the verdicts on
         * it follow the form and the key (check_cert_verify). */
        assert_int_equal(res[ST_MASTER], 1);
        assert_int_equal(res[ST_CLIENT_FINISHED], 1);
        check_cert_verify(name, r);
        return;
    }
    if (manifest_has(r, "client-must-accept-ske-named-curve-41")) {
        assert_int_equal(res[ST_SERVER_CERT], 1);
        assert_int_equal(res[ST_SKE], 1);
        assert_int_equal(res[ST_SERVER_DONE], 1);
        return;
    }
    fail_msg("%s: no expectation known for this fixture", name);
}

static void test_replay_fixtures(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = tu_list_fixtures(&names);
    assert_true(n > 0);
    size_t checked = 0, full = 0, resumed = 0;
    for (size_t i = 0; i < n; i++) {
        replay *r = calloc(1, sizeof(*r));
        assert_non_null(r);
        char rel[300];
        snprintf(rel, sizeof(rel), "interop/%s", names[i]);
        snprintf(r->dir, sizeof(r->dir), "%s", tu_data_path(rel));
        size_t mlen = 0;
        char *m = (char *)read_fixture(r, "manifest.json", &mlen);
        assert_non_null(m);
        snprintf(r->manifest, sizeof(r->manifest), "%.*s", (int)mlen, m);
        free(m);
        unsigned code = 0;
        const char *sc = strstr(r->manifest, "\"suite_code\": \"0x");
        if (sc != NULL)
            sscanf(sc + 17, "%x", &code);
        r->suite = (uint16_t)code;
        if (code != TLCP_ECC_SM4_CBC_SM3 && code != TLCP_ECC_SM4_GCM_SM3 &&
            code != TLCP_ECDHE_SM4_CBC_SM3 && code != TLCP_ECDHE_SM4_GCM_SM3) {
            print_message("%-62s skipped (suite 0x%04X not implemented)\n", names[i], code);
            free(r);
            continue;
        }
        r->is_ecdhe = code == TLCP_ECDHE_SM4_CBC_SM3 || code == TLCP_ECDHE_SM4_GCM_SM3;
        run_replay(r);
        print_result(names[i], r);
        check_expectations(names[i], r);
        if (manifest_has(r, "\"resumption\": \"session-id\"")) {
            assert_int_equal(r->session_id_len, 32);
            r->resume_result = replay_resumption(r);
            close_checkers(r);
            print_message("%-62s conn2 abbreviated handshake %s %s\n", names[i],
                          r->resume_result ? "resumed+ sFin+ cFin+ c-data+ s-data+" : "FAILED:",
                          r->resume_result ? "" : r->resume_why);
            assert_int_equal(r->resume_result, 1);
            resumed++;
        }
        if (manifest_has(r, "\"resumption\": \"ticket\"")) {
            r->resume_result = replay_ticket_resumption(r);
            close_checkers(r);
            print_message("%-62s conn2 ticket resumption %s %s\n", names[i],
                          r->resume_result ? "resumed+ sFin+ cFin+ c-data+ s-data+" : "FAILED:",
                          r->resume_result ? "" : r->resume_why);
            assert_int_equal(r->resume_result, 1);
            resumed++;
        }
        checked++;
        full += r->result[ST_SERVER_DATA] == 1;
        free(r);
    }
    print_message("replayed %zu fixtures, %zu end to end through the application data, "
                  "%zu abbreviated handshakes\n",
                  checked, full, resumed);
    tu_free_list(names, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

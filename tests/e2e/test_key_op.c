/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Delegated private keys (tlcp_key_op_fn): every suite, both roles (server
 * sign + enc; client sign for CertificateVerify and enc for ECDHE), with a
 * callback that completes at once, later from a worker thread (the loop
 * waits on a pipe), fails, or never answers (timeout); a failed delegated
 * decryption shows only at Finished; the done() API's misuse.
 */
#include "testutil.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e_pair.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000

enum mode { M_NOW, M_THREAD, M_FAIL, M_SILENT, M_FAIL_DECRYPT };

typedef struct holder {
    tlcp_private_key *key;
    int mode;
    int calls;
    int pipe_fd[2];
    pthread_t thread;
    int have_thread;
    /* the worker's answer */
    tlcp_key_op op_copy;
    const tlcp_key_op *op;
    uint8_t out[TLCP_KEY_OP_MAX_OUT];
    size_t out_len;
    int status;
} holder;

static void *worker(void *arg)
{
    holder *h = arg;
    struct timespec ts = {0, 5 * 1000 * 1000}; /* a card's few milliseconds */
    nanosleep(&ts, NULL);
    h->status = tlcp_private_key_perform(h->key, h->op, h->out, &h->out_len);
    char c = 1;
    assert_int_equal(write(h->pipe_fd[1], &c, 1), 1);
    return NULL;
}

static int key_cb(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out, size_t *out_len)
{
    (void)conn;
    holder *h = arg;
    h->calls++;
    assert_int_equal(op->max_out, TLCP_KEY_OP_MAX_OUT);
    assert_memory_equal(op->public_point, tlcp_private_key_point(h->key), 65);
    switch (h->mode) {
    case M_NOW:
        return tlcp_private_key_perform(h->key, op, out, out_len);
    case M_FAIL:
        return TLCP_KEY_OP_FAILED;
    case M_FAIL_DECRYPT:
        if (op->type == TLCP_KEY_OP_DECRYPT)
            return TLCP_KEY_OP_FAILED;
        return tlcp_private_key_perform(h->key, op, out, out_len);
    case M_SILENT:
        return TLCP_KEY_OP_PENDING;
    default:
        h->op = op; /* valid until done() */
        assert_int_equal(pthread_create(&h->thread, NULL, worker, h), 0);
        h->have_thread = 1;
        return TLCP_KEY_OP_PENDING;
    }
}

static void holder_init(holder *h, const char *who, int enc, int mode)
{
    memset(h, 0, sizeof(*h));
    char cert[64], key[64], err[256];
    snprintf(cert, sizeof(cert), "%s-%s.pem", who, enc ? "enc" : "sign");
    snprintf(key, sizeof(key), "%s-%s.key", who, enc ? "enc" : "sign");
    char *c = e2e_fixture_path(FIX, cert), *k = e2e_fixture_path(FIX, key);
    h->key = tlcp_private_key_load(c, k, NULL, err, sizeof(err));
    if (h->key == NULL)
        fail_msg("%s", err);
    free(c);
    free(k);
    h->mode = mode;
    assert_int_equal(pipe(h->pipe_fd), 0);
}

static void holder_free(holder *h)
{
    if (h->have_thread)
        pthread_join(h->thread, NULL);
    tlcp_private_key_free(h->key);
    close(h->pipe_fd[0]);
    close(h->pipe_fd[1]);
}

static void delegate(tlcp_config *cfg, const char *who, int enc, holder *h)
{
    char cert[64];
    snprintf(cert, sizeof(cert), "%s-%s.pem", who, enc ? "enc" : "sign");
    char *c = e2e_fixture_path(FIX, cert);
    assert_int_equal(
        tlcp_config_load_delegated_pair(cfg, enc ? TLCP_CERT_ENC : TLCP_CERT_SIGN, c, key_cb, h),
        TLCP_OK);
    free(c);
}

/* A pending operation: wait on the holders' pipes as an event loop would,
 * bounded by the connection's deadline, and hand the result over. */
static int complete_pending(tlcp_conn *conn, holder *hs[], size_t n)
{
    long wait = tlcp_conn_key_operation_wait_ms(conn);
    assert_true(wait >= 0);
    struct pollfd pfd[4];
    for (size_t i = 0; i < n; i++) {
        pfd[i].fd = hs[i]->pipe_fd[0];
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
    }
    int r = poll(pfd, (nfds_t)n, (int)wait + 20);
    if (r <= 0)
        return 0; /* timed out: the next handshake call reports it */
    for (size_t i = 0; i < n; i++) {
        if ((pfd[i].revents & POLLIN) == 0)
            continue;
        char c;
        assert_int_equal(read(hs[i]->pipe_fd[0], &c, 1), 1);
        pthread_join(hs[i]->thread, NULL);
        hs[i]->have_thread = 0;
        const uint8_t *res = hs[i]->status == TLCP_KEY_OP_DONE ? hs[i]->out : NULL;
        assert_int_equal(tlcp_conn_key_operation_done(conn, res, hs[i]->out_len), TLCP_OK);
        /* a second answer is refused and changes nothing */
        assert_int_equal(tlcp_conn_key_operation_done(conn, res, hs[i]->out_len), TLCP_ERROR);
    }
    return 1;
}

/* Both handshakes in one loop; returns 1 when both completed. */
static int drive(tlcp_conn *c, tlcp_conn *s, holder *ch[], size_t cn, holder *sh[], size_t sn,
                 int *pending_seen)
{
    tlcp_result rc = TLCP_WANT_READ, rs = TLCP_WANT_READ;
    for (int i = 0; i < 10000; i++) {
        if (rc != TLCP_OK && rc != TLCP_ERROR)
            rc = tlcp_handshake(c);
        if (rs != TLCP_OK && rs != TLCP_ERROR)
            rs = tlcp_handshake(s);
        if (rc == TLCP_WANT_KEY_OPERATION) {
            (*pending_seen)++;
            complete_pending(c, ch, cn);
        }
        if (rs == TLCP_WANT_KEY_OPERATION) {
            (*pending_seen)++;
            complete_pending(s, sh, sn);
        }
        if (rc == TLCP_OK && rs == TLCP_OK)
            return 1;
        if (rc == TLCP_ERROR || rs == TLCP_ERROR) {
            /* let the survivor read the alert */
            for (int j = 0; j < 4; j++) {
                if (rc != TLCP_ERROR && rc != TLCP_OK)
                    rc = tlcp_handshake(c);
                if (rs != TLCP_ERROR && rs != TLCP_OK)
                    rs = tlcp_handshake(s);
            }
            return 0;
        }
    }
    fail_msg("handshake did not finish");
    return 0;
}

typedef struct run {
    tlcp_conn *client, *server;
    mp_pair io;
    holder ssign, senc, csign, cenc;
    int pending;
    int ok;
} run;

/* server_mode / client_mode: -1 = local keys on that side. */
static void run_case(run *r, uint16_t suite, int server_mode, int client_mode, unsigned timeout)
{
    memset(r, 0, sizeof(*r));
    int ecdhe = suite == TLCP_ECDHE_SM4_CBC_SM3 || suite == TLCP_ECDHE_SM4_GCM_SM3;
    tlcp_config *scfg = tlcp_config_new();
    tlcp_config *ccfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
    assert_non_null(scfg);
    assert_int_equal(tlcp_config_set_cipher_suites(scfg, &suite, 1), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(ccfg, &suite, 1), TLCP_OK);
    if (timeout) {
        assert_int_equal(tlcp_config_set_key_operation_timeout(scfg, timeout), TLCP_OK);
        assert_int_equal(tlcp_config_set_key_operation_timeout(ccfg, timeout), TLCP_OK);
    }
    holder *sh[2] = {&r->ssign, &r->senc}, *ch[2] = {&r->csign, &r->cenc};
    if (server_mode >= 0) {
        holder_init(&r->ssign, "server", 0, server_mode);
        holder_init(&r->senc, "server", 1, server_mode);
        delegate(scfg, "server", 0, &r->ssign);
        delegate(scfg, "server", 1, &r->senc);
    } else {
        e2e_load_pair(scfg, FIX, "server", 0);
        e2e_load_pair(scfg, FIX, "server", 1);
    }
    char *chain = e2e_fixture_path(FIX, "chain.pem"), *ca = e2e_fixture_path(FIX, "ca.pem");
    assert_int_equal(tlcp_config_load_chain_file(scfg, chain), TLCP_OK);
    if (client_mode >= 0) { /* client auth with delegated keys */
        holder_init(&r->csign, "client", 0, client_mode);
        holder_init(&r->cenc, "client", 1, client_mode);
        delegate(ccfg, "client", 0, &r->csign);
        delegate(ccfg, "client", 1, &r->cenc);
        assert_int_equal(tlcp_config_load_chain_file(ccfg, chain), TLCP_OK);
        assert_int_equal(tlcp_config_load_ca_file(scfg, ca), TLCP_OK);
        assert_int_equal(tlcp_config_set_verify_mode(scfg, TLCP_VERIFY_REQUIRED), TLCP_OK);
        assert_int_equal(tlcp_config_set_verify_time(scfg, PINNED_TIME), TLCP_OK);
    } else if (ecdhe) {
        e2e_load_pair(ccfg, FIX, "client", 0);
        e2e_load_pair(ccfg, FIX, "client", 1);
    }
    free(chain);
    free(ca);
    e2e_conns_open(&r->io, &r->client, &r->server, ccfg, scfg);
    r->ok = drive(r->client, r->server, ch, client_mode >= 0 ? 2 : 0, sh, server_mode >= 0 ? 2 : 0,
                  &r->pending);
}

static void run_free(run *r)
{
    tlcp_conn_free(r->client);
    tlcp_conn_free(r->server);
    mp_pair_free(&r->io);
    holder *all[4] = {&r->ssign, &r->senc, &r->csign, &r->cenc};
    for (int i = 0; i < 4; i++)
        if (all[i]->key != NULL)
            holder_free(all[i]);
}

static const uint16_t suites[4] = {TLCP_ECC_SM4_CBC_SM3, TLCP_ECC_SM4_GCM_SM3,
                                   TLCP_ECDHE_SM4_CBC_SM3, TLCP_ECDHE_SM4_GCM_SM3};

static void check_success(int server_mode, int client_mode)
{
    for (int i = 0; i < 4; i++) {
        run r;
        run_case(&r, suites[i], server_mode, client_mode, 0);
        if (!r.ok)
            fail_msg("suite %04x: client: %s / server: %s", suites[i], tlcp_conn_error(r.client),
                     tlcp_conn_error(r.server));
        int ecdhe = i >= 2;
        if (server_mode >= 0) /* SKE signature, then decryption or key exchange */
            assert_int_equal(r.ssign.calls + r.senc.calls, 2);
        if (client_mode >= 0) /* CertificateVerify, plus the key exchange for ECDHE */
            assert_int_equal(r.csign.calls + r.cenc.calls, ecdhe ? 2 : 1);
        if (server_mode == M_THREAD || client_mode == M_THREAD)
            assert_true(r.pending >= 1);
        else
            assert_int_equal(r.pending, 0);
        /* data flows with the keys the delegated operations produced */
        size_t n = 0;
        assert_int_equal(tlcp_write(r.client, "ping", 4, &n), TLCP_OK);
        char buf[8];
        assert_int_equal(tlcp_read(r.server, buf, sizeof(buf), &n), TLCP_OK);
        assert_int_equal(n, 4);
        run_free(&r);
    }
}

static void test_server_now(void **state)
{
    (void)state;
    check_success(M_NOW, -1);
}

static void test_server_thread(void **state)
{
    (void)state;
    check_success(M_THREAD, -1);
}

static void test_client_now(void **state)
{
    (void)state;
    check_success(-1, M_NOW);
}

static void test_client_thread(void **state)
{
    (void)state;
    check_success(-1, M_THREAD);
}

static void test_both_thread(void **state)
{
    (void)state;
    check_success(M_THREAD, M_THREAD);
}

/* A failed signature or key exchange: internal_error, a clear reason. */
static void test_failures(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++) {
        run r;
        run_case(&r, suites[i], M_FAIL, -1, 0);
        assert_false(r.ok);
        assert_int_equal(tlcp_conn_error_reason(r.server), TLCP_R_KEY_OP_FAILED);
        assert_int_equal(tlcp_conn_alert_sent(r.server), TLCP_ALERT_INTERNAL_ERROR);
        assert_int_equal(tlcp_conn_alert_received(r.client), TLCP_ALERT_INTERNAL_ERROR);
        assert_non_null(strstr(tlcp_conn_error(r.server), "delegated signature"));
        run_free(&r);
        run_case(&r, suites[i], -1, M_FAIL, 0);
        assert_false(r.ok);
        assert_int_equal(tlcp_conn_error_reason(r.client), TLCP_R_KEY_OP_FAILED);
        assert_int_equal(tlcp_conn_alert_sent(r.client), TLCP_ALERT_INTERNAL_ERROR);
        run_free(&r);
    }
}

/* No answer: the handshake fails after the timeout, never hangs. */
static void test_timeout(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i += 2) {
        run r;
        run_case(&r, suites[i], M_SILENT, -1, 30);
        assert_false(r.ok);
        assert_int_equal(tlcp_conn_error_reason(r.server), TLCP_R_KEY_OP_TIMEOUT);
        assert_int_equal(tlcp_conn_alert_sent(r.server), TLCP_ALERT_INTERNAL_ERROR);
        assert_non_null(strstr(tlcp_conn_error(r.server), "within 30 ms"));
        run_free(&r);
        run_case(&r, suites[i + 1], -1, M_SILENT, 30);
        assert_false(r.ok);
        assert_int_equal(tlcp_conn_error_reason(r.client), TLCP_R_KEY_OP_TIMEOUT);
        run_free(&r);
    }
}

/* A failed delegated decryption looks like a bad pre-master: the server
 * answers the client's Finished exactly as for any Finished mismatch. */
static void test_failed_decrypt_no_oracle(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        run r;
        run_case(&r, suites[i], M_FAIL_DECRYPT, -1, 0);
        assert_false(r.ok);
        assert_int_equal(r.senc.calls, 1);
        /* the keys differ, so the client's encrypted Finished fails its MAC:
         * what any wrong pre-master gives (no delegated-failure reason) */
        assert_int_equal(tlcp_conn_error_reason(r.server), TLCP_R_BAD_RECORD_MAC);
        assert_int_equal(tlcp_conn_alert_sent(r.server), TLCP_ALERT_BAD_RECORD_MAC);
        assert_int_equal(tlcp_conn_alert_received(r.client), TLCP_ALERT_BAD_RECORD_MAC);
        assert_null(strstr(tlcp_conn_error(r.server), "delegated"));
        run_free(&r);
    }
}

/* done() misuse: nothing pending, a result too long, a wrong KX size. */
static void test_done_misuse(void **state)
{
    (void)state;
    uint8_t big[200] = {0};
    assert_int_equal(tlcp_conn_key_operation_done(NULL, big, 1), TLCP_ERROR);
    assert_int_equal(tlcp_conn_key_operation_wait_ms(NULL), -1);
    run r;
    run_case(&r, TLCP_ECC_SM4_CBC_SM3, -1, -1, 0);
    assert_true(r.ok);
    assert_int_equal(tlcp_conn_key_operation_done(r.server, big, 32), TLCP_ERROR);
    assert_int_equal(tlcp_conn_key_operation_wait_ms(r.server), -1);
    run_free(&r);
    /* a pending signature answered with 200 bytes: refused, handshake fails clearly */
    memset(&r, 0, sizeof(r));
    tlcp_config *scfg = tlcp_config_new();
    tlcp_config *ccfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
    holder h;
    holder_init(&h, "server", 0, M_SILENT);
    delegate(scfg, "server", 0, &h);
    e2e_load_pair(scfg, FIX, "server", 1);
    char *chain = e2e_fixture_path(FIX, "chain.pem");
    assert_int_equal(tlcp_config_load_chain_file(scfg, chain), TLCP_OK);
    free(chain);
    e2e_conns_open(&r.io, &r.client, &r.server, ccfg, scfg);
    tlcp_result rc = tlcp_handshake(r.client);
    assert_int_equal(rc, TLCP_WANT_READ);
    assert_int_equal(tlcp_handshake(r.server), TLCP_WANT_KEY_OPERATION);
    assert_true(tlcp_conn_key_operation_wait_ms(r.server) > 0);
    /* still pending: calling again returns the same, nothing is sent twice */
    assert_int_equal(tlcp_handshake(r.server), TLCP_WANT_KEY_OPERATION);
    assert_int_equal(h.calls, 1);
    assert_int_equal(tlcp_conn_key_operation_done(r.server, big, sizeof(big)), TLCP_ERROR);
    assert_int_equal(tlcp_conn_key_operation_done(r.server, big, 64), TLCP_ERROR); /* not pending */
    assert_int_equal(tlcp_handshake(r.server), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(r.server), TLCP_R_KEY_OP_RESULT);
    assert_int_equal(tlcp_conn_alert_sent(r.server), TLCP_ALERT_INTERNAL_ERROR);
    tlcp_conn_free(r.client);
    tlcp_conn_free(r.server);
    mp_pair_free(&r.io);
    holder_free(&h);
}

/* Config API argument checks. */
static void test_config_api(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    char *c = e2e_fixture_path(FIX, "server-sign.pem");
    assert_int_equal(tlcp_config_load_delegated_pair(cfg, 7, c, key_cb, NULL), TLCP_ERROR);
    assert_int_equal(tlcp_config_load_delegated_pair(cfg, TLCP_CERT_SIGN, c, NULL, NULL),
                     TLCP_ERROR);
    assert_int_equal(
        tlcp_config_load_delegated_pair(cfg, TLCP_CERT_SIGN, "/nonexistent.pem", key_cb, NULL),
        TLCP_ERROR);
    assert_int_equal(tlcp_config_set_key_operation_timeout(cfg, 0), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_key_operation_timeout(cfg, 3600001), TLCP_ERROR);
    assert_int_equal(tlcp_config_set_key_operation_timeout(cfg, 5), TLCP_OK);
    free(c);
    tlcp_config_free(cfg);
    char err[128];
    assert_null(
        tlcp_private_key_load("/nonexistent.pem", "/nonexistent.key", NULL, err, sizeof(err)));
    assert_true(strlen(err) > 0);
    tlcp_private_key_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_now),  cmocka_unit_test(test_server_thread),
        cmocka_unit_test(test_client_now),  cmocka_unit_test(test_client_thread),
        cmocka_unit_test(test_both_thread), cmocka_unit_test(test_failures),
        cmocka_unit_test(test_timeout),     cmocka_unit_test(test_failed_decrypt_no_oracle),
        cmocka_unit_test(test_done_misuse), cmocka_unit_test(test_config_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Regression tests for the security review of the handshake engine, the
 * public API and the record layer: session resumption bound to the peer the
 * session was made with, key separation of the peer's certificates, thread-
 * safe reference counts, the OpenSSL error queue, reading after
 * close_notify and small read buffers. Each test failed before its fix.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "conn_internal.h"
#include "crypto/crypto.h"
#include "handshake/messages.h"
#include "handshake/session.h"
#include "e2e_pair.h"
#include "mempipe.h"
#include "tlcp/tlcp.h"
#include "util/mem.h"
#include "x509/x509.h"

#define FIX         "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000 /* 2026-11-28T00:00:00Z */
#define TEMP_PEM    "/tmp/tlcp-review-XXXXXX"
#define GEN_CA_NAME "libtlcp review CA"

/* ---- configs and an in-memory pair (as in test_handshake.c) ---------- */

static tlcp_config *server_config(void)
{
    return e2e_server_config(FIX);
}

static tlcp_config *client_config(const char *host)
{
    return e2e_client_config(FIX, host, PINNED_TIME);
}

typedef struct pair {
    mp_pair io;
    tlcp_conn *client;
    tlcp_conn *server;
} pair;

/* Takes over the caller's config references. */
static void pair_open(pair *p, tlcp_config *ccfg, tlcp_config *scfg)
{
    e2e_conns_open(&p->io, &p->client, &p->server, ccfg, scfg);
}

static void pair_close(pair *p)
{
    tlcp_conn_free(p->client);
    tlcp_conn_free(p->server);
    mp_pair_free(&p->io);
}

/* 1 when both sides complete; on a failure the survivor reads the alert. */
static int pair_handshake(pair *p)
{
    return e2e_run_handshake(&p->io, p->client, p->server);
}

/* A full handshake with `ccfg` against `scfg` that yields a session. */
static tlcp_session *establish(tlcp_config *ccfg, tlcp_config *scfg)
{
    pair p;
    pair_open(&p, tlcp_config_up_ref(ccfg), tlcp_config_up_ref(scfg));
    if (!pair_handshake(&p))
        fail_msg("first handshake failed: %s / %s", tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    assert_false(tlcp_conn_session_reused(p.client));
    tlcp_session *s = tlcp_conn_get_session(p.client);
    assert_non_null(s);
    pair_close(&p);
    return s;
}

/* ---- resumption bound to the peer ------------------------------------ */

/* A session made with host "localhost" must not be offered to another
 * host name: resuming it would skip the certificate and host name checks
 * for a peer that was never authenticated as that host. */
static void test_session_not_offered_to_other_host(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config();
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    tlcp_config *good = client_config("localhost");
    tlcp_session *s = establish(good, scfg);

    pair p;
    pair_open(&p, client_config("www.example.com"), tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_false(pair_handshake(&p));
    assert_false(tlcp_conn_session_reused(p.client));
    assert_false(tlcp_conn_session_reused(p.server));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_HOSTNAME_MISMATCH);
    pair_close(&p);

    /* The same host still resumes. */
    pair_open(&p, tlcp_config_up_ref(good), tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_true(pair_handshake(&p));
    assert_true(tlcp_conn_session_reused(p.client));
    pair_close(&p);

    tlcp_session_free(s);
    tlcp_config_free(good);
    tlcp_config_free(scfg);
}

/* ServerHello: version(2) random(32) sid_len(1) sid(32) ...: puts the
 * session's ID in place of the one the server chose. */
typedef struct sid_spec {
    const uint8_t *id;
    int done;
} sid_spec;

static int echo_sid_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    sid_spec *t = arg;
    if (t->done || msg[0] != TLCP_HS_SERVER_HELLO || len < 4 + 35 + TLCP_SESSION_ID_LEN ||
        msg[4 + 34] != TLCP_SESSION_ID_LEN)
        return 0;
    t->done = 1;
    mp_buf_append(out, msg, len);
    memcpy(out->data + out->len - len + 4 + 35, t->id, TLCP_SESSION_ID_LEN);
    return 1;
}

/* A server that "resumes" a session ID the client did not offer must get a
 * full handshake from the client, not an abbreviated one: otherwise any
 * server that once held the session could skip authentication. */
static void test_unoffered_session_not_resumed(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config();
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    tlcp_config *good = client_config("localhost");
    tlcp_session *s = establish(good, scfg);

    sid_spec t = {s->id, 0};
    pair p;
    pair_open(&p, client_config("www.example.com"), tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    p.io.server.tamper = echo_sid_hook;
    p.io.server.tamper_arg = &t;
    assert_false(pair_handshake(&p));
    assert_true(t.done);
    assert_false(tlcp_conn_session_reused(p.client));
    /* Full handshake: the certificate is checked and fails on the host. */
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_HOSTNAME_MISMATCH);
    pair_close(&p);

    tlcp_session_free(s);
    tlcp_config_free(good);
    tlcp_config_free(scfg);
}

/* A session whose server was never verified (verify mode none) must not be
 * resumed by a connection that requires verification. */
static void test_unverified_session_not_offered(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config();
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    tlcp_config *lax = tlcp_config_new();
    assert_non_null(lax);
    assert_int_equal(tlcp_config_set_verify_mode(lax, TLCP_VERIFY_NONE), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(lax, "localhost"), TLCP_OK);
    tlcp_session *s = establish(lax, scfg);

    pair p;
    pair_open(&p, client_config("localhost"), tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_true(pair_handshake(&p)); /* a full, verified handshake */
    assert_false(tlcp_conn_session_reused(p.client));
    assert_false(tlcp_conn_session_reused(p.server));
    pair_close(&p);

    tlcp_session_free(s);
    tlcp_config_free(lax);
    tlcp_config_free(scfg);
}

/* Server side (RFC 6066 section 3): a session is resumed only for the
 * server_name it was established with. */
static void test_server_resumes_only_same_sni(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config();
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    tlcp_config *no_sni = client_config("localhost");
    tlcp_session *s = establish(no_sni, scfg);

    tlcp_config *with_sni = client_config("localhost");
    assert_int_equal(tlcp_config_set_send_sni(with_sni, 1), TLCP_OK);
    pair p;
    pair_open(&p, with_sni, tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_true(pair_handshake(&p));
    assert_false(tlcp_conn_session_reused(p.server));
    assert_false(tlcp_conn_session_reused(p.client));
    assert_string_equal(tlcp_conn_server_name(p.server), "localhost");
    tlcp_session *s2 = tlcp_conn_get_session(p.client);
    pair_close(&p);

    /* The session made with that name resumes with it. */
    with_sni = client_config("localhost");
    assert_int_equal(tlcp_config_set_send_sni(with_sni, 1), TLCP_OK);
    pair_open(&p, with_sni, tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s2), TLCP_OK);
    assert_true(pair_handshake(&p));
    assert_true(tlcp_conn_session_reused(p.server));
    assert_string_equal(tlcp_conn_server_name(p.server), "localhost");
    pair_close(&p);

    tlcp_session_free(s);
    tlcp_session_free(s2);
    tlcp_config_free(no_sni);
    tlcp_config_free(scfg);
}

/* ---- reference counts shared between threads ------------------------- */

/* One client session is typically offered by connections on several
 * threads; resuming it takes references to the session's certificates. */
#define REF_ROUNDS 1000000

typedef struct ref_job {
    tlcp_session *session;
    tlcp_cert *cert;
    pthread_barrier_t start; /* all threads run at once */
} ref_job;

static void *ref_worker(void *arg)
{
    ref_job *job = arg;
    pthread_barrier_wait(&job->start);
    for (int i = 0; i < REF_ROUNDS; i++) {
        tlcp_session_free(tlcp_session_up_ref(job->session));
        tlcp_cert_free(tlcp_cert_up_ref(job->cert));
    }
    return NULL;
}

static void test_refcounts_thread_safe(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config();
    assert_int_equal(tlcp_config_set_session_cache(scfg, 8, 0), TLCP_OK);
    tlcp_config *ccfg = client_config("localhost");
    tlcp_session *s = establish(ccfg, scfg);
    assert_non_null(s->peer_cert[TLCP_CERT_SIGN]);
    ref_job job;
    job.session = s;
    job.cert = s->peer_cert[TLCP_CERT_SIGN];
    assert_int_equal(pthread_barrier_init(&job.start, NULL, 3), 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, ref_worker, &job), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&job.start);
    /* Lost updates leave a count other than 1 (or free it under a thread:
     * ASan then reports a use after free). */
    assert_int_equal(atomic_load(&s->refs), 1);
    tlcp_session_free(s); /* frees the certificates too: a count left high leaks */
    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
}

/* ---- the peer's two certificates must hold two keys ------------------ */

/* A server whose "encryption" certificate certifies its signing key (one
 * dual-use certificate sent twice): the client must refuse it rather than
 * encrypt the pre-master to the signing key. TLCP separates the two keys
 * (the encryption key is the escrowed one). */
static void test_sign_and_enc_same_key_refused(void **state)
{
    (void)state;
    tlcp_pkey *ca_key = tlcp_pkey_generate(NULL), *key = tlcp_pkey_generate(NULL);
    assert_non_null(ca_key);
    assert_non_null(key);
    tlcp_cert *ca = e2e_issue(NULL, ca_key, ca_key, TLCP_PROFILE_CA, 0, GEN_CA_NAME);
    tlcp_cert *dual = e2e_issue(ca, ca_key, key, TLCP_PROFILE_SIGN,
                                TLCP_KU_DIGITAL_SIGNATURE | TLCP_KU_KEY_ENCIPHERMENT, GEN_CA_NAME);
    char *ca_pem = e2e_cert_file(TEMP_PEM, ca), *dual_pem = e2e_cert_file(TEMP_PEM, dual),
         *key_pem = e2e_key_file(TEMP_PEM, key);

    tlcp_config *scfg = tlcp_config_new(), *ccfg = tlcp_config_new();
    assert_non_null(scfg);
    assert_non_null(ccfg);
    assert_int_equal(tlcp_config_load_sign_pair(scfg, dual_pem, key_pem, NULL), TLCP_OK);
    assert_int_equal(tlcp_config_load_enc_pair(scfg, dual_pem, key_pem, NULL), TLCP_OK);
    assert_int_equal(tlcp_config_load_ca_file(ccfg, ca_pem), TLCP_OK);
    assert_int_equal(tlcp_config_set_host_name(ccfg, "localhost"), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, scfg);
    assert_false(pair_handshake(&p));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_CERT);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_BAD_CERTIFICATE);
    assert_non_null(strstr(tlcp_conn_error(p.client), "same key"));
    assert_int_equal(tlcp_conn_alert_received(p.server), TLCP_ALERT_BAD_CERTIFICATE);
    pair_close(&p);

    char *files[] = {ca_pem, dual_pem, key_pem};
    for (int i = 0; i < 3; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    tlcp_cert_free(ca);
    tlcp_cert_free(dual);
    tlcp_pkey_free(ca_key);
    tlcp_pkey_free(key);
}

/* ---- the OpenSSL error queue never leaks out -------------------------- */

static void assert_queue_empty(const char *after)
{
    unsigned long e = ERR_peek_error();
    if (e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof(buf));
        ERR_clear_error();
        fail_msg("OpenSSL error queue not empty after %s: %s", after, buf);
    }
}

/* Flips the last ciphertext byte of the ClientKeyExchange (its SM2 hash
 * check then fails on the server). */
static int flip_cke_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    int *done = arg;
    if (*done || msg[0] != TLCP_HS_CLIENT_KEY_EXCHANGE)
        return 0;
    *done = 1;
    mp_buf_append(out, msg, len);
    out->data[out->len - 1] ^= 0x01;
    return 1;
}

static void test_openssl_error_queue_clean(void **state)
{
    (void)state;
    ERR_clear_error();
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nnot base64 !!\n";
    char *garbage = e2e_write_temp(TEMP_PEM, junk, sizeof(junk) - 1);
    assert_int_equal(tlcp_config_load_ca_file(cfg, "/nonexistent/ca.pem"), TLCP_ERROR);
    assert_queue_empty("loading a missing CA file");
    assert_int_equal(tlcp_config_load_ca_file(cfg, garbage), TLCP_ERROR);
    assert_queue_empty("loading a garbage CA file");
    assert_int_equal(tlcp_config_load_sign_pair(cfg, garbage, garbage, NULL), TLCP_ERROR);
    assert_queue_empty("loading a garbage key pair");
    char *cert = e2e_fixture_path(FIX, "server-sign.pem"),
         *other = e2e_fixture_path(FIX, "server-enc.key");
    assert_int_equal(tlcp_config_load_sign_pair(cfg, cert, other, "pass"), TLCP_ERROR);
    assert_queue_empty("loading a key that does not match its certificate");
    free(cert);
    free(other);
    tlcp_config_free(cfg);
    unlink(garbage);
    free(garbage);

    /* Successful loads (PEM files read to their end) and a handshake. */
    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    assert_queue_empty("loading configs");
    assert_true(pair_handshake(&p));
    size_t n = 0;
    assert_int_equal(tlcp_write(p.client, "ping", 4, &n), TLCP_OK);
    assert_int_equal(tlcp_shutdown(p.client), TLCP_OK);
    pair_close(&p);
    assert_queue_empty("a successful handshake");
    cfg = tlcp_config_new();
    char *dir = e2e_fixture_path(FIX, "");
    (void)tlcp_config_load_ca_dir(cfg, dir);
    free(dir);
    tlcp_config_free(cfg);
    assert_queue_empty("loading a CA directory");

    /* A client that does not trust the server's CA. */
    tlcp_config *ccfg = tlcp_config_new();
    char *wrong_ca = strdup(tu_data_path("interop/tongsuo-ecc-sm4-cbc-sm3/ca.pem"));
    assert_int_equal(tlcp_config_load_ca_file(ccfg, wrong_ca), TLCP_OK);
    free(wrong_ca);
    assert_int_equal(tlcp_config_set_host_name(ccfg, "localhost"), TLCP_OK);
    pair_open(&p, ccfg, server_config());
    assert_false(pair_handshake(&p));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_CERT_VERIFY_FAILED);
    assert_queue_empty("a handshake with an untrusted server certificate");
    pair_close(&p);

    /* A ClientKeyExchange that does not decrypt: the server's decryption
     * failure (hidden until the Finished record fails its MAC) must not
     * leave anything behind. */
    pair_open(&p, client_config("localhost"), server_config());
    p.io.client.tamper = flip_cke_hook;
    int flipped = 0;
    p.io.client.tamper_arg = &flipped;
    assert_false(pair_handshake(&p));
    assert_true(flipped);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_BAD_RECORD_MAC);
    assert_queue_empty("a handshake with an undecryptable ClientKeyExchange");
    pair_close(&p);
}

/* ---- reading after close_notify and with small buffers ---------------- */

static tlcp_result read_some(tlcp_conn *c, uint8_t *buf, size_t len, size_t *n)
{
    tlcp_result r = TLCP_WANT_READ;
    for (int i = 0; i < 1000 && e2e_is_want(r); i++)
        r = tlcp_read(c, buf, len, n);
    return r;
}

/* Nothing after close_notify reaches the application, even when the peer
 * (here: the record layer driven directly) keeps sending protected data. */
static void test_no_data_after_close_notify(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(pair_handshake(&p));
    size_t n = 0;
    assert_int_equal(tlcp_write(p.server, "A", 1, &n), TLCP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tlcp_shutdown(p.server), TLCP_OK);
    assert_true(tlcp_record_write(p.server->rl, TLCP_CT_APPLICATION_DATA, (const uint8_t *)"B", 1));
    assert_int_equal(tlcp_record_flush(p.server->rl), TLCP_OK);
    assert_int_equal(tlcp_write(p.server, "C", 1, &n), TLCP_ERROR); /* after shutdown */

    uint8_t buf[8];
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], 'A');
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_CLOSED);
    assert_int_equal(n, 0);
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_CLOSED);
    assert_int_equal(n, 0);
    assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_CLOSE_NOTIFY);
    /* The client may still answer with its own close_notify. */
    assert_int_equal(tlcp_shutdown(p.client), TLCP_OK);
    pair_close(&p);
}

/* Reading one byte at a time keeps the rest of each record, in order,
 * across records; a zero-length read consumes nothing. */
static void test_small_read_buffers(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(pair_handshake(&p));
    uint8_t msg[300];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 13 + 1);
    size_t n = 0;
    assert_int_equal(tlcp_write(p.server, msg, 100, &n), TLCP_OK);
    assert_int_equal(n, 100);
    assert_int_equal(tlcp_write(p.server, msg + 100, 200, &n), TLCP_OK);
    assert_int_equal(n, 200);

    uint8_t got[300];
    size_t have = 0;
    assert_int_equal(read_some(p.client, got, 0, &n), TLCP_OK);
    assert_int_equal(n, 0);
    /* No buffer at all for zero bytes (record in hand, then buffered). */
    assert_int_equal(tlcp_read(p.client, NULL, 0, &n), TLCP_OK);
    assert_int_equal(n, 0);
    while (have < sizeof(got)) {
        size_t want = have % 3 == 0 ? 1 : 2;
        assert_int_equal(read_some(p.client, got + have, want, &n), TLCP_OK);
        assert_true(n >= 1 && n <= want);
        have += n;
    }
    assert_memory_equal(got, msg, sizeof(msg));
    pair_close(&p);
}

/* ---- tlcp_write retries ------------------------------------------------ */

/* Starts a 100-byte write from the server over a trickling transport until
 * it blocks. */
static void blocked_write(pair *p, const uint8_t *msg)
{
    assert_true(pair_handshake(p));
    p->io.server.trickle = 1;
    size_t n = 99;
    tlcp_result r = tlcp_write(p->server, msg, 100, &n);
    assert_true(e2e_is_want(r));
    assert_int_equal(n, 0);
}

/* After WANT_WRITE the same call completes the write exactly once; a retry
 * with fewer bytes than were queued is refused instead of reporting more
 * bytes written than the caller passed. */
static void test_write_retry(void **state)
{
    (void)state;
    uint8_t msg[100];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(200 - i);

    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    blocked_write(&p, msg);
    size_t n = 0;
    tlcp_result r = TLCP_WANT_WRITE;
    int wants = 0;
    for (int i = 0; i < 100000 && e2e_is_want(r); i++, wants++)
        r = tlcp_write(p.server, msg, sizeof(msg), &n);
    assert_int_equal(r, TLCP_OK);
    assert_int_equal(n, sizeof(msg));
    assert_true(wants > 1);
    uint8_t got[256];
    size_t have = 0;
    while (have < sizeof(msg)) {
        assert_int_equal(read_some(p.client, got + have, sizeof(got) - have, &n), TLCP_OK);
        have += n;
    }
    assert_int_equal(have, sizeof(msg));
    assert_memory_equal(got, msg, sizeof(msg));
    pair_close(&p);

    pair_open(&p, client_config("localhost"), server_config());
    blocked_write(&p, msg);
    n = 1234;
    assert_int_equal(tlcp_write(p.server, msg, 10, &n), TLCP_ERROR);
    assert_int_equal(n, 0);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_INVALID_ARGUMENT);
    assert_non_null(strstr(tlcp_conn_error(p.server), "same arguments"));
    pair_close(&p);
}

/* ---- ChangeCipherSpec and application data out of sequence ------------ */

/* Runs the server alone until it fails; checks reason and alert. */
static void expect_server_unexpected(pair *p)
{
    tlcp_result r = TLCP_WANT_READ;
    for (int i = 0; i < 100 && e2e_is_want(r); i++)
        r = tlcp_handshake(p->server);
    assert_int_equal(r, TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p->server), TLCP_R_UNEXPECTED_MESSAGE);
    assert_int_equal(tlcp_conn_alert_sent(p->server), TLCP_ALERT_UNEXPECTED_MESSAGE);
}

static void test_ccs_and_data_out_of_sequence(void **state)
{
    (void)state;
    pair p;
    /* A ChangeCipherSpec before any key exchange. */
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(tlcp_record_write_ccs(p.client->rl));
    assert_int_equal(tlcp_record_flush(p.client->rl), TLCP_OK);
    expect_server_unexpected(&p);
    pair_close(&p);

    /* Application data before the handshake (in the clear). */
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(tlcp_record_write(p.client->rl, TLCP_CT_APPLICATION_DATA, (const uint8_t *)"x", 1));
    assert_int_equal(tlcp_record_flush(p.client->rl), TLCP_OK);
    expect_server_unexpected(&p);
    pair_close(&p);

    /* A second ChangeCipherSpec after the handshake. */
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(pair_handshake(&p));
    assert_true(tlcp_record_write_ccs(p.client->rl));
    assert_int_equal(tlcp_record_flush(p.client->rl), TLCP_OK);
    uint8_t buf[8];
    size_t n = 0;
    assert_int_equal(read_some(p.server, buf, sizeof(buf), &n), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_UNEXPECTED_MESSAGE);
    assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_UNEXPECTED_MESSAGE);
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_ERROR);
    assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_UNEXPECTED_MESSAGE);
    pair_close(&p);
}

/* ---- the trace decoder sees every received message before it is checked */

typedef struct mutate_spec {
    uint32_t state;
    unsigned target;
    unsigned seen;
    int done;
} mutate_spec;

static uint32_t next_rand(uint32_t *st)
{
    *st = *st * 1103515245u + 12345u;
    return *st >> 8;
}

/* Changes 1-3 bytes of the target message (header included). */
static int mutate_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    mutate_spec *m = arg;
    if (m->done || m->seen++ != m->target)
        return 0;
    m->done = 1;
    mp_buf_append(out, msg, len);
    unsigned k = 1 + next_rand(&m->state) % 3;
    for (unsigned i = 0; i < k; i++)
        out->data[out->len - len + next_rand(&m->state) % len] ^=
            (uint8_t)(next_rand(&m->state) | 1);
    return 1;
}

static void count_line(void *arg, const char *line)
{
    size_t *n = arg;
    (*n)++;
    assert_non_null(line);
}

/* The trace walks a received message field by field before the handler
 * validates it: with tracing on, mutated messages must still fail cleanly
 * (ASan builds check the walker's reads). */
static void test_trace_of_mutated_messages(void **state)
{
    (void)state;
    size_t lines = 0;
    for (uint32_t seed = 1; seed <= 200; seed++) {
        int client_side = seed % 3 == 0;
        mutate_spec m = {seed * 2246822519u, seed % (client_side ? 2u : 4u), 0, 0};
        tlcp_config *ccfg = client_config("localhost"), *scfg = server_config();
        assert_int_equal(tlcp_config_set_trace(ccfg, count_line, &lines), TLCP_OK);
        assert_int_equal(tlcp_config_set_trace(scfg, count_line, &lines), TLCP_OK);
        pair p;
        pair_open(&p, ccfg, scfg);
        mp_end *e = client_side ? &p.io.client : &p.io.server;
        e->tamper = mutate_hook;
        e->tamper_arg = &m;
        (void)pair_handshake(&p);
        assert_true(m.done);
        pair_close(&p);
    }
    assert_true(lines > 1000);
}

/* ---- the server cache's lifetime --------------------------------------- */

/* Moves every cached entry's creation time by `delta` seconds. */
static void age_cache(tlcp_config *scfg, time_t delta)
{
    tlcp_session_cache *c = scfg->sessions;
    assert_non_null(c);
    for (size_t i = 0; i < c->cap; i++)
        if (c->entries[i].used)
            c->entries[i].created += delta;
}

static int resumes(tlcp_config *ccfg, tlcp_config *scfg, tlcp_session *s)
{
    pair p;
    pair_open(&p, tlcp_config_up_ref(ccfg), tlcp_config_up_ref(scfg));
    assert_int_equal(tlcp_conn_set_session(p.client, s), TLCP_OK);
    assert_true(pair_handshake(&p));
    int reused = tlcp_conn_session_reused(p.server);
    assert_int_equal(tlcp_conn_session_reused(p.client), reused);
    pair_close(&p);
    return reused;
}

/* An entry older than the lifetime, or dated in the future (the clock went
 * back), is not resumed. */
static void test_session_cache_lifetime(void **state)
{
    (void)state;
    tlcp_config *scfg = server_config();
    assert_int_equal(tlcp_config_set_session_cache(scfg, 4, 60), TLCP_OK);
    tlcp_config *ccfg = client_config("localhost");

    tlcp_session *s = establish(ccfg, scfg);
    age_cache(scfg, -50);
    assert_true(resumes(ccfg, scfg, s));
    age_cache(scfg, -20); /* 70 s old */
    assert_false(resumes(ccfg, scfg, s));
    tlcp_session_free(s);

    s = establish(ccfg, scfg);
    age_cache(scfg, 3600);
    assert_false(resumes(ccfg, scfg, s));
    tlcp_session_free(s);

    tlcp_config_free(ccfg);
    tlcp_config_free(scfg);
}

/* ---- extendedKeyUsage by role ----------------------------------------- */

#define FIX_DHE "interop/gmssl3-ecdhe-sm4-cbc-sm3/"

/* A server presenting certificates issued for client authentication
 * (extendedKeyUsage clientAuth only) by the CA the client trusts: with no
 * host name configured nothing else would stop any client of that CA from
 * posing as the server. */
static void test_client_certificates_refused_as_server(void **state)
{
    (void)state;
    tlcp_config *scfg = tlcp_config_new();
    assert_non_null(scfg);
    e2e_load_pair(scfg, FIX_DHE, "client", 0);
    e2e_load_pair(scfg, FIX_DHE, "client", 1);
    char *chain = e2e_fixture_path(FIX_DHE, "chain.pem");
    assert_int_equal(tlcp_config_load_chain_file(scfg, chain), TLCP_OK);
    tlcp_config *ccfg = tlcp_config_new();
    assert_non_null(ccfg);
    char *ca = e2e_fixture_path(FIX_DHE, "ca.pem");
    assert_int_equal(tlcp_config_load_ca_file(ccfg, ca), TLCP_OK);
    free(ca);
    assert_int_equal(tlcp_config_set_verify_time(ccfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_insecure_no_verify_name(ccfg), TLCP_OK);
    pair p;
    pair_open(&p, ccfg, scfg);
    assert_false(pair_handshake(&p));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_CERT_KEY_USAGE);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_UNSUPPORTED_CERTIFICATE);
    assert_non_null(strstr(tlcp_conn_error(p.client), "serverAuth"));
    pair_close(&p);

    /* The server's own certificates still pass (serverAuth). */
    scfg = tlcp_config_new();
    e2e_load_pair(scfg, FIX_DHE, "server", 0);
    e2e_load_pair(scfg, FIX_DHE, "server", 1);
    assert_int_equal(tlcp_config_load_chain_file(scfg, chain), TLCP_OK);
    free(chain);
    ccfg = tlcp_config_new();
    ca = e2e_fixture_path(FIX_DHE, "ca.pem");
    assert_int_equal(tlcp_config_load_ca_file(ccfg, ca), TLCP_OK);
    free(ca);
    assert_int_equal(tlcp_config_set_verify_time(ccfg, PINNED_TIME), TLCP_OK);
    assert_int_equal(tlcp_config_insecure_no_verify_name(ccfg), TLCP_OK);
    uint16_t suite = TLCP_ECC_SM4_CBC_SM3;
    assert_int_equal(tlcp_config_set_cipher_suites(ccfg, &suite, 1), TLCP_OK);
    pair_open(&p, ccfg, scfg);
    if (!pair_handshake(&p))
        fail_msg("%s / %s", tlcp_conn_error(p.client), tlcp_conn_error(p.server));
    pair_close(&p);
}

/* ---- floods of small records that would keep a call from returning ---- */

#define FLOOD 64

/* Warning alerts in a row (the "SSL death alert" pattern): each is cheap,
 * but an endless stream would keep tlcp_handshake / tlcp_read looping in
 * one call, starving an event loop. A short run is still ignored. */
static void test_warning_alert_flood(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    for (int i = 0; i < FLOOD; i++)
        assert_true(tlcp_record_write_alert(p.client->rl, TLCP_ALERT_LEVEL_WARNING,
                                            TLCP_ALERT_USER_CANCELED));
    assert_int_equal(tlcp_record_flush(p.client->rl), TLCP_OK);
    expect_server_unexpected(&p);
    assert_non_null(strstr(tlcp_conn_error(p.server), "warning alerts"));
    pair_close(&p);

    /* After the handshake too; a few warnings between data are fine. */
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(pair_handshake(&p));
    uint8_t buf[8];
    size_t n = 0;
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3; i++)
            assert_true(tlcp_record_write_alert(p.client->rl, TLCP_ALERT_LEVEL_WARNING,
                                                TLCP_ALERT_USER_CANCELED));
        assert_int_equal(tlcp_write(p.client, "d", 1, &n), TLCP_OK);
        assert_int_equal(read_some(p.server, buf, sizeof(buf), &n), TLCP_OK);
        assert_int_equal(n, 1);
    }
    for (int i = 0; i < FLOOD; i++)
        assert_true(tlcp_record_write_alert(p.client->rl, TLCP_ALERT_LEVEL_WARNING,
                                            TLCP_ALERT_USER_CANCELED));
    assert_int_equal(tlcp_record_flush(p.client->rl), TLCP_OK);
    assert_int_equal(read_some(p.server, buf, sizeof(buf), &n), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_UNEXPECTED_MESSAGE);
    pair_close(&p);
}

/* HelloRequests after the handshake: each gets a no_renegotiation warning;
 * an endless run (no application data in between) ends the connection. */
static void test_hello_request_flood(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(pair_handshake(&p));
    static const uint8_t hello_request[] = {0, 0, 0, 0};
    for (int i = 0; i < FLOOD; i++)
        assert_true(tlcp_record_write(p.server->rl, TLCP_CT_HANDSHAKE, hello_request, 4));
    assert_int_equal(tlcp_record_flush(p.server->rl), TLCP_OK);
    uint8_t buf[8];
    size_t n = 0;
    assert_int_equal(read_some(p.client, buf, sizeof(buf), &n), TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_UNEXPECTED_MESSAGE);
    assert_non_null(strstr(tlcp_conn_error(p.client), "HelloRequest"));
    pair_close(&p);

    /* During the handshake they are ignored, but not without end. */
    pair_open(&p, client_config("localhost"), server_config());
    assert_true(e2e_is_want(tlcp_handshake(p.client))); /* ClientHello out */
    for (int i = 0; i < FLOOD; i++)
        assert_true(tlcp_record_write(p.server->rl, TLCP_CT_HANDSHAKE, hello_request, 4));
    assert_int_equal(tlcp_record_flush(p.server->rl), TLCP_OK);
    tlcp_result r = TLCP_WANT_READ;
    for (int i = 0; i < 100 && e2e_is_want(r); i++)
        r = tlcp_handshake(p.client);
    assert_int_equal(r, TLCP_ERROR);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_UNEXPECTED_MESSAGE);
    assert_non_null(strstr(tlcp_conn_error(p.client), "HelloRequest"));
    pair_close(&p);
}

/* ---- the driver's own size check -------------------------------------- */

static size_t no_limit(void *arg, uint8_t msg_type)
{
    (void)arg;
    (void)msg_type;
    return 1u << 20;
}

/* ServerHelloDone with a one-byte body. */
static int long_done_hook(void *arg, const uint8_t *msg, size_t len, mp_buf *out)
{
    int *done = arg;
    (void)len;
    if (*done || msg[0] != TLCP_HS_SERVER_HELLO_DONE)
        return 0;
    *done = 1;
    static const uint8_t long_done[] = {TLCP_HS_SERVER_HELLO_DONE, 0, 0, 1, 0};
    mp_buf_append(out, long_done, sizeof(long_done));
    return 1;
}

/* The driver checks each body against its row's limit again after the
 * record layer did. With the record layer's check out of the way, an
 * oversize message must fail the handshake: it used to be skipped
 * (ENSURE's 0 read as TLCP_OK in a tlcp_result function) and the handshake
 * went on without it. */
static void test_driver_size_check_fails_the_handshake(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, client_config("localhost"), server_config());
    tlcp_record_set_hs_limit(p.client->rl, no_limit, NULL);
    int done = 0;
    p.io.server.tamper = long_done_hook;
    p.io.server.tamper_arg = &done;
    assert_false(pair_handshake(&p));
    assert_true(done);
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_MESSAGE_TOO_LONG);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_ILLEGAL_PARAMETER);
    pair_close(&p);
}

/* ---- the client's server_name as the server application sees it ------- */

/* A server_name with control characters (a terminal escape, a newline for
 * log injection) or 8-bit bytes is not handed to the application. */
static void test_server_name_must_be_visible_ascii(void **state)
{
    (void)state;
    static const char *const bad[] = {"\x1b[2Jevil.example", "a.example\nFAKE LOG LINE",
                                      "caf\xc3\xa9.example", "two words"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tlcp_config *ccfg = tlcp_config_new();
        assert_non_null(ccfg);
        assert_int_equal(tlcp_config_set_verify_mode(ccfg, TLCP_VERIFY_NONE), TLCP_OK);
        assert_int_equal(tlcp_config_set_host_name(ccfg, bad[i]), TLCP_OK);
        assert_int_equal(tlcp_config_set_send_sni(ccfg, 1), TLCP_OK);
        pair p;
        pair_open(&p, ccfg, server_config());
        assert_true(pair_handshake(&p));
        assert_null(tlcp_conn_server_name(p.server));
        pair_close(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_not_offered_to_other_host),
        cmocka_unit_test(test_unoffered_session_not_resumed),
        cmocka_unit_test(test_unverified_session_not_offered),
        cmocka_unit_test(test_server_resumes_only_same_sni),
        cmocka_unit_test(test_refcounts_thread_safe),
        cmocka_unit_test(test_sign_and_enc_same_key_refused),
        cmocka_unit_test(test_openssl_error_queue_clean),
        cmocka_unit_test(test_no_data_after_close_notify),
        cmocka_unit_test(test_small_read_buffers),
        cmocka_unit_test(test_write_retry),
        cmocka_unit_test(test_ccs_and_data_out_of_sequence),
        cmocka_unit_test(test_trace_of_mutated_messages),
        cmocka_unit_test(test_session_cache_lifetime),
        cmocka_unit_test(test_client_certificates_refused_as_server),
        cmocka_unit_test(test_warning_alert_flood),
        cmocka_unit_test(test_hello_request_flood),
        cmocka_unit_test(test_driver_size_check_fails_the_handshake),
        cmocka_unit_test(test_server_name_must_be_visible_ascii),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

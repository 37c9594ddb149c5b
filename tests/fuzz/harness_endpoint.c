/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole endpoints through the public API: the fuzzer plays the peer.
 *
 * Input: flags(1) | transport(1) | the peer's byte stream.
 *   flags bit 0: server: require a client certificate; client: carry a
 *   client certificate pair. Bits 1-2: the suites configured (all four,
 *   ECC only, ECDHE only, GCM only). transport as in harness_record.c:
 *   bits 0-6 the most bytes one read returns (0 = all asked for), bit 7
 *   every other read reports WANT_READ first.
 * The keys and certificates are the recorded GmSSL 3 ones, verification is
 * pinned to 2026-11-28, and tlcp_random_bytes is deterministic (same seed
 * for every input), so a recorded or generated peer stream replays the same
 * way each time. SM2 nonces inside OpenSSL stay random: signatures and SM2
 * ciphertexts differ per run, which is why a replayed handshake ends at the
 * Finished check rather than in application data.
 *
 * Properties: the endpoint always terminates within a step budget; a failed
 * handshake has a reason and, unless the peer ended it (alert, end of
 * stream), an alert was sent, never internal_error; the output stays
 * bounded. After a completed handshake application data is read and echoed
 * and the connection shut down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "harness.h"
#include "harness_endpoint.h"
#include "harness_fixtures.h"
#include "tlcp/tlcp.h"

#define PKI             "interop/gmssl3-ecc-sm4-cbc-sm3/"
#define CLIENT_PKI      "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define PINNED_TIME     1795824000 /* 2026-11-28T00:00:00Z */
#define RNG_SEED        0x74636c70
#define MAX_OUTPUT      (1u << 20)
#define FIXED_ALLOWANCE (64u << 10)
#define NUM_SUITE_SETS  4

typedef struct peer_io {
    const uint8_t *data;
    size_t len, pos;
    size_t chunk;
    int stall, stalled;
    size_t written;
    fuzz_endpoint_output *capture; /* seed generation only */
} peer_io;

static long peer_read(void *ctx, uint8_t *buf, size_t len)
{
    peer_io *io = ctx;
    if (io->stall) {
        io->stalled ^= 1;
        if (io->stalled)
            return TLCP_IO_WANT_READ;
    }
    size_t n = io->len - io->pos;
    if (n > len)
        n = len;
    if (io->chunk != 0 && n > io->chunk)
        n = io->chunk;
    if (n > 0)
        memcpy(buf, io->data + io->pos, n);
    io->pos += n;
    return (long)n;
}

static long peer_write(void *ctx, const uint8_t *buf, size_t len)
{
    peer_io *io = ctx;
    io->written += len;
    fuzz_require(io->written <= MAX_OUTPUT, "endpoint: more than 1 MB written to the peer");
    fuzz_endpoint_output *c = io->capture;
    if (c != NULL) {
        uint8_t *grown = realloc(c->data, c->len + len);
        fuzz_require(grown != NULL, "out of memory");
        memcpy(grown + c->len, buf, len);
        c->data = grown;
        c->len += len;
    }
    return (long)len;
}

static void discard_line(void *arg, const char *line)
{
    (void)arg;
    fuzz_require(strlen(line) < 8192, "endpoint: trace line longer than 8 KB");
}

static const uint16_t *suite_set(int which, size_t *num)
{
    static const uint16_t all[] = {0xE053, 0xE013, 0xE051, 0xE011};
    static const uint16_t ecc[] = {0xE013, 0xE053};
    static const uint16_t ecdhe[] = {0xE011, 0xE051};
    static const uint16_t gcm[] = {0xE051, 0xE053};
    static const uint16_t *const sets[NUM_SUITE_SETS] = {all, ecc, ecdhe, gcm};
    static const size_t lens[NUM_SUITE_SETS] = {4, 2, 2, 2};
    *num = lens[which];
    return sets[which];
}

/* 1 when r is TLCP_OK, else 0 after saying which step failed. */
static int step(tlcp_result r, tlcp_config *cfg, const char *what)
{
    if (r == TLCP_OK)
        return 1;
    fprintf(stderr, "fuzz setup: %s: %s\n", what, tlcp_config_error(cfg));
    return 0;
}

static int load_pair(tlcp_config *cfg, int enc, const char *cert, const char *key)
{
    /* Both paths at once: fuzz_data_file keeps four. */
    const char *cert_path = fuzz_data_file(cert), *key_path = fuzz_data_file(key);
    tlcp_result r = enc ? tlcp_config_load_enc_pair(cfg, cert_path, key_path, NULL)
                        : tlcp_config_load_sign_pair(cfg, cert_path, key_path, NULL);
    return step(r, cfg, enc ? "enc pair" : "sign pair");
}

static int configure_server(tlcp_config *cfg, int variant)
{
    int ok = load_pair(cfg, 0, PKI "server-sign.pem", PKI "server-sign.key") &&
             load_pair(cfg, 1, PKI "server-enc.pem", PKI "server-enc.key") &&
             step(tlcp_config_load_chain_file(cfg, fuzz_data_file(PKI "chain.pem")), cfg, "chain");
    if (ok && variant)
        ok = step(tlcp_config_load_ca_file(cfg, fuzz_data_file(CLIENT_PKI "ca.pem")), cfg,
                  "client CA") &&
             step(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED), cfg, "verify mode");
    return ok;
}

static int configure_client(tlcp_config *cfg, int variant)
{
    int ok = step(tlcp_config_load_ca_file(cfg, fuzz_data_file(PKI "ca.pem")), cfg, "CA") &&
             step(tlcp_config_set_host_name(cfg, "localhost"), cfg, "host");
    if (ok && variant)
        ok = load_pair(cfg, 0, CLIENT_PKI "client-sign.pem", CLIENT_PKI "client-sign.key") &&
             load_pair(cfg, 1, CLIENT_PKI "client-enc.pem", CLIENT_PKI "client-enc.key") &&
             step(tlcp_config_load_chain_file(cfg, fuzz_data_file(CLIENT_PKI "chain.pem")), cfg,
                  "client chain");
    return ok;
}

/* NULL after a message when a step fails (a fixture missing under tests/data). */
static tlcp_config *make_config(int role, int variant, int suites)
{
    tlcp_config *cfg = tlcp_config_new();
    fuzz_require(cfg != NULL, "config allocation failed");
    size_t num;
    const uint16_t *list = suite_set(suites, &num);
    int ok = step(tlcp_config_set_cipher_suites(cfg, list, num), cfg, "suites") &&
             step(tlcp_config_set_verify_time(cfg, PINNED_TIME), cfg, "verify time") &&
             step(tlcp_config_set_trace(cfg, discard_line, NULL), cfg, "trace") &&
             step(tlcp_config_set_keylog(cfg, discard_line, NULL), cfg, "keylog");
    if (ok)
        ok = role == TLCP_SERVER ? configure_server(cfg, variant) : configure_client(cfg, variant);
    if (!ok) {
        tlcp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* Built once per (role, variant, suites); a config is frozen once used. */
static tlcp_config *cache[2][2][NUM_SUITE_SETS];

static tlcp_config *config_for(int role, int variant, int suites)
{
    tlcp_config **slot = &cache[role][variant][suites];
    if (*slot == NULL)
        *slot = make_config(role, variant, suites);
    return *slot;
}

/* Every configuration of one role, before the first input. */
static int setup_role(int role)
{
    for (int variant = 0; variant < 2; variant++) {
        for (int suites = 0; suites < NUM_SUITE_SETS; suites++) {
            if (config_for(role, variant, suites) == NULL)
                return 0;
        }
    }
    return 1;
}

int fuzz_setup_server(void)
{
    return setup_role(TLCP_SERVER);
}

int fuzz_setup_client(void)
{
    return setup_role(TLCP_CLIENT);
}

static int peer_ended_it(int reason)
{
    return reason == TLCP_R_EOF || reason == TLCP_R_PEER_ALERT || reason == TLCP_R_CLOSED ||
           reason == TLCP_R_TRANSPORT;
}

static void check_failure(const tlcp_conn *conn)
{
    int reason = tlcp_conn_error_reason(conn);
    if (reason == TLCP_R_NONE) {
        fprintf(stderr, "endpoint: %s\n", tlcp_conn_error(conn));
        fuzz_fail("endpoint: failure without a reason");
    }
    int sent = tlcp_conn_alert_sent(conn);
    if (sent == TLCP_ALERT_INTERNAL_ERROR) {
        fprintf(stderr, "endpoint: %s\n", tlcp_conn_error(conn));
        fuzz_fail("endpoint: peer input caused internal_error");
    }
    if (!peer_ended_it(reason) && sent < 0) {
        fprintf(stderr, "endpoint: %s (reason %d)\n", tlcp_conn_error(conn), reason);
        fuzz_fail("endpoint: protocol failure without an alert to the peer");
    }
}

/* After the handshake: read, echo, shut down, all within the budget. */
static void run_data_phase(tlcp_conn *conn, size_t *budget)
{
    uint8_t buf[4096];
    for (;;) {
        fuzz_require((*budget)-- > 0, "endpoint: no progress after the handshake");
        size_t n = 0;
        tlcp_result r = tlcp_read(conn, buf, sizeof(buf), &n);
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            continue;
        if (r != TLCP_OK) {
            if (r == TLCP_ERROR)
                check_failure(conn);
            break;
        }
        fuzz_require(n > 0 && n <= sizeof(buf), "endpoint: tlcp_read OK without data");
        size_t w = 0;
        fuzz_require(tlcp_write(conn, buf, n, &w) == TLCP_OK && w == n,
                     "endpoint: echo after a completed handshake failed");
    }
    (void)tlcp_shutdown(conn);
}

static int run_endpoint(int role, const uint8_t *data, size_t len, fuzz_endpoint_output *capture)
{
    if (len < 2)
        return 0;
    int variant = data[0] & 1, suites = (data[0] >> 1) % NUM_SUITE_SETS;
    tlcp_config *cfg = config_for(role, variant, suites);
    if (cfg == NULL)
        fuzz_fail("endpoint configuration failed (fuzz setup failed)");
    tlcp_random_set_deterministic(1, RNG_SEED);
    peer_io io = {data + 2, len - 2, 0, data[1] & 0x7f, data[1] >> 7, 0, 0, capture};
    tlcp_conn *conn = tlcp_conn_new(cfg, role);
    fuzz_require(conn != NULL, "endpoint: tlcp_conn_new failed");
    tlcp_conn_set_io(conn, peer_read, peer_write, &io);

    fuzz_alloc_watch_start();
    size_t budget = 4 * len + 256;
    tlcp_result r;
    for (;;) {
        fuzz_require(budget-- > 0, "endpoint: handshake makes no progress");
        r = tlcp_handshake(conn);
        if (r != TLCP_WANT_READ && r != TLCP_WANT_WRITE)
            break;
    }
    if (r == TLCP_OK) {
        fuzz_require(tlcp_conn_handshake_done(conn), "endpoint: OK but handshake not done");
        run_data_phase(conn, &budget);
    } else {
        fuzz_require(r == TLCP_ERROR || r == TLCP_CLOSED, "endpoint: unexpected handshake result");
        fuzz_require(!tlcp_conn_handshake_done(conn), "endpoint: failed but handshake done");
        check_failure(conn);
    }
    /* Fixed-size buffers (records, application data, OpenSSL's certificate
     * and key objects) fit in the allowance; anything larger must be backed
     * by bytes that arrived. */
    if (fuzz_strict_alloc())
        fuzz_require(fuzz_alloc_watch_largest() <= FIXED_ALLOWANCE + 2 * len,
                     "endpoint: allocation sized by a length field before its bytes arrived");
    tlcp_conn_free(conn);
    tlcp_random_set_deterministic(0, 0);
    return 0;
}

int fuzz_server(const uint8_t *data, size_t len)
{
    return run_endpoint(TLCP_SERVER, data, len, NULL);
}

int fuzz_client(const uint8_t *data, size_t len)
{
    return run_endpoint(TLCP_CLIENT, data, len, NULL);
}

void fuzz_endpoint_run(int is_server, const uint8_t *data, size_t len, fuzz_endpoint_output *out)
{
    (void)run_endpoint(is_server ? TLCP_SERVER : TLCP_CLIENT, data, len, out);
}

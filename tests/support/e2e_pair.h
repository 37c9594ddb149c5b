/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Setup shared by the end-to-end tests: trace capture, loading the fixture
 * PKI into configs, and creating a client/server connection pair over the
 * in-memory transports of mempipe.h. Include testutil.h first (cmocka).
 * Every helper fails the running test on error, so callers stay short.
 */
#ifndef TLCP_TEST_E2E_PAIR_H
#define TLCP_TEST_E2E_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "mempipe.h"
#include "tlcp/tlcp.h"
#include "x509/x509.h"

/* Trace/keylog lines collected into one string, each ended by '\n'. */
typedef struct e2e_capture {
    char *text;
    size_t len;
    size_t lines;
} e2e_capture;

/* tlcp trace/keylog callback; `arg` is an e2e_capture. */
void e2e_capture_line(void *arg, const char *line);
/* Frees the text and zeroes the capture (ready for reuse). */
void e2e_capture_free(e2e_capture *c);
/* 1 when `needle` occurs anywhere in the captured text. */
int e2e_captured(const e2e_capture *c, const char *needle);

/* Fresh copy of the shared/ path of `dir` `file` (tu_data_path returns a
 * static buffer, so two paths at once need copies). Caller frees. */
char *e2e_fixture_path(const char *dir, const char *file);
/* Loads `dir`<who>-sign.pem/.key (enc = 0) or -enc (enc = 1) into cfg. */
void e2e_load_pair(tlcp_config *cfg, const char *dir, const char *who, int enc);

/* A server config with the sign and enc pairs and chain.pem of `dir`. */
tlcp_config *e2e_server_config(const char *dir);
/* A client config trusting `dir`ca.pem, checking `host`, verifying at the
 * pinned time `now` (the fixture certificates expire). */
tlcp_config *e2e_client_config(const char *dir, const char *host, int64_t now);

int e2e_is_want(tlcp_result r);

#define E2E_MAX_STEPS 200000
/* Drives both ends until both complete (1) or one fails (0; the survivor
 * then gets to read the alert). */
int e2e_run_handshake(mp_pair *io, tlcp_conn *client, tlcp_conn *server);

/* A client and a server connection on one in-memory pair. */
typedef struct e2e_pair {
    mp_pair io;
    tlcp_conn *client;
    tlcp_conn *server;
} e2e_pair;

/* e2e_conns_open() into `p` (takes over the config references). */
void e2e_pair_open(e2e_pair *p, tlcp_config *ccfg, tlcp_config *scfg);
int e2e_pair_handshake(e2e_pair *p);
void e2e_pair_close(e2e_pair *p);

/* Initialises `io`, creates the client and server connections on it and
 * drops the caller's config references (the connections hold their own). */
void e2e_conns_open(mp_pair *io, tlcp_conn **client, tlcp_conn **server, tlcp_config *ccfg,
                    tlcp_config *scfg);

/* Runs both handshakes over the pair's pipes until both finish; 1 when
 * both succeeded (otherwise the errors are in the connections). */
int e2e_drive_handshake(tlcp_conn *client, tlcp_conn *server);

/* ---- generated PKI (certgen) written to temporary PEM files ---------- */

/* Writes `text` to a fresh mkstemp file named from `templ` (ending in
 * XXXXXX); returns its path. Caller unlinks and frees. */
char *e2e_write_temp(const char *templ, const char *text, size_t len);
/* The certificate / private key as PEM in a temporary file (see above). */
char *e2e_cert_file(const char *templ, const tlcp_cert *cert);
char *e2e_key_file(const char *templ, const tlcp_pkey *key);
/* Issues a 30-day certificate for `key` with `profile`; a CA is named
 * `ca_name`, any other profile "localhost" with SAN DNS:localhost.
 * ca = NULL self-signs. */
tlcp_cert *e2e_issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                     int profile, unsigned key_usage, const char *ca_name);

#endif

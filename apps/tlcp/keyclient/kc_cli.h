/* SPDX-License-Identifier: Apache-2.0 */
/* --key-server for tlcp server and tlcp client: the options, their checks,
 * and loading the certificates as delegated pairs served by a kc_client. */
#ifndef TLCP_APP_KC_CLI_H
#define TLCP_APP_KC_CLI_H

#include "../cli.h"
#include "keyclient.h"

struct cli_ks_opts {
    const char *addr;            /* --key-server unix:PATH | HOST:PORT */
    const char *cert, *key, *ca; /* --key-server-cert/-key/-ca: the TLCP channel */
    const char *name;            /* --key-name (default "default") */
};

/* The option table rows (append to a command's cli_opt array). */
#define CLI_KS_OPTIONS(o)                                                                          \
    {"key-server", CLI_STRING, &(o).addr, 0, 0}, {"key-server-cert", CLI_STRING, &(o).cert, 0, 0}, \
        {"key-server-key", CLI_STRING, &(o).key, 0, 0},                                            \
        {"key-server-ca", CLI_STRING, &(o).ca, 0, 0},                                              \
    {                                                                                              \
        "key-name", CLI_STRING, &(o).name, 0, 0                                                    \
    }

/* Usage checks with --key-server: certificates without their keys (the
 * sign certificate always, the enc certificate when need_enc), the channel
 * options together. Prints the error and returns 0. */
int cli_ks_check(const char *cmd, const struct cli_ks_opts *k, const struct cli_tls_opts *tls,
                 int need_enc);

struct cli_ks {
    struct kc_client *kc;
    struct kc_key key;
};

/* Loads tls->sign_cert (and tls->enc_cert when not NULL) into cfg as
 * delegated pairs served through a new kc_client. The channel key's
 * passphrase is tls->pass_value when already read (tlcp server reads --pass
 * once for all its keys), else read from the tls->pass source (may be
 * NULL). Prints why and returns 0 on failure. */
int cli_ks_load(const char *cmd, tlcp_config *cfg, const struct cli_ks_opts *k,
                const struct cli_tls_opts *tls, struct cli_ks *out);
void cli_ks_free(struct cli_ks *ks);
/* One connection's pending operation (tlcp client): runs the key server's
 * I/O until it completes or times out (1: call the handshake again), 0 at
 * the deadline. */
int cli_ks_wait(struct cli_ks *ks, tlcp_conn *conn, int64_t deadline);
/* The failure sentence with the key server's part when a delegated
 * operation failed (the library only knows "it failed"). */
const char *cli_ks_failure(const struct cli_ks *ks, const tlcp_conn *conn, char *buf, size_t len);

#endif

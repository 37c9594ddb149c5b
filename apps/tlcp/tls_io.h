/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS beside TLCP on one port, for the programs (tlcp server, tlcp proxy):
 * OpenSSL's libssl behind a small non-blocking interface shaped like
 * libtlcp's, so an event loop drives both alike. libssl is linked into the
 * tlcp program only, never into libtlcp.
 */
#ifndef TLCP_APP_TLS_IO_H
#define TLCP_APP_TLS_IO_H

#include <stddef.h>
#include <stdint.h>

/* Outcome of one TLS operation. */
enum cli_tls_io {
    CLI_TLS_OK,
    CLI_TLS_WANT_READ,
    CLI_TLS_WANT_WRITE,
    CLI_TLS_CLOSED,    /* the peer's close_notify */
    CLI_TLS_TRUNCATED, /* the peer's socket ended without close_notify */
    CLI_TLS_ERROR      /* cli_tls_failure says why */
};

/* A TLS 1.2/1.3 server context for an RSA or ECDSA certificate (chain
 * file, PEM) and its unencrypted PEM key; NULL with the reason in err. */
void *cli_tls_ctx_new(const char *cert, const char *key, char *err, size_t errlen);
void cli_tls_ctx_free(void *ctx);

/* Refuses a TLS client without libssl (a port without a TLS certificate):
 * consumes the `peeked` bytes of its hello that wait in the socket (closing
 * with unread input would reset the connection before the client reads the
 * alert), sends a fatal protocol_version alert in a record of the client's
 * own version (first[1..2]) and half-closes. Best effort, never blocks. */
void cli_tls_refuse(int fd, const uint8_t *first, size_t peeked);

struct cli_tls;
/* A server-side TLS connection over the non-blocking socket fd (not
 * closed by cli_tls_free). NULL when out of memory. */
struct cli_tls *cli_tls_new(void *ctx, int fd);
void cli_tls_free(struct cli_tls *t);

int cli_tls_handshake(struct cli_tls *t);
int cli_tls_read(struct cli_tls *t, uint8_t *buf, size_t len, size_t *out_n);
/* Partial writes allowed; the buffer may move between retries. */
int cli_tls_write(struct cli_tls *t, const uint8_t *buf, size_t len, size_t *out_n);
/* Sends close_notify (reading goes on until the peer's). */
int cli_tls_shutdown(struct cli_tls *t);

/* After the handshake: "tls1.2" / "tls1.3" (lower case, for logs and metric
 * labels), the suite's name, the client's SNI (NULL = none), resumption. */
const char *cli_tls_proto(const struct cli_tls *t);
const char *cli_tls_suite(const struct cli_tls *t);
const char *cli_tls_sni(const struct cli_tls *t);
int cli_tls_resumed(const struct cli_tls *t);
/* 1 once the handshake completed. */
int cli_tls_done(const struct cli_tls *t);
/* The last alert sent / received (TLS alert numbers), -1 = none. */
int cli_tls_alert_sent(const struct cli_tls *t);
int cli_tls_alert_received(const struct cli_tls *t);
/* Why the last operation failed, as a phrase. */
const char *cli_tls_failure(const struct cli_tls *t);

#endif

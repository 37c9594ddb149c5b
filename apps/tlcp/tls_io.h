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

/* What a service's TLS side is made of (tls_settings.c: `tlcp server`'s
 * --tls-* flags, the proxy's tls_* keys). Strings are borrowed. */
struct cli_tls_settings {
    const char *cert, *key;   /* RSA or ECDSA chain file and key file, PEM */
    const char *pass;         /* the key's passphrase itself (already read), NULL = none */
    int verify_client;        /* TLCP_VERIFY_NONE, _OPTIONAL or _REQUIRED */
    const char *ca;           /* CA file for client certificates (verify_client) */
    const char *min_version;  /* "1.2" (NULL = the default) or "1.3" */
    const char *ciphers;      /* TLS 1.2 cipher list, NULL = libssl's default */
    const char *ciphersuites; /* TLS 1.3 suites, NULL = libssl's default */
    const char *alpn;         /* "h2,http/1.1" in our preference order, NULL = none */
    int alpn_required;        /* refuse clients without a protocol in common */
};

/* A TLS 1.2/1.3 server context for the settings; NULL with the reason in
 * err ("the TLS key is encrypted: ...", "cannot load the TLS CA ..."). */
void *cli_tls_ctx_new(const struct cli_tls_settings *s, char *err, size_t errlen);
void cli_tls_ctx_free(void *ctx);

/* "what: libssl's first error" in out; clears libssl's error queue. */
void cli_tls_error_text(char *out, size_t len, const char *what);

/* Checks one setting before anything is loaded: what = "min_version"
 * (1.2 or 1.3), "ciphers" or "ciphersuites" (strings libssl must accept
 * and that leave at least one suite), "alpn" (a list tlcp_config_set_alpn
 * would take). 0 with the reason in err. */
int cli_tls_check_setting(const char *what, const char *value, char *err, size_t errlen);

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
/* The client certificate's subject ("CN=..., O=...") in buf, NULL when the
 * client sent none. A certificate is only ever accepted verified. */
const char *cli_tls_peer(const struct cli_tls *t, char *buf, size_t len);
/* The agreed ALPN protocol in buf, NULL when none. */
const char *cli_tls_alpn(const struct cli_tls *t, char *buf, size_t len);
/* 1 once the handshake completed. */
int cli_tls_done(const struct cli_tls *t);
/* The last alert sent / received (TLS alert numbers), -1 = none. */
int cli_tls_alert_sent(const struct cli_tls *t);
int cli_tls_alert_received(const struct cli_tls *t);
/* Why the last operation failed, as a phrase. */
const char *cli_tls_failure(const struct cli_tls *t);

#endif

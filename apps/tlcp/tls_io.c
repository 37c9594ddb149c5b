/* SPDX-License-Identifier: Apache-2.0 */
/* libssl behind the non-blocking interface of tls_io.h. */
#include "tls_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

struct cli_tls {
    SSL *ssl;
    int alert_sent, alert_received;
    char why[300];
};

void cli_tls_error_text(char *out, size_t len, const char *what)
{
    unsigned long e = ERR_get_error();
    char detail[256] = "no detail";
    if (e != 0)
        ERR_error_string_n(e, detail, sizeof(detail));
    snprintf(out, len, "%s: %s", what, detail);
    ERR_clear_error();
}

void cli_tls_ctx_free(void *ctx)
{
    SSL_CTX_free(ctx);
}

void cli_tls_refuse(int fd, const uint8_t *first, size_t peeked)
{
    uint8_t sink[512];
    while (peeked > 0) {
        ssize_t n = recv(fd, sink, peeked < sizeof(sink) ? peeked : sizeof(sink), MSG_DONTWAIT);
        if (n <= 0)
            break;
        peeked -= (size_t)n;
    }
    /* alert(21), version, length 2, fatal(2), protocol_version(70) */
    const uint8_t alert[7] = {21, first[1], first[2], 0, 2, 2, 70};
    ssize_t n = send(fd, alert, sizeof(alert), MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)n; /* a client already gone gets nothing */
    shutdown(fd, SHUT_WR);
}

/* Alerts, for the access log and the metrics. */
static void on_info(const SSL *ssl, int where, int ret)
{
    struct cli_tls *t = SSL_get_app_data(ssl);
    if (t == NULL || (where & SSL_CB_ALERT) == 0)
        return;
    if (where & SSL_CB_WRITE)
        t->alert_sent = ret & 0xff;
    else
        t->alert_received = ret & 0xff;
}

struct cli_tls *cli_tls_new(void *ctx, int fd)
{
    struct cli_tls *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->alert_sent = t->alert_received = -1;
    t->ssl = SSL_new(ctx);
    if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
        ERR_clear_error();
        cli_tls_free(t);
        return NULL;
    }
    SSL_set_app_data(t->ssl, t);
    SSL_set_info_callback(t->ssl, on_info);
    return t;
}

void cli_tls_free(struct cli_tls *t)
{
    if (t == NULL)
        return;
    SSL_free(t->ssl);
    free(t);
}

/* Maps a libssl return value (ret <= 0 failed) to the outcome. */
static int outcome(struct cli_tls *t, int ret, const char *what)
{
    int e = SSL_get_error(t->ssl, ret);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        return CLI_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return CLI_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return CLI_TLS_CLOSED;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            snprintf(t->why, sizeof(t->why), "%s: %s", what,
                     errno != 0 ? strerror(errno) : "connection closed without close_notify");
            return errno == 0 ? CLI_TLS_TRUNCATED : CLI_TLS_ERROR;
        }
        break;
    default:
        break;
    }
    if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        cli_tls_error_text(t->why, sizeof(t->why), what);
        return CLI_TLS_TRUNCATED;
    }
    cli_tls_error_text(t->why, sizeof(t->why), what);
    return CLI_TLS_ERROR;
}

int cli_tls_handshake(struct cli_tls *t)
{
    ERR_clear_error();
    errno = 0;
    int r = SSL_accept(t->ssl);
    return r == 1 ? CLI_TLS_OK : outcome(t, r, "TLS handshake");
}

int cli_tls_read(struct cli_tls *t, uint8_t *buf, size_t len, size_t *out_n)
{
    ERR_clear_error();
    errno = 0;
    *out_n = 0;
    if (SSL_read_ex(t->ssl, buf, len, out_n) == 1)
        return CLI_TLS_OK;
    return outcome(t, 0, "TLS read");
}

int cli_tls_write(struct cli_tls *t, const uint8_t *buf, size_t len, size_t *out_n)
{
    ERR_clear_error();
    errno = 0;
    *out_n = 0;
    if (SSL_write_ex(t->ssl, buf, len, out_n) == 1)
        return CLI_TLS_OK;
    return outcome(t, 0, "TLS write");
}

int cli_tls_shutdown(struct cli_tls *t)
{
    ERR_clear_error();
    errno = 0;
    int r = SSL_shutdown(t->ssl);
    /* 0: our close_notify is out, the peer's has not come yet: fine, the
     * reading side goes on until it does. */
    return r >= 0 ? CLI_TLS_OK : outcome(t, r, "TLS shutdown");
}

const char *cli_tls_proto(const struct cli_tls *t)
{
    switch (SSL_version(t->ssl)) {
    case TLS1_3_VERSION:
        return "tls1.3";
    case TLS1_2_VERSION:
        return "tls1.2";
    default:
        return "tls";
    }
}

const char *cli_tls_suite(const struct cli_tls *t)
{
    return SSL_get_cipher_name(t->ssl);
}

const char *cli_tls_peer(const struct cli_tls *t, char *buf, size_t len)
{
    X509 *peer = SSL_get1_peer_certificate(t->ssl);
    if (peer == NULL)
        return NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    /* "O=..., CN=...", in the certificate's order, as tlcp_conn_peer_subject. */
    int ok = bio != NULL && X509_NAME_print_ex(bio, X509_get_subject_name(peer), 0,
                                               XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_RFC2253) >= 0;
    int n = ok ? BIO_read(bio, buf, (int)len - 1) : -1;
    BIO_free(bio);
    X509_free(peer);
    if (n > 0)
        buf[n] = '\0';
    else
        snprintf(buf, len, "?"); /* unprintable: still a certificate */
    return buf;
}

const char *cli_tls_alpn(const struct cli_tls *t, char *buf, size_t len)
{
    const unsigned char *p = NULL;
    unsigned int n = 0;
    SSL_get0_alpn_selected(t->ssl, &p, &n);
    if (n == 0)
        return NULL;
    snprintf(buf, len, "%.*s", (int)n, (const char *)p);
    return buf;
}

const char *cli_tls_sni(const struct cli_tls *t)
{
    return SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
}

int cli_tls_resumed(const struct cli_tls *t)
{
    return SSL_session_reused(t->ssl);
}

int cli_tls_done(const struct cli_tls *t)
{
    return SSL_is_init_finished(t->ssl);
}

int cli_tls_alert_sent(const struct cli_tls *t)
{
    return t->alert_sent;
}

int cli_tls_alert_received(const struct cli_tls *t)
{
    return t->alert_received;
}

const char *cli_tls_failure(const struct cli_tls *t)
{
    return t->why[0] != '\0' ? t->why : "TLS: no detail";
}

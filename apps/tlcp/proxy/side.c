/* SPDX-License-Identifier: Apache-2.0 */
/* The kinds of relay ends behind one interface: a TLCP connection
 * (libtlcp over the non-blocking fd), a TLS one (libssl, tls_io.h) or a
 * plain TCP/unix socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

static __thread int last_errno;

static enum px_io tlcp_io(tlcp_result r)
{
    switch (r) {
    case TLCP_OK:
        return PX_IO_OK;
    case TLCP_WANT_READ:
    case TLCP_WANT_WRITE:
        return PX_IO_WANT;
    case TLCP_CLOSED:
        return PX_IO_EOF;
    default:
        return PX_IO_ERROR;
    }
}

static enum px_io tls_io(struct px_side *s, int r)
{
    switch (r) {
    case CLI_TLS_OK:
        return PX_IO_OK;
    case CLI_TLS_WANT_READ:
    case CLI_TLS_WANT_WRITE:
        return PX_IO_WANT;
    case CLI_TLS_CLOSED:
        return PX_IO_EOF;
    case CLI_TLS_TRUNCATED:
        s->truncated = 1;
        return PX_IO_ERROR;
    default:
        return PX_IO_ERROR;
    }
}

static enum px_io plain_fail(void)
{
    last_errno = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return PX_IO_WANT;
    return PX_IO_ERROR;
}

enum px_io px_side_read(struct px_side *s, uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    if (s->tc != NULL)
        return tlcp_io(tlcp_read(s->tc, buf, len, out_n));
    if (s->tls != NULL)
        return tls_io(s, cli_tls_read(s->tls, buf, len, out_n));
    ssize_t n;
    do {
        n = read(s->fd, buf, len);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
        return PX_IO_EOF;
    if (n < 0)
        return plain_fail();
    *out_n = (size_t)n;
    return PX_IO_OK;
}

enum px_io px_side_write(struct px_side *s, const uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    if (s->tc != NULL)
        return tlcp_io(tlcp_write(s->tc, buf, len, out_n));
    if (s->tls != NULL)
        return tls_io(s, cli_tls_write(s->tls, buf, len, out_n));
    ssize_t n;
    do {
        n = send(s->fd, buf, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return plain_fail();
    *out_n = (size_t)n;
    return PX_IO_OK;
}

enum px_io px_side_shutdown(struct px_side *s)
{
    if (s->tc != NULL)
        return tlcp_io(tlcp_shutdown(s->tc));
    if (s->tls != NULL)
        return tls_io(s, cli_tls_shutdown(s->tls));
    if (shutdown(s->fd, SHUT_WR) != 0 && errno != ENOTCONN)
        return plain_fail();
    return PX_IO_OK;
}

const char *px_side_error(const struct px_side *s, char *buf, size_t len)
{
    if (s->tc != NULL)
        return cli_conn_failure(s->tc, buf, len);
    if (s->tls != NULL) {
        snprintf(buf, len, "%s", cli_tls_failure(s->tls));
        return buf;
    }
    snprintf(buf, len, "%s", strerror(last_errno));
    return buf;
}

int px_side_truncated(const struct px_side *s)
{
    if (s->tls != NULL)
        return s->truncated;
    return s->tc != NULL && tlcp_conn_error_reason(s->tc) == TLCP_R_EOF;
}

/* "CN=a b, O=c" -> "\"CN=a b, O=c\"": one field of the access log however
 * the subject is spelled (quotes and backslashes escaped, controls '?'). */
static void quote_peer(char *out, size_t cap, const char *subject)
{
    if (subject == NULL) {
        snprintf(out, cap, "-");
        return;
    }
    size_t n = 0;
    out[n++] = '"';
    for (const char *p = subject; *p != '\0' && n + 4 < cap; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\')
            out[n++] = '\\';
        out[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
    }
    out[n++] = '"';
    out[n] = '\0';
}

static void peer_of(const struct px_side *s, struct px_view *v)
{
    char buf[512];
    const char *subject = s->tls != NULL  ? cli_tls_peer(s->tls, buf, sizeof(buf))
                          : s->tc != NULL ? tlcp_conn_peer_subject(s->tc, TLCP_CERT_SIGN)
                                          : NULL;
    quote_peer(v->peer, sizeof(v->peer), subject);
}

void px_side_view(const struct px_side *s, struct px_view *v)
{
    *v = (struct px_view){NULL, NULL, 0, 0, -1, -1, ""};
    peer_of(s, v);
    if (s->tls != NULL) {
        v->sni = cli_tls_sni(s->tls);
        v->done = cli_tls_done(s->tls);
        v->suite = v->done ? cli_tls_suite(s->tls) : NULL;
        v->resumed = v->done && cli_tls_resumed(s->tls);
        v->alert_sent = cli_tls_alert_sent(s->tls);
        v->alert_received = cli_tls_alert_received(s->tls);
    } else if (s->tc != NULL) {
        v->sni = tlcp_conn_server_name(s->tc);
        v->done = tlcp_conn_handshake_done(s->tc);
        v->suite = v->done ? tlcp_conn_cipher_suite_name(s->tc) : NULL;
        v->resumed = v->done && tlcp_conn_session_reused(s->tc);
        v->alert_sent = tlcp_conn_alert_sent(s->tc);
        v->alert_received = tlcp_conn_alert_received(s->tc);
    }
}

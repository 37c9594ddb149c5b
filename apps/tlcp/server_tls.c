/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp server: TLS and TLCP on one port. A new connection first peeks at
 * its first bytes without blocking (ST_DETECT; the handshake timeout bounds
 * the wait) and tlcp_detect_protocol says which protocol they speak: TLS
 * goes to OpenSSL's libssl (TLS 1.2 and 1.3 with --tls-cert/--tls-key, an
 * RSA or ECDSA pair, and the other --tls-* flags: tls_settings.c; without
 * them a TLS alert refuses it), everything else
 * to libtlcp. Both are driven by the
 * same poll loop through the srv_io_* calls below, so TLS clients are
 * served concurrently like TLCP ones. libssl is used here in the CLI only:
 * the library itself stays on libcrypto.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "server.h"
#include "tls_io.h"

#define PEEK_MAX (5 + 16384) /* a record header and the largest record */

void *srv_tls_new(const struct cli_tls_settings *settings)
{
    char why[400];
    void *ctx = cli_tls_ctx_new(settings, why, sizeof(why));
    if (ctx == NULL)
        cli_error("server", "TLS certificate %s / key %s: %s", settings->cert, settings->key, why);
    return ctx;
}

/* "--tls-ciphers 'X': libssl selects no ..." as a usage error. */
static int check_flag(const char *flag, const char *what, const char *value)
{
    char why[300];
    if (value == NULL || cli_tls_check_setting(what, value, why, sizeof(why)))
        return 1;
    cli_usage_error("server", "%s: %s", flag, why);
    return 0;
}

int srv_tls_check_args(struct cli_tls_settings *t, const char *verify)
{
    if ((t->cert == NULL) != (t->key == NULL))
        return (cli_usage_error("server", "--tls-cert and --tls-key go together"), 0);
    int others = verify != NULL || t->ca != NULL || t->min_version != NULL || t->ciphers != NULL ||
                 t->ciphersuites != NULL;
    if (t->cert == NULL && others)
        return (cli_usage_error("server", "the --tls-* options need --tls-cert and --tls-key"), 0);
    t->verify_client = TLCP_VERIFY_NONE;
    if (verify != NULL && !cli_parse_verify_mode(verify, &t->verify_client))
        return (cli_usage_error("server",
                                "--tls-verify-client wants none, optional or require, not '%s'",
                                verify),
                0);
    if (t->verify_client != TLCP_VERIFY_NONE && t->ca == NULL)
        return (cli_usage_error("server", "--tls-verify-client %s needs --tls-ca", verify), 0);
    if (t->ca != NULL && t->verify_client == TLCP_VERIFY_NONE)
        return (cli_usage_error("server", "--tls-ca needs --tls-verify-client optional|require"),
                0);
    return check_flag("--tls-min-version", "min_version", t->min_version) &&
           check_flag("--tls-ciphers", "ciphers", t->ciphers) &&
           check_flag("--tls-ciphersuites", "ciphersuites", t->ciphersuites);
}

void srv_tls_free(void *ctx)
{
    cli_tls_ctx_free(ctx);
}

/* TLS for libssl, unless a 360-style hello is to be answered with TLCP. */
static int is_tls(const struct server *s, int verdict)
{
    return verdict == TLCP_DETECT_TLS ||
           (verdict == TLCP_DETECT_TLS_OFFERS_TLCP && !s->tls_hello_for_tlcp);
}

/* The first bytes, peeked. */
static uint8_t peek_buf[PEEK_MAX];

/* The peeked bytes' verdict; NEED_MORE while incomplete, -1 at an end or
 * an error (libtlcp then reports it). */
static int peek_verdict(struct srv_conn *c)
{
    ssize_t n;
    do {
        n = recv(c->fd, peek_buf, sizeof(peek_buf), MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        c->events = POLLIN;
        return TLCP_DETECT_NEED_MORE;
    }
    if (n <= 0)
        return -1;
    int verdict = tlcp_detect_protocol(peek_buf, (size_t)n);
    /* Part of a hello: the bytes stay readable, so poll would not wait for
     * the rest; the loop looks again shortly (SRV_DETECT_RETRY_MS). */
    if (verdict == TLCP_DETECT_NEED_MORE)
        c->events = (size_t)n == c->peeked ? 0 : POLLIN;
    c->peeked = (size_t)n;
    return verdict;
}

int srv_detect(struct server *s, struct srv_conn *c)
{
    int verdict = peek_verdict(c);
    if (verdict == TLCP_DETECT_NEED_MORE)
        return 0;
    c->state = ST_HANDSHAKE;
    if (verdict >= 0 && is_tls(s, verdict) && s->tls_ctx == NULL) {
        /* libtlcp's alert would be a TLCP record: TLS clients call it garbage. */
        cli_tls_refuse(c->fd, peek_buf, c->peeked);
        srv_log_conn(c, verdict == TLCP_DETECT_TLS_OFFERS_TLCP
                            ? "handshake failed: a TLS ClientHello offering TLCP suites first "
                              "(360 style), and this server has neither --tls-hello-for-tlcp "
                              "nor --tls-cert (TLS alert protocol_version sent)"
                            : "handshake failed: a TLS client, and this server has no "
                              "--tls-cert (TLS alert protocol_version sent)");
        s->failed++;
        c->state = ST_DONE;
        return 0;
    }
    if (verdict >= 0 && is_tls(s, verdict)) {
        c->tls = cli_tls_new(s->tls_ctx, c->fd);
        if (c->tls == NULL) {
            srv_log_conn(c, "dropped: out of memory");
            c->state = ST_DONE;
            return 0;
        }
        tlcp_conn_free(c->tc);
        c->tc = NULL;
        c->proto = "tls";
    } else {
        c->proto = verdict == TLCP_DETECT_TLS_OFFERS_TLCP ? "tlcp-via-tls-hello" : "tlcp";
    }
    return 1;
}

static tlcp_result of_tls(int r)
{
    switch (r) {
    case CLI_TLS_OK:
        return TLCP_OK;
    case CLI_TLS_WANT_READ:
        return TLCP_WANT_READ;
    case CLI_TLS_WANT_WRITE:
        return TLCP_WANT_WRITE;
    case CLI_TLS_CLOSED:
        return TLCP_CLOSED;
    default:
        return TLCP_ERROR;
    }
}

tlcp_result srv_io_handshake(struct srv_conn *c)
{
    if (c->tls == NULL)
        return tlcp_handshake(c->tc);
    tlcp_result r = of_tls(cli_tls_handshake(c->tls));
    if (r == TLCP_OK)
        c->proto = cli_tls_proto(c->tls);
    return r;
}

tlcp_result srv_io_read(struct srv_conn *c, uint8_t *buf, size_t len, size_t *n)
{
    if (c->tls == NULL)
        return tlcp_read(c->tc, buf, len, n);
    return of_tls(cli_tls_read(c->tls, buf, len, n));
}

tlcp_result srv_io_write(struct srv_conn *c, const uint8_t *buf, size_t len, size_t *n)
{
    if (c->tls == NULL)
        return tlcp_write(c->tc, buf, len, n);
    return of_tls(cli_tls_write(c->tls, buf, len, n));
}

tlcp_result srv_io_shutdown(struct srv_conn *c)
{
    if (c->tls == NULL)
        return tlcp_shutdown(c->tc);
    return of_tls(cli_tls_shutdown(c->tls));
}

const char *srv_io_failure(const struct srv_conn *c, char *buf, size_t len)
{
    if (c->tls == NULL)
        return cli_conn_failure(c->tc, buf, len);
    snprintf(buf, len, "%s", cli_tls_failure(c->tls));
    return buf;
}

const char *srv_io_suite(const struct srv_conn *c)
{
    return c->tls != NULL ? cli_tls_suite(c->tls) : tlcp_conn_cipher_suite_name(c->tc);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp server: TLS and TLCP on one port. The first bytes of a connection
 * are peeked (MSG_PEEK, at most SRV_PEEK_MS) and tlcp_detect_protocol
 * says which protocol they speak; TLS connections go to OpenSSL's libssl
 * (TLS 1.2 and 1.3 with --tls-cert/--tls-key, an RSA or ECDSA pair), TLCP
 * ones to libtlcp as before. libssl is used here in the CLI only: the
 * library itself stays on libcrypto. A TLS connection is served in the
 * accept path with blocking I/O and a 10 s per-operation timeout, one at a
 * time (this is a test tool; the proxy is the production path).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cli.h"
#include "server.h"

#define SRV_PEEK_MS     3000
#define SRV_TLS_TIMEOUT 10
#define PEEK_MAX        (5 + 16384)

void *srv_tls_new(const char *cert, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    char detail[256] = "";
    if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ERR_error_string_n(ERR_get_error(), detail, sizeof(detail));
        cli_error("server", "TLS certificate %s / key %s: %s", cert, key, detail);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

void srv_tls_free(void *ctx)
{
    SSL_CTX_free(ctx);
}

int srv_peek_protocol(int fd)
{
    static uint8_t buf[PEEK_MAX];
    int64_t deadline = cli_now_ms() + SRV_PEEK_MS;
    int verdict = TLCP_DETECT_NEED_MORE;
    size_t last = 0;
    while (verdict == TLCP_DETECT_NEED_MORE) {
        int64_t left = deadline - cli_now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_PEEK);
        if (n <= 0 || (size_t)n == last) {
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || (size_t)n == last)
                break; /* closed, failed, or nothing new: leave it to libtlcp */
        }
        if (n > 0) {
            last = (size_t)n;
            verdict = tlcp_detect_protocol(buf, last);
        }
    }
    return verdict;
}

static void set_blocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    struct timeval tv = {SRV_TLS_TIMEOUT, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Echo (and www: a one-line page) until the client closes. */
static void tls_data(SSL *ssl, int www, uint64_t *in, uint64_t *out)
{
    char buf[16384];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) {
        *in += (uint64_t)n;
        if (www) {
            static const char page[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                                       "tlcp server: TLS\r\n";
            if (SSL_write(ssl, page, (int)sizeof(page) - 1) > 0)
                *out += sizeof(page) - 1;
            return;
        }
        if (SSL_write(ssl, buf, n) != n)
            return;
        *out += (uint64_t)n;
    }
}

void srv_tls_serve(struct server *s, int fd, const char *peer)
{
    set_blocking(fd);
    SSL *ssl = SSL_new(s->tls_ctx);
    int64_t start = cli_now_ms();
    unsigned long num = ++s->numbered;
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
        char detail[256] = "no detail";
        unsigned long e = ERR_get_error();
        if (e != 0)
            ERR_error_string_n(e, detail, sizeof(detail));
        fprintf(stderr, "tlcp server: [conn %lu] %s protocol TLS: handshake failed: %s\n", num,
                peer, detail);
        s->failed++;
    } else {
        if (!s->quiet)
            fprintf(stderr,
                    "tlcp server: [conn %lu] %s protocol TLS: handshake ok: %s, %s, %lld ms\n", num,
                    peer, SSL_get_version(ssl), SSL_get_cipher_name(ssl),
                    (long long)(cli_now_ms() - start));
        uint64_t in = 0, out = 0;
        tls_data(ssl, s->mode == MODE_WWW, &in, &out);
        SSL_shutdown(ssl);
        if (!s->quiet)
            fprintf(stderr,
                    "tlcp server: [conn %lu] %s protocol TLS: closed, %llu bytes in, %llu out\n",
                    num, peer, (unsigned long long)in, (unsigned long long)out);
        s->finished++;
    }
    ERR_clear_error();
    SSL_free(ssl);
    close(fd);
}

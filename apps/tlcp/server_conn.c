/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp server, one connection: handshake, the data of the three modes
 * (echo, www, stdio), close_notify and, while the server stops, the wait
 * for the client's close_notify. Each step calls the non-blocking API and
 * records in c->events what the last call waits for.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"
#include "tls_io.h"

void srv_log_conn(const struct srv_conn *c, const char *what)
{
    fprintf(stderr, "tlcp server: %s %s\n", c->peer, what);
}

/* Routine lines (handshake ok, closed) that --quiet leaves out. */
static void log_info(const struct server *s, const struct srv_conn *c, const char *what)
{
    if (!s->quiet)
        srv_log_conn(c, what);
}

static void conn_fail(struct server *s, struct srv_conn *c, const char *phase)
{
    char why[CLI_WHY_MAX + 400], line[CLI_WHY_MAX + 500];
    if (c->tls != NULL)
        srv_io_failure(c, why, sizeof(why));
    else
        cli_ks_failure(&s->ks, c->tc, why, sizeof(why));
    if (c->state == ST_HANDSHAKE) {
        snprintf(line, sizeof(line), "handshake failed after %lld ms: %s",
                 (long long)(cli_now_ms() - c->start_ms), why);
        s->failed++;
    } else {
        snprintf(line, sizeof(line), "%s: %s", phase, why);
    }
    srv_log_conn(c, line);
    c->state = ST_DONE;
}

/* A TLS client on the one port. */
static void tls_handshake_done(struct server *s, struct srv_conn *c)
{
    char line[1200], peer[512], alpn[300];
    const char *sni = cli_tls_sni(c->tls);
    const char *client = cli_tls_peer(c->tls, peer, sizeof(peer));
    const char *proto = cli_tls_alpn(c->tls, alpn, sizeof(alpn));
    /* A client certificate is only ever accepted verified (tls_settings.c). */
    snprintf(line, sizeof(line), "handshake ok: %s, %s%lld ms%s%s%s%s%s%s, protocol %s",
             cli_tls_suite(c->tls), cli_tls_resumed(c->tls) ? "resumed, " : "",
             (long long)(cli_now_ms() - c->start_ms), sni ? ", server name " : "", sni ? sni : "",
             proto ? ", ALPN: " : "", proto ? proto : "", client ? ", client " : "",
             client ? client : "", c->proto);
    log_info(s, c, line);
    c->state = ST_DATA;
}

static void handshake_done(struct server *s, struct srv_conn *c)
{
    if (c->tls != NULL) {
        tls_handshake_done(s, c);
        return;
    }
    char line[1400];
    const char *client = tlcp_conn_peer_subject(c->tc, TLCP_CERT_SIGN);
    const char *sni = tlcp_conn_server_name(c->tc);
    char why[160];
    const char *verdict = cli_peer_verify_text(c->tc, why, sizeof(why));
    char alpn[300] = "";
    if (tlcp_conn_alpn_selected(c->tc, NULL, NULL)) {
        alpn[0] = ',';
        alpn[1] = ' ';
        cli_alpn_text(c->tc, alpn + 2, sizeof(alpn) - 2);
    }
    snprintf(line, sizeof(line), "handshake ok: %s, %s%lld ms%s%s%s%s%s%s%s%s%s",
             tlcp_conn_cipher_suite_name(c->tc), tlcp_conn_session_reused(c->tc) ? "resumed, " : "",
             (long long)(cli_now_ms() - c->start_ms), sni ? ", server name " : "", sni ? sni : "",
             alpn, client ? ", client " : "", client ? client : "",
             verdict ? ", client certificate " : "", verdict ? verdict : "",
             c->proto ? ", protocol " : "", c->proto ? c->proto : "");
    log_info(s, c, line);
    c->state = ST_DATA;
}

int srv_queue_out(struct srv_conn *c, const void *data, size_t len)
{
    size_t keep = c->out_len - c->out_off;
    uint8_t *buf = malloc(keep + len);
    if (buf == NULL)
        return 0;
    if (keep > 0)
        memcpy(buf, c->out + c->out_off, keep);
    memcpy(buf + keep, data, len);
    free(c->out);
    c->out = buf;
    c->out_len = keep + len;
    c->out_off = 0;
    return 1;
}

/* www: once the request head is complete, queue the status page. */
static int www_request(struct srv_conn *c, const uint8_t *data, size_t len)
{
    if (c->close_after_out)
        return 1; /* page already queued; ignore the rest */
    size_t room = sizeof(c->req) - 1 - c->req_len;
    int too_big = len > room;
    size_t take = too_big ? room : len;
    memcpy(c->req + c->req_len, data, take);
    c->req_len += take;
    c->req[c->req_len] = '\0';
    if (!too_big && strstr(c->req, "\r\n\r\n") == NULL && strstr(c->req, "\n\n") == NULL)
        return 1;
    char body[1024], page[1400];
    const char *status = "200 OK";
    if (too_big)
        status = "400 Bad Request";
    else if (strncmp(c->req, "GET ", 4) != 0 && strncmp(c->req, "HEAD ", 5) != 0)
        status = "405 Method Not Allowed";
    const char *client = c->tc != NULL ? tlcp_conn_peer_subject(c->tc, TLCP_CERT_SIGN) : NULL;
    char proto[64];
    if (c->tls != NULL)
        snprintf(proto, sizeof(proto), "%s", c->proto);
    else
        snprintf(proto, sizeof(proto), "TLCP (0x%04x)", TLCP_PROTOCOL_VERSION);
    int bl =
        snprintf(body, sizeof(body),
                 "libtlcp %s TLCP server\n"
                 "status: %s\n"
                 "peer: %s\n"
                 "protocol: %s\n"
                 "cipher suite: %s\n"
                 "client certificate: %s\n",
                 tlcp_version(), status, c->peer, proto, srv_io_suite(c), client ? client : "none");
    if (bl < 0 || (size_t)bl >= sizeof(body))
        bl = (int)strlen(body);
    int pl = snprintf(page, sizeof(page),
                      "HTTP/1.0 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                      "Content-Length: %d\r\nConnection: close\r\n\r\n%s",
                      status, bl, strncmp(c->req, "HEAD ", 5) == 0 ? "" : body);
    if (pl < 0 || (size_t)pl >= sizeof(page))
        return 0;
    c->close_after_out = 1;
    return srv_queue_out(c, page, (size_t)pl);
}

static int got_data(struct server *s, struct srv_conn *c, const uint8_t *buf, size_t n)
{
    c->bytes_in += n;
    switch (s->mode) {
    case MODE_ECHO:
        return srv_queue_out(c, buf, n);
    case MODE_WWW:
        return www_request(c, buf, n);
    default:
        fwrite(buf, 1, n, stdout);
        fflush(stdout);
        return 1;
    }
}

static short want_events(tlcp_result r)
{
    return r == TLCP_WANT_WRITE ? POLLOUT : POLLIN;
}

/* Writes queued plaintext. Returns 1 to go on, 0 when blocked or done. */
static int step_write(struct server *s, struct srv_conn *c)
{
    size_t n = 0;
    tlcp_result r = srv_io_write(c, c->out + c->out_off, c->out_len - c->out_off, &n);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (r != TLCP_OK) {
        conn_fail(s, c, "write failed");
        return 0;
    }
    c->out_off += n;
    c->bytes_out += n;
    if (c->out_off == c->out_len) {
        free(c->out);
        c->out = NULL;
        c->out_len = c->out_off = 0;
        if (c->close_after_out)
            c->state = ST_SHUTDOWN;
    }
    return 1;
}

static int step_data(struct server *s, struct srv_conn *c)
{
    if (c->out != NULL)
        return step_write(s, c);
    if (s->mode == MODE_STDIO && !s->stdin_open) {
        c->state = ST_SHUTDOWN;
        return 1;
    }
    uint8_t buf[SRV_IO_CHUNK];
    size_t n = 0;
    tlcp_result r = srv_io_read(c, buf, sizeof(buf), &n);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (r == TLCP_CLOSED) {
        c->peer_closed = 1;
        c->state = ST_SHUTDOWN;
        return 1;
    }
    if (r != TLCP_OK) {
        conn_fail(s, c, "connection ended");
        return 0;
    }
    if (!got_data(s, c, buf, n)) {
        srv_log_conn(c, "out of memory");
        c->state = ST_DONE;
        return 0;
    }
    return 1;
}

static void log_closed(const struct server *s, struct srv_conn *c, const char *how)
{
    char line[160];
    snprintf(line, sizeof(line), "closed%s: %llu bytes in, %llu bytes out", how,
             (unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out);
    log_info(s, c, line);
    c->state = ST_DONE;
}

/* Stopping: after our close_notify, read (and drop) until the client's. */
static int step_drain(struct server *s, struct srv_conn *c)
{
    uint8_t buf[SRV_IO_CHUNK];
    size_t n = 0;
    tlcp_result r = srv_io_read(c, buf, sizeof(buf), &n);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    if (r == TLCP_OK) {
        c->bytes_in += n;
        return 1;
    }
    log_closed(s, c, r == TLCP_CLOSED ? "" : " (the client did not answer close_notify)");
    return 0;
}

static int step_shutdown(struct server *s, struct srv_conn *c)
{
    tlcp_result r = srv_io_shutdown(c);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        c->events = want_events(r);
        return 0;
    }
    /* Stopping, or we closed first (www): wait, bounded, for the client's
     * close_notify before the socket goes (see SRV_LINGER_MS). */
    if ((s->drain_deadline != 0 || c->close_after_out) && !c->peer_closed && r == TLCP_OK) {
        c->state = ST_DRAIN;
        c->drain_until = s->drain_deadline != 0 ? s->drain_deadline : cli_now_ms() + SRV_LINGER_MS;
        return 1;
    }
    log_closed(s, c, "");
    return 0;
}

/* Drives one connection until it blocks or ends. */
static void step_conn(struct server *s, struct srv_conn *c)
{
    for (;;) {
        int go_on = 0;
        switch (c->state) {
        case ST_DETECT:
            go_on = srv_detect(s, c);
            break;
        case ST_HANDSHAKE: {
            tlcp_result r = srv_io_handshake(c);
            if (r == TLCP_OK) {
                handshake_done(s, c);
                go_on = 1;
            } else if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
                c->events = want_events(r);
            } else if (r == TLCP_WANT_KEY_OPERATION) {
                c->events = 0; /* the key server's answer wakes it (cmd_server.c) */
            } else {
                conn_fail(s, c, "handshake");
            }
            break;
        }
        case ST_DATA:
            go_on = step_data(s, c);
            break;
        case ST_SHUTDOWN:
            go_on = step_shutdown(s, c);
            break;
        case ST_DRAIN:
            go_on = step_drain(s, c);
            break;
        default:
            break;
        }
        if (!go_on)
            return;
    }
}

/* Every trace line the library emits meanwhile belongs to this connection
 * (one thread, one connection at a time): give it the connection's tag. */
void srv_step(struct server *s, struct srv_conn *c)
{
    s->trace->prefix = c->tag;
    step_conn(s, c);
    s->trace->prefix = "";
}

void srv_conn_free(struct srv_conn *c)
{
    tlcp_conn_free(c->tc);
    cli_tls_free(c->tls);
    close(c->fd);
    free(c->out);
    free(c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One proxied connection: the TLCP handshake, the backend connect, then a
 * relay in both directions with bounded buffers. A direction stops reading
 * while its buffer is full (back-pressure), and an end of stream travels
 * as a half-close: plain EOF becomes close_notify once the buffer toward
 * the TLCP side is drained, a received close_notify becomes
 * shutdown(SHUT_WR) on the plain side. Both fds are registered once,
 * edge-triggered; every event pumps the connection until nothing moves.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

/* Work done for one connection per wake-up before the others get a turn. */
#define PX_PUMP_ROUNDS 32

static void set_result(struct px_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_result(struct px_conn *c, const char *fmt, ...)
{
    if (c->result[0] != '\0')
        return; /* the first cause wins */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->result, sizeof(c->result), fmt, ap);
    va_end(ap);
}

static int watch(struct px_conn *c, int fd)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.ptr = &c->tag};
    return epoll_ctl(c->w->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

static void log_conn(struct px_conn *c)
{
    struct px_view v;
    px_side_view(&c->side[c->tls_side], &v);
    if (c->refused)
        v.alert_sent = TLCP_ALERT_PROTOCOL_VERSION;
    int64_t now = cli_now_ms();
    char sent[CLI_ALERT_NAME_MAX], received[CLI_ALERT_NAME_MAX];
    px_log_line("service=%s client=%s sni=%s suite=%s resumed=%s bytes_in=%llu bytes_out=%llu "
                "handshake_ms=%lld duration_ms=%lld result=%s alert_sent=%s alert_received=%s "
                "proto=%s peer=%s",
                c->svc->name, c->client, v.sni != NULL ? v.sni : "-",
                v.suite != NULL ? v.suite : "-", v.done ? (v.resumed ? "yes" : "no") : "-",
                (unsigned long long)c->bytes[0], (unsigned long long)c->bytes[1],
                (long long)(c->hs_ms > 0 ? c->hs_ms - c->start_ms : -1),
                (long long)(now - c->start_ms), c->result[0] != '\0' ? c->result : "ok",
                cli_alert_name(v.alert_sent, sent), cli_alert_name(v.alert_received, received),
                px_proto_name(c->proto), v.peer);
}

/* Closes everything now; the memory goes when the worker's current batch
 * of events is done (a later event of the batch may still name c). */
static void conn_free(struct px_conn *c)
{
    struct px_worker *w = c->w;
    log_conn(c);
    atomic_fetch_add_explicit(&px_metrics.conns_by_proto[c->proto], 1, memory_order_relaxed);
    px_redis_cancel(c);
    px_ks_forget(c);
    px_heap_remove(&w->timers, &c->timer);
    for (int i = 0; i < 2; i++) {
        tlcp_conn_free(c->side[i].tc);
        cli_tls_free(c->side[i].tls);
        if (c->side[i].fd >= 0)
            close(c->side[i].fd); /* also drops it from the epoll set */
        free(c->buf[i].data);
    }
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    w->num_conns--;
    atomic_fetch_sub(&w->listeners->active[c->svc_index], 1);
    atomic_fetch_sub_explicit(&px_metrics.conns_active, 1, memory_order_relaxed);
    c->state = PX_S_DONE;
    c->next = w->dead;
    w->dead = c;
}

int64_t px_conn_deadline(const struct px_conn *c)
{
    int64_t d;
    if ((c->state == PX_S_HANDSHAKE || c->state == PX_S_DETECT) && c->tls_side == 0)
        d = c->start_ms + c->svc->handshake_timeout_ms;
    else if (c->state == PX_S_HANDSHAKE)
        d = c->connect_start_ms + c->svc->handshake_timeout_ms;
    else if (c->state == PX_S_CONNECT)
        d = c->connect_start_ms + c->svc->connect_timeout_ms;
    else
        d = c->last_io_ms + c->svc->idle_timeout_ms;
    if (c->draining && c->w->drain_deadline < d)
        d = c->w->drain_deadline;
    if (c->lookup != NULL && c->lookup_deadline_ms < d)
        d = c->lookup_deadline_ms;
    long kw = px_ks_wait_ms(c); /* the library's key-operation timeout */
    if (kw >= 0 && cli_now_ms() + kw < d)
        d = cli_now_ms() + kw;
    return d;
}

static void handshake_failed(struct px_conn *c)
{
    const struct px_side *s = &c->side[c->tls_side];
    char why[CLI_WHY_MAX + 400];
    struct px_view v;
    px_side_view(s, &v);
    if (s->tc != NULL)
        px_ks_failure(c, why, sizeof(why));
    else
        px_side_error(s, why, sizeof(why));
    set_result(c, "handshake_failed: %s", why);
    px_metrics_handshake(0, 0, 0, v.alert_sent, v.alert_received);
    atomic_fetch_add_explicit(&px_metrics.hs_failed_by_proto[c->proto], 1, memory_order_relaxed);
    c->state = PX_S_DONE;
}

/* Starts the non-blocking connect to the backend. */
static int start_connect(struct px_conn *c)
{
    const struct px_addr *a = &c->svc->connect;
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_result(c, "backend_failed: socket: %s", strerror(errno));
        return 0;
    }
    c->side[1].fd = fd;
    c->connect_start_ms = cli_now_ms();
    if (connect(fd, (const struct sockaddr *)&a->ss, a->len) != 0 && errno != EINPROGRESS) {
        set_result(c, "backend_failed: %s: %s", a->text, strerror(errno));
        atomic_fetch_add_explicit(&px_metrics.backend_connect_failed, 1, memory_order_relaxed);
        return 0;
    }
    if (!watch(c, fd)) {
        set_result(c, "internal: epoll: %s", strerror(errno));
        return 0;
    }
    c->state = PX_S_CONNECT;
    return 1;
}

/* PROXY header first in the buffer toward the backend. */
static int queue_proxy_header(struct px_conn *c)
{
    if (c->svc->proxy_protocol == PX_PP_NONE)
        return 1;
    struct px_buf *b = &c->buf[0];
    b->data = malloc((size_t)c->gen->cfg.buffer_size);
    if (b->data == NULL)
        return 0;
    b->len = px_proxy_header(c->svc->proxy_protocol, (const struct sockaddr *)&c->peer,
                             (const struct sockaddr *)&c->local, b->data,
                             (size_t)c->gen->cfg.buffer_size);
    b->off = 0;
    c->header_left = b->len;
    return b->len > 0;
}

static void handshake_ok(struct px_conn *c)
{
    struct px_view v;
    px_side_view(&c->side[c->tls_side], &v);
    c->hs_ms = cli_now_ms();
    int64_t began = c->tls_side == 0 ? c->start_ms : c->connect_start_ms;
    px_metrics_handshake(1, v.resumed, (c->hs_ms - began) * 1000, -1, -1);
    atomic_fetch_add_explicit(&px_metrics.hs_ok_by_proto[c->proto], 1, memory_order_relaxed);
    c->last_io_ms = c->hs_ms;
    if (c->tls_side == 0) {
        if (!start_connect(c))
            c->state = PX_S_DONE;
    } else {
        c->state = PX_S_RELAY;
    }
}

/* The backend socket is connected (or failed). */
static int connect_done(struct px_conn *c)
{
    struct pollfd p = {.fd = c->side[1].fd, .events = POLLOUT};
    if (poll(&p, 1, 0) <= 0)
        return 0; /* still in progress */
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(c->side[1].fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        set_result(c, "backend_failed: %s: %s", c->svc->connect.text, strerror(soerr));
        atomic_fetch_add_explicit(&px_metrics.backend_connect_failed, 1, memory_order_relaxed);
        c->state = PX_S_DONE;
        return 1;
    }
    c->last_io_ms = cli_now_ms();
    if (c->tls_side == 1) {
        c->state = PX_S_HANDSHAKE;
        return 1;
    }
    if (!queue_proxy_header(c)) {
        set_result(c, "internal: PROXY header");
        c->state = PX_S_DONE;
        return 1;
    }
    c->state = PX_S_RELAY;
    return 1;
}

static void fail_side(struct px_conn *c, int d, const char *what)
{
    char why[300];
    set_result(c, "%s_%s: %s", d == 0 ? "client" : "backend", what,
               px_side_error(&c->side[d], why, sizeof(why)));
    c->state = PX_S_DONE;
}

/* Writes buffered bytes of direction d to the other side. */
static int flush_dir(struct px_conn *c, int d)
{
    struct px_buf *b = &c->buf[d];
    struct px_side *dst = &c->side[1 - d];
    if (b->len == b->off)
        return 0;
    size_t n = 0;
    enum px_io r = PX_IO_OK;
    if (dst->dead)
        n = b->len - b->off; /* the reader is gone: drop what it would have got */
    else
        r = px_side_write(dst, b->data + b->off, b->len - b->off, &n);
    if (r == PX_IO_WANT)
        return 0;
    if (r != PX_IO_OK) {
        fail_side(c, 1 - d, "write_failed");
        return 1;
    }
    b->off += n;
    if (d == 0 && c->header_left > 0) {
        size_t h = n < c->header_left ? n : c->header_left;
        c->header_left -= h;
        n -= h;
    }
    c->bytes[d] += n;
    atomic_fetch_add_explicit(d == 0 ? &px_metrics.bytes_client_to_backend
                                     : &px_metrics.bytes_backend_to_client,
                              n, memory_order_relaxed);
    c->last_io_ms = cli_now_ms();
    if (b->off == b->len) {
        free(b->data);
        b->data = NULL;
        b->off = b->len = 0;
    }
    return 1;
}

/* A TLCP peer that vanished without close_notify: its EOF still half-closes
 * the other side, but nothing can be written to it any more. */
static void tlcp_truncated(struct px_conn *c, int d)
{
    struct px_side *s = &c->side[d];
    s->rd_eof = 1;
    s->dead = 1;
    s->wr_shut = 1;
    if (c->result[0] == '\0')
        set_result(c, "%s_closed_without_close_notify", d == 0 ? "client" : "backend");
}

static int fill_dir(struct px_conn *c, int d)
{
    struct px_buf *b = &c->buf[d];
    struct px_side *src = &c->side[d];
    size_t cap = (size_t)c->gen->cfg.buffer_size;
    if (src->rd_eof || b->len >= cap)
        return 0;
    if (b->data == NULL) {
        b->data = malloc(cap);
        if (b->data == NULL) {
            set_result(c, "internal: out of memory");
            c->state = PX_S_DONE;
            return 1;
        }
    } else if (b->off > 0) {
        memmove(b->data, b->data + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    size_t n = 0;
    enum px_io r = px_side_read(src, b->data + b->len, cap - b->len, &n);
    if (r == PX_IO_WANT) {
        if (b->len == 0) {
            free(b->data);
            b->data = NULL;
        }
        return 0;
    }
    if (r == PX_IO_EOF) {
        src->rd_eof = 1;
        return 1;
    }
    if (r == PX_IO_ERROR) {
        if (px_side_truncated(src)) {
            tlcp_truncated(c, d);
            return 1;
        }
        fail_side(c, d, "read_failed");
        return 1;
    }
    b->len += n;
    c->last_io_ms = cli_now_ms();
    return 1;
}

/* One direction: write what is buffered, pass an EOF on, read more. */
static int move_dir(struct px_conn *c, int d)
{
    struct px_side *src = &c->side[d], *dst = &c->side[1 - d];
    int progress = flush_dir(c, d);
    if (c->state == PX_S_DONE)
        return 1;
    if (c->buf[d].len == c->buf[d].off && src->rd_eof && !dst->wr_shut) {
        enum px_io r = px_side_shutdown(dst);
        if (r == PX_IO_ERROR) {
            fail_side(c, 1 - d, "shutdown_failed");
            return 1;
        }
        if (r == PX_IO_OK) {
            dst->wr_shut = 1;
            progress = 1;
        }
    }
    if (!dst->wr_shut)
        progress |= fill_dir(c, d);
    return progress;
}

/* Direction d has nothing left to do: all delivered and passed on as an
 * end of stream, or nobody left to deliver to. */
static int dir_done(const struct px_conn *c, int d)
{
    const struct px_side *src = &c->side[d], *dst = &c->side[1 - d];
    return dst->dead || (src->rd_eof && dst->wr_shut && c->buf[d].len == c->buf[d].off);
}

static int relay(struct px_conn *c)
{
    int progress = move_dir(c, 0);
    if (c->state != PX_S_DONE)
        progress |= move_dir(c, 1);
    if (c->state != PX_S_DONE && dir_done(c, 0) && dir_done(c, 1))
        c->state = PX_S_DONE;
    return progress;
}

/* One step of the state machine; 1 when something moved. */
static int step(struct px_conn *c)
{
    switch (c->state) {
    case PX_S_DETECT:
        return px_detect_step(c);
    case PX_S_HANDSHAKE: {
        tlcp_result r;
        if (c->side[0].tls != NULL) {
            r = px_tls_side_handshake(c);
        } else {
            px_redis_driving(c->w, c); /* the store's lookup may start for c */
            px_ks_driving(c);          /* and a key-server operation */
            r = tlcp_handshake(c->side[c->tls_side].tc);
        }
        /* WANT_SESSION: the Redis reply or the lookup deadline wakes c;
         * WANT_KEY_OPERATION: the key server's answer (keyserver_link.c) */
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE || r == TLCP_WANT_SESSION ||
            r == TLCP_WANT_KEY_OPERATION)
            return 0;
        if (r == TLCP_OK)
            handshake_ok(c);
        else
            handshake_failed(c);
        return 1;
    }
    case PX_S_CONNECT:
        return connect_done(c);
    case PX_S_RELAY:
        return relay(c);
    default:
        return 0;
    }
}

void px_conn_wake(struct px_conn *c)
{
    if (c->ready)
        return;
    c->ready = 1;
    c->next_ready = c->w->ready_head;
    c->w->ready_head = c;
}

void px_conn_pump(struct px_conn *c)
{
    for (int round = 0; round < PX_PUMP_ROUNDS; round++) {
        int progress = step(c);
        if (c->state == PX_S_DONE) {
            conn_free(c);
            return;
        }
        if (!progress) {
            int64_t d = px_conn_deadline(c);
            if (c->timer.index == SIZE_MAX || d < c->timer.deadline_ms)
                px_heap_set(&c->w->timers, &c->timer, d);
            return;
        }
    }
    px_conn_wake(c); /* more to do: after the other connections had their turn */
}

void px_conn_abort(struct px_conn *c, const char *why)
{
    set_result(c, "%s", why);
    conn_free(c);
}

void px_conn_timeout(struct px_conn *c, int64_t now)
{
    if (c->lookup != NULL && now >= c->lookup_deadline_ms) {
        px_redis_expire(c); /* Redis too slow: a full handshake, now */
        px_heap_remove(&c->w->timers, &c->timer);
        px_conn_pump(c);
        return;
    }
    if (px_ks_wait_ms(c) == 0) { /* no answer in time: the handshake call fails it */
        px_heap_remove(&c->w->timers, &c->timer);
        px_conn_pump(c);
        return;
    }
    int64_t d = px_conn_deadline(c);
    if (d > now) {
        px_heap_set(&c->w->timers, &c->timer, d); /* activity since: later */
        return;
    }
    if (c->draining && now >= c->w->drain_deadline) {
        px_conn_abort(c, "stopped: drain deadline");
        return;
    }
    if (c->state == PX_S_HANDSHAKE || c->state == PX_S_DETECT) {
        atomic_fetch_add_explicit(&px_metrics.hs_timeout, 1, memory_order_relaxed);
        px_conn_abort(c, "handshake_timeout");
    } else if (c->state == PX_S_CONNECT) {
        atomic_fetch_add_explicit(&px_metrics.backend_connect_failed, 1, memory_order_relaxed);
        px_conn_abort(c, "backend_failed: connect timeout");
    } else {
        px_conn_abort(c, "idle_timeout");
    }
}

/* Graceful stop: connections still handshaking end now; relaying ones see
 * the plain side as ended, so close_notify follows the buffered bytes. */
void px_conn_drain(struct px_conn *c)
{
    if (c->state != PX_S_RELAY) {
        px_conn_abort(c, "stopped");
        return;
    }
    c->draining = 1;
    int plain = 1 - c->tls_side;
    c->side[plain].rd_eof = 1;
    set_result(c, "stopped");
    px_conn_pump(c);
}

void px_conn_accepted(struct px_worker *w, size_t svc_index, int fd,
                      const struct sockaddr_storage *peer)
{
    struct px_conn *c = calloc(1, sizeof(*c));
    const struct px_service *svc = &w->gen->cfg.services[svc_index];
    tlcp_config *tls = w->gen->tls[svc_index];
    if (c == NULL) {
        close(fd);
        return;
    }
    c->tag.kind = PX_KIND_CONN;
    c->w = w;
    c->gen = px_generation_ref(w->gen);
    c->svc_index = svc_index;
    c->svc = svc;
    c->timer.index = SIZE_MAX;
    c->side[0].fd = fd;
    c->side[1].fd = -1;
    c->tls_side = svc->direction == PX_TERMINATE ? 0 : 1;
    c->proto = svc->direction == PX_TERMINATE ? PX_PROTO_NONE : PX_PROTO_TLCP;
    c->start_ms = c->last_io_ms = cli_now_ms();
    c->peer = *peer;
    socklen_t ll = sizeof(c->local);
    if (getsockname(fd, (struct sockaddr *)&c->local, &ll) != 0)
        c->local.ss_family = AF_UNSPEC;
    px_addr_format((const struct sockaddr *)peer, c->client, sizeof(c->client));
    c->next = w->conns;
    if (w->conns != NULL)
        w->conns->prev = c;
    w->conns = c;
    w->num_conns++;
    atomic_fetch_add(&w->listeners->active[svc_index], 1);
    atomic_fetch_add_explicit(&px_metrics.conns_active, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&px_metrics.conns_total, 1, memory_order_relaxed);
    struct px_side *ts = &c->side[c->tls_side];
    ts->tc = tlcp_conn_new(tls, c->tls_side == 0 ? TLCP_SERVER : TLCP_CLIENT);
    if (ts->tc == NULL) {
        px_conn_abort(c, "internal: cannot create the TLCP connection");
        return;
    }
    if (c->tls_side == 0) {
        if (tlcp_conn_set_fd(ts->tc, fd) != TLCP_OK || !watch(c, fd)) {
            px_conn_abort(c, "internal: cannot watch the connection");
            return;
        }
        c->state = PX_S_DETECT; /* TLCP or TLS: the first bytes tell */
    } else {
        if (!watch(c, fd) || !start_connect(c) ||
            tlcp_conn_set_fd(ts->tc, c->side[1].fd) != TLCP_OK) {
            px_conn_abort(c, "backend_failed");
            return;
        }
    }
    px_conn_pump(c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Counters of every worker (relaxed atomics) and their Prometheus text
 * exposition, served on the local metrics address by the main thread. */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proxy.h"

struct px_metrics px_metrics;

/* Upper bounds of the handshake latency buckets, in milliseconds. */
static const double hs_bounds_ms[PX_HS_BUCKETS] = {1,   2.5, 5,   10,   25,   50,
                                                   100, 250, 500, 1000, 2500, 5000};

#define INC(field) atomic_fetch_add_explicit(&(field), 1, memory_order_relaxed)
#define GET(field) atomic_load_explicit(&(field), memory_order_relaxed)

void px_metrics_handshake(int ok, int resumed, int64_t latency_us, int alert_sent,
                          int alert_received)
{
    if (ok) {
        INC(px_metrics.hs_ok);
        if (resumed)
            INC(px_metrics.hs_resumed);
        size_t b = 0;
        while (b < PX_HS_BUCKETS && (double)latency_us > hs_bounds_ms[b] * 1000.0)
            b++;
        INC(px_metrics.hs_latency_bucket[b]);
        atomic_fetch_add_explicit(&px_metrics.hs_latency_sum_us, (unsigned long)latency_us,
                                  memory_order_relaxed);
        return;
    }
    INC(px_metrics.hs_failed);
    if (alert_sent >= 0 && alert_sent < 256)
        INC(px_metrics.hs_alert_sent[alert_sent]);
    if (alert_received >= 0 && alert_received < 256)
        INC(px_metrics.hs_alert_received[alert_received]);
}

struct out {
    char *p;
    size_t len, cap;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    if (o->len >= o->cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap;
}

static void counter(struct out *o, const char *name, const char *help, unsigned long v)
{
    put(o, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n", name, help, name, name, v);
}

static void alerts(struct out *o, const char *name, const char *help, atomic_ulong *by_alert)
{
    put(o, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
    for (int a = 0; a < 256; a++) {
        unsigned long v = GET(by_alert[a]);
        char buf[CLI_ALERT_NAME_MAX];
        if (v > 0)
            put(o, "%s{alert=\"%s\"} %lu\n", name, cli_alert_name(a, buf), v);
    }
}

static void latency(struct out *o)
{
    const char *n = "tlcp_proxy_handshake_seconds";
    put(o, "# HELP %s Duration of successful handshakes.\n# TYPE %s histogram\n", n, n);
    unsigned long cumulative = 0;
    for (size_t b = 0; b < PX_HS_BUCKETS; b++) {
        cumulative += GET(px_metrics.hs_latency_bucket[b]);
        put(o, "%s_bucket{le=\"%g\"} %lu\n", n, hs_bounds_ms[b] / 1000.0, cumulative);
    }
    cumulative += GET(px_metrics.hs_latency_bucket[PX_HS_BUCKETS]);
    put(o, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %.6f\n%s_count %lu\n", n, cumulative, n,
        (double)GET(px_metrics.hs_latency_sum_us) / 1e6, n, cumulative);
}

/* The protocol label (one port for TLCP and TLS): connections closed and
 * handshakes by what the client spoke. */
static void by_protocol(struct out *o)
{
    const char *c = "tlcp_proxy_connections_by_protocol_total";
    const char *h = "tlcp_proxy_handshakes_by_protocol_total";
    put(o, "# HELP %s Connections closed, by the protocol the client spoke.\n# TYPE %s counter\n",
        c, c);
    for (int p = 1; p < PX_PROTO_COUNT; p++)
        put(o, "%s{protocol=\"%s\"} %lu\n", c, px_proto_name(p), GET(px_metrics.conns_by_proto[p]));
    put(o, "# HELP %s Handshakes by protocol and result.\n# TYPE %s counter\n", h, h);
    for (int p = 1; p < PX_PROTO_COUNT; p++)
        put(o, "%s{protocol=\"%s\",result=\"ok\"} %lu\n%s{protocol=\"%s\",result=\"failed\"} %lu\n",
            h, px_proto_name(p), GET(px_metrics.hs_ok_by_proto[p]), h, px_proto_name(p),
            GET(px_metrics.hs_failed_by_proto[p]));
}

size_t px_metrics_render(char *buf, size_t cap)
{
    struct out o = {buf, 0, cap};
    put(&o,
        "# HELP tlcp_proxy_connections_active Connections open now.\n"
        "# TYPE tlcp_proxy_connections_active gauge\n"
        "tlcp_proxy_connections_active %lu\n",
        GET(px_metrics.conns_active));
    counter(&o, "tlcp_proxy_connections_total", "Connections accepted.",
            GET(px_metrics.conns_total));
    counter(&o, "tlcp_proxy_connections_rejected_total", "Connections refused by max_conns.",
            GET(px_metrics.conns_rejected));
    put(&o,
        "# HELP tlcp_proxy_handshakes_total Handshakes by result.\n"
        "# TYPE tlcp_proxy_handshakes_total counter\n"
        "tlcp_proxy_handshakes_total{result=\"ok\"} %lu\n"
        "tlcp_proxy_handshakes_total{result=\"failed\"} %lu\n"
        "tlcp_proxy_handshakes_total{result=\"timeout\"} %lu\n",
        GET(px_metrics.hs_ok), GET(px_metrics.hs_failed), GET(px_metrics.hs_timeout));
    counter(&o, "tlcp_proxy_handshakes_resumed_total", "Handshakes that resumed a session.",
            GET(px_metrics.hs_resumed));
    put(&o,
        "# HELP tlcp_proxy_redis_lookups_total Session lookups in Redis by outcome.\n"
        "# TYPE tlcp_proxy_redis_lookups_total counter\n"
        "tlcp_proxy_redis_lookups_total{result=\"hit\"} %lu\n"
        "tlcp_proxy_redis_lookups_total{result=\"miss\"} %lu\n"
        "tlcp_proxy_redis_lookups_total{result=\"timeout\"} %lu\n",
        GET(px_metrics.redis_hits), GET(px_metrics.redis_misses), GET(px_metrics.redis_timeouts));
    counter(&o, "tlcp_proxy_redis_errors_total",
            "Redis failures (down, refused, error replies, values that do not unseal).",
            GET(px_metrics.redis_errors));
    counter(&o, "tlcp_proxy_redis_stores_total", "Sessions sent to Redis.",
            GET(px_metrics.redis_stores));
    unsigned long ok = GET(px_metrics.hs_ok);
    put(&o,
        "# HELP tlcp_proxy_resumption_ratio Resumed over successful handshakes.\n"
        "# TYPE tlcp_proxy_resumption_ratio gauge\ntlcp_proxy_resumption_ratio %.4f\n",
        ok ? (double)GET(px_metrics.hs_resumed) / (double)ok : 0.0);
    alerts(&o, "tlcp_proxy_handshake_alerts_sent_total", "Failed handshakes by alert sent.",
           px_metrics.hs_alert_sent);
    alerts(&o, "tlcp_proxy_handshake_alerts_received_total", "Failed handshakes by alert received.",
           px_metrics.hs_alert_received);
    latency(&o);
    by_protocol(&o);
    put(&o,
        "# HELP tlcp_proxy_bytes_total Application bytes relayed.\n"
        "# TYPE tlcp_proxy_bytes_total counter\n"
        "tlcp_proxy_bytes_total{direction=\"client_to_backend\"} %lu\n"
        "tlcp_proxy_bytes_total{direction=\"backend_to_client\"} %lu\n",
        GET(px_metrics.bytes_client_to_backend), GET(px_metrics.bytes_backend_to_client));
    counter(&o, "tlcp_proxy_backend_connect_failures_total", "Backend connections that failed.",
            GET(px_metrics.backend_connect_failed));
    counter(&o, "tlcp_proxy_reloads_total", "Successful reloads (SIGHUP).",
            GET(px_metrics.reloads));
    counter(&o, "tlcp_proxy_reload_failures_total", "Reloads refused (config kept).",
            GET(px_metrics.reload_failures));
    return o.len;
}

/* Reads the request head (bounded wait: the main loop must not stall). */
static int read_request(int fd, char *req, size_t cap)
{
    size_t len = 0;
    while (len + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 1000) <= 0)
            return 0;
        ssize_t n = read(fd, req + len, cap - 1 - len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return 0;
        len += (size_t)n;
        req[len] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL)
            return 1;
    }
    return 0;
}

static void write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pw = {.fd = fd, .events = POLLOUT};
            if (poll(&pw, 1, 1000) <= 0)
                return;
            continue;
        }
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

void px_metrics_serve(int fd)
{
    char req[2048];
    static char body[65536];
    char head[256];
    if (!read_request(fd, req, sizeof(req)))
        return;
    const char *status = "200 OK";
    size_t blen;
    if (strncmp(req, "GET /metrics ", 13) == 0 || strncmp(req, "GET / ", 6) == 0) {
        blen = px_metrics_render(body, sizeof(body));
    } else {
        status = "404 Not Found";
        blen = (size_t)snprintf(body, sizeof(body), "try GET /metrics\n");
    }
    int hl = snprintf(head, sizeof(head),
                      "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      status, blen);
    write_all(fd, head, (size_t)hl);
    write_all(fd, body, blen);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which protocol a terminating service's client speaks: the first bytes
 * are peeked without blocking (MSG_PEEK | MSG_DONTWAIT; edge-triggered
 * epoll wakes the connection again when more arrive, the handshake timeout
 * bounds the wait) and tlcp_detect_protocol decides. TLS goes to libssl
 * when the service has a TLS certificate and is refused with a TLS alert
 * when it has none; everything else (TLCP, a 360-style hello the service
 * answers with TLCP, garbage, an early end) to libtlcp, which answers what
 * is not TLCP with its alert.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "worker.h"

#define PEEK_MAX (5 + 16384) /* a record header and the largest record */

/* The TLCP connection made at accept gives way to a TLS one. */
static int to_tls(struct px_conn *c, void *ctx)
{
    struct px_side *s = &c->side[0];
    s->tls = cli_tls_new(ctx, s->fd);
    if (s->tls == NULL)
        return 0;
    tlcp_conn_free(s->tc);
    s->tc = NULL;
    return 1;
}

/* The first bytes, peeked (per worker thread). */
static _Thread_local uint8_t buf[PEEK_MAX];

/* A TLS client at a service without tls_cert: a TLS alert it can read
 * (libtlcp's would be a TLCP record, which TLS clients call garbage). */
static void refuse(struct px_conn *c, size_t peeked, int verdict)
{
    cli_tls_refuse(c->side[0].fd, buf, peeked);
    c->refused = 1;
    snprintf(c->result, sizeof(c->result), "%s",
             verdict == TLCP_DETECT_TLS_OFFERS_TLCP
                 ? "handshake_failed: TLS client offering TLCP suites first, the service has "
                   "neither tls_hello_for_tlcp nor tls_cert (TLS alert protocol_version sent)"
                 : "handshake_failed: TLS client, the service has no tls_cert (TLS alert "
                   "protocol_version sent)");
    px_metrics_handshake(0, 0, 0, TLCP_ALERT_PROTOCOL_VERSION, -1);
    atomic_fetch_add_explicit(&px_metrics.hs_failed_by_proto[PX_PROTO_TLS], 1,
                              memory_order_relaxed);
    c->state = PX_S_DONE;
}

static void abort_tls(struct px_conn *c)
{
    snprintf(c->result, sizeof(c->result), "internal: cannot create the TLS connection");
    c->state = PX_S_DONE;
}

static int verdict_of(int fd, int *verdict, size_t *peeked)
{
    ssize_t n;
    do {
        n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    /* An end or an error: libtlcp reports it as for any TLCP client. */
    *verdict = n > 0 ? tlcp_detect_protocol(buf, (size_t)n) : -1;
    *peeked = n > 0 ? (size_t)n : 0;
    return *verdict != TLCP_DETECT_NEED_MORE;
}

int px_detect_step(struct px_conn *c)
{
    int verdict = TLCP_DETECT_NEED_MORE;
    size_t peeked = 0;
    if (!verdict_of(c->side[0].fd, &verdict, &peeked))
        return 0;
    void *ctx = c->gen->tls_ctx != NULL ? c->gen->tls_ctx[c->svc_index] : NULL;
    c->state = PX_S_HANDSHAKE;
    if (verdict == TLCP_DETECT_TLS_OFFERS_TLCP && c->svc->tls_hello_for_tlcp) {
        c->proto = PX_PROTO_TLCP_VIA_TLS_HELLO;
    } else if (verdict == TLCP_DETECT_TLS || verdict == TLCP_DETECT_TLS_OFFERS_TLCP) {
        c->proto = PX_PROTO_TLS;
        if (ctx == NULL)
            refuse(c, peeked, verdict);
        else if (!to_tls(c, ctx))
            abort_tls(c);
    } else {
        c->proto = verdict < 0 ? PX_PROTO_NONE : PX_PROTO_TLCP;
    }
    return 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the worker loop (worker.c), the connection relay
 * (conn.c) and its two kinds of sides (side.c). */
#ifndef TLCP_APP_PROXY_WORKER_H
#define TLCP_APP_PROXY_WORKER_H

#include <pthread.h>

#include "../tls_io.h"
#include "proxy.h"

/* What an epoll event points to. */
enum px_kind { PX_KIND_CONN = 1, PX_KIND_LISTEN, PX_KIND_NOTIFY, PX_KIND_REDIS, PX_KIND_KEYSERVER };
struct px_tag {
    int kind;
    size_t index; /* listener: service index */
};

/* One end of a relayed connection: TLCP (tc != NULL), TLS (tls != NULL,
 * libssl: tls_side.c) or plain TCP. */
struct px_side {
    int fd;
    tlcp_conn *tc;
    struct cli_tls *tls;
    int truncated; /* TLS: the last read found the socket ended without close_notify */
    int rd_eof;    /* nothing more will come from this side */
    int wr_shut;   /* our writing half is closed (close_notify / SHUT_WR) */
    int dead;      /* cannot be written any more (peer vanished): drop its data */
};

/* Outcome of one side operation. */
enum px_io { PX_IO_OK, PX_IO_WANT, PX_IO_EOF, PX_IO_ERROR };

enum px_io px_side_read(struct px_side *s, uint8_t *buf, size_t len, size_t *out_n);
enum px_io px_side_write(struct px_side *s, const uint8_t *buf, size_t len, size_t *out_n);
enum px_io px_side_shutdown(struct px_side *s);
/* Why the last operation failed, as a phrase. */
const char *px_side_error(const struct px_side *s, char *buf, size_t len);
/* The peer's stream ended without close_notify (a truncation, not an error). */
int px_side_truncated(const struct px_side *s);
/* The handshake's results for the access log and the metrics. */
struct px_view {
    const char *sni, *suite; /* NULL = none / not agreed */
    int done, resumed, alert_sent, alert_received;
    char peer[400]; /* the peer certificate's subject, quoted for the log; "-" = none */
};
void px_side_view(const struct px_side *s, struct px_view *v);

struct px_buf {
    uint8_t *data; /* allocated while it holds bytes: idle connections keep none */
    size_t off, len;
};

/* PX_S_DETECT: a terminating service peeks at the first bytes (detect.c). */
enum px_state { PX_S_HANDSHAKE, PX_S_CONNECT, PX_S_RELAY, PX_S_DONE, PX_S_DETECT };

struct px_conn {
    struct px_tag tag; /* first: epoll data points here */
    struct px_worker *w;
    struct px_generation *gen;
    size_t svc_index;
    const struct px_service *svc;
    struct px_side side[2]; /* 0: accepted (client), 1: backend */
    struct px_buf buf[2];   /* buf[d]: read from side d, to write to side 1 - d */
    int tls_side;           /* which side speaks TLCP (or TLS) */
    int proto;              /* enum px_protocol of the client side */
    int refused;            /* a TLS client refused with a TLS alert (detect.c) */
    int state;
    int draining;
    struct px_timer timer;
    int64_t start_ms, hs_ms, connect_start_ms, last_io_ms;
    uint64_t bytes[2];
    size_t header_left; /* PROXY header bytes still in buf[0]: not client data */
    char client[80];
    struct sockaddr_storage peer, local;
    char result[200];
    int ready;                /* queued on the worker's ready list */
    struct px_lookup *lookup; /* a session lookup in Redis under way, NULL = none */
    int64_t lookup_deadline_ms;
    uint8_t lookup_id[32];
    struct kc_wait ks_wait; /* its key-server operation in flight (keyserver_link.c) */
    struct px_conn *prev, *next, *next_ready;
};

struct px_worker {
    size_t index;
    pthread_t thread;
    int epfd, notify_fd;
    struct px_tag notify_tag;
    struct px_tag listen_tags[PX_MAX_SERVICES];
    struct px_listeners *listeners;
    int listening;
    int64_t accept_paused_until;
    struct px_generation *gen;
    _Atomic(struct px_generation *) next_gen;
    atomic_int stop_requested;
    int stopping;
    int64_t drain_deadline;
    struct px_heap timers;
    struct px_conn *conns;
    size_t num_conns;
    struct px_conn *ready_head;
    struct px_conn *dead;     /* closed, freed after the current batch */
    struct px_redis *redis;   /* the worker's Redis connection, NULL = none */
    struct px_kslink *kslink; /* its key-server connections (keyserver_link.c) */
};

/* conn.c */
void px_conn_accepted(struct px_worker *w, size_t svc_index, int fd,
                      const struct sockaddr_storage *peer);
void px_conn_pump(struct px_conn *c);
void px_conn_timeout(struct px_conn *c, int64_t now);
void px_conn_drain(struct px_conn *c);
/* Ends the connection at once (drain deadline, worker exit). */
void px_conn_abort(struct px_conn *c, const char *why);
/* The deadline the connection's timer should have now. */
int64_t px_conn_deadline(const struct px_conn *c);
/* Runs the connection again after the current batch (a lookup answered). */
void px_conn_wake(struct px_conn *c);

/* detect.c: PX_S_DETECT; 1 when the connection moved on (to the TLCP or
 * the TLS handshake), 0 while the first bytes are still incomplete. */
int px_detect_step(struct px_conn *c);
/* tls_side.c: one step of the TLS handshake, as a libtlcp result. */
tlcp_result px_tls_side_handshake(struct px_conn *c);

/* redis_store.c: one asynchronous Redis connection per worker, on the
 * worker's epoll set, reconnecting with exponential backoff. */
struct px_redis *px_redis_start(struct px_worker *w, const struct px_config *cfg);
void px_redis_stop(struct px_redis *r);
void px_redis_event(struct px_redis *r, uint32_t events);
/* Reconnects when due; the time it next wants to run (INT64_MAX: never). */
int64_t px_redis_tick(struct px_redis *r, int64_t now);
/* The connection about to run libtlcp (whose store callbacks may start a
 * lookup for it). */
void px_redis_driving(struct px_worker *w, struct px_conn *c);
/* The connection goes (or its lookup took too long: full handshake). */
void px_redis_cancel(struct px_conn *c);
void px_redis_expire(struct px_conn *c);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp proxy: TLCP termination (TLCP from clients, plain TCP to a backend)
 * and origination (plain TCP from local clients, TLCP to a server). One
 * epoll loop per worker thread; the main thread handles signals, reloads
 * and the metrics endpoint. See docs/PROXY.md.
 */
#ifndef TLCP_APP_PROXY_H
#define TLCP_APP_PROXY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../cli.h"
#include "keyserver_link.h"

#define PX_MAX_PAIRS    16
#define PX_MAX_SERVICES 64
#define PX_ERR_LEN      512

enum px_direction { PX_TERMINATE = 1, PX_ORIGINATE = 2 };
enum px_proxy_protocol { PX_PP_NONE = 0, PX_PP_V1 = 1, PX_PP_V2 = 2 };

/* Where a setting came from, for error messages: "proxy.conf:12". */
struct px_origin {
    char file[256];
    int line;
};

struct px_pair {
    char *sign_cert, *sign_key, *enc_cert, *enc_key;
    char *name; /* pair_for: the server name it serves; NULL = the default pair */
    struct px_origin at;
};

struct px_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[300]; /* as written in the config */
};

/* The TLS side's options beyond tls_cert / tls_key (tls_side.c). */
struct px_tls_opts {
    char *ca, *min_version, *ciphers, *ciphersuites, *alpn;
    int verify_client; /* TLCP_VERIFY_NONE (default), _OPTIONAL, _REQUIRED */
    struct px_origin ca_at, verify_at;
};

/* OpenSSL providers for key URIs (key_provider.c): global, or per
 * service (a service without its own takes the global ones). */
#define PX_MAX_PROVIDERS 4
struct px_providers {
    char *names[PX_MAX_PROVIDERS];
    size_t num;
    char *path, *propquery;
    struct px_origin at; /* the first provider key */
};

/* One [service] section. Strings are owned (freed by px_config_free). */
struct px_service {
    char name[64];
    struct px_origin at; /* the section header */
    int direction;       /* 0 until set */
    struct px_addr accept, connect;
    int have_accept, have_connect;
    struct px_pair pairs[PX_MAX_PAIRS];
    size_t num_pairs;
    struct px_pair single; /* sign_cert/sign_key/enc_cert/enc_key keys */
    char *chain, *pass, *ca, *suites, *server_name, *compat;
    struct px_origin ca_at, suites_at, chain_at;
    char *crl;         /* key 'crl': a CRL file or directory */
    int partial_chain; /* key 'partial_chain = yes' */
    struct px_origin crl_at;
    int verify_mode, verify_set;
    int proxy_protocol;
    long handshake_timeout_ms, idle_timeout_ms, connect_timeout_ms;
    long max_conns; /* 0 = unlimited */
    long sessions;  /* server session cache size */
    /* TLS on the same accept port (tls_side.c): libssl with this RSA or
     * ECDSA pair; tls_hello_for_tlcp answers 360-style hellos with TLCP. */
    char *tls_cert, *tls_key;
    int tls_hello_for_tlcp;
    struct px_origin tls_cert_at, tls_key_at;
    struct px_tls_opts tls;
    struct px_providers providers;
    struct px_ks_cfg ks; /* key_server ... (keyserver_link.c) */
};

struct px_config {
    long workers; /* 0 = one per core */
    char *log;    /* access log path; NULL = stderr */
    struct px_addr metrics;
    int have_metrics;
    long drain_timeout_ms;
    long buffer_size; /* relay buffer per direction */
    /* Shared session store (redis_store.c): Redis at `redis`, values sealed
     * with SM4-GCM under session_key, keys redis_prefix + hex(session ID). */
    struct px_addr redis;
    int have_redis;
    char *redis_prefix;
    uint8_t session_key[16];
    int have_session_key;
    long redis_timeout_ms;         /* how long a handshake waits for a lookup */
    long session_lifetime;         /* seconds (the Redis TTL) */
    struct px_providers providers; /* defaults for the services */
    struct px_service *services;
    size_t num_services;
    char source[256]; /* the config file, or "command line" */
};

/* ---- config (config.c, config_keys.c, cmdline.c) ---------------------- */

void px_config_init(struct px_config *c);
void px_config_free(struct px_config *c);
/* Parses an INI-like file. 0 with "file:line: ..." in err on failure. */
int px_config_load_file(struct px_config *c, const char *path, char *err, size_t errlen);
/* One "key = value" in the global section (svc NULL) or a service. 0 with
 * the reason (without location) in err. */
int px_config_set(struct px_config *c, struct px_service *svc, const char *key, const char *value,
                  const struct px_origin *at, char *err, size_t errlen);
struct px_service *px_config_add_service(struct px_config *c, const char *name,
                                         const struct px_origin *at, char *err, size_t errlen);
/* Checks required keys and combinations after parsing. */
int px_config_validate(struct px_config *c, char *err, size_t errlen);
/* A string value (non-empty) copied into *dest, replacing the old one. */
int px_config_string(char **dest, const char *value, char *err, size_t errlen);
/* Parses "2", "2s", "500ms", "1m" into milliseconds. */
int px_parse_duration(const char *text, long *out_ms);

/* ---- addresses (addr.c) ----------------------------------------------- */

/* "host:port", "[v6]:port" or "unix:/path" (connect only). */
int px_addr_parse(struct px_addr *a, const char *text, int allow_unix, char *err, size_t errlen);
void px_addr_format(const struct sockaddr *sa, char *out, size_t len);

/* ---- TLCP configuration per service (tls.c) --------------------------- */

/* Builds the libtlcp config of one service; NULL with "file:line: key ..." in err. */
/* store: the shared session store of a terminating service (replacing
 * its in-process cache), NULL = the cache. */
tlcp_config *px_tls_build(const struct px_service *s, const tlcp_session_store *store,
                          void *store_arg, char *err, size_t errlen);

/* ---- TLS on the TLCP port (tls_side.c) ------------------------------- */

/* The tls_* keys of a service; *handled = 0 for other keys. */
int px_tls_side_key(struct px_service *s, const char *key, const char *value,
                    const struct px_origin *at, char *err, size_t errlen, int *handled);
/* After parsing: tls_cert and tls_key go together, terminate only. */
int px_tls_side_validate(const struct px_service *s, char *err, size_t errlen);
void px_tls_side_free(struct px_service *s);
/* Loads the service's TLS pair (again on every reload). 1 with *ctx NULL
 * when the service has none; 0 with "file:line: key 'tls_cert': ..." in err. */
int px_tls_side_ctx(const struct px_service *s, void **ctx, char *err, size_t errlen);

/* ---- key URI providers (key_provider.c) ------------------------------ */

/* provider, provider_path and key_propquery (global or in a service);
 * *handled = 0 for other keys. */
int px_providers_key(struct px_providers *p, const char *key, const char *value,
                     const struct px_origin *at, char *err, size_t errlen, int *handled);
/* After parsing: a service without provider keys copies the global ones. */
int px_providers_inherit(struct px_service *s, const struct px_providers *global, char *err,
                         size_t errlen);
/* Loads the service's providers and query into cfg (before its pairs);
 * 0 with "file:line: key 'provider': ..." in err. */
int px_providers_apply(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen);
void px_providers_free(struct px_providers *p);

/* ---- timers (timer.c): an indexed binary min-heap -------------------- */

struct px_timer {
    int64_t deadline_ms;
    size_t index; /* position in the heap, SIZE_MAX when not queued */
};
struct px_heap {
    struct px_timer **items;
    size_t len, cap;
};
void px_heap_init(struct px_heap *h);
void px_heap_free(struct px_heap *h);
int px_heap_set(struct px_heap *h, struct px_timer *t, int64_t deadline_ms);
void px_heap_remove(struct px_heap *h, struct px_timer *t);
struct px_timer *px_heap_top(const struct px_heap *h);

/* ---- PROXY protocol header (proxy_proto.c) --------------------------- */

/* Writes the v1 or v2 header for a connection from src to dst; returns its
 * length, 0 when out is too small. */
size_t px_proxy_header(int version, const struct sockaddr *src, const struct sockaddr *dst,
                       uint8_t *out, size_t cap);

/* ---- metrics (metrics.c) ---------------------------------------------- */

/* What a connection spoke, for the access log and the metrics' label. */
enum px_protocol {
    PX_PROTO_NONE,               /* not known yet (closed before its first bytes) */
    PX_PROTO_TLCP,               /* TLCP records (0x0101) */
    PX_PROTO_TLCP_VIA_TLS_HELLO, /* a TLS ClientHello offering TLCP first, answered with TLCP */
    PX_PROTO_TLS,                /* TLS, version not agreed (failed handshake) */
    PX_PROTO_TLS12,
    PX_PROTO_TLS13,
    PX_PROTO_COUNT
};
/* "tlcp", "tlcp-via-tls-hello", "tls", "tls1.2", "tls1.3" ("-" for none). */
const char *px_proto_name(int proto);

#define PX_HS_BUCKETS 12
struct px_metrics {
    atomic_ulong conns_total, conns_active, conns_rejected;
    atomic_ulong hs_ok, hs_failed, hs_resumed, hs_timeout;
    atomic_ulong hs_alert_sent[256], hs_alert_received[256];
    atomic_ulong hs_latency_bucket[PX_HS_BUCKETS + 1]; /* last: +Inf */
    atomic_ulong hs_latency_sum_us;
    atomic_ulong bytes_client_to_backend, bytes_backend_to_client;
    atomic_ulong backend_connect_failed, reloads, reload_failures;
    atomic_ulong redis_hits, redis_misses, redis_errors, redis_timeouts, redis_stores;
    /* by enum px_protocol: connections closed, handshakes done / failed */
    atomic_ulong conns_by_proto[PX_PROTO_COUNT], hs_ok_by_proto[PX_PROTO_COUNT],
        hs_failed_by_proto[PX_PROTO_COUNT];
};
extern struct px_metrics px_metrics;
void px_metrics_handshake(int ok, int resumed, int64_t latency_us, int alert_sent,
                          int alert_received);
/* The Prometheus text exposition; returns the length written. */
size_t px_metrics_render(char *out, size_t cap);
/* Answers one HTTP request on a freshly accepted metrics connection. */
void px_metrics_serve(int fd);

/* ---- access log (accesslog.c) ----------------------------------------- */

int px_log_open(const char *path, char *err, size_t errlen);
void px_log_close(void);
/* One line, written with a single write(2). */
void px_log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- runtime generation (runtime.c) ----------------------------------- */

/* What workers use for new connections: the parsed config plus one libtlcp
 * config per service, shared by every worker (a frozen config is read-only
 * and its session cache is locked, so a client resumes on any worker). A
 * reload makes a new generation; connections keep a reference to theirs. */
struct px_generation {
    atomic_int refs;
    unsigned id;
    struct px_config cfg;
    tlcp_config **tls; /* one per service */
    void **tls_ctx;    /* per service: libssl's SSL_CTX for TLS, NULL = TLCP only */
};
struct px_generation *px_generation_build(struct px_config *cfg, unsigned id, char *err,
                                          size_t errlen);
struct px_generation *px_generation_ref(struct px_generation *g);
void px_generation_unref(struct px_generation *g);

/* ---- shared session store (redis_store.c) ----------------------------- */

/* 1 when this build has the Redis store (hiredis found at build time). */
int px_redis_available(void);
/* The store callbacks for a terminating service; arg: the generation's
 * px_config (prefix, key, timeout, lifetime). */
const tlcp_session_store *px_redis_store_ops(void);

/* ---- workers (worker.c, conn.c) --------------------------------------- */

struct px_worker;
/* Listening sockets, shared by every worker (EPOLLEXCLUSIVE wakes one),
 * stable across reloads; with the per-service count of open connections
 * for max_conns. */
struct px_listeners {
    int fds[PX_MAX_SERVICES]; /* one per service, same order as the config */
    atomic_long active[PX_MAX_SERVICES];
    size_t num;
};
int px_listeners_open(struct px_listeners *l, const struct px_config *c, char *err, size_t errlen);
void px_listeners_close(struct px_listeners *l);

struct px_worker *px_worker_start(size_t index, struct px_listeners *l, struct px_generation *g);
/* Hands a new generation to the worker (for new connections). */
void px_worker_reload(struct px_worker *w, struct px_generation *g);
/* Graceful stop: stop accepting, close_notify, drain until the deadline. */
void px_worker_stop(struct px_worker *w);
void px_worker_join(struct px_worker *w);

/* ---- entry (proxy_main.c, cmdline.c) ---------------------------------- */

/* Fills c from argv (--config FILE or the one-service form). Returns 0 and
 * prints the reason on error; *check is set by --check. */
int px_cmdline(int argc, char **argv, struct px_config *c, const char **config_path, int *check);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp keyserver: holds SM2 private keys and performs the operations of
 * delegated pairs for remote TLCP endpoints (docs/KEYSERVER.md). One epoll
 * thread owns every socket and all connection state; a small pool of
 * threads runs the SM2 operations, so a slow operation never holds up the
 * other requests of its connection (answers go out as they complete).
 */
#ifndef TLCP_APP_KEYSERVER_H
#define TLCP_APP_KEYSERVER_H

#include <pthread.h>
#include <stdint.h>

#include "../cli.h"
#include "frame.h"

#define KS_MAX_KEYS     64
#define KS_MAX_LISTEN   8
#define KS_MAX_WORKERS  16
#define KS_MAX_UIDS     16
#define KS_WHO_MAX      200
#define KS_NONCE_SLOTS  65536 /* replay cache: power of two */
#define KS_NONCE_PROBE  16
#define KS_HANDSHAKE_MS 10000 /* a TLCP channel must be up by then */

struct ks_key {
    char name[KS_NAME_MAX + 1];
    tlcp_private_key *sign, *enc;
};

/* A listening socket: unix (peer credentials checked; TLCP optional) or
 * TCP (TLCP with a required client certificate, always). */
struct ks_listener {
    int kind; /* first: epoll tag (KS_TAG_LISTEN) */
    int fd;
    int is_unix;
    int tlcp; /* 1: connections speak TLCP */
    char where[300];
    char path[108]; /* unix: removed at exit */
};

enum ks_tag { KS_TAG_LISTEN = 1, KS_TAG_CONN, KS_TAG_WAKE };

/* Token bucket of one client identity (shared by its connections). */
struct ks_bucket {
    char who[KS_WHO_MAX];
    double tokens;
    int64_t at_ms;
    struct ks_bucket *next;
};

struct ks_conn {
    int kind; /* first: epoll tag (KS_TAG_CONN) */
    int fd;
    tlcp_conn *tc; /* NULL: plain unix socket */
    int up;        /* channel ready (TLCP handshake done or plain) */
    int closing;   /* close once the queued responses are out */
    int dead;      /* closed; freed when the last job returns */
    unsigned inflight;
    uint64_t last_id;
    int64_t start_ms;
    char who[KS_WHO_MAX];
    struct ks_bucket *bucket;
    uint8_t in[KS_LEN_PREFIX + KS_MAX_FRAME];
    size_t in_len;
    uint8_t *out;
    size_t out_len, out_off, out_cap;
    uint32_t events; /* what epoll watches now */
    struct ks_conn *next;
};

/* One operation for the pool; the frame body is copied behind it so the
 * decoded request's pointers stay valid. */
struct ks_job {
    struct ks_job *next;
    struct ks_conn *conn;
    const struct ks_key *key;
    struct ks_request req;
    int64_t start_us;
    int status;
    uint8_t out[TLCP_KEY_OP_MAX_OUT];
    size_t out_len;
    size_t body_len;
    uint8_t body[];
};

struct ks_pool {
    pthread_t threads[KS_MAX_WORKERS];
    size_t num;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct ks_job *todo, *todo_tail, *done;
    int stop;
    int wake_fd; /* eventfd: the loop collects `done` */
};

struct ks_nonce_slot {
    uint8_t nonce[KS_NONCE_LEN];
    int64_t expires_ms;
};

struct keyserver {
    struct ks_key keys[KS_MAX_KEYS];
    size_t num_keys;
    struct ks_listener listeners[KS_MAX_LISTEN];
    size_t num_listeners;
    tlcp_config *cfg; /* the TLCP channel (server side, client certificates required) */
    unsigned allow_uids[KS_MAX_UIDS];
    size_t num_uids;
    double rate, burst; /* requests per second and bucket size per client; rate 0 = unlimited */
    long max_inflight;  /* per connection */
    int64_t window_ms;  /* accepted clock difference of a request's time */
    int quiet;
    int epfd;
    int wake_tag;
    struct ks_pool pool;
    struct ks_conn *conns;
    struct ks_bucket *buckets;
    struct ks_nonce_slot *nonces;
    uint64_t served, refused;
};

/* pool.c */
#ifdef TLCP_KS_TESTING
/* Tests only (the tlcp binary is built without it): called on the pool
 * thread before each operation runs, so that a test can hold one until it
 * releases it (tests/e2e/test_keyserver_order.c). */
extern void (*ks_test_hold)(const struct ks_job *job);
#endif
int ks_pool_start(struct ks_pool *p, size_t threads);
void ks_pool_submit(struct ks_pool *p, struct ks_job *job);
/* Detaches the completed jobs (in completion order). */
struct ks_job *ks_pool_take_done(struct ks_pool *p);
/* Joins the threads; returns the jobs they did not hand back (finished or
 * never run), for their connections to be released. */
struct ks_job *ks_pool_stop(struct ks_pool *p);

/* guard.c: admission of requests */
/* 1 when the bucket has a token (and takes it). */
int ks_bucket_take(struct keyserver *ks, struct ks_bucket *b, int64_t now_ms);
struct ks_bucket *ks_bucket_for(struct keyserver *ks, const char *who);
/* 1 when the nonce is new (remembered until expiry), 0 when seen. */
int ks_nonce_fresh(struct keyserver *ks, const uint8_t nonce[KS_NONCE_LEN], int64_t now_ms);
/* Unix peer credentials: fills who ("uid=U pid=P", for the log) and uid
 * ("uid=U", the rate-limit identity) and returns 1 when the uid is allowed. */
int ks_peer_allowed(const struct keyserver *ks, int fd, char *who, size_t cap, char *uid,
                    size_t uid_cap);
int64_t ks_wall_ms(void);
int64_t ks_mono_us(void);

/* request.c: one decoded frame, from admission to the response */
void ks_handle_frame(struct keyserver *ks, struct ks_conn *c, const uint8_t *frame, size_t len);
void ks_job_finished(struct keyserver *ks, struct ks_job *job);
/* Queues a response frame; 0 when out of memory. */
int ks_conn_queue(struct ks_conn *c, const uint8_t *frame, size_t len);

/* loop.c */
int ks_listen_addr(struct keyserver *ks, const char *addr, int unix_tlcp);
void ks_run(struct keyserver *ks, volatile int *stop);
void ks_conn_close(struct keyserver *ks, struct ks_conn *c, const char *why);
void ks_conn_flush(struct keyserver *ks, struct ks_conn *c);
void ks_shutdown(struct keyserver *ks);

#endif

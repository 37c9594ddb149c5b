/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy's shared session store: sessions in Redis, so a client resumes
 * on whichever proxy of a fleet it reaches. Each worker has one hiredis
 * asynchronous connection whose socket sits on the worker's epoll set (the
 * adapter below), so a lookup never blocks a worker: the handshake returns
 * TLCP_WANT_SESSION and the reply (or the redis_timeout_ms deadline, or
 * Redis being down) resumes it. Values are the exported session sealed
 * with SM4-GCM (tlcp_seal) under session_key, the Redis key as AAD; keys
 * expire with the session (SET ... EX lifetime). Any Redis trouble means a
 * full handshake, never a failed connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/un.h>

#include "worker.h"

#ifdef TLCP_HAVE_HIREDIS
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define KEY_MAX        (256 + 64)
#define VALUE_MAX      (1024 + TLCP_SEAL_OVERHEAD)

struct px_redis {
    struct px_tag tag; /* first: epoll data points here */
    struct px_worker *w;
    struct px_addr addr;
    redisAsyncContext *ac;
    int connected;
    int fd;
    uint32_t mask;
    long backoff_ms;
    int64_t retry_at; /* INT64_MAX while connected or connecting */
};

/* A lookup under way; outlives its connection when that goes first (the
 * reply still comes, and finds c == NULL). */
struct px_lookup {
    struct px_conn *c;
};

static __thread struct px_redis *cur_redis;
static __thread struct px_conn *cur_conn;

int px_redis_available(void)
{
    return 1;
}

static void count(atomic_ulong *m)
{
    atomic_fetch_add_explicit(m, 1, memory_order_relaxed);
}

/* ---- the hiredis event adapter for the worker's epoll ---------------- */

static void ev_apply(struct px_redis *r, uint32_t mask)
{
    struct epoll_event ev = {.events = mask, .data.ptr = &r->tag};
    if (r->fd < 0)
        return;
    if (epoll_ctl(r->w->epfd, EPOLL_CTL_MOD, r->fd, &ev) == 0)
        r->mask = mask;
}

static void ev_add_read(void *p)
{
    struct px_redis *r = p;
    ev_apply(r, r->mask | EPOLLIN);
}
static void ev_del_read(void *p)
{
    struct px_redis *r = p;
    ev_apply(r, r->mask & ~(uint32_t)EPOLLIN);
}
static void ev_add_write(void *p)
{
    struct px_redis *r = p;
    ev_apply(r, r->mask | EPOLLOUT);
}
static void ev_del_write(void *p)
{
    struct px_redis *r = p;
    ev_apply(r, r->mask & ~(uint32_t)EPOLLOUT);
}
static void ev_cleanup(void *p)
{
    struct px_redis *r = p;
    if (r->fd >= 0)
        (void)epoll_ctl(r->w->epfd, EPOLL_CTL_DEL, r->fd, NULL);
    r->fd = -1;
    r->mask = 0;
}

/* ---- connection and backoff ------------------------------------------ */

static void schedule_retry(struct px_redis *r)
{
    r->ac = NULL;
    r->connected = 0;
    r->retry_at = cli_now_ms() + r->backoff_ms;
    r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct px_redis *r = ac->ev.data;
    if (status != REDIS_OK) {
        count(&px_metrics.redis_errors);
        px_log_line("worker %zu: redis %s: %s", r->w->index, r->addr.text, ac->errstr);
        schedule_retry(r); /* hiredis frees the context */
        return;
    }
    r->connected = 1;
    r->backoff_ms = BACKOFF_MIN_MS;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct px_redis *r = ac->ev.data;
    if (status != REDIS_OK) {
        count(&px_metrics.redis_errors);
        px_log_line("worker %zu: redis %s lost: %s", r->w->index, r->addr.text, ac->errstr);
    }
    schedule_retry(r);
}

static void start_connect(struct px_redis *r)
{
    r->retry_at = INT64_MAX;
    const struct sockaddr_storage *ss = &r->addr.ss;
    redisAsyncContext *ac;
    if (ss->ss_family == AF_UNIX)
        ac = redisAsyncConnectUnix(((const struct sockaddr_un *)ss)->sun_path);
    else {
        char host[256], port[32];
        if (!cli_split_host_port(r->addr.text, host, sizeof(host), port, sizeof(port))) {
            schedule_retry(r);
            return;
        }
        ac = redisAsyncConnect(host, atoi(port));
    }
    if (ac == NULL || ac->err) {
        count(&px_metrics.redis_errors);
        if (ac != NULL)
            redisAsyncFree(ac);
        schedule_retry(r);
        return;
    }
    r->ac = ac;
    r->fd = ac->c.fd;
    r->mask = 0;
    struct epoll_event ev = {.events = 0, .data.ptr = &r->tag};
    if (epoll_ctl(r->w->epfd, EPOLL_CTL_ADD, r->fd, &ev) != 0) {
        r->fd = -1;
        redisAsyncFree(ac);
        schedule_retry(r);
        return;
    }
    ac->ev.data = r;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    ev_add_write(r); /* the connect completes as writable */
}

struct px_redis *px_redis_start(struct px_worker *w, const struct px_config *cfg)
{
    if (!cfg->have_redis)
        return NULL;
    struct px_redis *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->tag.kind = PX_KIND_REDIS;
    r->w = w;
    r->addr = cfg->redis;
    r->fd = -1;
    r->backoff_ms = BACKOFF_MIN_MS;
    cur_redis = r;
    start_connect(r);
    return r;
}

void px_redis_stop(struct px_redis *r)
{
    if (r == NULL)
        return;
    if (r->ac != NULL) {
        redisAsyncContext *ac = r->ac;
        r->ac = NULL;
        redisAsyncFree(ac); /* pending callbacks run with a NULL reply */
    }
    cur_redis = NULL;
    free(r);
}

void px_redis_event(struct px_redis *r, uint32_t events)
{
    if (r->ac == NULL)
        return;
    redisAsyncContext *ac = r->ac;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        redisAsyncHandleRead(ac);
    if (r->ac == ac && (events & EPOLLOUT)) /* the read may have freed it */
        redisAsyncHandleWrite(ac);
}

int64_t px_redis_tick(struct px_redis *r, int64_t now)
{
    if (r == NULL)
        return INT64_MAX;
    if (r->ac == NULL && now >= r->retry_at)
        start_connect(r);
    return r->retry_at;
}

/* ---- lookups ----------------------------------------------------------- */

void px_redis_driving(struct px_worker *w, struct px_conn *c)
{
    cur_redis = w->redis;
    cur_conn = c;
}

void px_redis_cancel(struct px_conn *c)
{
    if (c->lookup != NULL)
        c->lookup->c = NULL; /* the reply finds nobody */
    c->lookup = NULL;
}

void px_redis_expire(struct px_conn *c)
{
    tlcp_conn *tc = c->side[c->tls_side].tc;
    px_redis_cancel(c);
    count(&px_metrics.redis_timeouts);
    (void)tlcp_conn_session_lookup_done(tc, NULL, 0); /* full handshake */
}

/* prefix + hex(session ID). */
static size_t make_key(const struct px_config *cfg, const uint8_t *id, size_t id_len, char *out)
{
    const char *prefix = cfg->redis_prefix != NULL ? cfg->redis_prefix : "tlcp:sess:";
    size_t n = (size_t)snprintf(out, KEY_MAX, "%.255s", prefix);
    for (size_t i = 0; i < id_len && i < 32; i++)
        n += (size_t)snprintf(out + n, KEY_MAX - n, "%02x", id[i]);
    return n;
}

static void on_get(redisAsyncContext *ac, void *reply_v, void *priv)
{
    (void)ac;
    struct px_lookup *lk = priv;
    struct px_conn *c = lk->c;
    free(lk);
    if (c == NULL)
        return; /* the connection went, or stopped waiting */
    c->lookup = NULL;
    tlcp_conn *tc = c->side[c->tls_side].tc;
    redisReply *reply = reply_v;
    uint8_t plain[VALUE_MAX];
    size_t n = 0;
    char key[KEY_MAX];
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        count(&px_metrics.redis_errors);
    } else if (reply->type != REDIS_REPLY_STRING) {
        count(&px_metrics.redis_misses);
    } else {
        size_t klen = make_key(&c->gen->cfg, c->lookup_id, 32, key);
        if (tlcp_unseal(c->gen->cfg.session_key, (const uint8_t *)key, klen,
                        (const uint8_t *)reply->str, reply->len, plain, sizeof(plain),
                        &n) == TLCP_OK)
            count(&px_metrics.redis_hits);
        else
            count(&px_metrics.redis_errors); /* altered, or another key (n stays 0) */
    }
    (void)tlcp_conn_session_lookup_done(tc, n > 0 ? plain : NULL, n);
    memset(plain, 0, sizeof(plain));
    px_conn_wake(c);
}

static int store_get(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len)
{
    (void)conn;
    const struct px_config *cfg = arg;
    struct px_redis *r = cur_redis;
    struct px_conn *c = cur_conn;
    if (r == NULL || !r->connected || c == NULL || id_len != 32) {
        count(&px_metrics.redis_errors); /* down: a full handshake at once */
        return TLCP_STORE_FAILED;
    }
    struct px_lookup *lk = malloc(sizeof(*lk));
    if (lk == NULL)
        return TLCP_STORE_FAILED;
    lk->c = c;
    char key[KEY_MAX];
    size_t klen = make_key(cfg, id, id_len, key);
    if (redisAsyncCommand(r->ac, on_get, lk, "GET %b", key, klen) != REDIS_OK) {
        free(lk);
        count(&px_metrics.redis_errors);
        return TLCP_STORE_FAILED;
    }
    memcpy(c->lookup_id, id, 32);
    c->lookup = lk;
    c->lookup_deadline_ms = cli_now_ms() + cfg->redis_timeout_ms;
    return TLCP_STORE_PENDING;
}

static void on_reply_count_errors(redisAsyncContext *ac, void *reply_v, void *priv)
{
    (void)ac;
    (void)priv;
    redisReply *reply = reply_v;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
        count(&px_metrics.redis_errors);
}

static int store_new(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len,
                     const uint8_t *data, size_t len, unsigned lifetime)
{
    (void)conn;
    const struct px_config *cfg = arg;
    struct px_redis *r = cur_redis;
    if (r == NULL || !r->connected)
        return TLCP_STORE_FAILED; /* the session stays resumable nowhere: fine */
    char key[KEY_MAX];
    size_t klen = make_key(cfg, id, id_len, key);
    uint8_t sealed[VALUE_MAX];
    size_t n = 0;
    if (tlcp_seal(cfg->session_key, (const uint8_t *)key, klen, data, len, sealed, sizeof(sealed),
                  &n) != TLCP_OK)
        return TLCP_STORE_FAILED;
    unsigned ttl = cfg->session_lifetime > 0 ? (unsigned)cfg->session_lifetime : lifetime;
    int rc = redisAsyncCommand(r->ac, on_reply_count_errors, NULL, "SET %b %b EX %u", key, klen,
                               sealed, n, ttl);
    if (rc != REDIS_OK)
        return TLCP_STORE_FAILED;
    count(&px_metrics.redis_stores);
    /* Out now, before our Finished: the client may reconnect to another
     * proxy the moment it has that Finished, and its GET must come later. */
    redisAsyncHandleWrite(r->ac);
    return 0;
}

static int store_remove(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len)
{
    (void)conn;
    const struct px_config *cfg = arg;
    struct px_redis *r = cur_redis;
    if (r == NULL || !r->connected)
        return TLCP_STORE_FAILED;
    char key[KEY_MAX];
    size_t klen = make_key(cfg, id, id_len, key);
    return redisAsyncCommand(r->ac, on_reply_count_errors, NULL, "DEL %b", key, klen) == REDIS_OK
               ? 0
               : TLCP_STORE_FAILED;
}

static const tlcp_session_store redis_ops = {store_new, store_get, store_remove, 0};

const tlcp_session_store *px_redis_store_ops(void)
{
    return &redis_ops;
}

#else /* built without hiredis: the config refuses `redis` */

int px_redis_available(void)
{
    return 0;
}
const tlcp_session_store *px_redis_store_ops(void)
{
    return NULL;
}
struct px_redis *px_redis_start(struct px_worker *w, const struct px_config *cfg)
{
    (void)w;
    (void)cfg;
    return NULL;
}
void px_redis_stop(struct px_redis *r)
{
    (void)r;
}
void px_redis_event(struct px_redis *r, uint32_t events)
{
    (void)r;
    (void)events;
}
int64_t px_redis_tick(struct px_redis *r, int64_t now)
{
    (void)r;
    (void)now;
    return INT64_MAX;
}
void px_redis_driving(struct px_worker *w, struct px_conn *c)
{
    (void)w;
    (void)c;
}
void px_redis_cancel(struct px_conn *c)
{
    (void)c;
}
void px_redis_expire(struct px_conn *c)
{
    (void)c;
}
#endif

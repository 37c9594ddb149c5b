/* SPDX-License-Identifier: Apache-2.0 */
/* The key server's event loop: listeners, the pool's wake-up eventfd and
 * every client connection on one level-triggered epoll set. A connection
 * reads frames while it has room, queues responses as the pool completes
 * them, and is freed only once no job of it is left in the pool. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "keyserver.h"

static int listen_unix(struct ks_listener *l, const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket of an earlier run */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* Created 0600 (owner only) before anyone can connect: the peer
     * credentials check comes on top of the file permission. */
    mode_t old = umask(0177);
    int ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    umask(old);
    if (!ok || listen(fd, 128) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    snprintf(l->path, sizeof(l->path), "%s", path);
    return fd;
}

int ks_listen_addr(struct keyserver *ks, const char *addr, int unix_tlcp)
{
    struct ks_listener *l = &ks->listeners[ks->num_listeners];
    memset(l, 0, sizeof(*l));
    l->kind = KS_TAG_LISTEN;
    if (strncmp(addr, "unix:", 5) == 0) {
        l->is_unix = 1;
        l->tlcp = unix_tlcp;
        l->fd = listen_unix(l, addr + 5);
        snprintf(l->where, sizeof(l->where), "%s", addr);
        if (l->fd < 0) {
            cli_error("keyserver", "cannot listen on %s: %s", addr, strerror(errno));
            return 0;
        }
    } else {
        char host[256], port[16];
        if (!cli_split_host_port(addr, host, sizeof(host), port, sizeof(port))) {
            cli_error("keyserver", "'%s' is neither unix:PATH nor HOST:PORT", addr);
            return 0;
        }
        int bound = 0;
        l->tlcp = 1;
        l->fd = cli_listen("keyserver", host, port, &bound);
        if (l->fd < 0)
            return 0;
        snprintf(l->where, sizeof(l->where), "%s:%d", host, bound);
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
    if (epoll_ctl(ks->epfd, EPOLL_CTL_ADD, l->fd, &ev) != 0) {
        close(l->fd);
        return 0;
    }
    ks->num_listeners++;
    fprintf(stderr, "tlcp keyserver: listening on %s (%s)\n", l->where,
            l->tlcp ? "TLCP, client certificate required" : "peer credentials");
    return 1;
}

static void set_events(struct keyserver *ks, struct ks_conn *c, uint32_t events)
{
    if (c->events == events)
        return;
    struct epoll_event ev = {.events = events, .data.ptr = c};
    (void)epoll_ctl(ks->epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->events = events;
}

static void accept_one(struct keyserver *ks, struct ks_listener *l)
{
    char peer[64] = "unix";
    int fd = l->is_unix ? accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)
                        : cli_accept(l->fd, peer, sizeof(peer));
    if (fd < 0)
        return;
    struct ks_conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        return;
    }
    c->kind = KS_TAG_CONN;
    c->fd = fd;
    c->start_ms = cli_now_ms();
    snprintf(c->who, sizeof(c->who), "%s", peer);
    char uid[32] = "";
    if (l->is_unix && !ks_peer_allowed(ks, fd, c->who, sizeof(c->who), uid, sizeof(uid))) {
        fprintf(stderr, "tlcp keyserver: client=\"%s\" refused: uid not allowed\n", c->who);
        close(fd);
        free(c);
        return;
    }
    if (l->tlcp) {
        c->tc = tlcp_conn_new(ks->cfg, TLCP_SERVER);
        if (c->tc == NULL || tlcp_conn_set_fd(c->tc, fd) != TLCP_OK) {
            tlcp_conn_free(c->tc);
            close(fd);
            free(c);
            return;
        }
    } else {
        c->up = 1;
        c->bucket = ks_bucket_for(ks, uid); /* every process of the uid shares it */
    }
    c->events = EPOLLIN;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    (void)epoll_ctl(ks->epfd, EPOLL_CTL_ADD, fd, &ev);
    c->next = ks->conns;
    ks->conns = c;
}

static void unlink_conn(struct keyserver *ks, struct ks_conn *c)
{
    for (struct ks_conn **p = &ks->conns; *p != NULL; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            return;
        }
    }
}

static int ks_conn_listed(const struct keyserver *ks, const struct ks_conn *c)
{
    for (const struct ks_conn *p = ks->conns; p != NULL; p = p->next) {
        if (p == c)
            return 1;
    }
    return 0;
}

static void free_conn(struct ks_conn *c)
{
    cli_wipe(c->in, sizeof(c->in));
    if (c->out != NULL)
        cli_wipe(c->out, c->out_cap);
    free(c->out);
    free(c);
}

void ks_conn_close(struct keyserver *ks, struct ks_conn *c, const char *why)
{
    if (c->dead)
        return;
    if (why != NULL)
        fprintf(stderr, "tlcp keyserver: client=\"%s\" closed: %s\n", c->who, why);
    (void)epoll_ctl(ks->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    tlcp_conn_free(c->tc);
    c->tc = NULL;
    close(c->fd);
    c->dead = 1;
    unlink_conn(ks, c);
    if (c->inflight == 0)
        free_conn(c); /* else the last job to come back frees it */
}

static void fail_tlcp(struct keyserver *ks, struct ks_conn *c, const char *phase)
{
    char why[CLI_WHY_MAX], line[CLI_WHY_MAX + 64];
    snprintf(line, sizeof(line), "%s: %s", phase, cli_conn_failure(c->tc, why, sizeof(why)));
    ks_conn_close(ks, c, line);
}

/* TLCP channel: the handshake (a client without an acceptable certificate
 * ends here), then the client's certificate subject is its identity. */
static int step_handshake(struct keyserver *ks, struct ks_conn *c)
{
    tlcp_result r = tlcp_handshake(c->tc);
    if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        set_events(ks, c, r == TLCP_WANT_WRITE ? EPOLLOUT : EPOLLIN);
        return 0;
    }
    if (r != TLCP_OK) {
        fail_tlcp(ks, c, "refused: TLCP handshake failed");
        return 0;
    }
    const char *subject = tlcp_conn_peer_subject(c->tc, TLCP_CERT_SIGN);
    char peer[KS_WHO_MAX];
    memcpy(peer, c->who, sizeof(peer));
    snprintf(c->who, sizeof(c->who), "%.120s %.70s", subject != NULL ? subject : "?", peer);
    c->bucket = ks_bucket_for(ks, subject != NULL ? subject : c->who);
    c->up = 1;
    return 1;
}

/* Reads what fits into c->in. 1: got bytes; 0: nothing now; -1: closed. */
static int read_some(struct keyserver *ks, struct ks_conn *c)
{
    size_t room = sizeof(c->in) - c->in_len;
    if (room == 0)
        return 0;
    if (c->tc != NULL) {
        size_t n = 0;
        tlcp_result r = tlcp_read(c->tc, c->in + c->in_len, room, &n);
        if (r == TLCP_OK) {
            c->in_len += n;
            return 1;
        }
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            return 0;
        if (r == TLCP_CLOSED)
            ks_conn_close(ks, c,
                          c->in_len > 0 ? "truncated frame: close_notify inside a frame" : NULL);
        else
            fail_tlcp(ks, c, "read failed");
        return -1;
    }
    ssize_t n = read(c->fd, c->in + c->in_len, room);
    if (n > 0) {
        c->in_len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    char why[100];
    snprintf(why, sizeof(why), "truncated frame: the stream ended inside a frame (%zu bytes)",
             c->in_len);
    ks_conn_close(ks, c, n < 0 ? strerror(errno) : c->in_len > 0 ? why : NULL);
    return -1;
}

/* Splits and handles every whole frame in c->in. */
static void take_frames(struct keyserver *ks, struct ks_conn *c)
{
    size_t off = 0, total = 0;
    while (!c->closing) {
        int v = ks_frame_split(c->in + off, c->in_len - off, KS_REQ_FIXED, KS_MAX_FRAME, &total);
        if (v == KS_FRAME_MORE)
            break;
        if (v == KS_FRAME_BAD) {
            struct ks_request none;
            memset(&none, 0, sizeof(none));
            uint8_t frame[KS_LEN_PREFIX + KS_RESP_FIXED];
            size_t n = ks_encode_response(0, KS_ST_TOO_LONG, NULL, 0, frame, sizeof(frame));
            fprintf(stderr,
                    "tlcp keyserver: client=\"%s\" key=- op=? result=bad length (frame length "
                    "outside %d..%d) us=0\n",
                    c->who, KS_REQ_FIXED, KS_MAX_FRAME);
            (void)ks_conn_queue(c, frame, n);
            c->closing = 1;
            break;
        }
        ks_handle_frame(ks, c, c->in + off, total);
        off += total;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

void ks_conn_flush(struct keyserver *ks, struct ks_conn *c)
{
    while (c->out_off < c->out_len) {
        size_t left = c->out_len - c->out_off, n = 0;
        if (c->tc != NULL) {
            tlcp_result r = tlcp_write(c->tc, c->out + c->out_off, left, &n);
            if (r == TLCP_WANT_WRITE || r == TLCP_WANT_READ)
                break;
            if (r != TLCP_OK) {
                fail_tlcp(ks, c, "write failed");
                return;
            }
        } else {
            ssize_t w = send(c->fd, c->out + c->out_off, left, MSG_NOSIGNAL);
            if (w < 0 && (errno == EAGAIN || errno == EINTR))
                break;
            if (w < 0) {
                ks_conn_close(ks, c, strerror(errno));
                return;
            }
            n = (size_t)w;
        }
        c->out_off += n;
    }
    if (c->out_off == c->out_len && c->closing) {
        if (c->tc != NULL)
            (void)tlcp_shutdown(c->tc);
        ks_conn_close(ks, c, "after a refused frame (see the line before)");
        return;
    }
    set_events(ks, c, EPOLLIN | (c->out_off < c->out_len ? EPOLLOUT : 0));
}

static void conn_event(struct keyserver *ks, struct ks_conn *c)
{
    if (!c->up && !step_handshake(ks, c))
        return;
    for (;;) {
        int r = read_some(ks, c);
        if (r < 0)
            return;
        take_frames(ks, c);
        /* A full buffer with r == 0 may hide decrypted bytes inside libtlcp:
         * read again now that frames made room. */
        if (c->closing || (r == 0 && c->in_len < sizeof(c->in)))
            break;
    }
    ks_conn_flush(ks, c);
}

static void collect_done(struct keyserver *ks)
{
    struct ks_job *j = ks_pool_take_done(&ks->pool);
    while (j != NULL) {
        struct ks_job *next = j->next;
        struct ks_conn *c = j->conn;
        ks_job_finished(ks, j);
        if (c->dead && c->inflight == 0)
            free_conn(c);
        else if (!c->dead)
            ks_conn_flush(ks, c);
        j = next;
    }
}

/* Channels that never finish their handshake are dropped. */
static void reap_stalled(struct keyserver *ks)
{
    int64_t now = cli_now_ms();
    struct ks_conn *c = ks->conns;
    while (c != NULL) {
        struct ks_conn *next = c->next;
        if (!c->up && now - c->start_ms > KS_HANDSHAKE_MS)
            ks_conn_close(ks, c, "refused: no TLCP handshake in time");
        c = next;
    }
}

void ks_run(struct keyserver *ks, volatile int *stop)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &ks->wake_tag};
    ks->wake_tag = KS_TAG_WAKE;
    (void)epoll_ctl(ks->epfd, EPOLL_CTL_ADD, ks->pool.wake_fd, &ev);
    struct epoll_event events[64];
    while (!*stop) {
        int n = epoll_wait(ks->epfd, events, 64, 1000);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "tlcp keyserver: epoll_wait: %s\n", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            int kind = *(int *)events[i].data.ptr;
            if (kind == KS_TAG_LISTEN)
                accept_one(ks, events[i].data.ptr);
            else if (kind == KS_TAG_CONN)
                conn_event(ks, events[i].data.ptr);
            else
                collect_done(ks);
        }
        reap_stalled(ks);
    }
}

void ks_shutdown(struct keyserver *ks)
{
    struct ks_job *j = ks_pool_stop(&ks->pool);
    while (j != NULL) {
        struct ks_job *next = j->next;
        struct ks_conn *c = j->conn;
        c->dead = 1; /* no answer now: only the accounting */
        ks_job_finished(ks, j);
        if (c->inflight == 0 && !ks_conn_listed(ks, c))
            free_conn(c);
        j = next;
    }
    while (ks->conns != NULL) {
        struct ks_conn *c = ks->conns;
        c->dead = 0;
        ks_conn_close(ks, c, NULL);
    }
    for (size_t i = 0; i < ks->num_listeners; i++) {
        close(ks->listeners[i].fd);
        if (ks->listeners[i].path[0] != '\0')
            unlink(ks->listeners[i].path);
    }
    while (ks->buckets != NULL) {
        struct ks_bucket *b = ks->buckets;
        ks->buckets = b->next;
        free(b);
    }
}

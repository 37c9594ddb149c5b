/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A worker thread: one epoll loop over the shared listeners (EPOLLEXCLUSIVE:
 * one worker wakes per connection), its connections, its timers and an
 * eventfd through which the main thread hands over reloads and stops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

#define PX_EVENTS       256
#define PX_ACCEPT_BATCH 64

static void notify(struct px_worker *w)
{
    uint64_t one = 1;
    ssize_t n = write(w->notify_fd, &one, sizeof(one));
    (void)n; /* a full counter still wakes the worker */
}

static void listen_all(struct px_worker *w, int on)
{
    if (w->listening == on)
        return;
    for (size_t i = 0; i < w->listeners->num; i++) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE,
                                 .data.ptr = &w->listen_tags[i]};
        if (on)
            (void)epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listeners->fds[i], &ev);
        else
            (void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->listeners->fds[i], NULL);
    }
    w->listening = on;
}

static void accept_some(struct px_worker *w, size_t svc)
{
    const struct px_service *s = &w->gen->cfg.services[svc];
    for (int i = 0; i < PX_ACCEPT_BATCH; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof(peer);
        int fd = accept4(w->listeners->fds[svc], (struct sockaddr *)&peer, &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: pause accepting instead of spinning. */
                px_log_line("service=%s accept paused: %s", s->name, strerror(errno));
                listen_all(w, 0);
                w->accept_paused_until = cli_now_ms() + 200;
            }
            return;
        }
        if (s->max_conns > 0 && atomic_load(&w->listeners->active[svc]) >= s->max_conns) {
            char who[80];
            px_addr_format((const struct sockaddr *)&peer, who, sizeof(who));
            px_log_line("service=%s client=%s result=rejected: max_conns %ld reached", s->name, who,
                        s->max_conns);
            atomic_fetch_add_explicit(&px_metrics.conns_rejected, 1, memory_order_relaxed);
            close(fd);
            continue;
        }
        px_conn_accepted(w, svc, fd, &peer);
    }
}

static void take_notifications(struct px_worker *w)
{
    uint64_t v;
    ssize_t n = read(w->notify_fd, &v, sizeof(v));
    (void)n;
    struct px_generation *g = atomic_exchange(&w->next_gen, NULL);
    if (g != NULL) {
        px_generation_unref(w->gen);
        w->gen = g;
    }
    if (atomic_load(&w->stop_requested) && !w->stopping) {
        w->stopping = 1;
        w->drain_deadline = cli_now_ms() + w->gen->cfg.drain_timeout_ms;
        listen_all(w, 0);
        struct px_conn *c = w->conns;
        while (c != NULL) {
            struct px_conn *next = c->next;
            px_conn_drain(c);
            c = next;
        }
    }
}

static void run_ready(struct px_worker *w)
{
    struct px_conn *list = w->ready_head;
    w->ready_head = NULL;
    while (list != NULL) {
        struct px_conn *c = list;
        list = c->next_ready;
        c->ready = 0;
        if (c->state != PX_S_DONE)
            px_conn_pump(c);
    }
}

static void run_timers(struct px_worker *w)
{
    int64_t now = cli_now_ms();
    struct px_timer *t;
    while ((t = px_heap_top(&w->timers)) != NULL && t->deadline_ms <= now) {
        struct px_conn *c = (struct px_conn *)((char *)t - offsetof(struct px_conn, timer));
        px_conn_timeout(c, now);
    }
    if (!w->listening && !w->stopping && now >= w->accept_paused_until)
        listen_all(w, 1);
    (void)px_redis_tick(w->redis, now);
    (void)px_ks_sync(w, now);
}

static void free_dead(struct px_worker *w)
{
    while (w->dead != NULL) {
        struct px_conn *c = w->dead;
        w->dead = c->next;
        px_generation_unref(c->gen);
        free(c);
    }
}

static int wait_ms(const struct px_worker *w)
{
    if (w->ready_head != NULL)
        return 0;
    int64_t now = cli_now_ms(), next = now + 1000;
    struct px_timer *t = px_heap_top(&w->timers);
    if (t != NULL && t->deadline_ms < next)
        next = t->deadline_ms;
    if (!w->listening && !w->stopping && w->accept_paused_until < next)
        next = w->accept_paused_until;
    int64_t redis_at = px_redis_tick(w->redis, now);
    if (redis_at < next)
        next = redis_at;
    int64_t ks_at = px_ks_next(w);
    if (ks_at < next)
        next = ks_at;
    return next > now ? (int)(next - now) : 0;
}

static void *worker_main(void *arg)
{
    struct px_worker *w = arg;
    struct epoll_event events[PX_EVENTS];
    w->redis = px_redis_start(w, &w->gen->cfg); /* on this thread: its callbacks are */
    w->kslink = px_ks_start(w);
    listen_all(w, 1);
    while (!(w->stopping && w->num_conns == 0)) {
        int n = epoll_wait(w->epfd, events, PX_EVENTS, wait_ms(w));
        if (n < 0 && errno != EINTR) {
            px_log_line("worker %zu: epoll_wait: %s", w->index, strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            struct px_tag *tag = events[i].data.ptr;
            if (tag->kind == PX_KIND_CONN) {
                struct px_conn *c = (struct px_conn *)tag;
                if (c->state != PX_S_DONE)
                    px_conn_pump(c);
            } else if (tag->kind == PX_KIND_KEYSERVER) {
                px_ks_event(w, tag);
            } else if (tag->kind == PX_KIND_REDIS) {
                px_redis_event(w->redis, events[i].events);
            } else if (tag->kind == PX_KIND_LISTEN) {
                if (w->listening)
                    accept_some(w, tag->index);
            } else {
                take_notifications(w);
            }
        }
        run_ready(w);
        run_timers(w);
        free_dead(w);
    }
    while (w->conns != NULL)
        px_conn_abort(w->conns, "stopped: worker exit");
    px_redis_stop(w->redis);
    w->redis = NULL;
    px_ks_stop(w);
    free_dead(w);
    return NULL;
}

struct px_worker *px_worker_start(size_t index, struct px_listeners *l, struct px_generation *g)
{
    struct px_worker *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    w->index = index;
    w->listeners = l;
    w->gen = px_generation_ref(g);
    atomic_init(&w->next_gen, NULL);
    atomic_init(&w->stop_requested, 0);
    px_heap_init(&w->timers);
    w->notify_tag.kind = PX_KIND_NOTIFY;
    for (size_t i = 0; i < l->num; i++) {
        w->listen_tags[i].kind = PX_KIND_LISTEN;
        w->listen_tags[i].index = i;
    }
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w->notify_tag};
    if (w->epfd < 0 || w->notify_fd < 0 ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->notify_fd, &ev) != 0 ||
        pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        if (w->epfd >= 0)
            close(w->epfd);
        if (w->notify_fd >= 0)
            close(w->notify_fd);
        px_generation_unref(w->gen);
        free(w);
        return NULL;
    }
    return w;
}

void px_worker_reload(struct px_worker *w, struct px_generation *g)
{
    struct px_generation *old = atomic_exchange(&w->next_gen, px_generation_ref(g));
    px_generation_unref(old); /* a reload the worker had not picked up yet */
    notify(w);
}

void px_worker_stop(struct px_worker *w)
{
    atomic_store(&w->stop_requested, 1);
    notify(w);
}

void px_worker_join(struct px_worker *w)
{
    pthread_join(w->thread, NULL);
    px_generation_unref(atomic_exchange(&w->next_gen, NULL));
    px_generation_unref(w->gen);
    px_heap_free(&w->timers);
    close(w->epfd);
    close(w->notify_fd);
    free(w);
}

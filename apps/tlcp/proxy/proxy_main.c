/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp proxy: loads the configuration, opens the listeners, starts the
 * workers, then the main thread waits for signals (SIGHUP reload,
 * SIGTERM/SIGINT graceful stop) and serves the metrics endpoint.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdlimit.h"
#include "proxy.h"
#include "signals.h"

static const char proxy_help[] =
    "usage: tlcp proxy --config FILE [--check]\n"
    "       tlcp proxy --accept ADDR:PORT --connect ADDR:PORT|unix:/PATH\n"
    "                  --terminate --sign-cert F --sign-key F --enc-cert F --enc-key F\n"
    "                  [--ca F --verify optional|require] [--suites LIST]\n"
    "                  [--proxy-protocol none|v1|v2] [--sessions N]\n"
    "                  [--tls-cert F --tls-key F] [--tls-hello-for-tlcp yes|no]\n"
    "                  [--tls-verify-client none|optional|require --tls-ca F]\n"
    "                  [--tls-min-version 1.2|1.3] [--tls-ciphers S]\n"
    "                  [--tls-ciphersuites S] [--tls-alpn LIST]\n"
    "       tlcp proxy --accept ADDR:PORT --connect ADDR:PORT --originate\n"
    "                  --ca F [--servername NAME] [--compat gmssl3] [--suites LIST]\n"
    "                  [--sign-cert F --sign-key F --enc-cert F --enc-key F]\n"
    "  common: [--handshake-timeout D] [--idle-timeout D] [--connect-timeout D]\n"
    "          [--max-conns N] [--workers N] [--log FILE] [--metrics ADDR:PORT]\n"
    "          [--drain-timeout D] [--buffer-size BYTES] [--pass PW] [--chain F]\n"
    "  key URIs: [--provider NAME] [--provider-path D] [--key-propquery Q]\n"
    "  keys on a tlcp keyserver instead of --sign-key/--enc-key:\n"
    "          --key-server unix:PATH|HOST:PORT [--key-name NAME]\n"
    "          [--key-server-cert F --key-server-key F --key-server-ca F]\n"
    "\n"
    "TLCP gateway. terminate: TLCP from clients, plain TCP to the backend;\n"
    "originate: plain TCP from local clients, TLCP to a server. Durations: 10,\n"
    "10s, 500ms, 2m. One access log line per connection. SIGHUP reloads the\n"
    "configuration and certificates for new connections; SIGTERM stops\n"
    "accepting, sends close_notify and drains until --drain-timeout.\n"
    "terminate with --tls-cert/--tls-key also serves TLS 1.2/1.3 (libssl) on the\n"
    "same port; the access log's proto= says tlcp, tls1.2, tls1.3 or\n"
    "tlcp-via-tls-hello.\n"
    "The configuration file format and every key: docs/PROXY.md.\n"
    "\n"
    "Exit status: 0 after a graceful stop (or --check passed), 2 bad command\n"
    "line, 3 unusable configuration or certificates, 4 cannot listen.\n";

struct proxy {
    int argc;
    char **argv;
    struct px_listeners listeners;
    struct px_worker **workers;
    size_t num_workers;
    struct px_generation *gen;
    unsigned next_id;
    int sig_fd, metrics_fd, epfd;
};

/* Parses argv (and the file it names) into cfg; prints the reason. */
static int load_config(int argc, char **argv, struct px_config *cfg, int *check)
{
    const char *path = NULL;
    px_config_init(cfg);
    if (!px_cmdline(argc, argv, cfg, &path, check))
        return TLCP_EXIT_USAGE;
    char err[PX_ERR_LEN];
    int ok = path != NULL ? px_config_load_file(cfg, path, err, sizeof(err))
                          : px_config_validate(cfg, err, sizeof(err));
    if (!ok) {
        cli_error("proxy", "%s", err);
        return TLCP_EXIT_CONFIG;
    }
    return TLCP_EXIT_OK;
}

static size_t worker_count(const struct px_config *cfg)
{
    if (cfg->workers > 0)
        return (size_t)cfg->workers;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* Services with pairs per server name say so once at startup. */
static void note_pairs(const struct px_config *cfg)
{
    for (size_t i = 0; i < cfg->num_services; i++) {
        const struct px_service *s = &cfg->services[i];
        size_t named = 0;
        for (size_t j = 0; j < s->num_pairs; j++)
            named += s->pairs[j].name != NULL;
        if (named > 0 && s->direction == PX_TERMINATE)
            fprintf(stderr,
                    "tlcp proxy: [%s]: certificate pairs for %zu server name(s) by SNI; %s\n",
                    s->name, named,
                    named < s->num_pairs ? "the default pair serves other names and no SNI"
                                         : "no default pair: other names are refused");
    }
}

/* A reload keeps the listeners: the services and their accept addresses
 * must stay the same (a restart changes them). */
static int same_listeners(const struct px_config *a, const struct px_config *b, char *err,
                          size_t errlen)
{
    if (a->num_services != b->num_services) {
        snprintf(err, errlen, "the number of services changed (restart to change listeners)");
        return 0;
    }
    for (size_t i = 0; i < a->num_services; i++) {
        if (strcmp(a->services[i].name, b->services[i].name) != 0 ||
            strcmp(a->services[i].accept.text, b->services[i].accept.text) != 0) {
            snprintf(err, errlen,
                     "service [%s] or its accept address changed (restart to "
                     "change listeners)",
                     b->services[i].name);
            return 0;
        }
    }
    return 1;
}

static void reload(struct proxy *p)
{
    struct px_config cfg;
    int check = 0;
    char err[PX_ERR_LEN];
    if (load_config(p->argc, p->argv, &cfg, &check) != TLCP_EXIT_OK) {
        px_config_free(&cfg);
        fprintf(stderr, "tlcp proxy: reload refused; the running configuration stays\n");
        atomic_fetch_add(&px_metrics.reload_failures, 1);
        return;
    }
    if (!same_listeners(&p->gen->cfg, &cfg, err, sizeof(err))) {
        px_config_free(&cfg);
        fprintf(stderr, "tlcp proxy: reload refused: %s\n", err);
        atomic_fetch_add(&px_metrics.reload_failures, 1);
        return;
    }
    struct px_generation *g = px_generation_build(&cfg, p->next_id++, err, sizeof(err));
    if (g == NULL) {
        px_config_free(&cfg);
        fprintf(stderr, "tlcp proxy: reload refused: %s\n", err);
        atomic_fetch_add(&px_metrics.reload_failures, 1);
        return;
    }
    for (size_t i = 0; i < p->num_workers; i++)
        px_worker_reload(p->workers[i], g);
    px_generation_unref(p->gen);
    p->gen = g;
    atomic_fetch_add(&px_metrics.reloads, 1);
    fprintf(stderr, "tlcp proxy: reloaded (configuration %u)\n", g->id);
}

static int open_metrics(struct proxy *p, const struct px_config *cfg)
{
    if (!cfg->have_metrics)
        return 1;
    p->metrics_fd = socket(cfg->metrics.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (p->metrics_fd >= 0)
        (void)setsockopt(p->metrics_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (p->metrics_fd < 0 ||
        bind(p->metrics_fd, (const struct sockaddr *)&cfg->metrics.ss, cfg->metrics.len) != 0 ||
        listen(p->metrics_fd, 16) != 0) {
        cli_error("proxy", "metrics: cannot listen on %s: %s", cfg->metrics.text, strerror(errno));
        return 0;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char where[120];
    getsockname(p->metrics_fd, (struct sockaddr *)&ss, &sl);
    px_addr_format((const struct sockaddr *)&ss, where, sizeof(where));
    fprintf(stderr, "tlcp proxy: metrics on http://%s/metrics\n", where);
    return 1;
}

static void announce(const struct proxy *p)
{
    for (size_t i = 0; i < p->listeners.num; i++) {
        const struct px_service *s = &p->gen->cfg.services[i];
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char where[120];
        getsockname(p->listeners.fds[i], (struct sockaddr *)&ss, &sl);
        px_addr_format((const struct sockaddr *)&ss, where, sizeof(where));
        fprintf(stderr, "tlcp proxy: [%s] listening on %s (%s to %s), %zu workers\n", s->name,
                where, s->direction == PX_TERMINATE ? "terminate" : "originate", s->connect.text,
                p->num_workers);
    }
}

/* The main thread's loop: signals and metrics requests. */
static void run(struct proxy *p)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = p->sig_fd};
    epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->sig_fd, &ev);
    if (p->metrics_fd >= 0) {
        ev.data.fd = p->metrics_fd;
        epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->metrics_fd, &ev);
    }
    for (;;) {
        struct epoll_event got[4];
        int n = epoll_wait(p->epfd, got, 4, -1);
        for (int i = 0; i < n; i++) {
            if (got[i].data.fd == p->metrics_fd) {
                int fd = accept4(p->metrics_fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd >= 0) {
                    px_metrics_serve(fd);
                    close(fd);
                }
                continue;
            }
            int sig;
            while ((sig = px_signals_take(p->sig_fd)) != 0) {
                if (sig == SIGHUP) {
                    reload(p);
                } else {
                    fprintf(stderr, "tlcp proxy: %s: stopping (drain up to %ld ms)\n",
                            sig == SIGTERM ? "SIGTERM" : "SIGINT", p->gen->cfg.drain_timeout_ms);
                    return;
                }
            }
        }
    }
}

static int start(struct proxy *p, struct px_config *cfg)
{
    char err[PX_ERR_LEN];
    if (!px_log_open(cfg->log, err, sizeof(err))) {
        cli_error("proxy", "%s", err);
        return TLCP_EXIT_CONFIG;
    }
    p->num_workers = worker_count(cfg);
    px_fdlimit_raise();
    note_pairs(cfg);
    if (!px_listeners_open(&p->listeners, cfg, err, sizeof(err))) {
        cli_error("proxy", "%s", err);
        return TLCP_EXIT_NETWORK;
    }
    if (!open_metrics(p, cfg))
        return TLCP_EXIT_NETWORK;
    p->gen = px_generation_build(cfg, p->next_id++, err, sizeof(err));
    if (p->gen == NULL) {
        cli_error("proxy", "%s", err);
        return TLCP_EXIT_CONFIG;
    }
    p->sig_fd = px_signals_open();
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    p->workers = calloc(p->num_workers, sizeof(*p->workers));
    if (p->sig_fd < 0 || p->epfd < 0 || p->workers == NULL) {
        cli_error("proxy", "cannot set up signals: %s", strerror(errno));
        return TLCP_EXIT_FAILURE;
    }
    for (size_t i = 0; i < p->num_workers; i++) {
        p->workers[i] = px_worker_start(i, &p->listeners, p->gen);
        if (p->workers[i] == NULL) {
            cli_error("proxy", "cannot start worker %zu", i);
            p->num_workers = i;
            return TLCP_EXIT_FAILURE;
        }
    }
    announce(p);
    return TLCP_EXIT_OK;
}

static void stop(struct proxy *p)
{
    /* A start that failed early has no (or not every) worker. */
    for (size_t i = 0; p->workers != NULL && i < p->num_workers; i++)
        if (p->workers[i] != NULL)
            px_worker_stop(p->workers[i]);
    for (size_t i = 0; p->workers != NULL && i < p->num_workers; i++)
        if (p->workers[i] != NULL)
            px_worker_join(p->workers[i]);
    free(p->workers);
    px_listeners_close(&p->listeners);
    px_generation_unref(p->gen);
    if (p->metrics_fd >= 0)
        close(p->metrics_fd);
    if (p->sig_fd >= 0)
        close(p->sig_fd);
    if (p->epfd >= 0)
        close(p->epfd);
    px_log_close();
}

static int check_only(struct px_config *cfg)
{
    char err[PX_ERR_LEN];
    struct px_generation *g = px_generation_build(cfg, 0, err, sizeof(err));
    if (g == NULL) {
        cli_error("proxy", "%s", err);
        return TLCP_EXIT_CONFIG;
    }
    printf("configuration ok: %zu services\n", g->cfg.num_services);
    px_generation_unref(g);
    return TLCP_EXIT_OK;
}

int cmd_proxy(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(proxy_help, stdout);
        return TLCP_EXIT_OK;
    }
    struct px_config cfg;
    int check = 0;
    int rc = load_config(argc, argv, &cfg, &check);
    if (rc != TLCP_EXIT_OK) {
        px_config_free(&cfg);
        return rc;
    }
    if (check) {
        rc = check_only(&cfg);
        px_config_free(&cfg);
        return rc;
    }
    struct proxy p = {.argc = argc, .argv = argv, .sig_fd = -1, .metrics_fd = -1, .epfd = -1};
    rc = start(&p, &cfg);
    px_config_free(&cfg); /* moved into the generation, or unused after a failure */
    if (rc == TLCP_EXIT_OK)
        run(&p);
    stop(&p);
    return rc;
}

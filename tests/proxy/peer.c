/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp-testpeer: the other ends of the tlcp proxy tests (tests/cli/proxy_*.sh).
 *   echo PORTFILE [--proxy-header FILE] [--die-after N] [--unix PATH]
 *        plain TCP echo backend on 127.0.0.1 (port written to PORTFILE);
 *        half-close aware; with --proxy-header it reads a PROXY v1/v2 header
 *        first and appends its raw bytes to FILE; --die-after exits abruptly
 *        once a connection has received N bytes; --unix listens on a unix
 *        socket instead (PORTFILE then gets 0).
 *   connect HOST PORT    plain client: stdin to the socket (then SHUT_WR),
 *                        the socket to stdout until EOF.
 *   idle HOST PORT N CAFILE [--resume]
 *        opens N TLCP connections (public API, non-blocking, 128 handshakes
 *        in flight), prints "ready N resumed R in MS ms", holds them until
 *        stdin ends, then every one sends a line and reads its echo: prints
 *        "echoed M of N". With --resume the first connection makes a full
 *        handshake and the others offer its session.
 *   drip HOST PORT INTERVAL_MS
 *        sends a TLCP record header byte by byte every INTERVAL_MS (a
 *        slowloris handshake); prints "closed after MS" when the server
 *        closes, exits 1 if it is still open after 30 s.
 *   load HOST PORT CAFILE TOTAL CONCURRENCY [RATE]
 *        TOTAL TLCP handshakes (each then close_notify), CONCURRENCY at a
 *        time, started at RATE per second when given (a fixed offered
 *        load); prints handshakes per second and p50/p99 latency.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tlcp/tlcp.h"

#define MAX_CONNS 20000
#define BUF_LEN   65536

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *host, const char *port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        perror("connect");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* ---- echo ---------------------------------------------------------------- */

struct echo_conn {
    int fd;
    unsigned char buf[BUF_LEN];
    size_t len;
    int eof, header_done;
    unsigned char hdr[256];
    size_t hdr_len;
    unsigned long long received;
};

static const char *header_file;
static unsigned long long die_after;

/* Takes the PROXY header off the front of c->buf; 1 when complete. */
static int take_header(struct echo_conn *c)
{
    size_t need = 0;
    if (c->len >= 16 && memcmp(c->buf, "\r\n\r\n\0\r\nQUIT\n", 12) == 0) {
        need = 16 + ((size_t)c->buf[14] << 8 | c->buf[15]);
    } else if (c->len >= 6 && memcmp(c->buf, "PROXY ", 6) == 0) {
        unsigned char *nl = memchr(c->buf, '\n', c->len);
        if (nl != NULL)
            need = (size_t)(nl - c->buf) + 1;
        else if (c->len > 107)
            need = c->len; /* not a valid v1 header: record what came */
    } else if (c->len >= 16) {
        need = 0; /* no header at all: record nothing, echo everything */
        c->header_done = 1;
        return 1;
    }
    if (need == 0 || c->len < need)
        return 0;
    FILE *f = fopen(header_file, "ab");
    if (f != NULL) {
        fwrite(c->buf, 1, need, f);
        fclose(f);
    }
    memmove(c->buf, c->buf + need, c->len - need);
    c->len -= need;
    c->header_done = 1;
    return 1;
}

static int echo_step(struct echo_conn *c)
{
    if (!c->eof && c->len < sizeof(c->buf)) {
        ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
        if (n == 0)
            c->eof = 1;
        else if (n < 0 && errno != EAGAIN)
            return 0;
        else if (n > 0) {
            c->len += (size_t)n;
            c->received += (unsigned long long)n;
            if (die_after > 0 && c->received >= die_after) {
                /* The backend dies mid-stream: a reset, never a FIN (with
                 * nothing unread, a plain exit would look like a clean
                 * end of the stream, as it did on slow sanitizer runs). */
                struct linger reset = {1, 0};
                (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
                _exit(3);
            }
        }
    }
    if (header_file != NULL && !c->header_done && !take_header(c))
        return !c->eof;
    if (c->len > 0) {
        ssize_t n = send(c->fd, c->buf, c->len, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN)
            return 0;
        if (n > 0) {
            memmove(c->buf, c->buf + n, c->len - (size_t)n);
            c->len -= (size_t)n;
        }
    }
    if (c->eof && c->len == 0)
        return 0; /* all echoed: close (after the half-close came in) */
    return 1;
}

static int listen_tcp(int *port)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1024) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return lfd;
}

static int listen_unix(const char *path)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a.sun_path))
        return -1;
    memcpy(a.sun_path, path, strlen(path) + 1);
    unlink(path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1024) != 0)
        return -1;
    return lfd;
}

static int run_echo(int argc, char **argv)
{
    if (argc < 1)
        return 2;
    const char *unix_path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--proxy-header") == 0)
            header_file = argv[i + 1];
        else if (strcmp(argv[i], "--die-after") == 0)
            die_after = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--unix") == 0)
            unix_path = argv[i + 1];
    }
    int port = 0;
    int lfd = unix_path != NULL ? listen_unix(unix_path) : listen_tcp(&port);
    if (lfd < 0)
        return 1;
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    FILE *pf = fopen(argv[0], "w");
    if (pf == NULL)
        return 1;
    fprintf(pf, "%d\n", port);
    fclose(pf);
    static struct echo_conn *conns[MAX_CONNS];
    static struct pollfd pfd[MAX_CONNS + 1];
    size_t n = 0;
    for (;;) {
        pfd[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
        for (size_t i = 0; i < n; i++) {
            short ev = 0;
            if (!conns[i]->eof && conns[i]->len < BUF_LEN)
                ev |= POLLIN;
            if (conns[i]->len > 0)
                ev |= POLLOUT;
            pfd[i + 1] = (struct pollfd){.fd = conns[i]->fd, .events = ev};
        }
        if (poll(pfd, n + 1, 1000) < 0 && errno != EINTR)
            return 1;
        for (size_t i = 0; i < n; i++) {
            if (pfd[i + 1].revents != 0 && !echo_step(conns[i])) {
                close(conns[i]->fd);
                free(conns[i]);
                conns[i] = NULL;
            }
        }
        size_t j = 0;
        for (size_t i = 0; i < n; i++)
            if (conns[i] != NULL)
                conns[j++] = conns[i];
        n = j;
        while (n < MAX_CONNS) {
            int fd = accept(lfd, NULL, NULL);
            if (fd < 0)
                break;
            fcntl(fd, F_SETFL, O_NONBLOCK);
            conns[n] = calloc(1, sizeof(**conns));
            if (conns[n] == NULL) {
                close(fd);
                break;
            }
            conns[n++]->fd = fd;
        }
    }
}

/* ---- connect ------------------------------------------------------------- */

static int run_connect(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int fd = connect_to(argv[0], argv[1]);
    if (fd < 0)
        return 1;
    int in_open = 1;
    unsigned char buf[BUF_LEN];
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
        if (poll(p, in_open ? 2 : 1, -1) < 0 && errno != EINTR)
            return 1;
        if (p[0].revents != 0) {
            ssize_t n = read(fd, buf, sizeof(buf));
            if (n == 0)
                return 0;
            if (n < 0)
                return 1;
            if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
                return 1;
            fflush(stdout);
        }
        if (in_open && p[1].revents != 0) {
            ssize_t n = read(0, buf, sizeof(buf));
            if (n <= 0) {
                in_open = 0;
                shutdown(fd, SHUT_WR);
            } else {
                for (ssize_t off = 0; off < n;) {
                    ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
                    if (w < 0)
                        return 1;
                    off += w;
                }
            }
        }
    }
}

/* ---- idle ---------------------------------------------------------------- */

#define IDLE_IN_FLIGHT 128
#define IDLE_DEADLINE  240000

struct idle_set {
    long n;
    int *fds;
    tlcp_conn **tcs;
    unsigned char *state; /* 0 not opened, 1 handshaking, 2 established */
    size_t *got;          /* echo phase: bytes of the line read back */
};

/* Opens connection i, offering `session` when not NULL. */
static int idle_open(struct idle_set *s, tlcp_config *cfg, const char *host, const char *port,
                     long i, tlcp_session *session)
{
    s->fds[i] = connect_to(host, port);
    if (s->fds[i] < 0)
        return 0;
    fcntl(s->fds[i], F_SETFL, O_NONBLOCK);
    s->tcs[i] = tlcp_conn_new(cfg, TLCP_CLIENT);
    if (s->tcs[i] == NULL || tlcp_conn_set_fd(s->tcs[i], s->fds[i]) != TLCP_OK ||
        (session != NULL && tlcp_conn_set_session(s->tcs[i], session) != TLCP_OK))
        return 0;
    s->state[i] = 1;
    return 1;
}

/* Opens connections from *next on and drives their handshakes, at most
 * IDLE_IN_FLIGHT at a time, until `upto` are established; *resumed counts
 * the abbreviated ones. */
static int idle_establish(struct idle_set *s, tlcp_config *cfg, char **argv, long upto, long *next,
                          tlcp_session *session, long *resumed)
{
    static struct pollfd pfd[IDLE_IN_FLIGHT];
    long established = *next, in_flight = 0, first = *next;
    long long deadline = now_ms() + IDLE_DEADLINE;
    while (established < upto) {
        while (in_flight < IDLE_IN_FLIGHT && *next < upto) {
            if (!idle_open(s, cfg, argv[0], argv[1], *next, session)) {
                fprintf(stderr, "connection %ld: cannot open\n", *next);
                return 0;
            }
            (*next)++;
            in_flight++;
        }
        nfds_t np = 0;
        for (long i = first; i < *next; i++) {
            if (s->state[i] != 1)
                continue;
            tlcp_result r = tlcp_handshake(s->tcs[i]);
            if (r == TLCP_OK) {
                s->state[i] = 2;
                established++;
                in_flight--;
                *resumed += tlcp_conn_session_reused(s->tcs[i]);
            } else if (r == TLCP_ERROR) {
                fprintf(stderr, "handshake %ld failed: %s\n", i, tlcp_conn_error(s->tcs[i]));
                return 0;
            } else {
                pfd[np++] = (struct pollfd){s->fds[i], r == TLCP_WANT_READ ? POLLIN : POLLOUT, 0};
            }
        }
        while (first < *next && s->state[first] == 2)
            first++; /* the scan starts at the oldest one still handshaking */
        if (now_ms() > deadline) {
            fprintf(stderr, "timed out with %ld of %ld established\n", established, upto);
            return 0;
        }
        if (np > 0)
            (void)poll(pfd, np, 100);
    }
    return 1;
}

/* Every connection sends "ping I\n" and must read it back (the backend
 * echoes); returns how many did within the deadline. */
static long idle_echo_all(struct idle_set *s)
{
    char line[32];
    for (long i = 0; i < s->n; i++) {
        int len = snprintf(line, sizeof(line), "ping %ld\n", i);
        size_t w = 0;
        tlcp_result r = tlcp_write(s->tcs[i], line, (size_t)len, &w);
        while (r == TLCP_WANT_WRITE) {
            struct pollfd p = {s->fds[i], POLLOUT, 0};
            (void)poll(&p, 1, 100);
            r = tlcp_write(s->tcs[i], line, (size_t)len, &w);
        }
        if (r != TLCP_OK || w != (size_t)len)
            s->got[i] = SIZE_MAX; /* failed: never counted */
    }
    struct pollfd *pfd = calloc((size_t)s->n, sizeof(*pfd));
    if (pfd == NULL)
        return 0;
    long echoed = 0;
    long long deadline = now_ms() + 60000;
    for (;;) {
        nfds_t np = 0;
        for (long i = 0; i < s->n; i++) {
            if (s->got[i] == SIZE_MAX)
                continue;
            int len = snprintf(line, sizeof(line), "ping %ld\n", i);
            char buf[32];
            size_t got = 0;
            tlcp_result r = tlcp_read(s->tcs[i], buf, (size_t)len - s->got[i], &got);
            if (r == TLCP_OK && got > 0 && memcmp(buf, line + s->got[i], got) == 0) {
                s->got[i] += got;
                if (s->got[i] == (size_t)len) {
                    echoed++;
                    s->got[i] = SIZE_MAX;
                }
                continue; /* more may be buffered: next round */
            }
            if (r != TLCP_WANT_READ) {
                fprintf(stderr, "connection %ld: echo wrong or lost (%s)\n", i,
                        r == TLCP_OK ? "other bytes" : tlcp_conn_error(s->tcs[i]));
                s->got[i] = SIZE_MAX;
                continue;
            }
            pfd[np++] = (struct pollfd){s->fds[i], POLLIN, 0};
        }
        if (np == 0 || now_ms() > deadline)
            break;
        (void)poll(pfd, np, 100);
    }
    free(pfd);
    return echoed;
}

static int run_idle(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    struct idle_set s = {.n = atol(argv[2])};
    int resume = argc > 4 && strcmp(argv[4], "--resume") == 0;
    if (s.n <= 0 || s.n > MAX_CONNS)
        return 2;
    tlcp_config *cfg = tlcp_config_new();
    if (cfg == NULL || tlcp_config_load_ca_file(cfg, argv[3]) != TLCP_OK ||
        tlcp_config_set_host_name(cfg, "localhost") != TLCP_OK)
        return 1;
    s.fds = calloc((size_t)s.n, sizeof(*s.fds));
    s.tcs = calloc((size_t)s.n, sizeof(*s.tcs));
    s.state = calloc((size_t)s.n, 1);
    s.got = calloc((size_t)s.n, sizeof(*s.got));
    if (s.fds == NULL || s.tcs == NULL || s.state == NULL || s.got == NULL)
        return 1;
    long long t0 = now_ms();
    long next = 0, resumed = 0;
    tlcp_session *session = NULL;
    if (resume) { /* one full handshake; the others resume its session */
        if (!idle_establish(&s, cfg, argv, 1, &next, NULL, &resumed))
            return 1;
        session = tlcp_conn_get_session(s.tcs[0]);
    }
    if (!idle_establish(&s, cfg, argv, s.n, &next, session, &resumed))
        return 1;
    tlcp_session_free(session);
    printf("ready %ld resumed %ld in %lld ms\n", s.n, resumed, now_ms() - t0);
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0) {
    }
    long echoed = idle_echo_all(&s);
    printf("echoed %ld of %ld\n", echoed, s.n);
    for (long i = 0; i < s.n; i++) {
        tlcp_conn_free(s.tcs[i]);
        close(s.fds[i]);
    }
    free(s.fds);
    free(s.tcs);
    free(s.state);
    free(s.got);
    tlcp_config_free(cfg);
    return 0;
}

/* ---- drip ---------------------------------------------------------------- */

static int run_drip(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    int fd = connect_to(argv[0], argv[1]);
    if (fd < 0)
        return 1;
    int interval = atoi(argv[2]);
    static const unsigned char hello[] = {0x16, 0x01, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c};
    long long start = now_ms();
    for (size_t i = 0; now_ms() - start < 30000; i++) {
        if (i < sizeof(hello))
            (void)send(fd, &hello[i], 1, MSG_NOSIGNAL);
        else
            (void)send(fd, "\0", 1, MSG_NOSIGNAL);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, interval) > 0) {
            unsigned char b[256];
            ssize_t r = read(fd, b, sizeof(b));
            if (r <= 0) {
                printf("closed after %lld\n", now_ms() - start);
                return 0;
            }
        }
    }
    printf("still open after 30 s\n");
    return 1;
}

/* ---- load ---------------------------------------------------------------- */

struct load_slot {
    int fd;
    tlcp_conn *tc;
    long long start_us;
    short events;
};

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void load_finish(struct load_slot *s)
{
    (void)tlcp_shutdown(s->tc);
    tlcp_conn_free(s->tc);
    close(s->fd);
    s->tc = NULL;
}

static int run_load(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    long total = atol(argv[3]), conc = atol(argv[4]);
    double rate = argc > 5 ? atof(argv[5]) : 0;
    if (total <= 0 || conc <= 0 || conc > 1024)
        return 2;
    tlcp_config *cfg = tlcp_config_new();
    if (cfg == NULL || tlcp_config_load_ca_file(cfg, argv[2]) != TLCP_OK ||
        tlcp_config_set_host_name(cfg, "localhost") != TLCP_OK)
        return 1;
    struct load_slot *slots = calloc((size_t)conc, sizeof(*slots));
    long long *lat = calloc((size_t)total, sizeof(*lat));
    struct pollfd *pfd = calloc((size_t)conc, sizeof(*pfd));
    if (slots == NULL || lat == NULL || pfd == NULL)
        return 1;
    long started = 0, done = 0, failed = 0;
    long long t0 = now_us();
    while (done < total) {
        for (long i = 0; i < conc && started < total; i++) {
            if (slots[i].tc != NULL)
                continue;
            if (rate > 0 && (double)started > rate * (double)(now_us() - t0) / 1e6)
                break;
            slots[i].fd = connect_to(argv[0], argv[1]);
            if (slots[i].fd < 0)
                return 1;
            fcntl(slots[i].fd, F_SETFL, O_NONBLOCK);
            slots[i].tc = tlcp_conn_new(cfg, TLCP_CLIENT);
            if (slots[i].tc == NULL || tlcp_conn_set_fd(slots[i].tc, slots[i].fd) != TLCP_OK)
                return 1;
            slots[i].start_us = now_us();
            slots[i].events = POLLOUT;
            started++;
        }
        nfds_t np = 0;
        for (long i = 0; i < conc; i++) {
            struct load_slot *s = &slots[i];
            if (s->tc == NULL)
                continue;
            tlcp_result r = tlcp_handshake(s->tc);
            if (r == TLCP_OK || r == TLCP_ERROR) {
                if (r == TLCP_OK)
                    lat[done - failed] = now_us() - s->start_us;
                else
                    failed++;
                done++;
                load_finish(s);
                continue;
            }
            pfd[np++] =
                (struct pollfd){.fd = s->fd, .events = r == TLCP_WANT_READ ? POLLIN : POLLOUT};
        }
        if (np > 0)
            (void)poll(pfd, np, 1);
        else if (rate > 0)
            usleep(200);
    }
    double secs = (double)(now_us() - t0) / 1e6;
    long ok = done - failed;
    qsort(lat, (size_t)ok, sizeof(*lat), cmp_ll);
    printf("handshakes %ld failed %ld seconds %.3f rate %.1f/s p50 %.2f ms p99 %.2f ms\n", ok,
           failed, secs, (double)ok / secs, ok ? (double)lat[ok / 2] / 1000.0 : 0.0,
           ok ? (double)lat[(ok * 99) / 100] / 1000.0 : 0.0);
    free(slots);
    free(lat);
    free(pfd);
    tlcp_config_free(cfg);
    return failed == 0 ? 0 : 1;
}

/* Thousands of connections: all the descriptors the hard limit allows. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (argc < 2) {
        fprintf(stderr, "usage: tlcp-testpeer echo|connect|idle|drip ...\n");
        return 2;
    }
    if (strcmp(argv[1], "echo") == 0)
        return run_echo(argc - 2, argv + 2);
    if (strcmp(argv[1], "connect") == 0)
        return run_connect(argc - 2, argv + 2);
    if (strcmp(argv[1], "idle") == 0)
        return run_idle(argc - 2, argv + 2);
    if (strcmp(argv[1], "drip") == 0)
        return run_drip(argc - 2, argv + 2);
    if (strcmp(argv[1], "load") == 0)
        return run_load(argc - 2, argv + 2);
    fprintf(stderr, "tlcp-testpeer: unknown mode %s\n", argv[1]);
    return 2;
}

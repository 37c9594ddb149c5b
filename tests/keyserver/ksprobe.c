/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp-ksprobe: speaks the key-server protocol on a unix socket with
 * hand-made frames, for tests/cli/keyserver*.sh. Each case sends its
 * frames and prints one line per response ("id=N status=NAME len=L") and
 * "closed" when the server closes; the script judges the lines.
 *   tlcp-ksprobe unix:PATH KEY CASE [N]
 * CASE: ok, sign-msg, pipeline N, bad-version, too-long, too-short,
 * unknown-op, unknown-key, bad-field, truncated, replay-same, replay-new,
 * stale, burst N.
 *   tlcp-ksprobe blackhole unix:PATH | tcp
 * A key server that never answers, for tests/cli/keyserver_blackhole.sh:
 * on unix:PATH it accepts, reads and prints "request" once a whole frame
 * has come; with tcp it listens on 127.0.0.1 (printing "port N") and never
 * accepts, printing "connection waiting" once a connect sits in the
 * backlog. Then it holds everything until killed, except that on unix,
 * SIGUSR1 makes it answer the request late ("failed"), printing "answered".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../apps/tlcp/keyserver/frame.h"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_unix(const char *addr)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strncmp(addr, "unix:", 5) != 0 || strlen(addr + 5) >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, addr + 5, strlen(addr + 5) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("ksprobe: connect");
        exit(2);
    }
    return fd;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            printf("send failed: %s\n", strerror(errno));
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Prints responses until `want` arrived, the server closed, or 10 s. */
static void read_responses(int fd, int want)
{
    static uint8_t buf[65536];
    size_t len = 0;
    int got = 0;
    while (got < want) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0) {
            printf("timeout\n");
            return;
        }
        ssize_t n = read(fd, buf + len, sizeof(buf) - len);
        if (n <= 0) {
            printf("closed\n");
            return;
        }
        len += (size_t)n;
        size_t total = 0;
        while (ks_frame_split(buf, len, KS_RESP_FIXED, KS_MAX_FRAME, &total) == KS_FRAME_OK) {
            struct ks_response r;
            int st = ks_decode_response(buf + KS_LEN_PREFIX, total - KS_LEN_PREFIX, &r);
            printf("id=%llu status=%s len=%zu%s\n", (unsigned long long)r.id,
                   ks_status_name(r.status), r.result_len, st == KS_ST_OK ? "" : " (undecodable)");
            memmove(buf, buf + total, len - total);
            len -= total;
            got++;
        }
    }
}

/* After the expected responses: does the server close (it should after a
 * refused stream) or keep the connection? A close comes at once; "open"
 * is judged after a second (a late close is then missed, never invented). */
static int wait_close_ms = 1000;
static void check_closed(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint8_t b;
    if (poll(&p, 1, wait_close_ms) > 0 && read(fd, &b, 1) <= 0)
        printf("closed\n");
    else
        printf("open\n");
}

static size_t sign_frame(uint64_t id, uint64_t t, uint8_t nonce_byte, const char *key, uint8_t *out,
                         size_t cap)
{
    uint8_t nonce[KS_NONCE_LEN], digest[32];
    memset(nonce, nonce_byte, sizeof(nonce));
    nonce[0] = (uint8_t)(id >> 8);
    nonce[1] = (uint8_t)id;
    nonce[2] = (uint8_t)getpid();
    nonce[3] = (uint8_t)(getpid() >> 8);
    for (size_t i = 0; i < sizeof(digest); i++)
        digest[i] = (uint8_t)(i * 7 + 1);
    tlcp_key_op op;
    memset(&op, 0, sizeof(op));
    op.type = TLCP_KEY_OP_SIGN;
    op.digest = digest;
    op.has_z = 1;
    return ks_encode_request(id, t, nonce, key, &op, out, cap);
}

/* One frame, then the response(s) and whether the connection stays. */
static void one(const char *addr, const uint8_t *frame, size_t len, int shut)
{
    int fd = connect_unix(addr);
    send_all(fd, frame, len);
    if (shut)
        shutdown(fd, SHUT_WR);
    read_responses(fd, 1);
    check_closed(fd);
    close(fd);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int run_many(const char *addr, const char *key, int n, int sign_msg)
{
    int fd = connect_unix(addr);
    uint8_t *all = malloc((size_t)n * 256);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        if (sign_msg) {
            uint8_t nonce[KS_NONCE_LEN];
            memset(nonce, 0x5a, sizeof(nonce));
            nonce[0] = (uint8_t)i;
            nonce[1] = (uint8_t)getpid();
            nonce[2] = (uint8_t)(getpid() >> 8);
            len += ks_encode_sign_msg((uint64_t)i + 1, (uint64_t)wall_ms(), nonce, key,
                                      (const uint8_t *)"1234567812345678", 16,
                                      (const uint8_t *)"message", 7, all + len, 256);
        } else {
            len += sign_frame((uint64_t)i + 1, (uint64_t)wall_ms(), 0x11, key, all + len, 256);
        }
    }
    send_all(fd, all, len); /* all at once: pipelined */
    free(all);
    read_responses(fd, n);
    close(fd);
    return 0;
}

static int listen_on(const char *addr)
{
    int fd;
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        if (strlen(addr + 5) >= sizeof(sa.sun_path))
            return -1;
        memcpy(sa.sun_path, addr + 5, strlen(addr + 5) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
            return -1;
    } else {
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(sa);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
            getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
            return -1;
        printf("port %u\n", (unsigned)ntohs(sa.sin_port));
    }
    return listen(fd, 16) == 0 ? fd : -1;
}

static int blackhole(const char *addr)
{
    sigset_t late;
    sigemptyset(&late);
    sigaddset(&late, SIGUSR1);
    sigprocmask(SIG_BLOCK, &late, NULL); /* taken by sigwait only */
    int lfd = listen_on(addr);
    if (lfd < 0) {
        perror("ksprobe: listen");
        return 2;
    }
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    while (poll(&p, 1, -1) != 1) {
    }
    if (strncmp(addr, "unix:", 5) != 0) {
        printf("connection waiting\n"); /* and it stays in the backlog */
    } else {
        int fd = accept(lfd, NULL, NULL);
        uint8_t buf[KS_LEN_PREFIX + KS_MAX_FRAME];
        size_t have = 0, total = 0;
        while (fd >= 0 &&
               ks_frame_split(buf, have, KS_REQ_FIXED, KS_MAX_FRAME, &total) == KS_FRAME_MORE) {
            ssize_t n = read(fd, buf + have, sizeof(buf) - have);
            if (n <= 0)
                return 1;
            have += (size_t)n;
        }
        printf("request\n");
        struct ks_request req;
        if (ks_decode_request(buf + KS_LEN_PREFIX, total - KS_LEN_PREFIX, &req) != KS_ST_OK)
            return 1;
        int sig = 0;
        while (sigwait(&late, &sig) != 0 || sig != SIGUSR1) {
        }
        uint8_t resp[KS_LEN_PREFIX + KS_RESP_FIXED];
        size_t n = ks_encode_response(req.id, KS_ST_FAILED, NULL, 0, resp, sizeof(resp));
        send_all(fd, resp, n);
        printf("answered\n");
    }
    for (;;)
        pause(); /* never answers; the test kills it */
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "blackhole") == 0) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        return blackhole(argv[2]);
    }
    if (argc < 4) {
        fprintf(stderr, "usage: tlcp-ksprobe unix:PATH KEY CASE [N]\n");
        return 2;
    }
    const char *addr = argv[1], *key = argv[2], *c = argv[3];
    int n = argc > 4 ? atoi(argv[4]) : 1;
    uint8_t f[8192];
    uint64_t now = (uint64_t)wall_ms();
    size_t len = sign_frame(7, now, 0x22, key, f, sizeof(f));
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(c, "ok") == 0 || strcmp(c, "unknown-key") == 0) {
        one(addr, f, len, 0);
    } else if (strcmp(c, "sign-msg") == 0) {
        return run_many(addr, key, 1, 1);
    } else if (strcmp(c, "pipeline") == 0 || strcmp(c, "burst") == 0) {
        return run_many(addr, key, n, 0);
    } else if (strcmp(c, "bad-version") == 0) {
        f[KS_LEN_PREFIX] = 2;
        one(addr, f, len, 0);
    } else if (strcmp(c, "unknown-op") == 0) {
        f[KS_LEN_PREFIX + 1] = 9;
        one(addr, f, len, 0);
    } else if (strcmp(c, "too-long") == 0) {
        put32(f, KS_MAX_FRAME + 1);
        one(addr, f, len, 0);
    } else if (strcmp(c, "too-short") == 0) {
        put32(f, 5);
        one(addr, f, KS_LEN_PREFIX + 5, 0);
    } else if (strcmp(c, "bad-field") == 0) {
        /* the digest one byte short: the frame is whole but the field is not */
        put32(f, (uint32_t)(len - 1 - KS_LEN_PREFIX));
        one(addr, f, len - 1, 0);
    } else if (strcmp(c, "truncated") == 0) {
        one(addr, f, len - 10, 1); /* the prefix promises 10 bytes more than come */
    } else if (strcmp(c, "stale") == 0) {
        len = sign_frame(7, now - 3600 * 1000, 0x33, key, f, sizeof(f));
        one(addr, f, len, 0);
    } else if (strcmp(c, "replay-same") == 0) {
        int fd = connect_unix(addr);
        send_all(fd, f, len);
        read_responses(fd, 1);
        send_all(fd, f, len); /* the same bytes again: id 7 is not above 7 */
        read_responses(fd, 1);
        check_closed(fd);
        close(fd);
    } else if (strcmp(c, "replay-new") == 0) {
        one(addr, f, len, 0);
        one(addr, f, len, 0); /* same bytes on a new connection: the nonce was seen */
    } else {
        fprintf(stderr, "ksprobe: unknown case %s\n", c);
        return 2;
    }
    return 0;
}

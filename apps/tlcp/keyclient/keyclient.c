/* SPDX-License-Identifier: Apache-2.0 */
/* The key-server connection of a kc_client: address and channel setup,
 * non-blocking connect and TLCP handshake, reconnect with backoff, and the
 * byte pumps. The requests themselves are in requests.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kc_internal.h"

static int resolve(struct kc_proto *kp, const char *addr, char *err, size_t cap)
{
    if (strncmp(addr, "unix:", 5) == 0) {
        struct sockaddr_un *sa = (struct sockaddr_un *)&kp->sa;
        if (addr[5] == '\0' || strlen(addr + 5) >= sizeof(sa->sun_path)) {
            snprintf(err, cap, "--key-server %s: the socket path is empty or too long", addr);
            return 0;
        }
        sa->sun_family = AF_UNIX;
        memcpy(sa->sun_path, addr + 5, strlen(addr + 5) + 1);
        kp->sa_len = sizeof(*sa);
        kp->is_unix = 1;
        return 1;
    }
    char host[256], port[16];
    if (!cli_split_host_port(addr, host, sizeof(host), port, sizeof(port))) {
        snprintf(err, cap, "--key-server %s: neither unix:PATH nor HOST:PORT", addr);
        return 0;
    }
    /* Resolved once here (start-up or reload): a loop must never wait for DNS. */
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(kp->sa)) {
        snprintf(err, cap, "key server %s: the host does not resolve: %s", addr,
                 rc != 0 ? gai_strerror(rc) : "no address");
        if (res != NULL)
            freeaddrinfo(res);
        return 0;
    }
    snprintf(kp->host, sizeof(kp->host), "%s", host);
    memcpy(&kp->sa, res->ai_addr, res->ai_addrlen);
    kp->sa_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 1;
}

static int load_channel_files(struct kc_proto *kp, const struct kc_opts *o, char *err, size_t cap)
{
    kp->cfg = tlcp_config_new();
    if (kp->cfg == NULL) {
        snprintf(err, cap, "key server channel: out of memory");
        return 0;
    }
    const char *what = NULL, *file = NULL;
    if (tlcp_config_load_sign_pair(kp->cfg, o->cert, o->key, o->pass) != TLCP_OK) {
        what = "client pair";
        file = o->cert;
    } else if (tlcp_config_load_ca_file(kp->cfg, o->ca) != TLCP_OK) {
        what = "CA file";
        file = o->ca;
    }
    if (what == NULL)
        return 1;
    /* Named once: the library's sentence often carries the path already. */
    const char *why = tlcp_config_error(kp->cfg);
    if (strstr(why, file) != NULL)
        snprintf(err, cap, "key server channel: %s: %s", what, why);
    else
        snprintf(err, cap, "key server channel: %s %s: %s", what, file, why);
    return 0;
}

static int make_channel(struct kc_proto *kp, const struct kc_opts *o, char *err, size_t cap)
{
    if (o->cert == NULL && o->key == NULL && o->ca == NULL) {
        if (kp->is_unix)
            return 1; /* plain unix socket: the key server checks our uid */
        snprintf(err, cap,
                 "--key-server %s: a TCP key server needs --key-server-cert, "
                 "--key-server-key and --key-server-ca (TLCP with client authentication)",
                 o->addr);
        return 0;
    }
    if (o->cert == NULL || o->key == NULL || o->ca == NULL) {
        snprintf(err, cap, "--key-server-cert, --key-server-key and --key-server-ca go together");
        return 0;
    }
    if (!load_channel_files(kp, o, err, cap))
        return 0;
    /* Only the ECC suites: ECDHE would need a client enc pair. The server
     * certificate must name the host of HOST:PORT; a unix socket has no
     * host, its path (and the CA) identify the key server. */
    static const uint16_t suites[] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECC_SM4_CBC_SM3};
    tlcp_result r = tlcp_config_set_cipher_suites(kp->cfg, suites, 2);
    if (r == TLCP_OK)
        r = kp->is_unix ? tlcp_config_insecure_no_verify_name(kp->cfg)
                        : tlcp_config_set_host_name(kp->cfg, kp->host);
    if (r != TLCP_OK) {
        snprintf(err, cap, "key server channel: %s", tlcp_config_error(kp->cfg));
        return 0;
    }
    return 1;
}

struct kc_proto *kc_proto_new(const struct kc_opts *o, char *err, size_t cap)
{
    static _Atomic uint64_t serials;
    struct kc_proto *kp = calloc(1, sizeof(*kp));
    if (kp == NULL) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    kp->serial = ++serials;
    snprintf(kp->addr, sizeof(kp->addr), "%s", o->addr);
    if (!resolve(kp, o->addr, err, cap) || !make_channel(kp, o, err, cap)) {
        kc_proto_free(kp);
        return NULL;
    }
    return kp;
}

void kc_proto_free(struct kc_proto *p)
{
    if (p == NULL)
        return;
    tlcp_config_free(p->cfg);
    free(p);
}

void kc_retarget(struct kc_client *kc, const struct kc_proto *p)
{
    if (kc->target.serial == p->serial)
        return;
    /* A connection up now holds its own reference to the old channel. */
    tlcp_config_free(kc->target.cfg);
    kc->target = *p;
    if (kc->target.cfg != NULL)
        (void)tlcp_config_up_ref(kc->target.cfg);
}

struct kc_client *kc_new_from(const struct kc_proto *p)
{
    struct kc_client *kc = calloc(1, sizeof(*kc));
    if (kc == NULL)
        return NULL;
    kc->fd = -1;
    kc->next_id = 1;
    kc_retarget(kc, p);
    return kc;
}

struct kc_client *kc_new(const struct kc_opts *o, char *err, size_t cap)
{
    struct kc_proto *p = kc_proto_new(o, err, cap);
    if (p == NULL)
        return NULL;
    struct kc_client *kc = kc_new_from(p);
    kc_proto_free(p);
    if (kc == NULL)
        snprintf(err, cap, "out of memory");
    return kc;
}

void kc_set_ready(struct kc_client *kc, void (*ready)(void *arg, tlcp_conn *conn, void *owner),
                  void *arg)
{
    kc->ready = ready;
    kc->ready_arg = arg;
}

static void close_socket(struct kc_client *kc)
{
    tlcp_conn_free(kc->tc);
    kc->tc = NULL;
    if (kc->fd >= 0)
        close(kc->fd);
    kc->fd = -1;
    cli_wipe(kc->in, sizeof(kc->in));
    kc->in_len = 0;
    if (kc->out != NULL)
        cli_wipe(kc->out, kc->out_cap);
    kc->out_len = kc->out_off = 0;
}

void kc_free(struct kc_client *kc)
{
    if (kc == NULL)
        return;
    close_socket(kc);
    free(kc->out);
    free(kc->slots);
    tlcp_config_free(kc->target.cfg);
    free(kc);
}

void kc_down(struct kc_client *kc, const char *why)
{
    snprintf(kc->why, sizeof(kc->why), "key server %s: %s", kc->target.addr, why);
    if (kc->state == KC_UP || kc->state == KC_HANDSHAKE || kc->state == KC_CONNECTING)
        fprintf(stderr, "tlcp: %s (retrying)\n", kc->why);
    close_socket(kc);
    kc->state = KC_DOWN;
    kc->backoff_ms = kc->backoff_ms == 0 ? KC_BACKOFF_MIN_MS : kc->backoff_ms * 2;
    if (kc->backoff_ms > KC_BACKOFF_MAX_MS)
        kc->backoff_ms = KC_BACKOFF_MAX_MS;
    kc->retry_at = cli_now_ms() + kc->backoff_ms;
    kc_fail_all(kc);
}

int kc_start(struct kc_client *kc)
{
    int fd = socket(kc->target.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(kc->why, sizeof(kc->why), "key server %s: %s", kc->target.addr, strerror(errno));
        return 0;
    }
    if (connect(fd, (struct sockaddr *)&kc->target.sa, kc->target.sa_len) != 0 &&
        errno != EINPROGRESS) {
        snprintf(kc->why, sizeof(kc->why), "key server %s unreachable: %s", kc->target.addr,
                 strerror(errno));
        close(fd);
        kc->backoff_ms = kc->backoff_ms == 0 ? KC_BACKOFF_MIN_MS : kc->backoff_ms * 2;
        if (kc->backoff_ms > KC_BACKOFF_MAX_MS)
            kc->backoff_ms = KC_BACKOFF_MAX_MS;
        kc->retry_at = cli_now_ms() + kc->backoff_ms;
        return 0;
    }
    kc->fd = fd;
    kc->state = KC_CONNECTING;
    kc->deadline = cli_now_ms() + KC_CONNECT_MS;
    return 1;
}

static void connected(struct kc_client *kc)
{
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(kc->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
        kc_down(kc, soerr != 0 ? strerror(soerr) : strerror(errno));
        return;
    }
    if (kc->target.cfg == NULL) {
        kc->state = KC_UP;
        return;
    }
    kc->tc = tlcp_conn_new(kc->target.cfg, TLCP_CLIENT);
    if (kc->tc == NULL || tlcp_conn_set_fd(kc->tc, kc->fd) != TLCP_OK) {
        kc_down(kc, "out of memory");
        return;
    }
    kc->state = KC_HANDSHAKE;
}

static void handshake(struct kc_client *kc)
{
    tlcp_result r = tlcp_handshake(kc->tc);
    if (r == TLCP_OK) {
        kc->state = KC_UP;
        kc->wants = 0;
    } else if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE) {
        kc->wants = r == TLCP_WANT_WRITE ? POLLOUT : POLLIN;
    } else {
        char why[CLI_WHY_MAX], line[CLI_WHY_MAX + 40];
        snprintf(line, sizeof(line), "TLCP channel failed: %s",
                 cli_conn_failure(kc->tc, why, sizeof(why)));
        kc_down(kc, line);
    }
}

/* 1 after moving bytes, 0 when blocked, -1 after kc_down. */
static int pump_out(struct kc_client *kc)
{
    if (kc->out_off == kc->out_len)
        return 0;
    size_t left = kc->out_len - kc->out_off, n = 0;
    if (kc->tc != NULL) {
        tlcp_result r = tlcp_write(kc->tc, kc->out + kc->out_off, left, &n);
        if (r == TLCP_WANT_WRITE || r == TLCP_WANT_READ) {
            kc->wants = r == TLCP_WANT_WRITE ? POLLOUT : POLLIN;
            return 0;
        }
        if (r != TLCP_OK) {
            kc_down(kc, tlcp_conn_error(kc->tc));
            return -1;
        }
    } else {
        ssize_t w = send(kc->fd, kc->out + kc->out_off, left, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (w < 0) {
            kc_down(kc, strerror(errno));
            return -1;
        }
        n = (size_t)w;
    }
    kc->out_off += n;
    if (kc->out_off == kc->out_len)
        kc->out_off = kc->out_len = 0;
    return 1;
}

static int pump_in(struct kc_client *kc)
{
    size_t room = sizeof(kc->in) - kc->in_len, n = 0;
    if (room == 0)
        return 0;
    if (kc->tc != NULL) {
        tlcp_result r = tlcp_read(kc->tc, kc->in + kc->in_len, room, &n);
        if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            return 0;
        if (r != TLCP_OK) {
            kc_down(kc, r == TLCP_CLOSED ? "closed by the key server" : tlcp_conn_error(kc->tc));
            return -1;
        }
    } else {
        ssize_t got = read(kc->fd, kc->in + kc->in_len, room);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (got <= 0) {
            kc_down(kc, got == 0 ? "closed by the key server" : strerror(errno));
            return -1;
        }
        n = (size_t)got;
    }
    kc->in_len += n;
    return 1;
}

void kc_io(struct kc_client *kc)
{
    if (kc->state == KC_CONNECTING) {
        struct pollfd p = {.fd = kc->fd, .events = POLLOUT};
        if (poll(&p, 1, 0) <= 0)
            return;
        connected(kc);
    }
    if (kc->state == KC_HANDSHAKE)
        handshake(kc);
    while (kc->state == KC_UP) {
        kc->wants = 0;
        int o = pump_out(kc);
        if (o < 0)
            break;
        int i = pump_in(kc);
        if (i < 0)
            break;
        if (i > 0 && !kc_take_responses(kc))
            break;
        if (o == 0 && i == 0)
            break;
    }
    kc_notify_ready(kc);
}

int64_t kc_tick(struct kc_client *kc, int64_t now_ms)
{
    if ((kc->state == KC_CONNECTING || kc->state == KC_HANDSHAKE) && now_ms >= kc->deadline)
        kc_down(kc, "no connection in time");
    kc_notify_ready(kc);
    if (kc->state == KC_CONNECTING || kc->state == KC_HANDSHAKE)
        return kc->deadline;
    return INT64_MAX;
}

int kc_fd(const struct kc_client *kc)
{
    return kc->fd;
}

short kc_events(const struct kc_client *kc)
{
    if (kc->fd < 0)
        return 0;
    if (kc->state == KC_CONNECTING)
        return POLLOUT;
    if (kc->state == KC_HANDSHAKE)
        return kc->wants != 0 ? kc->wants : POLLIN;
    short ev = POLLIN;
    if (kc->out_off < kc->out_len || kc->wants == POLLOUT)
        ev |= POLLOUT;
    return ev;
}

const char *kc_why(const struct kc_client *kc)
{
    return kc->why;
}

int kc_is_up(const struct kc_client *kc)
{
    return kc->state == KC_UP;
}

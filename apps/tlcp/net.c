/* SPDX-License-Identifier: Apache-2.0 */
/* Sockets for the server, client and demo: non-blocking TCP over IPv4/IPv6,
 * with errors turned into sentences. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

int cli_set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

int cli_split_host_port(const char *text, char *host, size_t host_len, char *port, size_t port_len)
{
    const char *colon;
    const char *h = text;
    size_t hl;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            return 0;
        h = text + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL || memchr(text, ':', (size_t)(colon - text)) != NULL)
            return 0; /* no port, or a bare IPv6 address (it needs brackets) */
        hl = (size_t)(colon - text);
    }
    size_t pl = strlen(colon + 1);
    if (hl == 0 || hl >= host_len || pl == 0 || pl >= port_len)
        return 0;
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, pl + 1);
    return 1;
}

int cli_parse_target(const char *cmd, const char *text, char *host, size_t host_len, char *port,
                     size_t port_len)
{
    if (!cli_split_host_port(text, host, host_len, port, port_len)) {
        if (text[0] != '[' && strchr(text, ':') != strrchr(text, ':'))
            cli_usage_error(cmd,
                            "'%s' looks like a bare IPv6 address: write it in brackets, "
                            "[ADDRESS]:PORT (for example [::1]:4433)",
                            text);
        else
            cli_usage_error(cmd, "'%s' is not HOST:PORT (IPv6: [ADDRESS]:PORT)", text);
        return 0;
    }
    char what[300];
    snprintf(what, sizeof(what), "'%s'", text);
    return cli_check_port(cmd, what, port, 0);
}

static void format_addr(const struct sockaddr *sa, char *out, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        port = ntohs(in->sin_port);
        snprintf(out, len, "%s:%d", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        port = ntohs(in6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            /* an IPv4 client of the dual-stack socket: show it as IPv4 */
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], ip, sizeof(ip));
            snprintf(out, len, "%s:%d", ip, port);
        } else {
            inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
            snprintf(out, len, "[%s]:%d", ip, port);
        }
    } else {
        snprintf(out, len, "unknown address");
    }
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
}

/* socket + bind + listen + non-blocking; -1 with errno set on failure. */
static int listen_on(const struct sockaddr *sa, socklen_t sl, int dual_stack)
{
    int fd = socket(sa->sa_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1, zero = 0;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* Dual stack: IPv4 clients arrive as ::ffff:a.b.c.d on the same socket,
     * whatever the system default (net.ipv6.bindv6only) is. */
    int ok = !dual_stack || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == 0;
    if (!ok || bind(fd, sa, sl) != 0 || listen(fd, 128) != 0 || !cli_set_nonblocking(fd)) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* No --bind: [::] for IPv6 and IPv4 at once, or 0.0.0.0 where the machine
 * has no IPv6. */
static int listen_any(const char *cmd, const char *port)
{
    unsigned short p = (unsigned short)strtol(port, NULL, 10);
    struct sockaddr_in6 in6;
    memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_addr = in6addr_any;
    in6.sin6_port = htons(p);
    int fd = listen_on((const struct sockaddr *)&in6, sizeof(in6), 1);
    if (fd >= 0)
        return fd;
    int e6 = errno;
    if (e6 != EAFNOSUPPORT && e6 != EADDRNOTAVAIL && e6 != EPROTONOSUPPORT && e6 != ENOPROTOOPT) {
        cli_error(cmd, "cannot listen on port %s: %s", port, strerror(e6));
        return -1;
    }
    struct sockaddr_in in4;
    memset(&in4, 0, sizeof(in4));
    in4.sin_family = AF_INET;
    in4.sin_addr.s_addr = htonl(INADDR_ANY);
    in4.sin_port = htons(p);
    fd = listen_on((const struct sockaddr *)&in4, sizeof(in4), 0);
    if (fd < 0)
        cli_error(cmd, "cannot listen on port %s: %s", port, strerror(errno));
    return fd;
}

int cli_listen(const char *cmd, const char *bind_addr, const char *port, int *out_port)
{
    int fd = -1;
    if (bind_addr == NULL) {
        fd = listen_any(cmd, port);
    } else {
        struct addrinfo hints, *res = NULL;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
        int rc = getaddrinfo(bind_addr, port, &hints, &res);
        if (rc != 0) {
            cli_error(cmd, "cannot use address %s port %s: %s", bind_addr, port, gai_strerror(rc));
            return -1;
        }
        int saved = 0;
        for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
            fd = listen_on(ai->ai_addr, ai->ai_addrlen, 0);
            saved = errno;
        }
        freeaddrinfo(res);
        if (fd < 0)
            cli_error(cmd, "cannot listen on %s port %s: %s", bind_addr, port, strerror(saved));
    }
    if (fd >= 0)
        *out_port = bound_port(fd);
    return fd;
}

/* Waits for a non-blocking connect to finish; 0 with errno set on failure. */
static int finish_connect(int fd, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - cli_now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return 0;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n = poll(&p, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0;
        if (n == 0)
            continue;
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
            return 0;
        if (soerr != 0) {
            errno = soerr;
            return 0;
        }
        return 1;
    }
}

static const char *connect_reason(int e)
{
    switch (e) {
    case ECONNREFUSED:
        return "connection refused";
    case ETIMEDOUT:
        return "timed out";
    case EHOSTUNREACH:
        return "host unreachable";
    case ENETUNREACH:
        return "network unreachable";
    default:
        return strerror(e);
    }
}

int cli_connect(const char *cmd, const char *host, const char *port, int64_t timeout_ms)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        cli_error(cmd, "cannot resolve %s port %s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int64_t deadline = cli_now_ms() + timeout_ms;
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int ok = cli_set_nonblocking(fd);
        if (ok && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
            ok = errno == EINPROGRESS && finish_connect(fd, deadline);
        if (!ok) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        cli_error(cmd, "cannot connect to %s port %s: %s", host, port, connect_reason(saved));
    return fd;
}

int cli_accept(int listen_fd, char *peer, size_t peer_len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = accept(listen_fd, (struct sockaddr *)&ss, &sl);
    if (fd < 0)
        return -1;
    if (!cli_set_nonblocking(fd)) {
        close(fd);
        return -1;
    }
    format_addr((const struct sockaddr *)&ss, peer, peer_len);
    return fd;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll_client: a TLCP client on a non-blocking socket driven by poll(2).
 *
 *   poll_client <host> <port> <ca.pem> [request]
 *
 * Connects, runs the handshake (verifying the server's sign and enc
 * certificates against ca.pem and the host name), sends `request` (default
 * "GET / HTTP/1.0\r\n\r\n"), prints whatever comes back until the server
 * closes, then sends close_notify. Every libtlcp call may return
 * TLCP_WANT_READ or TLCP_WANT_WRITE; the loop then waits for the socket to
 * become readable or writable and repeats the same call.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tlcp/tlcp.h>

/* Waits until the socket is ready for what libtlcp asked for. */
static int wait_for(int fd, tlcp_result want)
{
    struct pollfd p = {fd, want == TLCP_WANT_READ ? POLLIN : POLLOUT, 0};
    for (;;) {
        int n = poll(&p, 1, 30000);
        if (n > 0)
            return 1;
        if (n == 0) {
            fprintf(stderr, "timed out\n");
            return 0;
        }
        if (errno != EINTR) {
            perror("poll");
            return 0;
        }
    }
}

static int connect_nonblocking(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "%s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno == EINPROGRESS) {
            /* Writable once connected; then check the outcome. */
            int err = 0;
            socklen_t len = sizeof(err);
            if (wait_for(fd, TLCP_WANT_WRITE) &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
                break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "cannot connect to %s:%s\n", host, port);
    return fd;
}

static tlcp_result drive_handshake(int fd, tlcp_conn *conn)
{
    tlcp_result r;
    while ((r = tlcp_handshake(conn)) == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        if (!wait_for(fd, r))
            return TLCP_ERROR;
    return r;
}

static void drive_shutdown(int fd, tlcp_conn *conn)
{
    tlcp_result r;
    while ((r = tlcp_shutdown(conn)) == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        if (!wait_for(fd, r))
            return;
}

static int send_all(int fd, tlcp_conn *conn, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t n = 0;
        tlcp_result r = tlcp_write(conn, data + off, len - off, &n);
        if (r == TLCP_OK)
            off += n;
        else if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            wait_for(fd, r); /* same arguments again: nothing is sent twice */
        else
            return 0;
    }
    return 1;
}

static int print_response(int fd, tlcp_conn *conn)
{
    char buf[4096];
    for (;;) {
        size_t n = 0;
        tlcp_result r = tlcp_read(conn, buf, sizeof(buf), &n);
        if (r == TLCP_OK)
            fwrite(buf, 1, n, stdout);
        else if (r == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
            wait_for(fd, r);
        else
            return r == TLCP_CLOSED;
    }
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: %s <host> <port> <ca.pem> [request]\n", argv[0]);
        return 2;
    }
    const char *request = argc == 5 ? argv[4] : "GET / HTTP/1.0\r\n\r\n";
    tlcp_config *cfg = tlcp_config_new();
    if (cfg == NULL || tlcp_config_load_ca_file(cfg, argv[3]) != TLCP_OK ||
        tlcp_config_set_host_name(cfg, argv[1]) != TLCP_OK) {
        fprintf(stderr, "config: %s\n", tlcp_config_error(cfg));
        tlcp_config_free(cfg);
        return 1;
    }
    int fd = connect_nonblocking(argv[1], argv[2]);
    tlcp_conn *conn = fd >= 0 ? tlcp_conn_new(cfg, TLCP_CLIENT) : NULL;
    tlcp_config_free(cfg); /* the connection keeps its own reference */
    int ok = conn != NULL && tlcp_conn_set_fd(conn, fd) == TLCP_OK;
    if (ok && drive_handshake(fd, conn) != TLCP_OK) {
        fprintf(stderr, "handshake failed: %s\n", tlcp_conn_error(conn));
        ok = 0;
    }
    if (ok) {
        fprintf(stderr, "connected: %s, server \"%s\"\n", tlcp_conn_cipher_suite_name(conn),
                tlcp_conn_peer_subject(conn, TLCP_CERT_SIGN));
        ok = send_all(fd, conn, request, strlen(request)) && print_response(fd, conn);
        if (!ok)
            fprintf(stderr, "connection failed: %s\n", tlcp_conn_error(conn));
        drive_shutdown(fd, conn);
    }
    tlcp_conn_free(conn);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : 1;
}

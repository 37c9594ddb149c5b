/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll_client: a TLCP client on a non-blocking socket driven by poll(2).
 *
 *   poll_client <host> <port> <ca.pem> [request]
 *
 * Connects, runs the handshake (verifying the server's sign and enc
 * certificates against ca.pem and the host name), sends `request` (default
 * "GET / HTTP/1.0\r\n\r\n") followed by close_notify (nothing more to send),
 * then prints whatever comes back until the server's close_notify. So it ends
 * against a server that answers and closes (an HTTP server) and against one
 * that echoes and closes when the client does (`tlcp server`).
 *
 * Every libtlcp call may return TLCP_WANT_READ or TLCP_WANT_WRITE; the loop
 * then waits for the socket to become readable or writable and repeats the
 * same call. Every wait is bounded (WAIT_MS): a server that goes silent ends
 * the program with "timed out" and exit status 1, as does a connection that
 * ends without close_notify. Exit status 0 after the server's close_notify.
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

#define WAIT_MS 10000 /* the longest a silent server is waited for, per step */

/* Waits until the socket is ready for what libtlcp asked for; 0 (after saying
 * why) on timeout or error, and every caller gives up then. */
static int wait_for(int fd, tlcp_result want)
{
    struct pollfd p = {fd, want == TLCP_WANT_READ ? POLLIN : POLLOUT, 0};
    for (;;) {
        int n = poll(&p, 1, WAIT_MS);
        if (n > 0)
            return 1;
        if (n == 0) {
            fprintf(stderr, "timed out: the server sent nothing for %d s\n", WAIT_MS / 1000);
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

/* "<what> failed", with libtlcp's reason when it has one (a timeout is ours). */
static void report_failure(const tlcp_conn *conn, const char *what)
{
    if (tlcp_conn_error_reason(conn) != TLCP_R_NONE)
        fprintf(stderr, "%s failed: %s\n", what, tlcp_conn_error(conn));
    else
        fprintf(stderr, "%s failed\n", what);
}

static tlcp_result drive_handshake(int fd, tlcp_conn *conn)
{
    tlcp_result r;
    while ((r = tlcp_handshake(conn)) == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        if (!wait_for(fd, r))
            return TLCP_ERROR;
    return r;
}

/* Sends close_notify: this side has nothing more to send. */
static int drive_shutdown(int fd, tlcp_conn *conn)
{
    tlcp_result r;
    while ((r = tlcp_shutdown(conn)) == TLCP_WANT_READ || r == TLCP_WANT_WRITE)
        if (!wait_for(fd, r))
            return 0;
    return r == TLCP_OK;
}

static int send_all(int fd, tlcp_conn *conn, const char *data, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t n = 0;
        tlcp_result r = tlcp_write(conn, data + off, len - off, &n);
        if (r == TLCP_OK)
            off += n;
        else if (r != TLCP_WANT_READ && r != TLCP_WANT_WRITE)
            return 0;
        else if (!wait_for(fd, r))
            return 0; /* else the same arguments again: nothing is sent twice */
    }
    return 1;
}

/* Prints the server's data; 1 at its close_notify, 0 on any other end. */
static int print_response(int fd, tlcp_conn *conn)
{
    char buf[4096];
    for (;;) {
        size_t n = 0;
        tlcp_result r = tlcp_read(conn, buf, sizeof(buf), &n);
        if (r == TLCP_OK)
            fwrite(buf, 1, n, stdout);
        else if (r == TLCP_CLOSED)
            return 1;
        else if (r != TLCP_WANT_READ && r != TLCP_WANT_WRITE)
            return 0; /* e.g. the TCP connection ended without close_notify */
        else if (!wait_for(fd, r))
            return 0;
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
        report_failure(conn, "handshake");
        ok = 0;
    }
    if (ok) {
        fprintf(stderr, "connected: %s, server \"%s\"\n", tlcp_conn_cipher_suite_name(conn),
                tlcp_conn_peer_subject(conn, TLCP_CERT_SIGN));
        ok = send_all(fd, conn, request, strlen(request)) && drive_shutdown(fd, conn) &&
             print_response(fd, conn);
        fflush(stdout);
        if (!ok)
            report_failure(conn, "connection");
    }
    tlcp_conn_free(conn);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : 1;
}

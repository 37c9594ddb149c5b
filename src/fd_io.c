/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in transport over a file descriptor. Works for blocking and
 * non-blocking sockets and pipes: EAGAIN becomes WANT_READ / WANT_WRITE,
 * EINTR is retried, SIGPIPE is avoided on sockets (MSG_NOSIGNAL).
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn_internal.h"

static int fd_of(void *ctx)
{
    return ((const tlcp_conn *)ctx)->fd;
}

static long fd_read(void *ctx, uint8_t *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(fd_of(ctx), buf, len);
        if (n >= 0)
            return (long)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TLCP_IO_WANT_READ;
        return TLCP_IO_ERROR;
    }
}

static long fd_write(void *ctx, const uint8_t *buf, size_t len)
{
    for (;;) {
        ssize_t n = send(fd_of(ctx), buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(fd_of(ctx), buf, len);
        if (n >= 0)
            return (long)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TLCP_IO_WANT_WRITE;
        return TLCP_IO_ERROR;
    }
}

tlcp_result tlcp_conn_set_fd(tlcp_conn *conn, int fd)
{
    if (conn == NULL || fd < 0)
        return TLCP_ERROR;
    conn->fd = fd;
    tlcp_conn_set_io(conn, fd_read, fd_write, conn);
    return TLCP_OK;
}

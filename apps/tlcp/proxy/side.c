/* SPDX-License-Identifier: Apache-2.0 */
/* The two kinds of relay ends behind one interface: a TLCP connection
 * (libtlcp over the non-blocking fd) or a plain TCP/unix socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "worker.h"

static __thread int last_errno;

static enum px_io tlcp_io(tlcp_result r)
{
    switch (r) {
    case TLCP_OK:
        return PX_IO_OK;
    case TLCP_WANT_READ:
    case TLCP_WANT_WRITE:
        return PX_IO_WANT;
    case TLCP_CLOSED:
        return PX_IO_EOF;
    default:
        return PX_IO_ERROR;
    }
}

static enum px_io plain_fail(void)
{
    last_errno = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return PX_IO_WANT;
    return PX_IO_ERROR;
}

enum px_io px_side_read(struct px_side *s, uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    if (s->tc != NULL)
        return tlcp_io(tlcp_read(s->tc, buf, len, out_n));
    ssize_t n;
    do {
        n = read(s->fd, buf, len);
    } while (n < 0 && errno == EINTR);
    if (n == 0)
        return PX_IO_EOF;
    if (n < 0)
        return plain_fail();
    *out_n = (size_t)n;
    return PX_IO_OK;
}

enum px_io px_side_write(struct px_side *s, const uint8_t *buf, size_t len, size_t *out_n)
{
    *out_n = 0;
    if (s->tc != NULL)
        return tlcp_io(tlcp_write(s->tc, buf, len, out_n));
    ssize_t n;
    do {
        n = send(s->fd, buf, len, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return plain_fail();
    *out_n = (size_t)n;
    return PX_IO_OK;
}

enum px_io px_side_shutdown(struct px_side *s)
{
    if (s->tc != NULL)
        return tlcp_io(tlcp_shutdown(s->tc));
    if (shutdown(s->fd, SHUT_WR) != 0 && errno != ENOTCONN)
        return plain_fail();
    return PX_IO_OK;
}

const char *px_side_error(const struct px_side *s, char *buf, size_t len)
{
    if (s->tc != NULL)
        return cli_conn_failure(s->tc, buf, len);
    snprintf(buf, len, "%s", strerror(last_errno));
    return buf;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The access log: one line per connection, appended with a single write(2)
 * so that lines of different workers never interleave. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

static int log_fd = STDERR_FILENO;

int px_log_open(const char *path, char *err, size_t errlen)
{
    if (path == NULL || strcmp(path, "-") == 0 || strcmp(path, "stderr") == 0) {
        px_log_close();
        return 1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the log %s: %s", path, strerror(errno));
        return 0;
    }
    px_log_close();
    log_fd = fd;
    return 1;
}

void px_log_close(void)
{
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    log_fd = STDERR_FILENO;
}

void px_log_line(const char *fmt, ...)
{
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ ", ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
    line[n++] = '\n';
    ssize_t w;
    do {
        w = write(log_fd, line, n);
    } while (w < 0 && errno == EINTR);
}

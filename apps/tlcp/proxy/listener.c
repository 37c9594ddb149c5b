/* SPDX-License-Identifier: Apache-2.0 */
/* The listening sockets: one per service, opened by the main thread before
 * the workers start and kept across reloads. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

#define PX_BACKLOG 1024

static int open_one(const struct px_addr *a, char *err, size_t errlen)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0 || listen(fd, PX_BACKLOG) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", a->text, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int px_listeners_open(struct px_listeners *l, const struct px_config *c, char *err, size_t errlen)
{
    l->num = 0;
    for (size_t i = 0; i < c->num_services; i++) {
        const struct px_service *s = &c->services[i];
        char why[PX_ERR_LEN];
        int fd = open_one(&s->accept, why, sizeof(why));
        if (fd < 0) {
            snprintf(err, errlen, "[%s]: %s", s->name, why);
            px_listeners_close(l);
            return 0;
        }
        l->fds[l->num] = fd;
        atomic_init(&l->active[l->num], 0);
        l->num++;
    }
    return 1;
}

void px_listeners_close(struct px_listeners *l)
{
    for (size_t i = 0; i < l->num; i++)
        close(l->fds[i]);
    l->num = 0;
}

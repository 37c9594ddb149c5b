/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The descriptor limit: every proxied connection holds two (client and
 * backend), and the usual soft limit of 1024 would cap a gateway at a few
 * hundred connections while the hard limit allows many more. Only the hard
 * limit is the administrator's decision (LimitNOFILE= in the systemd unit,
 * docs/PROXY.md), so the proxy takes all of it, as nginx's
 * worker_rlimit_nofile or HAProxy's automatic ulimit-n do.
 */
#include "fdlimit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* Descriptors kept for listeners, the log, epoll, signals, metrics, Redis. */
#define PX_FD_RESERVE 64

static unsigned long long conns_for(rlim_t fds)
{
    return fds > PX_FD_RESERVE ? (unsigned long long)(fds - PX_FD_RESERVE) / 2 : 0;
}

void px_fdlimit_raise(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "tlcp proxy: cannot read the descriptor limit: %s\n", strerror(errno));
        return;
    }
    rlim_t before = rl.rlim_cur;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            fprintf(stderr, "tlcp proxy: cannot raise the descriptor limit from %llu to %llu: %s\n",
                    (unsigned long long)before, (unsigned long long)rl.rlim_max, strerror(errno));
            rl.rlim_cur = before;
        }
    }
    if (rl.rlim_cur != before)
        fprintf(stderr,
                "tlcp proxy: descriptor limit raised from %llu to the hard limit %llu "
                "(about %llu connections)\n",
                (unsigned long long)before, (unsigned long long)rl.rlim_cur,
                conns_for(rl.rlim_cur));
    else
        fprintf(stderr,
                "tlcp proxy: descriptor limit %llu, the hard limit (about %llu connections)\n",
                (unsigned long long)rl.rlim_cur, conns_for(rl.rlim_cur));
}

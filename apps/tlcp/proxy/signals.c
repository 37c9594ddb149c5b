/* SPDX-License-Identifier: Apache-2.0 */
/* Signals reach the main thread only, through a signalfd: SIGHUP reloads,
 * SIGTERM and SIGINT stop gracefully. Blocked before the workers start so
 * that no worker thread is interrupted. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "signals.h"

int px_signals_open(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int px_signals_take(int fd)
{
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof(si));
    if (n != (ssize_t)sizeof(si))
        return 0;
    return (int)si.ssi_signo;
}

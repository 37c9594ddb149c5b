/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TLCP_APP_PROXY_SIGNALS_H
#define TLCP_APP_PROXY_SIGNALS_H

#include <pthread.h>

/* Blocks SIGHUP/SIGTERM/SIGINT in this thread (and the threads it starts
 * later) and returns a signalfd for them, -1 on failure. */
int px_signals_open(void);
/* The next pending signal number, 0 when none. */
int px_signals_take(int fd);

#endif

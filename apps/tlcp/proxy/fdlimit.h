/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TLCP_APP_PROXY_FDLIMIT_H
#define TLCP_APP_PROXY_FDLIMIT_H

/* Raises the soft RLIMIT_NOFILE to the hard limit and says on stderr how
 * many descriptors the proxy has (two per proxied connection). */
void px_fdlimit_raise(void);

#endif

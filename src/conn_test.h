/* SPDX-License-Identifier: Apache-2.0 */
/* Connection hooks that exist only in test builds (TLCP_TESTING, the
 * tlcp_testing library): never in the installed library. */
#ifndef TLCP_CONN_TEST_H
#define TLCP_CONN_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "tlcp/tlcp.h"

#if defined(TLCP_TESTING)
/* Client: send `record` (one complete handshake record holding one
 * ClientHello, e.g. a TLS-1.2-style 360-browser hello) instead of building
 * our own, then go on as a TLCP client. The handshake message enters the
 * transcript exactly as given, its random is the client random, and the
 * record's version goes on every unprotected record we write (until our
 * ChangeCipherSpec; protected ones say 0x0101). Call before the first
 * tlcp_handshake. TLCP_ERROR on a record that is not one whole
 * ClientHello. */
tlcp_result tlcp_conn_test_set_client_hello(tlcp_conn *conn, const uint8_t *record, size_t len);
#endif

#endif

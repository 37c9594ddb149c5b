/* SPDX-License-Identifier: Apache-2.0 */
/* Test-build-only connection hooks (conn_test.h). */
#include "conn_test.h"

#if defined(TLCP_TESTING)
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "record/record.h"

#define HELLO_HEADER 9 /* record header (5) + handshake header (4) */

static size_t u16_at(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

tlcp_result tlcp_conn_test_set_client_hello(tlcp_conn *conn, const uint8_t *record, size_t len)
{
    if (conn == NULL || conn->hc.is_server || conn->hc.test_hello != NULL || record == NULL ||
        len < HELLO_HEADER + 2 + 32 || record[0] != 22 || u16_at(record + 3) != len - 5 ||
        record[5] != 1 || record[6] != 0 || u16_at(record + 7) != len - HELLO_HEADER)
        return TLCP_ERROR;
    size_t body = len - HELLO_HEADER;
    conn->hc.test_hello = malloc(body);
    if (conn->hc.test_hello == NULL)
        return TLCP_ERROR;
    memcpy(conn->hc.test_hello, record + HELLO_HEADER, body);
    conn->hc.test_hello_len = body;
    tlcp_record_test_set_write_version(conn->rl, (uint16_t)u16_at(record + 1));
    return TLCP_OK;
}
#else
typedef int tlcp_conn_test_empty; /* ISO C: a translation unit is not empty */
#endif

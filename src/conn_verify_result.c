/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_conn_peer_verify_result: what the handshake recorded about the peer's certificates. */
#include "conn_internal.h"

int tlcp_conn_peer_verify_result(const tlcp_conn *conn, int *out_reason)
{
    int status = conn != NULL ? conn->hc.verify_status : TLCP_PEER_NOT_CHECKED;
    if (out_reason != NULL)
        *out_reason =
            conn != NULL && status != TLCP_PEER_NOT_CHECKED ? conn->hc.verify_reason : TLCP_R_NONE;
    return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Messages outside the sequences: HelloRequest (the client ignores it while
 * negotiating, TLS 1.1 7.4.1.1, and answers it with a warning
 * no_renegotiation afterwards) and a ClientHello after the handshake
 * (renegotiation is not supported: fatal no_renegotiation). This is the
 * one place HelloRequest is handled.
 */
#include "handshake/handlers.h"

tlcp_status tlcp_hs_hello_request_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    (void)body; /* the record layer holds HelloRequest bodies to 0 bytes */
    /* Not without end: a run would keep the caller's call looping. */
    if (++ctx->hello_requests > TLCP_MAX_HELLO_REQUESTS) {
        if (ctx->established)
            TLCP_ERR_ALERT(ctx->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                           "more than %d HelloRequests without application data in between",
                           TLCP_MAX_HELLO_REQUESTS);
        else
            TLCP_ERR_ALERT(ctx->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                           "more than %d HelloRequests during the handshake",
                           TLCP_MAX_HELLO_REQUESTS);
        return tlcp_fail();
    }
    if (!ctx->established) {
        tlcp_hs_trace(ctx, "ignoring hello_request during the handshake");
        return tlcp_ok();
    }
    tlcp_hs_trace(ctx, "refusing renegotiation: warning no_renegotiation");
    return tlcp_hs_do(TLCP_HS_DO_REFUSE_RENEGOTIATION);
}

tlcp_status tlcp_hs_renegotiation_process(tlcp_hs_ctx *ctx, tlcp_cursor body)
{
    (void)body;
    TLCP_ERR_ALERT(ctx->err, TLCP_R_NO_RENEGOTIATION, TLCP_ALERT_NO_RENEGOTIATION,
                   "client tried to renegotiate; renegotiation is not supported");
    return tlcp_fail();
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A TLS ClientHello answered with TLCP. The 360 browser (and other
 * dual-stack clients) sends a TLS ClientHello (record and client_version
 * 0x0301 or 0x0303) whose cipher suites offer the TLCP suites first or
 * only, and expects a TLCP ServerHello. A server told so
 * (tlcp_config_accept_tls_hello_for_tlcp) takes it: the suite choice then
 * picks a TLCP suite as always, the ServerHello says 0x0101 in both the
 * record and server_version, and the transcript holds the ClientHello as
 * received. Without the option such a hello is refused with its own reason.
 */
#include "handshake/handlers.h"

#define TLS_1_0 0x0301
#define TLS_1_2 0x0303

int tlcp_hs_check_client_version(tlcp_hs_ctx *ctx, uint16_t version)
{
    if (version == TLCP_PROTOCOL_VERSION)
        return 1;
    int tls = version >= TLS_1_0 && version <= TLS_1_2;
    if (tls && ctx->is_server && ctx->cfg.accept_tls_hello) {
        tlcp_hs_trace(ctx, "TLS ClientHello (version 0x%04X) at a TLCP server: answering with TLCP",
                      version);
        return 1;
    }
    if (tls)
        ENSURE_ALERT(0, ctx->err, TLCP_R_TLS_CLIENT_HELLO, TLCP_ALERT_PROTOCOL_VERSION,
                     "client sent a TLS ClientHello (version 0x%04X) to a TLCP-only endpoint "
                     "(tlcp_config_accept_tls_hello_for_tlcp answers those that offer TLCP suites)",
                     version);
    /* TLCP is 1.1 only; an older GM version or anything else is refused. */
    ENSURE_ALERT(0, ctx->err, TLCP_R_PROTOCOL_VERSION, TLCP_ALERT_PROTOCOL_VERSION,
                 "client offered protocol version 0x%04X, only TLCP 0x0101 is supported", version);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The recorded outcome of the peer's certificate checks (tlcp_conn_peer_verify_result). */
#include "handshake/context.h"

void tlcp_hs_note_verify(tlcp_hs_ctx *ctx, int status, int reason)
{
    ctx->verify_status = status;
    ctx->verify_reason = status == TLCP_PEER_VERIFIED ? TLCP_R_NONE : reason;
}

void tlcp_hs_note_resumed_verify(tlcp_hs_ctx *ctx, const tlcp_session *s)
{
    if (s == NULL)
        return;
    if (s->verified && !s->overridden)
        tlcp_hs_note_verify(ctx, TLCP_PEER_VERIFIED, TLCP_R_NONE);
    else if (s->overridden)
        tlcp_hs_note_verify(ctx, TLCP_PEER_VERIFY_OVERRIDDEN, s->verify_reason);
}

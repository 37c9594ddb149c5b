/* SPDX-License-Identifier: Apache-2.0 */
/* The handshake context's lifetime and its trace sink (see context.h). */
#include "handshake/context.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tlcp_hs_ctx_init(tlcp_hs_ctx *ctx, int is_server, tlcp_error *err)
{
    ctx->is_server = is_server;
    ctx->err = err;
    ctx->alert_sent = -1;
    ctx->alert_received = -1;
    ctx->hs = tlcp_hs_new(err);
    return ctx->hs != NULL;
}

void tlcp_hs_ctx_end_handshake(tlcp_hs_ctx *ctx)
{
    tlcp_hs_free(ctx->hs);
    ctx->hs = NULL;
    tlcp_store_state_cleanup(&ctx->store); /* an unused answer holds a master secret */
}

void tlcp_hs_ctx_cleanup(tlcp_hs_ctx *ctx)
{
    tlcp_hs_ctx_end_handshake(ctx);
    tlcp_cert_free(ctx->peer_cert[0]);
    tlcp_cert_free(ctx->peer_cert[1]);
    tlcp_session_free(ctx->offer);
    tlcp_session_free(ctx->established_session);
    free(ctx->sni);
#if defined(TLCP_TESTING)
    free(ctx->test_hello);
#endif
    memset(ctx, 0, sizeof(*ctx));
}

int tlcp_hs_tracing(const tlcp_hs_ctx *ctx)
{
    return ctx->trace != NULL;
}

void tlcp_hs_trace(const tlcp_hs_ctx *ctx, const char *fmt, ...)
{
    if (ctx->trace == NULL)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ctx->trace(ctx->trace_arg, line);
}

void tlcp_hs_note_record_end(tlcp_hs_ctx *ctx, const tlcp_record_item *item)
{
    if (ctx->err->reason == TLCP_R_PEER_ALERT)
        ctx->alert_received = item->alert_description;
    else if (ctx->err->reason == TLCP_R_CLOSED)
        ctx->alert_received = TLCP_ALERT_CLOSE_NOTIFY;
}

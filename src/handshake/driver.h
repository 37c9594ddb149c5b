/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handshake driver (statem.c): the only part of src/handshake that
 * touches the record layer. The connection (src/conn.c) calls it with its
 * handshake context and record layer.
 */
#ifndef TLCP_HANDSHAKE_DRIVER_H
#define TLCP_HANDSHAKE_DRIVER_H

#include "handshake/context.h"
#include "record/record.h"

/* Tells the record layer the per-type size limits (before any read); the
 * context must outlive the record layer's use of it. */
void tlcp_hs_install_limits(tlcp_hs_ctx *ctx, tlcp_record_layer *rl);

/* Drives the handshake as far as the transport allows. TLCP_OK when it is
 * complete (ctx->established is then set). */
tlcp_result tlcp_hs_run(tlcp_hs_ctx *ctx, tlcp_record_layer *rl);

/* A handshake message after the handshake (HelloRequest, ClientHello,
 * anything else): handled by the post-handshake rows of the table. 1 to go
 * on, 0 on failure (reason and alert in the error slot). */
TLCP_MUST_CHECK int tlcp_hs_post_handshake(tlcp_hs_ctx *ctx, tlcp_record_layer *rl,
                                           const tlcp_record_item *item);

/* Carries out what a handler's status asks of the record layer (install
 * pending keys, switch keys, send a warning); 1, or 0 when the status is a
 * failure or the record layer fails. The driver uses it after every
 * handler; tests that call handlers directly use it too. */
TLCP_MUST_CHECK int tlcp_hs_apply(tlcp_hs_ctx *ctx, tlcp_record_layer *rl, tlcp_status s);

/* Name of the current state for traces ("TLS_ST_CW_CLNT_HELLO"). */
const char *tlcp_hs_state_name(const tlcp_hs_ctx *ctx);

#endif

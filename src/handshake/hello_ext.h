/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hello extensions as features: what the hello handlers (hello.c) call
 * to offer ALPN, choose the protocol and the certificate pair on the server,
 * answer, and check the answer. Each returns a tlcp_status like a handler.
 */
#ifndef TLCP_HANDSHAKE_HELLO_EXT_H
#define TLCP_HANDSHAKE_HELLO_EXT_H

#include "handshake/context.h"
#include "handshake/messages.h"
#include "handshake/msg_ext.h"

/* Client: appends the ALPN extension to m when protocols are configured
 * (its data points into the configuration). */
tlcp_status tlcp_hs_alpn_offer(tlcp_hs_ctx *ctx, tlcp_client_hello *m);
/* Server, after the ClientHello's server_name: parses the client's ALPN,
 * selects (callback or our preference), or refuses with
 * no_application_protocol. */
tlcp_status tlcp_hs_alpn_choose(tlcp_hs_ctx *ctx, const tlcp_client_hello *m);
/* Server: appends the selected protocol to m; its data lives in buf. */
tlcp_status tlcp_hs_alpn_answer(tlcp_hs_ctx *ctx, tlcp_server_hello *m,
                                uint8_t buf[TLCP_ALPN_REPLY_MAX]);
/* Client: checks the ServerHello's ALPN against what we offered. */
tlcp_status tlcp_hs_alpn_check_answer(tlcp_hs_ctx *ctx, const tlcp_server_hello *m);
/* Server, after the ClientHello's server_name: sets ctx->cfg.creds to the
 * pair for that name (or keeps the default), or refuses with
 * unrecognized_name when there is neither. */
tlcp_status tlcp_hs_choose_cert(tlcp_hs_ctx *ctx);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* The per-message handlers the table points to (one file per family). */
#ifndef TLCP_HANDSHAKE_HANDLERS_H
#define TLCP_HANDSHAKE_HANDLERS_H

#include "handshake/context.h"
#include "handshake/table.h"

/* hello.c */
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_hello_pre_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_hello_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_hello_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_hello_post_process(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_hello_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_hello_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_hello_post_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_done_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_done_process(tlcp_hs_ctx *ctx, tlcp_cursor body);

/* certificate.c */
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_cert_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_cert_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_cert_request_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_cert_request_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_cert_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_cert_process(tlcp_hs_ctx *ctx, tlcp_cursor body);

/* key_exchange.c */
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_kx_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_post_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_post_process(tlcp_hs_ctx *ctx);

/* cert_verify.c */
TLCP_MUST_CHECK tlcp_status tlcp_hs_cert_verify_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_cert_verify_process(tlcp_hs_ctx *ctx, tlcp_cursor body);

/* finished.c */
TLCP_MUST_CHECK tlcp_status tlcp_hs_ccs_post_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_ccs_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_finished_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_finished_process(tlcp_hs_ctx *ctx, tlcp_cursor body);

/* post_handshake.c: the messages outside the sequences */
TLCP_MUST_CHECK tlcp_status tlcp_hs_hello_request_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_renegotiation_process(tlcp_hs_ctx *ctx, tlcp_cursor body);

/* tls_hello.c: the ClientHello's client_version: TLCP 0x0101, or a TLS
 * version when the server answers TLS hellos with TLCP (1), else 0 with
 * TLCP_R_TLS_CLIENT_HELLO / TLCP_R_PROTOCOL_VERSION and protocol_version. */
TLCP_MUST_CHECK int tlcp_hs_check_client_version(tlcp_hs_ctx *ctx, uint16_t version);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* The per-message handlers the table points to (one file per family). */
#ifndef TLCP_HANDSHAKE_HANDLERS_H
#define TLCP_HANDSHAKE_HANDLERS_H

#include "handshake/context.h"
#include "handshake/messages.h"
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
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_kx_pre_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_pre_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_server_kx_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_construct(tlcp_hs_ctx *ctx, tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_post_work(tlcp_hs_ctx *ctx);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_client_kx_post_process(tlcp_hs_ctx *ctx);

/* cert_verify.c */
TLCP_MUST_CHECK tlcp_status tlcp_hs_cert_verify_pre_work(tlcp_hs_ctx *ctx);
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

/* ticket.c: session tickets (NewSessionTicket and the hellos' extension) */
TLCP_MUST_CHECK tlcp_status tlcp_hs_new_session_ticket_construct(tlcp_hs_ctx *ctx,
                                                                 tlcp_builder *body);
TLCP_MUST_CHECK tlcp_status tlcp_hs_new_session_ticket_process(tlcp_hs_ctx *ctx, tlcp_cursor body);
/* Client, ClientHello: the session ID to send (kept in hs->offered_id) and
 * the session_ticket extension when tickets are on; `offer` may be NULL. */
void tlcp_hs_ticket_client_offer(tlcp_hs_ctx *ctx, const tlcp_session *offer, tlcp_client_hello *m);
/* Client, ServerHello: an announced NewSessionTicket sets hs->ticket; an
 * announcement we did not ask for fails (unsupported_extension). */
TLCP_MUST_CHECK tlcp_status tlcp_hs_ticket_client_server_hello(tlcp_hs_ctx *ctx,
                                                               const tlcp_server_hello *m);
/* Server, ClientHello: 1 = resumed from the client's ticket (*suite set),
 * 0 = not (a full handshake; never an error). */
int tlcp_hs_ticket_server_resume(tlcp_hs_ctx *ctx, const tlcp_client_hello *m, uint16_t *suite);
/* Server, ServerHello: the empty session_ticket extension announcing a
 * NewSessionTicket. */
TLCP_MUST_CHECK int tlcp_hs_ticket_server_hello_ext(const tlcp_hs_ctx *ctx, tlcp_server_hello *m);
/* Client, handshake done with a NewSessionTicket: the session to keep. */
tlcp_session *tlcp_hs_ticket_client_session(tlcp_hs_ctx *ctx);
/* tls_hello.c: the ClientHello's client_version: TLCP 0x0101, or a TLS
 * version when the server answers TLS hellos with TLCP (1), else 0 with
 * TLCP_R_TLS_CLIENT_HELLO / TLCP_R_PROTOCOL_VERSION and protocol_version. */
TLCP_MUST_CHECK int tlcp_hs_check_client_version(tlcp_hs_ctx *ctx, uint16_t version);

#endif

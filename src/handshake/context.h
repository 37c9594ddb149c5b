/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The handshake context: everything a handshake handler may read or change.
 * Handlers see the negotiated parameters, transcript and secrets (ctx->hs),
 * a view of the configuration (ctx->cfg, copied when the connection is made:
 * the config is frozen then), the error slot and the trace sink, and the
 * results the connection hands out later (peer certificates, server name,
 * session). They never see the connection or the record layer: when the
 * record layer must act (install pending keys, switch keys at
 * ChangeCipherSpec, send a warning), a handler says so in the tlcp_status it
 * returns and the driver (statem.c) does it.
 */
#ifndef TLCP_HANDSHAKE_CONTEXT_H
#define TLCP_HANDSHAKE_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "handshake/cert_select.h"
#include "handshake/handshake.h"
#include "handshake/session.h"
#include "handshake/session_store.h"
#include "record/record.h"
#include "tlcp/tlcp.h"
#include "util/error.h"
#include "util/status.h"
#include "x509/x509.h"

/* The configuration as the handshake sees it. */
typedef struct tlcp_hs_config {
    const tlcp_credentials *creds; /* our sign/enc pairs and chain, NULL when none */
    const tlcp_trust_store *trust; /* trust anchors for the peer, NULL when none */
    const tlcp_cert_list *ca_list; /* names for CertificateRequest */
    /* server: where resumable sessions go, NULL = resumption off */
    const tlcp_session_store *store;
    void *store_arg;
    struct tlcp_ticket_keys *ticket_keys; /* server: tickets issued while it has keys */
    int offer_tickets;                    /* client: session tickets on */
    const uint16_t *suites;
    size_t num_suites;
    int verify_mode; /* the effective mode for this role (never "role default") */
    const char *host_name;
    int send_sni;
    int accept_tls_hello; /* server: answer a TLS ClientHello offering TLCP suites */
    int ecdhe_cke_prefixed;
    int cv_form;
    unsigned cv_accept;
    int client_cert_list;
    size_t max_cert_list;
    int64_t verify_time;
    tlcp_keylog_fn keylog;
    void *keylog_arg;
    tlcp_verify_fn verify_cb;
    void *verify_arg;
    /* Delegated keys (handshake/key_op.h): the callback of the sign [0] and
     * enc [1] pair whose private key is not loaded, the time a pending
     * operation may take, and the connection handed to the callback. */
    tlcp_key_op_fn key_fn[2];
    void *key_arg[2];
    unsigned key_op_timeout_ms;
    tlcp_conn *key_owner;
    /* ALPN (alpn.c): our extension data (u16 list of u8-prefixed names, in
     * preference order), checked when configured. */
    const uint8_t *alpn_ext;
    size_t alpn_ext_len; /* 0 = no ALPN configured */
    int alpn_required;
    tlcp_alpn_select_fn alpn_cb;
    void *alpn_arg;
    /* Server: pairs per server name (cert_select.c); creds is the default. */
    const tlcp_named_pair *named_pairs;
    size_t num_named_pairs;
} tlcp_hs_config;

/* What a handler asks the driver to do after it returns (bits of a
 * successful tlcp_status). */
enum tlcp_hs_action {
    TLCP_HS_DO_INSTALL_KEYS = 1u << 1,        /* hs->pending_keys -> record layer (pending) */
    TLCP_HS_DO_ACTIVATE_WRITE = 1u << 2,      /* our ChangeCipherSpec went out */
    TLCP_HS_DO_ACTIVATE_READ = 1u << 3,       /* the peer's ChangeCipherSpec arrived */
    TLCP_HS_DO_REFUSE_RENEGOTIATION = 1u << 4 /* send warning no_renegotiation */
};

static inline tlcp_status tlcp_hs_do(unsigned actions)
{
    tlcp_status s = {TLCP_STATUS_OK_BIT | actions};
    return s;
}

typedef void (*tlcp_hs_trace_fn)(void *arg, const char *line);

typedef struct tlcp_hs_ctx {
    int is_server;
    tlcp_conn *owner; /* handed to the application's callbacks, never used here */
    int established;  /* the handshake completed */
    tlcp_hs_config cfg;
    tlcp_error *err; /* the connection's error slot (the record layer's too) */
    tlcp_hs_trace_fn trace;
    void *trace_arg;
    tlcp_hs *hs; /* NULL once the handshake is over */

    /* Results, kept for the connection's getters. */
    uint16_t suite;
    tlcp_cert *peer_cert[2];           /* [TLCP_CERT_SIGN], [TLCP_CERT_ENC] */
    char *sni;                         /* server: the client's server_name */
    uint8_t alpn[255];                 /* the agreed ALPN protocol, alpn_len bytes */
    size_t alpn_len;                   /* 0 = none agreed */
    tlcp_session *offer;               /* client: the session to offer */
    tlcp_session *established_session; /* client: the session of the completed handshake */
    int reused;
    int verify_status;  /* enum tlcp_peer_verify_status (peer_verify.c) */
    int verify_reason;  /* its TLCP_R_* when not verified */
    int alert_sent;     /* -1 = none */
    int alert_received; /* -1 = none */
    /* Client: HelloRequests answered since the last application data (a
     * run without end would keep a read from returning). */
    unsigned hello_requests;
    tlcp_store_state store; /* server: the session store's lookup */
#if defined(TLCP_TESTING)
    /* Client, test builds only: the ClientHello body to send as is
     * (tlcp_conn_test_set_client_hello), NULL = build our own. */
    uint8_t *test_hello;
    size_t test_hello_len;
#endif
} tlcp_hs_ctx;

/* Sets up ctx (not its config view) with a fresh handshake state. */
TLCP_MUST_CHECK int tlcp_hs_ctx_init(tlcp_hs_ctx *ctx, int is_server, tlcp_error *err);
/* Frees the handshake state and the results. */
void tlcp_hs_ctx_cleanup(tlcp_hs_ctx *ctx);
/* Ends the handshake state (secrets wiped); results stay. */
void tlcp_hs_ctx_end_handshake(tlcp_hs_ctx *ctx);

/* Trace output (no-op without a sink). */
void tlcp_hs_trace(const tlcp_hs_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int tlcp_hs_tracing(const tlcp_hs_ctx *ctx);

/* After the record layer gave CLOSED or ERROR: notes a received alert
 * (fatal or close_notify); the reason is in the shared error slot. */
void tlcp_hs_note_record_end(tlcp_hs_ctx *ctx, const tlcp_record_item *item);

/* Records the outcome of the peer's certificate checks for
 * tlcp_conn_peer_verify_result (peer_verify.c). */
void tlcp_hs_note_verify(tlcp_hs_ctx *ctx, int status, int reason);
/* A client that resumed: the outcome recorded in the resumed session. */
void tlcp_hs_note_resumed_verify(tlcp_hs_ctx *ctx, const tlcp_session *s);

#define TLCP_MAX_HELLO_REQUESTS 4

#endif

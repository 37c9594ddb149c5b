/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server's session store hooks (tlcp_session_store in tlcp.h): the
 * lookup of the session a ClientHello offers, which may be answered later
 * (TLCP_WANT_SESSION), storing a new session and forgetting one after a
 * fatal alert. The built-in cache (session_cache.c) is one store among
 * others; every store's value is the tlcp_session_export format.
 */
#ifndef TLCP_HANDSHAKE_SESSION_STORE_H
#define TLCP_HANDSHAKE_SESSION_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "handshake/session.h"
#include "tlcp/tlcp.h"

/* Where the lookup of the offered session stands. */
enum tlcp_lookup_state {
    TLCP_LOOKUP_NONE = 0, /* no lookup (nothing offered, or no store) */
    TLCP_LOOKUP_ASKING,   /* inside get_session */
    TLCP_LOOKUP_PENDING,  /* get_session said it answers later */
    TLCP_LOOKUP_ANSWERED, /* answer in `found` (NULL = full handshake), not applied yet */
    TLCP_LOOKUP_SETTLED   /* applied to the handshake */
};

/* Per connection (in tlcp_hs_ctx). */
typedef struct tlcp_store_state {
    int lookup; /* enum tlcp_lookup_state */
    uint8_t offered_id[TLCP_SESSION_ID_LEN];
    unsigned offered_suites; /* bit i: the client offered cfg.suites[i] */
    tlcp_session *found;     /* the decoded answer, NULL = none */
    /* The session this connection made or resumed (stored under this ID),
     * forgotten again when the connection ends with a fatal alert. */
    uint8_t id[TLCP_SESSION_ID_LEN];
    int has_id;
} tlcp_store_state;

struct tlcp_hs_ctx;

/* Server, at ClientHello: asks the store for the offered session (id_len
 * other than 32: nothing to look up). 1, or 0 on an internal failure. */
TLCP_MUST_CHECK int tlcp_hs_store_lookup(struct tlcp_hs_ctx *ctx, const uint8_t *id, size_t id_len,
                                         unsigned offered_suites);
/* The application's answer (tlcp_conn_session_lookup_done). */
tlcp_result tlcp_hs_store_answer(struct tlcp_hs_ctx *ctx, const uint8_t *data, size_t len);
/* 1 while the handshake must wait for the answer. */
int tlcp_hs_store_pending(const struct tlcp_hs_ctx *ctx);
/* Once answered: the session to resume (checked: ID, server_name, suite
 * offered and enabled; the caller frees it), or NULL for a full handshake. */
tlcp_session *tlcp_hs_store_take(struct tlcp_hs_ctx *ctx);
/* 1 when the server issues session IDs (a store is configured). */
int tlcp_hs_store_enabled(const struct tlcp_hs_ctx *ctx);
/* After a full handshake: hands the new session to the store. */
void tlcp_hs_store_new(struct tlcp_hs_ctx *ctx);
/* After a resumption: the ID to forget on a fatal alert. */
void tlcp_hs_store_note_resumed(struct tlcp_hs_ctx *ctx, const uint8_t id[TLCP_SESSION_ID_LEN]);
/* The connection ended with a fatal alert: the store forgets its session. */
void tlcp_hs_store_forget(struct tlcp_hs_ctx *ctx);
/* Frees what a lookup left (the answer holds a master secret). */
void tlcp_store_state_cleanup(tlcp_store_state *st);

#endif

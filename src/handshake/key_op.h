/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Delegated private-key operations (tlcp_key_op_fn in the public API): the
 * handshake's side. A handler that needs our private key asks
 * tlcp_hs_key_is_local() first; a loaded key keeps the direct crypto call.
 * Otherwise it starts the operation (tlcp_hs_key_op_start), which calls the
 * pair's callback; a PENDING answer makes the handler return
 * tlcp_hs_pending() and the driver hand TLCP_WANT_KEY_OPERATION to the
 * application. The next call runs the same handler again, which then
 * collects (tlcp_hs_key_op_collect) what tlcp_conn_key_operation_done()
 * delivered. Everything the op points to is copied into the handshake's
 * slot first, so it stays valid while the application works on it.
 */
#ifndef TLCP_HANDSHAKE_KEY_OP_H
#define TLCP_HANDSHAKE_KEY_OP_H

#include <stddef.h>
#include <stdint.h>

#include "handshake/context.h"
#include "tlcp/tlcp.h"
#include "util/status.h"

/* A handler's "not yet": neither success nor failure (no OK bit, so code
 * that does not know it treats it as failure). */
#define TLCP_HS_PENDING_BIT (1u << 30)

static inline tlcp_status tlcp_hs_pending(void)
{
    tlcp_status s = {TLCP_HS_PENDING_BIT};
    return s;
}

static inline int tlcp_hs_is_pending(tlcp_status s)
{
    return (s.v & TLCP_HS_PENDING_BIT) != 0;
}

/* Outcome of start / collect. */
enum tlcp_hs_kop {
    TLCP_HS_KOP_FAILED = 0, /* recorded in ctx->err */
    TLCP_HS_KOP_DONE = 1,
    TLCP_HS_KOP_PENDING = 2,
    TLCP_HS_KOP_QUIET_FAIL = 3 /* quiet only: failed, nothing recorded */
};

/* 1 when our pair `which` (TLCP_CERT_SIGN / _ENC) has its private key here. */
int tlcp_hs_key_is_local(const tlcp_hs_ctx *ctx, int which);
/* 1 while an operation was started and not yet collected. */
int tlcp_hs_key_op_active(const tlcp_hs_ctx *ctx);
/* Copies op (its key's public point filled in here), calls the callback.
 * DONE: the result is in out and out_len (cap TLCP_KEY_OP_MAX_OUT). FAILED:
 * recorded in ctx->err unless `quiet` (the no-oracle decryption). */
int tlcp_hs_key_op_start(tlcp_hs_ctx *ctx, const tlcp_key_op *op, uint8_t *out, size_t *out_len,
                         int quiet);
/* For an active operation: PENDING (still, within its time), DONE with the
 * result, or FAILED (failure reported, bad result, or timed out: a timeout
 * is recorded even when quiet, it is not a property of the ciphertext). */
int tlcp_hs_key_op_collect(tlcp_hs_ctx *ctx, uint8_t *out, size_t *out_len, int quiet);
/* The application's answer (tlcp_conn_key_operation_done): 1 taken, 0 nothing
 * pending, -1 a result of the wrong size (recorded as a failed operation). */
int tlcp_hs_key_op_deliver(tlcp_hs_ctx *ctx, const uint8_t *result, size_t len);
/* Milliseconds left for the pending operation, 0 when expired, -1 none. */
long tlcp_hs_key_op_wait_ms(const tlcp_hs_ctx *ctx);

/* The ciphertext a server keeps between ClientKeyExchange and its
 * post-processing, and the random pre-master chosen before decryption. */
int tlcp_hs_key_op_stash(tlcp_hs_ctx *ctx, const uint8_t *data, size_t len);
const uint8_t *tlcp_hs_key_op_stashed(const tlcp_hs_ctx *ctx, size_t *len);
/* A finished result kept for the construct handler after the pre-work that
 * obtained it (a signature, or a marker for "pre-master computed"); take
 * hands it out once (valid until the next keep) or NULL when none. */
TLCP_MUST_CHECK int tlcp_hs_key_op_keep(tlcp_hs_ctx *ctx, const uint8_t *data, size_t len);
const uint8_t *tlcp_hs_key_op_take(tlcp_hs_ctx *ctx, size_t *len);

/* What the handlers call (key_op_run.c): start or resume, keep the result.
 * Each returns ok, tlcp_hs_pending() or a failure (recorded). */
/* SIGN with our sign key; the signature is kept for the construct handler
 * (tlcp_hs_key_op_take). has_z = 1: msg is signed with Z (default ID);
 * has_z = 0: digest is e itself. */
TLCP_MUST_CHECK tlcp_status tlcp_hs_delegated_sign(tlcp_hs_ctx *ctx, const uint8_t *msg,
                                                   size_t msg_len, int has_z,
                                                   const uint8_t *digest);
/* KX with our enc key as the static key: hs->pre_master on success. */
TLCP_MUST_CHECK tlcp_status tlcp_hs_delegated_kx(tlcp_hs_ctx *ctx);
/* Server, ECC: decrypts the stashed ClientKeyExchange ciphertext into
 * hs->pre_master, which holds the random fallback chosen before; a failed
 * decryption keeps the fallback (selected without a branch), so it shows
 * only at Finished. Only a timeout fails the handshake here. */
TLCP_MUST_CHECK tlcp_status tlcp_hs_delegated_decrypt(tlcp_hs_ctx *ctx);

/* Frees the slot of a handshake (secrets wiped). */
void tlcp_hs_key_op_free(struct tlcp_hs_key_op *slot);

/* Performs op with a private key held here: the library's local path for
 * tlcp_private_key_perform. 1 with the result, 0 with err set. */
int tlcp_key_op_perform_local(const tlcp_pkey *key, const tlcp_key_op *op, uint8_t *out,
                              size_t *out_len, tlcp_error *err);

#endif

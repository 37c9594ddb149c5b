/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The slot of a delegated private-key operation (see key_op.h): the copied
 * request, the state (idle, pending, result ready, failed), the deadline,
 * and what a handler keeps between its pre-work and its construct step.
 * One operation at a time per handshake: the handshake never needs two at
 * once, and the driver does not move while one is pending.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handshake/handshake.h"
#include "handshake/key_op.h"
#include "util/mem.h"

#define KOP_IN_MAX    256 /* a ClientKeyExchange ciphertext is at most 176 bytes */
#define KOP_ID_MAX    64
#define KOP_STASH_MAX 256

enum kop_state { KOP_IDLE = 0, KOP_PENDING = 1, KOP_READY = 2, KOP_FAILED = 3 };

struct tlcp_hs_key_op {
    int state;
    int fail_reason; /* TLCP_R_KEY_OP_* when failed */
    int64_t deadline_ms;
    tlcp_key_op op; /* points into the buffers below */
    uint8_t public_point[TLCP_SM2_POINT_LEN];
    uint8_t digest[TLCP_SM3_DIGEST_LEN];
    uint8_t *msg;
    size_t msg_len;
    uint8_t id[KOP_ID_MAX];
    uint8_t peer_id[KOP_ID_MAX];
    uint8_t in[KOP_IN_MAX];
    uint8_t eph_private[32];
    uint8_t eph_point[TLCP_SM2_POINT_LEN];
    uint8_t peer_static[TLCP_SM2_POINT_LEN];
    uint8_t peer_eph[TLCP_SM2_POINT_LEN];
    uint8_t result[TLCP_KEY_OP_MAX_OUT];
    size_t result_len;
    uint8_t stash[KOP_STASH_MAX];
    size_t stash_len;
    uint8_t kept[TLCP_KEY_OP_MAX_OUT];
    size_t kept_len;
    int has_kept;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *op_name(int type)
{
    switch (type) {
    case TLCP_KEY_OP_SIGN:
        return "signature";
    case TLCP_KEY_OP_DECRYPT:
        return "decryption";
    default:
        return "key exchange";
    }
}

static const tlcp_keypair *our_pair(const tlcp_hs_ctx *ctx, int which)
{
    if (ctx->cfg.creds == NULL)
        return NULL;
    return which == TLCP_CERT_ENC ? &ctx->cfg.creds->enc : &ctx->cfg.creds->sign;
}

int tlcp_hs_key_is_local(const tlcp_hs_ctx *ctx, int which)
{
    const tlcp_keypair *pair = our_pair(ctx, which);
    return pair != NULL && pair->key != NULL;
}

static struct tlcp_hs_key_op *slot_of(const tlcp_hs_ctx *ctx)
{
    return ctx->hs != NULL ? ctx->hs->key_op : NULL;
}

int tlcp_hs_key_op_active(const tlcp_hs_ctx *ctx)
{
    const struct tlcp_hs_key_op *s = slot_of(ctx);
    return s != NULL && s->state != KOP_IDLE;
}

static struct tlcp_hs_key_op *ensure_slot(tlcp_hs_ctx *ctx)
{
    if (ctx->hs->key_op == NULL)
        ctx->hs->key_op = calloc(1, sizeof(*ctx->hs->key_op));
    return ctx->hs->key_op;
}

static void drop_request(struct tlcp_hs_key_op *s)
{
    if (s->msg != NULL)
        tlcp_free_secret(s->msg, s->msg_len);
    s->msg = NULL;
    s->msg_len = 0;
    tlcp_wipe(s->eph_private, sizeof(s->eph_private));
    tlcp_wipe(s->in, sizeof(s->in));
    tlcp_wipe(&s->op, sizeof(s->op));
}

void tlcp_hs_key_op_free(struct tlcp_hs_key_op *slot)
{
    if (slot == NULL)
        return;
    drop_request(slot);
    tlcp_free_secret(slot, sizeof(*slot));
}

static int copy_bytes(uint8_t *dst, size_t cap, const uint8_t *src, size_t len)
{
    if (src == NULL || len > cap)
        return 0;
    memcpy(dst, src, len);
    return 1;
}

/* The SM2 e = SM3(Z || msg) of a signing request, with Z for our key. */
static int sign_digest_of(tlcp_hs_ctx *ctx, struct tlcp_hs_key_op *s, const tlcp_pkey *pub)
{
    uint8_t z[TLCP_SM3_DIGEST_LEN];
    tlcp_sm3_ctx *h = NULL;
    GUARD(tlcp_sm2_compute_z(pub, s->op.id, s->op.id_len, z, ctx->err));
    h = tlcp_sm3_new(ctx->err);
    GUARD_PTR(h);
    int ok = tlcp_sm3_update(h, z, sizeof(z), ctx->err) &&
             tlcp_sm3_update(h, s->msg, s->msg_len, ctx->err) &&
             tlcp_sm3_final(h, s->digest, ctx->err);
    tlcp_sm3_free(h);
    return ok;
}

/* Copies the caller's op into the slot (pointers into the slot). */
static int copy_request(tlcp_hs_ctx *ctx, struct tlcp_hs_key_op *s, const tlcp_key_op *op)
{
    s->op = *op;
    s->op.role = ctx->is_server ? TLCP_SERVER : TLCP_CLIENT;
    s->op.max_out = TLCP_KEY_OP_MAX_OUT;
    s->op.public_point = s->public_point;
    if (op->id != NULL) {
        GUARD(copy_bytes(s->id, sizeof(s->id), op->id, op->id_len));
        s->op.id = s->id;
    }
    if (op->peer_id != NULL) {
        GUARD(copy_bytes(s->peer_id, sizeof(s->peer_id), op->peer_id, op->peer_id_len));
        s->op.peer_id = s->peer_id;
    }
    if (op->self_id != NULL) { /* the TLCP profile: both the default ID */
        GUARD(op->self_id_len <= sizeof(s->id));
        GUARD(copy_bytes(s->id, sizeof(s->id), op->self_id, op->self_id_len));
        s->op.self_id = s->id;
    }
    switch (op->type) {
    case TLCP_KEY_OP_SIGN:
        if (op->msg != NULL) {
            s->msg = malloc(op->msg_len + 1);
            GUARD_PTR(s->msg);
            memcpy(s->msg, op->msg, op->msg_len);
            s->msg_len = op->msg_len;
            s->op.msg = s->msg;
        }
        if (op->digest != NULL)
            memcpy(s->digest, op->digest, sizeof(s->digest));
        s->op.digest = s->digest;
        return 1;
    case TLCP_KEY_OP_DECRYPT:
        GUARD(copy_bytes(s->in, sizeof(s->in), op->in, op->in_len));
        s->op.in = s->in;
        return 1;
    case TLCP_KEY_OP_KX:
        GUARD(copy_bytes(s->eph_private, 32, op->self_eph_private, 32) &&
              copy_bytes(s->eph_point, sizeof(s->eph_point), op->self_eph_point,
                         TLCP_SM2_POINT_LEN) &&
              copy_bytes(s->peer_static, sizeof(s->peer_static), op->peer_static_point,
                         TLCP_SM2_POINT_LEN) &&
              copy_bytes(s->peer_eph, sizeof(s->peer_eph), op->peer_eph_point, TLCP_SM2_POINT_LEN));
        s->op.self_eph_private = s->eph_private;
        s->op.self_eph_point = s->eph_point;
        s->op.peer_static_point = s->peer_static;
        s->op.peer_eph_point = s->peer_eph;
        return op->out_len > 0 && op->out_len <= TLCP_KEY_OP_MAX_OUT;
    default:
        return 0;
    }
}

/* The public point from our certificate, and e for a signature with Z. */
static int complete_request(tlcp_hs_ctx *ctx, struct tlcp_hs_key_op *s)
{
    const tlcp_keypair *pair = our_pair(ctx, s->op.key);
    ENSURE_ALERT(pair != NULL && pair->cert != NULL, ctx->err, TLCP_R_KEY_OP_NONE,
                 TLCP_ALERT_INTERNAL_ERROR, "no certificate for the delegated key");
    tlcp_pkey *pub = tlcp_cert_public_key(pair->cert, ctx->err);
    GUARD_PTR(pub);
    int ok = tlcp_pkey_get_point(pub, s->public_point, ctx->err);
    if (ok && s->op.type == TLCP_KEY_OP_SIGN && s->op.has_z)
        ok = s->msg != NULL && sign_digest_of(ctx, s, pub);
    tlcp_pkey_free(pub);
    return ok;
}

/* A result of the right size for its operation (its content is the
 * card's responsibility: a bad signature fails at the peer). */
static int result_fits(const tlcp_key_op *op, size_t len)
{
    switch (op->type) {
    case TLCP_KEY_OP_SIGN:
        return len >= 8 && len <= TLCP_SM2_MAX_SIG_LEN;
    case TLCP_KEY_OP_DECRYPT:
        return len <= TLCP_KEY_OP_MAX_OUT;
    default:
        return len == op->out_len;
    }
}

static void set_failed(struct tlcp_hs_key_op *s, int reason)
{
    s->state = KOP_FAILED;
    s->fail_reason = reason;
    tlcp_wipe(s->result, sizeof(s->result));
}

static void set_result(struct tlcp_hs_key_op *s, const uint8_t *data, size_t len)
{
    if (data == NULL) {
        set_failed(s, TLCP_R_KEY_OP_FAILED);
        return;
    }
    if (!result_fits(&s->op, len)) {
        set_failed(s, TLCP_R_KEY_OP_RESULT);
        return;
    }
    memcpy(s->result, data, len);
    s->result_len = len;
    s->state = KOP_READY;
}

static void record_failure(tlcp_hs_ctx *ctx, const struct tlcp_hs_key_op *s)
{
    const char *key = s->op.key == TLCP_CERT_ENC ? "encryption" : "signing";
    switch (s->fail_reason) {
    case TLCP_R_KEY_OP_TIMEOUT:
        TLCP_ERR_ALERT(ctx->err, TLCP_R_KEY_OP_TIMEOUT, TLCP_ALERT_INTERNAL_ERROR,
                       "delegated %s with the %s key did not complete within %u ms",
                       op_name(s->op.type), key, ctx->cfg.key_op_timeout_ms);
        break;
    case TLCP_R_KEY_OP_RESULT:
        TLCP_ERR_ALERT(ctx->err, TLCP_R_KEY_OP_RESULT, TLCP_ALERT_INTERNAL_ERROR,
                       "delegated %s with the %s key returned a result of the wrong size",
                       op_name(s->op.type), key);
        break;
    default:
        TLCP_ERR_ALERT(ctx->err, TLCP_R_KEY_OP_FAILED, TLCP_ALERT_INTERNAL_ERROR,
                       "delegated %s with the %s key failed (the key-operation callback "
                       "reported failure)",
                       op_name(s->op.type), key);
    }
}

/* Hands the finished slot to the caller and makes it idle again. */
static int finish(tlcp_hs_ctx *ctx, struct tlcp_hs_key_op *s, uint8_t *out, size_t *out_len,
                  int quiet)
{
    int outcome = TLCP_HS_KOP_FAILED;
    if (s->state == KOP_READY) {
        memcpy(out, s->result, s->result_len);
        *out_len = s->result_len;
        outcome = TLCP_HS_KOP_DONE;
        tlcp_hs_trace(ctx, "delegated %s completed (%zu bytes)", op_name(s->op.type),
                      s->result_len);
    } else if (!quiet || s->fail_reason == TLCP_R_KEY_OP_TIMEOUT) {
        record_failure(ctx, s);
    } else {
        outcome = TLCP_HS_KOP_QUIET_FAIL;
    }
    tlcp_wipe(s->result, sizeof(s->result));
    drop_request(s);
    s->state = KOP_IDLE;
    return outcome;
}

int tlcp_hs_key_op_start(tlcp_hs_ctx *ctx, const tlcp_key_op *op, uint8_t *out, size_t *out_len,
                         int quiet)
{
    tlcp_key_op_fn fn = ctx->cfg.key_fn[op->key == TLCP_CERT_ENC];
    ENSURE_ALERT(fn != NULL, ctx->err, TLCP_R_KEY_OP_NONE, TLCP_ALERT_INTERNAL_ERROR,
                 "no private key and no key-operation callback for the %s key",
                 op->key == TLCP_CERT_ENC ? "encryption" : "signing");
    struct tlcp_hs_key_op *s = ensure_slot(ctx);
    ENSURE_ALERT(s != NULL, ctx->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR, "out of memory");
    drop_request(s);
    if (!copy_request(ctx, s, op)) {
        drop_request(s);
        TLCP_ERR_ALERT(ctx->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                       "cannot prepare the delegated %s", op_name(op->type));
        return TLCP_HS_KOP_FAILED;
    }
    if (!complete_request(ctx, s)) {
        drop_request(s);
        return TLCP_HS_KOP_FAILED;
    }
    tlcp_hs_trace(ctx, "delegated %s with the %s key: calling the key-operation callback",
                  op_name(op->type), op->key == TLCP_CERT_ENC ? "encryption" : "signing");
    /* Pending before the call: the callback may deliver from inside. */
    s->state = KOP_PENDING;
    s->deadline_ms = now_ms() + ctx->cfg.key_op_timeout_ms;
    uint8_t tmp[TLCP_KEY_OP_MAX_OUT];
    size_t tmp_len = 0;
    int r =
        fn(ctx->cfg.key_arg[op->key == TLCP_CERT_ENC], ctx->cfg.key_owner, &s->op, tmp, &tmp_len);
    if (r == TLCP_KEY_OP_DONE && s->state == KOP_PENDING)
        set_result(s, tmp, tmp_len);
    else if (r != TLCP_KEY_OP_PENDING && r != TLCP_KEY_OP_DONE)
        set_failed(s, TLCP_R_KEY_OP_FAILED);
    tlcp_wipe(tmp, sizeof(tmp));
    if (s->state == KOP_PENDING) {
        tlcp_hs_trace(ctx, "delegated %s pending", op_name(op->type));
        return TLCP_HS_KOP_PENDING;
    }
    return finish(ctx, s, out, out_len, quiet);
}

int tlcp_hs_key_op_collect(tlcp_hs_ctx *ctx, uint8_t *out, size_t *out_len, int quiet)
{
    struct tlcp_hs_key_op *s = slot_of(ctx);
    ENSURE_ALERT(s != NULL && s->state != KOP_IDLE, ctx->err, TLCP_R_INTERNAL,
                 TLCP_ALERT_INTERNAL_ERROR, "no delegated key operation to collect");
    if (s->state == KOP_PENDING) {
        if (now_ms() < s->deadline_ms)
            return TLCP_HS_KOP_PENDING;
        set_failed(s, TLCP_R_KEY_OP_TIMEOUT);
    }
    return finish(ctx, s, out, out_len, quiet);
}

int tlcp_hs_key_op_deliver(tlcp_hs_ctx *ctx, const uint8_t *result, size_t len)
{
    struct tlcp_hs_key_op *s = slot_of(ctx);
    if (s == NULL || s->state != KOP_PENDING)
        return 0;
    if (now_ms() >= s->deadline_ms) {
        set_failed(s, TLCP_R_KEY_OP_TIMEOUT);
        return 1;
    }
    set_result(s, result, len);
    return s->state == KOP_FAILED && s->fail_reason == TLCP_R_KEY_OP_RESULT ? -1 : 1;
}

long tlcp_hs_key_op_wait_ms(const tlcp_hs_ctx *ctx)
{
    const struct tlcp_hs_key_op *s = slot_of(ctx);
    if (s == NULL || s->state != KOP_PENDING)
        return -1;
    int64_t left = s->deadline_ms - now_ms();
    return left > 0 ? (long)left : 0;
}

int tlcp_hs_key_op_stash(tlcp_hs_ctx *ctx, const uint8_t *data, size_t len)
{
    struct tlcp_hs_key_op *s = ensure_slot(ctx);
    ENSURE_ALERT(s != NULL, ctx->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR, "out of memory");
    /* Longer than any ClientKeyExchange ciphertext: kept empty, so the
     * decryption fails like any other bad ciphertext. */
    s->stash_len = 0;
    if (data != NULL && copy_bytes(s->stash, sizeof(s->stash), data, len))
        s->stash_len = len;
    return 1;
}

const uint8_t *tlcp_hs_key_op_stashed(const tlcp_hs_ctx *ctx, size_t *len)
{
    const struct tlcp_hs_key_op *s = slot_of(ctx);
    *len = s != NULL ? s->stash_len : 0;
    return s != NULL ? s->stash : NULL;
}

int tlcp_hs_key_op_keep(tlcp_hs_ctx *ctx, const uint8_t *data, size_t len)
{
    struct tlcp_hs_key_op *s = ensure_slot(ctx);
    ENSURE_ALERT(s != NULL && len <= sizeof(s->kept), ctx->err, TLCP_R_INTERNAL,
                 TLCP_ALERT_INTERNAL_ERROR, "cannot keep the delegated result");
    memcpy(s->kept, data, len);
    s->kept_len = len;
    s->has_kept = 1;
    return 1;
}

const uint8_t *tlcp_hs_key_op_take(tlcp_hs_ctx *ctx, size_t *len)
{
    struct tlcp_hs_key_op *s = slot_of(ctx);
    if (s == NULL || !s->has_kept)
        return NULL;
    s->has_kept = 0;
    *len = s->kept_len;
    return s->kept;
}

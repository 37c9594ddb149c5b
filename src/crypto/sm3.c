/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM3 hashing (GB/T 32905) on our own compression function (sm3_core.c),
 * which is faster than OpenSSL 3.0's and needs no provider lookup. Known
 * answers and a differential test against OpenSSL are in tests/unit.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/sm3_core.h"
#include "util/mem.h"

struct tlcp_sm3_ctx {
    uint32_t v[TLCP_SM3_STATE_WORDS];
    uint8_t buf[TLCP_SM3_BLOCK_LEN]; /* a partial block */
    size_t buf_len;
    uint64_t total; /* bytes hashed so far */
    /* Set by final, cleared by reset: update or final on a finished
     * context is a caller bug, caught here. */
    int finished;
};

static void sm3_init(tlcp_sm3_ctx *ctx)
{
    memcpy(ctx->v, tlcp_sm3_iv, sizeof(ctx->v));
    ctx->buf_len = 0;
    ctx->total = 0;
    ctx->finished = 0;
}

tlcp_sm3_ctx *tlcp_sm3_new(tlcp_error *err)
{
    tlcp_sm3_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for an SM3 context");
        return NULL;
    }
    sm3_init(ctx);
    return ctx;
}

void tlcp_sm3_free(tlcp_sm3_ctx *ctx)
{
    if (ctx != NULL)
        tlcp_free_secret(ctx, sizeof(*ctx));
}

static void sm3_absorb(tlcp_sm3_ctx *ctx, const uint8_t *data, size_t len)
{
    ctx->total += len;
    if (ctx->buf_len > 0) {
        size_t take = TLCP_SM3_BLOCK_LEN - ctx->buf_len;
        if (take > len)
            take = len;
        memcpy(ctx->buf + ctx->buf_len, data, take);
        ctx->buf_len += take;
        data += take;
        len -= take;
        if (ctx->buf_len < TLCP_SM3_BLOCK_LEN)
            return;
        tlcp_sm3_compress(ctx->v, ctx->buf, 1);
        ctx->buf_len = 0;
    }
    size_t full = len / TLCP_SM3_BLOCK_LEN;
    if (full > 0)
        tlcp_sm3_compress(ctx->v, data, full);
    data += full * TLCP_SM3_BLOCK_LEN;
    len -= full * TLCP_SM3_BLOCK_LEN;
    if (len > 0)
        memcpy(ctx->buf, data, len);
    ctx->buf_len = len;
}

/* The digest of what ctx has absorbed, leaving ctx as it was. */
static void sm3_finish(const tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    uint32_t v[TLCP_SM3_STATE_WORDS];
    uint8_t tail[2 * TLCP_SM3_BLOCK_LEN];
    memcpy(v, ctx->v, sizeof(v));
    size_t n = tlcp_sm3_pad(tail, ctx->buf, ctx->buf_len, ctx->total);
    tlcp_sm3_compress(v, tail, n);
    tlcp_sm3_state_out(v, out);
    tlcp_wipe(v, sizeof(v));
    tlcp_wipe(tail, sizeof(tail));
}

int tlcp_sm3_update(tlcp_sm3_ctx *ctx, const uint8_t *data, size_t len, tlcp_error *err)
{
    ENSURE(ctx != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 update without a context");
    ENSURE(data != NULL || len == 0, err, TLCP_R_INVALID_ARGUMENT, "SM3 update of NULL data");
    ENSURE(!ctx->finished, err, TLCP_R_INVALID_ARGUMENT, "SM3 update after final without reset");
    if (len > 0)
        sm3_absorb(ctx, data, len);
    return 1;
}

int tlcp_sm3_final(tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(ctx != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM3 final needs a context and an output buffer");
    ENSURE(!ctx->finished, err, TLCP_R_INVALID_ARGUMENT, "SM3 final twice without reset");
    sm3_finish(ctx, out);
    tlcp_wipe(ctx, sizeof(*ctx));
    ctx->finished = 1;
    return 1;
}

int tlcp_sm3_reset(tlcp_sm3_ctx *ctx, tlcp_error *err)
{
    ENSURE(ctx != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 reset without a context");
    sm3_init(ctx);
    return 1;
}

int tlcp_sm3_copy(tlcp_sm3_ctx *dst, const tlcp_sm3_ctx *src, tlcp_error *err)
{
    ENSURE(dst != NULL && src != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 copy needs two contexts");
    if (dst != src)
        memcpy(dst, src, sizeof(*dst));
    return 1;
}

int tlcp_sm3_peek(const tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(ctx != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM3 peek needs a context and an output buffer");
    ENSURE(!ctx->finished, err, TLCP_R_INVALID_ARGUMENT, "SM3 peek after final without reset");
    sm3_finish(ctx, out);
    return 1;
}

int tlcp_sm3(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(data != NULL || len == 0, err, TLCP_R_INVALID_ARGUMENT, "SM3 of NULL data");
    ENSURE(out != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 without an output buffer");
    tlcp_sm3_digest(data, len, out);
    return 1;
}

void tlcp_sm3_digest(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN])
{
    tlcp_sm3_ctx ctx;
    sm3_init(&ctx);
    if (len > 0)
        sm3_absorb(&ctx, data, len);
    sm3_finish(&ctx, out);
    tlcp_wipe(&ctx, sizeof(ctx));
}

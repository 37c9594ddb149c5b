/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM3 through EVP. The digest is fetched once per process, which spares the
 * implicit fetch that EVP_sm3() costs on every init in OpenSSL 3.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "crypto/crypto.h"

struct tlcp_sm3_ctx {
    EVP_MD_CTX *md;
    /* Set by final, cleared by reset. OpenSSL 3.0 accepts update and final
     * on a finished context without complaint, so the misuse is caught here. */
    int finished;
};

static CRYPTO_ONCE sm3_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *sm3_md;

static void sm3_fetch(void)
{
    sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
}

/* The cached SM3 method, or NULL (reason recorded) when the provider lacks it. */
static const EVP_MD *sm3_method(tlcp_error *err)
{
    if (!CRYPTO_THREAD_run_once(&sm3_once, sm3_fetch) || sm3_md == NULL) {
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 is not available from the OpenSSL providers");
        return NULL;
    }
    return sm3_md;
}

tlcp_sm3_ctx *tlcp_sm3_new(tlcp_error *err)
{
    const EVP_MD *md = sm3_method(err);
    if (md == NULL)
        return NULL;
    tlcp_sm3_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for an SM3 context");
        return NULL;
    }
    ctx->md = EVP_MD_CTX_new();
    if (ctx->md == NULL || !EVP_DigestInit_ex(ctx->md, md, NULL)) {
        CRYPTO_FAIL(err, TLCP_R_CRYPTO, "cannot start an SM3 hash");
        tlcp_sm3_free(ctx);
        return NULL;
    }
    return ctx;
}

void tlcp_sm3_free(tlcp_sm3_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->md); /* cleanses the hash state */
    free(ctx);
}

int tlcp_sm3_update(tlcp_sm3_ctx *ctx, const uint8_t *data, size_t len, tlcp_error *err)
{
    ENSURE(ctx != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 update without a context");
    ENSURE(data != NULL || len == 0, err, TLCP_R_INVALID_ARGUMENT, "SM3 update of NULL data");
    ENSURE(!ctx->finished, err, TLCP_R_INVALID_ARGUMENT, "SM3 update after final without reset");
    if (len == 0)
        return 1;
    if (!EVP_DigestUpdate(ctx->md, data, len))
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 update failed");
    return 1;
}

int tlcp_sm3_final(tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(ctx != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM3 final needs a context and an output buffer");
    ENSURE(!ctx->finished, err, TLCP_R_INVALID_ARGUMENT, "SM3 final twice without reset");
    unsigned int n = 0;
    ctx->finished = 1;
    if (!EVP_DigestFinal_ex(ctx->md, out, &n) || n != TLCP_SM3_DIGEST_LEN)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 final failed");
    return 1;
}

int tlcp_sm3_reset(tlcp_sm3_ctx *ctx, tlcp_error *err)
{
    ENSURE(ctx != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 reset without a context");
    const EVP_MD *md = sm3_method(err);
    if (md == NULL)
        return 0;
    if (!EVP_DigestInit_ex(ctx->md, md, NULL))
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 reset failed");
    ctx->finished = 0;
    return 1;
}

int tlcp_sm3_copy(tlcp_sm3_ctx *dst, const tlcp_sm3_ctx *src, tlcp_error *err)
{
    ENSURE(dst != NULL && src != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 copy needs two contexts");
    if (dst == src)
        return 1;
    if (!EVP_MD_CTX_copy_ex(dst->md, src->md))
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 state copy failed");
    dst->finished = src->finished;
    return 1;
}

/* Finishing destroys a running state, so finish a throwaway copy instead. */
int tlcp_sm3_peek(const tlcp_sm3_ctx *ctx, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(ctx != NULL && out != NULL, err, TLCP_R_INVALID_ARGUMENT,
           "SM3 peek needs a context and an output buffer");
    ENSURE(!ctx->finished, err, TLCP_R_INVALID_ARGUMENT, "SM3 peek after final without reset");
    EVP_MD_CTX *tmp = EVP_MD_CTX_new();
    unsigned int n = 0;
    int ok = tmp != NULL && EVP_MD_CTX_copy_ex(tmp, ctx->md) && EVP_DigestFinal_ex(tmp, out, &n) &&
             n == TLCP_SM3_DIGEST_LEN;
    EVP_MD_CTX_free(tmp);
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 peek failed");
    return 1;
}

int tlcp_sm3(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(data != NULL || len == 0, err, TLCP_R_INVALID_ARGUMENT, "SM3 of NULL data");
    ENSURE(out != NULL, err, TLCP_R_INVALID_ARGUMENT, "SM3 without an output buffer");
    const EVP_MD *md = sm3_method(err);
    if (md == NULL)
        return 0;
    static const uint8_t empty[1];
    unsigned int n = 0;
    if (!EVP_Digest(len == 0 ? empty : data, len, out, &n, md, NULL) || n != TLCP_SM3_DIGEST_LEN)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "SM3 failed");
    return 1;
}

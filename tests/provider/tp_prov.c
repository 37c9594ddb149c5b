/* SPDX-License-Identifier: Apache-2.0 */
/* The provider's entry point and its table of operations (see tp.h). */
#include <stdlib.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/provider.h>

#include "tp.h"

#define TP_PROPS "provider=" TP_NAME

static const OSSL_ALGORITHM store_algs[] = {
    {TP_SCHEME, TP_PROPS, tp_store_functions, "tlcptest key table"}, {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM keymgmt_algs[] = {
    {"SM2", TP_PROPS, tp_keymgmt_functions, "SM2 key handles"}, {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM signature_algs[] = {
    {"SM2", TP_PROPS, tp_signature_functions, "SM2 signature of a digest"},
    {NULL, NULL, NULL, NULL}};
static const OSSL_ALGORITHM asym_cipher_algs[] = {
    {"SM2", TP_PROPS, tp_asym_cipher_functions, "SM2 decryption"}, {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM *query(void *provctx, int operation_id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_STORE:
        return store_algs;
    case OSSL_OP_KEYMGMT:
        return keymgmt_algs;
    case OSSL_OP_SIGNATURE:
        return signature_algs;
    case OSSL_OP_ASYM_CIPHER:
        return asym_cipher_algs;
    default:
        return NULL;
    }
}

static void teardown(void *provctx)
{
    tp_ctx *ctx = provctx;
    tp_table_clear(ctx);
    OSSL_PROVIDER_unload(ctx->inner_default);
    OSSL_LIB_CTX_free(ctx->inner);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

static const OSSL_DISPATCH provider_functions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))teardown},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))query},
    {0, NULL}};

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx);

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    (void)handle;
    (void)in;
    tp_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return 0;
    pthread_mutex_init(&ctx->lock, NULL);
    ctx->inner = OSSL_LIB_CTX_new();
    ctx->inner_default = ctx->inner != NULL ? OSSL_PROVIDER_load(ctx->inner, "default") : NULL;
    if (ctx->inner_default == NULL) {
        OSSL_LIB_CTX_free(ctx->inner);
        pthread_mutex_destroy(&ctx->lock);
        free(ctx);
        return 0;
    }
    *out = provider_functions;
    *provctx = ctx;
    return 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM2 signature of a 32-byte digest and SM2 decryption on tp_key handles:
 * the handle names a slot of the provider's table, whose key is used with
 * the default provider in the provider's own library context.
 */
#include <stdlib.h>

#include <openssl/core_dispatch.h>

#include "tp.h"

typedef struct tp_op {
    tp_ctx *ctx;
    tp_key *key;
} tp_op;

static void *op_new(void *provctx, const char *propq)
{
    (void)propq;
    tp_op *op = calloc(1, sizeof(*op));
    if (op != NULL)
        op->ctx = provctx;
    return op;
}

static void *op_new_cipher(void *provctx)
{
    return op_new(provctx, NULL);
}

static void op_free(void *opctx)
{
    tp_op *op = opctx;
    if (op == NULL)
        return;
    tp_key_unref(op->key);
    free(op);
}

static int op_init(void *opctx, void *provkey, const OSSL_PARAM params[])
{
    (void)params;
    tp_op *op = opctx;
    tp_key *key = provkey;
    if (key == NULL || key->slot < 0)
        return 0;
    tp_key_unref(op->key);
    op->key = tp_key_ref(key);
    return 1;
}

/* An operation context for the slot's key in the provider's library context. */
static EVP_PKEY_CTX *inner_ctx(const tp_op *op)
{
    EVP_PKEY *pkey = op->key != NULL ? tp_table_key(op->ctx, op->key->slot) : NULL;
    return pkey != NULL ? EVP_PKEY_CTX_new_from_pkey(op->ctx->inner, pkey, NULL) : NULL;
}

static int op_sign(void *opctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                   const unsigned char *tbs, size_t tbslen)
{
    tp_op *op = opctx;
    if (sig == NULL) {
        *siglen = TP_SIG_MAX;
        return 1;
    }
    if (tbslen != 32 || op->key == NULL || (op->key->fail & TP_FAIL_SIGN) != 0)
        return 0;
    EVP_PKEY_CTX *ctx = inner_ctx(op);
    size_t n = sigsize;
    int ok =
        ctx != NULL && EVP_PKEY_sign_init(ctx) > 0 && EVP_PKEY_sign(ctx, sig, &n, tbs, tbslen) > 0;
    EVP_PKEY_CTX_free(ctx);
    if (ok)
        *siglen = n;
    return ok;
}

static int op_decrypt(void *opctx, unsigned char *out, size_t *outlen, size_t outsize,
                      const unsigned char *in, size_t inlen)
{
    tp_op *op = opctx;
    if (out == NULL) {
        *outlen = inlen;
        return 1;
    }
    if (op->key == NULL || (op->key->fail & TP_FAIL_DECRYPT) != 0)
        return 0;
    EVP_PKEY_CTX *ctx = inner_ctx(op);
    size_t n = outsize;
    int ok = ctx != NULL && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_decrypt(ctx, out, &n, in, inlen) > 0;
    EVP_PKEY_CTX_free(ctx);
    if (ok)
        *outlen = n;
    return ok;
}

const OSSL_DISPATCH tp_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))op_new},
    {OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))op_free},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))op_init},
    {OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))op_sign},
    {0, NULL}};

const OSSL_DISPATCH tp_asym_cipher_functions[] = {
    {OSSL_FUNC_ASYM_CIPHER_NEWCTX, (void (*)(void))op_new_cipher},
    {OSSL_FUNC_ASYM_CIPHER_FREECTX, (void (*)(void))op_free},
    {OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, (void (*)(void))op_init},
    {OSSL_FUNC_ASYM_CIPHER_DECRYPT, (void (*)(void))op_decrypt},
    {0, NULL}};

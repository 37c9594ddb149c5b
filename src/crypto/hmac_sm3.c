/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HMAC-SM3 through EVP_MAC. A template context with the digest already set
 * is built once; each call duplicates it, so the digest name is not looked up
 * again for every record.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/crypto.h"

static CRYPTO_ONCE hmac_once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MAC_CTX *hmac_template;

static void hmac_setup(void)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL)
        return;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (ctx == NULL)
        return;
    char digest[] = "SM3";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        return;
    }
    hmac_template = ctx;
}

int tlcp_hmac_sm3(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len,
                  uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err)
{
    ENSURE(key != NULL || key_len == 0, err, TLCP_R_INVALID_ARGUMENT, "HMAC-SM3 with a NULL key");
    ENSURE(data != NULL || len == 0, err, TLCP_R_INVALID_ARGUMENT, "HMAC-SM3 of NULL data");
    ENSURE(out != NULL, err, TLCP_R_INVALID_ARGUMENT, "HMAC-SM3 without an output buffer");
    if (!CRYPTO_THREAD_run_once(&hmac_once, hmac_setup) || hmac_template == NULL)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "HMAC-SM3 is not available from OpenSSL");

    /* EVP_MAC_init treats a NULL key as "keep the old key", so an empty key
     * must still be a real pointer. */
    static const uint8_t empty[1];
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(hmac_template);
    size_t n = 0;
    int ok = ctx != NULL && EVP_MAC_init(ctx, key_len == 0 ? empty : key, key_len, NULL) &&
             (len == 0 || EVP_MAC_update(ctx, data, len)) &&
             EVP_MAC_final(ctx, out, &n, TLCP_SM3_DIGEST_LEN) && n == TLCP_SM3_DIGEST_LEN;
    EVP_MAC_CTX_free(ctx); /* cleanses the keyed state */
    if (!ok)
        return CRYPTO_FAIL(err, TLCP_R_CRYPTO, "HMAC-SM3 failed");
    return 1;
}

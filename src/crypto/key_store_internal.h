/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files of the key-store route (key_store*.c, key_providers.c) only. */
#ifndef TLCP_CRYPTO_KEY_STORE_INTERNAL_H
#define TLCP_CRYPTO_KEY_STORE_INTERNAL_H

#include <openssl/evp.h>

#include "crypto/key_store.h"

#define TLCP_KEY_PROVIDERS_MAX 8

struct tlcp_key_providers {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *loaded[TLCP_KEY_PROVIDERS_MAX]; /* [0] is "default" */
    size_t num_loaded;
};

struct tlcp_store_key {
    EVP_PKEY *pkey;       /* a handle into its provider: never exported */
    OSSL_LIB_CTX *libctx; /* the context it was opened in (NULL = default) */
    char *propq;          /* property query for its operations, or NULL */
};

#endif

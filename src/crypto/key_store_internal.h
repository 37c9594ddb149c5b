/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files of the key-store route (key_store*.c, key_providers.c) only. */
#ifndef TLCP_CRYPTO_KEY_STORE_INTERNAL_H
#define TLCP_CRYPTO_KEY_STORE_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/store.h>
#include <openssl/ui.h>

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

/* Opens `uri` with OSSL_STORE in p's context (NULL = the default one,
 * configured by OPENSSL_CONF) with propq (what: "key URI" or "certificate
 * URI", for the messages); passphrase answers a PIN or
 * passphrase request through *ui (free it after OSSL_STORE_close). NULL with
 * the reason (no loader for the scheme, cannot open) in err. */
OSSL_STORE_CTX *tlcp_store_open_uri(const tlcp_key_providers *p, const char *propq, const char *uri,
                                    const char *what, const char *passphrase, UI_METHOD **ui,
                                    tlcp_error *err);

#endif

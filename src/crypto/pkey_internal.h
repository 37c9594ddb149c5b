/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared between src/crypto/ and src/x509/ only: the layout of tlcp_pkey, so
 * that certificate code can hand out a certificate's public key as a
 * tlcp_pkey without another encode/decode round trip.
 */
#ifndef TLCP_CRYPTO_PKEY_INTERNAL_H
#define TLCP_CRYPTO_PKEY_INTERNAL_H

#include <openssl/evp.h>

#include "crypto/crypto.h"

struct tlcp_pkey {
    EVP_PKEY *pkey; /* an SM2 key (EVP_PKEY_SM2 / "SM2"), owned */
    int refs;       /* tlcp_pkey_up_ref / tlcp_pkey_free; single-threaded use per object */
};

/* Takes ownership of `pkey` (an up-ref'd or fresh EVP_PKEY). Checks that it is
 * an SM2 key on sm2p256v1; on failure frees pkey and returns NULL. */
tlcp_pkey *tlcp_pkey_wrap(EVP_PKEY *pkey, tlcp_error *err);

#endif

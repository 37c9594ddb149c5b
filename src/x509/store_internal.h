/* SPDX-License-Identifier: Apache-2.0 */
/* The trust store's layout, shared by store.c and verify.c. */
#ifndef TLCP_X509_STORE_INTERNAL_H
#define TLCP_X509_STORE_INTERNAL_H

#include <openssl/x509_vfy.h>

#include "x509/x509_internal.h"

struct tlcp_trust_store {
    X509_STORE *store; /* owned; its get_issuer attaches the SM2 ID to what it finds */
    size_t count;      /* certificates added explicitly (files, *.pem in directories) */
    int refs;
};

/* X509_STORE get_issuer hook: the default lookup, then the SM2 ID on the
 * issuer found (certificates of hashed directories arrive without it). */
int tlcp_store_get_issuer(X509 **issuer, X509_STORE_CTX *ctx, X509 *x);

#endif

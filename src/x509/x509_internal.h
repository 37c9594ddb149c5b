/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files of src/x509 only: the OpenSSL side of tlcp_cert. */
#ifndef TLCP_X509_X509_INTERNAL_H
#define TLCP_X509_X509_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "x509/x509.h"

/* Takes ownership of `x` (freed on failure too): caches its DER encoding and
 * one-line names and attaches the SM2 ID when it is signed with SM3withSM2. */
tlcp_cert *tlcp_cert_wrap_x509(X509 *x, tlcp_error *err);

/* The wrapped X509 (owned by cert). */
X509 *tlcp_cert_x509(const tlcp_cert *cert);

/* Attaches the default SM2 distinguishing ID to a certificate signed with
 * SM3withSM2 that has none yet, so OpenSSL 3.0 can check its signature.
 * Certificates with other signature algorithms are left alone (an ID on an
 * RSA-signed certificate would make its verification fail). */
TLCP_MUST_CHECK int tlcp_x509_attach_sm2_id(X509 *x);

/* "C=CN, O=Example, CN=host" (UTF-8) into buf; "(unprintable name)" if
 * the name cannot be printed. */
void tlcp_x509_name_line(const X509_NAME *name, char *buf, size_t cap);

/* Reads a whole file (at most TLCP_X509_MAX_FILE bytes) for `what`
 * ("certificate", "CA", ...). Empty files are TLCP_R_DECODE. Caller frees. */
TLCP_MUST_CHECK int tlcp_x509_read_file(const char *path, const char *what, uint8_t **out,
                                        size_t *out_len, tlcp_error *err);

/* OpenSSL's first queued error as text ("no detail" when none); empties
 * the queue. */
void tlcp_x509_openssl_detail(char *buf, size_t cap);

/* 1 when the buffer looks like PEM text. */
int tlcp_x509_is_pem(const uint8_t *data, size_t len);

/* Calls fn (which takes ownership of x) for every CERTIFICATE block of a PEM
 * buffer, in order. At least one block is required; a malformed block is
 * TLCP_R_DECODE naming `what` and the block number. */
TLCP_MUST_CHECK int tlcp_x509_pem_each(const uint8_t *data, size_t len, const char *what,
                                       int (*fn)(void *arg, X509 *x, tlcp_error *err), void *arg,
                                       tlcp_error *err);

/* Every certificate of a PEM or DER buffer into `list`; `what` names the
 * source in error messages. */
TLCP_MUST_CHECK int tlcp_x509_parse_all(tlcp_cert_list *list, const uint8_t *data, size_t len,
                                        const char *what, tlcp_error *err);

/* A digest-sign context for SM3withSM2 with the default ID under `key`
 * (OpenSSL 3.0 needs the ID set explicitly); NULL on failure. certgen.c. */
EVP_MD_CTX *tlcp_x509_sm2_sign_ctx(const tlcp_pkey *key);

#endif

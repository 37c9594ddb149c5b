/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private keys given as a URI and held by an OpenSSL 3 provider (a PKCS#11
 * token through pkcs11-provider, a vendor's SDF/SKF provider, or a file:
 * URI): opened with OSSL_STORE, used only through EVP, never exported. The
 * key may be a provider-side handle whose scalar this process never sees.
 *
 * OpenSSL-free interface: the config layer keeps these objects and hands
 * their operations to the delegated-key machinery of the handshake.
 */
#ifndef TLCP_CRYPTO_KEY_STORE_H
#define TLCP_CRYPTO_KEY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Where URIs are opened: a library context of our own with OpenSSL's
 * default provider and the providers loaded into it. */
typedef struct tlcp_key_providers tlcp_key_providers;

tlcp_key_providers *tlcp_key_providers_new(tlcp_error *err);
/* Loads provider `name` (a module name or a path to the module) from
 * search_path (NULL = OpenSSL's modules directory). TLCP_R_KEY_STORE when it
 * cannot be loaded or does not initialise. */
TLCP_MUST_CHECK int tlcp_key_providers_load(tlcp_key_providers *p, const char *name,
                                            const char *search_path, tlcp_error *err);
/* Free every key opened through `p` first. NULL is a no-op. */
void tlcp_key_providers_free(tlcp_key_providers *p);

typedef struct tlcp_store_key tlcp_store_key; /* immutable once opened: thread-safe */

/* 1 when `text` has the form of a URI, SCHEME ":" ... with SCHEME a letter
 * followed by at least one letter, digit, '+', '-' or '.'. */
int tlcp_key_uri_form(const char *text);
/* Opens the first private key at `uri` in p's library context (p = NULL:
 * OpenSSL's default context, configured by OPENSSL_CONF); propq (may be
 * NULL) is the property query for the loader and the key's operations
 * ("provider=pkcs11"). passphrase (may be
 * NULL) answers a PIN or passphrase prompt; nothing is asked otherwise.
 * Failures: TLCP_R_KEY_STORE (no loader for the scheme, nothing there, no
 * private key), TLCP_R_BAD_KEY (not an SM2 key), TLCP_R_INVALID_ARGUMENT
 * (not a URI). */
tlcp_store_key *tlcp_store_key_open(const tlcp_key_providers *p, const char *propq, const char *uri,
                                    const char *passphrase, tlcp_error *err);
void tlcp_store_key_free(tlcp_store_key *key); /* NULL is a no-op */
/* 1 when the key's public half is `point` (04||X||Y). */
int tlcp_store_key_matches(const tlcp_store_key *key, const uint8_t point[TLCP_SM2_POINT_LEN]);
/* The provider's name ("default", "pkcs11", ...) for messages. */
const char *tlcp_store_key_provider(const tlcp_store_key *key);

/* The certificates at `uri` (an OSSL_STORE URI: file:..., pkcs11:..., a
 * provider's scheme), opened like a key URI: fn(arg, der, len) for each, in
 * the loader's order (the first is the leaf, the others its chain), at most
 * 16. TLCP_R_KEY_STORE when it cannot be opened or holds no certificate;
 * fn returning 0 stops with its error. */
typedef int (*tlcp_store_der_fn)(void *arg, const uint8_t *der, size_t len, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_store_certs_load(const tlcp_key_providers *p, const char *propq,
                                          const char *uri, const char *passphrase,
                                          tlcp_store_der_fn fn, void *arg, tlcp_error *err);

/* SM2 signature (DER) of the digest e = SM3(Z || M) or of e as given. */
TLCP_MUST_CHECK int tlcp_store_key_sign_digest(const tlcp_store_key *key,
                                               const uint8_t e[TLCP_SM3_DIGEST_LEN], uint8_t *sig,
                                               size_t *sig_len, size_t cap, tlcp_error *err);
/* SM2 decryption of a GM/T 0009 DER ciphertext. */
TLCP_MUST_CHECK int tlcp_store_key_decrypt(const tlcp_store_key *key, const uint8_t *in,
                                           size_t in_len, uint8_t *out, size_t *out_len, size_t cap,
                                           tlcp_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a private key given as a URI through OSSL_STORE (key_store.h):
 * the loader of the URI's scheme (a provider's, or the default provider's
 * "file") hands over an EVP_PKEY that may be only a handle into its
 * provider. We keep the handle and check what we can without the private
 * half: that it is an SM2 key and, later, that its public point is the
 * certificate's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "crypto/key_store_internal.h"
#include "crypto/pkey_internal.h"

/* At most this many objects are looked at behind one URI (a token may list
 * certificates and public keys before the private key). */
#define MAX_OBJECTS 64

int tlcp_key_uri_form(const char *text)
{
    if (text == NULL || !isalpha((unsigned char)text[0]))
        return 0;
    size_t i = 1;
    while (isalnum((unsigned char)text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.')
        i++;
    return i >= 2 && text[i] == ':';
}

/* The passphrase or PIN, never a prompt: without one the loader's request
 * fails and so does the load. */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pass = u;
    if (pass == NULL || size <= 0)
        return -1;
    size_t len = strlen(pass);
    if (len >= (size_t)size)
        return -1;
    memcpy(buf, pass, len + 1);
    return (int)len;
}

/* 1 when no loader is registered for the URI's scheme in the context. */
static int scheme_unknown(OSSL_LIB_CTX *libctx, const char *propq, const char *uri)
{
    char scheme[64];
    size_t len = strcspn(uri, ":");
    if (len >= sizeof(scheme))
        return 1;
    memcpy(scheme, uri, len);
    scheme[len] = '\0';
    OSSL_STORE_LOADER *loader = OSSL_STORE_LOADER_fetch(libctx, scheme, propq);
    OSSL_STORE_LOADER_free(loader);
    return loader == NULL;
}

static int open_failure(OSSL_LIB_CTX *libctx, const char *propq, const char *uri, const char *what,
                        tlcp_error *err)
{
    unsigned long last = ERR_peek_last_error();
    char detail[200] = "";
    if (last != 0)
        ERR_error_string_n(last, detail, sizeof(detail));
    ERR_clear_error();
    if (scheme_unknown(libctx, propq, uri)) {
        TLCP_ERR(err, TLCP_R_KEY_STORE,
                 "no OpenSSL store loader for the scheme '%.*s' of %s %s (load the "
                 "provider that registers it)",
                 (int)strcspn(uri, ":"), uri, what, uri);
        return 0;
    }
    TLCP_ERR(err, TLCP_R_KEY_STORE, "cannot open %s %s%s%s%s", what, uri, last ? " (" : "", detail,
             last ? ")" : "");
    return 0;
}

/* The first private key among the objects at the URI. */
static EVP_PKEY *first_private_key(OSSL_STORE_CTX *ctx)
{
    EVP_PKEY *pkey = NULL;
    for (int i = 0; pkey == NULL && i < MAX_OBJECTS && !OSSL_STORE_eof(ctx); i++) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(ctx);
        if (info == NULL) {
            if (OSSL_STORE_error(ctx))
                break;
            continue;
        }
        if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    return pkey;
}

/* The private key of an opened store, or NULL with the reason. */
static EVP_PKEY *load_from(OSSL_STORE_CTX *ctx, const char *uri, tlcp_error *err)
{
    (void)OSSL_STORE_expect(ctx, OSSL_STORE_INFO_PKEY);
    EVP_PKEY *pkey = first_private_key(ctx);
    if (pkey != NULL)
        return pkey;
    char what[512];
    snprintf(what, sizeof(what), "cannot load a private key from key URI %s", uri);
    if (ERR_peek_error() != 0)
        CRYPTO_FAIL(err, TLCP_R_KEY_STORE, what);
    else
        TLCP_ERR(err, TLCP_R_KEY_STORE, "no private key at key URI %s", uri);
    return NULL;
}

OSSL_STORE_CTX *tlcp_store_open_uri(const tlcp_key_providers *p, const char *propq, const char *uri,
                                    const char *what, const char *passphrase, UI_METHOD **ui,
                                    tlcp_error *err)
{
    OSSL_LIB_CTX *libctx = p != NULL ? p->libctx : NULL;
    /* The default context: what OPENSSL_CONF configures there (the usual
     * way to set up pkcs11-provider) applies to the keys. */
    if (libctx == NULL)
        (void)OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
    *ui = UI_UTIL_wrap_read_pem_callback(pass_cb, 0);
    if (*ui == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory");
        return NULL;
    }
    ERR_clear_error();
    OSSL_STORE_CTX *ctx =
        OSSL_STORE_open_ex(uri, libctx, propq, *ui, (void *)passphrase, NULL, NULL, NULL);
    if (ctx == NULL) {
        open_failure(libctx, propq, uri, what, err);
        UI_destroy_method(*ui);
        *ui = NULL;
    }
    return ctx;
}

static EVP_PKEY *load_pkey(const tlcp_key_providers *p, const char *propq, const char *uri,
                           const char *passphrase, tlcp_error *err)
{
    UI_METHOD *ui = NULL;
    OSSL_STORE_CTX *ctx = tlcp_store_open_uri(p, propq, uri, "key URI", passphrase, &ui, err);
    if (ctx == NULL)
        return NULL;
    EVP_PKEY *pkey = load_from(ctx, uri, err);
    OSSL_STORE_close(ctx);
    UI_destroy_method(ui);
    ERR_clear_error();
    return pkey;
}

/* SM2 and nothing else: an "EC" key on the SM2 curve would sign with ECDSA. */
static int check_sm2(EVP_PKEY *pkey, const char *uri, tlcp_error *err)
{
    ENSURE(EVP_PKEY_is_a(pkey, "SM2"), err, TLCP_R_BAD_KEY,
           "key at URI %s is not an SM2 key (OpenSSL key type %s)", uri,
           EVP_PKEY_get0_type_name(pkey) != NULL ? EVP_PKEY_get0_type_name(pkey) : "unknown");
    char group[64];
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                       &len))
        ENSURE(strcmp(group, "SM2") == 0, err, TLCP_R_BAD_KEY,
               "key at URI %s is on curve %s, not sm2p256v1", uri, group);
    ERR_clear_error();
    return 1;
}

tlcp_store_key *tlcp_store_key_open(const tlcp_key_providers *p, const char *propq, const char *uri,
                                    const char *passphrase, tlcp_error *err)
{
    ENSURE(tlcp_key_uri_form(uri), err, TLCP_R_INVALID_ARGUMENT,
           "'%s' is not a key URI (SCHEME:..., e.g. pkcs11:... or file:...)",
           uri != NULL ? uri : "(null)");
    /* OpenSSL tries a URI as a file name first: refuse the ambiguity. */
    ENSURE(strncmp(uri, "file:", 5) == 0 || access(uri, F_OK) != 0, err, TLCP_R_INVALID_ARGUMENT,
           "key URI %s is also the name of a file here: write file:%s or ./%s", uri, uri, uri);
    tlcp_store_key *key = calloc(1, sizeof(*key));
    ENSURE(key != NULL, err, TLCP_R_ALLOC, "out of memory");
    key->libctx = p != NULL ? p->libctx : NULL;
    key->propq = propq != NULL ? strdup(propq) : NULL;
    key->pkey =
        propq == NULL || key->propq != NULL ? load_pkey(p, propq, uri, passphrase, err) : NULL;
    if (key->pkey == NULL || !check_sm2(key->pkey, uri, err)) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory"); /* only when nothing was recorded */
        tlcp_store_key_free(key);
        return NULL;
    }
    return key;
}

void tlcp_store_key_free(tlcp_store_key *key)
{
    if (key == NULL)
        return;
    EVP_PKEY_free(key->pkey);
    free(key->propq);
    free(key);
}

int tlcp_store_key_matches(const tlcp_store_key *key, const uint8_t point[TLCP_SM2_POINT_LEN])
{
    uint8_t pub[TLCP_SM2_POINT_LEN + 8];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key->pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
                                        &len) &&
        len == TLCP_SM2_POINT_LEN)
        return CRYPTO_memcmp(pub, point, TLCP_SM2_POINT_LEN) == 0;
    /* A provider that does not give the point may still compare keys. */
    ERR_clear_error();
    tlcp_error ignored;
    tlcp_error_clear(&ignored);
    tlcp_pkey *cert_key = tlcp_pkey_from_point(point, TLCP_SM2_POINT_LEN, &ignored);
    EVP_PKEY *evp = cert_key != NULL ? tlcp_pkey_evp(cert_key) : NULL;
    int eq = evp != NULL && EVP_PKEY_eq(evp, key->pkey) == 1;
    tlcp_pkey_free(cert_key);
    ERR_clear_error();
    return eq;
}

const char *tlcp_store_key_provider(const tlcp_store_key *key)
{
    const OSSL_PROVIDER *prov = EVP_PKEY_get0_provider(key->pkey);
    const char *name = prov != NULL ? OSSL_PROVIDER_get0_name(prov) : NULL;
    return name != NULL ? name : "unknown";
}

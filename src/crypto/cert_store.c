/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificates given as a URI (key_store.h): the store that holds a key
 * often holds its certificate and chain too (a PKCS#11 token, a provider's
 * own scheme, a file: URI). They are read once, as DER, and from then on
 * are ordinary certificates: only private keys stay in their provider.
 */
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/key_store_internal.h"

#define MAX_CERTS   16
#define MAX_OBJECTS 64

/* One certificate object handed to fn; -1 when it is no certificate. */
static int take_cert(OSSL_STORE_INFO *info, tlcp_store_der_fn fn, void *arg, tlcp_error *err)
{
    if (OSSL_STORE_INFO_get_type(info) != OSSL_STORE_INFO_CERT)
        return -1;
    unsigned char *der = NULL;
    int len = i2d_X509(OSSL_STORE_INFO_get0_CERT(info), &der);
    if (len <= 0) {
        TLCP_ERR(err, TLCP_R_KEY_STORE, "a certificate from the store cannot be encoded");
        return 0;
    }
    int ok = fn(arg, der, (size_t)len, err);
    OPENSSL_free(der);
    return ok;
}

static int each_cert(OSSL_STORE_CTX *ctx, const char *uri, tlcp_store_der_fn fn, void *arg,
                     tlcp_error *err)
{
    int found = 0, ok = 1;
    for (int i = 0; ok && found < MAX_CERTS && i < MAX_OBJECTS && !OSSL_STORE_eof(ctx); i++) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(ctx);
        if (info == NULL) {
            if (OSSL_STORE_error(ctx))
                break;
            continue;
        }
        int r = take_cert(info, fn, arg, err);
        OSSL_STORE_INFO_free(info);
        ok = r != 0;
        found += r == 1;
    }
    GUARD(ok); /* fn's reason stands */
    ENSURE(found > 0, err, TLCP_R_KEY_STORE, "no certificate at certificate URI %s", uri);
    return 1;
}

int tlcp_store_certs_load(const tlcp_key_providers *p, const char *propq, const char *uri,
                          const char *passphrase, tlcp_store_der_fn fn, void *arg, tlcp_error *err)
{
    ENSURE(tlcp_key_uri_form(uri), err, TLCP_R_INVALID_ARGUMENT,
           "'%s' is not a certificate URI (SCHEME:...)", uri != NULL ? uri : "(null)");
    /* As for keys: OpenSSL would try a file of that name first. */
    ENSURE(strncmp(uri, "file:", 5) == 0 || access(uri, F_OK) != 0, err, TLCP_R_INVALID_ARGUMENT,
           "certificate URI %s is also the name of a file here: write file:%s or ./%s", uri, uri,
           uri);
    UI_METHOD *ui = NULL;
    OSSL_STORE_CTX *ctx =
        tlcp_store_open_uri(p, propq, uri, "certificate URI", passphrase, &ui, err);
    GUARD_PTR(ctx);
    (void)OSSL_STORE_expect(ctx, OSSL_STORE_INFO_CERT);
    int ok = each_cert(ctx, uri, fn, arg, err);
    OSSL_STORE_close(ctx);
    UI_destroy_method(ui);
    ERR_clear_error();
    return ok;
}

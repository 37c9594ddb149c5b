/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library context of key URIs: a context of our own, so loading a
 * provider for the keys changes nothing in the application's use of OpenSSL
 * (loading one into the default context would, for instance, stop OpenSSL
 * from falling back to its default provider there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/provider.h>

#include "crypto/key_store_internal.h"

tlcp_key_providers *tlcp_key_providers_new(tlcp_error *err)
{
    tlcp_key_providers *p = calloc(1, sizeof(*p));
    ENSURE(p != NULL, err, TLCP_R_ALLOC, "out of memory for the key providers");
    p->libctx = OSSL_LIB_CTX_new();
    /* The default provider decodes file: URIs and does the arithmetic of
     * exportable keys; a hardware provider adds its own operations. */
    OSSL_PROVIDER *def = p->libctx != NULL ? OSSL_PROVIDER_load(p->libctx, "default") : NULL;
    if (def == NULL) {
        tlcp_key_providers_free(p);
        CRYPTO_FAIL(err, TLCP_R_KEY_STORE, "cannot make a library context for key providers");
        return NULL;
    }
    p->loaded[p->num_loaded++] = def;
    return p;
}

int tlcp_key_providers_load(tlcp_key_providers *p, const char *name, const char *search_path,
                            tlcp_error *err)
{
    ENSURE(p != NULL && name != NULL && name[0] != '\0', err, TLCP_R_INVALID_ARGUMENT,
           "a key provider needs a name");
    ENSURE(p->num_loaded < TLCP_KEY_PROVIDERS_MAX, err, TLCP_R_CONFIG, "at most %d key providers",
           TLCP_KEY_PROVIDERS_MAX - 1);
    if (search_path != NULL && !OSSL_PROVIDER_set_default_search_path(p->libctx, search_path))
        return CRYPTO_FAIL(err, TLCP_R_KEY_STORE, "cannot set the provider search path");
    OSSL_PROVIDER *prov = OSSL_PROVIDER_load(p->libctx, name);
    if (prov == NULL) {
        char what[512];
        snprintf(what, sizeof(what), "cannot load OpenSSL provider '%s' from %s", name,
                 search_path != NULL ? search_path : "OpenSSL's modules directory");
        return CRYPTO_FAIL(err, TLCP_R_KEY_STORE, what);
    }
    p->loaded[p->num_loaded++] = prov;
    return 1;
}

void tlcp_key_providers_free(tlcp_key_providers *p)
{
    if (p == NULL)
        return;
    while (p->num_loaded > 0)
        OSSL_PROVIDER_unload(p->loaded[--p->num_loaded]);
    OSSL_LIB_CTX_free(p->libctx);
    free(p);
}

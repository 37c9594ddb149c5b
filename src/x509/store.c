/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_trust_store: the trusted CA certificates (file, directory) over X509_STORE. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "x509/store_internal.h"

tlcp_trust_store *tlcp_trust_store_new(tlcp_error *err)
{
    tlcp_trust_store *store = calloc(1, sizeof(*store));
    if (store == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for a trust store");
        return NULL;
    }
    store->store = X509_STORE_new();
    if (store->store == NULL) {
        free(store);
        CRYPTO_FAIL(err, TLCP_R_ALLOC, "cannot create a trust store");
        return NULL;
    }
    if (pthread_mutex_init(&store->keys_lock, NULL) != 0) {
        X509_STORE_free(store->store);
        free(store);
        TLCP_ERR(err, TLCP_R_ALLOC, "cannot create a trust store lock");
        return NULL;
    }
    X509_STORE_set_get_issuer(store->store, tlcp_store_get_issuer);
    store->refs = 1;
    return store;
}

tlcp_trust_store *tlcp_trust_store_up_ref(tlcp_trust_store *store)
{
    if (store != NULL)
        store->refs++;
    return store;
}

void tlcp_trust_store_free(tlcp_trust_store *store)
{
    if (store == NULL || --store->refs > 0)
        return;
    X509_STORE_free(store->store);
    tlcp_store_keys_clear(store);
    pthread_mutex_destroy(&store->keys_lock);
    free(store);
}

size_t tlcp_trust_store_count(const tlcp_trust_store *store)
{
    return store->count;
}

int tlcp_trust_store_add_cert(tlcp_trust_store *store, tlcp_cert *cert, tlcp_error *err)
{
    ENSURE(cert != NULL, err, TLCP_R_INVALID_ARGUMENT, "no CA certificate to add");
    /* The X509 already carries the SM2 ID (tlcp_cert_wrap_x509); the store
     * takes its own reference, so later lookups see it too. Adding the same
     * certificate twice is harmless. */
    if (!X509_STORE_add_cert(store->store, tlcp_cert_x509(cert)))
        return CRYPTO_FAIL(err, TLCP_R_CERT, "cannot add a CA certificate to the trust store");
    store->count++;
    return 1;
}

static int add_x509(void *arg, X509 *x, tlcp_error *err)
{
    tlcp_cert *cert = tlcp_cert_wrap_x509(x, err);
    int ok = cert != NULL && tlcp_trust_store_add_cert(arg, cert, err);
    tlcp_cert_free(cert);
    return ok;
}

/* Every certificate of a PEM bundle (no list limit: CA bundles are large)
 * or the one certificate of a DER file. */
static int add_file(tlcp_trust_store *store, const char *path, tlcp_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    GUARD(tlcp_x509_read_file(path, "CA", &data, &len, err));
    int ok;
    if (tlcp_x509_is_pem(data, len)) {
        ok = tlcp_x509_pem_each(data, len, path, add_x509, store, err);
    } else {
        tlcp_error local;
        tlcp_error_clear(&local);
        tlcp_cert *cert = tlcp_cert_from_der(data, len, &local);
        if (cert == NULL)
            TLCP_ERR(err, local.reason, "%s: %s", path, local.message);
        ok = cert != NULL && tlcp_trust_store_add_cert(store, cert, err);
        tlcp_cert_free(cert);
    }
    free(data);
    return ok;
}

int tlcp_trust_store_load_file(tlcp_trust_store *store, const char *path, tlcp_error *err)
{
    return add_file(store, path, err);
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

/* OpenSSL's hashed names: 8 hex digits, '.', optional 'r', digits. */
static int is_hashed_name(const char *name)
{
    for (int i = 0; i < 8; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    if (name[8] != '.')
        return 0;
    const char *p = name + 9;
    if (*p == 'r')
        p++;
    if (*p == '\0')
        return 0;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
    }
    return 1;
}

static int scan_dir(tlcp_trust_store *store, const char *path, size_t *hashed, tlcp_error *err)
{
    DIR *dir = opendir(path);
    ENSURE(dir != NULL, err, TLCP_R_FILE, "cannot open CA directory %s: %s", path, strerror(errno));
    int ok = 1;
    struct dirent *ent;
    while (ok && (ent = readdir(dir)) != NULL) {
        const char *name = ent->d_name;
        if (is_hashed_name(name)) {
            (*hashed)++;
            continue;
        }
        if (!has_suffix(name, ".pem") && !has_suffix(name, ".crt") && !has_suffix(name, ".cer"))
            continue;
        char full[4096];
        int n = snprintf(full, sizeof(full), "%s/%s", path, name);
        if (n < 0 || (size_t)n >= sizeof(full)) {
            TLCP_ERR(err, TLCP_R_FILE, "CA file path too long in %s", path);
            ok = 0;
            break;
        }
        struct stat st;
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        ok = add_file(store, full, err);
    }
    closedir(dir);
    return ok;
}

int tlcp_trust_store_load_dir(tlcp_trust_store *store, const char *path, tlcp_error *err)
{
    ENSURE(path != NULL && path[0] != '\0', err, TLCP_R_INVALID_ARGUMENT, "no CA directory given");
    size_t before = store->count, hashed = 0;
    GUARD(scan_dir(store, path, &hashed, err));
    ENSURE(hashed > 0 || store->count > before, err, TLCP_R_CONFIG,
           "CA directory %s holds no certificates (*.pem, *.crt, *.cer or hashed names)", path);
    if (hashed == 0)
        return 1;
    X509_LOOKUP *lookup = X509_STORE_add_lookup(store->store, X509_LOOKUP_hash_dir());
    if (lookup == NULL || !X509_LOOKUP_add_dir(lookup, path, X509_FILETYPE_PEM))
        return CRYPTO_FAIL(err, TLCP_R_CONFIG, "cannot use the CA directory");
    return 1;
}

int tlcp_store_get_issuer(X509 **issuer, X509_STORE_CTX *ctx, X509 *x)
{
    int r = X509_STORE_CTX_get1_issuer(issuer, ctx, x);
    if (r != 1)
        return r;
    /* Certificates from a hashed directory are read by OpenSSL without our
     * SM2 ID; attach it before the chain builder checks their signatures.
     * The store lock orders this against other threads doing the same. */
    X509_STORE *st = X509_STORE_CTX_get0_store(ctx);
    int ok = 0;
    if (X509_STORE_lock(st)) {
        ok = tlcp_x509_attach_sm2_id(*issuer);
        X509_STORE_unlock(st);
    }
    if (!ok) {
        X509_free(*issuer);
        *issuer = NULL;
        return -1;
    }
    return 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed material the harnesses share, read once from the interop recordings
 * (tests/data/interop): the GmSSL 3 test PKI, whose server keys also decrypt
 * the recorded ClientKeyExchange messages of that fixture. Loading reports a
 * failure instead of aborting, so that a target's setup (run from
 * LLVMFuzzerInitialize) can fail with a message rather than a "crash".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_fixtures.h"

const char *fuzz_data_dir(void)
{
    const char *dir = getenv("TLCP_FUZZ_DATA_DIR");
    return dir != NULL && dir[0] != 0 ? dir : TLCP_DATA_DIR;
}

const char *fuzz_data_file(const char *rel)
{
    /* A few at once: tlcp_config_load_sign_pair takes a certificate and a key path. */
    static char paths[4][4096];
    static unsigned next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof(paths[0]), "%s/%s", fuzz_data_dir(), rel);
    return p;
}

uint8_t *fuzz_read_fixture(const char *rel, size_t *out_len)
{
    const char *path = fuzz_data_file(rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fuzz setup: cannot open %s: %s (a fixture under tests/data is missing)\n",
                path, strerror(errno));
        return NULL;
    }
    size_t cap = 8192, len = 0, got;
    uint8_t *buf = malloc(cap);
    fuzz_require(buf != NULL, "out of memory");
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            fuzz_require(buf != NULL, "out of memory");
        }
    }
    fclose(f);
    *out_len = len;
    return buf;
}

tlcp_pkey *fuzz_fixture_key(const char *rel)
{
    size_t len;
    uint8_t *pem = fuzz_read_fixture(rel, &len);
    if (pem == NULL)
        return NULL;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_load_private(pem, len, NULL, &err);
    free(pem);
    if (key == NULL)
        fprintf(stderr, "fuzz setup: %s: %s\n", rel, tlcp_error_message(&err));
    return key;
}

tlcp_cert *fuzz_fixture_cert(const char *rel)
{
    size_t len;
    uint8_t *pem = fuzz_read_fixture(rel, &len);
    if (pem == NULL)
        return NULL;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *cert = tlcp_cert_load(pem, len, &err);
    free(pem);
    if (cert == NULL)
        fprintf(stderr, "fuzz setup: %s: %s\n", rel, tlcp_error_message(&err));
    return cert;
}

/* Every root the recorded peers used, so any recorded chain can verify. */
static tlcp_trust_store *build_store(void)
{
    static const char *const roots[] = {
        "interop/gmssl3-ecc-sm4-cbc-sm3/ca.pem",
        "interop/gmssl2-ecc-sm4-cbc-sm3/ca.pem",
        "interop/tongsuo-ecc-sm4-cbc-sm3/ca.pem",
    };
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *store = tlcp_trust_store_new(&err);
    fuzz_require(store != NULL, "trust store allocation failed");
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        tlcp_cert *ca = fuzz_fixture_cert(roots[i]);
        int ok = ca != NULL && tlcp_trust_store_add_cert(store, ca, &err);
        if (ca != NULL && !ok)
            fprintf(stderr, "fuzz setup: %s: %s\n", roots[i], tlcp_error_message(&err));
        tlcp_cert_free(ca);
        if (!ok) {
            tlcp_trust_store_free(store);
            return NULL;
        }
    }
    return store;
}

static tlcp_trust_store *store;

int fuzz_setup_x509_verify(void)
{
    if (store == NULL)
        store = build_store();
    return store != NULL;
}

const tlcp_trust_store *fuzz_fixture_store(void)
{
    if (!fuzz_setup_x509_verify())
        fuzz_fail("the recorded roots do not load (fuzz setup failed)");
    return store;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixed material the harnesses share, read once from the interop recordings
 * (TLCP_DATA_DIR/interop): the GmSSL 3 test PKI, whose server keys also
 * decrypt the recorded ClientKeyExchange messages of that fixture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_fixtures.h"

uint8_t *fuzz_read_shared(const char *rel, size_t *out_len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", TLCP_DATA_DIR, rel);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fuzz setup: cannot open %s\n", path);
        fuzz_fail("fixture file missing under tests/data (the repository is incomplete)");
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
    uint8_t *pem = fuzz_read_shared(rel, &len);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_load_private(pem, len, NULL, &err);
    free(pem);
    if (key == NULL) {
        fprintf(stderr, "fuzz setup: %s: %s\n", rel, tlcp_error_message(&err));
        fuzz_fail("fixture key does not load");
    }
    return key;
}

tlcp_cert *fuzz_fixture_cert(const char *rel)
{
    size_t len;
    uint8_t *pem = fuzz_read_shared(rel, &len);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *cert = tlcp_cert_load(pem, len, &err);
    free(pem);
    if (cert == NULL) {
        fprintf(stderr, "fuzz setup: %s: %s\n", rel, tlcp_error_message(&err));
        fuzz_fail("fixture certificate does not load");
    }
    return cert;
}

/* Every root the recorded peers used, so any recorded chain can verify. */
const tlcp_trust_store *fuzz_fixture_store(void)
{
    static tlcp_trust_store *store;
    static const char *const roots[] = {
        "interop/gmssl3-ecc-sm4-cbc-sm3/ca.pem",
        "interop/gmssl2-ecc-sm4-cbc-sm3/ca.pem",
        "interop/tongsuo-ecc-sm4-cbc-sm3/ca.pem",
    };
    if (store != NULL)
        return store;
    tlcp_error err;
    tlcp_error_clear(&err);
    store = tlcp_trust_store_new(&err);
    fuzz_require(store != NULL, "trust store allocation failed");
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        tlcp_cert *ca = fuzz_fixture_cert(roots[i]);
        fuzz_require(tlcp_trust_store_add_cert(store, ca, &err), "trust store rejected a root");
        tlcp_cert_free(ca);
    }
    return store;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A certificate with its private key given as a URI: the key stays in the
 * OpenSSL provider that opened it, so the pair holds the certificate alone
 * and the check that they belong together compares public points.
 */
#include <string.h>

#include "crypto/key_store.h"
#include "x509/x509_internal.h"

static int check_match(const tlcp_cert *cert, const tlcp_store_key *key, const char *cert_path,
                       const char *key_uri, tlcp_error *err)
{
    uint8_t point[TLCP_SM2_POINT_LEN];
    tlcp_pkey *pub = tlcp_cert_public_key(cert, err);
    int ok = pub != NULL && tlcp_pkey_get_point(pub, point, err);
    tlcp_pkey_free(pub);
    GUARD(ok);
    ENSURE(tlcp_store_key_matches(key, point), err, TLCP_R_KEY_CERT_MISMATCH,
           "private key %s does not match certificate %s", key_uri, cert_path);
    return 1;
}

int tlcp_keypair_load_uri(tlcp_keypair *out, tlcp_store_key **out_key, const tlcp_key_providers *p,
                          const char *propq, const char *cert_path, const char *key_uri,
                          const char *passphrase, tlcp_error *err)
{
    tlcp_store_key *key = tlcp_store_key_open(p, propq, key_uri, passphrase, err);
    GUARD_PTR(key);
    tlcp_keypair pair;
    memset(&pair, 0, sizeof(pair));
    if (!tlcp_keypair_load_cert_only(&pair, cert_path, err) ||
        !check_match(pair.cert, key, cert_path, key_uri, err)) {
        tlcp_keypair_clear(&pair);
        tlcp_store_key_free(key);
        return 0;
    }
    tlcp_keypair_clear(out);
    *out = pair; /* takes the references */
    *out_key = key;
    return 1;
}

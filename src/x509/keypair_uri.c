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

static int push_der(void *arg, const uint8_t *der, size_t len, tlcp_error *err)
{
    tlcp_cert *cert = tlcp_cert_from_der(der, len, err);
    GUARD_PTR(cert);
    int ok = tlcp_cert_list_push(arg, cert, err);
    tlcp_cert_free(cert);
    return ok;
}

/* The certificate (and its chain) from an OSSL_STORE URI in the key's
 * context: the first one is the leaf, the rest go after it on the wire. */
static int load_cert_uri(tlcp_keypair *pair, const tlcp_key_providers *p, const char *propq,
                         const char *uri, const char *passphrase, tlcp_error *err)
{
    tlcp_cert_list all;
    tlcp_cert_list_init(&all);
    int ok = tlcp_store_certs_load(p, propq, uri, passphrase, push_der, &all, err);
    if (ok && !tlcp_cert_is_sm2(all.certs[0])) {
        TLCP_ERR(err, TLCP_R_CERT, "certificate %s does not hold an SM2 key (%s)", uri,
                 tlcp_cert_subject(all.certs[0]));
        ok = 0;
    }
    tlcp_cert_list_init(&pair->extra);
    for (size_t i = 1; ok && i < all.num; i++)
        ok = tlcp_cert_list_push(&pair->extra, all.certs[i], err);
    if (ok)
        pair->cert = tlcp_cert_up_ref(all.certs[0]);
    tlcp_cert_list_clear(&all);
    return ok;
}

int tlcp_keypair_load_uri(tlcp_keypair *out, tlcp_store_key **out_key, const tlcp_key_providers *p,
                          const char *propq, const char *cert_path, const char *key_uri,
                          const char *passphrase, tlcp_error *err)
{
    tlcp_store_key *key = tlcp_store_key_open(p, propq, key_uri, passphrase, err);
    GUARD_PTR(key);
    tlcp_keypair pair;
    memset(&pair, 0, sizeof(pair));
    int cert_ok = tlcp_key_uri_form(cert_path)
                      ? load_cert_uri(&pair, p, propq, cert_path, passphrase, err)
                      : tlcp_keypair_load_cert_only(&pair, cert_path, err);
    if (!cert_ok || !check_match(pair.cert, key, cert_path, key_uri, err)) {
        tlcp_keypair_clear(&pair);
        tlcp_store_key_free(key);
        return 0;
    }
    tlcp_keypair_clear(out);
    *out = pair; /* takes the references */
    *out_key = key;
    return 1;
}

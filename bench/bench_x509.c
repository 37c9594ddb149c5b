/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Peer chain verification, leaf -> CA, in one run:
 *   x509_verify_chain          what a handshake does with a peer met again:
 *                              tlcp_peer_certs_parse of the DER (parsed-
 *                              certificate cache) + tlcp_verify_peer (our
 *                              SM2 in the chain step, signature memo);
 *   x509_verify_chain_nomemo   the same with the signature memo emptied
 *                              before every verification: the like-for-like
 *                              figure against X509_verify_cert below;
 *   x509_verify_chain_cold     both caches emptied before every
 *                              verification (a peer seen first: OpenSSL's
 *                              d2i_X509 dominates);
 *   x509_verify_chain_openssl  X509_verify_cert alone on the already parsed
 *                              X509 (OpenSSL's own checks, no parsing);
 * and the ratio of the first two to the third.
 */
#include <string.h>

#include <openssl/x509_vfy.h>

#include "bench.h"
#include "x509/store_internal.h"

typedef struct chain_ctx {
    tlcp_trust_store *store;
    tlcp_cert *ca, *leaf;
    const uint8_t *der;
    size_t der_len;
    X509_STORE *ossl_store;
} chain_ctx;

static int verify_ours(void *arg)
{
    chain_ctx *c = arg;
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    if (!tlcp_peer_certs_parse(&peer, &c->der, &c->der_len, 1, NULL))
        return 0;
    int ok = tlcp_verify_peer(c->store, &peer, NULL, NULL, NULL);
    tlcp_peer_certs_clear(&peer);
    return ok;
}

static int verify_ours_nomemo(void *arg)
{
    tlcp_sig_memo_clear();
    return verify_ours(arg);
}

static int verify_ours_cold(void *arg)
{
    tlcp_cert_cache_clear();
    tlcp_sig_memo_clear();
    return verify_ours(arg);
}

static int verify_openssl(void *arg)
{
    chain_ctx *c = arg;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ok = ctx != NULL &&
             X509_STORE_CTX_init(ctx, c->ossl_store, tlcp_cert_x509(c->leaf), NULL) &&
             X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    return ok;
}

static tlcp_cert *issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                        int profile)
{
    tlcp_certgen_params p;
    memset(&p, 0, sizeof(p));
    p.profile = profile;
    p.common_name = profile == TLCP_PROFILE_CA ? "bench CA" : "localhost";
    p.days = 2;
    return tlcp_certgen_issue(ca, ca_key, key, &p, NULL);
}

static int chain_setup(chain_ctx *c)
{
    tlcp_pkey *ca_key = tlcp_pkey_generate(NULL), *key = tlcp_pkey_generate(NULL);
    int ok = ca_key != NULL && key != NULL &&
             (c->ca = issue(NULL, ca_key, ca_key, TLCP_PROFILE_CA)) != NULL &&
             (c->leaf = issue(c->ca, ca_key, key, TLCP_PROFILE_SIGN)) != NULL &&
             (c->store = tlcp_trust_store_new(NULL)) != NULL &&
             tlcp_trust_store_add_cert(c->store, c->ca, NULL) &&
             (c->ossl_store = X509_STORE_new()) != NULL &&
             X509_STORE_add_cert(c->ossl_store, tlcp_cert_x509(c->ca)) == 1;
    if (ok)
        tlcp_cert_der(c->leaf, &c->der, &c->der_len);
    tlcp_pkey_free(ca_key);
    tlcp_pkey_free(key);
    return ok;
}

static void chain_teardown(chain_ctx *c)
{
    X509_STORE_free(c->ossl_store);
    tlcp_trust_store_free(c->store);
    tlcp_cert_free(c->leaf);
    tlcp_cert_free(c->ca);
}

void bench_x509(void)
{
    if (!bench_selected("x509_verify_chain"))
        return;
    chain_ctx c;
    memset(&c, 0, sizeof(c));
    if (!chain_setup(&c)) {
        bench_fail("x509_verify_chain", "cannot make the chain");
        chain_teardown(&c);
        return;
    }
    double ours = bench_ops("x509_verify_chain", verify_ours, &c);
    double nomemo = bench_ops("x509_verify_chain_nomemo", verify_ours_nomemo, &c);
    double cold = bench_ops("x509_verify_chain_cold", verify_ours_cold, &c);
    double ossl = bench_ops("x509_verify_chain_openssl", verify_openssl, &c);
    if (ours > 0 && ossl > 0)
        bench_report("x509_verify_chain_ours_vs_openssl", "ratio", ours / ossl);
    if (nomemo > 0 && ossl > 0)
        bench_report("x509_verify_chain_nomemo_vs_openssl", "ratio", nomemo / ossl);
    if (cold > 0 && ossl > 0)
        bench_report("x509_verify_chain_cold_vs_openssl", "ratio", cold / ossl);
    tlcp_cert_cache_clear();
    tlcp_sig_memo_clear();
    chain_teardown(&c);
}

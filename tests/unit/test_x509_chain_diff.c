/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our chain signature and date checks (src/x509/chain_verify.c, libtlcp's
 * SM2) against OpenSSL's X509_verify_cert on the same chains: good and
 * corrupted ones (a flipped signature bit, a wrong SM2 ID, expired and
 * not-yet-valid certificates at every depth, an issuer without keyCertSign,
 * mismatched signature algorithms, a missing issuer, partial chains, the
 * interop fixtures' chains). Each chain is verified twice per mode, once
 * with our step and once with OpenSSL's; the verdict, the error code, the
 * error depth and the whole sequence of verify-callback calls must agree.
 */
#include "x509_test_util.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "x509/store_internal.h"

#define DAY  86400
#define MAXC 64

/* ---- one verification, recorded --------------------------------------- */

typedef struct calls {
    int n;
    int ok[MAXC], error[MAXC], depth[MAXC];
    int continue_on_error; /* the callback accepts every failure */
} calls;

static int g_calls_index = -1;

static int record_cb(int ok, X509_STORE_CTX *ctx)
{
    calls *c = X509_STORE_CTX_get_ex_data(ctx, g_calls_index);
    if (c != NULL && c->n < MAXC) {
        c->ok[c->n] = ok;
        c->error[c->n] = X509_STORE_CTX_get_error(ctx);
        c->depth[c->n++] = X509_STORE_CTX_get_error_depth(ctx);
    }
    return ok || (c != NULL && c->continue_on_error);
}

typedef struct verdict {
    int rc, error, depth;
    calls calls;
} verdict;

static verdict run(tlcp_trust_store *store, X509 *leaf, STACK_OF(X509) * untrusted, time_t when,
                   unsigned long flags, int ours, int continue_on_error)
{
    verdict v;
    memset(&v, 0, sizeof(v));
    v.calls.continue_on_error = continue_on_error;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(X509_STORE_CTX_init(ctx, store->store, leaf, untrusted), 1);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), when);
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), flags);
    X509_STORE_CTX_set_verify_cb(ctx, record_cb);
    if (g_calls_index < 0)
        g_calls_index = X509_STORE_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    assert_true(g_calls_index > 0);
    assert_int_equal(X509_STORE_CTX_set_ex_data(ctx, g_calls_index, &v.calls), 1);
    if (ours) {
        X509_STORE_CTX_set_verify(ctx, tlcp_x509_chain_verify);
        X509_STORE_CTX_set_app_data(ctx, store);
    }
    v.rc = X509_verify_cert(ctx);
    v.error = X509_STORE_CTX_get_error(ctx);
    v.depth = X509_STORE_CTX_get_error_depth(ctx);
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return v;
}

static size_t g_cases, g_failures_seen;

/* Both modes of the callback; returns OpenSSL's error (strict mode). */
static int same_verdict(const char *what, tlcp_trust_store *store, X509 *leaf,
                        STACK_OF(X509) * untrusted, time_t when, unsigned long flags)
{
    int strict_error = 0;
    for (int cont = 0; cont <= 1; cont++) {
        verdict a = run(store, leaf, untrusted, when, flags, 0, cont);
        verdict b = run(store, leaf, untrusted, when, flags, 1, cont);
        if (a.rc != b.rc || a.error != b.error || a.depth != b.depth || a.calls.n != b.calls.n)
            fail_msg("%s (callback %s): OpenSSL rc %d error %d (%s) depth %d, %d calls; ours rc "
                     "%d error %d (%s) depth %d, %d calls",
                     what, cont ? "accepts" : "strict", a.rc, a.error,
                     X509_verify_cert_error_string(a.error), a.depth, a.calls.n, b.rc, b.error,
                     X509_verify_cert_error_string(b.error), b.depth, b.calls.n);
        for (int i = 0; i < a.calls.n; i++)
            if (a.calls.ok[i] != b.calls.ok[i] || a.calls.error[i] != b.calls.error[i] ||
                a.calls.depth[i] != b.calls.depth[i])
                fail_msg("%s: callback call %d: OpenSSL (%d, %d, %d), ours (%d, %d, %d)", what, i,
                         a.calls.ok[i], a.calls.error[i], a.calls.depth[i], b.calls.ok[i],
                         b.calls.error[i], b.calls.depth[i]);
        if (!cont)
            strict_error = a.error;
    }
    g_cases++;
    g_failures_seen += strict_error != X509_V_OK;
    return strict_error;
}

/* ---- a generated PKI: root -> intermediate -> leaf ---------------------- */

typedef struct pki {
    tlcp_pkey *root_key, *mid_key, *leaf_key, *other_key;
    tlcp_cert *root, *mid, *leaf, *other_root;
} pki;

static tlcp_cert *issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                        int profile, const char *cn, time_t not_before, int days, unsigned ku)
{
    tlcp_certgen_params p;
    memset(&p, 0, sizeof(p));
    p.profile = profile;
    p.common_name = cn;
    p.not_before = not_before;
    p.days = days;
    p.key_usage = ku;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *c = tlcp_certgen_issue(ca, ca_key, key, &p, &err);
    if (c == NULL)
        fail_msg("certgen %s: %s", cn, tlcp_error_message(&err));
    return c;
}

static tlcp_pkey *new_key(void)
{
    tlcp_pkey *k = tlcp_pkey_generate(NULL);
    assert_non_null(k);
    return k;
}

#define T0 ((time_t)1767225600) /* 2026-01-01 */

static void pki_make(pki *k)
{
    k->root_key = new_key();
    k->mid_key = new_key();
    k->leaf_key = new_key();
    k->other_key = new_key();
    k->root = issue(NULL, k->root_key, k->root_key, TLCP_PROFILE_CA, "diff root", T0, 3000, 0);
    k->other_root =
        issue(NULL, k->other_key, k->other_key, TLCP_PROFILE_CA, "diff root", T0, 3000, 0);
    k->mid =
        issue(k->root, k->root_key, k->mid_key, TLCP_PROFILE_CA, "diff mid", T0 + DAY, 2000, 0);
    k->leaf = issue(k->mid, k->mid_key, k->leaf_key, TLCP_PROFILE_SIGN, "localhost", T0 + 2 * DAY,
                    100, 0);
}

static void pki_free(pki *k)
{
    tlcp_cert *certs[] = {k->root, k->mid, k->leaf, k->other_root};
    tlcp_pkey *keys[] = {k->root_key, k->mid_key, k->leaf_key, k->other_key};
    for (size_t i = 0; i < 4; i++) {
        tlcp_cert_free(certs[i]);
        tlcp_pkey_free(keys[i]);
    }
}

static tlcp_trust_store *store_of(const tlcp_cert *ca)
{
    tlcp_trust_store *s = tlcp_trust_store_new(NULL);
    assert_non_null(s);
    assert_true(tlcp_trust_store_add_cert(s, (tlcp_cert *)ca, NULL));
    return s;
}

/* A copy of `cert` with one DER byte changed (offset from the end when
 * negative), parsed again (and so given the SM2 ID again). */
static tlcp_cert *mutated(const tlcp_cert *cert, long offset, uint8_t xor_mask)
{
    const uint8_t *der;
    size_t len;
    tlcp_cert_der(cert, &der, &len);
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, der, len);
    size_t at = offset < 0 ? len - (size_t)(-offset) : (size_t)offset;
    copy[at] ^= xor_mask;
    tlcp_cert *c = tlcp_cert_from_der(copy, len, NULL);
    free(copy);
    return c; /* NULL when the change broke the encoding */
}

/* Offset of the last occurrence of the SM2-with-SM3 OID's final byte: the
 * outer signatureAlgorithm. */
static long outer_alg_offset(const tlcp_cert *cert)
{
    static const uint8_t oid[] = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75};
    const uint8_t *der;
    size_t len;
    tlcp_cert_der(cert, &der, &len);
    for (size_t i = len - sizeof(oid); i > 0; i--)
        if (memcmp(der + i, oid, sizeof(oid)) == 0)
            return (long)(i + sizeof(oid) - 1);
    fail_msg("no SM2-with-SM3 OID");
    return 0;
}

static STACK_OF(X509) * stack_of(const tlcp_cert *a)
{
    STACK_OF(X509) *s = sk_X509_new_null();
    assert_non_null(s);
    if (a != NULL)
        assert_true(sk_X509_push(s, tlcp_cert_x509(a)) > 0);
    return s;
}

static void test_generated_chains(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    tlcp_trust_store *store = store_of(k.root);
    STACK_OF(X509) *mid = stack_of(k.mid);
    X509 *leaf = tlcp_cert_x509(k.leaf);
    const time_t good = T0 + 10 * DAY;

    assert_int_equal(same_verdict("good chain", store, leaf, mid, good, 0), X509_V_OK);
    /* The dates of every certificate, on both sides of each edge. */
    static const time_t whens[] = {T0 - 1,
                                   T0,
                                   T0 + DAY - 1,
                                   T0 + DAY,
                                   T0 + 2 * DAY - 1,
                                   T0 + 2 * DAY,
                                   T0 + 102 * DAY - 1,
                                   T0 + 102 * DAY,
                                   T0 + 2001 * DAY,
                                   T0 + 3001 * DAY};
    for (size_t i = 0; i < sizeof(whens) / sizeof(whens[0]); i++)
        (void)same_verdict("dates", store, leaf, mid, whens[i], 0);
    assert_int_equal(same_verdict("expired leaf", store, leaf, mid, T0 + 200 * DAY, 0),
                     X509_V_ERR_CERT_HAS_EXPIRED);
    assert_int_equal(same_verdict("leaf not yet valid", store, leaf, mid, T0 + DAY + 5, 0),
                     X509_V_ERR_CERT_NOT_YET_VALID);
    /* No time check requested. */
    (void)same_verdict("no time check", store, leaf, mid, T0 + 200 * DAY,
                       X509_V_FLAG_NO_CHECK_TIME);

    /* A flipped bit in each signature (the last DER byte is the signature's). */
    tlcp_cert *bad_leaf = mutated(k.leaf, -1, 0x01);
    assert_non_null(bad_leaf);
    assert_int_equal(
        same_verdict("leaf signature bit", store, tlcp_cert_x509(bad_leaf), mid, good, 0),
        X509_V_ERR_CERT_SIGNATURE_FAILURE);
    tlcp_cert *bad_mid = mutated(k.mid, -1, 0x80);
    assert_non_null(bad_mid);
    STACK_OF(X509) *bad_mid_stack = stack_of(bad_mid);
    assert_int_equal(
        same_verdict("intermediate signature bit", store, leaf, bad_mid_stack, good, 0),
        X509_V_ERR_CERT_SIGNATURE_FAILURE);
    /* Both wrong and expired: every error reaches the callback. */
    (void)same_verdict("bad and expired", store, tlcp_cert_x509(bad_leaf), bad_mid_stack,
                       T0 + 3001 * DAY, 0);
    /* A byte of the signed TBS (the serial number's last byte). */
    tlcp_cert *bad_tbs = mutated(k.leaf, 15, 0x01);
    if (bad_tbs != NULL) {
        assert_int_equal(same_verdict("TBS byte", store, tlcp_cert_x509(bad_tbs), mid, good, 0),
                         X509_V_ERR_CERT_SIGNATURE_FAILURE);
        tlcp_cert_free(bad_tbs);
    }
    /* The outer signatureAlgorithm no longer matches the TBS's. */
    tlcp_cert *bad_alg = mutated(k.leaf, outer_alg_offset(k.leaf), 0x02);
    assert_non_null(bad_alg);
    assert_int_equal(
        same_verdict("algorithm mismatch", store, tlcp_cert_x509(bad_alg), mid, good, 0),
        X509_V_ERR_CERT_SIGNATURE_FAILURE);

    /* Another SM2 ID on the leaf: the signature (made with the default ID)
     * no longer verifies. */
    tlcp_cert *other_id = mutated(k.leaf, 0, 0x00);
    ASN1_OCTET_STRING *id = ASN1_OCTET_STRING_new();
    assert_true(ASN1_OCTET_STRING_set(id, (const unsigned char *)"8765432187654321", 16));
    X509_set0_distinguishing_id(tlcp_cert_x509(other_id), id);
    assert_int_equal(same_verdict("wrong ID", store, tlcp_cert_x509(other_id), mid, good, 0),
                     X509_V_ERR_CERT_SIGNATURE_FAILURE);

    /* A root of the same name with another key: the intermediate's
     * authorityKeyIdentifier names the real root's key, so OpenSSL builds no
     * path (the same code on both sides). */
    tlcp_trust_store *impostor = store_of(k.other_root);
    assert_int_equal(same_verdict("wrong issuer key", impostor, leaf, mid, good, 0),
                     X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    /* No intermediate: OpenSSL's path building fails first (same code). */
    STACK_OF(X509) *none = stack_of(NULL);
    assert_int_equal(same_verdict("missing intermediate", store, leaf, none, good, 0),
                     X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    /* A trusted intermediate with PARTIAL_CHAIN: only its dates checked. */
    tlcp_trust_store *mid_store = store_of(k.mid);
    assert_int_equal(
        same_verdict("partial chain", mid_store, leaf, none, good, X509_V_FLAG_PARTIAL_CHAIN),
        X509_V_OK);
    (void)same_verdict("partial chain, expired", mid_store, leaf, none, T0 + 3001 * DAY,
                       X509_V_FLAG_PARTIAL_CHAIN);
    /* The root's own signature on request, good and flipped. */
    (void)same_verdict("root self-signature", store, leaf, mid, good,
                       X509_V_FLAG_CHECK_SS_SIGNATURE);
    tlcp_cert *bad_root = mutated(k.root, -1, 0x01);
    tlcp_trust_store *bad_root_store = store_of(bad_root);
    assert_int_equal(same_verdict("root self-signature flipped", bad_root_store, leaf, mid, good,
                                  X509_V_FLAG_CHECK_SS_SIGNATURE),
                     X509_V_ERR_CERT_SIGNATURE_FAILURE);
    (void)same_verdict("root self-signature not asked", bad_root_store, leaf, mid, good, 0);
    /* A self-signed leaf (depth zero). */
    tlcp_trust_store *leaf_store = store_of(k.leaf);
    (void)same_verdict("leaf as its own anchor", leaf_store, leaf, none, good,
                       X509_V_FLAG_PARTIAL_CHAIN);

    tlcp_trust_store *stores[] = {store, impostor, mid_store, bad_root_store, leaf_store};
    for (size_t i = 0; i < 5; i++)
        tlcp_trust_store_free(stores[i]);
    tlcp_cert *extra[] = {bad_leaf, bad_mid, bad_alg, other_id, bad_root};
    for (size_t i = 0; i < 5; i++)
        tlcp_cert_free(extra[i]);
    sk_X509_free(mid);
    sk_X509_free(bad_mid_stack);
    sk_X509_free(none);
    pki_free(&k);
}

/* An intermediate whose keyUsage lacks keyCertSign (but is a CA). */
static void test_issuer_without_cert_sign(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    tlcp_cert *weak_mid = issue(k.root, k.root_key, k.mid_key, TLCP_PROFILE_CA, "diff mid",
                                T0 + DAY, 2000, TLCP_KU_DIGITAL_SIGNATURE);
    tlcp_trust_store *store = store_of(k.root);
    STACK_OF(X509) *mid = stack_of(weak_mid);
    int e = same_verdict("no keyCertSign", store, tlcp_cert_x509(k.leaf), mid, T0 + 10 * DAY, 0);
    assert_int_not_equal(e, X509_V_OK);
    sk_X509_free(mid);
    tlcp_trust_store_free(store);
    tlcp_cert_free(weak_mid);
    pki_free(&k);
}

/* ---- the interop fixtures ----------------------------------------------- */

static void fixture_chain(const char *name, const char *leaf_file)
{
    tlcp_cert_list chain;
    tlcp_cert_list_init(&chain);
    if (fx_has(name, "chain.pem"))
        assert_true(tlcp_cert_list_load_file(&chain, fx_path(name, "chain.pem"), NULL));
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (size_t i = 0; i < chain.num; i++)
        assert_true(sk_X509_push(untrusted, tlcp_cert_x509(chain.certs[i])) > 0);
    tlcp_trust_store *store = fx_store(name);
    tlcp_cert *leaf = fx_cert(name, leaf_file);
    char what[256];
    snprintf(what, sizeof(what), "%s/%s", name, leaf_file);
    assert_int_equal(same_verdict(what, store, tlcp_cert_x509(leaf), untrusted, PIN_2026_11_28, 0),
                     X509_V_OK);
    (void)same_verdict(what, store, tlcp_cert_x509(leaf), untrusted, PIN_2040_01_01, 0);
    (void)same_verdict(what, store, tlcp_cert_x509(leaf), untrusted, PIN_2026_01_01 - 400 * DAY, 0);
    tlcp_cert *bad = mutated(leaf, -2, 0x10);
    if (bad != NULL) {
        assert_int_equal(
            same_verdict(what, store, tlcp_cert_x509(bad), untrusted, PIN_2026_11_28, 0),
            X509_V_ERR_CERT_SIGNATURE_FAILURE);
        tlcp_cert_free(bad);
    }
    assert_true(store->num_keys >= 1); /* our SM2 checked the chain (not OpenSSL's fallback) */
    tlcp_cert_free(leaf);
    tlcp_trust_store_free(store);
    sk_X509_free(untrusted);
    tlcp_cert_list_clear(&chain);
}

static void test_interop_fixtures(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = tu_list_fixtures(&names);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fx_is_sm2_server(names[i]))
            continue;
        fixture_chain(names[i], "server-sign.pem");
        fixture_chain(names[i], "server-enc.pem");
        checked++;
    }
    tu_free_list(names, n);
    assert_true(checked >= 25);
    printf("%zu chains compared, %zu of them failing in OpenSSL's verdict too\n", g_cases,
           g_failures_seen);
}

/* ---- through tlcp_verify_peer, on both paths ---------------------------- */

/* The public verification gives the same result on our path and on the
 * OpenSSL-only one (TLCP_TEST_SM2_EVP), for a bad signature too. */
static void test_both_paths_through_verify_peer(void **state)
{
    (void)state;
    const char *fx = "gmssl3-ecc-sm4-cbc-sm3";
    tlcp_trust_store *store = fx_store(fx);
    tlcp_cert *sign = fx_cert(fx, "server-sign.pem");
    tlcp_cert *enc = fx_cert(fx, "server-enc.pem");
    tlcp_cert *bad = mutated(sign, -1, 0x01);
    assert_non_null(bad);
    char messages[2][2][512];
    for (int openssl = 0; openssl <= 1; openssl++) {
        tlcp_x509_force_openssl_chain_checks(openssl);
        assert_int_equal(tlcp_x509_own_chain_checks(), !openssl);
        for (int broken = 0; broken <= 1; broken++) {
            tlcp_peer_certs peer;
            memset(&peer, 0, sizeof(peer));
            peer.sign = broken ? bad : sign;
            peer.enc = enc;
            tlcp_cert_list_init(&peer.chain);
            assert_true(tlcp_cert_list_load_file(&peer.chain, fx_path(fx, "chain.pem"), NULL));
            tlcp_verify_params p;
            memset(&p, 0, sizeof(p));
            p.time = PIN_2026_11_28;
            p.require_enc = 1;
            tlcp_verify_result r;
            tlcp_error err;
            tlcp_error_clear(&err);
            int ok = tlcp_verify_peer(store, &peer, &p, &r, &err);
            assert_int_equal(ok, !broken);
            if (broken) {
                assert_int_equal(r.x509_error, X509_V_ERR_CERT_SIGNATURE_FAILURE);
                assert_int_equal(r.depth, 0);
                assert_int_equal(r.alert, TLCP_ALERT_BAD_CERTIFICATE);
            }
            snprintf(messages[openssl][broken], sizeof(messages[0][0]), "%.500s", r.message);
            tlcp_cert_list_clear(&peer.chain);
        }
    }
    assert_string_equal(messages[0][1], messages[1][1]);
    tlcp_x509_force_openssl_chain_checks(0);
    tlcp_cert_free(bad);
    tlcp_cert_free(sign);
    tlcp_cert_free(enc);
    tlcp_trust_store_free(store);
}

/* The store's key cache holds one key per CA point and changes no verdict:
 * a good chain, then a bad signature under the same cached key. */
static void test_key_cache(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    tlcp_trust_store *store = store_of(k.root);
    STACK_OF(X509) *mid = stack_of(k.mid);
    tlcp_cert *bad_leaf = mutated(k.leaf, -1, 0x01);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(
            same_verdict("cached good", store, tlcp_cert_x509(k.leaf), mid, T0 + 10 * DAY, 0),
            X509_V_OK);
        assert_int_equal(
            same_verdict("cached bad", store, tlcp_cert_x509(bad_leaf), mid, T0 + 10 * DAY, 0),
            X509_V_ERR_CERT_SIGNATURE_FAILURE);
    }
    assert_int_equal(store->num_keys, 2); /* the root's and the intermediate's */
    tlcp_cert_free(bad_leaf);
    sk_X509_free(mid);
    tlcp_trust_store_free(store);
    pki_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_chains),
        cmocka_unit_test(test_issuer_without_cert_sign),
        cmocka_unit_test(test_interop_fixtures),
        cmocka_unit_test(test_both_paths_through_verify_peer),
        cmocka_unit_test(test_key_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

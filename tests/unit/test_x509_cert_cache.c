/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two caches of peer verification (src/x509/cert_cache.c, parsed
 * certificates by exact DER; src/x509/sig_memo.c, certificate signatures
 * that verified) answer only the same question again: a changed DER byte, a
 * different trust store (even one whose CA has the same name), a time
 * outside the validity window, or a new SM2 ID never reuse an earlier
 * success, and failures are never remembered.
 */
#include "x509_test_util.h"

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>

#include "crypto/crypto.h"
#include "x509/store_internal.h"

#define DAY       86400
#define NOT_AFTER (PIN_2026_01_01 + 30 * DAY)

typedef struct pki {
    tlcp_pkey *ca_key, *other_ca_key, *sign_key, *enc_key;
    tlcp_cert *ca, *other_ca, *sign, *enc;
} pki;

static tlcp_pkey *new_key(void)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *k = tlcp_pkey_generate(&err);
    assert_non_null(k);
    return k;
}

static tlcp_cert *issue(const tlcp_cert *ca, const tlcp_pkey *ca_key, const tlcp_pkey *key,
                        int profile, const char *cn)
{
    tlcp_certgen_params p;
    memset(&p, 0, sizeof(p));
    p.profile = profile;
    p.common_name = cn;
    p.not_before = PIN_2026_01_01;
    p.days = 30;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *c = tlcp_certgen_issue(ca, ca_key, key, &p, &err);
    if (c == NULL)
        fprintf(stderr, "certgen: %s\n", tlcp_error_message(&err));
    assert_non_null(c);
    return c;
}

/* Two CAs with the same name and different keys; leaves issued by the first. */
static void pki_make(pki *k)
{
    k->ca_key = new_key();
    k->other_ca_key = new_key();
    k->sign_key = new_key();
    k->enc_key = new_key();
    k->ca = issue(NULL, k->ca_key, k->ca_key, TLCP_PROFILE_CA, "Cache Test CA");
    k->other_ca = issue(NULL, k->other_ca_key, k->other_ca_key, TLCP_PROFILE_CA, "Cache Test CA");
    k->sign = issue(k->ca, k->ca_key, k->sign_key, TLCP_PROFILE_SIGN, "server");
    k->enc = issue(k->ca, k->ca_key, k->enc_key, TLCP_PROFILE_ENC, "server");
}

static void pki_free(pki *k)
{
    tlcp_cert_free(k->ca);
    tlcp_cert_free(k->other_ca);
    tlcp_cert_free(k->sign);
    tlcp_cert_free(k->enc);
    tlcp_pkey_free(k->ca_key);
    tlcp_pkey_free(k->other_ca_key);
    tlcp_pkey_free(k->sign_key);
    tlcp_pkey_free(k->enc_key);
}

static tlcp_trust_store *store_with(tlcp_cert *ca)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *s = tlcp_trust_store_new(&err);
    assert_non_null(s);
    if (ca != NULL)
        assert_true(tlcp_trust_store_add_cert(s, ca, &err));
    return s;
}

static uint8_t *der_copy(const tlcp_cert *c, size_t *len)
{
    const uint8_t *der;
    tlcp_cert_der(c, &der, len);
    uint8_t *copy = malloc(*len);
    assert_non_null(copy);
    memcpy(copy, der, *len);
    return copy;
}

/* Offset of the first occurrence of `needle` in the DER (a byte inside the
 * TBS to change: the subject's common name). */
static size_t find_bytes(const uint8_t *der, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(der + i, needle, n) == 0)
            return i;
    fail_msg("'%s' not in the certificate", needle);
    return 0;
}

/* Verifies [sign, enc] as the peer's Certificate list (wire bytes). */
static int verify_list(const tlcp_trust_store *store, const uint8_t *sign_der, size_t sign_len,
                       const uint8_t *enc_der, size_t enc_len, time_t when, tlcp_verify_result *r)
{
    const uint8_t *ders[2] = {sign_der, enc_der};
    size_t lens[2] = {sign_len, enc_len};
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    tlcp_error err;
    tlcp_error_clear(&err);
    if (!tlcp_peer_certs_parse(&peer, ders, lens, 2, &err)) {
        memset(r, 0, sizeof(*r));
        return 0;
    }
    tlcp_verify_params p;
    memset(&p, 0, sizeof(p));
    p.time = when;
    p.require_enc = 1;
    int ok = tlcp_verify_peer(store, &peer, &p, r, &err);
    tlcp_peer_certs_clear(&peer);
    return ok;
}

static int setup(void **state)
{
    (void)state;
    tlcp_cert_cache_clear();
    tlcp_sig_memo_clear();
    return 0;
}

/* ---- the parsed-certificate cache ---------------------------------------- */

static void test_same_bytes_same_object(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    size_t len;
    uint8_t *der = der_copy(k.sign, &len);
    tlcp_error err;
    tlcp_error_clear(&err);
    unsigned long hits = tlcp_cert_cache_hits();
    tlcp_cert *a = tlcp_cert_from_der_cached(der, len, &err);
    tlcp_cert *b = tlcp_cert_from_der_cached(der, len, &err);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_int_equal(tlcp_cert_cache_hits(), hits + 1);
    /* The public key is made once and shared (with its per-key tables). */
    tlcp_pkey *ka = tlcp_cert_public_key(a, &err);
    tlcp_pkey *kb = tlcp_cert_public_key(b, &err);
    assert_non_null(ka);
    assert_ptr_equal(ka, kb);
    assert_true(tlcp_pkey_public_equal(ka, k.sign_key));
    tlcp_pkey_free(ka);
    tlcp_pkey_free(kb);
    tlcp_cert_free(a);
    tlcp_cert_free(b);
    free(der);
    pki_free(&k);
}

static void test_changed_byte_is_parsed_anew(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    size_t len;
    uint8_t *der = der_copy(k.sign, &len);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *a = tlcp_cert_from_der_cached(der, len, &err);
    assert_non_null(a);
    der[find_bytes(der, len, "server")] ^= 0x01; /* "server" -> "rerver" */
    unsigned long hits = tlcp_cert_cache_hits();
    tlcp_cert *b = tlcp_cert_from_der_cached(der, len, &err);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal(tlcp_cert_cache_hits(), hits);
    assert_non_null(strstr(tlcp_cert_subject(b), "rerver"));
    assert_non_null(strstr(tlcp_cert_subject(a), "server"));
    tlcp_cert_free(a);
    tlcp_cert_free(b);
    free(der);
    pki_free(&k);
}

static void test_errors_are_not_cached(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    size_t len;
    uint8_t *der = der_copy(k.sign, &len);
    uint8_t *longer = malloc(len + 1);
    assert_non_null(longer);
    memcpy(longer, der, len);
    longer[len] = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *a = tlcp_cert_from_der_cached(der, len, &err);
    assert_non_null(a);
    /* The cached certificate followed by one byte is still refused. */
    for (int round = 0; round < 2; round++) {
        tlcp_error_clear(&err);
        assert_null(tlcp_cert_from_der_cached(longer, len + 1, &err));
        assert_int_equal(err.reason, TLCP_R_TRAILING_DATA);
        tlcp_error_clear(&err);
        assert_null(tlcp_cert_from_der_cached(der, len - 1, &err)); /* truncated */
        assert_int_equal(err.reason, TLCP_R_DECODE);
    }
    tlcp_error_clear(&err);
    assert_null(tlcp_cert_from_der_cached(NULL, 0, &err));
    assert_int_equal(err.reason, TLCP_R_DECODE);
    tlcp_cert_free(a);
    free(longer);
    free(der);
    pki_free(&k);
}

static void test_bounded(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    size_t first_len;
    uint8_t *first = der_copy(k.sign, &first_len);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *held = tlcp_cert_from_der_cached(first, first_len, &err);
    assert_non_null(held);
    /* More distinct certificates than the cache holds push the first out. */
    for (int i = 0; i < 80; i++) {
        char cn[32];
        snprintf(cn, sizeof(cn), "filler %d", i);
        tlcp_cert *c = issue(k.ca, k.ca_key, k.sign_key, TLCP_PROFILE_SIGN, cn);
        const uint8_t *der;
        size_t len;
        tlcp_cert_der(c, &der, &len);
        tlcp_cert *p = tlcp_cert_from_der_cached(der, len, &err);
        assert_non_null(p);
        tlcp_cert_free(p);
        tlcp_cert_free(c);
    }
    unsigned long hits = tlcp_cert_cache_hits();
    tlcp_cert *again = tlcp_cert_from_der_cached(first, first_len, &err);
    assert_non_null(again);
    assert_int_equal(tlcp_cert_cache_hits(), hits);
    assert_ptr_not_equal(again, held); /* evicted, yet still valid for its holder */
    assert_string_equal(tlcp_cert_subject(again), tlcp_cert_subject(held));
    tlcp_cert_free(again);
    tlcp_cert_free(held);
    free(first);
    pki_free(&k);
}

/* ---- the signature memo ---------------------------------------------------- */

static void test_memo_hits_only_the_same_chain(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    tlcp_trust_store *store = store_with(k.ca);
    size_t sign_len, enc_len;
    uint8_t *sign = der_copy(k.sign, &sign_len);
    uint8_t *enc = der_copy(k.enc, &enc_len);
    tlcp_verify_result r;
    time_t inside = PIN_2026_01_01 + DAY;
    assert_true(verify_list(store, sign, sign_len, enc, enc_len, inside, &r));
    unsigned long hits = tlcp_sig_memo_hits();
    assert_true(verify_list(store, sign, sign_len, enc, enc_len, inside, &r));
    /* Both leaves (only our chain checks keep the memo; OpenSSL's verify
     * step under TLCP_TEST_SM2_EVP=1 checks every signature). */
    assert_int_equal(tlcp_sig_memo_hits(), hits + (tlcp_x509_own_chain_checks() ? 2 : 0));

    /* One changed TBS byte: parsed anew, verified anew, refused. */
    uint8_t *bad = malloc(sign_len);
    assert_non_null(bad);
    memcpy(bad, sign, sign_len);
    bad[find_bytes(bad, sign_len, "server")] ^= 0x01;
    for (int round = 0; round < 2; round++) {
        assert_false(verify_list(store, bad, sign_len, enc, enc_len, inside, &r));
        assert_int_equal(r.x509_error, X509_V_ERR_CERT_SIGNATURE_FAILURE);
    }
    /* One changed signature byte (the last byte of s). */
    memcpy(bad, sign, sign_len);
    bad[sign_len - 1] ^= 0x01;
    assert_false(verify_list(store, bad, sign_len, enc, enc_len, inside, &r));
    assert_int_equal(r.x509_error, X509_V_ERR_CERT_SIGNATURE_FAILURE);

    /* Outside the validity window, on both sides. */
    assert_false(verify_list(store, sign, sign_len, enc, enc_len, NOT_AFTER + 1, &r));
    assert_int_equal(r.x509_error, X509_V_ERR_CERT_HAS_EXPIRED);
    assert_false(verify_list(store, sign, sign_len, enc, enc_len, PIN_2026_01_01 - DAY, &r));
    assert_int_equal(r.x509_error, X509_V_ERR_CERT_NOT_YET_VALID);

    /* The good chain still verifies after all those failures. */
    assert_true(verify_list(store, sign, sign_len, enc, enc_len, inside, &r));
    free(bad);
    free(enc);
    free(sign);
    tlcp_trust_store_free(store);
    pki_free(&k);
}

static void test_memo_bound_to_the_store(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    tlcp_trust_store *store = store_with(k.ca);
    tlcp_trust_store *same_name = store_with(k.other_ca); /* same CA name, other key */
    tlcp_trust_store *empty = store_with(NULL);
    size_t sign_len, enc_len;
    uint8_t *sign = der_copy(k.sign, &sign_len);
    uint8_t *enc = der_copy(k.enc, &enc_len);
    tlcp_verify_result r;
    time_t inside = PIN_2026_01_01 + DAY;
    assert_true(verify_list(store, sign, sign_len, enc, enc_len, inside, &r));
    assert_true(verify_list(store, sign, sign_len, enc, enc_len, inside, &r));
    for (int round = 0; round < 2; round++) {
        assert_false(verify_list(same_name, sign, sign_len, enc, enc_len, inside, &r));
        assert_int_not_equal(r.x509_error, X509_V_OK);
        assert_false(verify_list(empty, sign, sign_len, enc, enc_len, inside, &r));
        assert_int_equal(r.x509_error, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
        assert_false(verify_list(NULL, sign, sign_len, enc, enc_len, inside, &r));
    }
    assert_true(verify_list(store, sign, sign_len, enc, enc_len, inside, &r));
    free(enc);
    free(sign);
    tlcp_trust_store_free(store);
    tlcp_trust_store_free(same_name);
    tlcp_trust_store_free(empty);
    pki_free(&k);
}

/* The memo's own key: a different SM2 ID or issuer point with the same DER
 * is a different question. */
static void test_memo_key(void **state)
{
    (void)state;
    uint8_t point[TLCP_SM2_POINT_LEN] = {0x04, 1, 2, 3};
    uint8_t der[100];
    memset(der, 0x30, sizeof(der));
    tlcp_sig_question q = {point, (const uint8_t *)"1234567812345678", 16, der, sizeof(der)};
    assert_false(tlcp_sig_memo_seen(&q));
    tlcp_sig_memo_add(&q);
    assert_true(tlcp_sig_memo_seen(&q));
    tlcp_sig_question other_id = q;
    other_id.id = (const uint8_t *)"1234567812345679";
    assert_false(tlcp_sig_memo_seen(&other_id));
    other_id.id_len = 15;
    assert_false(tlcp_sig_memo_seen(&other_id));
    uint8_t other_point[TLCP_SM2_POINT_LEN];
    memcpy(other_point, point, sizeof(point));
    other_point[64] ^= 1;
    tlcp_sig_question op = q;
    op.point = other_point;
    assert_false(tlcp_sig_memo_seen(&op));
    tlcp_sig_question shorter = q;
    shorter.der_len--;
    assert_false(tlcp_sig_memo_seen(&shorter));
    der[50] ^= 1;
    assert_false(tlcp_sig_memo_seen(&q));
    der[50] ^= 1;
    assert_true(tlcp_sig_memo_seen(&q));
    tlcp_sig_memo_clear();
    assert_false(tlcp_sig_memo_seen(&q));
}

/* ---- both caches from several threads -------------------------------------- */

typedef struct worker {
    const tlcp_trust_store *store;
    const uint8_t *sign, *enc;
    size_t sign_len, enc_len;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 50; i++) {
        tlcp_verify_result r;
        if (!verify_list(w->store, w->sign, w->sign_len, w->enc, w->enc_len, PIN_2026_01_01 + DAY,
                         &r))
            w->failures++;
        if (i % 10 == 0)
            tlcp_cert_cache_clear(); /* evictions under the readers' feet */
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pki k;
    pki_make(&k);
    tlcp_trust_store *store = store_with(k.ca);
    size_t sign_len, enc_len;
    uint8_t *sign = der_copy(k.sign, &sign_len);
    uint8_t *enc = der_copy(k.enc, &enc_len);
    worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){store, sign, enc, sign_len, enc_len, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    free(enc);
    free(sign);
    tlcp_trust_store_free(store);
    pki_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_same_bytes_same_object, setup),
        cmocka_unit_test_setup(test_changed_byte_is_parsed_anew, setup),
        cmocka_unit_test_setup(test_errors_are_not_cached, setup),
        cmocka_unit_test_setup(test_bounded, setup),
        cmocka_unit_test_setup(test_memo_hits_only_the_same_chain, setup),
        cmocka_unit_test_setup(test_memo_bound_to_the_store, setup),
        cmocka_unit_test_setup(test_memo_key, setup),
        cmocka_unit_test_setup(test_threads, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tlcp_cert_cache_clear();
    tlcp_sig_memo_clear();
    return rc;
}

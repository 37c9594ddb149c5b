/* SPDX-License-Identifier: Apache-2.0 */
/* Peer chain classification and verification against the interop fixtures. */
#include "x509_test_util.h"

/* Parses the files (relative to a fixture) as one received Certificate list. */
static int parse_files(tlcp_peer_certs *peer, const char *fixture, const char *const *files,
                       size_t n, tlcp_error *err)
{
    tlcp_cert_list all;
    tlcp_cert_list_init(&all);
    for (size_t i = 0; i < n; i++) {
        tlcp_error e;
        tlcp_error_clear(&e);
        assert_true(tlcp_cert_list_load_file(&all, fx_path(fixture, files[i]), &e));
    }
    const uint8_t *ders[TLCP_X509_MAX_LIST];
    size_t lens[TLCP_X509_MAX_LIST];
    for (size_t i = 0; i < all.num; i++)
        tlcp_cert_der(all.certs[i], &ders[i], &lens[i]);
    int ok = tlcp_peer_certs_parse(peer, ders, lens, all.num, err);
    tlcp_cert_list_clear(&all);
    return ok;
}

/* The server list as a TLCP server sends it: sign, enc, then chain.pem. */
static int parse_server_list(tlcp_peer_certs *peer, const char *fixture, tlcp_error *err)
{
    const char *files[] = {"server-sign.pem", "server-enc.pem", "chain.pem"};
    return parse_files(peer, fixture, files, fx_has(fixture, "chain.pem") ? 3 : 2, err);
}

static tlcp_verify_params pinned(time_t when)
{
    tlcp_verify_params p;
    memset(&p, 0, sizeof(p));
    p.time = when;
    p.require_enc = 1;
    return p;
}

static void test_every_fixture_verifies(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = tu_list_fixtures(&names);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fx_is_sm2_server(names[i]))
            continue;
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_peer_certs peer;
        memset(&peer, 0, sizeof(peer));
        assert_true(parse_server_list(&peer, names[i], &err));
        assert_int_equal(peer.sign_index, 0);
        assert_int_equal(peer.enc_index, 1);
        tlcp_trust_store *store = fx_store(names[i]);
        tlcp_verify_params p = pinned(PIN_2026_11_28);
        p.host = "localhost";
        tlcp_verify_result r;
        int ok = tlcp_verify_peer(store, &peer, &p, &r, &err);
        if (!ok)
            fprintf(stderr, "%s: %s\n", names[i], tlcp_error_message(&err));
        assert_true(ok);
        assert_int_equal(r.ok, 1);
        assert_int_equal(r.reason, TLCP_R_NONE);
        assert_int_equal(r.alert, TLCP_NO_ALERT);
        assert_false(tlcp_error_is_set(&err));
        /* The enc cert's key is what ClientKeyExchange encrypts to. */
        tlcp_pkey *key = tlcp_cert_public_key(peer.enc, &err);
        assert_non_null(key);
        tlcp_pkey_free(key);
        tlcp_peer_certs_clear(&peer);
        tlcp_trust_store_free(store);
        checked++;
    }
    tu_free_list(names, n);
    assert_true(checked >= 25);
}

/* Client certificates of the client-auth fixtures whose client PKI is the
 * recorded CA (the cross-implementation ones use another root). */
static void test_client_chains(void **state)
{
    (void)state;
    char **names = NULL;
    size_t n = tu_list_fixtures(&names);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!fx_has(names[i], "client-sign.pem") || strstr(names[i], "interop") != NULL)
            continue;
        const char *files[3];
        size_t nf = 0;
        files[nf++] = "client-sign.pem";
        int has_enc = fx_has(names[i], "client-enc.pem");
        if (has_enc)
            files[nf++] = "client-enc.pem";
        if (fx_has(names[i], "chain.pem"))
            files[nf++] = "chain.pem";
        tlcp_error err;
        tlcp_error_clear(&err);
        tlcp_peer_certs peer;
        memset(&peer, 0, sizeof(peer));
        assert_true(parse_files(&peer, names[i], files, nf, &err));
        assert_true(has_enc ? peer.enc != NULL : peer.enc == NULL);
        tlcp_trust_store *store = fx_store(names[i]);
        tlcp_verify_params p = pinned(PIN_2026_11_28);
        p.require_enc = 0;
        int ok = tlcp_verify_peer(store, &peer, &p, NULL, &err);
        if (!ok)
            fprintf(stderr, "%s: %s\n", names[i], tlcp_error_message(&err));
        assert_true(ok);
        tlcp_peer_certs_clear(&peer);
        tlcp_trust_store_free(store);
        checked++;
    }
    tu_free_list(names, n);
    assert_true(checked >= 8);
}

static void expect_failure(const char *fixture, const tlcp_trust_store *store, time_t when,
                           int reason, int alert, const char *needle)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    assert_true(parse_server_list(&peer, fixture, &err));
    tlcp_verify_params p = pinned(when);
    tlcp_verify_result r;
    assert_false(tlcp_verify_peer(store, &peer, &p, &r, &err));
    assert_err(&err, reason, needle);
    assert_int_equal(err.alert, alert);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.reason, reason);
    assert_int_equal(r.alert, alert);
    assert_string_equal(r.message, err.message);
    tlcp_peer_certs_clear(&peer);
}

static void test_wrong_ca(void **state)
{
    (void)state;
    tlcp_trust_store *tongsuo = fx_store("tongsuo-ecc-sm4-cbc-sm3");
    expect_failure("gmssl3-ecc-sm4-cbc-sm3", tongsuo, PIN_2026_11_28, TLCP_R_CERT_VERIFY_FAILED,
                   TLCP_ALERT_UNKNOWN_CA,
                   "certificate verification failed: unable to get local issuer certificate: "
                   "C=CN, ST=Beijing, L=Haidian, O=TLCPTest, OU=Peers, CN=TLCP Test Sub CA");
    /* GmSSL 2 sends its root in the chain: self-signed certificate in chain. */
    expect_failure("gmssl2-ecc-sm4-cbc-sm3", tongsuo, PIN_2026_11_28, TLCP_R_CERT_VERIFY_FAILED,
                   TLCP_ALERT_UNKNOWN_CA, "certificate verification failed: ");
    tlcp_trust_store_free(tongsuo);
    /* No store at all. */
    expect_failure("gmssl3-ecc-sm4-cbc-sm3", NULL, PIN_2026_11_28, TLCP_R_CERT_VERIFY_FAILED,
                   TLCP_ALERT_UNKNOWN_CA, "no trusted CA certificates configured");
}

static void test_expired_and_not_yet_valid(void **state)
{
    (void)state;
    tlcp_trust_store *store = fx_store("gmssl3-ecc-sm4-cbc-sm3");
    /* 2030: only the leaves (until 2029-03-01) have expired. */
    expect_failure("gmssl3-ecc-sm4-cbc-sm3", store, (time_t)1893456000, TLCP_R_CERT_VERIFY_FAILED,
                   TLCP_ALERT_CERTIFICATE_EXPIRED,
                   "certificate verification failed: certificate has expired: C=CN, ST=Beijing, "
                   "L=Haidian, O=TLCPTest, OU=Peers, CN=localhost");
    /* 2040: everything has; OpenSSL reports the topmost certificate first. */
    expect_failure("gmssl3-ecc-sm4-cbc-sm3", store, PIN_2040_01_01, TLCP_R_CERT_VERIFY_FAILED,
                   TLCP_ALERT_CERTIFICATE_EXPIRED,
                   "certificate verification failed: certificate has expired: ");
    expect_failure("gmssl3-ecc-sm4-cbc-sm3", store, PIN_2026_01_01, TLCP_R_CERT_VERIFY_FAILED,
                   TLCP_ALERT_CERTIFICATE_EXPIRED,
                   "certificate verification failed: certificate is not yet valid: ");
    tlcp_trust_store_free(store);
}

static void test_missing_chain(void **state)
{
    (void)state;
    /* GmSSL 3 leaves are issued by a sub CA that only chain.pem holds. */
    tlcp_trust_store *store = fx_store("gmssl3-ecc-sm4-cbc-sm3");
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    const char *files[] = {"server-sign.pem", "server-enc.pem"};
    assert_true(parse_files(&peer, "gmssl3-ecc-sm4-cbc-sm3", files, 2, &err));
    tlcp_verify_params p = pinned(PIN_2026_11_28);
    tlcp_verify_result r;
    assert_false(tlcp_verify_peer(store, &peer, &p, &r, &err));
    assert_err(&err, TLCP_R_CERT_VERIFY_FAILED, "unable to get local issuer certificate");
    assert_int_equal(r.x509_error, 20);
    assert_int_equal(r.depth, 0);
    assert_int_equal(r.leaf, TLCP_LEAF_SIGN);
    tlcp_peer_certs_clear(&peer);
    tlcp_trust_store_free(store);
}

static void test_orderings(void **state)
{
    (void)state;
    const char *fx = "gmssl3-ecc-sm4-cbc-sm3";
    tlcp_trust_store *store = fx_store(fx);
    tlcp_verify_params p = pinned(PIN_2026_11_28);
    tlcp_error err;
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));

    /* sign, chain, enc */
    const char *sce[] = {"server-sign.pem", "chain.pem", "server-enc.pem"};
    tlcp_error_clear(&err);
    assert_true(parse_files(&peer, fx, sce, 3, &err));
    assert_int_equal(peer.sign_index, 0);
    assert_int_equal(peer.enc_index, 2);
    assert_int_equal(peer.chain.num, 1);
    assert_int_equal(tlcp_cert_key_usage(peer.enc, NULL), TLCP_KU_ENC_ANY);
    assert_true(tlcp_verify_peer(store, &peer, &p, NULL, &err));

    /* enc, sign, chain: key usage says the first is encryption-only. */
    const char *esc[] = {"server-enc.pem", "server-sign.pem", "chain.pem"};
    assert_true(parse_files(&peer, fx, esc, 3, &err));
    assert_int_equal(peer.sign_index, 1);
    assert_int_equal(peer.enc_index, 0);
    assert_int_equal(tlcp_cert_key_usage(peer.sign, NULL), TLCP_KU_DIGITAL_SIGNATURE);
    assert_true(tlcp_verify_peer(store, &peer, &p, NULL, &err));

    /* sign, chain, root, enc: the root in the chain is harmless. */
    const char *scre[] = {"server-sign.pem", "chain.pem", "ca.pem", "server-enc.pem"};
    assert_true(parse_files(&peer, fx, scre, 4, &err));
    assert_int_equal(peer.enc_index, 3);
    assert_int_equal(peer.chain.num, 2);
    assert_true(tlcp_verify_peer(store, &peer, &p, NULL, &err));

    /* sign only (a client's ECC Certificate): fine unless enc is required. */
    const char *sc[] = {"server-sign.pem", "chain.pem"};
    assert_true(parse_files(&peer, fx, sc, 2, &err));
    assert_null(peer.enc);
    p.require_enc = 0;
    assert_true(tlcp_verify_peer(store, &peer, &p, NULL, &err));
    p.require_enc = 1;
    assert_false(tlcp_verify_peer(store, &peer, &p, NULL, &err));
    assert_err(&err, TLCP_R_CERT, "peer sent no encryption certificate");
    assert_int_equal(err.alert, TLCP_ALERT_BAD_CERTIFICATE);

    /* NULL params: now, no host, enc optional. The GmSSL 3 leaves are valid
     * until 2029-03-01, so this holds while the fixtures are current. */
    if (time(NULL) < (time_t)1867042902) {
        assert_true(parse_files(&peer, fx, sc, 2, &err));
        assert_true(tlcp_verify_peer(store, &peer, NULL, NULL, &err));
    }

    /* three leaves */
    const char *three[] = {"server-sign.pem", "server-enc.pem", "server-sign.pem"};
    tlcp_error_clear(&err);
    assert_false(parse_files(&peer, fx, three, 3, &err));
    assert_err(&err, TLCP_R_CERT, "more than two end-entity certificates");
    assert_null(peer.sign);
    tlcp_peer_certs_clear(&peer);
    tlcp_trust_store_free(store);
}

static void test_parse_errors(void **state)
{
    (void)state;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    assert_false(tlcp_peer_certs_parse(&peer, NULL, NULL, 0, &err));
    assert_err(&err, TLCP_R_CERT, "peer sent no certificates");
    assert_int_equal(err.alert, TLCP_ALERT_BAD_CERTIFICATE);

    tlcp_cert *sign = fx_cert("gmssl3-ecc-sm4-cbc-sm3", "server-sign.pem");
    const uint8_t *der;
    size_t len;
    tlcp_cert_der(sign, &der, &len);
    const uint8_t *ders[2] = {der, der};
    size_t lens[2] = {len, len - 10};
    tlcp_error_clear(&err);
    assert_false(tlcp_peer_certs_parse(&peer, ders, lens, 2, &err));
    assert_err(&err, TLCP_R_DECODE, "peer certificate #2: malformed DER certificate");
    assert_int_equal(err.alert, TLCP_ALERT_DECODE_ERROR);
    assert_null(peer.sign);
    tlcp_cert_free(sign);
}

static void test_rsa_leaves_rejected(void **state)
{
    (void)state;
    tlcp_trust_store *store = fx_store("tongsuo-rsa-sm4-cbc-sm3");
    expect_failure("tongsuo-rsa-sm4-cbc-sm3", store, PIN_2026_11_28, TLCP_R_CERT,
                   TLCP_ALERT_UNSUPPORTED_CERTIFICATE,
                   "peer signing certificate does not hold an SM2 key");
    tlcp_trust_store_free(store);
}

static void test_host_check(void **state)
{
    (void)state;
    const char *fx = "gmssl2-ecc-sm4-cbc-sm3";
    tlcp_trust_store *store = fx_store(fx);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    assert_true(parse_server_list(&peer, fx, &err));
    tlcp_verify_params p = pinned(PIN_2026_11_28);
    p.host = "127.0.0.1";
    assert_true(tlcp_verify_peer(store, &peer, &p, NULL, &err));
    p.host = "localhost";
    assert_true(tlcp_verify_peer(store, &peer, &p, NULL, &err));
    p.host = "www.example.com";
    tlcp_verify_result r;
    assert_false(tlcp_verify_peer(store, &peer, &p, &r, &err));
    assert_err(&err, TLCP_R_HOSTNAME_MISMATCH, "www.example.com does not match");
    assert_int_equal(err.alert, TLCP_ALERT_BAD_CERTIFICATE);
    assert_int_equal(r.leaf, TLCP_LEAF_SIGN);
    tlcp_peer_certs_clear(&peer);
    tlcp_trust_store_free(store);
}

/* ---- user callback ---- */

struct cb_state {
    int calls;
    int accept;
    int seen_ok;
    int seen_reason;
    int set_alert;
};

static int verify_hook(void *arg, tlcp_verify_result *result, const tlcp_peer_certs *peer)
{
    struct cb_state *s = arg;
    s->calls++;
    s->seen_ok = result->ok;
    s->seen_reason = result->reason;
    assert_non_null(peer->sign);
    if (s->set_alert != 0)
        result->alert = s->set_alert;
    return s->accept;
}

static void test_callback(void **state)
{
    (void)state;
    const char *fx = "tongsuo-ecc-sm4-cbc-sm3";
    tlcp_trust_store *right = fx_store(fx);
    tlcp_trust_store *wrong = fx_store("gmssl2-ecc-sm4-cbc-sm3");
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    assert_true(parse_server_list(&peer, fx, &err));
    struct cb_state s = {0, 1, 0, 0, 0};
    tlcp_verify_params p = pinned(PIN_2026_11_28);
    p.cb = verify_hook;
    p.cb_arg = &s;
    tlcp_verify_result r;

    /* Override a failure. */
    assert_true(tlcp_verify_peer(wrong, &peer, &p, &r, &err));
    assert_false(tlcp_error_is_set(&err));
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.seen_ok, 0);
    assert_int_equal(s.seen_reason, TLCP_R_CERT_VERIFY_FAILED);
    assert_int_equal(r.ok, 0); /* the result still tells what the checks found */

    /* Reject a success, with the callback's alert. */
    s.accept = 0;
    s.set_alert = TLCP_ALERT_ACCESS_DENIED;
    assert_false(tlcp_verify_peer(right, &peer, &p, &r, &err));
    assert_int_equal(s.seen_ok, 1);
    assert_err(&err, TLCP_R_CERT_VERIFY_FAILED, "rejected by the verify callback");
    assert_int_equal(err.alert, TLCP_ALERT_ACCESS_DENIED);

    /* Reject a failure: the original reason and alert stay. */
    s.set_alert = 0;
    tlcp_error_clear(&err);
    assert_false(tlcp_verify_peer(wrong, &peer, &p, &r, &err));
    assert_err(&err, TLCP_R_CERT_VERIFY_FAILED, "certificate verification failed");
    assert_int_equal(err.alert, TLCP_ALERT_UNKNOWN_CA);
    assert_int_equal(s.calls, 3);
    tlcp_peer_certs_clear(&peer);
    tlcp_trust_store_free(right);
    tlcp_trust_store_free(wrong);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_fixture_verifies),
        cmocka_unit_test(test_client_chains),
        cmocka_unit_test(test_wrong_ca),
        cmocka_unit_test(test_expired_and_not_yet_valid),
        cmocka_unit_test(test_missing_chain),
        cmocka_unit_test(test_orderings),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_rsa_leaves_rejected),
        cmocka_unit_test(test_host_check),
        cmocka_unit_test(test_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

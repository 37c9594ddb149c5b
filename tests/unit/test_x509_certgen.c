/* SPDX-License-Identifier: Apache-2.0 */
/* Certificate generation: profiles, extensions, our verifier and the openssl CLI. */
#include "x509_test_util.h"

#include <openssl/x509v3.h>

#include "x509/x509_internal.h"

typedef struct pki {
    tlcp_pkey *ca_key, *sign_key, *enc_key;
    tlcp_cert *ca, *sign, *enc;
} pki;

static tlcp_pkey *new_key(void)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *k = tlcp_pkey_generate(&err);
    assert_non_null(k);
    return k;
}

static tlcp_certgen_params params(int profile, const char *cn, const char *san)
{
    tlcp_certgen_params p;
    memset(&p, 0, sizeof(p));
    p.profile = profile;
    p.common_name = cn;
    p.organization = "libtlcp test";
    p.san = san;
    p.days = 30;
    return p;
}

static tlcp_cert *issue(const tlcp_cert *issuer, const tlcp_pkey *issuer_key, const tlcp_pkey *key,
                        const tlcp_certgen_params *p)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *c = tlcp_certgen_issue(issuer, issuer_key, key, p, &err);
    if (c == NULL)
        fprintf(stderr, "certgen: %s\n", tlcp_error_message(&err));
    assert_non_null(c);
    return c;
}

static void make_pki(pki *k, const char *san)
{
    k->ca_key = new_key();
    k->sign_key = new_key();
    k->enc_key = new_key();
    tlcp_certgen_params ca = params(TLCP_PROFILE_CA, "libtlcp Test Root CA", NULL);
    ca.days = TLCP_CERTGEN_MAX_DAYS;
    k->ca = issue(NULL, k->ca_key, k->ca_key, &ca);
    tlcp_certgen_params s = params(TLCP_PROFILE_SIGN, "localhost", san);
    k->sign = issue(k->ca, k->ca_key, k->sign_key, &s);
    tlcp_certgen_params e = params(TLCP_PROFILE_ENC, "localhost", san);
    k->enc = issue(k->ca, k->ca_key, k->enc_key, &e);
}

static void free_pki(pki *k)
{
    tlcp_cert_free(k->ca);
    tlcp_cert_free(k->sign);
    tlcp_cert_free(k->enc);
    tlcp_pkey_free(k->ca_key);
    tlcp_pkey_free(k->sign_key);
    tlcp_pkey_free(k->enc_key);
}

static tlcp_trust_store *store_of(tlcp_cert *ca)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_trust_store *s = tlcp_trust_store_new(&err);
    assert_non_null(s);
    assert_true(tlcp_trust_store_add_cert(s, ca, &err));
    return s;
}

/* Verifies certs (wire order) against ca at time `when` (0 = now). */
static int verify_list(tlcp_cert *ca, tlcp_cert *const *certs, size_t n, const char *host,
                       time_t when, tlcp_error *err)
{
    tlcp_trust_store *store = store_of(ca);
    tlcp_peer_certs peer;
    memset(&peer, 0, sizeof(peer));
    tlcp_error e;
    tlcp_error_clear(&e);
    assert_true(tlcp_peer_certs_classify(&peer, certs, n, &e));
    tlcp_verify_params p;
    memset(&p, 0, sizeof(p));
    p.time = when;
    p.host = host;
    p.require_enc = 1;
    int ok = tlcp_verify_peer(store, &peer, &p, NULL, err);
    tlcp_peer_certs_clear(&peer);
    tlcp_trust_store_free(store);
    return ok;
}

static const BASIC_CONSTRAINTS *basic_constraints(const tlcp_cert *c, int *critical)
{
    static BASIC_CONSTRAINTS *last;
    BASIC_CONSTRAINTS_free(last);
    last = c != NULL ? X509_get_ext_d2i(tlcp_cert_x509(c), NID_basic_constraints, critical, NULL)
                     : NULL;
    return last;
}

static void test_profiles_and_extensions(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, "DNS:localhost,IP:127.0.0.1, DNS:*.example.com");
    int present = 0, critical = 0;
    assert_int_equal(tlcp_cert_key_usage(k.ca, &present), TLCP_KU_KEY_CERT_SIGN | TLCP_KU_CRL_SIGN);
    assert_int_equal(tlcp_cert_key_usage(k.sign, &present),
                     TLCP_KU_DIGITAL_SIGNATURE | TLCP_KU_NON_REPUDIATION);
    assert_int_equal(tlcp_cert_key_usage(k.enc, &present),
                     TLCP_KU_KEY_ENCIPHERMENT | TLCP_KU_DATA_ENCIPHERMENT | TLCP_KU_KEY_AGREEMENT);
    assert_true(tlcp_cert_is_ca(k.ca));
    assert_true(tlcp_cert_is_self_signed(k.ca));
    assert_false(tlcp_cert_is_ca(k.sign));
    assert_false(tlcp_cert_is_ca(k.enc));

    const BASIC_CONSTRAINTS *bc = basic_constraints(k.ca, &critical);
    assert_non_null(bc);
    assert_true(bc->ca);
    assert_int_equal(critical, 1);
    basic_constraints(NULL, NULL); /* releases the last one */
    /* Leaves omit basicConstraints: strict DER and what GmSSL 3 writes itself
     * (an empty SEQUENCE would be rejected by GmSSL 3). */
    assert_int_equal(X509_get_ext_by_NID(tlcp_cert_x509(k.sign), NID_basic_constraints, -1), -1);
    assert_int_equal(X509_get_ext_by_NID(tlcp_cert_x509(k.enc), NID_basic_constraints, -1), -1);

    /* Same subject and issuer for both leaves (GmSSL 3 wants that). */
    assert_string_equal(tlcp_cert_subject(k.sign), tlcp_cert_subject(k.enc));
    assert_string_equal(tlcp_cert_issuer(k.sign), tlcp_cert_issuer(k.enc));
    assert_string_equal(tlcp_cert_subject(k.sign), "C=CN, O=libtlcp test, CN=localhost");
    assert_string_equal(tlcp_cert_issuer(k.sign), tlcp_cert_subject(k.ca));

    /* SM3withSM2, v3, AKI = issuer SKI, positive distinct serials. */
    X509 *sx = tlcp_cert_x509(k.sign), *ex = tlcp_cert_x509(k.enc), *cx = tlcp_cert_x509(k.ca);
    assert_int_equal(X509_get_signature_nid(sx), NID_SM2_with_SM3);
    assert_int_equal(X509_get_signature_nid(cx), NID_SM2_with_SM3);
    assert_int_equal(X509_get_version(sx), X509_VERSION_3);
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cx);
    const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(sx);
    assert_non_null(ski);
    assert_non_null(aki);
    assert_int_equal(ASN1_OCTET_STRING_cmp(ski, aki), 0);
    assert_non_null(X509_get0_subject_key_id(sx));
    assert_null(X509_get0_authority_key_id(cx));
    const ASN1_INTEGER *s1 = X509_get0_serialNumber(sx), *s2 = X509_get0_serialNumber(ex);
    assert_int_not_equal(ASN1_INTEGER_cmp(s1, s2), 0);
    assert_int_equal(ASN1_STRING_type(s1), V_ASN1_INTEGER); /* not V_ASN1_NEG_INTEGER */
    assert_int_equal(ASN1_STRING_length(s1), 20);

    time_t nb, na;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_cert_validity(k.sign, &nb, &na, &err));
    assert_int_equal((long long)(na - nb), 30LL * 86400);
    assert_true(nb <= time(NULL));

    /* SAN */
    assert_true(tlcp_cert_check_host(k.sign, "localhost", &err));
    assert_true(tlcp_cert_check_host(k.sign, "127.0.0.1", &err));
    assert_true(tlcp_cert_check_host(k.sign, "www.example.com", &err));
    assert_false(tlcp_cert_check_host(k.sign, "a.b.example.com", &err));
    free_pki(&k);
}

static void test_our_verifier_accepts(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, "DNS:localhost,IP:127.0.0.1");
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *list[] = {k.sign, k.enc};
    assert_true(verify_list(k.ca, list, 2, "localhost", 0, &err));
    assert_true(verify_list(k.ca, list, 2, "127.0.0.1", 0, &err));
    assert_false(verify_list(k.ca, list, 2, "10.0.0.1", 0, &err));
    assert_int_equal(err.reason, TLCP_R_HOSTNAME_MISMATCH);
    /* A root of another PKI does not vouch for these. */
    pki other;
    make_pki(&other, NULL);
    tlcp_error_clear(&err);
    assert_false(verify_list(other.ca, list, 2, NULL, 0, &err));
    assert_int_equal(err.alert, TLCP_ALERT_UNKNOWN_CA);
    free_pki(&other);
    free_pki(&k);
}

static void write_pem(const tlcp_cert *c, const char *dir, const char *name, char *path, size_t cap)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    char *pem = NULL;
    size_t len = 0;
    assert_true(tlcp_cert_to_pem(c, &pem, &len, &err));
    snprintf(path, cap, "%s/%s", dir, name);
    write_file(path, pem, len);
    free(pem);
}

static int run_quiet(const char *cmd)
{
    char full[9000];
    snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
    return system(full);
}

static void test_openssl_cli_accepts(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, "DNS:localhost,IP:127.0.0.1");
    const char *dir = tmp_dir();
    char ca[512], sign[512], enc[512], cmd[8192];
    write_pem(k.ca, dir, "ca.pem", ca, sizeof(ca));
    write_pem(k.sign, dir, "sign.pem", sign, sizeof(sign));
    write_pem(k.enc, dir, "enc.pem", enc, sizeof(enc));
    snprintf(cmd, sizeof(cmd),
             "openssl verify -vfyopt distid:1234567812345678 -CAfile '%s' '%s' '%s'", ca, sign,
             enc);
    assert_int_equal(run_quiet(cmd), 0);
    /* Control: without the ID OpenSSL 3.0 rejects the SM2 signature, so the
     * check above really verified something. */
    snprintf(cmd, sizeof(cmd), "openssl verify -CAfile '%s' '%s'", ca, sign);
    assert_int_not_equal(run_quiet(cmd), 0);
    /* And a foreign CA is refused. */
    snprintf(cmd, sizeof(cmd), "openssl verify -vfyopt distid:1234567812345678 -CAfile '%s' '%s'",
             fx_path("gmssl2-ecc-sm4-cbc-sm3", "ca.pem"), sign);
    assert_int_not_equal(run_quiet(cmd), 0);
    /* The files read back through our loader. */
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *back = tlcp_cert_load_file(sign, &err);
    assert_non_null(back);
    assert_string_equal(tlcp_cert_subject(back), tlcp_cert_subject(k.sign));
    tlcp_cert_free(back);
    rm_rf(dir);
    free_pki(&k);
}

static void test_sub_ca_chain(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, NULL);
    tlcp_pkey *sub_key = new_key();
    tlcp_certgen_params sp = params(TLCP_PROFILE_CA, "libtlcp Test Sub CA", NULL);
    tlcp_cert *sub = issue(k.ca, k.ca_key, sub_key, &sp);
    assert_true(tlcp_cert_is_ca(sub));
    assert_false(tlcp_cert_is_self_signed(sub));
    tlcp_pkey *s_key = new_key(), *e_key = new_key();
    tlcp_certgen_params lp = params(TLCP_PROFILE_SIGN, "sub.example", "DNS:sub.example");
    tlcp_cert *s = issue(sub, sub_key, s_key, &lp);
    lp.profile = TLCP_PROFILE_ENC;
    tlcp_cert *e = issue(sub, sub_key, e_key, &lp);
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *list[] = {s, e, sub};
    assert_true(verify_list(k.ca, list, 3, "sub.example", 0, &err));
    tlcp_cert *sce[] = {s, sub, e};
    assert_true(verify_list(k.ca, sce, 3, "sub.example", 0, &err));
    /* Without the sub CA the chain is incomplete. */
    assert_false(verify_list(k.ca, list, 2, NULL, 0, &err));
    assert_int_equal(err.alert, TLCP_ALERT_UNKNOWN_CA);
    tlcp_cert_free(s);
    tlcp_cert_free(e);
    tlcp_cert_free(sub);
    tlcp_pkey_free(s_key);
    tlcp_pkey_free(e_key);
    tlcp_pkey_free(sub_key);
    free_pki(&k);
}

static void test_key_usage_failures(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, NULL);
    tlcp_error err;

    /* enc cert made with the signing profile */
    tlcp_pkey *key = new_key();
    tlcp_certgen_params bad = params(TLCP_PROFILE_ENC, "localhost", NULL);
    bad.key_usage = TLCP_KU_DIGITAL_SIGNATURE;
    tlcp_cert *bad_enc = issue(k.ca, k.ca_key, key, &bad);
    tlcp_cert *l1[] = {k.sign, bad_enc};
    tlcp_error_clear(&err);
    assert_false(verify_list(k.ca, l1, 2, NULL, 0, &err));
    assert_err(&err, TLCP_R_CERT_KEY_USAGE,
               "peer encryption certificate lacks keyEncipherment/keyAgreement: ");
    assert_int_equal(err.alert, TLCP_ALERT_UNSUPPORTED_CERTIFICATE);

    /* ...and the credentials check refuses to serve it. */
    tlcp_credentials *creds = tlcp_credentials_new(&err);
    assert_true(tlcp_keypair_set(&creds->sign, k.sign, k.sign_key, &err));
    assert_true(tlcp_keypair_set(&creds->enc, bad_enc, key, &err));
    tlcp_error_clear(&err);
    assert_false(tlcp_credentials_check(creds, 1, &err));
    assert_err(&err, TLCP_R_CERT_KEY_USAGE, "encryption certificate lacks keyEncipherment");
    tlcp_credentials_free(creds);

    /* keyAgreement alone is enough for an enc cert (GmSSL 2 rule). */
    tlcp_certgen_params ka = params(TLCP_PROFILE_ENC, "localhost", NULL);
    ka.key_usage = TLCP_KU_KEY_AGREEMENT;
    tlcp_cert *ka_enc = issue(k.ca, k.ca_key, key, &ka);
    tlcp_cert *l2[] = {k.sign, ka_enc};
    tlcp_error_clear(&err);
    assert_true(verify_list(k.ca, l2, 2, NULL, 0, &err));

    /* sign cert without digitalSignature */
    tlcp_certgen_params ns = params(TLCP_PROFILE_SIGN, "localhost", NULL);
    ns.key_usage = TLCP_KU_NON_REPUDIATION;
    tlcp_cert *no_ds = issue(k.ca, k.ca_key, k.sign_key, &ns);
    tlcp_cert *l3[] = {no_ds, k.enc};
    tlcp_error_clear(&err);
    assert_false(verify_list(k.ca, l3, 2, NULL, 0, &err));
    assert_err(&err, TLCP_R_CERT_KEY_USAGE, "peer signing certificate lacks digitalSignature");

    /* a leaf that may sign certificates */
    tlcp_certgen_params cs = params(TLCP_PROFILE_SIGN, "localhost", NULL);
    cs.key_usage = TLCP_KU_DIGITAL_SIGNATURE | TLCP_KU_KEY_CERT_SIGN;
    tlcp_cert *certsign = issue(k.ca, k.ca_key, k.sign_key, &cs);
    tlcp_cert *l4[] = {certsign, k.enc};
    tlcp_error_clear(&err);
    assert_false(verify_list(k.ca, l4, 2, NULL, 0, &err));
    assert_err(&err, TLCP_R_CERT_KEY_USAGE, "is a CA certificate (keyCertSign)");

    /* the CA itself sent as a leaf */
    tlcp_cert *l5[] = {k.ca, k.enc};
    tlcp_error_clear(&err);
    assert_false(verify_list(k.ca, l5, 2, NULL, 0, &err));
    assert_int_equal(err.reason, TLCP_R_CERT_KEY_USAGE);

    tlcp_cert_free(bad_enc);
    tlcp_cert_free(ka_enc);
    tlcp_cert_free(no_ds);
    tlcp_cert_free(certsign);
    tlcp_pkey_free(key);
    free_pki(&k);
}

static void test_cn_fallback(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, NULL); /* no SAN: the CN "localhost" is used */
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *l[] = {k.sign, k.enc};
    assert_true(verify_list(k.ca, l, 2, "localhost", 0, &err));
    assert_false(verify_list(k.ca, l, 2, "otherhost", 0, &err));
    assert_int_equal(err.reason, TLCP_R_HOSTNAME_MISMATCH);
    /* With a DNS SAN the CN is not consulted. */
    tlcp_pkey *key = new_key();
    tlcp_certgen_params p = params(TLCP_PROFILE_SIGN, "cn.example", "DNS:san.example");
    tlcp_cert *s = issue(k.ca, k.ca_key, key, &p);
    tlcp_error_clear(&err);
    assert_true(tlcp_cert_check_host(s, "san.example", &err));
    assert_false(tlcp_cert_check_host(s, "cn.example", &err));
    /* An IP literal never matches a CN. */
    p = params(TLCP_PROFILE_SIGN, "10.1.2.3", NULL);
    tlcp_cert *ipcn = issue(k.ca, k.ca_key, key, &p);
    tlcp_error_clear(&err);
    assert_false(tlcp_cert_check_host(ipcn, "10.1.2.3", &err));
    tlcp_cert_free(ipcn);
    tlcp_cert_free(s);
    tlcp_pkey_free(key);
    free_pki(&k);
}

static void test_validity_window(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, NULL);
    tlcp_pkey *key = new_key();
    tlcp_error err;

    tlcp_certgen_params future = params(TLCP_PROFILE_ENC, "localhost", NULL);
    future.not_before = time(NULL) + 10 * 86400;
    tlcp_cert *later = issue(k.ca, k.ca_key, key, &future);
    tlcp_cert *l1[] = {k.sign, later};
    tlcp_error_clear(&err);
    assert_false(verify_list(k.ca, l1, 2, NULL, 0, &err));
    assert_err(&err, TLCP_R_CERT_VERIFY_FAILED, "certificate is not yet valid: ");
    assert_int_equal(err.alert, TLCP_ALERT_CERTIFICATE_EXPIRED);
    /* ...but fine at a pinned time inside its window. */
    tlcp_error_clear(&err);
    assert_true(verify_list(k.ca, l1, 2, NULL, future.not_before + 86400, &err));

    tlcp_certgen_params past = params(TLCP_PROFILE_SIGN, "localhost", NULL);
    past.not_before = time(NULL) - 3 * 86400;
    past.days = 1;
    tlcp_cert *old = issue(k.ca, k.ca_key, k.sign_key, &past);
    tlcp_cert *l2[] = {old, k.enc};
    tlcp_error_clear(&err);
    assert_false(verify_list(k.ca, l2, 2, NULL, 0, &err));
    assert_err(&err, TLCP_R_CERT_VERIFY_FAILED,
               "certificate has expired: C=CN, O=libtlcp test, CN=localhost");
    tlcp_cert_free(later);
    tlcp_cert_free(old);
    tlcp_pkey_free(key);
    free_pki(&k);
}

static void test_bad_params(void **state)
{
    (void)state;
    pki k;
    make_pki(&k, NULL);
    tlcp_pkey *key = new_key();
    tlcp_error err;
    static const char *bad_sans[] = {"localhost", "DNS:",     "IP:999.1.1.1", "EMAIL:a@b.c",
                                     "DNS:a b",   "DNS:ok,,", "URI:http://x", "IP:127.0.0.1,"};
    for (size_t i = 0; i < TLCP_ARRAY_LEN(bad_sans); i++) {
        tlcp_certgen_params p = params(TLCP_PROFILE_SIGN, "localhost", bad_sans[i]);
        tlcp_error_clear(&err);
        tlcp_cert *c = tlcp_certgen_issue(k.ca, k.ca_key, key, &p, &err);
        if (c != NULL)
            fprintf(stderr, "accepted SAN %s\n", bad_sans[i]);
        assert_null(c);
        assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    }
    tlcp_certgen_params p = params(TLCP_PROFILE_SIGN, NULL, NULL);
    tlcp_error_clear(&err);
    assert_null(tlcp_certgen_issue(k.ca, k.ca_key, key, &p, &err));
    assert_err(&err, TLCP_R_INVALID_ARGUMENT, "common name");

    p = params(TLCP_PROFILE_SIGN, "x", NULL);
    p.days = TLCP_CERTGEN_MAX_DAYS + 1;
    tlcp_error_clear(&err);
    assert_null(tlcp_certgen_issue(k.ca, k.ca_key, key, &p, &err));
    assert_err(&err, TLCP_R_INVALID_ARGUMENT, "too long");

    p = params(99, "x", NULL);
    tlcp_error_clear(&err);
    assert_null(tlcp_certgen_issue(k.ca, k.ca_key, key, &p, &err));
    assert_err(&err, TLCP_R_INVALID_ARGUMENT, "profile");

    /* The issuer key must belong to the issuer certificate. */
    p = params(TLCP_PROFILE_SIGN, "localhost", NULL);
    tlcp_error_clear(&err);
    assert_null(tlcp_certgen_issue(k.ca, key, key, &p, &err));
    assert_int_equal(err.reason, TLCP_R_KEY_CERT_MISMATCH);
    /* A self-signed certificate is signed with its own key. */
    p = params(TLCP_PROFILE_CA, "root", NULL);
    tlcp_error_clear(&err);
    assert_null(tlcp_certgen_issue(NULL, k.ca_key, key, &p, &err));
    assert_int_equal(err.reason, TLCP_R_KEY_CERT_MISMATCH);
    /* A public key cannot sign. */
    tlcp_pkey *pub = tlcp_cert_public_key(k.ca, &err);
    assert_non_null(pub);
    tlcp_error_clear(&err);
    assert_null(tlcp_certgen_issue(k.ca, pub, key, &p, &err));
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_pkey_free(pub);
    tlcp_pkey_free(key);
    free_pki(&k);
}

struct report_log {
    int count;
    char last[512];
};

static void on_write(void *arg, const char *path, const char *description)
{
    struct report_log *log = arg;
    log->count++;
    snprintf(log->last, sizeof(log->last), "%s: %s", description, path);
}

static mode_t file_mode(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 0777;
}

static void test_write_pki(void **state)
{
    (void)state;
    const char *dir = tmp_dir();
    char d[256];
    snprintf(d, sizeof(d), "%s", dir);
    struct report_log log = {0, ""};
    tlcp_pki_params p;
    memset(&p, 0, sizeof(p));
    p.out_dir = d;
    p.with_client = 1;
    p.days = 10;
    p.report = on_write;
    p.report_arg = &log;
    tlcp_error err;
    tlcp_error_clear(&err);
    assert_true(tlcp_certgen_write_pki(&p, &err));
    assert_int_equal(log.count, 10);
    assert_non_null(strstr(log.last, "client encryption private key: "));
    assert_int_equal(file_mode(d, "ca.key"), 0600);
    assert_int_equal(file_mode(d, "server-sign.key"), 0600);
    assert_int_equal(file_mode(d, "client-enc.key"), 0600);

    /* The pairs load and match, and the server credentials are complete. */
    static const char *const stems[] = {"server-sign", "server-enc", "client-sign", "client-enc"};
    for (size_t i = 0; i < 4; i++) {
        char cert[512], key[512];
        snprintf(cert, sizeof(cert), "%s/%s.pem", d, stems[i]);
        snprintf(key, sizeof(key), "%s/%s.key", d, stems[i]);
        tlcp_keypair pair = {0};
        assert_true(tlcp_keypair_load_files(&pair, cert, key, NULL, &err));
        tlcp_keypair_clear(&pair);
    }
    char ca[512], cmd[4096];
    snprintf(ca, sizeof(ca), "%s/ca.pem", d);
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && openssl verify -vfyopt distid:1234567812345678 -CAfile ca.pem "
             "server-sign.pem server-enc.pem client-sign.pem client-enc.pem",
             d);
    assert_int_equal(run_quiet(cmd), 0);

    /* Our verifier, with the default SAN. */
    tlcp_cert *ca_cert = tlcp_cert_load_file(ca, &err);
    char path[512];
    snprintf(path, sizeof(path), "%s/server-sign.pem", d);
    tlcp_cert *s = tlcp_cert_load_file(path, &err);
    snprintf(path, sizeof(path), "%s/server-enc.pem", d);
    tlcp_cert *e = tlcp_cert_load_file(path, &err);
    assert_non_null(ca_cert);
    assert_non_null(s);
    assert_non_null(e);
    tlcp_cert *list[] = {s, e};
    assert_true(verify_list(ca_cert, list, 2, "localhost", 0, &err));
    assert_true(verify_list(ca_cert, list, 2, "127.0.0.1", 0, &err));
    tlcp_cert_free(ca_cert);
    tlcp_cert_free(s);
    tlcp_cert_free(e);

    /* Never overwrite without force; nothing is written on refusal. */
    log.count = 0;
    tlcp_error_clear(&err);
    assert_false(tlcp_certgen_write_pki(&p, &err));
    assert_err(&err, TLCP_R_FILE, "ca.pem already exists");
    assert_int_equal(log.count, 0);
    /* A key file made world-readable is tightened again by --force. */
    snprintf(path, sizeof(path), "%s/ca.key", d);
    assert_int_equal(chmod(path, 0644), 0);
    p.force = 1;
    p.days = TLCP_CERTGEN_MAX_DAYS;
    tlcp_error_clear(&err);
    assert_true(tlcp_certgen_write_pki(&p, &err));
    assert_int_equal(log.count, 10);
    assert_int_equal(file_mode(d, "ca.key"), 0600);
    /* The root's extra year is capped at GmSSL 3's ten-year limit. */
    ca_cert = tlcp_cert_load_file(ca, &err);
    assert_non_null(ca_cert);
    time_t nb, na;
    assert_true(tlcp_cert_validity(ca_cert, &nb, &na, &err));
    assert_int_equal((long long)(na - nb), (long long)TLCP_CERTGEN_MAX_DAYS * 86400);
    tlcp_cert_free(ca_cert);

    /* Bad SAN: refused before any file is created. */
    const char *dir2 = tmp_dir();
    char d2[256];
    snprintf(d2, sizeof(d2), "%s", dir2);
    p.out_dir = d2;
    p.force = 0;
    p.with_client = 0;
    p.san = "DNS:ok,MAIL:bad";
    log.count = 0;
    tlcp_error_clear(&err);
    assert_false(tlcp_certgen_write_pki(&p, &err));
    assert_int_equal(err.reason, TLCP_R_INVALID_ARGUMENT);
    assert_int_equal(log.count, 0);
    snprintf(path, sizeof(path), "%s/ca.pem", d2);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);

    p.out_dir = "/nonexistent-dir";
    tlcp_error_clear(&err);
    assert_false(tlcp_certgen_write_pki(&p, &err));
    assert_err(&err, TLCP_R_FILE, "does not exist");
    rm_rf(d);
    rm_rf(d2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles_and_extensions),
        cmocka_unit_test(test_our_verifier_accepts),
        cmocka_unit_test(test_openssl_cli_accepts),
        cmocka_unit_test(test_sub_ca_chain),
        cmocka_unit_test(test_key_usage_failures),
        cmocka_unit_test(test_cn_fallback),
        cmocka_unit_test(test_validity_window),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_write_pki),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

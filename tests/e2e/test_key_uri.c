/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys given as a URI (tlcp_config_load_pair_uri) and held by an OpenSSL 3
 * provider: tests/provider's tlcptest module, loaded from the build's
 * ossl-modules directory, whose keys are handles that cannot be exported.
 * Both roles with the ECC suites, ECDHE with a provider signing key, the
 * ECDHE refusal for a provider encryption key (both call orders), file:
 * URIs in OpenSSL's default context (with a passphrase), and every failure:
 * wrong URI, unknown scheme, not a URI, a URI that is also a file name,
 * key/certificate mismatch, a non-SM2 key, a provider that cannot be
 * loaded, and a provider that fails its signature (internal_error) or its
 * decryption (shows only at Finished: no pre-master oracle). Pairs per
 * server name with URI keys and certificates from URIs
 * (tlcp_config_add_cert_pair_uri_for_name) and their failures.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include "conn_internal.h" /* the config's error reason */
#include "e2e_pair.h"
#include "tlcp/tlcp.h"

#define FIX         "interop/gmssl3-ecdhe-sm4-cbc-sm3/"
#define PINNED_TIME 1795824000

static const char *provider_dir(void)
{
    static char dir[1024];
    const char *build = getenv("TLCP_BUILD_DIR");
    if (build == NULL)
        fail_msg("TLCP_BUILD_DIR is not set (CTest sets it to the build directory)");
    snprintf(dir, sizeof(dir), "%s/ossl-modules", build);
    return dir;
}

/* "tlcptest:<fixture key path><suffix>" */
static char *test_uri(const char *who, int enc, const char *suffix)
{
    char key[64];
    snprintf(key, sizeof(key), "%s-%s.key", who, enc ? "enc" : "sign");
    char *path = e2e_fixture_path(FIX, key);
    size_t len = strlen(path) + strlen(suffix) + 16;
    char *uri = malloc(len);
    assert_non_null(uri);
    snprintf(uri, len, "tlcptest:%s%s", path, suffix);
    free(path);
    return uri;
}

static void with_provider(tlcp_config *cfg)
{
    if (tlcp_config_load_key_provider(cfg, "tlcptest", provider_dir()) != TLCP_OK)
        fail_msg("%s", tlcp_config_error(cfg));
}

/* Loads who's pair `enc` with its key through the provider (suffix: "?fail=..."). */
static tlcp_result load_uri_pair(tlcp_config *cfg, const char *who, int enc, const char *suffix)
{
    char cert[64];
    snprintf(cert, sizeof(cert), "%s-%s.pem", who, enc ? "enc" : "sign");
    char *c = e2e_fixture_path(FIX, cert), *uri = test_uri(who, enc, suffix);
    tlcp_result r =
        tlcp_config_load_pair_uri(cfg, enc ? TLCP_CERT_ENC : TLCP_CERT_SIGN, c, uri, NULL);
    free(c);
    free(uri);
    return r;
}

static void must_load(tlcp_config *cfg, const char *who, int enc, const char *suffix)
{
    if (load_uri_pair(cfg, who, enc, suffix) != TLCP_OK)
        fail_msg("%s", tlcp_config_error(cfg));
}

typedef struct spec {
    uint16_t suite;
    const char *server_sign, *server_enc; /* NULL: key file; else the URI suffix */
    const char *client_sign, *client_enc; /* NULL with client_auth = 0: no client pair */
    int client_auth;
    int cv_form;
} spec;

static tlcp_config *server_config(const spec *s)
{
    tlcp_config *cfg = tlcp_config_new();
    assert_non_null(cfg);
    with_provider(cfg);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &s->suite, 1), TLCP_OK);
    if (s->server_sign != NULL)
        must_load(cfg, "server", 0, s->server_sign);
    else
        e2e_load_pair(cfg, FIX, "server", 0);
    if (s->server_enc != NULL)
        must_load(cfg, "server", 1, s->server_enc);
    else
        e2e_load_pair(cfg, FIX, "server", 1);
    char *chain = e2e_fixture_path(FIX, "chain.pem"), *ca = e2e_fixture_path(FIX, "ca.pem");
    assert_int_equal(tlcp_config_load_chain_file(cfg, chain), TLCP_OK);
    if (s->client_auth) {
        assert_int_equal(tlcp_config_load_ca_file(cfg, ca), TLCP_OK);
        assert_int_equal(tlcp_config_set_verify_mode(cfg, TLCP_VERIFY_REQUIRED), TLCP_OK);
        assert_int_equal(tlcp_config_set_verify_time(cfg, PINNED_TIME), TLCP_OK);
    }
    free(chain);
    free(ca);
    return cfg;
}

static tlcp_config *client_config(const spec *s)
{
    tlcp_config *cfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
    with_provider(cfg);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, &s->suite, 1), TLCP_OK);
    if (s->cv_form != 0)
        assert_int_equal(tlcp_config_set_cert_verify_form(cfg, s->cv_form), TLCP_OK);
    int ecdhe = s->suite == TLCP_ECDHE_SM4_CBC_SM3 || s->suite == TLCP_ECDHE_SM4_GCM_SM3;
    if (!s->client_auth && !ecdhe)
        return cfg;
    char *chain = e2e_fixture_path(FIX, "chain.pem");
    assert_int_equal(tlcp_config_load_chain_file(cfg, chain), TLCP_OK);
    free(chain);
    if (s->client_sign != NULL)
        must_load(cfg, "client", 0, s->client_sign);
    else
        e2e_load_pair(cfg, FIX, "client", 0);
    if (s->client_enc != NULL)
        must_load(cfg, "client", 1, s->client_enc);
    else
        e2e_load_pair(cfg, FIX, "client", 1);
    return cfg;
}

static int run(const spec *s, e2e_pair *p)
{
    e2e_pair_open(p, client_config(s), server_config(s));
    return e2e_pair_handshake(p);
}

static void expect_ok(const spec *s)
{
    e2e_pair p;
    if (!run(s, &p))
        fail_msg("suite %04x: client: %s / server: %s", s->suite, tlcp_conn_error(p.client),
                 tlcp_conn_error(p.server));
    size_t n = 0;
    char buf[8];
    assert_int_equal(tlcp_write(p.client, "ping", 4, &n), TLCP_OK);
    assert_int_equal(tlcp_read(p.server, buf, sizeof(buf), &n), TLCP_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "ping", 4);
    if (s->client_auth)
        assert_int_equal(tlcp_conn_peer_verify_result(p.server, NULL), TLCP_PEER_VERIFIED);
    e2e_pair_close(&p);
}

static const uint16_t ecc[2] = {TLCP_ECC_SM4_CBC_SM3, TLCP_ECC_SM4_GCM_SM3};

/* "file:<fixture path>" or "tlcptest:<fixture path>?cert" for a certificate. */
static char *cert_uri(const char *scheme, const char *name)
{
    char *path = e2e_fixture_path(FIX, name);
    size_t len = strlen(path) + 32;
    char *uri = malloc(len);
    assert_non_null(uri);
    snprintf(uri, len, strcmp(scheme, "file") == 0 ? "%s:%s" : "%s:%s?cert", scheme, path);
    free(path);
    return uri;
}

/* The sign certificate followed by the fixture chain, in a temporary file
 * (a chain behind one certificate URI). */
static char *sign_with_chain(void)
{
    static char path[] = "/tmp/tlcp-uri-chain-XXXXXX";
    static int made;
    if (made)
        return path;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    const char *parts[] = {"server-sign.pem", "chain.pem"};
    for (int k = 0; k < 2; k++) {
        char *p = e2e_fixture_path(FIX, parts[k]);
        FILE *in = fopen(p, "r");
        assert_non_null(in);
        int ch;
        while ((ch = fgetc(in)) != EOF)
            fputc(ch, out);
        fclose(in);
        free(p);
    }
    fclose(out);
    made = 1;
    return path;
}

static tlcp_result add_named_uri(tlcp_config *cfg, const char *name, const char *sign_scheme,
                                 const char *enc_scheme)
{
    char *sc = NULL, *ec = cert_uri(enc_scheme, "server-enc.pem");
    if (strcmp(sign_scheme, "tlcptest") == 0) {
        size_t len = strlen(sign_with_chain()) + 32;
        sc = malloc(len);
        assert_non_null(sc);
        snprintf(sc, len, "tlcptest:%s?cert", sign_with_chain());
    } else {
        sc = cert_uri(sign_scheme, "server-sign.pem");
    }
    char *sk = test_uri("server", 0, ""), *ek = test_uri("server", 1, "");
    tlcp_result r = tlcp_config_add_cert_pair_uri_for_name(cfg, name, sc, sk, ec, ek, NULL);
    free(sc);
    free(ec);
    free(sk);
    free(ek);
    return r;
}

/* A pair per server name with both keys in the provider and the
 * certificates behind tlcptest ?cert and file: URIs: with no default pair,
 * a completed handshake shows the named pair served, both ECC suites; its
 * chain came from behind the sign certificate's URI (the client needs it). */
static void test_named_pair_uri(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        tlcp_config *scfg = tlcp_config_new();
        assert_non_null(scfg);
        with_provider(scfg);
        assert_int_equal(tlcp_config_set_cipher_suites(scfg, &ecc[i], 1), TLCP_OK);
        if (add_named_uri(scfg, "LocalHost", "tlcptest", "file") != TLCP_OK)
            fail_msg("%s", tlcp_config_error(scfg));
        tlcp_config *ccfg = e2e_client_config(FIX, "localhost", PINNED_TIME);
        assert_int_equal(tlcp_config_set_send_sni(ccfg, 1), TLCP_OK);
        assert_int_equal(tlcp_config_set_cipher_suites(ccfg, &ecc[i], 1), TLCP_OK);
        e2e_pair p;
        e2e_pair_open(&p, ccfg, scfg);
        if (!e2e_pair_handshake(&p))
            fail_msg("client: %s / server: %s", tlcp_conn_error(p.client),
                     tlcp_conn_error(p.server));
        e2e_pair_close(&p);
    }
    unlink(sign_with_chain());
}

/* The named URI pair's failures: an enc key URI beside ECDHE suites (both
 * orders), a certificate URI with nothing there or without a certificate,
 * a key that is not the certificate's; the old entry point takes no URI. */
static void test_named_pair_uri_errors(void **state)
{
    (void)state;
    static const uint16_t mixed[2] = {TLCP_ECDHE_SM4_GCM_SM3, TLCP_ECC_SM4_GCM_SM3};
    tlcp_config *cfg = tlcp_config_new();
    with_provider(cfg);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, mixed, 2), TLCP_OK);
    assert_int_equal(add_named_uri(cfg, "a.test", "file", "file"), TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_KEY_URI_NO_KX);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, ecc, 2), TLCP_OK);
    assert_int_equal(add_named_uri(cfg, "a.test", "file", "file"), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, mixed, 2), TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_KEY_URI_NO_KX);
    char *sk = test_uri("server", 0, ""), *ek = test_uri("server", 1, "");
    char *ec = e2e_fixture_path(FIX, "server-enc.pem");
    assert_int_equal(tlcp_config_add_cert_pair_uri_for_name(
                         cfg, "b.test", "tlcptest:/nonexistent?cert", sk, ec, ek, NULL),
                     TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "cannot open certificate URI"));
    assert_int_equal(cfg->err.reason, TLCP_R_KEY_STORE);
    char *key_file = e2e_fixture_path(FIX, "server-sign.key"), uri[1100];
    snprintf(uri, sizeof(uri), "file:%s", key_file);
    assert_int_equal(tlcp_config_add_cert_pair_uri_for_name(cfg, "b.test", uri, sk, ec, ek, NULL),
                     TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "no certificate at certificate URI"));
    char *sc = e2e_fixture_path(FIX, "server-sign.pem");
    assert_int_equal(tlcp_config_add_cert_pair_uri_for_name(cfg, "b.test", sc, ek, ec, ek, NULL),
                     TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_KEY_CERT_MISMATCH);
    assert_int_equal(tlcp_config_add_cert_pair_for_name(cfg, "b.test", sc, sk, ec, ek, NULL),
                     TLCP_ERROR);
    free(sk);
    free(ek);
    free(ec);
    free(sc);
    free(key_file);
    tlcp_config_free(cfg);
}
static const uint16_t ecdhe[2] = {TLCP_ECDHE_SM4_CBC_SM3, TLCP_ECDHE_SM4_GCM_SM3};

/* Server: both keys in the provider (signature and decryption there). */
static void test_server_ecc(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        spec s = {.suite = ecc[i], .server_sign = "", .server_enc = ""};
        expect_ok(&s);
    }
}

/* Client: CertificateVerify signed in the provider, in the standard form and
 * in GmSSL 2's (the digest itself, no Z). */
static void test_client_ecc(void **state)
{
    (void)state;
    int forms[2] = {TLCP_CV_STANDARD, TLCP_CV_GMSSL2};
    for (int i = 0; i < 2; i++) {
        spec s = {.suite = ecc[i],
                  .server_sign = "",
                  .server_enc = "",
                  .client_sign = "",
                  .client_enc = "",
                  .client_auth = 1,
                  .cv_form = forms[i]};
        expect_ok(&s);
    }
}

/* ECDHE: a provider signing key works in both roles (the key exchange runs
 * on the encryption key from its file). */
static void test_ecdhe_sign_key(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        spec s = {.suite = ecdhe[i], .server_sign = "", .client_sign = "", .client_auth = 1};
        expect_ok(&s);
    }
}

/* ECDHE with a provider encryption key: refused when the config is made,
 * whichever comes first, suites or key; the config stays usable. */
static void test_ecdhe_enc_key_refused(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    with_provider(cfg);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, ecdhe, 2), TLCP_OK);
    assert_int_equal(load_uri_pair(cfg, "server", 1, ""), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "SM2 key exchange"));
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, ecc, 2), TLCP_OK);
    assert_int_equal(load_uri_pair(cfg, "server", 1, ""), TLCP_OK);
    const uint16_t mixed[2] = {TLCP_ECC_SM4_GCM_SM3, TLCP_ECDHE_SM4_GCM_SM3};
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, mixed, 2), TLCP_ERROR);
    assert_non_null(strstr(tlcp_config_error(cfg), "ECDHE"));
    tlcp_config_free(cfg);
    /* the reason code is the documented one */
    cfg = tlcp_config_new();
    with_provider(cfg);
    assert_int_equal(load_uri_pair(cfg, "client", 1, ""), TLCP_OK);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, ecdhe, 1), TLCP_ERROR);
    tlcp_config_free(cfg);
    assert_string_equal(tlcp_reason_string(TLCP_R_KEY_URI_NO_KX),
                        "no SM2 key exchange with a provider-held encryption key (ECDHE)");
    /* a key file loaded over the URI pair lifts the restriction */
    cfg = tlcp_config_new();
    with_provider(cfg);
    assert_int_equal(load_uri_pair(cfg, "server", 1, ""), TLCP_OK);
    e2e_load_pair(cfg, FIX, "server", 1);
    assert_int_equal(tlcp_config_set_cipher_suites(cfg, ecdhe, 2), TLCP_OK);
    tlcp_config_free(cfg);
}

/* The provider's key cannot leave it: what libtlcp relies on is a handle. */
static void test_key_not_exportable(void **state)
{
    (void)state;
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();
    assert_non_null(libctx);
    assert_true(OSSL_PROVIDER_set_default_search_path(libctx, provider_dir()));
    OSSL_PROVIDER *def = OSSL_PROVIDER_load(libctx, "default");
    OSSL_PROVIDER *tp = OSSL_PROVIDER_load(libctx, "tlcptest");
    assert_non_null(def);
    assert_non_null(tp);
    char *uri = test_uri("server", 0, "");
    OSSL_STORE_CTX *st = OSSL_STORE_open_ex(uri, libctx, NULL, NULL, NULL, NULL, NULL, NULL);
    assert_non_null(st);
    OSSL_STORE_INFO *info = OSSL_STORE_load(st);
    assert_non_null(info);
    EVP_PKEY *pkey = OSSL_STORE_INFO_get1_PKEY(info);
    assert_non_null(pkey);
    assert_string_equal(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(pkey)), "tlcptest");
    BIGNUM *d = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d), 0);
    assert_null(d);
    BIO *mem = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL), 0);
    assert_int_equal(BIO_pending(mem), 0);
    BIO_free(mem);
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    OSSL_STORE_INFO_free(info);
    OSSL_STORE_close(st);
    free(uri);
    OSSL_PROVIDER_unload(tp);
    OSSL_PROVIDER_unload(def);
    OSSL_LIB_CTX_free(libctx);
}

/* pkey as PEM in a fresh temporary file, encrypted with SM4 under `pass`
 * when pass is not NULL. Caller unlinks and frees. */
static char *write_key_temp(EVP_PKEY *pkey, const char *pass)
{
    char *tmp = strdup("/tmp/tlcp-key-uri-XXXXXX");
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    if (pass != NULL)
        assert_true(
            PEM_write_PKCS8PrivateKey(out, pkey, EVP_sm4_cbc(), NULL, 0, NULL, (void *)pass));
    else
        assert_true(PEM_write_PrivateKey(out, pkey, NULL, NULL, 0, NULL, NULL));
    fclose(out);
    EVP_PKEY_free(pkey);
    return tmp;
}

/* A client of the fixture CA against scfg (taken over; the fixture chain is
 * added here): the handshake must succeed. */
static void expect_server_handshake(tlcp_config *scfg)
{
    char *chain = e2e_fixture_path(FIX, "chain.pem");
    assert_int_equal(tlcp_config_load_chain_file(scfg, chain), TLCP_OK);
    free(chain);
    e2e_pair p;
    e2e_pair_open(&p, e2e_client_config(FIX, "localhost", PINNED_TIME), scfg);
    if (!e2e_pair_handshake(&p))
        fail_msg("client: %s / server: %s", tlcp_conn_error(p.client), tlcp_conn_error(p.server));
    e2e_pair_close(&p);
}

/* file: URIs in OpenSSL's default context (no provider call): a plain and
 * an encrypted PKCS#8 key, the passphrase given; a wrong one fails. */
static char *encrypted_copy(const char *who, int enc, const char *pass)
{
    char key[64];
    snprintf(key, sizeof(key), "%s-%s.key", who, enc ? "enc" : "sign");
    char *path = e2e_fixture_path(FIX, key);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    EVP_PKEY *pkey = PEM_read_PrivateKey(in, NULL, NULL, NULL);
    fclose(in);
    free(path);
    assert_non_null(pkey);
    return write_key_temp(pkey, pass);
}

static void test_file_uri_default_context(void **state)
{
    (void)state;
    tlcp_config *scfg = tlcp_config_new();
    char *sc = e2e_fixture_path(FIX, "server-sign.pem"),
         *ec = e2e_fixture_path(FIX, "server-enc.pem");
    char *sk = e2e_fixture_path(FIX, "server-sign.key");
    char uri[1100];
    snprintf(uri, sizeof(uri), "file:%s", sk);
    assert_int_equal(tlcp_config_load_pair_uri(scfg, TLCP_CERT_SIGN, sc, uri, NULL), TLCP_OK);
    char *enc_key = encrypted_copy("server", 1, "uri-pass");
    snprintf(uri, sizeof(uri), "file:%s", enc_key);
    assert_int_equal(tlcp_config_load_pair_uri(scfg, TLCP_CERT_ENC, ec, uri, "wrong"), TLCP_ERROR);
    assert_int_equal(tlcp_config_load_pair_uri(scfg, TLCP_CERT_ENC, ec, uri, NULL), TLCP_ERROR);
    if (tlcp_config_load_pair_uri(scfg, TLCP_CERT_ENC, ec, uri, "uri-pass") != TLCP_OK)
        fail_msg("%s", tlcp_config_error(scfg));
    expect_server_handshake(scfg);
    unlink(enc_key);
    free(enc_key);
    free(sc);
    free(ec);
    free(sk);
}

static void expect_load_error(tlcp_config *cfg, const char *cert, const char *uri, int which,
                              int reason, const char *needle)
{
    assert_int_equal(tlcp_config_load_pair_uri(cfg, which, cert, uri, NULL), TLCP_ERROR);
    const char *msg = tlcp_config_error(cfg);
    if (strstr(msg, needle) == NULL)
        fail_msg("'%s' lacks '%s'", msg, needle);
    assert_int_equal(cfg->err.reason, reason);
}

/* A non-SM2 key, as a file: URI. */
static char *p256_key_file(void)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(pkey);
    return write_key_temp(pkey, NULL);
}

static void test_load_errors(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    with_provider(cfg);
    char *cert = e2e_fixture_path(FIX, "server-sign.pem");
    expect_load_error(cfg, cert, "tlcptest:/nonexistent/key.pem", TLCP_CERT_SIGN, TLCP_R_KEY_STORE,
                      "cannot open key URI tlcptest:/nonexistent/key.pem");
    expect_load_error(cfg, cert, "nosuch:abc", TLCP_CERT_SIGN, TLCP_R_KEY_STORE, "scheme 'nosuch'");
    expect_load_error(cfg, cert, "server.key", TLCP_CERT_SIGN, TLCP_R_INVALID_ARGUMENT,
                      "is not a key URI");
    expect_load_error(cfg, cert, "/etc/x:y", TLCP_CERT_SIGN, TLCP_R_INVALID_ARGUMENT,
                      "is not a key URI");
    char *bad = test_uri("server", 0, "?fail=everything");
    expect_load_error(cfg, cert, bad, TLCP_CERT_SIGN, TLCP_R_KEY_STORE, "cannot open key URI");
    free(bad);
    /* the enc key behind the sign certificate */
    char *other = test_uri("server", 1, "");
    expect_load_error(cfg, cert, other, TLCP_CERT_SIGN, TLCP_R_KEY_CERT_MISMATCH,
                      "does not match certificate");
    free(other);
    char *p256 = p256_key_file();
    char uri[512];
    snprintf(uri, sizeof(uri), "file:%s", p256);
    expect_load_error(cfg, cert, uri, TLCP_CERT_SIGN, TLCP_R_BAD_KEY, "is not an SM2 key");
    unlink(p256);
    free(p256);
    /* a URI that is also a file here: refused, not read as the file */
    char name[] = "tlcpuri:XXXXXX";
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    close(fd);
    expect_load_error(cfg, cert, name, TLCP_CERT_SIGN, TLCP_R_INVALID_ARGUMENT,
                      "also the name of a file");
    unlink(name);
    /* nothing was installed by the failures */
    tlcp_config_free(cfg);
    free(cert);
    /* argument and provider errors */
    cfg = tlcp_config_new();
    cert = e2e_fixture_path(FIX, "server-sign.pem");
    assert_int_equal(tlcp_config_load_pair_uri(cfg, 5, cert, "nosuch:abc", NULL), TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_INVALID_ARGUMENT);
    assert_int_equal(tlcp_config_load_key_provider(cfg, "no-such-provider", provider_dir()),
                     TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_KEY_STORE);
    assert_non_null(
        strstr(tlcp_config_error(cfg), "cannot load OpenSSL provider 'no-such-provider'"));
    assert_int_equal(tlcp_config_load_key_provider(cfg, NULL, NULL), TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_INVALID_ARGUMENT);
    tlcp_config_free(cfg);
    free(cert);
}

/* The property query reaches the loader and the operations: pinned to the
 * test provider the handshake works; pinned to a provider that is not
 * there, the URI does not open. */
static void test_propquery(void **state)
{
    (void)state;
    tlcp_config *cfg = tlcp_config_new();
    with_provider(cfg);
    assert_int_equal(tlcp_config_set_key_propquery(cfg, "provider=nosuch"), TLCP_OK);
    assert_int_equal(load_uri_pair(cfg, "server", 0, ""), TLCP_ERROR);
    assert_int_equal(cfg->err.reason, TLCP_R_KEY_STORE);
    assert_int_equal(tlcp_config_set_key_propquery(cfg, "provider=tlcptest"), TLCP_OK);
    must_load(cfg, "server", 0, "");
    must_load(cfg, "server", 1, "");
    assert_int_equal(tlcp_config_set_key_propquery(cfg, NULL), TLCP_OK);
    expect_server_handshake(cfg);
}

/* The provider fails the signature: internal_error, a clear reason. */
static void test_provider_sign_fails(void **state)
{
    (void)state;
    spec s = {.suite = TLCP_ECC_SM4_GCM_SM3, .server_sign = "?fail=sign", .server_enc = ""};
    e2e_pair p;
    assert_false(run(&s, &p));
    assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_KEY_OP_FAILED);
    assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_INTERNAL_ERROR);
    assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_INTERNAL_ERROR);
    assert_non_null(strstr(tlcp_conn_error(p.server), "signature"));
    e2e_pair_close(&p);
    spec c = {.suite = TLCP_ECC_SM4_CBC_SM3,
              .server_sign = "",
              .server_enc = "",
              .client_sign = "?fail=sign",
              .client_enc = "",
              .client_auth = 1};
    assert_false(run(&c, &p));
    assert_int_equal(tlcp_conn_error_reason(p.client), TLCP_R_KEY_OP_FAILED);
    assert_int_equal(tlcp_conn_alert_sent(p.client), TLCP_ALERT_INTERNAL_ERROR);
    assert_int_equal(tlcp_conn_alert_received(p.server), TLCP_ALERT_INTERNAL_ERROR);
    e2e_pair_close(&p);
}

/* The provider fails the decryption: the server goes on with a random
 * pre-master, so the failure shows at Finished like any bad ciphertext. */
static void test_provider_decrypt_fails_no_oracle(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        spec s = {.suite = ecc[i], .server_sign = "", .server_enc = "?fail=decrypt"};
        e2e_pair p;
        assert_false(run(&s, &p));
        assert_int_equal(tlcp_conn_error_reason(p.server), TLCP_R_BAD_RECORD_MAC);
        assert_int_equal(tlcp_conn_alert_sent(p.server), TLCP_ALERT_BAD_RECORD_MAC);
        assert_int_equal(tlcp_conn_alert_received(p.client), TLCP_ALERT_BAD_RECORD_MAC);
        assert_null(strstr(tlcp_conn_error(p.server), "delegated"));
        e2e_pair_close(&p);
    }
}

/* tlcp_private_key_load_uri: a key holder (a key server, a worker thread)
 * performs requests with a URI key; used here as delegated callbacks. */
static int perform_cb(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out,
                      size_t *out_len)
{
    (void)conn;
    return tlcp_private_key_perform(arg, op, out, out_len);
}

static tlcp_private_key *uri_private_key(const char *who, int enc, const char *key_who)
{
    char cert[64], key[64], uri[1100], err[512];
    snprintf(cert, sizeof(cert), "%s-%s.pem", who, enc ? "enc" : "sign");
    snprintf(key, sizeof(key), "%s-%s.key", key_who, enc ? "enc" : "sign");
    char *c = e2e_fixture_path(FIX, cert), *k = e2e_fixture_path(FIX, key);
    snprintf(uri, sizeof(uri), "file:%s", k);
    tlcp_private_key *pk = tlcp_private_key_load_uri(c, uri, NULL, err, sizeof(err));
    if (pk == NULL && strcmp(who, key_who) == 0)
        fail_msg("%s", err);
    if (pk == NULL)
        assert_non_null(strstr(err, "does not match certificate"));
    free(c);
    free(k);
    return pk;
}

static void test_private_key_uri(void **state)
{
    (void)state;
    tlcp_private_key *sign = uri_private_key("server", 0, "server");
    tlcp_private_key *enc = uri_private_key("server", 1, "server");
    assert_null(uri_private_key("server", 0, "client")); /* another key: refused */
    char err[256];
    assert_null(
        tlcp_private_key_load_uri("/nonexistent.pem", "server.key", NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "is not a key URI"));
    /* the point is the certificate's */
    char *c = e2e_fixture_path(FIX, "server-sign.pem"),
         *k = e2e_fixture_path(FIX, "server-sign.key");
    tlcp_private_key *local = tlcp_private_key_load(c, k, NULL, NULL, 0);
    assert_non_null(local);
    assert_memory_equal(tlcp_private_key_point(sign), tlcp_private_key_point(local), 65);
    tlcp_private_key_free(local);
    free(c);
    free(k);
    /* no SM2 key exchange through EVP */
    tlcp_key_op kx;
    memset(&kx, 0, sizeof(kx));
    kx.type = TLCP_KEY_OP_KX;
    kx.out_len = 48;
    kx.max_out = TLCP_KEY_OP_MAX_OUT;
    uint8_t out[TLCP_KEY_OP_MAX_OUT];
    size_t out_len = 0;
    assert_int_equal(tlcp_private_key_perform(enc, &kx, out, &out_len), TLCP_KEY_OP_FAILED);
    /* signature and decryption work: a handshake with them as callbacks */
    tlcp_config *scfg = tlcp_config_new();
    char *sc = e2e_fixture_path(FIX, "server-sign.pem"),
         *ec = e2e_fixture_path(FIX, "server-enc.pem");
    assert_int_equal(tlcp_config_load_delegated_pair(scfg, TLCP_CERT_SIGN, sc, perform_cb, sign),
                     TLCP_OK);
    assert_int_equal(tlcp_config_load_delegated_pair(scfg, TLCP_CERT_ENC, ec, perform_cb, enc),
                     TLCP_OK);
    expect_server_handshake(scfg);
    free(sc);
    free(ec);
    tlcp_private_key_free(sign);
    tlcp_private_key_free(enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_ecc),
        cmocka_unit_test(test_client_ecc),
        cmocka_unit_test(test_ecdhe_sign_key),
        cmocka_unit_test(test_ecdhe_enc_key_refused),
        cmocka_unit_test(test_key_not_exportable),
        cmocka_unit_test(test_file_uri_default_context),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_propquery),
        cmocka_unit_test(test_provider_sign_fails),
        cmocka_unit_test(test_provider_decrypt_fails_no_oracle),
        cmocka_unit_test(test_private_key_uri),
        cmocka_unit_test(test_named_pair_uri),
        cmocka_unit_test(test_named_pair_uri_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

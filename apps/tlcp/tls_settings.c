/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libssl context of a TLS side (tls_io.h): certificate and key (an
 * encrypted key with the service's passphrase; never a terminal prompt),
 * client certificates, the lowest version, cipher strings and ALPN. Every
 * string is checked before use so a bad one is a configuration error that
 * names its setting, not a surprise at the first handshake.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cli.h"
#include "tls_io.h"

/* The key's passphrase callback: the configured passphrase or nothing
 * (libssl's default callback would prompt on the terminal). */
struct pass_ask {
    const char *pass;
    int asked;
};

static int pass_cb(char *buf, int size, int rwflag, void *arg)
{
    struct pass_ask *a = arg;
    (void)rwflag;
    a->asked = 1;
    if (a->pass == NULL)
        return -1;
    size_t n = strlen(a->pass);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, a->pass, n);
    return (int)n;
}

static int fail(char *err, size_t errlen, const char *what)
{
    cli_tls_error_text(err, errlen, what);
    return 0;
}

static int load_key(SSL_CTX *ctx, const struct cli_tls_settings *s, char *err, size_t errlen)
{
    struct pass_ask ask = {s->pass, 0};
    SSL_CTX_set_default_passwd_cb(ctx, pass_cb);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, &ask);
    int ok = SSL_CTX_use_PrivateKey_file(ctx, s->key, SSL_FILETYPE_PEM) == 1;
    /* The callback's argument lives on this stack: no later use of it. */
    SSL_CTX_set_default_passwd_cb(ctx, NULL);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
    if (ok)
        return 1;
    if (ask.asked && s->pass == NULL)
        return fail(err, errlen, "the TLS key is encrypted and no passphrase is given");
    if (ask.asked)
        return fail(err, errlen, "cannot decrypt the TLS key (wrong passphrase?)");
    return fail(err, errlen, "cannot load the TLS key");
}

/* "h2,http/1.1" -> "\x02h2\x08http/1.1" (names already checked). */
static size_t alpn_wire(const char *list, unsigned char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len > 255 || n + 1 + len > cap)
            return 0;
        out[n++] = (unsigned char)len;
        memcpy(out + n, p, len);
        n += len;
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

struct alpn_cfg {
    unsigned char wire[1024];
    unsigned int len;
    int required;
};

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
    struct alpn_cfg *a = arg;
    (void)ssl;
    unsigned char *sel = NULL;
    /* Our order first (as libtlcp's server does). */
    if (SSL_select_next_proto(&sel, outlen, a->wire, a->len, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
        *out = sel;
        return SSL_TLSEXT_ERR_OK;
    }
    return a->required ? SSL_TLSEXT_ERR_ALERT_FATAL : SSL_TLSEXT_ERR_NOACK;
}

static int alpn_index = -1; /* the SSL_CTX ex_data slot of struct alpn_cfg */

static void alpn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    OPENSSL_free(ptr);
}

static int set_alpn(SSL_CTX *ctx, const struct cli_tls_settings *s, char *err, size_t errlen)
{
    if (s->alpn == NULL)
        return 1;
    if (alpn_index < 0)
        alpn_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, alpn_free);
    struct alpn_cfg *a = OPENSSL_zalloc(sizeof(*a));
    if (alpn_index < 0 || a == NULL) {
        OPENSSL_free(a);
        return fail(err, errlen, "ALPN: out of memory");
    }
    a->len = (unsigned int)alpn_wire(s->alpn, a->wire, sizeof(a->wire));
    a->required = s->alpn_required;
    if (a->len == 0 || SSL_CTX_set_ex_data(ctx, alpn_index, a) != 1) {
        OPENSSL_free(a);
        return fail(err, errlen, "ALPN list unusable");
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, a);
    return 1;
}

/* Client certificates: optional asks for one and goes on without, but a
 * certificate that is sent must verify (libssl's rule, unlike TLCP's
 * --verify optional, which logs a failing one and goes on). */
static int set_verify(SSL_CTX *ctx, const struct cli_tls_settings *s, char *err, size_t errlen)
{
    if (s->verify_client == TLCP_VERIFY_NONE)
        return 1;
    if (s->ca == NULL) {
        snprintf(err, errlen, "client certificates need a CA file");
        return 0;
    }
    if (SSL_CTX_load_verify_locations(ctx, s->ca, NULL) != 1)
        return fail(err, errlen, "cannot load the TLS CA file");
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(s->ca);
    if (names == NULL)
        return fail(err, errlen, "the TLS CA file holds no certificate");
    SSL_CTX_set_client_CA_list(ctx, names);
    int mode = SSL_VERIFY_PEER;
    if (s->verify_client == TLCP_VERIFY_REQUIRED)
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, NULL);
    /* TLS 1.2 resumption skips the certificate: sessions stay per context. */
    static const unsigned char sid[] = "tlcp-tls";
    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
    return 1;
}

static int min_version(const char *v)
{
    return v == NULL || strcmp(v, "1.2") == 0 ? TLS1_2_VERSION
           : strcmp(v, "1.3") == 0            ? TLS1_3_VERSION
                                              : 0;
}

static int set_protocol(SSL_CTX *ctx, const struct cli_tls_settings *s, char *err, size_t errlen)
{
    if (min_version(s->min_version) == 0 ||
        SSL_CTX_set_min_proto_version(ctx, min_version(s->min_version)) != 1)
        return fail(err, errlen, "unusable minimum TLS version");
    if (s->ciphers != NULL && SSL_CTX_set_cipher_list(ctx, s->ciphers) != 1)
        return fail(err, errlen, "TLS 1.2 cipher list refused");
    if (s->ciphersuites != NULL && SSL_CTX_set_ciphersuites(ctx, s->ciphersuites) != 1)
        return fail(err, errlen, "TLS 1.3 ciphersuites refused");
    return 1;
}

void *cli_tls_ctx_new(const struct cli_tls_settings *s, char *err, size_t errlen)
{
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        fail(err, errlen, "cannot make a TLS context");
        return NULL;
    }
    int ok = set_protocol(ctx, s, err, errlen);
    if (ok && SSL_CTX_use_certificate_chain_file(ctx, s->cert) != 1)
        ok = fail(err, errlen, "cannot load the TLS certificate");
    ok = ok && load_key(ctx, s, err, errlen);
    if (ok && SSL_CTX_check_private_key(ctx) != 1)
        ok = fail(err, errlen, "the TLS key does not match the certificate");
    ok = ok && set_verify(ctx, s, err, errlen) && set_alpn(ctx, s, err, errlen);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* The relay retries a write from a buffer that may have moved. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

/* A cipher string libssl takes may still select nothing usable with TLS
 * 1.2 ("eNULL" alone, a typo among valid names is skipped silently): count
 * what an SSL of the scratch context would offer. */
static int check_ciphers(const char *what, const char *value, char *err, size_t errlen)
{
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    int is13 = strcmp(what, "ciphersuites") == 0;
    int ok = ctx != NULL && (is13 ? SSL_CTX_set_ciphersuites(ctx, value)
                                  : SSL_CTX_set_cipher_list(ctx, value)) == 1;
    if (ok) {
        int count = 0;
        STACK_OF(SSL_CIPHER) *list = SSL_CTX_get_ciphers(ctx);
        for (int i = 0; i < sk_SSL_CIPHER_num(list); i++) {
            const char *v = SSL_CIPHER_get_version(sk_SSL_CIPHER_value(list, i));
            int v13 = strcmp(v, "TLSv1.3") == 0;
            count += is13 ? v13 : !v13;
        }
        ok = count > 0;
    }
    SSL_CTX_free(ctx);
    ERR_clear_error();
    if (!ok)
        snprintf(err, errlen, "libssl selects no %s suite from '%s'", is13 ? "TLS 1.3" : "TLS 1.2",
                 value);
    return ok;
}

static int check_alpn(const char *value, char *err, size_t errlen)
{
    tlcp_config *cfg = tlcp_config_new();
    int ok = cfg != NULL && value[0] != '\0' && tlcp_config_set_alpn(cfg, value) == TLCP_OK;
    if (!ok)
        snprintf(err, errlen, "%s",
                 cfg != NULL && value[0] != '\0' ? tlcp_config_error(cfg) : "an empty ALPN list");
    tlcp_config_free(cfg);
    return ok;
}

int cli_tls_check_setting(const char *what, const char *value, char *err, size_t errlen)
{
    if (strcmp(what, "min_version") == 0) {
        if (min_version(value) != 0)
            return 1;
        snprintf(err, errlen, "wants 1.2 or 1.3, not '%s'", value);
        return 0;
    }
    if (strcmp(what, "alpn") == 0)
        return check_alpn(value, err, errlen);
    return check_ciphers(what, value, err, errlen);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libtlcp configuration of one service: certificate pairs, CA, verify
 * mode, suites, session cache (terminate) or the `tlcp client` options
 * (originate). Errors name the file, line and key that caused them.
 */
#include <stdio.h>
#include <string.h>

#include "proxy.h"

static int fail_at(const struct px_origin *at, const char *key, const tlcp_config *cfg,
                   const char *what, char *err, size_t errlen)
{
    if (at->line > 0)
        snprintf(err, errlen, "%s:%d: key '%s': %s: %s", at->file, at->line, key, what,
                 tlcp_config_error(cfg));
    else
        snprintf(err, errlen, "%s: key '%s': %s: %s", at->file, key, what, tlcp_config_error(cfg));
    return 0;
}

static int load_pair(tlcp_config *cfg, const struct px_pair *p, const char *pass, char *err,
                     size_t errlen)
{
    char what[1200];
    /* A key may be a URI (cli_load_pair), opened with the service's
     * provider keys, or in OpenSSL's default context (OPENSSL_CONF). */
    if (!cli_load_pair(cfg, TLCP_CERT_SIGN, p->sign_cert, p->sign_key, pass)) {
        snprintf(what, sizeof(what), "signing pair %s / %s", p->sign_cert, p->sign_key);
        return fail_at(&p->at, "sign_cert", cfg, what, err, errlen);
    }
    if (!cli_load_pair(cfg, TLCP_CERT_ENC, p->enc_cert, p->enc_key, pass)) {
        snprintf(what, sizeof(what), "encryption pair %s / %s", p->enc_cert, p->enc_key);
        return fail_at(&p->at, "enc_cert", cfg, what, err, errlen);
    }
    return 1;
}

/* A pair_for line: served to clients whose SNI matches its name. */
static int load_named_pair(tlcp_config *cfg, const struct px_pair *p, const char *pass, char *err,
                           size_t errlen)
{
    /* Keys (and their certificates) may be URIs, as in a 'pair' line. */
    if (tlcp_config_add_cert_pair_uri_for_name(cfg, p->name, p->sign_cert, p->sign_key, p->enc_cert,
                                               p->enc_key, pass) == TLCP_OK)
        return 1;
    char what[1400];
    snprintf(what, sizeof(what), "pair for %s (%s / %s, %s / %s)", p->name, p->sign_cert,
             p->sign_key, p->enc_cert, p->enc_key);
    return fail_at(&p->at, "pair_for", cfg, what, err, errlen);
}

/* The default pair (at most one, checked with the config) and the pairs per
 * server name; libtlcp chooses among them by the client's SNI. */
static int load_pairs(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen)
{
    for (size_t i = 0; i < s->num_pairs; i++) {
        const struct px_pair *p = &s->pairs[i];
        if (!(p->name == NULL ? load_pair(cfg, p, s->pass, err, errlen)
                              : load_named_pair(cfg, p, s->pass, err, errlen)))
            return 0;
    }
    return 1;
}

static int load_common(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen)
{
    /* Providers first: the pairs' key URIs are opened with them. */
    if (!px_providers_apply(cfg, s, err, errlen) || !load_pairs(cfg, s, err, errlen) ||
        !px_ks_load_pairs(cfg, s, err, errlen))
        return 0;
    if (s->chain != NULL && tlcp_config_load_chain_file(cfg, s->chain) != TLCP_OK)
        return fail_at(&s->chain_at, "chain", cfg, s->chain, err, errlen);
    if (s->ca != NULL && tlcp_config_load_ca_file(cfg, s->ca) != TLCP_OK)
        return fail_at(&s->ca_at, "ca", cfg, s->ca, err, errlen);
    if (!cli_apply_revocation(cfg, s->crl, s->partial_chain, err, errlen)) {
        char what[1200];
        snprintf(what, sizeof(what), "%s", err);
        snprintf(err, errlen, "%s:%d: key 'crl': %s", s->crl_at.file, s->crl_at.line, what);
        return 0;
    }
    if (s->suites != NULL) {
        uint16_t ids[16];
        size_t n = cli_parse_suites(s->suites, ids, 16, err, errlen);
        if (n == 0 || tlcp_config_set_cipher_suites(cfg, ids, n) != TLCP_OK)
            return fail_at(&s->suites_at, "suites", cfg, s->suites, err, errlen);
    }
    return 1;
}

static int setup_server(tlcp_config *cfg, const struct px_service *s, int store_set, char *err,
                        size_t errlen)
{
    if (tlcp_config_set_verify_mode(cfg, s->verify_mode) != TLCP_OK ||
        (s->sessions > 0 && !store_set &&
         tlcp_config_set_session_cache(cfg, (size_t)s->sessions, 0) != TLCP_OK))
        return fail_at(&s->at, "verify", cfg, "server settings", err, errlen);
    /* 360-style TLS hellos answered with TLCP (tls_side.c has the key). */
    if (s->tls_hello_for_tlcp && tlcp_config_accept_tls_hello_for_tlcp(cfg, 1) != TLCP_OK)
        return fail_at(&s->at, "tls_hello_for_tlcp", cfg, "server settings", err, errlen);
    if (!cli_check_server_config("proxy", cfg, NULL)) {
        snprintf(err, errlen, "%s:%d: [%s]: the certificates above cannot serve", s->at.file,
                 s->at.line, s->name);
        return 0;
    }
    return 1;
}

/* The host part of "host:port" (the default server name to verify). */
static void connect_host(const struct px_service *s, char *host, size_t len)
{
    char port[32];
    if (!cli_split_host_port(s->connect.text, host, len, port, sizeof(port)))
        host[0] = '\0';
}

static int setup_client(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen)
{
    tlcp_result r = TLCP_OK;
    int verify = s->verify_set ? s->verify_mode : TLCP_VERIFY_REQUIRED;
    r = tlcp_config_set_verify_mode(cfg, verify);
    if (r == TLCP_OK && verify != TLCP_VERIFY_NONE) {
        char host[256];
        connect_host(s, host, sizeof(host));
        r = tlcp_config_set_host_name(cfg, s->server_name ? s->server_name : host);
    }
    if (r == TLCP_OK && s->server_name != NULL)
        r = tlcp_config_set_send_sni(cfg, 1);
    if (r == TLCP_OK && s->compat != NULL && strcmp(s->compat, "gmssl3") == 0) {
        /* What `tlcp client --compat gmssl3` sets for GmSSL 3 servers. */
        r = tlcp_config_set_ecdhe_cke_length_prefix(cfg, 1);
        if (r == TLCP_OK)
            r = tlcp_config_set_cert_verify_raw(cfg, 1);
        if (r == TLCP_OK)
            r = tlcp_config_set_client_cert_list(cfg, TLCP_CLIENT_CERTS_SIGN_ONLY);
    }
    if (r != TLCP_OK)
        return fail_at(&s->at, "server_name", cfg, "client settings", err, errlen);
    return 1;
}

tlcp_config *px_tls_build(const struct px_service *s, const tlcp_session_store *store,
                          void *store_arg, char *err, size_t errlen)
{
    tlcp_config *cfg = tlcp_config_new();
    if (cfg == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* Before setup_server: its check makes a connection, which freezes cfg. */
    if (store != NULL && s->direction == PX_TERMINATE &&
        tlcp_config_set_session_store(cfg, store, store_arg) != TLCP_OK) {
        snprintf(err, errlen, "[%s]: cannot use the Redis session store", s->name);
        tlcp_config_free(cfg);
        return NULL;
    }
    int ok = load_common(cfg, s, err, errlen) &&
             (s->direction == PX_TERMINATE ? setup_server(cfg, s, store != NULL, err, errlen)
                                           : setup_client(cfg, s, err, errlen));
    if (!ok) {
        tlcp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

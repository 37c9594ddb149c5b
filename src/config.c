/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_config: what a connection needs to know before it starts. Shared by
 * connections (refcounted) and frozen once the first one uses it, so a
 * running handshake never sees it change.
 */
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "handshake/ticket.h"
#include "suite/suite.h"
#include "util/mem.h"

tlcp_config *tlcp_config_new(void)
{
    tlcp_config *cfg = calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return NULL;
    atomic_init(&cfg->refs, 1);
    atomic_init(&cfg->frozen, 0);
    tlcp_cert_list_init(&cfg->ca_list);
    tlcp_error_clear(&cfg->err);
    cfg->ticket_keys = tlcp_ticket_keys_new();
    if (cfg->ticket_keys == NULL) {
        free(cfg);
        return NULL;
    }
    cfg->num_suites = tlcp_suite_defaults(cfg->suites, TLCP_MAX_SUITES);
    cfg->verify_mode = -1;
    cfg->max_cert_list = TLCP_DEFAULT_MAX_CERT_LIST;
    cfg->key_op_timeout_ms = 10000;
    cfg->cv_form = TLCP_CV_STANDARD;
    cfg->cv_accept = TLCP_CV_ALL; /* interop by default; strict is opt-in */
    return cfg;
}

tlcp_config *tlcp_config_up_ref(tlcp_config *cfg)
{
    if (cfg != NULL)
        atomic_fetch_add(&cfg->refs, 1);
    return cfg;
}

void tlcp_config_free(tlcp_config *cfg)
{
    if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) > 1)
        return;
    tlcp_credentials_free(cfg->creds);
    tlcp_trust_store_free(cfg->trust);
    tlcp_cert_list_clear(&cfg->ca_list);
    tlcp_session_cache_free(cfg->sessions);
    tlcp_ticket_keys_free(cfg->ticket_keys);
    free(cfg->host_name);
    tlcp_config_free_alpn(cfg);
    tlcp_config_free_named_pairs(cfg);
    tlcp_config_free_key_uris(cfg);
    free(cfg);
}

const char *tlcp_config_error(const tlcp_config *cfg)
{
    return cfg == NULL ? "no configuration" : tlcp_error_message(&cfg->err);
}

/* Every setter: refuse once frozen, start with a clean error slot. */
static int writable(tlcp_config *cfg)
{
    if (cfg == NULL)
        return 0;
    if (atomic_load(&cfg->frozen)) {
        tlcp_error_clear(&cfg->err);
        TLCP_ERR(&cfg->err, TLCP_R_CONFIG,
                 "configuration is in use by a connection; "
                 "create a new one to change it");
        return 0;
    }
    tlcp_error_clear(&cfg->err);
    return 1;
}

int tlcp_config_writable(tlcp_config *cfg)
{
    return writable(cfg);
}

static tlcp_result done(int ok)
{
    return ok ? TLCP_OK : TLCP_ERROR;
}

static int ensure_creds(tlcp_config *cfg)
{
    if (cfg->creds == NULL)
        cfg->creds = tlcp_credentials_new(&cfg->err);
    return cfg->creds != NULL;
}

static int ensure_trust(tlcp_config *cfg)
{
    if (cfg->trust == NULL)
        cfg->trust = tlcp_trust_store_new(&cfg->err);
    return cfg->trust != NULL;
}

tlcp_result tlcp_config_load_sign_pair(tlcp_config *cfg, const char *cert_file,
                                       const char *key_file, const char *passphrase)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    return done(ensure_creds(cfg) &&
                tlcp_credentials_load_sign(cfg->creds, cert_file, key_file, passphrase, &cfg->err));
}

tlcp_result tlcp_config_load_enc_pair(tlcp_config *cfg, const char *cert_file, const char *key_file,
                                      const char *passphrase)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    return done(ensure_creds(cfg) &&
                tlcp_credentials_load_enc(cfg->creds, cert_file, key_file, passphrase, &cfg->err));
}

tlcp_result tlcp_config_load_delegated_pair(tlcp_config *cfg, int which, const char *cert_file,
                                            tlcp_key_op_fn fn, void *arg)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (fn == NULL || (which != TLCP_CERT_SIGN && which != TLCP_CERT_ENC)) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "a delegated pair needs TLCP_CERT_SIGN or TLCP_CERT_ENC and a callback");
        return TLCP_ERROR;
    }
    if (!ensure_creds(cfg))
        return TLCP_ERROR;
    tlcp_keypair *pair = which == TLCP_CERT_ENC ? &cfg->creds->enc : &cfg->creds->sign;
    if (!tlcp_keypair_load_cert_only(pair, cert_file, &cfg->err))
        return TLCP_ERROR;
    cfg->key_fn[which] = fn;
    cfg->key_arg[which] = arg;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_key_operation_timeout(tlcp_config *cfg, unsigned ms)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (ms < 1 || ms > 3600000) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "key-operation timeout %u ms outside 1..3600000", ms);
        return TLCP_ERROR;
    }
    cfg->key_op_timeout_ms = ms;
    return TLCP_OK;
}

tlcp_result tlcp_config_load_chain_file(tlcp_config *cfg, const char *path)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    return done(ensure_creds(cfg) && tlcp_credentials_load_chain_file(cfg->creds, path, &cfg->err));
}

tlcp_result tlcp_config_load_ca_file(tlcp_config *cfg, const char *path)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (!ensure_trust(cfg) || !tlcp_trust_store_load_file(cfg->trust, path, &cfg->err))
        return TLCP_ERROR;
    /* The same certificates name the acceptable CAs in a CertificateRequest;
     * a file with more than the list holds is trusted but not named. */
    tlcp_error ignored;
    tlcp_error_clear(&ignored);
    if (!tlcp_cert_list_load_file(&cfg->ca_list, path, &ignored))
        tlcp_cert_list_clear(&cfg->ca_list);
    return TLCP_OK;
}

tlcp_result tlcp_config_load_ca_dir(tlcp_config *cfg, const char *path)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    return done(ensure_trust(cfg) && tlcp_trust_store_load_dir(cfg->trust, path, &cfg->err));
}

tlcp_result tlcp_config_load_crl_file(tlcp_config *cfg, const char *path)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    return done(ensure_trust(cfg) && tlcp_trust_store_load_crl_file(cfg->trust, path, &cfg->err));
}

tlcp_result tlcp_config_load_crl_dir(tlcp_config *cfg, const char *path)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    return done(ensure_trust(cfg) && tlcp_trust_store_load_crl_dir(cfg->trust, path, &cfg->err));
}

tlcp_result tlcp_config_set_partial_chain(tlcp_config *cfg, int enabled)
{
    if (!writable(cfg) || !ensure_trust(cfg))
        return TLCP_ERROR;
    tlcp_trust_store_set_partial_chain(cfg->trust, enabled);
    return TLCP_OK;
}

tlcp_result tlcp_config_accept_tls_hello_for_tlcp(tlcp_config *cfg, int enabled)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->accept_tls_hello = enabled != 0;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_cipher_suites(tlcp_config *cfg, const uint16_t *suites,
                                          size_t num_suites)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (suites == NULL || num_suites == 0 || num_suites > TLCP_MAX_SUITES) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "between 1 and %d cipher suites expected",
                 TLCP_MAX_SUITES);
        return TLCP_ERROR;
    }
    for (size_t i = 0; i < num_suites; i++) {
        if (!tlcp_suite_implemented(suites[i])) {
            TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "cipher suite 0x%04X is not supported",
                     suites[i]);
            return TLCP_ERROR;
        }
    }
    if (tlcp_config_check_uri_kx(cfg, suites, num_suites) != TLCP_OK)
        return TLCP_ERROR;
    for (size_t i = 0; i < num_suites; i++)
        cfg->suites[i] = suites[i];
    cfg->num_suites = num_suites;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_verify_mode(tlcp_config *cfg, int mode)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (mode != TLCP_VERIFY_NONE && mode != TLCP_VERIFY_OPTIONAL && mode != TLCP_VERIFY_REQUIRED) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "unknown verify mode %d", mode);
        return TLCP_ERROR;
    }
    cfg->verify_mode = mode;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_host_name(tlcp_config *cfg, const char *host)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    char *copy = NULL;
    if (host != NULL) {
        size_t len = strlen(host);
        if (len == 0 || len > 255) {
            TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "host name must have 1 to 255 bytes");
            return TLCP_ERROR;
        }
        copy = malloc(len + 1);
        if (copy == NULL) {
            TLCP_ERR(&cfg->err, TLCP_R_ALLOC, "out of memory");
            return TLCP_ERROR;
        }
        memcpy(copy, host, len + 1);
    }
    free(cfg->host_name);
    cfg->host_name = copy;
    return TLCP_OK;
}

tlcp_result tlcp_config_insecure_no_verify_name(tlcp_config *cfg)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->no_verify_name = 1;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_send_sni(tlcp_config *cfg, int enabled)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->send_sni = enabled != 0;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_ecdhe_cke_length_prefix(tlcp_config *cfg, int enabled)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->ecdhe_cke_prefixed = enabled != 0;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_cert_verify_form(tlcp_config *cfg, int form)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (form != TLCP_CV_STANDARD && form != TLCP_CV_GMSSL3_RAW && form != TLCP_CV_GMSSL2) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "CertificateVerify form %d is not one of TLCP_CV_STANDARD, "
                 "TLCP_CV_GMSSL3_RAW, TLCP_CV_GMSSL2",
                 form);
        return TLCP_ERROR;
    }
    cfg->cv_form = form;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_cert_verify_accept(tlcp_config *cfg, unsigned forms)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    /* Without the standard form a server would refuse conforming clients. */
    if ((forms & ~(unsigned)TLCP_CV_ALL) != 0 || (forms & TLCP_CV_STANDARD) == 0) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "CertificateVerify forms 0x%x: only TLCP_CV_* bits, TLCP_CV_STANDARD included",
                 forms);
        return TLCP_ERROR;
    }
    cfg->cv_accept = forms;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_cert_verify_raw(tlcp_config *cfg, int enabled)
{
    return tlcp_config_set_cert_verify_form(cfg, enabled ? TLCP_CV_GMSSL3_RAW : TLCP_CV_STANDARD);
}

tlcp_result tlcp_config_set_client_cert_list(tlcp_config *cfg, int list)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (list != TLCP_CLIENT_CERTS_SIGN_ENC && list != TLCP_CLIENT_CERTS_SIGN_ONLY) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "client certificate list %d is not TLCP_CLIENT_CERTS_SIGN_ENC or "
                 "TLCP_CLIENT_CERTS_SIGN_ONLY",
                 list);
        return TLCP_ERROR;
    }
    cfg->client_cert_list = list;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_session_cache(tlcp_config *cfg, size_t max_sessions,
                                          unsigned lifetime_seconds)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (max_sessions > TLCP_SESSION_CACHE_MAX) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "at most 2^20 cached sessions");
        return TLCP_ERROR;
    }
    tlcp_session_cache *cache = NULL;
    if (max_sessions > 0) {
        cache = tlcp_session_cache_new(max_sessions, lifetime_seconds);
        if (cache == NULL) {
            TLCP_ERR(&cfg->err, TLCP_R_ALLOC, "out of memory for the session cache");
            return TLCP_ERROR;
        }
    }
    tlcp_session_cache_free(cfg->sessions);
    cfg->sessions = cache;
    tlcp_session_cache_as_store(cache, &cfg->store, &cfg->store_arg);
    cfg->store_set = cache != NULL;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_session_store(tlcp_config *cfg, const tlcp_session_store *store,
                                          void *arg)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    tlcp_session_cache_free(cfg->sessions); /* the built-in store, if it was the one */
    cfg->sessions = NULL;
    cfg->store_set = store != NULL;
    if (store != NULL)
        cfg->store = *store;
    cfg->store_arg = arg;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_max_cert_list(tlcp_config *cfg, size_t max_len)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (max_len < 3 || max_len > (1u << 24) - 1) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "certificate list limit must be between 3 and 2^24-1 bytes");
        return TLCP_ERROR;
    }
    cfg->max_cert_list = max_len;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_verify_time(tlcp_config *cfg, int64_t unix_time)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    if (unix_time < 0) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "verification time must not be negative");
        return TLCP_ERROR;
    }
    cfg->verify_time = unix_time;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_trace(tlcp_config *cfg, tlcp_trace_fn fn, void *arg)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->trace = fn;
    cfg->trace_arg = arg;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_keylog(tlcp_config *cfg, tlcp_keylog_fn fn, void *arg)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->keylog = fn;
    cfg->keylog_arg = arg;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_verify_callback(tlcp_config *cfg, tlcp_verify_fn fn, void *arg)
{
    if (!writable(cfg))
        return TLCP_ERROR;
    cfg->verify_cb = fn;
    cfg->verify_arg = arg;
    return TLCP_OK;
}

int tlcp_config_verify_mode(const tlcp_config *cfg, int is_server)
{
    if (cfg->verify_mode < 0)
        return is_server ? TLCP_VERIFY_NONE : TLCP_VERIFY_REQUIRED;
    return cfg->verify_mode;
}

void tlcp_config_hs_view(const tlcp_config *cfg, int is_server, tlcp_hs_config *out)
{
    memset(out, 0, sizeof(*out));
    out->creds = cfg->creds;
    out->trust = cfg->trust;
    out->ca_list = &cfg->ca_list;
    out->ticket_keys = cfg->ticket_keys;
    out->offer_tickets = cfg->offer_tickets;
    if (is_server && cfg->store_set) {
        out->store = &cfg->store;
        out->store_arg = cfg->store_arg;
    }
    out->suites = cfg->suites;
    out->num_suites = cfg->num_suites;
    out->verify_mode = tlcp_config_verify_mode(cfg, is_server);
    out->host_name = cfg->host_name;
    out->send_sni = cfg->send_sni;
    out->accept_tls_hello = cfg->accept_tls_hello;
    out->ecdhe_cke_prefixed = cfg->ecdhe_cke_prefixed;
    out->cv_form = cfg->cv_form;
    out->cv_accept = cfg->cv_accept;
    out->client_cert_list = cfg->client_cert_list;
    out->max_cert_list = cfg->max_cert_list;
    out->verify_time = cfg->verify_time;
    out->keylog = cfg->keylog;
    out->keylog_arg = cfg->keylog_arg;
    out->verify_cb = cfg->verify_cb;
    out->verify_arg = cfg->verify_arg;
    for (int i = 0; i < 2; i++) {
        out->key_fn[i] = cfg->key_fn[i];
        out->key_arg[i] = cfg->key_arg[i];
    }
    out->key_op_timeout_ms = cfg->key_op_timeout_ms;
    tlcp_config_view_alpn_names(cfg, out);
}

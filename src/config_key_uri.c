/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key pairs whose private key is given as a URI and held by an OpenSSL 3
 * provider (tlcp_config_load_pair_uri). The key becomes a synchronous
 * delegated key: the handshake asks for a signature or a decryption through
 * the item-1 callback machinery, and the callback here performs it through
 * EVP in the provider, so nothing in the handshake knows the difference.
 */
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "crypto/key_store.h"
#include "suite/suite.h"

int tlcp_uri_key_perform(const struct tlcp_store_key *key, const tlcp_key_op *op, uint8_t *out,
                         size_t *out_len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok = 0;
    if (op->type == TLCP_KEY_OP_SIGN && op->digest != NULL)
        ok = tlcp_store_key_sign_digest(key, op->digest, out, out_len, op->max_out, &err);
    else if (op->type == TLCP_KEY_OP_DECRYPT && op->in != NULL)
        ok = tlcp_store_key_decrypt(key, op->in, op->in_len, out, out_len, op->max_out, &err);
    /* TLCP_KEY_OP_KX: no SM2 key exchange through EVP (refused for configs
     * by tlcp_config_check_uri_kx). */
    return ok ? TLCP_KEY_OP_DONE : TLCP_KEY_OP_FAILED;
}

int tlcp_uri_key_op(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out,
                    size_t *out_len)
{
    (void)conn;
    return tlcp_uri_key_perform(arg, op, out, out_len);
}

/* 1 when pair `which` uses the URI key opened for it. */
static int uses_uri_key(const tlcp_config *cfg, int which)
{
    const tlcp_keypair *pair = cfg->creds == NULL       ? NULL
                               : which == TLCP_CERT_ENC ? &cfg->creds->enc
                                                        : &cfg->creds->sign;
    return pair != NULL && pair->key == NULL && cfg->uri_key[which] != NULL &&
           cfg->key_fn[which] == tlcp_uri_key_op && cfg->key_arg[which] == cfg->uri_key[which];
}

static int ensure_creds(tlcp_config *cfg)
{
    if (cfg->creds == NULL)
        cfg->creds = tlcp_credentials_new(&cfg->err);
    return cfg->creds != NULL;
}

static int has_ecdhe(const uint16_t *suites, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tlcp_suite_is_ecdhe(suites[i]))
            return 1;
    return 0;
}

static tlcp_result no_kx(tlcp_config *cfg)
{
    TLCP_ERR(&cfg->err, TLCP_R_KEY_URI_NO_KX,
             "the encryption key is held by an OpenSSL provider, which cannot compute the SM2 "
             "key exchange of the ECDHE suites (OpenSSL 3 has no SM2 key exchange through EVP): "
             "use the ECC suites, or a key-operation callback for the encryption key");
    return TLCP_ERROR;
}

/* 1 when a pair per server name has its encryption key in a provider. */
static int named_uri_enc(const tlcp_config *cfg)
{
    for (size_t i = 0; i < cfg->num_named_pairs; i++)
        if (cfg->named_pairs[i].key_fn[TLCP_CERT_ENC] == tlcp_uri_key_op)
            return 1;
    return 0;
}

tlcp_result tlcp_config_check_uri_kx(tlcp_config *cfg, const uint16_t *suites, size_t n)
{
    return (uses_uri_key(cfg, TLCP_CERT_ENC) || named_uri_enc(cfg)) && has_ecdhe(suites, n)
               ? no_kx(cfg)
               : TLCP_OK;
}

int tlcp_config_load_uri_pair(tlcp_config *cfg, tlcp_keypair *dest, int which, const char *cert,
                              const char *key_uri, const char *passphrase, void **key_arg)
{
    if (which == TLCP_CERT_ENC && has_ecdhe(cfg->suites, cfg->num_suites))
        return no_kx(cfg) == TLCP_OK;
    tlcp_store_key *key = NULL;
    if (!tlcp_keypair_load_uri(dest, &key, cfg->key_providers, cfg->key_propq, cert, key_uri,
                               passphrase, &cfg->err))
        return 0;
    *key_arg = key;
    return 1;
}

void tlcp_config_free_uri_key(void *key_arg)
{
    tlcp_store_key_free(key_arg);
}

int tlcp_is_key_uri(const char *text)
{
    return tlcp_key_uri_form(text);
}

tlcp_result tlcp_config_load_key_provider(tlcp_config *cfg, const char *name,
                                          const char *search_path)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    if (cfg->key_providers == NULL &&
        (cfg->key_providers = tlcp_key_providers_new(&cfg->err)) == NULL)
        return TLCP_ERROR;
    return tlcp_key_providers_load(cfg->key_providers, name, search_path, &cfg->err) ? TLCP_OK
                                                                                     : TLCP_ERROR;
}

tlcp_result tlcp_config_set_key_propquery(tlcp_config *cfg, const char *propq)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    char *copy = NULL;
    if (propq != NULL && (copy = strdup(propq)) == NULL) {
        TLCP_ERR(&cfg->err, TLCP_R_ALLOC, "out of memory");
        return TLCP_ERROR;
    }
    free(cfg->key_propq);
    cfg->key_propq = copy;
    return TLCP_OK;
}

tlcp_result tlcp_config_load_pair_uri(tlcp_config *cfg, int which, const char *cert_file,
                                      const char *key_uri, const char *passphrase)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    if (which != TLCP_CERT_SIGN && which != TLCP_CERT_ENC) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "which must be TLCP_CERT_SIGN or _ENC");
        return TLCP_ERROR;
    }
    if (which == TLCP_CERT_ENC && has_ecdhe(cfg->suites, cfg->num_suites))
        return no_kx(cfg);
    if (!ensure_creds(cfg))
        return TLCP_ERROR;
    tlcp_keypair *dest = which == TLCP_CERT_ENC ? &cfg->creds->enc : &cfg->creds->sign;
    tlcp_store_key *key = NULL;
    if (!tlcp_keypair_load_uri(dest, &key, cfg->key_providers, cfg->key_propq, cert_file, key_uri,
                               passphrase, &cfg->err))
        return TLCP_ERROR;
    tlcp_store_key_free(cfg->uri_key[which]);
    cfg->uri_key[which] = key;
    cfg->key_fn[which] = tlcp_uri_key_op;
    cfg->key_arg[which] = key;
    return TLCP_OK;
}

void tlcp_config_free_key_uris(tlcp_config *cfg)
{
    /* The keys hold references into the providers' context: keys first. */
    tlcp_store_key_free(cfg->uri_key[0]);
    tlcp_store_key_free(cfg->uri_key[1]);
    tlcp_key_providers_free(cfg->key_providers);
    free(cfg->key_propq);
}

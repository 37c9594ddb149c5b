/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate pairs per server name in a tlcp_config: loaded and checked
 * like the default pair, filed under a lower-case name pattern that
 * handshake/cert_select.c matches against the client's SNI.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conn_internal.h"

static char *lower_copy(const char *name)
{
    size_t len = strlen(name);
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i <= len; i++)
        copy[i] = (char)tolower((unsigned char)name[i]);
    return copy;
}

static int check_name(tlcp_config *cfg, const char *name)
{
    ENSURE(tlcp_cert_pattern_valid(name), &cfg->err, TLCP_R_INVALID_ARGUMENT,
           "server name \"%s\": a host name or \"*.\" and a domain (1 to 255 visible ASCII "
           "bytes, no empty label, no other '*')",
           name != NULL ? name : "(null)");
    ENSURE(cfg->num_named_pairs < TLCP_MAX_NAMED_PAIRS, &cfg->err, TLCP_R_INVALID_ARGUMENT,
           "at most %d certificate pairs per server name", TLCP_MAX_NAMED_PAIRS);
    for (size_t i = 0; i < cfg->num_named_pairs; i++)
        ENSURE(strcasecmp(cfg->named_pairs[i].pattern, name) != 0, &cfg->err,
               TLCP_R_INVALID_ARGUMENT, "server name \"%s\" has a certificate pair already", name);
    return 1;
}

static void free_pair(tlcp_named_pair *p)
{
    free(p->pattern);
    tlcp_credentials_free(p->creds);
    for (int i = 0; i < 2; i++)
        if (p->key_fn[i] == tlcp_uri_key_op)
            tlcp_config_free_uri_key(p->key_arg[i]);
    memset(p, 0, sizeof(*p));
}

/* One half of the pair: a key file, or (allow_uri) a key URI whose
 * certificate may be a URI too. */
static int load_half(tlcp_config *cfg, tlcp_named_pair *p, int which, const char *cert,
                     const char *key, const char *passphrase, int allow_uri)
{
    if (allow_uri && tlcp_is_key_uri(key)) {
        tlcp_keypair *dest = which == TLCP_CERT_ENC ? &p->creds->enc : &p->creds->sign;
        if (!tlcp_config_load_uri_pair(cfg, dest, which, cert, key, passphrase, &p->key_arg[which]))
            return 0;
        p->key_fn[which] = tlcp_uri_key_op;
        return 1;
    }
    return which == TLCP_CERT_ENC
               ? tlcp_credentials_load_enc(p->creds, cert, key, passphrase, &cfg->err)
               : tlcp_credentials_load_sign(p->creds, cert, key, passphrase, &cfg->err);
}

static tlcp_result add_pair(tlcp_config *cfg, const char *name, const char *sign_cert,
                            const char *sign_key, const char *enc_cert, const char *enc_key,
                            const char *passphrase, int allow_uri)
{
    if (!tlcp_config_writable(cfg) || !check_name(cfg, name))
        return TLCP_ERROR;
    if (sign_cert == NULL || sign_key == NULL || enc_cert == NULL || enc_key == NULL) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "a pair for a server name needs sign and enc certificates and keys");
        return TLCP_ERROR;
    }
    tlcp_named_pair p;
    memset(&p, 0, sizeof(p));
    p.creds = tlcp_credentials_new(&cfg->err);
    int ok = p.creds != NULL &&
             load_half(cfg, &p, TLCP_CERT_SIGN, sign_cert, sign_key, passphrase, allow_uri) &&
             load_half(cfg, &p, TLCP_CERT_ENC, enc_cert, enc_key, passphrase, allow_uri) &&
             tlcp_credentials_check(p.creds, 1, &cfg->err);
    if (ok && (p.pattern = lower_copy(name)) == NULL) {
        TLCP_ERR(&cfg->err, TLCP_R_ALLOC, "out of memory");
        ok = 0;
    }
    if (!ok) {
        free_pair(&p);
        return TLCP_ERROR;
    }
    cfg->named_pairs[cfg->num_named_pairs++] = p;
    return TLCP_OK;
}

tlcp_result tlcp_config_add_cert_pair_for_name(tlcp_config *cfg, const char *name,
                                               const char *sign_cert, const char *sign_key,
                                               const char *enc_cert, const char *enc_key,
                                               const char *passphrase)
{
    return add_pair(cfg, name, sign_cert, sign_key, enc_cert, enc_key, passphrase, 0);
}

tlcp_result tlcp_config_add_cert_pair_uri_for_name(tlcp_config *cfg, const char *name,
                                                   const char *sign_cert, const char *sign_key,
                                                   const char *enc_cert, const char *enc_key,
                                                   const char *passphrase)
{
    return add_pair(cfg, name, sign_cert, sign_key, enc_cert, enc_key, passphrase, 1);
}

void tlcp_config_free_named_pairs(tlcp_config *cfg)
{
    for (size_t i = 0; i < cfg->num_named_pairs; i++)
        free_pair(&cfg->named_pairs[i]);
    cfg->num_named_pairs = 0;
}

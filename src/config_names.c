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

static tlcp_credentials *load_creds(tlcp_config *cfg, const char *sign_cert, const char *sign_key,
                                    const char *enc_cert, const char *enc_key,
                                    const char *passphrase)
{
    tlcp_credentials *creds = tlcp_credentials_new(&cfg->err);
    if (creds != NULL &&
        tlcp_credentials_load_sign(creds, sign_cert, sign_key, passphrase, &cfg->err) &&
        tlcp_credentials_load_enc(creds, enc_cert, enc_key, passphrase, &cfg->err) &&
        tlcp_credentials_check(creds, 1, &cfg->err))
        return creds;
    tlcp_credentials_free(creds);
    return NULL;
}

tlcp_result tlcp_config_add_cert_pair_for_name(tlcp_config *cfg, const char *name,
                                               const char *sign_cert, const char *sign_key,
                                               const char *enc_cert, const char *enc_key,
                                               const char *passphrase)
{
    if (!tlcp_config_writable(cfg) || !check_name(cfg, name))
        return TLCP_ERROR;
    if (sign_cert == NULL || sign_key == NULL || enc_cert == NULL || enc_key == NULL) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "a pair for a server name needs sign and enc certificates and keys");
        return TLCP_ERROR;
    }
    tlcp_credentials *creds = load_creds(cfg, sign_cert, sign_key, enc_cert, enc_key, passphrase);
    if (creds == NULL)
        return TLCP_ERROR;
    char *pattern = lower_copy(name);
    if (pattern == NULL) {
        tlcp_credentials_free(creds);
        TLCP_ERR(&cfg->err, TLCP_R_ALLOC, "out of memory");
        return TLCP_ERROR;
    }
    cfg->named_pairs[cfg->num_named_pairs].pattern = pattern;
    cfg->named_pairs[cfg->num_named_pairs].creds = creds;
    cfg->num_named_pairs++;
    return TLCP_OK;
}

void tlcp_config_free_named_pairs(tlcp_config *cfg)
{
    for (size_t i = 0; i < cfg->num_named_pairs; i++) {
        free(cfg->named_pairs[i].pattern);
        tlcp_credentials_free(cfg->named_pairs[i].creds);
    }
    cfg->num_named_pairs = 0;
}

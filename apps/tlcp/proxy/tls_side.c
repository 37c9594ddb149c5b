/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS on a terminating service's TLCP port: the tls_* keys, the service's
 * libssl context (loaded with every generation, so SIGHUP reloads the TLS
 * certificate too) and the TLS handshake step. After the handshake a TLS
 * client side relays like a TLCP one (side.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker.h"

const char *px_proto_name(int proto)
{
    static const char *const names[PX_PROTO_COUNT] = {"-",   "tlcp",   "tlcp-via-tls-hello",
                                                      "tls", "tls1.2", "tls1.3"};
    return proto >= 0 && proto < PX_PROTO_COUNT ? names[proto] : "-";
}

static int set_path(char **dest, struct px_origin *dest_at, const char *value,
                    const struct px_origin *at, char *err, size_t errlen)
{
    *dest_at = *at;
    return px_config_string(dest, value, err, errlen);
}

/* tls_ciphers, tls_ciphersuites, tls_min_version, tls_alpn: checked by
 * libssl (or libtlcp's ALPN rules) as they are read. */
static int set_checked(char **dest, const char *what, const char *value, char *err, size_t errlen)
{
    return cli_tls_check_setting(what, value, err, errlen) &&
           px_config_string(dest, value, err, errlen);
}

static int set_option(struct px_service *s, const char *key, const char *value,
                      const struct px_origin *at, char *err, size_t errlen, int *handled)
{
    struct px_tls_opts *o = &s->tls;
    if (strcmp(key, "tls_verify_client") == 0) {
        o->verify_at = *at;
        if (cli_parse_verify_mode(value, &o->verify_client))
            return 1;
        snprintf(err, errlen, "wants none, optional or require, not '%s'", value);
        return 0;
    }
    if (strcmp(key, "tls_ca") == 0)
        return set_path(&o->ca, &o->ca_at, value, at, err, errlen);
    if (strcmp(key, "tls_min_version") == 0)
        return set_checked(&o->min_version, "min_version", value, err, errlen);
    if (strcmp(key, "tls_ciphers") == 0)
        return set_checked(&o->ciphers, "ciphers", value, err, errlen);
    if (strcmp(key, "tls_ciphersuites") == 0)
        return set_checked(&o->ciphersuites, "ciphersuites", value, err, errlen);
    if (strcmp(key, "tls_alpn") == 0)
        return set_checked(&o->alpn, "alpn", value, err, errlen);
    *handled = 0;
    return 0;
}

int px_tls_side_key(struct px_service *s, const char *key, const char *value,
                    const struct px_origin *at, char *err, size_t errlen, int *handled)
{
    *handled = 1;
    if (strcmp(key, "tls_cert") == 0)
        return set_path(&s->tls_cert, &s->tls_cert_at, value, at, err, errlen);
    if (strcmp(key, "tls_key") == 0)
        return set_path(&s->tls_key, &s->tls_key_at, value, at, err, errlen);
    if (strcmp(key, "tls_hello_for_tlcp") == 0) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
            snprintf(err, errlen, "wants yes or no, not '%s'", value);
            return 0;
        }
        s->tls_hello_for_tlcp = strcmp(value, "yes") == 0;
        return 1;
    }
    return set_option(s, key, value, at, err, errlen, handled);
}

void px_tls_side_free(struct px_service *s)
{
    free(s->tls_cert);
    free(s->tls_key);
    free(s->tls.ca);
    free(s->tls.min_version);
    free(s->tls.ciphers);
    free(s->tls.ciphersuites);
    free(s->tls.alpn);
}

/* "file:line: key 'K': what" at the key's own line. */
static int key_error(const struct px_origin *at, const char *key, const char *what, char *err,
                     size_t errlen)
{
    if (at->line > 0)
        snprintf(err, errlen, "%s:%d: key '%s': %s", at->file, at->line, key, what);
    else
        snprintf(err, errlen, "%s: key '%s': %s", at->file, key, what);
    return 0;
}

int px_tls_side_validate(const struct px_service *s, char *err, size_t errlen)
{
    if (s->tls_cert != NULL && s->tls_key == NULL)
        return key_error(&s->tls_cert_at, "tls_cert", "key 'tls_key' missing (they go together)",
                         err, errlen);
    if (s->tls_key != NULL && s->tls_cert == NULL)
        return key_error(&s->tls_key_at, "tls_key", "key 'tls_cert' missing (they go together)",
                         err, errlen);
    if (s->tls_cert != NULL && s->direction == PX_ORIGINATE)
        return key_error(&s->tls_cert_at, "tls_cert", "applies to terminate only", err, errlen);
    if (s->tls_hello_for_tlcp && s->direction == PX_ORIGINATE)
        return key_error(&s->at, "tls_hello_for_tlcp", "applies to terminate only", err, errlen);
    const struct px_tls_opts *o = &s->tls;
    int others = o->ca != NULL || o->verify_client != TLCP_VERIFY_NONE || o->min_version != NULL ||
                 o->ciphers != NULL || o->ciphersuites != NULL || o->alpn != NULL;
    if (others && s->tls_cert == NULL)
        return key_error(&s->at, "tls_cert",
                         "missing: the tls_* options apply to a service with tls_cert and "
                         "tls_key",
                         err, errlen);
    if (o->verify_client != TLCP_VERIFY_NONE && o->ca == NULL)
        return key_error(&o->verify_at, "tls_verify_client",
                         "asks for client certificates: key 'tls_ca' missing", err, errlen);
    if (o->ca != NULL && o->verify_client == TLCP_VERIFY_NONE)
        return key_error(&o->ca_at, "tls_ca", "needs 'tls_verify_client = optional|require'", err,
                         errlen);
    return 1;
}

int px_tls_side_ctx(const struct px_service *s, void **ctx, char *err, size_t errlen)
{
    *ctx = NULL;
    if (s->tls_cert == NULL)
        return 1;
    char why[400];
    const struct px_tls_opts *o = &s->tls;
    /* The service's pass decrypts the TLS key too. */
    struct cli_tls_settings set = {
        s->tls_cert,    s->tls_key, s->pass,         o->verify_client, o->ca,
        o->min_version, o->ciphers, o->ciphersuites, o->alpn,          0};
    *ctx = cli_tls_ctx_new(&set, why, sizeof(why));
    if (*ctx != NULL)
        return 1;
    char what[700];
    snprintf(what, sizeof(what), "%s / %s: %s", s->tls_cert, s->tls_key, why);
    /* Named after the key whose file failed. */
    if (strstr(why, "TLS CA") != NULL)
        return key_error(&o->ca_at, "tls_ca", what, err, errlen);
    if (strstr(why, "TLS key") != NULL)
        return key_error(&s->tls_key_at, "tls_key", what, err, errlen);
    return key_error(&s->tls_cert_at, "tls_cert", what, err, errlen);
}

tlcp_result px_tls_side_handshake(struct px_conn *c)
{
    struct px_side *side = &c->side[0];
    int r = cli_tls_handshake(side->tls);
    if (r == CLI_TLS_WANT_READ)
        return TLCP_WANT_READ;
    if (r == CLI_TLS_WANT_WRITE)
        return TLCP_WANT_WRITE;
    if (r != CLI_TLS_OK)
        return TLCP_ERROR;
    c->proto = strcmp(cli_tls_proto(side->tls), "tls1.3") == 0   ? PX_PROTO_TLS13
               : strcmp(cli_tls_proto(side->tls), "tls1.2") == 0 ? PX_PROTO_TLS12
                                                                 : PX_PROTO_TLS;
    return TLCP_OK;
}

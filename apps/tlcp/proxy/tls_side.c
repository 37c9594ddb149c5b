/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS on a terminating service's TLCP port: the tls_* keys, the service's
 * libssl context (loaded with every generation, so SIGHUP reloads the TLS
 * certificate too) and the TLS handshake step. After the handshake a TLS
 * client side relays like a TLCP one (side.c).
 */
#include <stdio.h>
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
    *handled = 0;
    return 0;
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
    return 1;
}

int px_tls_side_ctx(const struct px_service *s, void **ctx, char *err, size_t errlen)
{
    *ctx = NULL;
    if (s->tls_cert == NULL)
        return 1;
    char why[400];
    *ctx = cli_tls_ctx_new(s->tls_cert, s->tls_key, why, sizeof(why));
    if (*ctx != NULL)
        return 1;
    char what[700];
    snprintf(what, sizeof(what), "%s / %s: %s", s->tls_cert, s->tls_key, why);
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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Keys given as URIs on the command line and in the proxy's config: a key
 * argument of the form SCHEME:... goes to tlcp_config_load_pair_uri (an
 * OpenSSL provider holds the key), anything else is a key file.
 */
#include <stdio.h>

#include "cli.h"

int cli_is_key_uri(const char *key)
{
    return tlcp_is_key_uri(key);
}

int cli_load_pair(tlcp_config *cfg, int which, const char *cert, const char *key, const char *pass)
{
    if (cli_is_key_uri(key))
        return tlcp_config_load_pair_uri(cfg, which, cert, key, pass) == TLCP_OK;
    tlcp_result r = which == TLCP_CERT_ENC ? tlcp_config_load_enc_pair(cfg, cert, key, pass)
                                           : tlcp_config_load_sign_pair(cfg, cert, key, pass);
    return r == TLCP_OK;
}

int cli_load_key_providers(const char *cmd, tlcp_config *cfg, const struct cli_tls_opts *o)
{
    for (size_t i = 0; i < o->providers.num; i++) {
        if (tlcp_config_load_key_provider(cfg, o->providers.items[i], o->provider_path) !=
            TLCP_OK) {
            cli_error(cmd, "--provider %s: %s", o->providers.items[i], tlcp_config_error(cfg));
            return 0;
        }
    }
    if (o->propquery != NULL && tlcp_config_set_key_propquery(cfg, o->propquery) != TLCP_OK) {
        cli_error(cmd, "--propquery: %s", tlcp_config_error(cfg));
        return 0;
    }
    return 1;
}

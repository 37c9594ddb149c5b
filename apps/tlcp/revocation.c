/* SPDX-License-Identifier: Apache-2.0 */
/* --crl and --partial-chain, shared by server, client and proxy. */
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"

int cli_apply_revocation(tlcp_config *cfg, const char *crl, int partial_chain, char *err,
                         size_t errlen)
{
    if (crl != NULL) {
        struct stat st;
        int is_dir = stat(crl, &st) == 0 && S_ISDIR(st.st_mode);
        tlcp_result r =
            is_dir ? tlcp_config_load_crl_dir(cfg, crl) : tlcp_config_load_crl_file(cfg, crl);
        if (r != TLCP_OK) {
            snprintf(err, errlen, "CRL %s: %s", crl, tlcp_config_error(cfg));
            return 0;
        }
    }
    if (partial_chain && tlcp_config_set_partial_chain(cfg, 1) != TLCP_OK) {
        snprintf(err, errlen, "partial chains: %s", tlcp_config_error(cfg));
        return 0;
    }
    return 1;
}

int cli_load_revocation(const char *cmd, tlcp_config *cfg, const char *crl, int partial_chain)
{
    char err[1200];
    if (cli_apply_revocation(cfg, crl, partial_chain, err, sizeof(err)))
        return 1;
    cli_error(cmd, "%s", err);
    return 0;
}

const char *cli_peer_verify_text(const tlcp_conn *conn, char *buf, size_t cap)
{
    int reason = 0;
    switch (tlcp_conn_peer_verify_result(conn, &reason)) {
    case TLCP_PEER_VERIFIED:
        return "verified";
    case TLCP_PEER_NO_CERT:
        return "none sent";
    case TLCP_PEER_VERIFY_FAILED:
        snprintf(buf, cap, "NOT verified (%s)", tlcp_reason_string(reason));
        return buf;
    case TLCP_PEER_VERIFY_OVERRIDDEN:
        snprintf(buf, cap, "failed (%s), accepted by the verify callback",
                 tlcp_reason_string(reason));
        return buf;
    default:
        return NULL;
    }
}

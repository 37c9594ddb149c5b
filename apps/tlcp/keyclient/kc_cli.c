/* SPDX-License-Identifier: Apache-2.0 */
/* --key-server glue shared by tlcp server and tlcp client (kc_cli.h). */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "../keyserver/frame.h"
#include "kc_cli.h"

int cli_ks_check(const char *cmd, const struct cli_ks_opts *k, const struct cli_tls_opts *tls,
                 int need_enc)
{
    if (k->addr == NULL) {
        if (k->cert != NULL || k->key != NULL || k->ca != NULL || k->name != NULL)
            return cli_usage_error(cmd, "--key-server-cert/-key/-ca and --key-name need "
                                        "--key-server"),
                   0;
        return 1;
    }
    if (tls->sign_key != NULL || tls->enc_key != NULL)
        return cli_usage_error(cmd, "with --key-server the private keys stay on the key "
                                    "server: give --sign-cert/--enc-cert without --sign-key/"
                                    "--enc-key"),
               0;
    if (tls->sign_cert == NULL || (need_enc && tls->enc_cert == NULL))
        return cli_usage_error(cmd,
                               "--key-server needs --sign-cert%s (the certificates stay "
                               "local)",
                               need_enc ? " and --enc-cert" : ""),
               0;
    if (tls->cert_for.num > 0)
        return cli_usage_error(cmd, "--cert-for does not combine with --key-server"), 0;
    int channel = (k->cert != NULL) + (k->key != NULL) + (k->ca != NULL);
    if (channel != 0 && channel != 3)
        return cli_usage_error(cmd, "--key-server-cert, --key-server-key and --key-server-ca "
                                    "go together"),
               0;
    if (k->name != NULL && !ks_name_ok(k->name))
        return cli_usage_error(cmd,
                               "--key-name: 1 to %d visible ASCII characters (no space or "
                               "quote)",
                               KS_NAME_MAX),
               0;
    return tls->pass == NULL || cli_check_pass_arg(cmd, tls->pass);
}

int cli_ks_load(const char *cmd, tlcp_config *cfg, const struct cli_ks_opts *k,
                const struct cli_tls_opts *tls, struct cli_ks *out)
{
    memset(out, 0, sizeof(*out));
    const char *sign_cert = tls->sign_cert, *enc_cert = tls->enc_cert;
    char *secret = NULL;
    if (tls->pass_value == NULL && tls->pass != NULL && k->key != NULL &&
        (secret = cli_read_pass(cmd, (char *)tls->pass)) == NULL)
        return 0;
    struct kc_opts o = {k->addr, k->cert, k->key, k->ca,
                        tls->pass_value != NULL ? tls->pass_value : secret};
    char err[CLI_WHY_MAX];
    out->kc = kc_new(&o, err, sizeof(err));
    cli_free_pass(secret);
    if (out->kc == NULL) {
        cli_error(cmd, "%s", err);
        return 0;
    }
    out->key.kc = out->kc;
    snprintf(out->key.name, sizeof(out->key.name), "%s", k->name != NULL ? k->name : "default");
    if (tlcp_config_load_delegated_pair(cfg, TLCP_CERT_SIGN, sign_cert, kc_key_op, &out->key) !=
            TLCP_OK ||
        (enc_cert != NULL && tlcp_config_load_delegated_pair(cfg, TLCP_CERT_ENC, enc_cert,
                                                             kc_key_op, &out->key) != TLCP_OK)) {
        cli_error(cmd, "--key-server certificates: %s", tlcp_config_error(cfg));
        cli_ks_free(out);
        return 0;
    }
    return 1;
}

void cli_ks_free(struct cli_ks *ks)
{
    kc_free(ks->kc);
    ks->kc = NULL;
}

const char *cli_ks_failure(const struct cli_ks *ks, const tlcp_conn *conn, char *buf, size_t len)
{
    char why[CLI_WHY_MAX];
    cli_conn_failure(conn, why, sizeof(why));
    int reason = tlcp_conn_error_reason(conn);
    if (ks != NULL && ks->kc != NULL && kc_why(ks->kc)[0] != '\0' &&
        (reason == TLCP_R_KEY_OP_FAILED || reason == TLCP_R_KEY_OP_TIMEOUT))
        snprintf(buf, len, "%s (%s)", why, kc_why(ks->kc));
    else
        snprintf(buf, len, "%s", why);
    return buf;
}

static void mark_ready(void *arg, tlcp_conn *conn, void *owner)
{
    (void)conn;
    (void)owner;
    *(int *)arg = 1;
}

int cli_ks_wait(struct cli_ks *ks, tlcp_conn *conn, int64_t deadline)
{
    int ready = 0;
    kc_set_ready(ks->kc, mark_ready, &ready);
    while (!ready && tlcp_conn_key_operation_wait_ms(conn) != 0) {
        int64_t now = cli_now_ms();
        if (now >= deadline)
            return 0;
        long op_left = tlcp_conn_key_operation_wait_ms(conn);
        int64_t left = deadline - now;
        if (op_left >= 0 && op_left < left)
            left = op_left;
        if (left > 1000)
            left = 1000;
        struct pollfd p = {.fd = kc_fd(ks->kc), .events = kc_events(ks->kc)};
        if (p.fd >= 0)
            (void)poll(&p, 1, (int)left);
        kc_io(ks->kc);
        (void)kc_tick(ks->kc, cli_now_ms());
    }
    kc_set_ready(ks->kc, NULL, NULL);
    return 1;
}

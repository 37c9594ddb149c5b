/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp certgen: a test PKI with dual (sign + enc) certificates in one command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tlcp/pki.h"

static const char certgen_help[] =
    "usage: tlcp certgen [--out DIR] [--cn NAME] [--san LIST] [--days N] [--client]\n"
    "                    [--client-cn NAME] [--force]\n"
    "       tlcp certgen --crl [--out DIR] [--revoke FILE[,FILE...]] [--crl-days N]\n"
    "\n"
    "Makes a test PKI for TLCP: an SM2 root CA and the server's signing and\n"
    "encryption certificates (and with --client a client pair), all signed with\n"
    "SM3withSM2.\n"
    "\n"
    "  --out DIR     where to write (default: current directory; created if missing)\n"
    "  --cn NAME     server common name (default: localhost)\n"
    "  --san LIST    subjectAltName, e.g. DNS:tlcp.example,IP:10.0.0.1\n"
    "                (default: DNS:localhost,IP:127.0.0.1,IP:::1 for localhost,\n"
    "                otherwise DNS:NAME, or IP:NAME for an address)\n"
    "  --days N      validity of the server and client certificates in days\n"
    "                (default: 365, at most 3653; the root CA gets a year more)\n"
    "  --client      also write client-sign.pem/.key and client-enc.pem/.key\n"
    "  --client-cn NAME  client common name (default: TLCP client)\n"
    "  --force       replace existing files (otherwise certgen refuses)\n"
    "  --crl         instead: write DIR/crl.pem, a CRL signed by DIR/ca.pem and\n"
    "                DIR/ca.key (an existing PKI), replacing an older crl.pem\n"
    "  --revoke LIST certificate files whose serial numbers the CRL lists\n"
    "                (comma-separated; default: none, an empty CRL)\n"
    "  --crl-days N  the CRL's nextUpdate N days ahead (default 30); a negative N\n"
    "                writes a CRL that has already expired (for tests)\n"
    "\n"
    "Files: ca.pem ca.key server-sign.pem server-sign.key server-enc.pem\n"
    "server-enc.key. Certificates are PEM; keys are unencrypted PKCS#8 PEM, mode 0600.\n"
    "The sign certificate has keyUsage digitalSignature, nonRepudiation; the enc\n"
    "certificate keyEncipherment, dataEncipherment, keyAgreement. Sign and enc\n"
    "certificates share subject and issuer. The files are accepted by OpenSSL 3:\n"
    "  openssl verify -vfyopt distid:1234567812345678 -CAfile ca.pem server-sign.pem\n"
    "\n"
    "Exit status: 0 written, 1 generation or write failed (nothing is overwritten\n"
    "without --force), 2 bad command line.\n";

static void report_file(void *arg, const char *path, const char *what)
{
    (void)arg;
    printf("wrote %s (%s)\n", path, what);
}

/* --crl: splits --revoke at commas (in place) and writes the CRL. */
static int write_crl(const char *out, char *revoke, long days)
{
    const char *files[16];
    size_t n = 0;
    for (char *tok = revoke != NULL ? strtok(revoke, ",") : NULL; tok != NULL;
         tok = strtok(NULL, ",")) {
        if (n == 16)
            return cli_usage_error("certgen", "--revoke: at most 16 certificates");
        files[n++] = tok;
    }
    tlcp_pki_crl_options co = {0};
    co.dir = out;
    co.revoke = files;
    co.num_revoke = n;
    co.days = (int)days;
    co.report = report_file;
    char err[1024];
    if (tlcp_pki_write_crl(&co, err, sizeof(err)) != TLCP_OK) {
        cli_error("certgen", "%s", err);
        return TLCP_EXIT_FAILURE;
    }
    return TLCP_EXIT_OK;
}

int cmd_certgen(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        fputs(certgen_help, stdout);
        return TLCP_EXIT_OK;
    }
    const char *out = ".", *cn = NULL, *san = NULL, *client_cn = NULL;
    long days = 365;
    int client = 0, force = 0, crl = 0;
    const char *revoke = NULL;
    long crl_days = 0;
    const struct cli_opt opts[] = {
        {"out", CLI_STRING, &out, 0, 0},
        {"cn", CLI_STRING, &cn, 0, 0},
        {"san", CLI_STRING, &san, 0, 0},
        {"days", CLI_INT, &days, 1, 3653},
        {"client-cn", CLI_STRING, &client_cn, 0, 0},
        {"client", CLI_FLAG, &client, 0, 0},
        {"force", CLI_FLAG, &force, 0, 0},
        {"crl", CLI_FLAG, &crl, 0, 0},
        {"revoke", CLI_STRING, &revoke, 0, 0},
        {"crl-days", CLI_INT, &crl_days, -3653, 3653},
    };
    if (!cli_parse("certgen", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), NULL, 0, NULL))
        return TLCP_EXIT_USAGE;
    if (crl) {
        char list[4096];
        snprintf(list, sizeof(list), "%s", revoke != NULL ? revoke : "");
        return write_crl(out, revoke != NULL ? list : NULL, crl_days);
    }
    if (revoke != NULL || crl_days != 0)
        return cli_usage_error("certgen", "--revoke and --crl-days need --crl");
    if (cn != NULL && cn[0] == '\0')
        return cli_usage_error("certgen", "--cn must not be empty");
    char san_err[512];
    if (san != NULL && tlcp_pki_check_san(san, san_err, sizeof(san_err)) != TLCP_OK)
        return cli_usage_error("certgen", "--san: %s", san_err);
    tlcp_pki_options po = {0};
    po.out_dir = out;
    po.common_name = cn;
    po.san = san;
    po.days = (int)days;
    po.client = client;
    po.client_cn = client_cn;
    po.force = force;
    po.report = report_file;
    char err[512];
    if (tlcp_pki_generate(&po, err, sizeof(err)) != TLCP_OK) {
        cli_error("certgen", "%s%s", err,
                  strstr(err, "already exists") != NULL ? " (use --force to replace it)" : "");
        return TLCP_EXIT_FAILURE;
    }
    return TLCP_EXIT_OK;
}

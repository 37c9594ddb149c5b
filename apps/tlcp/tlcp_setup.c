/* SPDX-License-Identifier: Apache-2.0 */
/* What server, client and demo share: suite names, verify modes, the trace
 * and keylog sinks, building a tlcp_config from options, failure lines. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"

static const struct {
    const char *name;
    uint16_t id;
} suite_names[] = {
    {"ECC_SM4_CBC_SM3", TLCP_ECC_SM4_CBC_SM3},
    {"ECC_SM4_GCM_SM3", TLCP_ECC_SM4_GCM_SM3},
    {"ECDHE_SM4_CBC_SM3", TLCP_ECDHE_SM4_CBC_SM3},
    {"ECDHE_SM4_GCM_SM3", TLCP_ECDHE_SM4_GCM_SM3},
};

/* One list item: a name (optionally with a TLCP_ prefix) or a hex number. */
static int parse_one_suite(const char *item, uint16_t *out)
{
    const char *name = item;
    if (strncasecmp(name, "TLCP_", 5) == 0)
        name += 5;
    for (size_t i = 0; i < sizeof(suite_names) / sizeof(suite_names[0]); i++) {
        if (strcasecmp(name, suite_names[i].name) == 0) {
            *out = suite_names[i].id;
            return 1;
        }
    }
    const char *hex = item;
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        hex += 2;
    if (*hex == '\0' || strlen(hex) > 4)
        return 0;
    for (const char *p = hex; *p != '\0'; p++) {
        if (!isxdigit((unsigned char)*p))
            return 0;
    }
    *out = (uint16_t)strtoul(hex, NULL, 16);
    return 1;
}

size_t cli_parse_suites(const char *list, uint16_t *out, size_t cap, char *errbuf, size_t errlen)
{
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t len = strcspn(p, ", ");
        char item[64];
        if (len > 0) {
            if (len >= sizeof(item) || n >= cap) {
                snprintf(errbuf, errlen, "too many or too long cipher suite names in '%s'", list);
                return 0;
            }
            memcpy(item, p, len);
            item[len] = '\0';
            if (!parse_one_suite(item, &out[n])) {
                snprintf(errbuf, errlen,
                         "unknown cipher suite '%s' (use ECC_SM4_CBC_SM3, ECC_SM4_GCM_SM3, "
                         "ECDHE_SM4_CBC_SM3, ECDHE_SM4_GCM_SM3 or hex such as 0xE013)",
                         item);
                return 0;
            }
            n++;
        }
        p += len;
        if (*p != '\0')
            p++;
    }
    if (n == 0)
        snprintf(errbuf, errlen, "empty cipher suite list");
    return n;
}

int cli_check_suites_arg(const char *cmd, const char *list)
{
    uint16_t suites[16];
    char msg[256];
    if (cli_parse_suites(list, suites, 16, msg, sizeof(msg)) == 0) {
        cli_usage_error(cmd, "--suites: %s", msg);
        return 0;
    }
    return 1;
}

int cli_parse_verify_mode(const char *text, int *out_mode)
{
    if (strcmp(text, "none") == 0)
        *out_mode = TLCP_VERIFY_NONE;
    else if (strcmp(text, "optional") == 0)
        *out_mode = TLCP_VERIFY_OPTIONAL;
    else if (strcmp(text, "require") == 0 || strcmp(text, "required") == 0)
        *out_mode = TLCP_VERIFY_REQUIRED;
    else
        return 0;
    return 1;
}

void cli_trace_line(void *arg, const char *line)
{
    const struct cli_trace *t = arg;
    if (t->muted)
        return;
    fprintf(t->out, "%s%s\n", t->prefix, line);
}

void cli_keylog_line(void *arg, const char *line)
{
    FILE *f = arg;
    fprintf(f, "%s\n", line);
    fflush(f); /* readers such as Wireshark follow the file live */
}

int64_t cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_check_tls_args(const char *cmd, const struct cli_tls_opts *o)
{
    int given = (o->sign_cert != NULL) + (o->sign_key != NULL) + (o->enc_cert != NULL) +
                (o->enc_key != NULL);
    if (given != 0 && given != 4) {
        cli_usage_error(cmd, "--sign-cert, --sign-key, --enc-cert and --enc-key go together: "
                             "give all four");
        return 0;
    }
    return o->pass == NULL || cli_check_pass_arg(cmd, o->pass);
}

int cli_suites_have_ecdhe(const char *list)
{
    uint16_t suites[16];
    char msg[256];
    size_t n = cli_parse_suites(list, suites, 16, msg, sizeof(msg));
    for (size_t i = 0; i < n; i++) {
        if (suites[i] == TLCP_ECDHE_SM4_CBC_SM3 || suites[i] == TLCP_ECDHE_SM4_GCM_SM3)
            return 1;
    }
    return 0;
}

#define CERT_FOR_FIELDS 5

/* Which character separates the fields: ',' when the value has exactly
 * four (the form for key and certificate URIs, which hold ':'), else ':'. */
static char cert_for_separator(const char *spec)
{
    size_t commas = 0;
    for (const char *p = spec; *p != '\0'; p++)
        commas += *p == ',';
    return commas == CERT_FOR_FIELDS - 1 ? ',' : ':';
}

/* Splits NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY (or the same with ',') into
 * buf; 0 unless there are exactly five non-empty fields. */
static int split_cert_for(const char *spec, char *buf, size_t cap, char *fields[CERT_FOR_FIELDS])
{
    if (strlen(spec) >= cap)
        return 0;
    memcpy(buf, spec, strlen(spec) + 1);
    char sep = cert_for_separator(spec);
    size_t n = 0;
    for (char *p = buf; n < CERT_FOR_FIELDS; n++) {
        fields[n] = p;
        char *colon = strchr(p, sep);
        if (colon == NULL) {
            n++;
            break;
        }
        *colon = '\0';
        p = colon + 1;
    }
    if (n != CERT_FOR_FIELDS || strchr(fields[CERT_FOR_FIELDS - 1], sep) != NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (fields[i][0] == '\0')
            return 0;
    return 1;
}

int cli_check_cert_for(const char *cmd, const char *spec)
{
    char buf[4096];
    char *fields[CERT_FOR_FIELDS];
    if (!split_cert_for(spec, buf, sizeof(buf), fields)) {
        cli_usage_error(cmd,
                        "--cert-for wants NAME:SIGNCERT:SIGNKEY:ENCCERT:ENCKEY (five "
                        "non-empty fields; paths without ':', or the fields separated by "
                        "',' for URIs), not '%s'",
                        spec);
        return 0;
    }
    return 1;
}

static int load_cert_for(const char *cmd, tlcp_config *cfg, const char *spec, const char *pass)
{
    char buf[4096];
    char *f[CERT_FOR_FIELDS];
    if (!split_cert_for(spec, buf, sizeof(buf), f))
        return 0; /* checked with the command line */
    /* A key of the URI form is opened in its provider (cli_is_key_uri). */
    if (tlcp_config_add_cert_pair_uri_for_name(cfg, f[0], f[1], f[2], f[3], f[4], pass) !=
        TLCP_OK) {
        cli_error(cmd, "--cert-for %s: %s", f[0], tlcp_config_error(cfg));
        return 0;
    }
    return 1;
}

static int load_default_pair(const char *cmd, tlcp_config *cfg, const struct cli_tls_opts *o,
                             const char *pass)
{
    if (o->sign_cert == NULL)
        return 1; /* cli_check_tls_args saw to "all four or none" */
    int ok = 1;
    if (!cli_load_pair(cfg, TLCP_CERT_SIGN, o->sign_cert, o->sign_key, pass)) {
        cli_error(cmd, "signing pair %s / %s: %s", o->sign_cert, o->sign_key,
                  tlcp_config_error(cfg));
        ok = 0;
    } else if (!cli_load_pair(cfg, TLCP_CERT_ENC, o->enc_cert, o->enc_key, pass)) {
        cli_error(cmd, "encryption pair %s / %s: %s", o->enc_cert, o->enc_key,
                  tlcp_config_error(cfg));
        ok = 0;
    }
    return ok;
}

static int load_pairs(const char *cmd, tlcp_config *cfg, const struct cli_tls_opts *o)
{
    if (o->sign_cert == NULL && o->cert_for.num == 0)
        return 1;
    if (!cli_load_key_providers(cmd, cfg, o))
        return 0;
    char *pass = NULL;
    if (o->pass_value == NULL && o->pass != NULL &&
        (pass = cli_read_pass(cmd, (char *)o->pass)) == NULL)
        return 0;
    const char *use = o->pass_value != NULL ? o->pass_value : pass;
    int ok = load_default_pair(cmd, cfg, o, use);
    for (size_t i = 0; ok && i < o->cert_for.num; i++)
        ok = load_cert_for(cmd, cfg, o->cert_for.items[i], use);
    cli_free_pass(pass); /* the keys are decrypted: the passphrase is not needed again */
    return ok;
}

void cli_alpn_text(const tlcp_conn *conn, char *buf, size_t len)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    if (!tlcp_conn_alpn_selected(conn, &p, &n)) {
        snprintf(buf, len, "ALPN: none");
        return;
    }
    /* Our own list was visible ASCII; a peer's choice is checked against it. */
    snprintf(buf, len, "ALPN: %.*s", (int)n, (const char *)p);
}

static int load_extras(const char *cmd, tlcp_config *cfg, const struct cli_tls_opts *o)
{
    if (o->chain != NULL && tlcp_config_load_chain_file(cfg, o->chain) != TLCP_OK) {
        cli_error(cmd, "chain %s: %s", o->chain, tlcp_config_error(cfg));
        return 0;
    }
    if (o->ca != NULL && tlcp_config_load_ca_file(cfg, o->ca) != TLCP_OK) {
        cli_error(cmd, "CA file %s: %s", o->ca, tlcp_config_error(cfg));
        return 0;
    }
    if (o->ca_dir != NULL && tlcp_config_load_ca_dir(cfg, o->ca_dir) != TLCP_OK) {
        cli_error(cmd, "CA directory %s: %s", o->ca_dir, tlcp_config_error(cfg));
        return 0;
    }
    if (o->alpn != NULL && tlcp_config_set_alpn(cfg, o->alpn) != TLCP_OK) {
        cli_error(cmd, "--alpn: %s", tlcp_config_error(cfg));
        return 0;
    }
    if (!cli_load_revocation(cmd, cfg, o->crl, o->partial_chain))
        return 0;
    if (o->suites != NULL) {
        uint16_t suites[16];
        char msg[256];
        size_t n = cli_parse_suites(o->suites, suites, 16, msg, sizeof(msg));
        if (n == 0) {
            cli_error(cmd, "%s", msg);
            return 0;
        }
        if (tlcp_config_set_cipher_suites(cfg, suites, n) != TLCP_OK) {
            cli_error(cmd, "--suites: %s", tlcp_config_error(cfg));
            return 0;
        }
    }
    return 1;
}

tlcp_config *cli_make_config(const char *cmd, const struct cli_tls_opts *o, struct cli_trace *trace,
                             FILE **keylog)
{
    *keylog = NULL;
    tlcp_config *cfg = tlcp_config_new();
    if (cfg == NULL) {
        cli_error(cmd, "out of memory");
        return NULL;
    }
    if (!load_pairs(cmd, cfg, o) || !load_extras(cmd, cfg, o))
        goto fail;
    if (o->trace && trace != NULL)
        (void)tlcp_config_set_trace(cfg, cli_trace_line, trace);
    if (o->keylog != NULL) {
        *keylog = fopen(o->keylog, "a");
        if (*keylog == NULL) {
            cli_error(cmd, "cannot open key log file %s for appending", o->keylog);
            goto fail;
        }
        (void)tlcp_config_set_keylog(cfg, cli_keylog_line, *keylog);
    }
    return cfg;
fail:
    tlcp_config_free(cfg);
    return NULL;
}

/* A transport that never moves a byte: the handshake stops at its first I/O. */
static long probe_read(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return TLCP_IO_WANT_READ;
}

static long probe_write(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return TLCP_IO_WANT_WRITE;
}

int cli_check_server_config(const char *cmd, tlcp_config *cfg, struct cli_trace *trace)
{
    if (trace != NULL)
        trace->muted = 1;
    tlcp_conn *probe = tlcp_conn_new(cfg, TLCP_SERVER);
    if (probe == NULL) {
        if (trace != NULL)
            trace->muted = 0;
        cli_error(cmd, "cannot create a server connection: %s", tlcp_config_error(cfg));
        return 0;
    }
    tlcp_conn_set_io(probe, probe_read, probe_write, NULL);
    tlcp_result r = tlcp_handshake(probe);
    int ok = r == TLCP_WANT_READ || r == TLCP_WANT_WRITE;
    if (!ok)
        cli_error(cmd, "%s", tlcp_conn_error(probe));
    tlcp_conn_free(probe);
    if (trace != NULL)
        trace->muted = 0;
    return ok;
}

const char *cli_conn_failure(const tlcp_conn *conn, char *buf, size_t len)
{
    int alert = tlcp_conn_alert_received(conn);
    if (tlcp_conn_error_reason(conn) == TLCP_R_PEER_ALERT && alert > 0)
        snprintf(buf, len, "peer sent alert %s", tlcp_alert_string(alert));
    else
        snprintf(buf, len, "%s", tlcp_conn_error(conn));
    return buf;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_pki_generate: the public face of the test PKI behind `tlcp certgen`
 * and `tlcp demo`. The certificates and files come from
 * tlcp_certgen_write_pki (certgen_pki.c); this layer only adds what a
 * public caller expects: a default output directory that is created when
 * missing, a SAN that fits the common name, and errors as plain sentences.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tlcp/pki.h"
#include "util/error.h"
#include "x509/x509.h"

static int is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* localhost also gets the loopback addresses; an address CN gets an IP SAN. */
static const char *default_san(const char *cn, char *buf, size_t len)
{
    int n;
    if (strcmp(cn, "localhost") == 0)
        n = snprintf(buf, len, "DNS:localhost,IP:127.0.0.1,IP:::1");
    else if (is_ip_literal(cn))
        n = snprintf(buf, len, "IP:%s", cn);
    else
        n = snprintf(buf, len, "DNS:%s", cn);
    return n > 0 && (size_t)n < len ? buf : NULL;
}

static int ensure_dir(const char *dir, char *errbuf, size_t errlen)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 1;
        snprintf(errbuf, errlen, "%s is not a directory", dir);
        return 0;
    }
    if (errno == ENOENT && mkdir(dir, 0700) == 0)
        return 1;
    snprintf(errbuf, errlen, "cannot create output directory %s: %s", dir, strerror(errno));
    return 0;
}

struct report_ctx {
    const tlcp_pki_options *opts;
};

static void forward_report(void *arg, const char *path, const char *description)
{
    const tlcp_pki_options *o = ((struct report_ctx *)arg)->opts;
    o->report(o->report_arg, path, description);
}

tlcp_result tlcp_pki_generate(const tlcp_pki_options *opts, char *errbuf, size_t errlen)
{
    char dummy[1];
    if (errbuf == NULL || errlen == 0) {
        errbuf = dummy;
        errlen = sizeof(dummy);
    }
    errbuf[0] = '\0';
    if (opts == NULL) {
        snprintf(errbuf, errlen, "no PKI options given");
        return TLCP_ERROR;
    }
    const char *dir = opts->out_dir != NULL && opts->out_dir[0] != '\0' ? opts->out_dir : ".";
    const char *cn = opts->common_name != NULL ? opts->common_name : "localhost";
    char san[600];
    if (cn[0] == '\0' || strlen(cn) > 256) {
        snprintf(errbuf, errlen, "the common name must have 1 to 256 characters");
        return TLCP_ERROR;
    }
    if (!ensure_dir(dir, errbuf, errlen))
        return TLCP_ERROR;
    struct report_ctx rc = {opts};
    tlcp_pki_params p;
    memset(&p, 0, sizeof(p));
    p.out_dir = dir;
    p.common_name = cn;
    p.san = opts->san != NULL ? opts->san : default_san(cn, san, sizeof(san));
    p.client_cn = opts->client_cn;
    p.days = opts->days;
    p.with_client = opts->client;
    p.force = opts->force;
    p.report = opts->report != NULL ? forward_report : NULL;
    p.report_arg = &rc;
    tlcp_error err;
    tlcp_error_clear(&err);
    if (!tlcp_certgen_write_pki(&p, &err)) {
        snprintf(errbuf, errlen, "%s", tlcp_error_message(&err));
        return TLCP_ERROR;
    }
    return TLCP_OK;
}

/*
 * tlcp_pki_generate: the test PKI behind `tlcp certgen` and `tlcp demo`.
 * A thin layer over tlcp_certgen_issue (x509) and tlcp_pkey_generate
 * (crypto): it picks names and profiles, builds everything in memory, and
 * only then writes the files, so a failure leaves no half-made PKI behind.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "tlcp/pki.h"
#include "util/mem.h"
#include "x509/x509.h"

#define PKI_MAX_FILES 10
#define PKI_PATH_MAX  4096

/* One file to write: its name and PEM text (keys are wiped when freed). */
typedef struct pki_file {
    const char *name;
    char *pem;
    size_t len;
    int secret;
} pki_file;

typedef struct pki_job {
    const tlcp_pki_options *opts;
    const char *dir;
    pki_file files[PKI_MAX_FILES];
    size_t num_files;
    char *errbuf;
    size_t errlen;
} pki_job;

static void fail(pki_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(pki_job *job, const char *fmt, ...)
{
    if (job->errbuf == NULL || job->errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->errbuf, job->errlen, fmt, ap);
    va_end(ap);
}

static void free_files(pki_job *job)
{
    for (size_t i = 0; i < job->num_files; i++) {
        if (job->files[i].secret)
            tlcp_free_secret(job->files[i].pem, job->files[i].len);
        else
            free(job->files[i].pem);
    }
    job->num_files = 0;
}

static int path_of(pki_job *job, const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s/%s", job->dir, name);
    if (n < 0 || (size_t)n >= len) {
        fail(job, "output directory path is too long");
        return 0;
    }
    return 1;
}

/* Refuses before any work when a target exists and force is off. */
static int check_targets(pki_job *job, const char *const *names, size_t n)
{
    struct stat st;
    if (stat(job->dir, &st) != 0) {
        if (errno != ENOENT || mkdir(job->dir, 0700) != 0) {
            fail(job, "cannot create output directory %s: %s", job->dir, strerror(errno));
            return 0;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        fail(job, "%s is not a directory", job->dir);
        return 0;
    }
    if (job->opts->force)
        return 1;
    for (size_t i = 0; i < n; i++) {
        char path[PKI_PATH_MAX];
        if (!path_of(job, names[i], path, sizeof(path)))
            return 0;
        if (lstat(path, &st) == 0) {
            fail(job, "%s already exists (use --force to replace it)", path);
            return 0;
        }
    }
    return 1;
}

static int add_file(pki_job *job, const char *name, char *pem, size_t len, int secret)
{
    job->files[job->num_files++] = (pki_file){name, pem, len, secret};
    return 1;
}

static int add_cert(pki_job *job, const char *name, const tlcp_cert *cert)
{
    char *pem = NULL;
    size_t len = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    if (!tlcp_cert_to_pem(cert, &pem, &len, &err)) {
        fail(job, "cannot encode %s: %s", name, tlcp_error_message(&err));
        return 0;
    }
    return add_file(job, name, pem, len, 0);
}

static int add_key(pki_job *job, const char *name, const tlcp_pkey *key)
{
    char *pem = NULL;
    size_t len = 0;
    tlcp_error err;
    tlcp_error_clear(&err);
    if (!tlcp_pkey_to_pem(key, &pem, &len, &err)) {
        fail(job, "cannot encode %s: %s", name, tlcp_error_message(&err));
        return 0;
    }
    return add_file(job, name, pem, len, 1);
}

/* A fresh key and a certificate for it; both are queued for writing. */
static tlcp_cert *issue(pki_job *job, const tlcp_cert *ca, const tlcp_pkey *ca_key,
                        const tlcp_certgen_params *params, const char *cert_name,
                        const char *key_name, tlcp_pkey **out_key)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_pkey_generate(&err);
    if (key == NULL) {
        fail(job, "cannot generate an SM2 key: %s", tlcp_error_message(&err));
        return NULL;
    }
    tlcp_cert *cert = tlcp_certgen_issue(ca, ca != NULL ? ca_key : key, key, params, &err);
    if (cert == NULL) {
        fail(job, "cannot issue %s: %s", cert_name, tlcp_error_message(&err));
        tlcp_pkey_free(key);
        return NULL;
    }
    if (!add_cert(job, cert_name, cert) || !add_key(job, key_name, key)) {
        tlcp_cert_free(cert);
        tlcp_pkey_free(key);
        return NULL;
    }
    if (out_key != NULL)
        *out_key = key;
    else
        tlcp_pkey_free(key);
    return cert;
}

/* Sign and enc certificates for one party (same subject and issuer). */
static int issue_pair(pki_job *job, const tlcp_cert *ca, const tlcp_pkey *ca_key,
                      tlcp_certgen_params params, const char *const names[4])
{
    params.profile = TLCP_PROFILE_SIGN;
    tlcp_cert *sign = issue(job, ca, ca_key, &params, names[0], names[1], NULL);
    if (sign == NULL)
        return 0;
    tlcp_cert_free(sign);
    params.profile = TLCP_PROFILE_ENC;
    tlcp_cert *enc = issue(job, ca, ca_key, &params, names[2], names[3], NULL);
    if (enc == NULL)
        return 0;
    tlcp_cert_free(enc);
    return 1;
}

static int is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static const char *default_san(const char *cn, char *buf, size_t len)
{
    if (strcmp(cn, "localhost") == 0)
        snprintf(buf, len, "DNS:localhost,IP:127.0.0.1,IP:::1");
    else if (is_ip_literal(cn))
        snprintf(buf, len, "IP:%s", cn);
    else
        snprintf(buf, len, "DNS:%s", cn);
    return buf;
}

static int build_all(pki_job *job)
{
    const tlcp_pki_options *o = job->opts;
    const char *cn = o->common_name != NULL ? o->common_name : "localhost";
    char san_buf[600];
    if (strlen(cn) > 256) {
        fail(job, "common name is too long (at most 256 characters)");
        return 0;
    }
    tlcp_certgen_params params = {0};
    params.days = o->days;
    params.common_name = "libtlcp test root CA";
    params.profile = TLCP_PROFILE_CA;
    tlcp_pkey *ca_key = NULL;
    tlcp_cert *ca = issue(job, NULL, NULL, &params, "ca.pem", "ca.key", &ca_key);
    if (ca == NULL)
        return 0;
    static const char *const server_names[4] = {"server-sign.pem", "server-sign.key",
                                                "server-enc.pem", "server-enc.key"};
    static const char *const client_names[4] = {"client-sign.pem", "client-sign.key",
                                                "client-enc.pem", "client-enc.key"};
    params.common_name = cn;
    params.san = o->san != NULL ? o->san : default_san(cn, san_buf, sizeof(san_buf));
    int ok = issue_pair(job, ca, ca_key, params, server_names);
    if (ok && o->client) {
        params.common_name = "client";
        params.san = NULL;
        ok = issue_pair(job, ca, ca_key, params, client_names);
    }
    tlcp_cert_free(ca);
    tlcp_pkey_free(ca_key);
    return ok;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        data += n;
        len -= (size_t)n;
    }
    return 1;
}

/* Creates the file afresh (O_EXCL) so the mode is ours even with force. */
static int write_file(pki_job *job, const pki_file *f)
{
    char path[PKI_PATH_MAX];
    if (!path_of(job, f->name, path, sizeof(path)))
        return 0;
    if (job->opts->force && unlink(path) != 0 && errno != ENOENT) {
        fail(job, "cannot replace %s: %s", path, strerror(errno));
        return 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, f->secret ? 0600 : 0644);
    if (fd < 0) {
        fail(job, "cannot create %s: %s", path, strerror(errno));
        return 0;
    }
    int ok = write_all(fd, f->pem, f->len);
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        fail(job, "cannot write %s: %s", path, strerror(errno));
        return 0;
    }
    if (job->opts->report != NULL)
        job->opts->report(job->opts->report_arg, path);
    return 1;
}

tlcp_result tlcp_pki_generate(const tlcp_pki_options *opts, char *errbuf, size_t errlen)
{
    if (errbuf != NULL && errlen > 0)
        errbuf[0] = '\0';
    pki_job job = {.opts = opts, .errbuf = errbuf, .errlen = errlen};
    if (opts == NULL) {
        fail(&job, "no options given");
        return TLCP_ERROR;
    }
    job.dir = opts->out_dir != NULL && opts->out_dir[0] != '\0' ? opts->out_dir : ".";
    static const char *const all[] = {"ca.pem",          "ca.key",          "server-sign.pem",
                                      "server-sign.key", "server-enc.pem",  "server-enc.key",
                                      "client-sign.pem", "client-sign.key", "client-enc.pem",
                                      "client-enc.key"};
    size_t n = opts->client ? 10 : 6;
    if (!check_targets(&job, all, n))
        return TLCP_ERROR;
    int ok = build_all(&job);
    for (size_t i = 0; ok && i < job.num_files; i++)
        ok = write_file(&job, &job.files[i]);
    free_files(&job);
    return ok ? TLCP_OK : TLCP_ERROR;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* A whole test PKI (root, server sign/enc, optional client pair) written to a directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"
#include "x509/x509.h"

#define PKI_PATH_MAX 4096

/* One certificate of the PKI: its file stem, profile and description. */
typedef struct pki_entry {
    const char *stem; /* "server-sign" -> server-sign.pem + server-sign.key */
    int profile;
    int client;
    const char *description;
} pki_entry;

static const pki_entry ENTRIES[] = {
    {"ca", TLCP_PROFILE_CA, 0, "root CA"},
    {"server-sign", TLCP_PROFILE_SIGN, 0, "server signing"},
    {"server-enc", TLCP_PROFILE_ENC, 0, "server encryption"},
    {"client-sign", TLCP_PROFILE_SIGN, 1, "client signing"},
    {"client-enc", TLCP_PROFILE_ENC, 1, "client encryption"},
};

static int make_path(char *buf, const char *dir, const char *stem, const char *ext, tlcp_error *err)
{
    int n = snprintf(buf, PKI_PATH_MAX, "%s/%s%s", dir, stem, ext);
    ENSURE(n > 0 && n < PKI_PATH_MAX, err, TLCP_R_INVALID_ARGUMENT, "output path too long: %s",
           dir);
    return 1;
}

/* Refuses before writing anything, so a refusal leaves no partial PKI. */
static int check_targets(const tlcp_pki_params *p, tlcp_error *err)
{
    struct stat st;
    ENSURE(p->out_dir != NULL && stat(p->out_dir, &st) == 0 && S_ISDIR(st.st_mode), err,
           TLCP_R_FILE, "output directory %s does not exist",
           p->out_dir != NULL ? p->out_dir : "(none)");
    if (p->force)
        return 1;
    for (size_t i = 0; i < TLCP_ARRAY_LEN(ENTRIES); i++) {
        if (ENTRIES[i].client && !p->with_client)
            continue;
        static const char *const exts[] = {".pem", ".key"};
        for (size_t e = 0; e < 2; e++) {
            char path[PKI_PATH_MAX];
            GUARD(make_path(path, p->out_dir, ENTRIES[i].stem, exts[e], err));
            ENSURE(lstat(path, &st) != 0, err, TLCP_R_FILE,
                   "%s already exists; refusing to overwrite it", path);
        }
    }
    return 1;
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

static int write_file(const tlcp_pki_params *p, const char *path, const char *data, size_t len,
                      mode_t mode, const char *description, tlcp_error *err)
{
    int flags = O_WRONLY | O_CREAT | (p->force ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, mode);
    ENSURE(fd >= 0, err, TLCP_R_FILE, "cannot create %s: %s", path, strerror(errno));
    /* An overwritten key file keeps no wider mode than 0600. */
    int ok = fchmod(fd, mode) == 0 && write_all(fd, data, len);
    int saved = errno;
    ok = (close(fd) == 0) && ok;
    ENSURE(ok, err, TLCP_R_FILE, "cannot write %s: %s", path, strerror(saved));
    if (p->report != NULL)
        p->report(p->report_arg, path, description);
    return 1;
}

static int write_entry(const tlcp_pki_params *p, const pki_entry *e, const tlcp_cert *cert,
                       const tlcp_pkey *key, tlcp_error *err)
{
    char path[PKI_PATH_MAX], what[128];
    char *pem = NULL;
    size_t len = 0;
    GUARD(make_path(path, p->out_dir, e->stem, ".pem", err));
    GUARD(tlcp_cert_to_pem(cert, &pem, &len, err));
    snprintf(what, sizeof(what), "%s certificate", e->description);
    int ok = write_file(p, path, pem, len, 0644, what, err);
    free(pem);
    GUARD(ok);
    GUARD(make_path(path, p->out_dir, e->stem, ".key", err));
    GUARD(tlcp_pkey_to_pem(key, &pem, &len, err));
    snprintf(what, sizeof(what), "%s private key", e->description);
    ok = write_file(p, path, pem, len, 0600, what, err);
    tlcp_free_secret(pem, len);
    return ok;
}

static tlcp_certgen_params leaf_params(const tlcp_pki_params *p, const pki_entry *e)
{
    tlcp_certgen_params c;
    memset(&c, 0, sizeof(c));
    c.profile = e->profile;
    c.organization = "libtlcp";
    c.days = p->days > 0 ? p->days : 365;
    if (e->profile == TLCP_PROFILE_CA) {
        c.common_name = "libtlcp Test Root CA";
        /* Outlives the leaves it signs, within what GmSSL 3 accepts. */
        c.days = c.days + 365 < TLCP_CERTGEN_MAX_DAYS ? c.days + 365 : TLCP_CERTGEN_MAX_DAYS;
    } else if (e->client) {
        c.common_name = p->client_cn != NULL ? p->client_cn : "TLCP client";
        c.org_unit = "client";
    } else {
        c.common_name = p->common_name != NULL ? p->common_name : "localhost";
        c.san = p->san != NULL ? p->san : "DNS:localhost,IP:127.0.0.1";
    }
    return c;
}

int tlcp_certgen_write_pki(const tlcp_pki_params *p, tlcp_error *err)
{
    ENSURE(p != NULL, err, TLCP_R_INVALID_ARGUMENT, "no PKI parameters");
    GUARD(check_targets(p, err));
    tlcp_cert *certs[TLCP_ARRAY_LEN(ENTRIES)] = {NULL};
    tlcp_pkey *keys[TLCP_ARRAY_LEN(ENTRIES)] = {NULL};
    int ok = 1;
    /* Make everything first (bad SAN syntax fails before any file exists). */
    for (size_t i = 0; ok && i < TLCP_ARRAY_LEN(ENTRIES); i++) {
        if (ENTRIES[i].client && !p->with_client)
            continue;
        tlcp_certgen_params c = leaf_params(p, &ENTRIES[i]);
        keys[i] = tlcp_pkey_generate(err);
        ok = keys[i] != NULL;
        if (ok)
            certs[i] = tlcp_certgen_issue(i == 0 ? NULL : certs[0], keys[0], keys[i], &c, err);
        ok = ok && certs[i] != NULL;
    }
    for (size_t i = 0; ok && i < TLCP_ARRAY_LEN(ENTRIES); i++) {
        if (certs[i] != NULL)
            ok = write_entry(p, &ENTRIES[i], certs[i], keys[i], err);
    }
    for (size_t i = 0; i < TLCP_ARRAY_LEN(ENTRIES); i++) {
        tlcp_cert_free(certs[i]);
        tlcp_pkey_free(keys[i]);
    }
    return ok;
}

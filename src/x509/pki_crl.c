/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_pki_write_crl: a CRL of a test PKI's root (tlcp certgen --revoke). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlcp/pki.h"
#include "x509/x509.h"

static int load_revoked(tlcp_cert_list *list, const char *const *files, size_t n, tlcp_error *err)
{
    for (size_t i = 0; i < n; i++) {
        tlcp_cert *c = tlcp_cert_load_file(files[i], err);
        int ok = c != NULL && tlcp_cert_list_push(list, c, err);
        tlcp_cert_free(c);
        GUARD(ok);
    }
    return 1;
}

static int write_text(const char *path, const uint8_t *data, size_t len, tlcp_error *err)
{
    FILE *f = fopen(path, "w");
    ENSURE(f != NULL, err, TLCP_R_FILE, "cannot write %s", path);
    int ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    ENSURE(ok, err, TLCP_R_FILE, "cannot write %s", path);
    return 1;
}

static int write_crl(const tlcp_pki_crl_options *o, tlcp_error *err)
{
    const char *dir = o->dir != NULL && o->dir[0] != '\0' ? o->dir : ".";
    char ca_pem[4096], ca_key[4096], out[4096];
    snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", dir);
    snprintf(ca_key, sizeof(ca_key), "%s/ca.key", dir);
    snprintf(out, sizeof(out), "%s/%s", dir, o->file != NULL ? o->file : "crl.pem");
    tlcp_keypair ca;
    memset(&ca, 0, sizeof(ca));
    GUARD(tlcp_keypair_load_files(&ca, ca_pem, ca_key, NULL, err));
    tlcp_cert_list revoked;
    tlcp_cert_list_init(&revoked);
    tlcp_crlgen_params p;
    memset(&p, 0, sizeof(p));
    p.pem = 1;
    if (o->days < 0) { /* an already expired CRL, for tests */
        p.this_update = time(NULL) + (time_t)o->days * 86400 - 3600;
        p.next_update = time(NULL) - 3600;
    } else if (o->days > 0) {
        p.next_update = time(NULL) - 3600 + (time_t)o->days * 86400;
    }
    uint8_t *pem = NULL;
    size_t len = 0;
    int ok = load_revoked(&revoked, o->revoke, o->num_revoke, err) &&
             tlcp_crlgen(ca.cert, ca.key, revoked.certs, revoked.num, &p, &pem, &len, err) &&
             write_text(out, pem, len, err);
    if (ok && o->report != NULL)
        o->report(o->report_arg, out, "certificate revocation list");
    free(pem);
    tlcp_cert_list_clear(&revoked);
    tlcp_keypair_clear(&ca);
    return ok;
}

tlcp_result tlcp_pki_write_crl(const tlcp_pki_crl_options *opts, char *errbuf, size_t errlen)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int ok = opts != NULL && write_crl(opts, &err);
    if (!ok && errbuf != NULL && errlen > 0)
        snprintf(errbuf, errlen, "%s",
                 opts == NULL ? "no CRL options given" : tlcp_error_message(&err));
    return ok ? TLCP_OK : TLCP_ERROR;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libtlcp test PKI: one call makes an SM2 root CA and the dual certificates
 * a TLCP server (and optionally a client) needs.
 *
 * Files written into opts->out_dir:
 *   ca.pem, ca.key                       self-signed root (CA:TRUE, keyCertSign, cRLSign)
 *   server-sign.pem, server-sign.key     digitalSignature, nonRepudiation
 *   server-enc.pem, server-enc.key       keyEncipherment, dataEncipherment, keyAgreement
 *   client-sign.*, client-enc.*          the same profiles, with opts->client
 * Certificates are PEM, signed with SM3withSM2 (default ID); keys are
 * unencrypted PKCS#8 PEM with mode 0600. Leaves carry no basicConstraints
 * (as GmSSL 3 writes them); the root has CA:TRUE. The sign and enc
 * certificates of one party share subject and issuer (GmSSL 3 expects it).
 * Nothing is written when any target exists, unless opts->force.
 */
#ifndef TLCP_PKI_H
#define TLCP_PKI_H

#include <stddef.h>

#include "tlcp/tlcp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tlcp_pki_options {
    const char *out_dir;     /* NULL = "."; created (mode 0700) when missing */
    const char *common_name; /* server CN; NULL = "localhost" */
    const char *san;         /* "DNS:a.example,IP:10.0.0.1"; NULL = DNS:<cn> (localhost also
                                gets IP:127.0.0.1 and IP:::1; an address CN gets IP:<cn>) */
    const char *client_cn;   /* client CN; NULL = "TLCP client" */
    int days;                /* validity of the leaves; <= 0 means 365 (the root: one
                                year more) */
    int client;              /* also issue client-sign / client-enc */
    int force;               /* replace existing files */
    /* Called once per file written, with its path and what it holds
     * ("server signing certificate"); may be NULL. */
    void (*report)(void *arg, const char *path, const char *what);
    void *report_arg;
} tlcp_pki_options;

/* Checks a subjectAltName list ("DNS:a.example,IP:10.0.0.1") the way
 * tlcp_pki_generate reads it; TLCP_ERROR with the first bad entry named in
 * errbuf. */
TLCP_API tlcp_result tlcp_pki_check_san(const char *san, char *errbuf, size_t errlen);

/* Generates the PKI. On failure returns TLCP_ERROR with a sentence in errbuf
 * (e.g. "out/ca.pem already exists; refusing to overwrite it"). */
TLCP_API tlcp_result tlcp_pki_generate(const tlcp_pki_options *opts, char *errbuf, size_t errlen);

/* A CRL of the PKI in `dir`: signed by dir/ca.pem + dir/ca.key (SM3withSM2,
 * default ID), listing the serial numbers of the certificate files in
 * `revoke` (none: an empty CRL), written as PEM to dir/<file> (replaced
 * when it exists: a CRL is reissued). thisUpdate is an hour ago; nextUpdate
 * `days` later (0: 30 days); a negative `days` writes a CRL that expired an
 * hour ago (for tests of the expired-CRL error). */
typedef struct tlcp_pki_crl_options {
    const char *dir;           /* NULL = "." */
    const char *file;          /* NULL = "crl.pem" */
    const char *const *revoke; /* certificate files (PEM/DER) */
    size_t num_revoke;         /* at most 16 */
    int days;
    void (*report)(void *arg, const char *path, const char *what);
    void *report_arg;
} tlcp_pki_crl_options;

TLCP_API tlcp_result tlcp_pki_write_crl(const tlcp_pki_crl_options *opts, char *errbuf,
                                        size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* TLCP_PKI_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp_cert_list: ordered certificate references; PEM bundles and DER files. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "x509/x509_internal.h"

void tlcp_cert_list_init(tlcp_cert_list *list)
{
    list->certs = NULL;
    list->num = 0;
    list->cap = 0;
}

void tlcp_cert_list_clear(tlcp_cert_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->num; i++)
        tlcp_cert_free(list->certs[i]);
    free(list->certs);
    tlcp_cert_list_init(list);
}

int tlcp_cert_list_push(tlcp_cert_list *list, tlcp_cert *cert, tlcp_error *err)
{
    ENSURE(cert != NULL, err, TLCP_R_INVALID_ARGUMENT, "no certificate to add");
    ENSURE_ALERT(list->num < TLCP_X509_MAX_LIST, err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                 "more than %u certificates in one list", (unsigned)TLCP_X509_MAX_LIST);
    if (list->num == list->cap) {
        size_t cap = list->cap == 0 ? 4 : list->cap * 2;
        tlcp_cert **grown = realloc(list->certs, cap * sizeof(*grown));
        ENSURE(grown != NULL, err, TLCP_R_ALLOC, "out of memory for a certificate list");
        list->certs = grown;
        list->cap = cap;
    }
    list->certs[list->num++] = tlcp_cert_up_ref(cert);
    return 1;
}

/* Certificates never carry a passphrase; refuse instead of prompting on a
 * terminal when a PEM block claims to be encrypted. */
static int no_passphrase(char *buf, int size, int rwflag, void *arg)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)arg;
    return -1;
}

/* 1 when the PEM reader stopped because no further certificate block exists. */
static int pem_ran_out(void)
{
    unsigned long e = ERR_peek_last_error();
    return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

static int push_owned(tlcp_cert_list *list, tlcp_cert *cert, tlcp_error *err)
{
    int ok = tlcp_cert_list_push(list, cert, err);
    tlcp_cert_free(cert);
    return ok;
}

int tlcp_x509_pem_each(const uint8_t *data, size_t len, const char *what,
                       int (*fn)(void *arg, X509 *x, tlcp_error *err), void *arg, tlcp_error *err)
{
    ENSURE(len <= (size_t)INT_MAX, err, TLCP_R_DECODE, "%s is too large", what);
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    ENSURE(bio != NULL, err, TLCP_R_ALLOC, "out of memory reading %s", what);
    size_t found = 0;
    int ok = 1;
    ERR_clear_error();
    while (ok) {
        X509 *x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
        if (x != NULL) {
            ok = fn(arg, x, err); /* fn owns x */
            found++;
            continue;
        }
        if (pem_ran_out() && found > 0) {
            ERR_clear_error();
        } else if (pem_ran_out()) {
            ERR_clear_error();
            TLCP_ERR(err, TLCP_R_DECODE, "no PEM certificate found in %s", what);
            ok = 0;
        } else {
            char detail[160];
            tlcp_x509_openssl_detail(detail, sizeof(detail));
            TLCP_ERR(err, TLCP_R_DECODE, "%s: certificate #%zu is malformed (%s)", what, found + 1,
                     detail);
            ok = 0;
        }
        break;
    }
    BIO_free(bio);
    return ok;
}

static int push_x509(void *arg, X509 *x, tlcp_error *err)
{
    tlcp_cert *cert = tlcp_cert_wrap_x509(x, err);
    return cert != NULL && push_owned(arg, cert, err);
}

static int parse_into(tlcp_cert_list *list, const uint8_t *data, size_t len, const char *what,
                      tlcp_error *err)
{
    if (tlcp_x509_is_pem(data, len))
        return tlcp_x509_pem_each(data, len, what, push_x509, list, err);
    tlcp_error local;
    tlcp_error_clear(&local);
    tlcp_cert *cert = tlcp_cert_from_der(data, len, &local);
    if (cert == NULL) {
        /* Keep the DER parser's reason, name the source. */
        TLCP_ERR(err, local.reason, "%s: %s", what, local.message);
        return 0;
    }
    return push_owned(list, cert, err);
}

int tlcp_x509_parse_all(tlcp_cert_list *list, const uint8_t *data, size_t len, const char *what,
                        tlcp_error *err)
{
    ENSURE(data != NULL && len > 0, err, TLCP_R_DECODE, "%s is empty", what);
    /* Parse aside first so that a failure leaves `list` as it was. */
    tlcp_cert_list parsed;
    tlcp_cert_list_init(&parsed);
    int ok = parse_into(&parsed, data, len, what, err);
    if (ok && list->num + parsed.num > TLCP_X509_MAX_LIST) {
        TLCP_ERR(err, TLCP_R_CERT, "%s: more than %u certificates", what,
                 (unsigned)TLCP_X509_MAX_LIST);
        ok = 0;
    }
    for (size_t i = 0; ok && i < parsed.num; i++)
        ok = tlcp_cert_list_push(list, parsed.certs[i], err);
    tlcp_cert_list_clear(&parsed);
    return ok;
}

int tlcp_cert_list_load(tlcp_cert_list *list, const uint8_t *data, size_t len, tlcp_error *err)
{
    return tlcp_x509_parse_all(list, data, len, "certificate data", err);
}

int tlcp_cert_list_load_file(tlcp_cert_list *list, const char *path, tlcp_error *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    GUARD(tlcp_x509_read_file(path, "certificate", &data, &len, err));
    int ok = tlcp_x509_parse_all(list, data, len, path, err);
    free(data);
    return ok;
}

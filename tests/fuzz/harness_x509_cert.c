/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate loading from file bytes (PEM or DER, single and bundle): a
 * refusal must carry a reason; an accepted certificate must survive every
 * accessor, re-load from its own DER and PEM to the same DER, and a bundle
 * must respect the list limit.
 */
#include <stdlib.h>
#include <string.h>

#include "harness_fixtures.h"

static void same_der_after(tlcp_cert *again, const uint8_t *der, size_t der_len, const char *what)
{
    fuzz_require(again != NULL, what);
    const uint8_t *d2;
    size_t l2;
    tlcp_cert_der(again, &d2, &l2);
    fuzz_require(fuzz_same_bytes(der, der_len, d2, l2), what);
    tlcp_cert_free(again);
}

static void check_public_key(const tlcp_cert *cert)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_pkey *key = tlcp_cert_public_key(cert, &err);
    if (key == NULL) {
        fuzz_require(err.reason != TLCP_R_NONE, "certificate key refused without a reason");
        return;
    }
    uint8_t point[TLCP_SM2_POINT_LEN];
    if (tlcp_pkey_get_point(key, point, &err)) {
        tlcp_pkey *again = tlcp_pkey_from_point(point, sizeof(point), &err);
        fuzz_require(again != NULL && tlcp_pkey_public_equal(key, again),
                     "certificate point does not load back as the same key");
        tlcp_pkey_free(again);
    }
    tlcp_pkey_free(key);
}

static void exercise(tlcp_cert *cert)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    fuzz_require(tlcp_cert_subject(cert) != NULL && tlcp_cert_issuer(cert) != NULL,
                 "certificate without subject/issuer line");
    int present;
    (void)tlcp_cert_key_usage(cert, &present);
    (void)tlcp_cert_is_ca(cert);
    (void)tlcp_cert_is_self_signed(cert);
    (void)tlcp_cert_is_sm2(cert);
    time_t nb, na;
    if (!tlcp_cert_validity(cert, &nb, &na, &err))
        fuzz_require(err.reason != TLCP_R_NONE, "validity refused without a reason");
    static const char *const hosts[] = {"localhost", "127.0.0.1", "::1", "a.b.example"};
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        tlcp_error_clear(&err);
        if (!tlcp_cert_check_host(cert, hosts[i], &err))
            fuzz_require(err.reason != TLCP_R_NONE, "host check failed without a reason");
    }
    check_public_key(cert);

    const uint8_t *der;
    size_t der_len;
    tlcp_cert_der(cert, &der, &der_len);
    tlcp_error_clear(&err);
    same_der_after(tlcp_cert_from_der(der, der_len, &err), der, der_len,
                   "a certificate's own DER does not re-load to the same DER");
    char *pem = NULL;
    size_t pem_len;
    tlcp_error_clear(&err);
    fuzz_require(tlcp_cert_to_pem(cert, &pem, &pem_len, &err), "certificate to PEM failed");
    same_der_after(tlcp_cert_from_pem((const uint8_t *)pem, pem_len, &err), der, der_len,
                   "a certificate's own PEM does not re-load to the same DER");
    free(pem);
}

int fuzz_x509_cert(const uint8_t *data, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_cert *cert = tlcp_cert_load(data, len, &err);
    if (cert == NULL) {
        fuzz_require(err.reason != TLCP_R_NONE, "certificate refused without a reason");
    } else {
        exercise(cert);
        tlcp_cert_free(cert);
    }

    tlcp_cert_list list;
    tlcp_cert_list_init(&list);
    tlcp_error_clear(&err);
    if (tlcp_cert_list_load(&list, data, len, &err)) {
        fuzz_require(list.num >= 1 && list.num <= TLCP_X509_MAX_LIST,
                     "certificate bundle size outside 1..TLCP_X509_MAX_LIST");
    } else {
        fuzz_require(err.reason != TLCP_R_NONE, "certificate bundle refused without a reason");
    }
    tlcp_cert_list_clear(&list);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Classifying a peer's Certificate list into sign cert, enc cert and chain. */
#include <string.h>

#include "x509/x509_internal.h"

void tlcp_peer_certs_clear(tlcp_peer_certs *peer)
{
    if (peer == NULL)
        return;
    tlcp_cert_free(peer->sign);
    tlcp_cert_free(peer->enc);
    tlcp_cert_list_clear(&peer->chain);
    memset(peer, 0, sizeof(*peer));
}

/* "Encryption only": keyUsage present, some encryption bit, no digitalSignature. */
static int enc_only(const tlcp_cert *cert)
{
    int present = 0;
    unsigned ku = tlcp_cert_key_usage(cert, &present);
    return present && (ku & TLCP_KU_ENC_ANY) && !(ku & TLCP_KU_DIGITAL_SIGNATURE);
}

/* "Signature only": keyUsage present, digitalSignature, no encryption bit. */
static int sign_only(const tlcp_cert *cert)
{
    int present = 0;
    unsigned ku = tlcp_cert_key_usage(cert, &present);
    return present && (ku & TLCP_KU_DIGITAL_SIGNATURE) && !(ku & TLCP_KU_ENC_ANY);
}

/* Finds the end-entity certificates: entry 0 always, then every non-CA. */
static int find_leaves(tlcp_cert *const *certs, size_t n, size_t leaves[2], size_t *num_leaves,
                       tlcp_error *err)
{
    *num_leaves = 0;
    for (size_t i = 0; i < n; i++) {
        if (i != 0 && tlcp_cert_is_ca(certs[i]))
            continue;
        ENSURE_ALERT(*num_leaves < 2, err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                     "peer sent more than two end-entity certificates (third: %s)",
                     tlcp_cert_subject(certs[i]));
        leaves[(*num_leaves)++] = i;
    }
    return 1;
}

int tlcp_peer_certs_classify(tlcp_peer_certs *out, tlcp_cert *const *certs, size_t n,
                             tlcp_error *err)
{
    tlcp_peer_certs_clear(out);
    ENSURE_ALERT(n > 0, err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE, "peer sent no certificates");
    ENSURE_ALERT(n <= TLCP_X509_MAX_LIST, err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                 "peer sent %zu certificates (at most %u accepted)", n,
                 (unsigned)TLCP_X509_MAX_LIST);
    size_t leaves[2] = {0, 0}, num_leaves = 0;
    GUARD(find_leaves(certs, n, leaves, &num_leaves, err));
    size_t sign_at = leaves[0], enc_at = leaves[1];
    /* Position says sign first; key usage may say otherwise. */
    if (num_leaves == 2 && enc_only(certs[sign_at]) && sign_only(certs[enc_at])) {
        sign_at = leaves[1];
        enc_at = leaves[0];
    }
    out->sign = tlcp_cert_up_ref(certs[sign_at]);
    out->sign_index = sign_at;
    if (num_leaves == 2) {
        out->enc = tlcp_cert_up_ref(certs[enc_at]);
        out->enc_index = enc_at;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == sign_at || (num_leaves == 2 && i == enc_at))
            continue;
        if (!tlcp_cert_list_push(&out->chain, certs[i], err)) {
            tlcp_peer_certs_clear(out);
            return 0;
        }
    }
    return 1;
}

int tlcp_peer_certs_parse(tlcp_peer_certs *out, const uint8_t *const *ders, const size_t *lens,
                          size_t n, tlcp_error *err)
{
    tlcp_peer_certs_clear(out);
    ENSURE_ALERT(n > 0, err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE, "peer sent no certificates");
    ENSURE_ALERT(n <= TLCP_X509_MAX_LIST, err, TLCP_R_CERT, TLCP_ALERT_BAD_CERTIFICATE,
                 "peer sent %zu certificates (at most %u accepted)", n,
                 (unsigned)TLCP_X509_MAX_LIST);
    tlcp_cert *certs[TLCP_X509_MAX_LIST];
    size_t parsed = 0;
    int ok = 1;
    for (; parsed < n; parsed++) {
        tlcp_error local;
        tlcp_error_clear(&local);
        certs[parsed] = tlcp_cert_from_der_cached(ders[parsed], lens[parsed], &local);
        if (certs[parsed] == NULL) {
            TLCP_ERR_ALERT(err, local.reason, TLCP_ALERT_DECODE_ERROR, "peer certificate #%zu: %s",
                           parsed + 1, local.message);
            ok = 0;
            break;
        }
    }
    if (ok)
        ok = tlcp_peer_certs_classify(out, certs, n, err);
    for (size_t i = 0; i < parsed; i++)
        tlcp_cert_free(certs[i]);
    return ok;
}

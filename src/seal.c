/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_seal / tlcp_unseal: SM4-GCM for data an application keeps outside
 * the process (exported sessions in a shared store). The GCM itself stays
 * internal (crypto/gcm.c); this is the one public door to it, so an
 * application (the proxy) needs no second AEAD and no internal header.
 * Layout: nonce (12, random) || ciphertext || tag (16).
 */
#include <stdint.h>
#include <string.h>

#include "crypto/crypto.h"
#include "tlcp/tlcp.h"
#include "util/mem.h"

tlcp_result tlcp_seal(const uint8_t key[16], const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = len + TLCP_SEAL_OVERHEAD;
    if (key == NULL || out == NULL || out_len == NULL || (in == NULL && len > 0) ||
        (aad == NULL && aad_len > 0) || len > SIZE_MAX - TLCP_SEAL_OVERHEAD ||
        cap < len + TLCP_SEAL_OVERHEAD)
        return TLCP_ERROR;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_gcm *g = tlcp_gcm_new(key, &err);
    int ok = g != NULL && tlcp_random_bytes(out, TLCP_GCM_NONCE_LEN, &err) &&
             tlcp_gcm_seal(g, out, aad, aad_len, in, len, out + TLCP_GCM_NONCE_LEN,
                           out + TLCP_GCM_NONCE_LEN + len, &err);
    tlcp_gcm_free(g);
    if (!ok)
        tlcp_wipe(out, cap);
    return ok ? TLCP_OK : TLCP_ERROR;
}

tlcp_result tlcp_unseal(const uint8_t key[16], const uint8_t *aad, size_t aad_len,
                        const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = 0;
    if (key == NULL || in == NULL || out_len == NULL || (aad == NULL && aad_len > 0) ||
        len < TLCP_SEAL_OVERHEAD || (out == NULL && len > TLCP_SEAL_OVERHEAD) ||
        cap < len - TLCP_SEAL_OVERHEAD)
        return TLCP_ERROR;
    size_t n = len - TLCP_SEAL_OVERHEAD;
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_gcm *g = tlcp_gcm_new(key, &err);
    int ok = g != NULL && tlcp_gcm_open(g, in, aad, aad_len, in + TLCP_GCM_NONCE_LEN, n,
                                        in + TLCP_GCM_NONCE_LEN + n, out, &err);
    tlcp_gcm_free(g);
    if (ok)
        *out_len = n;
    return ok ? TLCP_OK : TLCP_ERROR;
}

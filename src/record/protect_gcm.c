/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM4-GCM records (RFC 5288 style, tlcp-protocol.md §1.4):
 *   nonce = salt(4) || explicit(8); AAD = seq||type||version||plaintext length
 *   fragment = explicit(8) || ciphertext || tag(16)
 * We send the sequence number as the explicit part (unique per key, as GmSSL
 * and gotlcp do) and always take it from the record on receipt (Tongsuo
 * sends a random-start counter).
 */
#include "record/record_internal.h"
#include "util/mem.h"

static void make_nonce(const tlcp_record_dir *d, const uint8_t explicit_part[8],
                       uint8_t nonce[TLCP_GCM_NONCE_LEN])
{
    tlcp_rbuf_copy(nonce, d->salt, 4);
    tlcp_rbuf_copy(nonce + 4, explicit_part, TLCP_GCM_EXPLICIT_LEN);
}

int tlcp_gcm_seal_record(tlcp_record_dir *d, uint64_t seq, uint8_t type, uint8_t *rec_frag,
                         const uint8_t *data, size_t len, size_t *out_len, tlcp_error *err)
{
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, rec_frag, TLCP_GCM_EXPLICIT_LEN);
    ENSURE(tlcp_builder_add_u64(&b, seq), err, TLCP_R_INTERNAL, "explicit nonce");

    uint8_t nonce[TLCP_GCM_NONCE_LEN];
    uint8_t aad[13];
    make_nonce(d, rec_frag, nonce);
    tlcp_record_pseudo_header(aad, seq, type, len);
    /* CTR reads the caller's plaintext and writes the ciphertext in place
     * in the fragment (no copy of the plaintext first) */
    uint8_t *ct = rec_frag + TLCP_GCM_EXPLICIT_LEN;
    GUARD(tlcp_gcm_seal(d->gcm, nonce, aad, sizeof(aad), data, len, ct, ct + len, err));
    *out_len = TLCP_GCM_EXPLICIT_LEN + len + TLCP_GCM_TAG_LEN;
    return 1;
}

int tlcp_gcm_open_record(tlcp_record_dir *d, uint64_t seq, uint8_t type, uint8_t *frag, size_t len,
                         tlcp_cursor *out, tlcp_error *err)
{
    ENSURE_ALERT(len >= TLCP_GCM_EXPLICIT_LEN + TLCP_GCM_TAG_LEN, err, TLCP_R_BAD_RECORD_MAC,
                 TLCP_ALERT_BAD_RECORD_MAC, "GCM record of %zu bytes is shorter than 24", len);
    size_t ct_len = len - TLCP_GCM_EXPLICIT_LEN - TLCP_GCM_TAG_LEN;
    uint8_t nonce[TLCP_GCM_NONCE_LEN];
    uint8_t aad[13];
    make_nonce(d, frag, nonce);
    tlcp_record_pseudo_header(aad, seq, type, ct_len);

    uint8_t *ct = frag + TLCP_GCM_EXPLICIT_LEN;
    tlcp_error gcm_err;
    tlcp_error_clear(&gcm_err);
    if (!tlcp_gcm_open(d->gcm, nonce, aad, sizeof(aad), ct, ct_len, ct + ct_len, ct, &gcm_err)) {
        if (gcm_err.reason == TLCP_R_DECRYPT_FAILED || gcm_err.reason == TLCP_R_NONE) {
            TLCP_ERR_ALERT(err, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC,
                           "GCM tag check failed");
        } else {
            TLCP_ERR_ALERT(err, gcm_err.reason, TLCP_ALERT_INTERNAL_ERROR, "SM4-GCM open: %s",
                           tlcp_error_message(&gcm_err));
        }
        return 0;
    }
    tlcp_cursor_init(out, ct, ct_len);
    return 1;
}

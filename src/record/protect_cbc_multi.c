/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sealing k SM4-CBC + HMAC-SM3 records at once. A record's CBC chain and its
 * HMAC are serial, but records are independent: the k MACs run through the
 * multi-buffer SM3 (16 lanes with AVX-512) and the k CBC chains through the
 * multi-chain SM4 (sixteen blocks in flight). The steps are those of
 * tlcp_cbc_seal in the same order per record (sequence number, framing,
 * MAC, IV from the RNG, encryption; the k IVs are drawn in one call, in
 * record order), so the bytes are the same as k records sealed one by one
 * (tests/unit/test_record_multi.c checks it).
 */
#include <string.h>

#include "record/record_internal.h"

int tlcp_cbc_seal_multi(tlcp_record_dir *d, uint8_t type, uint8_t *const rec_frag[],
                        const size_t len[], size_t k, size_t out_len[], tlcp_error *err)
{
    ENSURE(k <= TLCP_SM3_MB_MAX, err, TLCP_R_INTERNAL, "too many records to seal at once");
    const uint8_t *mac_in[TLCP_SM3_MB_MAX] = {0}, *iv[TLCP_SM3_MB_MAX] = {0};
    uint8_t *mac_out[TLCP_SM3_MB_MAX] = {0}, *body[TLCP_SM3_MB_MAX] = {0};
    size_t mac_len[TLCP_SM3_MB_MAX] = {0}, body_len[TLCP_SM3_MB_MAX] = {0};
    for (size_t i = 0; i < k; i++) {
        uint64_t seq;
        GUARD(tlcp_record_seq_take(d, &seq, err));
        body[i] = rec_frag[i] + TLCP_CBC_IV_LEN;
        body_len[i] = tlcp_cbc_frame(rec_frag[i], seq, type, len[i]);
        mac_in[i] = body[i] - 13;
        mac_len[i] = 13 + len[i];
        mac_out[i] = body[i] + len[i];
        iv[i] = rec_frag[i];
        out_len[i] = TLCP_CBC_IV_LEN + body_len[i];
    }
    tlcp_hmac_sm3_mb(&d->mac, k, mac_in, mac_len, mac_out);
    /* One draw for all k IVs: the RNG's fixed cost per call (locks, a fork
     * check) was about a tenth of sealing 1 KiB records; the deterministic
     * test stream gives the same bytes as k draws of 16. */
    uint8_t ivs[TLCP_SM3_MB_MAX * TLCP_CBC_IV_LEN];
    GUARD(tlcp_random_bytes(ivs, k * TLCP_CBC_IV_LEN, err));
    for (size_t i = 0; i < k; i++)
        memcpy(rec_frag[i], ivs + i * TLCP_CBC_IV_LEN, TLCP_CBC_IV_LEN);
    return tlcp_sm4_cbc_encrypt_multi(d->cbc, k, iv, (const uint8_t *const *)body, body, body_len,
                                      err);
}

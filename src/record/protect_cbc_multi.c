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
                        const uint8_t *const data[], const size_t len[], size_t k, size_t out_len[],
                        tlcp_error *err)
{
    ENSURE(k <= TLCP_SM3_MB_MAX, err, TLCP_R_INTERNAL, "too many records to seal at once");
    uint8_t header[TLCP_SM3_MB_MAX][13];
    const uint8_t *hdr[TLCP_SM3_MB_MAX] = {0}, *iv[TLCP_SM3_MB_MAX] = {0};
    uint8_t *mac_out[TLCP_SM3_MB_MAX] = {0}, *body[TLCP_SM3_MB_MAX] = {0};
    uint8_t *tail[TLCP_SM3_MB_MAX] = {0};
    size_t full[TLCP_SM3_MB_MAX] = {0}, tail_len[TLCP_SM3_MB_MAX] = {0};
    for (size_t i = 0; i < k; i++) {
        uint64_t seq;
        GUARD(tlcp_record_seq_take(d, &seq, err));
        body[i] = rec_frag[i] + TLCP_CBC_IV_LEN;
        size_t n = tlcp_cbc_frame(rec_frag[i], data[i], len[i], seq, type, header[i]);
        hdr[i] = header[i];
        mac_out[i] = body[i] + len[i];
        iv[i] = rec_frag[i];
        full[i] = tlcp_cbc_whole(len[i]);
        tail[i] = body[i] + full[i];
        tail_len[i] = n - full[i];
        out_len[i] = TLCP_CBC_IV_LEN + n;
    }
    tlcp_hmac_sm3_mb_hdr(&d->mac, k, hdr, data, len, mac_out);
    /* One draw for all k IVs: the RNG's fixed cost per call (locks, a fork
     * check) was about a tenth of sealing 1 KiB records; the deterministic
     * test stream gives the same bytes as k draws of 16. */
    uint8_t ivs[TLCP_SM3_MB_MAX * TLCP_CBC_IV_LEN];
    GUARD(tlcp_random_bytes(ivs, k * TLCP_CBC_IV_LEN, err));
    for (size_t i = 0; i < k; i++)
        memcpy(rec_frag[i], ivs + i * TLCP_CBC_IV_LEN, TLCP_CBC_IV_LEN);
    /* the whole plaintext blocks from the caller's buffer, then the tails
     * (last partial block, MAC, padding) in the fragments, chained on */
    GUARD(tlcp_sm4_cbc_encrypt_multi(d->cbc, k, iv, data, body, full, err));
    for (size_t i = 0; i < k; i++)
        iv[i] = tlcp_cbc_tail_iv(rec_frag[i], len[i]);
    return tlcp_sm4_cbc_encrypt_multi(d->cbc, k, iv, (const uint8_t *const *)tail, tail, tail_len,
                                      err);
}

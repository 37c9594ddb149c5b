/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening k queued SM4-CBC + HMAC-SM3 records at once (the read batch of
 * read_batch.c). Per record the steps are those of tlcp_cbc_open: sequence
 * number, decryption in place (parallel within a record already: CBC
 * decryption has no chain), then the constant-time check. Only the check's
 * HMAC changes: the k MACs run through tlcp_hmac_sm3_ct_keyed_mb, whose
 * unmasked prefix and masked last blocks are those of the single MAC, lane
 * by lane; and the decryptions run as one multi-chain call (the short
 * tails of all records in one batch). Nothing here branches on a verdict or a data length: each
 * record's result is kept and judged only when the record is handed up.
 */
#include "record/record_internal.h"
#include "util/mem.h"

void tlcp_cbc_verify_multi(const tlcp_hmac_sm3_key *mac_key, const uint64_t seq[], uint8_t type,
                           const uint8_t *const p[], const size_t n[], size_t k,
                           tlcp_cbc_opened res[])
{
    tlcp_cbc_check check[TLCP_SM3_MB_MAX];
    tlcp_hmac_ct_job job[TLCP_SM3_MB_MAX] = {{0}};
    uint8_t mac[TLCP_SM3_MB_MAX][TLCP_SM3_DIGEST_LEN];
    uint8_t *mac_out[TLCP_SM3_MB_MAX] = {0};
    int mac_ok[TLCP_SM3_MB_MAX] = {0};
    if (k > TLCP_SM3_MB_MAX)
        k = TLCP_SM3_MB_MAX;
    for (size_t i = 0; i < k; i++) {
        tlcp_cbc_check_begin(&check[i], seq[i], type, p[i], n[i]);
        job[i].header = check[i].header;
        job[i].data = p[i];
        job[i].data_len = check[i].data_len;
        job[i].min_len = check[i].min_data;
        job[i].max_len = check[i].max_data;
        mac_out[i] = mac[i];
    }
    tlcp_hmac_sm3_ct_keyed_mb(mac_key, k, job, mac_out, mac_ok);
    for (size_t i = 0; i < k; i++) {
        tlcp_cbc_check_end(&check[i], p[i], n[i], mac[i]);
        res[i].data_len = check[i].data_len;
        res[i].good = check[i].good;
        res[i].mac_ok = mac_ok[i];
    }
    tlcp_wipe(check, sizeof(check));
    tlcp_wipe(job, sizeof(job));
}

size_t tlcp_cbc_open_multi(tlcp_record_dir *d, uint8_t type, uint8_t *const frag[],
                           const size_t len[], size_t k, tlcp_cbc_opened res[])
{
    uint64_t seq[TLCP_SM3_MB_MAX];
    const uint8_t *p[TLCP_SM3_MB_MAX] = {0}, *iv[TLCP_SM3_MB_MAX] = {0};
    uint8_t *body[TLCP_SM3_MB_MAX] = {0};
    size_t n[TLCP_SM3_MB_MAX] = {0};
    tlcp_error scratch; /* failures are reported when the record is handed up */
    size_t m = 0;
    if (k > TLCP_SM3_MB_MAX)
        k = TLCP_SM3_MB_MAX;
    tlcp_error_clear(&scratch);
    for (; m < k; m++) {
        if (!tlcp_record_seq_take(d, &seq[m], &scratch))
            break;
        iv[m] = frag[m];
        body[m] = frag[m] + TLCP_CBC_IV_LEN;
        p[m] = body[m];
        n[m] = len[m] - TLCP_CBC_IV_LEN;
    }
    /* the records' decryptions together: their short tails share a batch */
    int crypt_ok = tlcp_sm4_cbc_decrypt_multi(d->cbc, m, iv, p, body, n, &scratch);
    for (size_t i = 0; i < m; i++)
        res[i].crypt_ok = crypt_ok;
    tlcp_cbc_verify_multi(&d->mac, seq, type, p, n, m, res);
    tlcp_error_clear(&scratch);
    return m;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening k queued SM4-CBC + HMAC-SM3 records at once (the read batch of
 * read_batch.c). Per record the steps are those of tlcp_cbc_open: sequence
 * number, decryption in place (parallel within a record already: CBC
 * decryption has no chain), then the constant-time check. Only the check's
 * HMAC changes: the k MACs run through tlcp_hmac_sm3_ct_keyed_mb, whose
 * unmasked prefix and masked last blocks are those of the single MAC, lane
 * by lane. Nothing here branches on a verdict or a data length: each
 * record's result is kept and judged only when the record is handed up.
 */
#include "record/record_internal.h"
#include "util/mem.h"

size_t tlcp_cbc_open_multi(tlcp_record_dir *d, uint8_t type, uint8_t *const frag[],
                           const size_t len[], size_t k, tlcp_cbc_opened res[])
{
    tlcp_cbc_check check[TLCP_SM3_MB_MAX];
    tlcp_hmac_ct_job job[TLCP_SM3_MB_MAX] = {{0}};
    uint8_t mac[TLCP_SM3_MB_MAX][TLCP_SM3_DIGEST_LEN];
    uint8_t *mac_out[TLCP_SM3_MB_MAX] = {0};
    int mac_ok[TLCP_SM3_MB_MAX] = {0};
    tlcp_error scratch; /* failures are reported when the record is handed up */
    size_t m = 0;
    if (k > TLCP_SM3_MB_MAX)
        k = TLCP_SM3_MB_MAX;
    for (; m < k; m++) {
        uint64_t seq;
        tlcp_error_clear(&scratch);
        if (!tlcp_record_seq_take(d, &seq, &scratch))
            break;
        uint8_t *p = frag[m] + TLCP_CBC_IV_LEN;
        size_t n = len[m] - TLCP_CBC_IV_LEN;
        res[m].crypt_ok = tlcp_sm4_cbc_crypt(d->cbc, frag[m], p, p, n, &scratch);
        tlcp_cbc_check_begin(&check[m], seq, type, p, n);
        job[m].header = check[m].header;
        job[m].data = p;
        job[m].data_len = check[m].data_len;
        job[m].min_len = check[m].min_data;
        job[m].max_len = check[m].max_data;
        mac_out[m] = mac[m];
    }
    tlcp_hmac_sm3_ct_keyed_mb(&d->mac, m, job, mac_out, mac_ok);
    for (size_t i = 0; i < m; i++) {
        tlcp_cbc_check_end(&check[i], frag[i] + TLCP_CBC_IV_LEN, len[i] - TLCP_CBC_IV_LEN, mac[i]);
        res[i].data_len = check[i].data_len;
        res[i].good = check[i].good;
        res[i].mac_ok = mac_ok[i];
    }
    tlcp_wipe(check, sizeof(check));
    tlcp_wipe(job, sizeof(job));
    tlcp_error_clear(&scratch);
    return m;
}

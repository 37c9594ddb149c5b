/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening the current record, alone or with the CBC application-data records
 * queued after it in the read-ahead buffer (input.c). A batch is formed only
 * from complete records whose headers pass the same checks check_header
 * would make and whose lengths are valid CBC fragments; the first record
 * that does not qualify ends the batch and is later read and opened alone,
 * so every error it causes comes at its turn, as before. The batch is
 * opened by tlcp_cbc_open_multi (sequence numbers in record order, the MACs
 * side by side); each record's verdict is branched on only when that record
 * is handed up, so the records before a bad one are delivered first and the
 * bad one fails with the alert the serial path gives.
 */
#include "record/record_internal.h"

/* The queued record at off (header included) if it can join the batch:
 * its fragment length, else 0. Lengths and types are public. */
static size_t batch_candidate(const tlcp_record_layer *rl, size_t off)
{
    if (rl->in_end - off < TLCP_RECORD_HEADER_LEN)
        return 0;
    const uint8_t *h = rl->in_base + off;
    size_t version = (size_t)h[1] << 8 | h[2];
    size_t len = (size_t)h[3] << 8 | h[4];
    if (h[0] != TLCP_CT_APPLICATION_DATA || version != TLCP_PROTOCOL_VERSION ||
        len > TLCP_MAX_CIPHERTEXT || !tlcp_cbc_shape_valid(len) ||
        rl->in_end - off - TLCP_RECORD_HEADER_LEN < len)
        return 0;
    return len;
}

/* Opens the current record and the qualifying ones after it together;
 * 0 when fewer than two qualify (the serial path then runs). */
static int batch_start(tlcp_record_layer *rl, uint8_t type)
{
    if (!rl->read_ahead || rl->in_base != rl->in_ahead || type != TLCP_CT_APPLICATION_DATA ||
        rl->rd.bulk != TLCP_BULK_SM4_CBC_SM3 ||
        !tlcp_cbc_shape_valid(rl->in_need - TLCP_RECORD_HEADER_LEN))
        return 0;
    uint8_t *frag[TLCP_SM3_MB_MAX];
    size_t len[TLCP_SM3_MB_MAX];
    size_t k = 0, off = rl->in_off, flen = rl->in_need - TLCP_RECORD_HEADER_LEN;
    do {
        rl->batch_off[k] = off;
        frag[k] = rl->in_base + off + TLCP_RECORD_HEADER_LEN;
        len[k++] = flen;
        off += TLCP_RECORD_HEADER_LEN + flen;
    } while (k < TLCP_SM3_MB_MAX && (flen = batch_candidate(rl, off)) != 0);
    if (k < 2)
        return 0;
    rl->batch_len = tlcp_cbc_open_multi(&rl->rd, type, frag, len, k, rl->batch);
    rl->batch_next = 0;
    return rl->batch_len > 0;
}

/* Hands up the next record of the batch: its verdict, judged now. */
static int batch_take(tlcp_record_layer *rl, tlcp_cursor *out)
{
    size_t i = rl->batch_next++;
    tlcp_cbc_opened *r = &rl->batch[i];
    if (rl->batch_next == rl->batch_len)
        rl->batch_len = rl->batch_next = 0;
    ENSURE(rl->batch_off[i] == rl->in_off, rl->err, TLCP_R_INTERNAL,
           "record batch out of step with the input");
    ENSURE_ALERT(r->crypt_ok, rl->err, TLCP_R_CRYPTO, TLCP_ALERT_INTERNAL_ERROR,
                 "SM4-CBC decryption failed");
    GUARD(tlcp_cbc_verdict(r->mac_ok, r->good, rl->err));
    tlcp_cursor_init(out, tlcp_input_record(rl) + TLCP_RECORD_HEADER_LEN + TLCP_CBC_IV_LEN,
                     r->data_len);
    return tlcp_record_plaintext_ok(out, rl->err);
}

int tlcp_read_open_current(tlcp_record_layer *rl, uint8_t type, tlcp_cursor *out)
{
    if (rl->batch_next < rl->batch_len || batch_start(rl, type))
        return batch_take(rl, out);
    return tlcp_record_open(&rl->rd, type, tlcp_input_record(rl) + TLCP_RECORD_HEADER_LEN,
                            rl->in_need - TLCP_RECORD_HEADER_LEN, out, rl->err);
}

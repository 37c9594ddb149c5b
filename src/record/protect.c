/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Protection state of one direction: keys, cipher contexts and the 64-bit
 * sequence number, plus the dispatch to null / CBC / GCM.
 */
#include "record/record_internal.h"
#include "util/mem.h"

int tlcp_record_dir_init(tlcp_record_dir *d, const tlcp_record_keys *k, int encrypt,
                         tlcp_error *err)
{
    tlcp_record_dir_clear(d);
    d->bulk = k->bulk;
    switch (k->bulk) {
    case TLCP_BULK_NULL:
        return 1;
    case TLCP_BULK_SM4_CBC_SM3:
        tlcp_rbuf_copy(d->mac_key, k->mac_key, sizeof(d->mac_key));
        tlcp_hmac_sm3_key_init(&d->mac, d->mac_key, sizeof(d->mac_key));
        d->cbc = tlcp_sm4_cbc_new(k->key, encrypt, err);
        GUARD_PTR(d->cbc);
        return 1;
    case TLCP_BULK_SM4_GCM:
        tlcp_rbuf_copy(d->salt, k->iv, sizeof(d->salt));
        d->gcm = tlcp_gcm_new(k->key, err);
        GUARD_PTR(d->gcm);
        return 1;
    default:
        TLCP_ERR(err, TLCP_R_INVALID_ARGUMENT, "unknown bulk cipher %d", k->bulk);
        return 0;
    }
}

void tlcp_record_dir_clear(tlcp_record_dir *d)
{
    tlcp_sm4_cbc_free(d->cbc);
    tlcp_gcm_free(d->gcm);
    tlcp_wipe(d, sizeof(*d));
    d->bulk = TLCP_BULK_NULL;
}

size_t tlcp_record_seal_prefix(const tlcp_record_dir *d)
{
    switch (d->bulk) {
    case TLCP_BULK_SM4_CBC_SM3:
        return TLCP_CBC_IV_LEN;
    case TLCP_BULK_SM4_GCM:
        return TLCP_GCM_EXPLICIT_LEN;
    default:
        return 0;
    }
}

size_t tlcp_record_overhead(const tlcp_record_dir *d)
{
    switch (d->bulk) {
    /* IV + MAC + minimal padding (at most one block including its length byte) */
    case TLCP_BULK_SM4_CBC_SM3:
        return TLCP_CBC_IV_LEN + TLCP_CBC_MAC_LEN + TLCP_SM4_BLOCK_LEN;
    case TLCP_BULK_SM4_GCM:
        return TLCP_GCM_EXPLICIT_LEN + TLCP_GCM_TAG_LEN;
    default:
        return 0;
    }
}

/*
 * Hands out the sequence number for the next record. The counter may reach
 * 2^64 - 1 once; after that the next record would reuse 0 (nonce and MAC
 * input reuse), which is fatal rather than silently wrapping.
 */
int tlcp_record_seq_take(tlcp_record_dir *d, uint64_t *out, tlcp_error *err)
{
    ENSURE_ALERT(!d->seq_exhausted, err, TLCP_R_SEQUENCE_OVERFLOW, TLCP_ALERT_INTERNAL_ERROR,
                 "record sequence number would wrap around");
    *out = d->seq;
    if (d->seq == UINT64_MAX)
        d->seq_exhausted = 1;
    else
        d->seq++;
    return 1;
}

void tlcp_record_pseudo_header(uint8_t out[13], uint64_t seq, uint8_t type, size_t len)
{
    tlcp_builder b;
    tlcp_builder_init_fixed(&b, out, 13);
    /* fixed 13-byte buffer: these cannot fail, the results only guard misuse */
    int ok = tlcp_builder_add_u64(&b, seq) && tlcp_builder_add_u8(&b, type) &&
             tlcp_builder_add_u16(&b, TLCP_PROTOCOL_VERSION) &&
             tlcp_builder_add_u16(&b, (uint16_t)len);
    (void)ok;
}

int tlcp_record_seal(tlcp_record_dir *d, uint8_t type, uint8_t *rec_frag, const uint8_t *data,
                     size_t len, size_t *out_len, tlcp_error *err)
{
    if (d->bulk == TLCP_BULK_NULL) {
        if (data != rec_frag)
            tlcp_rbuf_copy(rec_frag, data, len);
        *out_len = len;
        return 1;
    }
    uint64_t seq;
    GUARD(tlcp_record_seq_take(d, &seq, err));
    if (d->bulk == TLCP_BULK_SM4_CBC_SM3)
        return tlcp_cbc_seal(d, seq, type, rec_frag, data, len, out_len, err);
    return tlcp_gcm_seal_record(d, seq, type, rec_frag, data, len, out_len, err);
}

int tlcp_record_open(tlcp_record_dir *d, uint8_t type, uint8_t *frag, size_t len, tlcp_cursor *out,
                     tlcp_error *err)
{
    if (d->bulk == TLCP_BULK_NULL) {
        tlcp_cursor_init(out, frag, len);
        return 1;
    }
    uint64_t seq;
    GUARD(tlcp_record_seq_take(d, &seq, err));
    if (d->bulk == TLCP_BULK_SM4_CBC_SM3)
        GUARD(tlcp_cbc_open(d, seq, type, frag, len, out, err));
    else
        GUARD(tlcp_gcm_open_record(d, seq, type, frag, len, out, err));
    return tlcp_record_plaintext_ok(out, err);
}

int tlcp_record_plaintext_ok(const tlcp_cursor *pt, tlcp_error *err)
{
    /* the sender may not expand past 2^14 even if the ciphertext fitted */
    ENSURE_ALERT(tlcp_cursor_len(pt) <= TLCP_MAX_PLAINTEXT, err, TLCP_R_RECORD_OVERFLOW,
                 TLCP_ALERT_RECORD_OVERFLOW, "decrypted record of %zu bytes exceeds 2^14",
                 tlcp_cursor_len(pt));
    return 1;
}

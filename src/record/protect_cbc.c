/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SM4-CBC + HMAC-SM3 records (TLS 1.1 style, tlcp-protocol.md §1.3):
 *   fragment = IV(16) || SM4-CBC(data || HMAC(seq||type||version||len||data) || padding)
 *
 * Opening is written so that a bad padding and a bad MAC cost the same work
 * and give the same alert (no padding oracle, Lucky13): the padding is checked
 * with masks over the last 256 bytes whatever its claimed length, the MAC is
 * computed by tlcp_hmac_sm3_ct over the longest possible data length, the
 * received MAC is copied out of its secret position by a scan of every
 * possible position, and only the combined verdict is branched on.
 */
#include "record/cbc_scan.h"
#include "record/record_internal.h"
#include "util/mem.h"

size_t tlcp_cbc_fragment_len(size_t len)
{
    /* minimal padding: data + MAC + padding + padding_length byte fills whole blocks */
    size_t body = len + TLCP_CBC_MAC_LEN + 1;
    return TLCP_CBC_IV_LEN + body +
           (TLCP_SM4_BLOCK_LEN - body % TLCP_SM4_BLOCK_LEN) % TLCP_SM4_BLOCK_LEN;
}

/*
 * Sealing reads the plaintext where the caller has it (tlcp_write's buffer):
 * the MAC runs over pseudo-header || data with the header kept apart (only
 * the first SM3 block is assembled), the whole plaintext blocks are
 * CBC-encrypted from the caller's buffer straight into the fragment, and
 * only the record's tail (the last partial block, MAC and padding, at most
 * 63 bytes) is laid out in the fragment and encrypted there. A plaintext
 * already in place at rec_frag + 16 works too (nothing is copied then).
 */
size_t tlcp_cbc_whole(size_t len)
{
    return len - len % TLCP_SM4_BLOCK_LEN;
}

size_t tlcp_cbc_frame(uint8_t *rec_frag, const uint8_t *data, size_t len, uint64_t seq,
                      uint8_t type, uint8_t header[13])
{
    uint8_t *body = rec_frag + TLCP_CBC_IV_LEN;
    size_t full = tlcp_cbc_whole(len);
    tlcp_record_pseudo_header(header, seq, type, len);
    if (data != body)
        tlcp_rbuf_copy(body + full, data + full, len - full);
    size_t n = tlcp_cbc_fragment_len(len) - TLCP_CBC_IV_LEN;
    size_t pad = n - len - TLCP_CBC_MAC_LEN - 1;
    uint8_t *padding = body + len + TLCP_CBC_MAC_LEN;
    for (size_t i = 0; i <= pad; i++)
        padding[i] = (uint8_t)pad;
    return n;
}

const uint8_t *tlcp_cbc_tail_iv(const uint8_t *rec_frag, size_t len)
{
    size_t full = tlcp_cbc_whole(len);
    return full > 0 ? rec_frag + TLCP_CBC_IV_LEN + full - TLCP_SM4_BLOCK_LEN : rec_frag;
}

int tlcp_cbc_seal(tlcp_record_dir *d, uint64_t seq, uint8_t type, uint8_t *rec_frag,
                  const uint8_t *data, size_t len, size_t *out_len, tlcp_error *err)
{
    uint8_t *body = rec_frag + TLCP_CBC_IV_LEN;
    uint8_t header[13];
    size_t n = tlcp_cbc_frame(rec_frag, data, len, seq, type, header);
    tlcp_hmac_sm3_keyed_hdr(&d->mac, header, data, len, body + len);
    GUARD(tlcp_random_bytes(rec_frag, TLCP_CBC_IV_LEN, err));
    size_t full = tlcp_cbc_whole(len);
    if (full > 0)
        GUARD(tlcp_sm4_cbc_crypt(d->cbc, rec_frag, data, body, full, err));
    GUARD(tlcp_sm4_cbc_crypt(d->cbc, tlcp_cbc_tail_iv(rec_frag, len), body + full, body + full,
                             n - full, err));
    *out_len = TLCP_CBC_IV_LEN + n;
    return 1;
}

static size_t equal_mask(const uint8_t *a, const uint8_t *b, size_t len)
{
    size_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (size_t)(a[i] ^ b[i]);
    return tlcp_ct_is_zero(diff);
}

#if defined(TLCP_TESTING)
static int g_old_open;
void tlcp_record_test_old_cbc_open(int on)
{
    g_old_open = on;
}
/* The old path (for the benchmark's ratios): every block through the masks. */
#define OLD_OPEN g_old_open
#else
#define OLD_OPEN 0
#endif

void tlcp_cbc_check_begin(tlcp_cbc_check *c, uint64_t seq, uint8_t type, const uint8_t *p, size_t n)
{
    size_t pad = p[n - 1];
    c->good = tlcp_cbc_padding_mask(p, n, pad);
    /* a bad padding is treated as none, so the MAC work below is the same */
    c->max_data = n - 1 - TLCP_CBC_MAC_LEN;
    c->data_len = tlcp_ct_select(c->good, c->max_data - pad, c->max_data);
    tlcp_record_pseudo_header(c->header, seq, type, c->data_len);
    /* pad <= 255, so data_len >= max_data - 255 whatever the bytes say: the
     * blocks before that bound hold no secret position (public min_len) */
    c->min_data = c->max_data > TLCP_CBC_PAD_SCAN_MAX - 1 && !OLD_OPEN
                      ? c->max_data - (TLCP_CBC_PAD_SCAN_MAX - 1)
                      : 0;
}

void tlcp_cbc_check_end(tlcp_cbc_check *c, const uint8_t *p, size_t n,
                        uint8_t mac[TLCP_SM3_DIGEST_LEN])
{
    uint8_t received[TLCP_CBC_MAC_LEN];
    tlcp_cbc_extract_mac(p, n, c->data_len, c->max_data, received);
    c->good &= equal_mask(mac, received, TLCP_CBC_MAC_LEN);
    tlcp_wipe(mac, TLCP_SM3_DIGEST_LEN);
    tlcp_wipe(received, sizeof(received));
    tlcp_wipe(c->header, sizeof(c->header));
}

int tlcp_cbc_verify(const tlcp_hmac_sm3_key *mac_key, uint64_t seq, uint8_t type, const uint8_t *p,
                    size_t n, size_t *out_data_len, size_t *out_good)
{
    tlcp_cbc_check c;
    uint8_t mac[TLCP_SM3_DIGEST_LEN];
    tlcp_cbc_check_begin(&c, seq, type, p, n);
    int mac_ok =
        tlcp_hmac_sm3_ct_keyed(mac_key, c.header, p, c.data_len, c.min_data, c.max_data, mac);
    tlcp_cbc_check_end(&c, p, n, mac);
    *out_data_len = c.data_len;
    *out_good = c.good;
    return mac_ok;
}

int tlcp_cbc_shape_valid(size_t len)
{
    return len >= TLCP_CBC_MIN_FRAGMENT && (len - TLCP_CBC_IV_LEN) % TLCP_SM4_BLOCK_LEN == 0;
}

int tlcp_cbc_shape_ok(size_t len, tlcp_error *err)
{
    /* lengths are public: rejecting them early leaks nothing */
    ENSURE_ALERT(tlcp_cbc_shape_valid(len), err, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC,
                 "CBC record of %zu bytes is not IV plus whole blocks of at least 48", len);
    return 1;
}

int tlcp_cbc_verdict(int mac_ok, size_t good, tlcp_error *err)
{
    ENSURE_ALERT(mac_ok, err, TLCP_R_CRYPTO, TLCP_ALERT_INTERNAL_ERROR,
                 "constant-time HMAC-SM3 failed");
    /* one verdict, one alert, whether the padding or the MAC was wrong */
    ENSURE_ALERT(good != 0, err, TLCP_R_BAD_RECORD_MAC, TLCP_ALERT_BAD_RECORD_MAC,
                 "record MAC or padding check failed");
    return 1;
}

int tlcp_cbc_open(tlcp_record_dir *d, uint64_t seq, uint8_t type, uint8_t *frag, size_t len,
                  tlcp_cursor *out, tlcp_error *err)
{
    GUARD(tlcp_cbc_shape_ok(len, err));
    uint8_t *p = frag + TLCP_CBC_IV_LEN;
    size_t n = len - TLCP_CBC_IV_LEN;
    GUARD(tlcp_sm4_cbc_crypt(d->cbc, frag, p, p, n, err));

    size_t data_len, good;
    int mac_ok = tlcp_cbc_verify(&d->mac, seq, type, p, n, &data_len, &good);
    GUARD(tlcp_cbc_verdict(mac_ok, good, err));
    tlcp_cursor_init(out, p, data_len);
    return 1;
}

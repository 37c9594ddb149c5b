/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A large application-data write on a CBC suite goes out as several records
 * sealed side by side (protect_cbc_multi.c), so that SM4-CBC and HMAC-SM3,
 * serial within a record, keep the SIMD lanes busy. Every record is an
 * ordinary TLCP record of at most 2^14 bytes (peers accept records of any
 * size up to that), in order, with consecutive sequence numbers; the whole
 * write is queued at once, as before, so tlcp_write's partial-write and
 * WANT_WRITE semantics are unchanged.
 *
 * The split: n = max(ceil(len / 2^14), min(multi_records, len / MULTI_MIN_RECORD))
 * records of ceil(len / n) bytes (the last one shorter), sealed in groups of
 * up to TLCP_SM3_MB_MAX. Writes below MULTI_MIN_WRITE stay one record.
 * The defaults come from tlcp-bench conn_bulk_cbc_* and record_*_cbc_*: a
 * 16 KiB write as 16 records of 1 KiB fills the 16 lanes of the AVX-512
 * SM3 and two groups of SM4 chains, 1.1x the 8 records of 2 KiB once the
 * receiver's fixed constant-time cost per record (padding scan, MAC
 * extraction: cbc_scan.c) became small; below 1 KiB the masked MAC blocks
 * of each record (about 5 of 17) would eat the gain.
 */
#include <stdint.h>

#include "record/record_internal.h"

#define MULTI_MIN_WRITE  4096
#define MULTI_MIN_RECORD 1024

/* x86 L1 data caches have 64 sets of 64-byte lines (32 KiB 8-way, 48 KiB
 * 12-way): addresses 4 KiB apart share a set. */
#define L1_SETS       64
#define L1_LINE       64
#define LANES_PER_SET 4

int tlcp_output_multi_applies(const tlcp_record_layer *rl, uint8_t type, size_t len)
{
    return type == TLCP_CT_APPLICATION_DATA && rl->wr.bulk == TLCP_BULK_SM4_CBC_SM3 &&
           rl->multi_records > 1 && len >= MULTI_MIN_WRITE;
}

static size_t record_count(const tlcp_record_layer *rl, size_t len)
{
    size_t n = (len + TLCP_MAX_PLAINTEXT - 1) / TLCP_MAX_PLAINTEXT;
    size_t want = len / MULTI_MIN_RECORD;
    if (want > rl->multi_records)
        want = rl->multi_records;
    return n > want ? n : want;
}

/*
 * Sealing reads the k plaintexts in the caller's buffer, rec_len bytes
 * apart, side by side (SM3 lanes, SM4 chains). When that stride puts more
 * than LANES_PER_SET of them on one L1 set (a 64 KiB write is 16 records
 * exactly 4 KiB apart: all on one set) they evict each other's lines:
 * measured, record_seal_cbc_64k 0.88x of copying the plaintexts into the
 * fragments first (their stride is rec_len plus the overhead). Addresses
 * and lengths are public.
 */
static int lanes_collide(const uint8_t *data, size_t rec_len, size_t k)
{
    unsigned count[L1_SETS] = {0};
    for (size_t i = 0; i < k; i++) {
        size_t set = ((uintptr_t)(data + i * rec_len) / L1_LINE) % L1_SETS;
        if (++count[set] > LANES_PER_SET)
            return 1;
    }
    return 0;
}

/* Seals records of rec_len bytes (the last takes what is left) from data,
 * k of them (k <= TLCP_SM3_MB_MAX), straight into the output queue (read
 * from the caller's buffer, not copied into the queue first). */
static int output_group(tlcp_record_layer *rl, uint8_t type, const uint8_t *data, size_t len,
                        size_t rec_len, size_t k)
{
    size_t frag_len[TLCP_SM3_MB_MAX], plain[TLCP_SM3_MB_MAX], total = 0;
    for (size_t i = 0; i < k; i++) {
        plain[i] = i + 1 < k ? rec_len : len - rec_len * (k - 1);
        total += TLCP_RECORD_HEADER_LEN + tlcp_cbc_fragment_len(plain[i]);
    }
    uint8_t *at;
    ENSURE_ALERT(tlcp_rbuf_reserve(&rl->out, total, &at), rl->err, TLCP_R_ALLOC,
                 TLCP_ALERT_INTERNAL_ERROR, "output queue cannot take %zu more bytes", total);
    uint8_t *frag[TLCP_SM3_MB_MAX];
    const uint8_t *src[TLCP_SM3_MB_MAX];
    int copy = lanes_collide(data, rec_len, k);
    for (size_t i = 0; i < k; i++) {
        frag[i] = at + TLCP_RECORD_HEADER_LEN;
        src[i] = data;
        if (copy) {
            tlcp_rbuf_copy(frag[i] + TLCP_CBC_IV_LEN, data, plain[i]);
            src[i] = frag[i] + TLCP_CBC_IV_LEN; /* sealed in place */
        }
        at = frag[i] + tlcp_cbc_fragment_len(plain[i]);
        data += plain[i];
    }
    if (!tlcp_cbc_seal_multi(&rl->wr, type, frag, src, plain, k, frag_len, rl->err)) {
        tlcp_rbuf_unreserve(&rl->out, total);
        return 0;
    }
    for (size_t i = 0; i < k; i++)
        tlcp_output_put_header(frag[i] - TLCP_RECORD_HEADER_LEN, type, frag_len[i]);
    return 1;
}

int tlcp_output_multi(tlcp_record_layer *rl, uint8_t type, const uint8_t *data, size_t len)
{
    size_t n = record_count(rl, len);
    size_t rec_len = (len + n - 1) / n;
    while (len > 0) {
        size_t k = (len + rec_len - 1) / rec_len;
        if (k > TLCP_SM3_MB_MAX)
            k = TLCP_SM3_MB_MAX;
        size_t take = k * rec_len < len ? k * rec_len : len;
        GUARD(output_group(rl, type, data, take, rec_len, k));
        data += take;
        len -= take;
    }
    return 1;
}

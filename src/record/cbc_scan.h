/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to the record layer: the constant-time scans of a decrypted CBC
 * record p[0..n) = data || MAC(32) || padding || padding_length
 * (cbc_scan.c, cbc_scan_avx2.c). Any n >= 1 is handled (n need not be a
 * multiple of 16); only n and max_data (public) steer branches and addresses.
 */
#ifndef TLCP_RECORD_CBC_SCAN_H
#define TLCP_RECORD_CBC_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define TLCP_CBC_SCAN_MAC_LEN 32
#define TLCP_CBC_PAD_SCAN_MAX 256 /* padding_length (0..255) + its own byte */

/* All-ones when the padding is well formed: its length byte `pad` leaves
 * room for the MAC and the pad + 1 last bytes all equal it. Reads the last
 * min(n, 256) bytes, whatever pad is. n >= 1. */
size_t tlcp_cbc_padding_mask(const uint8_t *p, size_t n, size_t pad);

/* The first byte a MAC can start at: max_data - 255 (or 0). */
static inline size_t tlcp_cbc_mac_scan_start(size_t max_data)
{
    return max_data >= TLCP_CBC_PAD_SCAN_MAX - 1 ? max_data - (TLCP_CBC_PAD_SCAN_MAX - 1) : 0;
}

/* Copies the 32 bytes at the secret offset mac_start (in
 * [tlcp_cbc_mac_scan_start(max_data), max_data], n = max_data + 33) out of p
 * without a secret-dependent address or branch. */
void tlcp_cbc_extract_mac(const uint8_t *p, size_t n, size_t mac_start, size_t max_data,
                          uint8_t out[TLCP_CBC_SCAN_MAC_LEN]);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TLCP_CBC_SCAN_X86 1
size_t tlcp_cbc_padding_mask_avx2(const uint8_t *p, size_t n, size_t pad);
void tlcp_cbc_extract_mac_avx2(const uint8_t *p, size_t n, size_t mac_start, size_t max_data,
                               uint8_t out[TLCP_CBC_SCAN_MAC_LEN]);
#endif

#if defined(TLCP_TESTING)
/* Test builds: 1 makes both scans take the portable path. */
extern int tlcp_cbc_scan_test_portable;
#endif

#endif

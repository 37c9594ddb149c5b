/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two scans of a decrypted CBC record's tail that must not depend on
 * its secret padding length (protect_cbc.c): the padding check over the last
 * 256 bytes and the copy of the MAC out of its secret position. Both read
 * every byte a padding length could point at and combine them with masks.
 * These are the portable versions; cbc_scan_avx2.c does the same 32 bytes
 * per instruction (chosen at run time), which took the two scans from about
 * a fifth of the time of opening 1 KiB records to a few per cent.
 */
#include "record/cbc_scan.h"

#include "util/mem.h"

#if defined(TLCP_CBC_SCAN_X86)
static int use_avx2(void)
{
#if defined(TLCP_TESTING)
    if (tlcp_cbc_scan_test_portable)
        return 0;
#endif
    static int avx2 = -1;
    if (avx2 < 0)
        avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    return avx2;
}
#endif

#if defined(TLCP_TESTING)
int tlcp_cbc_scan_test_portable;
#endif

static size_t padding_mask_portable(const uint8_t *p, size_t n, size_t pad)
{
    size_t good = tlcp_ct_ge(n, pad + 1 + TLCP_CBC_SCAN_MAC_LEN);
    size_t scan = n < TLCP_CBC_PAD_SCAN_MAX ? n : TLCP_CBC_PAD_SCAN_MAX;
    for (size_t i = 0; i < scan; i++) {
        size_t in_padding = tlcp_ct_lt(i, pad + 1);
        size_t matches = tlcp_ct_eq(p[n - 1 - i], pad);
        good &= ~(in_padding & ~matches);
    }
    return good;
}

size_t tlcp_cbc_padding_mask(const uint8_t *p, size_t n, size_t pad)
{
#if defined(TLCP_CBC_SCAN_X86)
    if (use_avx2())
        return tlcp_cbc_padding_mask_avx2(p, n, pad);
#endif
    return padding_mask_portable(p, n, pad);
}

/* Every byte of the window of possible positions is read, the MAC lands
 * rotated in `rot`, and a masked rotation puts it in order. */
static void extract_mac_portable(const uint8_t *p, size_t n, size_t mac_start, size_t max_data,
                                 uint8_t out[TLCP_CBC_SCAN_MAC_LEN])
{
    uint8_t rot[TLCP_CBC_SCAN_MAC_LEN] = {0};
    size_t scan_start = tlcp_cbc_mac_scan_start(max_data);
    size_t mac_end = mac_start + TLCP_CBC_SCAN_MAC_LEN;
    for (size_t j = scan_start; j < n - 1; j++) {
        size_t in_mac = tlcp_ct_ge(j, mac_start) & tlcp_ct_lt(j, mac_end);
        rot[(j - scan_start) % TLCP_CBC_SCAN_MAC_LEN] |= (uint8_t)(p[j] & in_mac);
    }
    size_t offset = (mac_start - scan_start) % TLCP_CBC_SCAN_MAC_LEN;
    /* Rotation left by the secret offset as five masked rotations by 16, 8,
     * 4, 2, 1 (one per bit of offset): every index is public, the offset
     * only forms the masks. */
    for (size_t shift = TLCP_CBC_SCAN_MAC_LEN / 2, bit = 4; shift > 0; shift /= 2, bit--) {
        uint8_t take = (uint8_t)(0 - (tlcp_ct_barrier(offset >> bit) & 1));
        uint8_t moved[TLCP_CBC_SCAN_MAC_LEN];
        for (size_t m = 0; m < TLCP_CBC_SCAN_MAC_LEN; m++)
            moved[m] =
                (uint8_t)((rot[(m + shift) % TLCP_CBC_SCAN_MAC_LEN] & take) | (rot[m] & ~take));
        for (size_t m = 0; m < TLCP_CBC_SCAN_MAC_LEN; m++)
            rot[m] = moved[m];
        tlcp_wipe(moved, sizeof(moved));
    }
    for (size_t m = 0; m < TLCP_CBC_SCAN_MAC_LEN; m++)
        out[m] = rot[m];
    tlcp_wipe(rot, sizeof(rot));
}

void tlcp_cbc_extract_mac(const uint8_t *p, size_t n, size_t mac_start, size_t max_data,
                          uint8_t out[TLCP_CBC_SCAN_MAC_LEN])
{
#if defined(TLCP_CBC_SCAN_X86)
    if (use_avx2()) {
        tlcp_cbc_extract_mac_avx2(p, n, mac_start, max_data, out);
        return;
    }
#endif
    extract_mac_portable(p, n, mac_start, max_data, out);
}

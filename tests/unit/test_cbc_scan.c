/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The constant-time CBC record scans (record/cbc_scan.c): the padding check
 * and the MAC copy out of its secret position, on the AVX2 path and the
 * portable one, for every padding length 0..255 over record lengths from
 * too short for a MAC to past the 256-byte scan window, good and damaged
 * paddings, and every MAC position the window allows. Both paths must give
 * the same verdicts and bytes, and the MAC copy the bytes at the position.
 */
#include "testutil.h"

#include <string.h>

#include "record/cbc_scan.h"

#define MAX_N 600

static uint8_t rec[MAX_N];

/* data || MAC || padding of pad + 1 bytes equal to pad, over n bytes. */
static void fill(size_t n, size_t pad, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        rec[i] = (uint8_t)(seed >> 16);
    }
    for (size_t i = 0; i <= pad && i < n; i++)
        rec[n - 1 - i] = (uint8_t)pad;
}

static size_t mask_with(int portable, size_t n, size_t pad)
{
    tlcp_cbc_scan_test_portable = portable;
    size_t m = tlcp_cbc_padding_mask(rec, n, pad);
    tlcp_cbc_scan_test_portable = 0;
    return m;
}

/* The verdict the definition gives: room for the MAC, every padding byte. */
static size_t expected_mask(size_t n, size_t pad)
{
    if (n < pad + 1 + TLCP_CBC_SCAN_MAC_LEN)
        return 0;
    for (size_t i = 0; i <= pad; i++)
        if (rec[n - 1 - i] != pad)
            return 0;
    return (size_t)-1;
}

static void test_padding_mask_paths_agree(void **state)
{
    (void)state;
    static const size_t lens[] = {1,   16,  31,  32,  33,  48,  63,  64,  65,  200, 255,
                                  256, 257, 287, 288, 289, 304, 320, 511, 512, 600};
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        size_t n = lens[li];
        for (size_t pad = 0; pad < 256; pad++) {
            for (int damage = 0; damage < 3; damage++) {
                fill(n, pad, (uint32_t)(n * 256 + pad));
                if (damage == 1 && pad < n)
                    rec[n - 1 - pad] ^= 0x01; /* the first padding byte */
                if (damage == 2 && pad > 0 && pad < n)
                    rec[n - 1 - pad / 2] ^= 0x40; /* one in the middle */
                size_t want = expected_mask(n, pad);
                assert_true(mask_with(0, n, pad) == want);
                assert_true(mask_with(1, n, pad) == want);
            }
        }
    }
}

static void extract_with(int portable, size_t n, size_t mac_start, size_t max_data,
                         uint8_t out[TLCP_CBC_SCAN_MAC_LEN])
{
    tlcp_cbc_scan_test_portable = portable;
    memset(out, 0xee, TLCP_CBC_SCAN_MAC_LEN);
    tlcp_cbc_extract_mac(rec, n, mac_start, max_data, out);
    tlcp_cbc_scan_test_portable = 0;
}

static void test_extract_mac_every_position(void **state)
{
    (void)state;
    static const size_t lens[] = {33,  48,  64,  65,  100, 255, 256, 287, 288, 289,
                                  300, 319, 320, 321, 400, 511, 512, 513, 600};
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        size_t n = lens[li];
        size_t max_data = n - 1 - TLCP_CBC_SCAN_MAC_LEN;
        fill(n, 0, (uint32_t)n);
        for (size_t start = tlcp_cbc_mac_scan_start(max_data); start <= max_data; start++) {
            uint8_t a[TLCP_CBC_SCAN_MAC_LEN], b[TLCP_CBC_SCAN_MAC_LEN];
            extract_with(0, n, start, max_data, a);
            extract_with(1, n, start, max_data, b);
            assert_memory_equal(a, rec + start, TLCP_CBC_SCAN_MAC_LEN);
            assert_memory_equal(b, rec + start, TLCP_CBC_SCAN_MAC_LEN);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_padding_mask_paths_agree),
        cmocka_unit_test(test_extract_mac_every_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

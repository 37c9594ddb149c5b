/* SPDX-License-Identifier: Apache-2.0 */
#include "util/hex.h"

#include "util/mem.h"

/* All-ones when lo <= x <= hi, else 0 (x, lo, hi in 0..255): both
 * differences are negative exactly inside the range, so their AND has the
 * sign bit set. */
static unsigned in_range_mask(int x, int lo, int hi)
{
    unsigned both = (unsigned)((lo - 1 - x) & (x - hi - 1));
    return 0u - (both >> 31);
}

/* Value in bits 0..3, bit 8 set when c is not a hex digit. */
static unsigned digit_or_flag(char c)
{
    int x = (unsigned char)c;
    unsigned dec = in_range_mask(x, '0', '9');
    unsigned low = in_range_mask(x, 'a', 'f');
    unsigned up = in_range_mask(x, 'A', 'F');
    unsigned v = (dec & (unsigned)(x - '0')) | (low & (unsigned)(x - 'a' + 10)) |
                 (up & (unsigned)(x - 'A' + 10));
    return (v & 0xf) | (~(dec | low | up) & 0x100);
}

int tlcp_hex_digit(char c)
{
    unsigned r = digit_or_flag(c);
    return (r & 0x100) ? -1 : (int)(r & 0xf);
}

long tlcp_hex_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
    if (len % 2 != 0 || len / 2 > cap)
        return -1;
    unsigned bad = 0;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned hi = digit_or_flag(s[2 * i]), lo = digit_or_flag(s[2 * i + 1]);
        bad |= (hi | lo) & 0x100;
        out[i] = (uint8_t)((hi & 0xf) << 4 | (lo & 0xf));
    }
    if (bad) {
        tlcp_wipe(out, len / 2);
        return -1;
    }
    return (long)(len / 2);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time Base64 (see base64.h). */
#include "util/base64.h"

#include <string.h>

#include "util/mem.h"

/* All-ones when lo <= c <= hi (c, lo, hi < 2^16), else zero; no branch. */
static unsigned in_range(unsigned c, unsigned lo, unsigned hi)
{
    /* (lo - 1 - c) and (c - hi - 1) are both "negative" (top bit set)
     * exactly when c is inside the range. */
    unsigned below = (lo - 1u - c) & (c - hi - 1u);
    return 0u - (below >> (sizeof(unsigned) * 8 - 1));
}

/* The character for a 6-bit value: A-Z a-z 0-9 + /. */
static char encode6(unsigned v)
{
    unsigned c = v + 'A';
    c += in_range(v, 26, 63) & ('a' - 'A' - 26);
    c += in_range(v, 52, 63) & (unsigned)('0' - 'a' - 26);
    c += in_range(v, 62, 63) & (unsigned)('+' - '0' - 10);
    c += in_range(v, 63, 63) & ('/' - '+' - 1);
    return (char)(c & 0xFF);
}

/* The 6-bit value of a character; a character outside the alphabet sets
 * *bad to all-ones (and yields 0). */
static unsigned decode6(unsigned char ch, unsigned *bad)
{
    unsigned c = ch;
    unsigned up = in_range(c, 'A', 'Z'), low = in_range(c, 'a', 'z');
    unsigned dig = in_range(c, '0', '9'), plus = in_range(c, '+', '+');
    unsigned slash = in_range(c, '/', '/');
    unsigned v = (up & (c - 'A')) | (low & (c - 'a' + 26)) | (dig & (c - '0' + 52)) | (plus & 62u) |
                 (slash & 63u);
    *bad |= ~(up | low | dig | plus | slash);
    return v & 63u;
}

size_t tlcp_base64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

size_t tlcp_base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned w = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = encode6(w >> 18);
        out[o++] = encode6((w >> 12) & 63u);
        out[o++] = encode6((w >> 6) & 63u);
        out[o++] = encode6(w & 63u);
    }
    size_t rest = len - i; /* public: depends on the length only */
    if (rest > 0) {
        unsigned w = (unsigned)in[i] << 16 | (rest == 2 ? (unsigned)in[i + 1] << 8 : 0u);
        out[o++] = encode6(w >> 18);
        out[o++] = encode6((w >> 12) & 63u);
        out[o++] = rest == 2 ? encode6((w >> 6) & 63u) : '=';
        out[o++] = '=';
    }
    return o;
}

unsigned tlcp_base64_decode_quad(const char quad[4], uint8_t out[3])
{
    unsigned bad = 0;
    unsigned w = decode6((unsigned char)quad[0], &bad) << 18 |
                 decode6((unsigned char)quad[1], &bad) << 12 |
                 decode6((unsigned char)quad[2], &bad) << 6 | decode6((unsigned char)quad[3], &bad);
    out[0] = (uint8_t)(w >> 16);
    out[1] = (uint8_t)(w >> 8);
    out[2] = (uint8_t)w;
    return bad;
}

/* All-ones when x != 0, without a branch. */
static unsigned nonzero_mask(unsigned x)
{
    return 0u - ((x | (0u - x)) >> (sizeof(unsigned) * 8 - 1));
}

/* The structure (where line breaks and '=' stand) is found by comparing
 * each character with '\n', '\r' and '='; the data characters themselves
 * are decoded by tlcp_base64_decode_quad, and their verdict (`bad`) is
 * looked at only once, at the end. */
int tlcp_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t o = 0;
    unsigned bad = 0;
    char quad[4];
    size_t q = 0;
    int ended = 0; /* a padded quad was seen: nothing may follow */
    for (size_t i = 0; i < len; i++) {
        char ch = in[i];
        if (ch == '\n' || ch == '\r')
            continue;
        if (ended)
            return 0;
        quad[q++] = ch;
        if (q < 4)
            continue;
        q = 0;
        int pad = quad[3] == '=' ? (quad[2] == '=' ? 2 : 1) : 0;
        if (quad[0] == '=' || quad[1] == '=' || (pad == 0 && quad[2] == '='))
            return 0;
        size_t n = 3 - (size_t)pad;
        if (o + n > cap)
            return 0;
        for (int k = 4 - pad; k < 4; k++)
            quad[k] = 'A'; /* value 0 in place of the padding */
        uint8_t three[3];
        bad |= tlcp_base64_decode_quad(quad, three);
        /* Non-canonical padding bits would let two texts mean one value. */
        bad |= pad == 2 ? nonzero_mask(three[1] | three[2]) : pad == 1 ? nonzero_mask(three[2]) : 0;
        memcpy(out + o, three, n);
        o += n;
        tlcp_wipe(three, sizeof(three));
        if (pad > 0)
            ended = 1;
    }
    tlcp_wipe(quad, sizeof(quad));
    if (q != 0 || bad != 0) {
        tlcp_wipe(out, o);
        return 0;
    }
    *out_len = o;
    return 1;
}

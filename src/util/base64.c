/* SPDX-License-Identifier: Apache-2.0 */
/* Constant-time Base64 (see base64.h). */
#include "util/base64.h"

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

/* Line breaks are skipped; every other character goes through decode6,
 * whose verdict is collected in `bad` and looked at only at the end. */
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
            continue; /* line structure is public */
        if (ended)
            return 0;
        quad[q++] = ch;
        if (q < 4)
            continue;
        q = 0;
        /* Padding positions are public (they follow from the length). */
        int pad = quad[3] == '=' ? (quad[2] == '=' ? 2 : 1) : 0;
        if (quad[0] == '=' || quad[1] == '=' || (pad == 0 && quad[2] == '='))
            return 0;
        size_t n = 3 - (size_t)pad;
        if (o + n > cap)
            return 0;
        unsigned w = decode6((unsigned char)quad[0], &bad) << 18 |
                     decode6((unsigned char)quad[1], &bad) << 12;
        if (pad < 2)
            w |= decode6((unsigned char)quad[2], &bad) << 6;
        if (pad < 1)
            w |= decode6((unsigned char)quad[3], &bad);
        /* Non-canonical padding bits would let two texts mean one value. */
        unsigned spare = pad == 2 ? (w & 0xFFFFu) : pad == 1 ? (w & 0xFFu) : 0u;
        bad |= 0u - (unsigned)(spare != 0);
        out[o++] = (uint8_t)(w >> 16);
        if (n > 1)
            out[o++] = (uint8_t)(w >> 8);
        if (n > 2)
            out[o++] = (uint8_t)w;
        if (pad > 0)
            ended = 1;
    }
    if (q != 0 || bad != 0) {
        tlcp_wipe(out, o);
        return 0;
    }
    *out_len = o;
    return 1;
}

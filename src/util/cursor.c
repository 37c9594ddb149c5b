/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "util/bytes.h"

void tlcp_cursor_init(tlcp_cursor *c, const uint8_t *data, size_t len)
{
    c->data = data;
    c->len = data == NULL ? 0 : len;
}

/* Moves past n bytes the caller has checked exist. A zero step does no
 * pointer arithmetic: an empty cursor may hold NULL, and NULL + 0 is
 * undefined in C (clang's UBSan reports it in fuzz builds). */
static void advance(tlcp_cursor *c, size_t n)
{
    if (n == 0)
        return;
    c->data += n;
    c->len -= n;
}

static int get_uint(tlcp_cursor *c, uint64_t *out, size_t width)
{
    if (c->len < width)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < width; i++)
        v = (v << 8) | c->data[i];
    advance(c, width);
    *out = v;
    return 1;
}

int tlcp_cursor_get_u8(tlcp_cursor *c, uint8_t *out)
{
    uint64_t v;
    GUARD(get_uint(c, &v, 1));
    *out = (uint8_t)v;
    return 1;
}

int tlcp_cursor_get_u16(tlcp_cursor *c, uint16_t *out)
{
    uint64_t v;
    GUARD(get_uint(c, &v, 2));
    *out = (uint16_t)v;
    return 1;
}

int tlcp_cursor_get_u24(tlcp_cursor *c, uint32_t *out)
{
    uint64_t v;
    GUARD(get_uint(c, &v, 3));
    *out = (uint32_t)v;
    return 1;
}

int tlcp_cursor_get_u32(tlcp_cursor *c, uint32_t *out)
{
    uint64_t v;
    GUARD(get_uint(c, &v, 4));
    *out = (uint32_t)v;
    return 1;
}

int tlcp_cursor_get_u64(tlcp_cursor *c, uint64_t *out)
{
    return get_uint(c, out, 8);
}

int tlcp_cursor_skip(tlcp_cursor *c, size_t n)
{
    if (c->len < n)
        return 0;
    advance(c, n);
    return 1;
}

int tlcp_cursor_get_bytes(tlcp_cursor *c, tlcp_cursor *out_child, size_t n)
{
    if (c->len < n)
        return 0;
    tlcp_cursor_init(out_child, c->data, n);
    advance(c, n);
    return 1;
}

int tlcp_cursor_copy_bytes(tlcp_cursor *c, uint8_t *out, size_t n)
{
    if (c->len < n)
        return 0;
    if (n > 0)
        memcpy(out, c->data, n);
    advance(c, n);
    return 1;
}

/* Reads the prefix and the body together so a short body leaves c untouched. */
static int get_prefixed(tlcp_cursor *c, tlcp_cursor *out_child, size_t width)
{
    tlcp_cursor probe = *c;
    uint64_t n;
    GUARD(get_uint(&probe, &n, width));
    GUARD(tlcp_cursor_get_bytes(&probe, out_child, (size_t)n));
    *c = probe;
    return 1;
}

int tlcp_cursor_get_u8_prefixed(tlcp_cursor *c, tlcp_cursor *out_child)
{
    return get_prefixed(c, out_child, 1);
}

int tlcp_cursor_get_u16_prefixed(tlcp_cursor *c, tlcp_cursor *out_child)
{
    return get_prefixed(c, out_child, 2);
}

int tlcp_cursor_get_u24_prefixed(tlcp_cursor *c, tlcp_cursor *out_child)
{
    return get_prefixed(c, out_child, 3);
}

int tlcp_cursor_peek_u8(const tlcp_cursor *c, uint8_t *out)
{
    if (c->len < 1)
        return 0;
    *out = c->data[0];
    return 1;
}

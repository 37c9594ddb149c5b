/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/mem.h"

#define BUILDER_DEFAULT_MAX ((size_t)16 * 1024 * 1024)

static void reset(tlcp_builder *b)
{
    memset(b, 0, sizeof(*b));
    b->buf = &b->own;
}

int tlcp_builder_init(tlcp_builder *b, size_t initial_cap, size_t max_len)
{
    reset(b);
    b->own.max = max_len == 0 ? BUILDER_DEFAULT_MAX : max_len;
    b->own.can_grow = 1;
    if (initial_cap == 0)
        initial_cap = 64;
    if (initial_cap > b->own.max)
        initial_cap = b->own.max;
    b->own.data = malloc(initial_cap);
    if (b->own.data == NULL) {
        b->own.failed = 1;
        return 0;
    }
    b->own.cap = initial_cap;
    return 1;
}

void tlcp_builder_init_fixed(tlcp_builder *b, uint8_t *mem, size_t cap)
{
    reset(b);
    b->own.data = mem;
    b->own.cap = mem == NULL ? 0 : cap;
    b->own.max = b->own.cap;
}

void tlcp_builder_cleanup(tlcp_builder *b)
{
    if (b->prefix_bytes == 0 && b->own.can_grow && b->own.data != NULL) {
        tlcp_free_secret(b->own.data, b->own.cap);
    }
    reset(b);
}

/* Makes room for n more bytes and returns where they go. */
static int reserve(tlcp_builder_buf *buf, uint8_t **out, size_t n)
{
    if (buf->failed)
        return 0;
    if (n > buf->max || buf->len > buf->max - n) {
        buf->failed = 1;
        return 0;
    }
    size_t need = buf->len + n;
    if (need > buf->cap) {
        if (!buf->can_grow) {
            buf->failed = 1;
            return 0;
        }
        size_t cap = buf->cap;
        while (cap < need)
            cap = cap > buf->max / 2 ? buf->max : cap * 2;
        uint8_t *grown = malloc(cap);
        if (grown == NULL) {
            buf->failed = 1;
            return 0;
        }
        memcpy(grown, buf->data, buf->len);
        tlcp_free_secret(buf->data, buf->cap);
        buf->data = grown;
        buf->cap = cap;
    }
    /* A fixed builder over NULL memory has nothing to point into (NULL + 0 is UB). */
    *out = buf->data == NULL ? NULL : buf->data + buf->len;
    buf->len += n;
    return 1;
}

/* Writes the child's length into its prefix and detaches it. */
static int close_child(tlcp_builder *b)
{
    tlcp_builder *child = b->child;
    if (child == NULL)
        return 1;
    GUARD(close_child(child));
    b->child = NULL;
    tlcp_builder_buf *buf = b->buf;
    if (buf->failed)
        return 0;
    size_t body = buf->len - child->prefix_offset - child->prefix_bytes;
    if (child->prefix_bytes < sizeof(size_t) && (body >> (8 * child->prefix_bytes)) != 0) {
        buf->failed = 1;
        return 0;
    }
    for (size_t i = 0; i < child->prefix_bytes; i++) {
        size_t shift = 8 * (child->prefix_bytes - 1 - i);
        buf->data[child->prefix_offset + i] = (uint8_t)(body >> shift);
    }
    child->buf = NULL;
    return 1;
}

int tlcp_builder_flush(tlcp_builder *b)
{
    if (b->buf == NULL)
        return 0;
    GUARD(close_child(b));
    return !b->buf->failed;
}

int tlcp_builder_add_space(tlcp_builder *b, uint8_t **out, size_t n)
{
    GUARD(tlcp_builder_flush(b));
    return reserve(b->buf, out, n);
}

static int add_uint(tlcp_builder *b, uint64_t v, size_t width)
{
    uint8_t *p;
    GUARD(tlcp_builder_add_space(b, &p, width));
    for (size_t i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
    return 1;
}

int tlcp_builder_add_u8(tlcp_builder *b, uint8_t v)
{
    return add_uint(b, v, 1);
}

int tlcp_builder_add_u16(tlcp_builder *b, uint16_t v)
{
    return add_uint(b, v, 2);
}

int tlcp_builder_add_u24(tlcp_builder *b, uint32_t v)
{
    if (v > 0xFFFFFFu) {
        if (b->buf != NULL)
            b->buf->failed = 1;
        return 0;
    }
    return add_uint(b, v, 3);
}

int tlcp_builder_add_u32(tlcp_builder *b, uint32_t v)
{
    return add_uint(b, v, 4);
}

int tlcp_builder_add_u64(tlcp_builder *b, uint64_t v)
{
    return add_uint(b, v, 8);
}

int tlcp_builder_add_bytes(tlcp_builder *b, const uint8_t *data, size_t len)
{
    uint8_t *p;
    GUARD(tlcp_builder_add_space(b, &p, len));
    if (len > 0)
        memcpy(p, data, len);
    return 1;
}

static int open_child(tlcp_builder *b, tlcp_builder *out_child, uint8_t prefix_bytes)
{
    GUARD(tlcp_builder_flush(b));
    size_t offset = b->buf->len;
    uint8_t *p;
    GUARD(reserve(b->buf, &p, prefix_bytes));
    memset(p, 0, prefix_bytes);
    memset(out_child, 0, sizeof(*out_child));
    out_child->buf = b->buf;
    out_child->prefix_offset = offset;
    out_child->prefix_bytes = prefix_bytes;
    b->child = out_child;
    return 1;
}

int tlcp_builder_open_u8(tlcp_builder *b, tlcp_builder *out_child)
{
    return open_child(b, out_child, 1);
}

int tlcp_builder_open_u16(tlcp_builder *b, tlcp_builder *out_child)
{
    return open_child(b, out_child, 2);
}

int tlcp_builder_open_u24(tlcp_builder *b, tlcp_builder *out_child)
{
    return open_child(b, out_child, 3);
}

size_t tlcp_builder_len(const tlcp_builder *b)
{
    if (b->buf == NULL)
        return 0;
    if (b->prefix_bytes == 0)
        return b->buf->len;
    return b->buf->len - b->prefix_offset - b->prefix_bytes;
}

const uint8_t *tlcp_builder_data(const tlcp_builder *b)
{
    if (b->buf == NULL)
        return NULL;
    if (b->prefix_bytes == 0)
        return b->buf->data;
    return b->buf->data + b->prefix_offset + b->prefix_bytes;
}

int tlcp_builder_finish(tlcp_builder *b, uint8_t **out, size_t *out_len)
{
    if (b->prefix_bytes != 0 || !b->own.can_grow)
        return 0;
    GUARD(tlcp_builder_flush(b));
    *out = b->own.data;
    *out_len = b->own.len;
    reset(b);
    return 1;
}

int tlcp_builder_copy_out(tlcp_builder *b, uint8_t *out, size_t cap, size_t *out_len)
{
    if (b->prefix_bytes != 0)
        return 0;
    GUARD(tlcp_builder_flush(b));
    if (b->own.len > cap)
        return 0;
    if (b->own.len > 0)
        memcpy(out, b->own.data, b->own.len);
    *out_len = b->own.len;
    return 1;
}

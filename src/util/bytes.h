/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds-checked byte cursor (read) and builder (write).
 *
 * Every wire parser reads through tlcp_cursor and every wire writer goes
 * through tlcp_builder; nothing in src/record or src/handshake does raw
 * pointer arithmetic on network bytes. All functions return 1 on success and
 * 0 on failure; a failed read leaves the cursor unchanged.
 */
#ifndef TLCP_UTIL_BYTES_H
#define TLCP_UTIL_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "util/safety.h"

typedef struct tlcp_cursor {
    const uint8_t *data;
    size_t len;
} tlcp_cursor;

void tlcp_cursor_init(tlcp_cursor *c, const uint8_t *data, size_t len);
static inline size_t tlcp_cursor_len(const tlcp_cursor *c)
{
    return c->len;
}
static inline const uint8_t *tlcp_cursor_data(const tlcp_cursor *c)
{
    return c->data;
}
/* The "everything consumed" check. */
static inline int tlcp_cursor_is_empty(const tlcp_cursor *c)
{
    return c->len == 0;
}

TLCP_MUST_CHECK int tlcp_cursor_get_u8(tlcp_cursor *c, uint8_t *out);
TLCP_MUST_CHECK int tlcp_cursor_get_u16(tlcp_cursor *c, uint16_t *out);
TLCP_MUST_CHECK int tlcp_cursor_get_u24(tlcp_cursor *c, uint32_t *out);
TLCP_MUST_CHECK int tlcp_cursor_get_u32(tlcp_cursor *c, uint32_t *out);
TLCP_MUST_CHECK int tlcp_cursor_get_u64(tlcp_cursor *c, uint64_t *out);
TLCP_MUST_CHECK int tlcp_cursor_skip(tlcp_cursor *c, size_t n);
/* Splits off the next n bytes as a child cursor (no copy). */
TLCP_MUST_CHECK int tlcp_cursor_get_bytes(tlcp_cursor *c, tlcp_cursor *out_child, size_t n);
/* Copies the next n bytes out. */
TLCP_MUST_CHECK int tlcp_cursor_copy_bytes(tlcp_cursor *c, uint8_t *out, size_t n);
/* Reads a 1/2/3-byte length then that many bytes as a child. */
TLCP_MUST_CHECK int tlcp_cursor_get_u8_prefixed(tlcp_cursor *c, tlcp_cursor *out_child);
TLCP_MUST_CHECK int tlcp_cursor_get_u16_prefixed(tlcp_cursor *c, tlcp_cursor *out_child);
TLCP_MUST_CHECK int tlcp_cursor_get_u24_prefixed(tlcp_cursor *c, tlcp_cursor *out_child);
/* Peek without consuming. */
TLCP_MUST_CHECK int tlcp_cursor_peek_u8(const tlcp_cursor *c, uint8_t *out);

/*
 * Builder. A root owns a buffer (growable on the heap, or fixed and supplied
 * by the caller). A child opened with tlcp_builder_open_uN writes into the
 * same buffer behind a length prefix that is filled in when the child is
 * closed; writing to a parent closes its open child first. A root must not
 * be copied or moved after init (children point to it).
 */
typedef struct tlcp_builder_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;     /* growth limit */
    int can_grow;   /* heap buffer we own */
    int failed;     /* sticky: any failure poisons the whole tree */
} tlcp_builder_buf;

typedef struct tlcp_builder {
    tlcp_builder_buf *buf;       /* shared by the whole tree */
    tlcp_builder_buf own;        /* storage used by a root */
    struct tlcp_builder *child;  /* open child, if any */
    size_t prefix_offset;        /* where this child's length prefix sits */
    uint8_t prefix_bytes;        /* 0 for a root */
} tlcp_builder;

/* Heap-backed; grows up to max_len bytes (0 = 16 MiB). */
TLCP_MUST_CHECK int tlcp_builder_init(tlcp_builder *b, size_t initial_cap, size_t max_len);
/* Writes into caller memory; fails rather than overflow `cap`. */
void tlcp_builder_init_fixed(tlcp_builder *b, uint8_t *mem, size_t cap);
/* Releases (and wipes) a heap buffer that was not handed out. */
void tlcp_builder_cleanup(tlcp_builder *b);

TLCP_MUST_CHECK int tlcp_builder_add_u8(tlcp_builder *b, uint8_t v);
TLCP_MUST_CHECK int tlcp_builder_add_u16(tlcp_builder *b, uint16_t v);
TLCP_MUST_CHECK int tlcp_builder_add_u24(tlcp_builder *b, uint32_t v);
TLCP_MUST_CHECK int tlcp_builder_add_u32(tlcp_builder *b, uint32_t v);
TLCP_MUST_CHECK int tlcp_builder_add_u64(tlcp_builder *b, uint64_t v);
TLCP_MUST_CHECK int tlcp_builder_add_bytes(tlcp_builder *b, const uint8_t *data, size_t len);
/* Reserves n bytes and returns where to write them (valid until the next add). */
TLCP_MUST_CHECK int tlcp_builder_add_space(tlcp_builder *b, uint8_t **out, size_t n);
TLCP_MUST_CHECK int tlcp_builder_open_u8(tlcp_builder *b, tlcp_builder *out_child);
TLCP_MUST_CHECK int tlcp_builder_open_u16(tlcp_builder *b, tlcp_builder *out_child);
TLCP_MUST_CHECK int tlcp_builder_open_u24(tlcp_builder *b, tlcp_builder *out_child);
/* Closes every open descendant, filling in the length prefixes. */
TLCP_MUST_CHECK int tlcp_builder_flush(tlcp_builder *b);
/* Bytes written so far by this builder (root: whole buffer; child: its body). */
size_t tlcp_builder_len(const tlcp_builder *b);
const uint8_t *tlcp_builder_data(const tlcp_builder *b);
/* Root only: flushes and hands out the heap buffer (caller frees). */
TLCP_MUST_CHECK int tlcp_builder_finish(tlcp_builder *b, uint8_t **out, size_t *out_len);
/* Root only: flushes and copies into caller memory. */
TLCP_MUST_CHECK int tlcp_builder_copy_out(tlcp_builder *b, uint8_t *out, size_t cap,
                                          size_t *out_len);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Handshake messages above the records: several messages in one record are
 * split, one message over several records is joined, and the body length is
 * checked against the handshake's per-type limit as soon as the 4-byte header
 * is complete, before any body byte is buffered.
 *
 * A message that lies whole inside one record is handed up in place (no
 * copy); only a message cut by a record boundary is gathered on the heap.
 * That buffer grows with the bytes that actually arrived (at least doubling,
 * never beyond the declared length): sizing it from the length field alone
 * would let 11 bytes from a peer pin 128 KiB per connection (fuzz finding F2).
 *
 * Too long a message gets illegal_parameter (the length field holds a value
 * we do not allow for this type, as OpenSSL also answers), reason
 * TLCP_R_MESSAGE_TOO_LONG.
 */
#include <stdlib.h>

#include "record/record_internal.h"
#include "util/mem.h"

/* Without a limit callback: the largest per-message limit of the handshake
 * table (ClientHello, design.md §4). */
#define HS_DEFAULT_MAX 131396

void tlcp_hs_framer_feed(tlcp_hs_framer *f, tlcp_cursor data)
{
    f->rest = data;
}

int tlcp_hs_framer_busy(const tlcp_hs_framer *f)
{
    return f->header_have > 0 || !tlcp_cursor_is_empty(&f->rest);
}

void tlcp_hs_framer_release(tlcp_hs_framer *f)
{
    tlcp_free_secret(f->delivered, f->delivered_len);
    f->delivered = NULL;
    f->delivered_len = 0;
}

void tlcp_hs_framer_free(tlcp_hs_framer *f)
{
    tlcp_hs_framer_release(f);
    tlcp_free_secret(f->msg, f->msg_cap);
    tlcp_wipe(f, sizeof(*f));
}

/* Reads type and body length from a 4-byte header and applies the limit. */
static int check_header(tlcp_record_layer *rl, const uint8_t *header, uint8_t *out_type,
                        size_t *out_body)
{
    tlcp_cursor c;
    uint32_t body;
    tlcp_cursor_init(&c, header, TLCP_HANDSHAKE_HEADER_LEN);
    ENSURE(tlcp_cursor_get_u8(&c, out_type) && tlcp_cursor_get_u24(&c, &body), rl->err,
           TLCP_R_INTERNAL, "handshake header");
    size_t max = rl->hs_max != NULL ? rl->hs_max(rl->hs_max_arg, *out_type) : HS_DEFAULT_MAX;
    ENSURE_ALERT(body <= max, rl->err, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER,
                 "handshake message type %u of %u bytes exceeds its limit of %zu", *out_type, body,
                 max);
    *out_body = body;
    return 1;
}

/* The whole message is in the current record: hand it up in place. */
static int try_in_place(tlcp_record_layer *rl, tlcp_cursor *out, int *done)
{
    tlcp_hs_framer *f = &rl->hs;
    *done = 0;
    if (f->header_have != 0 || tlcp_cursor_len(&f->rest) < TLCP_HANDSHAKE_HEADER_LEN)
        return 1;
    uint8_t type;
    size_t body;
    GUARD(check_header(rl, tlcp_cursor_data(&f->rest), &type, &body));
    if (tlcp_cursor_len(&f->rest) - TLCP_HANDSHAKE_HEADER_LEN < body)
        return 1;
    GUARD(tlcp_cursor_get_bytes(&f->rest, out, TLCP_HANDSHAKE_HEADER_LEN + body));
    *done = 1;
    return 1;
}

/* Moves up to `n` bytes from the record into `dst`. */
static size_t take(tlcp_hs_framer *f, uint8_t *dst, size_t n)
{
    size_t avail = tlcp_cursor_len(&f->rest);
    if (n > avail)
        n = avail;
    if (!tlcp_cursor_copy_bytes(&f->rest, dst, n))
        return 0;
    return n;
}

/*
 * Makes room for the bytes of the current record that belong to the message.
 * The new size is at least twice the old one (so a message arriving one byte
 * per record costs O(log n) copies) but never more than the message needs, and
 * never more than twice what arrived. Copying by hand instead of realloc lets
 * the old buffer be wiped.
 */
static int reserve(tlcp_record_layer *rl)
{
    tlcp_hs_framer *f = &rl->hs;
    size_t avail = tlcp_cursor_len(&f->rest);
    size_t have = f->msg_have < TLCP_HANDSHAKE_HEADER_LEN ? TLCP_HANDSHAKE_HEADER_LEN : f->msg_have;
    size_t missing = f->msg_len - have;
    size_t need = have + (avail < missing ? avail : missing);
    if (need <= f->msg_cap)
        return 1;
    size_t cap = f->msg_cap * 2 > need ? f->msg_cap * 2 : need;
    if (cap > f->msg_len)
        cap = f->msg_len;
    uint8_t *grown = malloc(cap);
    ENSURE_ALERT(grown != NULL, rl->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                 "no memory for %zu bytes of a %zu-byte handshake message", cap, f->msg_len);
    tlcp_rbuf_copy(grown, f->msg, f->msg_have);
    tlcp_free_secret(f->msg, f->msg_cap);
    f->msg = grown;
    f->msg_cap = cap;
    return 1;
}

int tlcp_hs_framer_next(tlcp_record_layer *rl, tlcp_cursor *out)
{
    tlcp_hs_framer *f = &rl->hs;
    int done;
    GUARD(try_in_place(rl, out, &done));
    if (done)
        return 1;

    /* slow path: the message crosses a record boundary */
    if (f->header_have < TLCP_HANDSHAKE_HEADER_LEN) {
        f->header_have +=
            take(f, f->header + f->header_have, TLCP_HANDSHAKE_HEADER_LEN - f->header_have);
        if (f->header_have < TLCP_HANDSHAKE_HEADER_LEN)
            return 0;
    }
    if (f->msg_len == 0) {
        uint8_t type;
        size_t body;
        GUARD(check_header(rl, f->header, &type, &body));
        f->msg_len = TLCP_HANDSHAKE_HEADER_LEN + body;
    }
    GUARD(reserve(rl));
    if (f->msg_have == 0) {
        tlcp_rbuf_copy(f->msg, f->header, TLCP_HANDSHAKE_HEADER_LEN);
        f->msg_have = TLCP_HANDSHAKE_HEADER_LEN;
    }
    f->msg_have += take(f, f->msg + f->msg_have, f->msg_len - f->msg_have);
    if (f->msg_have < f->msg_len)
        return 0;

    tlcp_cursor_init(out, f->msg, f->msg_len);
    f->delivered = f->msg;
    f->delivered_len = f->msg_cap;
    f->msg = NULL;
    f->msg_len = f->msg_have = f->msg_cap = f->header_have = 0;
    return 1;
}

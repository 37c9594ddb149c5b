/*
 * Handshake messages above the records: several messages in one record are
 * split, one message over several records is joined, and the body length is
 * checked against the handshake's per-type limit as soon as the 4-byte header
 * is complete, before any body byte is buffered.
 *
 * A message that lies whole inside one record is handed up in place (no
 * copy); only a message cut by a record boundary is gathered on the heap.
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
    tlcp_free_secret(f->msg, f->msg_len);
    tlcp_wipe(f, sizeof(*f));
}

/* Reads type and body length from a 4-byte header and applies the limit. */
static int check_header(tlcp_record_layer *rl, const uint8_t *header, uint8_t *out_type,
                        size_t *out_body)
{
    tlcp_cursor c;
    uint32_t body;
    tlcp_cursor_init(&c, header, TLCP_HANDSHAKE_HEADER_LEN);
    ENSURE(tlcp_cursor_get_u8(&c, out_type) && tlcp_cursor_get_u24(&c, &body), &rl->err,
           TLCP_R_INTERNAL, "handshake header");
    size_t max = rl->hs_max != NULL ? rl->hs_max(rl->hs_max_arg, *out_type) : HS_DEFAULT_MAX;
    ENSURE_ALERT(body <= max, &rl->err, TLCP_R_MESSAGE_TOO_LONG, TLCP_ALERT_ILLEGAL_PARAMETER,
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
    if (f->msg == NULL) {
        uint8_t type;
        size_t body;
        GUARD(check_header(rl, f->header, &type, &body));
        f->msg_len = TLCP_HANDSHAKE_HEADER_LEN + body;
        f->msg = malloc(f->msg_len);
        ENSURE_ALERT(f->msg != NULL, &rl->err, TLCP_R_ALLOC, TLCP_ALERT_INTERNAL_ERROR,
                     "no memory for a %zu-byte handshake message", f->msg_len);
        tlcp_rbuf_copy(f->msg, f->header, TLCP_HANDSHAKE_HEADER_LEN);
        f->msg_have = TLCP_HANDSHAKE_HEADER_LEN;
    }
    f->msg_have += take(f, f->msg + f->msg_have, f->msg_len - f->msg_have);
    if (f->msg_have < f->msg_len)
        return 0;

    tlcp_cursor_init(out, f->msg, f->msg_len);
    f->delivered = f->msg;
    f->delivered_len = f->msg_len;
    f->msg = NULL;
    f->msg_len = f->msg_have = f->header_have = 0;
    return 1;
}

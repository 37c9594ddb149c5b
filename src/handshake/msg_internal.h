/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private helpers shared by the msg_*.c codecs: the two failure kinds every
 * parser reports. An encoding problem (a length that does not add up, bytes
 * missing or left over) is decode_error; a well-formed field holding a value
 * the protocol forbids is illegal_parameter.
 */
#ifndef TLCP_HANDSHAKE_MSG_INTERNAL_H
#define TLCP_HANDSHAKE_MSG_INTERNAL_H

#include "util/bytes.h"
#include "util/safety.h"

#define DECODE_ENSURE(cond, err, ...)                                                              \
    ENSURE_ALERT(cond, err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR, __VA_ARGS__)

#define ILLEGAL_ENSURE(cond, err, ...)                                                             \
    ENSURE_ALERT(cond, err, TLCP_R_DECODE, TLCP_ALERT_ILLEGAL_PARAMETER, __VA_ARGS__)

/* The "nothing left over" check that ends every parser. */
#define TRAILING_ENSURE(cursor, err, what)                                                         \
    ENSURE_ALERT(tlcp_cursor_is_empty(&(cursor)), err, TLCP_R_TRAILING_DATA,                       \
                 TLCP_ALERT_DECODE_ERROR, "%s: %zu unexpected byte(s) after the message", what,    \
                 tlcp_cursor_len(&(cursor)))

/*
 * Every public builder ends through this. On failure the builder tree is
 * poisoned (so a half-written message can never be flushed and sent) and the
 * link to any child builder that lived on the failed function's stack is cut.
 */
static inline int tlcp_msg_build_done(tlcp_builder *b, int ok)
{
    if (!ok) {
        b->child = NULL;
        if (b->buf != NULL)
            b->buf->failed = 1;
    }
    return ok;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* NewSessionTicket (RFC 5077 3.3): u32 lifetime hint, u16-prefixed ticket. */
#include <string.h>

#include "handshake/messages.h"
#include "handshake/msg_internal.h"

int tlcp_parse_new_session_ticket(tlcp_cursor body, tlcp_new_session_ticket *out, tlcp_error *err)
{
    static const char what[] = "NewSessionTicket";
    memset(out, 0, sizeof(*out));
    tlcp_cursor c = body;
    DECODE_ENSURE(tlcp_cursor_get_u32(&c, &out->lifetime_hint), err,
                  "%s: ticket_lifetime_hint truncated", what);
    DECODE_ENSURE(tlcp_cursor_get_u16_prefixed(&c, &out->ticket), err,
                  "%s: ticket length exceeds the message", what);
    TRAILING_ENSURE(c, err, what);
    return 1;
}

int tlcp_build_new_session_ticket(tlcp_builder *b, const tlcp_new_session_ticket *m)
{
    tlcp_builder ticket;
    GUARD(tlcp_cursor_len(&m->ticket) <= 0xFFFF);
    GUARD(tlcp_builder_add_u32(b, m->lifetime_hint));
    GUARD(tlcp_builder_open_u16(b, &ticket));
    GUARD(
        tlcp_builder_add_bytes(&ticket, tlcp_cursor_data(&m->ticket), tlcp_cursor_len(&m->ticket)));
    return tlcp_builder_flush(b);
}

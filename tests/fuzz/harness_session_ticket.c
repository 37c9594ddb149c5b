/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NewSessionTicket and the session_ticket extension. The bytes are a
 * NewSessionTicket body: a body the parser takes must rebuild to the same
 * bytes; and they are a ticket a client offers in its ClientHello: opening
 * it under our key must refuse it without a crash or leak (a forgery would
 * need the GCM tag), and a ticket we sealed must still open.
 */
#include <stdlib.h>
#include <string.h>

#include "handshake/ticket.h"
#include "harness_msg.h"

static tlcp_ticket_keys *fuzz_keys(void)
{
    static tlcp_ticket_keys *keys;
    static const uint8_t name[16] = "fuzz ticket key.";
    if (keys == NULL) {
        tlcp_error err;
        tlcp_error_clear(&err);
        keys = tlcp_ticket_keys_new();
        fuzz_require(keys != NULL && tlcp_ticket_keys_add(keys, name, name, 16, &err),
                     "session_ticket: cannot make the fuzz key");
    }
    return keys;
}

static void check_message(const uint8_t *data, size_t len)
{
    static const char what[] = "NewSessionTicket";
    tlcp_error err;
    tlcp_new_session_ticket m;
    tlcp_error_clear(&err);
    if (!tlcp_parse_new_session_ticket(fuzz_cursor(data, len), &m, &err)) {
        fuzz_msg_rejected(&err, what);
        return;
    }
    tlcp_builder b;
    fuzz_msg_builder(&b);
    fuzz_bytes out = fuzz_msg_built(&b, tlcp_build_new_session_ticket(&b, &m), what);
    fuzz_msg_same_wire(out, data, len, what);
    free(out.data);
}

static void check_ticket(const uint8_t *data, size_t len)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    int newest = 0;
    tlcp_session *s = tlcp_ticket_open(fuzz_keys(), data, len, 0, &newest, &err);
    fuzz_require(s == NULL, "session_ticket: a ticket not sealed by us opened");
}

int fuzz_session_ticket(const uint8_t *data, size_t len)
{
    check_message(data, len);
    check_ticket(data, len);
    return 0;
}

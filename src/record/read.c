/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_record_next: one item per call. Reads records, removes protection,
 * skips empty records (at most TLCP_MAX_EMPTY_RECORDS in a row: GmSSL 2 and
 * Tongsuo send one before every write, but an endless run is a flood), and
 * dispatches on the content type.
 */
#include "record/record_internal.h"

static tlcp_result fail(tlcp_record_layer *rl)
{
    rl->failed = 1;
    if (!tlcp_error_is_set(rl->err))
        TLCP_ERR_ALERT(rl->err, TLCP_R_INTERNAL, TLCP_ALERT_INTERNAL_ERROR,
                       "record layer failed without a reason");
    return TLCP_ERROR;
}

/* End of stream at a record boundary. */
static tlcp_result at_eof(tlcp_record_layer *rl)
{
    if (tlcp_hs_framer_busy(&rl->hs)) {
        TLCP_ERR(rl->err, TLCP_R_EOF, "stream ended inside a handshake message");
        return fail(rl);
    }
    rl->closed = 1;
    TLCP_ERR(rl->err, TLCP_R_EOF, "peer closed the stream without close_notify");
    return TLCP_CLOSED;
}

static tlcp_result on_alert(tlcp_record_layer *rl, tlcp_cursor pt, tlcp_record_item *out)
{
    if (!tlcp_alert_parse(rl, pt, out))
        return fail(rl);
    if (out->alert_description == TLCP_ALERT_CLOSE_NOTIFY) {
        rl->closed = 1;
        TLCP_ERR(rl->err, TLCP_R_CLOSED, "peer sent close_notify");
        return TLCP_CLOSED;
    }
    if (out->alert_level == TLCP_ALERT_LEVEL_WARNING &&
        tlcp_alert_is_known(out->alert_description)) {
        /* Each is cheap, but an endless run would keep the caller's call
         * looping (the "SSL death alert" denial of service). */
        if (++rl->warning_run > TLCP_MAX_WARNING_ALERTS) {
            TLCP_ERR_ALERT(rl->err, TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                           "more than %d warning alerts in a row", TLCP_MAX_WARNING_ALERTS);
            return fail(rl);
        }
        return TLCP_OK;
    }
    /* fatal, or a description we cannot interpret: the connection is over */
    TLCP_ERR(rl->err, TLCP_R_PEER_ALERT, "peer sent alert %s (%u, level %u)",
             tlcp_alert_string(out->alert_description), out->alert_description, out->alert_level);
    return fail(rl);
}

/* Content-type rules that do not depend on the payload. */
static int check_type_allowed(tlcp_record_layer *rl, uint8_t type)
{
    ENSURE_ALERT(type != TLCP_CT_APPLICATION_DATA || rl->rd.bulk != TLCP_BULK_NULL, rl->err,
                 TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                 "application data before ChangeCipherSpec");
    ENSURE_ALERT(type == TLCP_CT_HANDSHAKE || !tlcp_hs_framer_busy(&rl->hs), rl->err,
                 TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                 "record of type %u inside a fragmented handshake message", type);
    return 1;
}

/* Empty records are skipped but counted; returns 0 on a flood. Any record
 * with content ends a run of warning alerts. */
static int count_empty(tlcp_record_layer *rl, size_t len)
{
    if (len != 0) {
        rl->empty_run = 0;
        rl->warning_run = 0;
        return 1;
    }
    rl->empty_run++;
    ENSURE_ALERT(rl->empty_run <= TLCP_MAX_EMPTY_RECORDS, rl->err, TLCP_R_TOO_MANY_EMPTY_RECORDS,
                 TLCP_ALERT_UNEXPECTED_MESSAGE, "more than %d empty records in a row",
                 TLCP_MAX_EMPTY_RECORDS);
    return 1;
}

static void set_handshake_item(tlcp_record_item *out, tlcp_cursor msg)
{
    uint8_t type = 0;
    out->kind = TLCP_ITEM_HANDSHAKE;
    if (!tlcp_cursor_peek_u8(&msg, &type))
        type = 0; /* cannot happen: a message has its 4-byte header */
    out->hs_type = type;
    out->data = msg;
}

tlcp_result tlcp_record_next(tlcp_record_layer *rl, tlcp_record_item *out)
{
    tlcp_record_item blank = {0};
    *out = blank;
    tlcp_hs_framer_release(&rl->hs);
    if (rl->failed)
        return TLCP_ERROR;
    if (rl->closed)
        return TLCP_CLOSED;

    for (;;) {
        if (!tlcp_cursor_is_empty(&rl->hs.rest)) {
            tlcp_cursor msg;
            if (tlcp_hs_framer_next(rl, &msg)) {
                set_handshake_item(out, msg);
                return TLCP_OK;
            }
            if (tlcp_error_is_set(rl->err))
                return fail(rl);
        }

        tlcp_result r = tlcp_input_fill(rl);
        if (r == TLCP_CLOSED)
            return at_eof(rl);
        if (r == TLCP_ERROR)
            return fail(rl);
        if (r != TLCP_OK)
            return r;

        uint8_t type = rl->in_type;
        tlcp_cursor pt;
        if (!check_type_allowed(rl, type) || !tlcp_read_open_current(rl, type, &pt))
            return fail(rl);
        if (type != TLCP_CT_ALERT && type != TLCP_CT_CHANGE_CIPHER_SPEC) {
            if (!count_empty(rl, tlcp_cursor_len(&pt)))
                return fail(rl);
            if (tlcp_cursor_is_empty(&pt))
                continue;
        }

        switch (type) {
        case TLCP_CT_HANDSHAKE:
            tlcp_hs_framer_feed(&rl->hs, pt);
            continue;
        case TLCP_CT_CHANGE_CIPHER_SPEC:
            if (!tlcp_ccs_parse(rl, pt))
                return fail(rl);
            rl->empty_run = 0;
            out->kind = TLCP_ITEM_CHANGE_CIPHER_SPEC;
            return TLCP_OK;
        case TLCP_CT_ALERT:
            rl->empty_run = 0;
            return on_alert(rl, pt, out);
        default:
            out->kind = TLCP_ITEM_APPLICATION_DATA;
            out->data = pt;
            return TLCP_OK;
        }
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Alert and ChangeCipherSpec payloads (tlcp-protocol.md §1.5, §5).
 *
 * An alert record carries exactly level(1) || description(1); anything else
 * is decode_error. A description we do not know is treated as fatal whatever
 * its level says, so a peer cannot keep us talking with made-up warnings.
 * ChangeCipherSpec must be exactly the single byte 0x01; any other payload is
 * unexpected_message (it is not a CCS we can act on).
 */
#include "record/record_internal.h"

int tlcp_alert_is_known(uint8_t description)
{
    switch (description) {
    case TLCP_ALERT_CLOSE_NOTIFY:
    case TLCP_ALERT_UNEXPECTED_MESSAGE:
    case TLCP_ALERT_BAD_RECORD_MAC:
    case TLCP_ALERT_DECRYPTION_FAILED:
    case TLCP_ALERT_RECORD_OVERFLOW:
    case TLCP_ALERT_DECOMPRESSION_FAILURE:
    case TLCP_ALERT_HANDSHAKE_FAILURE:
    case TLCP_ALERT_BAD_CERTIFICATE:
    case TLCP_ALERT_UNSUPPORTED_CERTIFICATE:
    case TLCP_ALERT_CERTIFICATE_REVOKED:
    case TLCP_ALERT_CERTIFICATE_EXPIRED:
    case TLCP_ALERT_CERTIFICATE_UNKNOWN:
    case TLCP_ALERT_ILLEGAL_PARAMETER:
    case TLCP_ALERT_UNKNOWN_CA:
    case TLCP_ALERT_ACCESS_DENIED:
    case TLCP_ALERT_DECODE_ERROR:
    case TLCP_ALERT_DECRYPT_ERROR:
    case TLCP_ALERT_EXPORT_RESTRICTION:
    case TLCP_ALERT_PROTOCOL_VERSION:
    case TLCP_ALERT_INSUFFICIENT_SECURITY:
    case TLCP_ALERT_INTERNAL_ERROR:
    case TLCP_ALERT_USER_CANCELED:
    case TLCP_ALERT_NO_RENEGOTIATION:
    case TLCP_ALERT_UNSUPPORTED_EXTENSION:
    case TLCP_ALERT_UNSUPPORTED_SITE2SITE:
    case TLCP_ALERT_NO_AREA:
    case TLCP_ALERT_UNSUPPORTED_AREATYPE:
    case TLCP_ALERT_BAD_IBCPARAM:
    case TLCP_ALERT_UNSUPPORTED_IBCPARAM:
    case TLCP_ALERT_IDENTITY_NEED:
        return 1;
    default:
        return 0;
    }
}

int tlcp_alert_parse(tlcp_record_layer *rl, tlcp_cursor frag, tlcp_record_item *out)
{
    uint8_t level, description;
    ENSURE_ALERT(tlcp_cursor_len(&frag) == 2 && tlcp_cursor_get_u8(&frag, &level) &&
                     tlcp_cursor_get_u8(&frag, &description),
                 rl->err, TLCP_R_DECODE, TLCP_ALERT_DECODE_ERROR,
                 "alert record of %zu bytes (must be 2)", tlcp_cursor_len(&frag));
    out->kind = TLCP_ITEM_ALERT;
    out->alert_level = level;
    out->alert_description = description;
    return 1;
}

int tlcp_ccs_parse(tlcp_record_layer *rl, tlcp_cursor frag)
{
    uint8_t v = 0;
    ENSURE_ALERT(tlcp_cursor_len(&frag) == 1 && tlcp_cursor_get_u8(&frag, &v) && v == 1, rl->err,
                 TLCP_R_UNEXPECTED_MESSAGE, TLCP_ALERT_UNEXPECTED_MESSAGE,
                 "ChangeCipherSpec payload is not the single byte 0x01");
    return 1;
}

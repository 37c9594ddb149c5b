/* SPDX-License-Identifier: Apache-2.0 */
/* Names of the protocol numbers that traces and error messages show. */
#include <stdio.h>

#include "handshake/messages.h"
#include "handshake/trace_fields.h"
#include "suite/suite.h"
#include "util/safety.h"

const char *tlcp_hs_type_name(uint8_t type)
{
    switch (type) {
    case TLCP_HS_HELLO_REQUEST:
        return "hello_request";
    case TLCP_HS_CLIENT_HELLO:
        return "client_hello";
    case TLCP_HS_SERVER_HELLO:
        return "server_hello";
    case TLCP_HS_NEW_SESSION_TICKET:
        return "new_session_ticket";
    case TLCP_HS_CERTIFICATE:
        return "certificate";
    case TLCP_HS_SERVER_KEY_EXCHANGE:
        return "server_key_exchange";
    case TLCP_HS_CERTIFICATE_REQUEST:
        return "certificate_request";
    case TLCP_HS_SERVER_HELLO_DONE:
        return "server_hello_done";
    case TLCP_HS_CERTIFICATE_VERIFY:
        return "certificate_verify";
    case TLCP_HS_CLIENT_KEY_EXCHANGE:
        return "client_key_exchange";
    case TLCP_HS_FINISHED:
        return "finished";
    default:
        return "unknown";
    }
}

/* Names from the suite table (src/suite): GB/T 38636-2020, the legacy SM1
 * suites and the renegotiation SCSV. */
tlcp_suite_name tlcp_cipher_suite_name(uint16_t suite)
{
    tlcp_suite_name out;
    const tlcp_suite *s = tlcp_suite_find(suite);
    if (s != NULL)
        snprintf(out.str, sizeof(out.str), "%s", s->name);
    else
        snprintf(out.str, sizeof(out.str), "unknown(0x%04x)", suite);
    return out;
}

int tlcp_cipher_suite_is_ecdhe(uint16_t suite)
{
    return tlcp_suite_is_ecdhe(suite);
}

const char *tlcp_extension_name(uint16_t type)
{
    switch (type) {
    case 0:
        return "server_name";
    case 1:
        return "max_fragment_length";
    case 3:
        return "trusted_ca_keys";
    case 5:
        return "status_request";
    case 10:
        return "supported_groups";
    case 11:
        return "ec_point_formats";
    case 13:
        return "signature_algorithms";
    case 16:
        return "application_layer_protocol_negotiation";
    case 22:
        return "encrypt_then_mac";
    case 23:
        return "extended_master_secret";
    case 35:
        return "session_ticket";
    case 66:
        return "client_id";
    case 0xFF01:
        return "renegotiation_info";
    default:
        return NULL;
    }
}

const char *tlcp_cert_type_name(uint8_t type)
{
    switch (type) {
    case 1:
        return "rsa_sign";
    case 2:
        return "dss_sign";
    case 64:
        return "ecdsa_sign";
    case 80:
        return "ibc_params";
    default:
        return NULL;
    }
}

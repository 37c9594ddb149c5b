/* SPDX-License-Identifier: Apache-2.0 */
/* Human-readable names for reason codes and alert numbers. */
#include <stddef.h>

#include "tlcp/tlcp.h"

static const char *const reason_strings[TLCP_R_REASON_COUNT] = {
    [TLCP_R_NONE] = "no error",
    [TLCP_R_INTERNAL] = "internal error",
    [TLCP_R_ALLOC] = "out of memory",
    [TLCP_R_INVALID_ARGUMENT] = "invalid argument",
    [TLCP_R_DECODE] = "malformed encoding",
    [TLCP_R_TRAILING_DATA] = "trailing data after a complete structure",
    [TLCP_R_CRYPTO] = "cryptographic operation failed",
    [TLCP_R_BAD_SIGNATURE] = "bad signature",
    [TLCP_R_DECRYPT_FAILED] = "decryption failed",
    [TLCP_R_BAD_KEY] = "unusable key",
    [TLCP_R_FILE] = "cannot read file",
    [TLCP_R_BAD_PASSPHRASE] = "wrong passphrase",
    [TLCP_R_KEY_CERT_MISMATCH] = "private key does not match certificate",
    [TLCP_R_BAD_RECORD_MAC] = "bad record MAC",
    [TLCP_R_RECORD_OVERFLOW] = "record too long",
    [TLCP_R_PROTOCOL_VERSION] = "unsupported protocol version",
    [TLCP_R_UNEXPECTED_MESSAGE] = "unexpected message",
    [TLCP_R_MESSAGE_TOO_LONG] = "handshake message too long",
    [TLCP_R_SEQUENCE_OVERFLOW] = "record sequence number would wrap",
    [TLCP_R_TOO_MANY_EMPTY_RECORDS] = "too many consecutive empty records",
    [TLCP_R_PEER_ALERT] = "peer sent a fatal alert",
    [TLCP_R_CLOSED] = "connection closed",
    [TLCP_R_TRANSPORT] = "transport error",
    [TLCP_R_HANDSHAKE_FAILURE] = "handshake failure",
    [TLCP_R_NO_SHARED_CIPHER] = "no shared cipher suite",
    [TLCP_R_CERT_VERIFY_FAILED] = "certificate verification failed",
    [TLCP_R_CERT_KEY_USAGE] = "certificate key usage not allowed",
    [TLCP_R_BAD_FINISHED] = "bad Finished message",
    [TLCP_R_NO_RENEGOTIATION] = "renegotiation refused",
    [TLCP_R_RNG] = "random number generator failed",
    [TLCP_R_CERT] = "unusable certificate",
    [TLCP_R_HOSTNAME_MISMATCH] = "host name does not match certificate",
    [TLCP_R_CONFIG] = "invalid configuration",
    [TLCP_R_EOF] = "connection closed without close_notify",
    [TLCP_R_SESSION_FORMAT] = "not libtlcp session data (or truncated)",
    [TLCP_R_SESSION_VERSION] = "session data of an unknown format version",
    [TLCP_R_SESSION_INTEGRITY] = "session data corrupted (checksum mismatch)",
    [TLCP_R_SESSION_EXPIRED] = "session expired",
    [TLCP_R_NO_HOST_NAME] = "no host name to verify the server against",
    [TLCP_R_NOT_TLCP_HTTP] = "not a TLCP record (looks like HTTP)",
    [TLCP_R_TICKET_KEY_FILE] = "malformed session ticket key file",
    [TLCP_R_KEY_OP_FAILED] = "delegated private-key operation failed",
    [TLCP_R_KEY_OP_TIMEOUT] = "delegated private-key operation timed out",
    [TLCP_R_KEY_OP_RESULT] = "delegated private-key operation gave a result of the wrong size",
    [TLCP_R_KEY_OP_NONE] = "no private key and no key-operation callback",
    [TLCP_R_KEY_STORE] = "cannot load the key from its URI or provider",
    [TLCP_R_KEY_URI_NO_KX] = "no SM2 key exchange with a provider-held encryption key (ECDHE)",
    [TLCP_R_NO_APPLICATION_PROTOCOL] = "no application protocol (ALPN) in common",
    [TLCP_R_ALPN_NOT_OFFERED] = "server chose an application protocol (ALPN) not offered",
    [TLCP_R_UNKNOWN_SERVER_NAME] = "no certificate pair for the server name",
    [TLCP_R_EXTENSION_NOT_OFFERED] = "server answered with an extension the client did not offer",
    [TLCP_R_CERT_REVOKED] = "certificate revoked",
    [TLCP_R_CRL_MISSING] = "no CRL for a certificate's issuer",
    [TLCP_R_CRL_EXPIRED] = "CRL expired or not yet valid",
    [TLCP_R_CRL_INVALID] = "CRL invalid (signature, issuer or fields)",
    [TLCP_R_NO_PEER_CERT] = "peer sent no certificate",
    [TLCP_R_TLS_CLIENT_HELLO] = "TLS ClientHello at a TLCP-only endpoint",
};

const char *tlcp_reason_string(int reason)
{
    if (reason < 0 || reason >= TLCP_R_REASON_COUNT || reason_strings[reason] == NULL)
        return "unknown reason";
    return reason_strings[reason];
}

const char *tlcp_alert_string(int alert)
{
    switch (alert) {
    case TLCP_ALERT_CLOSE_NOTIFY:
        return "close_notify";
    case TLCP_ALERT_UNEXPECTED_MESSAGE:
        return "unexpected_message";
    case TLCP_ALERT_BAD_RECORD_MAC:
        return "bad_record_mac";
    case TLCP_ALERT_DECRYPTION_FAILED:
        return "decryption_failed";
    case TLCP_ALERT_RECORD_OVERFLOW:
        return "record_overflow";
    case TLCP_ALERT_DECOMPRESSION_FAILURE:
        return "decompression_failure";
    case TLCP_ALERT_HANDSHAKE_FAILURE:
        return "handshake_failure";
    case TLCP_ALERT_BAD_CERTIFICATE:
        return "bad_certificate";
    case TLCP_ALERT_UNSUPPORTED_CERTIFICATE:
        return "unsupported_certificate";
    case TLCP_ALERT_CERTIFICATE_REVOKED:
        return "certificate_revoked";
    case TLCP_ALERT_CERTIFICATE_EXPIRED:
        return "certificate_expired";
    case TLCP_ALERT_CERTIFICATE_UNKNOWN:
        return "certificate_unknown";
    case TLCP_ALERT_ILLEGAL_PARAMETER:
        return "illegal_parameter";
    case TLCP_ALERT_UNKNOWN_CA:
        return "unknown_ca";
    case TLCP_ALERT_ACCESS_DENIED:
        return "access_denied";
    case TLCP_ALERT_DECODE_ERROR:
        return "decode_error";
    case TLCP_ALERT_DECRYPT_ERROR:
        return "decrypt_error";
    case TLCP_ALERT_EXPORT_RESTRICTION:
        return "export_restriction";
    case TLCP_ALERT_PROTOCOL_VERSION:
        return "protocol_version";
    case TLCP_ALERT_INSUFFICIENT_SECURITY:
        return "insufficient_security";
    case TLCP_ALERT_INTERNAL_ERROR:
        return "internal_error";
    case TLCP_ALERT_USER_CANCELED:
        return "user_canceled";
    case TLCP_ALERT_NO_RENEGOTIATION:
        return "no_renegotiation";
    case TLCP_ALERT_UNSUPPORTED_EXTENSION:
        return "unsupported_extension";
    case TLCP_ALERT_UNRECOGNIZED_NAME:
        return "unrecognized_name";
    case TLCP_ALERT_NO_APPLICATION_PROTOCOL:
        return "no_application_protocol";
    case TLCP_ALERT_UNSUPPORTED_SITE2SITE:
        return "unsupported_site2site";
    case TLCP_ALERT_NO_AREA:
        return "no_area";
    case TLCP_ALERT_UNSUPPORTED_AREATYPE:
        return "unsupported_areatype";
    case TLCP_ALERT_BAD_IBCPARAM:
        return "bad_ibcparam";
    case TLCP_ALERT_UNSUPPORTED_IBCPARAM:
        return "unsupported_ibcparam";
    case TLCP_ALERT_IDENTITY_NEED:
        return "identity_need";
    default:
        return "unknown";
    }
}

const char *tlcp_version(void)
{
    return TLCP_VERSION_STRING;
}

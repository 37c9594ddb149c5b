/*
 * libtlcp public API: TLCP (GB/T 38636-2020) client and server.
 *
 * Every call returns a tlcp_result; counts travel through out-parameters.
 * The API grows with the handshake issue; the result codes, error reasons
 * and alert numbers below are stable.
 */
#ifndef TLCP_TLCP_H
#define TLCP_TLCP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the functions the shared library exports (everything else is hidden). */
#if defined(__GNUC__)
#define TLCP_API __attribute__((visibility("default")))
#else
#define TLCP_API
#endif

#define TLCP_VERSION_MAJOR 0
#define TLCP_VERSION_MINOR 1
#define TLCP_VERSION_PATCH 0
#define TLCP_VERSION_STRING "0.1.0"

/* Protocol version on the wire (record header and hellos). */
#define TLCP_PROTOCOL_VERSION 0x0101

/* Outcome of every public call. */
typedef enum tlcp_result {
    TLCP_OK = 0,         /* done */
    TLCP_WANT_READ = 1,  /* call again when the transport is readable */
    TLCP_WANT_WRITE = 2, /* call again when the transport is writable */
    TLCP_CLOSED = 3,     /* the peer closed the connection cleanly (close_notify) */
    TLCP_ERROR = 4       /* fatal: see tlcp_conn_error() */
} tlcp_result;

/* Why something failed. Stable numbers: append only. */
typedef enum tlcp_reason {
    TLCP_R_NONE = 0,
    TLCP_R_INTERNAL = 1,
    TLCP_R_ALLOC = 2,
    TLCP_R_INVALID_ARGUMENT = 3,
    TLCP_R_DECODE = 4,           /* malformed encoding */
    TLCP_R_TRAILING_DATA = 5,    /* bytes left after a complete structure */
    TLCP_R_CRYPTO = 6,           /* a primitive failed inside the crypto backend */
    TLCP_R_BAD_SIGNATURE = 7,    /* signature did not verify */
    TLCP_R_DECRYPT_FAILED = 8,   /* ciphertext rejected (tag, C3, format) */
    TLCP_R_BAD_KEY = 9,          /* key unusable: wrong curve, invalid point, ... */
    TLCP_R_FILE = 10,            /* file missing or unreadable */
    TLCP_R_BAD_PASSPHRASE = 11,  /* encrypted key could not be decrypted */
    TLCP_R_KEY_CERT_MISMATCH = 12,
    TLCP_R_BAD_RECORD_MAC = 13,
    TLCP_R_RECORD_OVERFLOW = 14,
    TLCP_R_PROTOCOL_VERSION = 15,
    TLCP_R_UNEXPECTED_MESSAGE = 16,
    TLCP_R_MESSAGE_TOO_LONG = 17,
    TLCP_R_SEQUENCE_OVERFLOW = 18,
    TLCP_R_TOO_MANY_EMPTY_RECORDS = 19,
    TLCP_R_PEER_ALERT = 20,      /* the peer sent a fatal alert */
    TLCP_R_CLOSED = 21,
    TLCP_R_TRANSPORT = 22,       /* the transport callback reported an error */
    TLCP_R_HANDSHAKE_FAILURE = 23,
    TLCP_R_NO_SHARED_CIPHER = 24,
    TLCP_R_CERT_VERIFY_FAILED = 25,
    TLCP_R_CERT_KEY_USAGE = 26,
    TLCP_R_BAD_FINISHED = 27,
    TLCP_R_NO_RENEGOTIATION = 28,
    TLCP_R_RNG = 29,
    TLCP_R_CERT = 30,            /* certificate unusable (not SM2, unparsable) */
    TLCP_R_HOSTNAME_MISMATCH = 31,
    TLCP_R_CONFIG = 32,          /* configuration incomplete or inconsistent */
    TLCP_R_EOF = 33,             /* the transport closed without close_notify */
    TLCP_R_REASON_COUNT
} tlcp_reason;

/* Alert descriptions (TLS 1.1 plus the TLCP codes 200-205). */
enum tlcp_alert {
    TLCP_ALERT_CLOSE_NOTIFY = 0,
    TLCP_ALERT_UNEXPECTED_MESSAGE = 10,
    TLCP_ALERT_BAD_RECORD_MAC = 20,
    TLCP_ALERT_DECRYPTION_FAILED = 21,
    TLCP_ALERT_RECORD_OVERFLOW = 22,
    TLCP_ALERT_DECOMPRESSION_FAILURE = 30,
    TLCP_ALERT_HANDSHAKE_FAILURE = 40,
    TLCP_ALERT_BAD_CERTIFICATE = 42,
    TLCP_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    TLCP_ALERT_CERTIFICATE_REVOKED = 44,
    TLCP_ALERT_CERTIFICATE_EXPIRED = 45,
    TLCP_ALERT_CERTIFICATE_UNKNOWN = 46,
    TLCP_ALERT_ILLEGAL_PARAMETER = 47,
    TLCP_ALERT_UNKNOWN_CA = 48,
    TLCP_ALERT_ACCESS_DENIED = 49,
    TLCP_ALERT_DECODE_ERROR = 50,
    TLCP_ALERT_DECRYPT_ERROR = 51,
    TLCP_ALERT_EXPORT_RESTRICTION = 60,
    TLCP_ALERT_PROTOCOL_VERSION = 70,
    TLCP_ALERT_INSUFFICIENT_SECURITY = 71,
    TLCP_ALERT_INTERNAL_ERROR = 80,
    TLCP_ALERT_USER_CANCELED = 90,
    TLCP_ALERT_NO_RENEGOTIATION = 100,
    TLCP_ALERT_UNSUPPORTED_EXTENSION = 110,
    TLCP_ALERT_UNSUPPORTED_SITE2SITE = 200,
    TLCP_ALERT_NO_AREA = 201,
    TLCP_ALERT_UNSUPPORTED_AREATYPE = 202,
    TLCP_ALERT_BAD_IBCPARAM = 203,
    TLCP_ALERT_UNSUPPORTED_IBCPARAM = 204,
    TLCP_ALERT_IDENTITY_NEED = 205
};

/* Cipher suites of GB/T 38636-2020 that libtlcp speaks. */
enum tlcp_cipher_suite {
    TLCP_ECDHE_SM4_CBC_SM3 = 0xE011,
    TLCP_ECC_SM4_CBC_SM3 = 0xE013,
    TLCP_ECDHE_SM4_GCM_SM3 = 0xE051,
    TLCP_ECC_SM4_GCM_SM3 = 0xE053
};

/*
 * Transport callbacks. They move bytes between libtlcp and the network (or
 * anything else). Return the number of bytes moved (> 0), 0 for end of stream
 * (read only), or one of the TLCP_IO_* codes. Non-blocking transports return
 * TLCP_IO_WANT_READ / TLCP_IO_WANT_WRITE; libtlcp then returns the matching
 * tlcp_result and the caller retries the same call later.
 */
#define TLCP_IO_ERROR (-1)
#define TLCP_IO_WANT_READ (-2)
#define TLCP_IO_WANT_WRITE (-3)
typedef long (*tlcp_read_fn)(void *ctx, uint8_t *buf, size_t len);
typedef long (*tlcp_write_fn)(void *ctx, const uint8_t *buf, size_t len);

/* "0.1.0" */
TLCP_API const char *tlcp_version(void);

/* A short English phrase for a reason code ("bad record MAC"). */
TLCP_API const char *tlcp_reason_string(int reason);

/* The alert's name ("bad_record_mac"), or "unknown" for an unassigned number. */
TLCP_API const char *tlcp_alert_string(int alert);

/* Known-answer self-test of every primitive. Each line of the report goes
 * to `report` (may be NULL). Returns TLCP_OK when all passed. */
TLCP_API tlcp_result tlcp_selftest(void (*report)(void *arg, const char *line), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* TLCP_TLCP_H */

/* SPDX-License-Identifier: Apache-2.0 */
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

#define TLCP_VERSION_MAJOR  0
#define TLCP_VERSION_MINOR  1
#define TLCP_VERSION_PATCH  0
#define TLCP_VERSION_STRING "0.1.0"

/* Protocol version on the wire (record header and hellos). */
#define TLCP_PROTOCOL_VERSION 0x0101

/* Outcome of every public call. */
typedef enum tlcp_result {
    TLCP_OK = 0,         /* done */
    TLCP_WANT_READ = 1,  /* call again when the transport is readable */
    TLCP_WANT_WRITE = 2, /* call again when the transport is writable */
    TLCP_CLOSED = 3,     /* the peer closed the connection cleanly (close_notify) */
    TLCP_ERROR = 4,      /* fatal: see tlcp_conn_error() */
    /* Server: the session store's get callback answered "pending"; call
     * tlcp_conn_session_lookup_done() with its answer, then call the same
     * function again (the transport is not touched until then). */
    TLCP_WANT_SESSION = 5,
    /* A delegated private-key operation (tlcp_key_op_fn) answered
     * TLCP_KEY_OP_PENDING: call tlcp_conn_key_operation_done() with its
     * result, then call the same function again. Nothing is read or written
     * meanwhile; tlcp_conn_key_operation_wait_ms() says how long the
     * operation may still take before the handshake fails. */
    TLCP_WANT_KEY_OPERATION = 6
} tlcp_result;

/* Why something failed. Stable numbers: append only. */
typedef enum tlcp_reason {
    TLCP_R_NONE = 0,
    TLCP_R_INTERNAL = 1,
    TLCP_R_ALLOC = 2,
    TLCP_R_INVALID_ARGUMENT = 3,
    TLCP_R_DECODE = 4,          /* malformed encoding */
    TLCP_R_TRAILING_DATA = 5,   /* bytes left after a complete structure */
    TLCP_R_CRYPTO = 6,          /* a primitive failed inside the crypto backend */
    TLCP_R_BAD_SIGNATURE = 7,   /* signature did not verify */
    TLCP_R_DECRYPT_FAILED = 8,  /* ciphertext rejected (tag, C3, format) */
    TLCP_R_BAD_KEY = 9,         /* key unusable: wrong curve, invalid point, ... */
    TLCP_R_FILE = 10,           /* file missing or unreadable */
    TLCP_R_BAD_PASSPHRASE = 11, /* encrypted key could not be decrypted */
    TLCP_R_KEY_CERT_MISMATCH = 12,
    TLCP_R_BAD_RECORD_MAC = 13,
    TLCP_R_RECORD_OVERFLOW = 14,
    TLCP_R_PROTOCOL_VERSION = 15,
    TLCP_R_UNEXPECTED_MESSAGE = 16,
    TLCP_R_MESSAGE_TOO_LONG = 17,
    TLCP_R_SEQUENCE_OVERFLOW = 18,
    TLCP_R_TOO_MANY_EMPTY_RECORDS = 19,
    TLCP_R_PEER_ALERT = 20, /* the peer sent a fatal alert */
    TLCP_R_CLOSED = 21,
    TLCP_R_TRANSPORT = 22, /* the transport callback reported an error */
    TLCP_R_HANDSHAKE_FAILURE = 23,
    TLCP_R_NO_SHARED_CIPHER = 24,
    TLCP_R_CERT_VERIFY_FAILED = 25,
    TLCP_R_CERT_KEY_USAGE = 26,
    TLCP_R_BAD_FINISHED = 27,
    TLCP_R_NO_RENEGOTIATION = 28,
    TLCP_R_RNG = 29,
    TLCP_R_CERT = 30, /* certificate unusable (not SM2, unparsable) */
    TLCP_R_HOSTNAME_MISMATCH = 31,
    TLCP_R_CONFIG = 32,            /* configuration incomplete or inconsistent */
    TLCP_R_EOF = 33,               /* the transport closed without close_notify */
    TLCP_R_SESSION_FORMAT = 34,    /* not exported session data: magic, length, truncated */
    TLCP_R_SESSION_VERSION = 35,   /* exported session data of an unknown format version */
    TLCP_R_SESSION_INTEGRITY = 36, /* exported session data corrupted (checksum mismatch) */
    TLCP_R_SESSION_EXPIRED = 37,   /* the session's lifetime has passed */
    TLCP_R_NO_HOST_NAME = 38,      /* client verifies but has no host name to check */
    TLCP_R_NOT_TLCP_HTTP = 39,     /* the peer sent plain HTTP ("GET / ...") instead of a record */
    TLCP_R_TICKET_KEY_FILE = 40,   /* a session ticket key file is malformed */
    /* ALPN and certificates per server name (45-49). */
    TLCP_R_NO_APPLICATION_PROTOCOL = 45, /* server: no ALPN protocol in common (alert 120) */
    TLCP_R_ALPN_NOT_OFFERED = 46,        /* client: the server chose a protocol we did not offer */
    TLCP_R_UNKNOWN_SERVER_NAME = 47,     /* server: no pair for the client's name, no default */
    TLCP_R_EXTENSION_NOT_OFFERED =
        48, /* client: the ServerHello has an extension we did not offer */
    /* Revocation and client verification (55-59). */
    TLCP_R_CERT_REVOKED = 55, /* a certificate of the peer's chains is on its issuer's CRL */
    TLCP_R_CRL_MISSING = 56,  /* CRL checking is on and an issuer has no CRL loaded */
    TLCP_R_CRL_EXPIRED = 57,  /* the issuer's CRL is past its nextUpdate (or not yet valid) */
    TLCP_R_CRL_INVALID = 58,  /* the CRL's signature, issuer key usage or fields are bad */
    TLCP_R_NO_PEER_CERT = 59, /* server, verify mode OPTIONAL: the client sent no certificate */
    /* Delegated private-key operations (60-69). */
    TLCP_R_KEY_OP_FAILED = 60,  /* a delegated private-key operation reported failure */
    TLCP_R_KEY_OP_TIMEOUT = 61, /* a delegated private-key operation did not complete in time */
    TLCP_R_KEY_OP_RESULT = 62,  /* a delegated operation's result has the wrong size or form */
    TLCP_R_KEY_OP_NONE = 63,    /* no private key and no key-operation callback for a pair */
    /* Keys given as a URI, held by an OpenSSL provider (64-65). */
    TLCP_R_KEY_STORE = 64,     /* a key URI or key provider could not be opened or loaded */
    TLCP_R_KEY_URI_NO_KX = 65, /* ECDHE with an encryption key held by a provider: OpenSSL 3
                                  has no SM2 key exchange through EVP */
    /* One port for TLCP and TLS (70-74). */
    TLCP_R_TLS_CLIENT_HELLO =
        70, /* a TLS ClientHello at a TLCP endpoint that does not accept one */
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
    TLCP_ALERT_UNRECOGNIZED_NAME = 112,       /* RFC 6066 */
    TLCP_ALERT_NO_APPLICATION_PROTOCOL = 120, /* RFC 7301 */
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
#define TLCP_IO_ERROR      (-1)
#define TLCP_IO_WANT_READ  (-2)
#define TLCP_IO_WANT_WRITE (-3)
typedef long (*tlcp_read_fn)(void *ctx, uint8_t *buf, size_t len);
typedef long (*tlcp_write_fn)(void *ctx, const uint8_t *buf, size_t len);

/* "0.1.0" */
TLCP_API const char *tlcp_version(void);

/* A short English phrase for a reason code ("bad record MAC"). */
TLCP_API const char *tlcp_reason_string(int reason);

/* The alert's name ("bad_record_mac"), or "unknown" for an unassigned number. */
TLCP_API const char *tlcp_alert_string(int alert);

/* ---- TLCP and TLS on one port ---------------------------------------- */

/* Verdicts of tlcp_detect_protocol. */
enum tlcp_detect_verdict {
    TLCP_DETECT_NEED_MORE = 0,       /* too few bytes to tell: read more and ask again */
    TLCP_DETECT_TLCP = 1,            /* a handshake record of version 0x0101 */
    TLCP_DETECT_TLS = 2,             /* a TLS handshake record (0x0300..0x0304) */
    TLCP_DETECT_TLS_OFFERS_TLCP = 3, /* a TLS ClientHello whose first suite (signalling
                                        values and GREASE skipped) is a TLCP suite: the
                                        360 browser's form, see below */
    TLCP_DETECT_NOT_HANDSHAKE = 4    /* anything else: HTTP, garbage, not a ClientHello */
};
/* What the first bytes a client sent on a connection speak (peek them, e.g.
 * recv(MSG_PEEK), and hand the connection to libtlcp or to a TLS library).
 * Needs 3 bytes for TLCP, the record header and the ClientHello up to its
 * cipher suites for TLS (at most 5 + 2^14 bytes; every length is checked
 * against the record's). A malformed TLS ClientHello is TLCP_DETECT_TLS (the
 * TLS library answers it with an alert); a record length of 0 or over 2^14 is
 * NOT_HANDSHAKE. A service that answers 360-style hellos with TLCP
 * (tlcp_config_accept_tls_hello_for_tlcp on its config) treats
 * TLS_OFFERS_TLCP as TLCP, any other as TLS. */
TLCP_API int tlcp_detect_protocol(const uint8_t *buf, size_t len);

/* Known-answer self-test of every primitive. Each line of the report goes
 * to `report` (may be NULL). Returns TLCP_OK when all passed. */
TLCP_API tlcp_result tlcp_selftest(void (*report)(void *arg, const char *line), void *arg);

/* ====================================================================== */
/* Configuration and connections (design.md §7)                           */
/* ====================================================================== */

typedef struct tlcp_config tlcp_config; /* shared, refcounted, frozen once used */
typedef struct tlcp_conn tlcp_conn;     /* one TLCP connection */

/* Role of a connection. */
#define TLCP_CLIENT 0
#define TLCP_SERVER 1

/* Peer certificate verification. A client verifies the server always unless
 * set to NONE; a server asks for a client certificate only when its verify
 * mode is OPTIONAL or REQUIRED (default NONE on the server). */
enum tlcp_verify_mode {
    TLCP_VERIFY_NONE = 0,     /* accept any peer certificates (testing only) */
    TLCP_VERIFY_OPTIONAL = 1, /* server: request a client certificate; go on without one or
                                 with one that fails: see tlcp_conn_peer_verify_result */
    TLCP_VERIFY_REQUIRED = 2  /* default on the client */
};

/* CertificateVerify signature forms. GB/T 38636 (and Tongsuo, gotlcp,
 * GmSSL 3.1) signs SM3 of the handshake messages with SM2 including Z
 * (default ID): the "double hash". Two deployed peers differ. The values are
 * bits so that a server can accept a set of them. */
enum tlcp_cert_verify_form {
    TLCP_CV_STANDARD = 1,   /* SM2 with Z over SM3(messages): GB/T 38636 */
    TLCP_CV_GMSSL3_RAW = 2, /* SM2 with Z over the messages themselves: GmSSL 3.x master */
    TLCP_CV_GMSSL2 = 4      /* SM2 with e = SM3(messages) as the digest, no Z: GmSSL 2 */
};
#define TLCP_CV_ALL (TLCP_CV_STANDARD | TLCP_CV_GMSSL3_RAW | TLCP_CV_GMSSL2)

/* The certificates a client sends for ECC client authentication. Tongsuo
 * and GmSSL 2 servers want the encryption certificate too (they answer
 * "no certificates returned" without it); GmSSL 3 verifies the client list
 * as one chain and refuses an encryption certificate in it. ECDHE always
 * sends sign, enc, chain (the enc key is the static key-exchange key). */
enum tlcp_client_cert_list {
    TLCP_CLIENT_CERTS_SIGN_ENC = 1, /* sign, enc (when configured), chain */
    TLCP_CLIENT_CERTS_SIGN_ONLY = 2 /* sign, chain: GmSSL 3 */
};

/* Which of the peer's certificates. */
#define TLCP_CERT_SIGN 0
#define TLCP_CERT_ENC  1

/* One line of trace text (no trailing newline). */
typedef void (*tlcp_trace_fn)(void *arg, const char *line);
/* One NSS key log line: "CLIENT_RANDOM <client_random hex> <master_secret hex>". */
typedef void (*tlcp_keylog_fn)(void *arg, const char *line);
/* Called once after the built-in verification of the peer's certificates.
 * preverify_ok is 1 when they passed; `reason` describes the failure (or
 * "ok"). Return 1 to accept, 0 to reject (alert bad_certificate). The DER
 * pointers are valid during the call only; enc may be NULL (client certs). */
typedef int (*tlcp_verify_fn)(void *arg, int preverify_ok, const char *reason,
                              const uint8_t *sign_der, size_t sign_len, const uint8_t *enc_der,
                              size_t enc_len);

TLCP_API tlcp_config *tlcp_config_new(void);
TLCP_API tlcp_config *tlcp_config_up_ref(tlcp_config *cfg);
TLCP_API void tlcp_config_free(tlcp_config *cfg); /* NULL is a no-op */
/* The last configuration error as a sentence. */
TLCP_API const char *tlcp_config_error(const tlcp_config *cfg);

/* Certificates and keys: PEM or DER; `passphrase` may be NULL. The key must
 * match the certificate. A cert file may hold the leaf followed by its chain. */
TLCP_API tlcp_result tlcp_config_load_sign_pair(tlcp_config *cfg, const char *cert_file,
                                                const char *key_file, const char *passphrase);
TLCP_API tlcp_result tlcp_config_load_enc_pair(tlcp_config *cfg, const char *cert_file,
                                               const char *key_file, const char *passphrase);
/* Extra CA certificates sent after the sign and enc certificates. */
TLCP_API tlcp_result tlcp_config_load_chain_file(tlcp_config *cfg, const char *path);
/* Trust anchors for verifying the peer. */
TLCP_API tlcp_result tlcp_config_load_ca_file(tlcp_config *cfg, const char *path);
TLCP_API tlcp_result tlcp_config_load_ca_dir(tlcp_config *cfg, const char *path);
/* Certificate revocation lists (PEM, several blocks allowed, or DER; the
 * dir variant reads every *.crl, *.pem and hashed <hash>.rN file). The
 * first CRL turns revocation checking on for EVERY certificate of the
 * peer's chains, both the signing and the encryption one (each leaf and
 * each CA, the root against its own CRL). Then:
 *  - a revoked certificate: TLCP_R_CERT_REVOKED, alert certificate_revoked;
 *  - a CA without a CRL loaded: TLCP_R_CRL_MISSING ("unable to get
 *    certificate CRL"), alert certificate_unknown: load one CRL per CA;
 *  - a CRL past its nextUpdate at the verification time: TLCP_R_CRL_EXPIRED;
 *  - a CRL whose signature (SM2 with the default ID) does not verify with
 *    its issuer's key, or whose issuer lacks cRLSign: TLCP_R_CRL_INVALID;
 * the last three with alert certificate_unknown. The sentence names the
 * certificate and whether the signing or the encryption chain failed. */
TLCP_API tlcp_result tlcp_config_load_crl_file(tlcp_config *cfg, const char *path);
TLCP_API tlcp_result tlcp_config_load_crl_dir(tlcp_config *cfg, const char *path);
/* Accept a peer chain that ends at a trusted certificate that is not
 * self-signed (an intermediate loaded as a trust anchor), 1 = on. Off by
 * default: the chain must reach a trusted root. */
TLCP_API tlcp_result tlcp_config_set_partial_chain(tlcp_config *cfg, int enabled);
/* Offered (client) or accepted (server) suites, in preference order.
 * Default: ECC_SM4_GCM_SM3, ECC_SM4_CBC_SM3. */
TLCP_API tlcp_result tlcp_config_set_cipher_suites(tlcp_config *cfg, const uint16_t *suites,
                                                   size_t num_suites);
TLCP_API tlcp_result tlcp_config_set_verify_mode(tlcp_config *cfg, int mode);
/* Client: expected server host name (DNS/IP SAN, CN fallback). Required
 * when the verify mode is not NONE: without it any certificate from a
 * trusted CA would do for any server, so the handshake fails before the
 * ClientHello with TLCP_R_NO_HOST_NAME. */
TLCP_API tlcp_result tlcp_config_set_host_name(tlcp_config *cfg, const char *host);
/* Client, INSECURE: verify the server's chain but accept it for any host
 * name (lifts the TLCP_R_NO_HOST_NAME requirement; a set host name is still
 * checked). Only for peers identified some other way, e.g. by a verify
 * callback that pins the certificate. */
TLCP_API tlcp_result tlcp_config_insecure_no_verify_name(tlcp_config *cfg);
/* Server: answer a TLS ClientHello (record and client_version 0x0301..0x0303)
 * with TLCP, as the 360 browser expects when it offers the TLCP suites
 * (0xE013, 0xE053, ...) first or only: the suite is chosen among the TLCP
 * suites as always; the ServerHello and every record we send carry 0x0101;
 * the client's records may carry 0x0301..0x0303 until its ChangeCipherSpec
 * (protected records must be 0x0101); the ClientHello enters the transcript
 * as received. The pre-master secret must still start with 0x0101 (ECC
 * suites). Off by default: such a hello then fails with
 * TLCP_R_TLS_CLIENT_HELLO (a TLS record version: TLCP_R_PROTOCOL_VERSION),
 * alert protocol_version. */
TLCP_API tlcp_result tlcp_config_accept_tls_hello_for_tlcp(tlcp_config *cfg, int enabled);
/* Client: also send the host name as SNI (off by default: GmSSL 3 rejects
 * unknown ClientHello extensions). */
TLCP_API tlcp_result tlcp_config_set_send_sni(tlcp_config *cfg, int enabled);
/* ECDHE client: send the ClientKeyExchange point with a 2-byte length
 * prefix (71 bytes, what GmSSL 3 expects) instead of the 69-byte form that
 * Tongsuo, GmSSL 2 and gotlcp use (default off). Servers accept both. */
TLCP_API tlcp_result tlcp_config_set_ecdhe_cke_length_prefix(tlcp_config *cfg, int enabled);
/* Client: the form of our CertificateVerify, one tlcp_cert_verify_form
 * (default TLCP_CV_STANDARD). GmSSL 3.x master as server wants
 * TLCP_CV_GMSSL3_RAW (its issue #1917), GmSSL 2 wants TLCP_CV_GMSSL2. */
TLCP_API tlcp_result tlcp_config_set_cert_verify_form(tlcp_config *cfg, int form);
/* Server: the set of forms accepted from a client; it must contain
 * TLCP_CV_STANDARD. Default TLCP_CV_ALL (interoperability); TLCP_CV_STANDARD
 * alone is strict GB/T 38636. Every form is checked with the key of the
 * client's sign certificate only. */
TLCP_API tlcp_result tlcp_config_set_cert_verify_accept(tlcp_config *cfg, unsigned forms);
/* Older spelling: form TLCP_CV_GMSSL3_RAW when enabled, else TLCP_CV_STANDARD. */
TLCP_API tlcp_result tlcp_config_set_cert_verify_raw(tlcp_config *cfg, int enabled);
/* Client: the list sent for ECC client authentication, one
 * tlcp_client_cert_list. Default: TLCP_CLIENT_CERTS_SIGN_ONLY when the
 * CertificateVerify form is TLCP_CV_GMSSL3_RAW (a GmSSL 3 server), else
 * TLCP_CLIENT_CERTS_SIGN_ENC. */
TLCP_API tlcp_result tlcp_config_set_client_cert_list(tlcp_config *cfg, int list);
/* Largest accepted Certificate message body (default 102400). */
TLCP_API tlcp_result tlcp_config_set_max_cert_list(tlcp_config *cfg, size_t max_len);
/* Verify certificates as of this time (seconds since the epoch); 0 = now. */
TLCP_API tlcp_result tlcp_config_set_verify_time(tlcp_config *cfg, int64_t unix_time);
TLCP_API tlcp_result tlcp_config_set_trace(tlcp_config *cfg, tlcp_trace_fn fn, void *arg);
TLCP_API tlcp_result tlcp_config_set_keylog(tlcp_config *cfg, tlcp_keylog_fn fn, void *arg);
TLCP_API tlcp_result tlcp_config_set_verify_callback(tlcp_config *cfg, tlcp_verify_fn fn,
                                                     void *arg);

/* ---- Delegated private keys (keys in a cipher card, HSM or key server) ----
 *
 * A key pair may be a certificate plus a callback instead of a loaded
 * private key. A full handshake needs the private keys for at most these
 * operations, each handed to the callback as one tlcp_key_op:
 *   server, every suite:  SIGN   ServerKeyExchange (sign key)
 *   server, ECC suites:   DECRYPT the ClientKeyExchange pre-master (enc key)
 *   ECDHE, both roles:    KX     the SM2 key exchange (enc key = static key)
 *   client, client auth:  SIGN   CertificateVerify (sign key)
 * The callback returns TLCP_KEY_OP_DONE with the result in `out`, or
 * TLCP_KEY_OP_FAILED, or TLCP_KEY_OP_PENDING: the handshake call then
 * returns TLCP_WANT_KEY_OPERATION and the application later hands the
 * result to tlcp_conn_key_operation_done() (on the thread that drives the
 * connection: a worker thread wakes that loop through a pipe or eventfd).
 * The op and everything it points to stay valid until then (or until the
 * connection is freed). A failed or timed-out SIGN or KX ends the handshake
 * with TLCP_R_KEY_OP_* and alert internal_error. A failed DECRYPT does not:
 * the server goes on with a random pre-master so that the failure shows
 * only at Finished, exactly like a bad ciphertext (no decryption oracle). */
enum tlcp_key_op_type {
    TLCP_KEY_OP_SIGN = 1,    /* SM2 signature, DER SEQUENCE{r,s}, at most 72 bytes */
    TLCP_KEY_OP_DECRYPT = 2, /* SM2 decryption of a GM/T 0009 DER ciphertext: 48 bytes */
    TLCP_KEY_OP_KX = 3       /* SM2 key exchange (GB/T 32918.3): out_len bytes */
};
/* What a tlcp_key_op_fn returns. */
enum tlcp_key_op_status {
    TLCP_KEY_OP_FAILED = 0,
    TLCP_KEY_OP_DONE = 1,   /* the result is in out / *out_len */
    TLCP_KEY_OP_PENDING = 2 /* the result comes through tlcp_conn_key_operation_done() */
};
#define TLCP_KEY_OP_MAX_OUT 72 /* the largest result of any operation */

typedef struct tlcp_key_op {
    int type;                    /* enum tlcp_key_op_type */
    int key;                     /* TLCP_CERT_SIGN (SIGN) or TLCP_CERT_ENC (DECRYPT, KX) */
    int role;                    /* TLCP_CLIENT / TLCP_SERVER: who asks */
    size_t max_out;              /* room for the result (TLCP_KEY_OP_MAX_OUT) */
    const uint8_t *public_point; /* the key's public point 04||X||Y (65), from its certificate */
    /* SIGN: digest is the SM2 e to sign, 32 bytes. With has_z = 1 it is
     * SM3(Z || msg), Z computed for the key and id (a card that computes Z
     * itself may sign msg with id instead); has_z = 0 (GmSSL 2
     * CertificateVerify) means sign e as it is, msg = NULL. */
    const uint8_t *digest;
    int has_z;
    const uint8_t *msg;
    size_t msg_len;
    const uint8_t *id;
    size_t id_len;
    /* DECRYPT: the ciphertext. */
    const uint8_t *in;
    size_t in_len;
    /* KX: the TLCP profile (server = initiator A, both IDs the default ID).
     * The card holds the static enc key; the ephemeral key of this side is
     * generated by libtlcp for the handshake and given here whole (private
     * scalar, 32 bytes, and point); the peer's points come from its enc
     * certificate and its key-exchange message. Result: out_len (48) bytes. */
    int initiator;
    const uint8_t *self_eph_private;
    const uint8_t *self_eph_point;
    const uint8_t *peer_static_point;
    const uint8_t *peer_eph_point;
    const uint8_t *self_id;
    size_t self_id_len;
    const uint8_t *peer_id;
    size_t peer_id_len;
    size_t out_len;
} tlcp_key_op;

/* `conn` is the connection asking (for tlcp_conn_key_operation_done). */
typedef int (*tlcp_key_op_fn)(void *arg, tlcp_conn *conn, const tlcp_key_op *op, uint8_t *out,
                              size_t *out_len);

/* The certificate of a pair whose private key stays with `fn` (which =
 * TLCP_CERT_SIGN or TLCP_CERT_ENC). Like load_sign_pair/load_enc_pair
 * otherwise (a cert file may hold the chain). */
TLCP_API tlcp_result tlcp_config_load_delegated_pair(tlcp_config *cfg, int which,
                                                     const char *cert_file, tlcp_key_op_fn fn,
                                                     void *arg);
/* How long a pending operation may take (default 10000 ms, 1..3600000). */
TLCP_API tlcp_result tlcp_config_set_key_operation_timeout(tlcp_config *cfg, unsigned ms);
/* Completes the pending operation: `result` (len bytes) or NULL = failed.
 * TLCP_OK when taken; TLCP_ERROR with the connection untouched when no
 * operation is pending (also a second call); TLCP_ERROR after recording a
 * failed operation when the result has the wrong size (larger than the
 * op's max_out, a KX result not out_len bytes, an empty signature).
 * Then call the interrupted function again. */
TLCP_API tlcp_result tlcp_conn_key_operation_done(tlcp_conn *conn, const uint8_t *result,
                                                  size_t len);
/* Milliseconds until the pending operation times out (0 when it has), or -1
 * when none is pending: a bound for the application's poll. */
TLCP_API long tlcp_conn_key_operation_wait_ms(const tlcp_conn *conn);

/* A loaded private key that performs tlcp_key_op requests itself: for key
 * servers, tests, and callbacks that move the work to another thread. */
typedef struct tlcp_private_key tlcp_private_key;
/* Loads a certificate and its private key (the checks of load_sign_pair).
 * NULL on failure, with the sentence in err_buf (may be NULL). */
TLCP_API tlcp_private_key *tlcp_private_key_load(const char *cert_file, const char *key_file,
                                                 const char *passphrase, char *err_buf,
                                                 size_t err_cap);
/* The same with the private key given as a URI held by an OpenSSL 3
 * provider (the rules of tlcp_config_load_pair_uri), opened in OpenSSL's
 * default library context (providers from OPENSSL_CONF): SIGN and DECRYPT
 * run in the provider; KX fails (no SM2 key exchange through EVP). */
TLCP_API tlcp_private_key *tlcp_private_key_load_uri(const char *cert_file, const char *key_uri,
                                                     const char *passphrase, char *err_buf,
                                                     size_t err_cap);
TLCP_API void tlcp_private_key_free(tlcp_private_key *key); /* NULL is a no-op */
/* The certificate's public point (65 bytes). */
TLCP_API const uint8_t *tlcp_private_key_point(const tlcp_private_key *key);
/* Performs `op` (op->key is not checked: the caller chose the key).
 * TLCP_KEY_OP_DONE with the result, or TLCP_KEY_OP_FAILED (bad ciphertext,
 * bad peer point, result larger than op->max_out). Thread-safe. */
TLCP_API int tlcp_private_key_perform(const tlcp_private_key *key, const tlcp_key_op *op,
                                      uint8_t *out, size_t *out_len);
/* ---- Keys given as a URI, held by an OpenSSL 3 provider ------------------
 * A pair's private key may be a URI that an OpenSSL 3 provider's store
 * loader opens: "pkcs11:token=...;object=..." (pkcs11-provider), a vendor
 * provider's own scheme for its SDF/SKF card, or "file:/path/key.pem". The
 * key may be only a handle: its private half stays in the provider, and
 * libtlcp performs the pair's operations through EVP in that provider (the
 * ServerKeyExchange and CertificateVerify signatures, the ECC
 * ClientKeyExchange decryption), synchronously, as a delegated key
 * (tlcp_key_op_fn) whose callback is built in. The key must be of
 * OpenSSL's type "SM2" and match the certificate's public key.
 * Limit: OpenSSL 3 has no SM2 key exchange through EVP, so an ENCRYPTION
 * key given as a URI cannot run the ECDHE suites: loading it while ECDHE
 * suites are configured, or configuring them afterwards, fails with
 * TLCP_R_KEY_URI_NO_KX (a URI signing key works with every suite). See
 * docs/KEYS.md. */
/* Loads the certificate (a file, as for tlcp_config_load_sign_pair, or a
 * URI of the same form as key_uri, opened in the same store context: its
 * first certificate is the leaf, the others are its chain) and
 * opens the private key at key_uri (which = TLCP_CERT_SIGN or
 * TLCP_CERT_ENC). The URI must start with SCHEME ":" (two or more
 * characters: a letter, then letters, digits, '+', '-', '.'); a URI that is
 * also the name of a file in the current directory is refused (OpenSSL would
 * read the file): write file:NAME. passphrase (may be NULL) answers the
 * loader's PIN or passphrase request; nothing is ever prompted for. Errors:
 * TLCP_R_KEY_STORE (no loader for the scheme, nothing at the URI, no private
 * key there), TLCP_R_BAD_KEY (not an SM2 key), TLCP_R_KEY_CERT_MISMATCH,
 * TLCP_R_KEY_URI_NO_KX, TLCP_R_INVALID_ARGUMENT (not a URI). A provider's
 * failure during a handshake is a failed delegated operation
 * (TLCP_R_KEY_OP_FAILED, alert internal_error; a decryption fails like a
 * bad ciphertext, at Finished). */
/* 1 when `text` has the URI form load_pair_uri wants (what tools use to
 * tell a key URI from a key file name). */
TLCP_API int tlcp_is_key_uri(const char *text);
TLCP_API tlcp_result tlcp_config_load_pair_uri(tlcp_config *cfg, int which, const char *cert_file,
                                               const char *key_uri, const char *passphrase);
/* Opens key URIs in a library context of this config's own instead of
 * OpenSSL's default one, with OpenSSL's default provider and `name` loaded
 * into it (as OSSL_PROVIDER_load takes it: a module name looked up in
 * search_path, NULL = OpenSSL's modules directory, or a path to the module).
 * Call once per provider, before tlcp_config_load_pair_uri. Without any
 * call, URIs are opened in the default context, configured as usual by
 * OPENSSL_CONF (the openssl.cnf [provider_sect] that activates
 * pkcs11-provider, for instance). TLCP_R_KEY_STORE when the module cannot
 * be loaded or fails to initialise. */
TLCP_API tlcp_result tlcp_config_load_key_provider(tlcp_config *cfg, const char *name,
                                                   const char *search_path);
/* The OpenSSL property query used to open key URIs and fetch their
 * operations ("provider=pkcs11"), or NULL (the default) for none. */
TLCP_API tlcp_result tlcp_config_set_key_propquery(tlcp_config *cfg, const char *propq);

/* ---- ALPN (RFC 7301, extension 16) ---------------------------------------
 * Application protocols, in preference order, as a comma-separated list:
 * "h2,http/1.1". Each name is 1 to 255 bytes of visible ASCII other than
 * ',' (so a name with a comma or a space cannot be configured); at most 32
 * names. NULL or "" clears the list.
 * Client: offered in the ClientHello (nothing is sent without a list: GmSSL 3
 * closes on extensions it does not know). The server's answer must be one of
 * them, else the handshake fails with illegal_parameter
 * (TLCP_R_ALPN_NOT_OFFERED); an answer to a ClientHello without ALPN fails
 * with unsupported_extension.
 * Server: the first of ours (our order, not the client's) that the client
 * offered is selected, unless a selection callback is set. No protocol in
 * common: the handshake goes on without ALPN, or fails with alert
 * no_application_protocol (120, TLCP_R_NO_APPLICATION_PROTOCOL) when
 * tlcp_config_set_alpn_required() is on. A malformed list from the peer is
 * decode_error (also on a server without ALPN configured). */
TLCP_API tlcp_result tlcp_config_set_alpn(tlcp_config *cfg, const char *protocols);
/* Server: refuse with no_application_protocol (120) a client whose offer has
 * no protocol in common with ours, or that offers none at all, or that the
 * selection callback refused or answered with TLCP_ALPN_NONE. Default off. */
TLCP_API tlcp_result tlcp_config_set_alpn_required(tlcp_config *cfg, int required);

/* What a server's ALPN selection callback answers. */
enum tlcp_alpn_choice {
    TLCP_ALPN_SELECTED = 0, /* *out / *out_len name one of the offered protocols */
    TLCP_ALPN_NONE = 1,     /* go on without ALPN (refused anyway when required) */
    TLCP_ALPN_REFUSE = 2    /* fail: alert no_application_protocol (120) */
};
/* Server: chooses the protocol instead of the built-in preference order.
 * Called once per full or abbreviated handshake, only when the client sent
 * ALPN. `server_name` is the client's SNI (NULL when none). `offered` is the
 * client's list on the wire: names of 1-255 bytes, each after one length
 * byte ("\x02h2\x08http/1.1"). On TLCP_ALPN_SELECTED *out must point to
 * *out_len bytes equal to one of the offered names (they are copied before
 * the callback's memory matters again); anything else fails the handshake
 * with internal_error (TLCP_R_NO_APPLICATION_PROTOCOL). */
typedef int (*tlcp_alpn_select_fn)(void *arg, const char *server_name, const uint8_t *offered,
                                   size_t offered_len, const uint8_t **out, size_t *out_len);
TLCP_API tlcp_result tlcp_config_set_alpn_select_cb(tlcp_config *cfg, tlcp_alpn_select_fn fn,
                                                    void *arg);

/* ---- Certificates per server name (SNI) -----------------------------------
 * Server: another sign+enc pair, served to clients whose SNI matches `name`:
 * an exact host name ("www.example.com") or "*." and a domain
 * ("*.example.com": one label more, so neither "example.com" nor
 * "a.b.example.com"); case-insensitive; an exact name wins over a wildcard.
 * The files are read as by tlcp_config_load_sign_pair / _enc_pair (the
 * chain, if any, follows the leaves in their files; the --chain file of
 * the default pair is not sent with a named pair). Clients without SNI or
 * with a name no pair matches get the default pair (the one loaded with
 * tlcp_config_load_sign_pair / _enc_pair); without a default pair they are
 * refused with alert unrecognized_name (112, TLCP_R_UNKNOWN_SERVER_NAME).
 * At most 64 names; a name given twice is an error. Sessions stay bound to
 * the exact server name they were made with, so a session is never resumed
 * under another name (or pair). */
TLCP_API tlcp_result tlcp_config_add_cert_pair_for_name(tlcp_config *cfg, const char *name,
                                                        const char *sign_cert, const char *sign_key,
                                                        const char *enc_cert, const char *enc_key,
                                                        const char *passphrase);
/* The same where a key may be a URI held by an OpenSSL 3 provider (the
 * rules of tlcp_config_load_pair_uri: opened with this config's providers
 * and property query, an enc key URI rules out the ECDHE suites): each key
 * of the URI form is opened as one, any other is a key file. The
 * certificate of a URI key may itself be a URI of the key's store
 * ("file:/etc/tls/sign.pem", "pkcs11:...;type=cert"): its first certificate
 * is the leaf, the others are its chain. */
TLCP_API tlcp_result tlcp_config_add_cert_pair_uri_for_name(
    tlcp_config *cfg, const char *name, const char *sign_cert, const char *sign_key,
    const char *enc_cert, const char *enc_key, const char *passphrase);

/* Server: remember up to max_sessions sessions for session-ID resumption
 * (abbreviated handshake), each for lifetime_seconds (0 = 3600). 0 sessions
 * (the default) turns resumption off: the ServerHello then carries an empty
 * session ID. Sessions that used client certificates are not cached. The
 * cache is one tlcp_session_store (below): it replaces a store set before,
 * and forgets a session whose connection ended with a fatal alert. */
TLCP_API tlcp_result tlcp_config_set_session_cache(tlcp_config *cfg, size_t max_sessions,
                                                   unsigned lifetime_seconds);

/* Session tickets (RFC 5077), off by default in both roles.
 * Client: enable = 1 offers the session_ticket extension (empty, or the
 * session's ticket when one is set with tlcp_conn_set_session()), keeps a
 * ticket the server sends in the session of tlcp_conn_get_session() (and
 * in its export) and resumes with it. Off by default because GmSSL 3 closes
 * the connection on an unknown extension. With tickets off, a ServerHello
 * announcing a ticket fails with unsupported_extension
 * (TLCP_R_EXTENSION_NOT_OFFERED), and a NewSessionTicket the ServerHello
 * did not announce with unexpected_message.
 * Server: enable = 1 issues tickets to clients that ask, sealed with
 * SM4-GCM under a random key made now unless keys were added already;
 * enable = 0 removes every key (no tickets). A ticket that cannot be used
 * (garbled, foreign or removed key, expired, other server name) gives a
 * full handshake, never an error. Before the config is in use. */
TLCP_API tlcp_result tlcp_config_set_session_tickets(tlcp_config *cfg, int enable);
#define TLCP_TICKET_KEY_NAME_LEN 16
/* Server: adds the ticket key `name`, derived with HMAC-SM3 from `secret`
 * (16 to 64 bytes), as the newest: it seals new tickets, every key opens
 * them (up to 16 keys; adding more drops the oldest, a known name is
 * replaced). Tickets sealed under an older key are renewed on resumption.
 * Adding a key turns server tickets on. Unlike other setters, the ticket
 * key calls work while connections use the config (rotation). */
TLCP_API tlcp_result tlcp_config_add_ticket_key(tlcp_config *cfg,
                                                const uint8_t name[TLCP_TICKET_KEY_NAME_LEN],
                                                const uint8_t *secret, size_t secret_len);
/* Server: removes a key; its tickets then give full handshakes.
 * TLCP_ERROR when no key has that name. */
TLCP_API tlcp_result tlcp_config_remove_ticket_key(tlcp_config *cfg,
                                                   const uint8_t name[TLCP_TICKET_KEY_NAME_LEN]);
/* Server: replaces the keys (and the lifetime) with those of a key file
 * (docs/DESIGN.md "Ticket key files": lines "key NAME SECRET" in hex,
 * oldest first, and "lifetime SECONDS"). On a malformed file nothing
 * changes and the error (TLCP_R_TICKET_KEY_FILE) names file and line. */
TLCP_API tlcp_result tlcp_config_load_ticket_keys(tlcp_config *cfg, const char *path);
/* Server: how long tickets are valid, sent as the lifetime hint (1 to
 * 604800 seconds, default 7200). */
TLCP_API tlcp_result tlcp_config_set_ticket_lifetime(tlcp_config *cfg, uint32_t seconds);
/*
 * Server: a session store of the application's (Redis, memcached, a file),
 * so several processes or machines resume each other's sessions. The value
 * handed to new_session and taken by tlcp_conn_session_lookup_done() is the
 * session in the tlcp_session_export() format (it holds the MASTER SECRET:
 * encrypt it if the store is not private). libtlcp checks what comes back:
 * the session ID, the client's server_name, that the suite is offered and
 * enabled and that it has not expired; anything else is a full handshake.
 * A store's failures never fail a connection: a get that fails is a full
 * handshake, a failed new_session or remove_session is traced and ignored.
 * Callbacks run on the thread that drives the connection, from inside
 * tlcp_handshake / tlcp_read / tlcp_write (a session is removed when one of
 * them ends the connection with a fatal alert, sent or received).
 */
enum tlcp_store_answer {
    TLCP_STORE_ANSWERED = 0, /* get: answered (or not found) inside the callback */
    TLCP_STORE_PENDING = 1,  /* get: will answer later, with lookup_done */
    TLCP_STORE_FAILED = -1   /* any callback: the store failed (full handshake) */
};
typedef struct tlcp_session_store {
    /* A full handshake made a resumable session: keep `data` (len bytes)
     * under `id` for `lifetime` seconds. 0 or TLCP_STORE_FAILED. NULL = none.
     * Called once the client's Finished is verified and before the server's
     * Finished is sent: the client can reconnect (to another process) as
     * soon as it has that Finished, so send the session on its way now. */
    int (*new_session)(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len,
                       const uint8_t *data, size_t len, unsigned lifetime);
    /* The client offers `id` (tlcp_conn_server_name(conn) is known by now):
     * call tlcp_conn_session_lookup_done() inside the callback and return
     * TLCP_STORE_ANSWERED, or return TLCP_STORE_PENDING and call it later
     * (the handshake returns TLCP_WANT_SESSION until then), or return
     * TLCP_STORE_FAILED. NULL = the store never resumes. */
    int (*get_session)(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len);
    /* The session must not be resumed any more (the connection that made
     * or resumed it ended with a fatal alert). 0 or TLCP_STORE_FAILED. */
    int (*remove_session)(void *arg, tlcp_conn *conn, const uint8_t *id, size_t id_len);
    unsigned lifetime_seconds; /* how long a session may be resumed; 0 = 3600 */
} tlcp_session_store;
/* Uses `store` (copied; arg is passed to every callback) instead of the
 * built-in cache of tlcp_config_set_session_cache (which is one such store:
 * the last of the two calls wins). NULL turns resumption off. */
TLCP_API tlcp_result tlcp_config_set_session_store(tlcp_config *cfg,
                                                   const tlcp_session_store *store, void *arg);

/* A session to resume (client side): the server's session ID, the suite,
 * the master secret and the server's certificates. Reference counted; use
 * one from one thread at a time. */
typedef struct tlcp_session tlcp_session;

/* A connection takes a reference on cfg and freezes it. role: TLCP_CLIENT or
 * TLCP_SERVER. NULL on allocation failure or an unusable config. */
TLCP_API tlcp_conn *tlcp_conn_new(tlcp_config *cfg, int role);
TLCP_API void tlcp_conn_free(tlcp_conn *conn); /* NULL is a no-op */
TLCP_API void tlcp_conn_set_io(tlcp_conn *conn, tlcp_read_fn read_cb, tlcp_write_fn write_cb,
                               void *ctx);
/* Built-in transport over a file descriptor (socket or pipe), blocking or
 * non-blocking: EAGAIN becomes TLCP_WANT_READ / TLCP_WANT_WRITE. libtlcp
 * does not close the fd. */
TLCP_API tlcp_result tlcp_conn_set_fd(tlcp_conn *conn, int fd);

/* Runs the handshake until done (TLCP_OK), blocked (WANT_*), or failed. */
TLCP_API tlcp_result tlcp_handshake(tlcp_conn *conn);
/* Reads application data (runs the handshake first if needed). OK with
 * *out_n > 0, CLOSED after the peer's close_notify, WANT_*, or ERROR. */
TLCP_API tlcp_result tlcp_read(tlcp_conn *conn, void *buf, size_t len, size_t *out_n);
/* Writes application data. OK with *out_n bytes accepted (may be less than
 * len: at most 64 KiB per call). After WANT_WRITE call again with the same
 * arguments: nothing is repeated or lost. */
TLCP_API tlcp_result tlcp_write(tlcp_conn *conn, const void *buf, size_t len, size_t *out_n);
/* Sends close_notify (and flushes). OK when sent; WANT_WRITE to retry. */
TLCP_API tlcp_result tlcp_shutdown(tlcp_conn *conn);

/* Client: the session of the completed handshake, to offer again with
 * tlcp_conn_set_session() (a new reference), or NULL when the server gave
 * no session ID. */
TLCP_API tlcp_session *tlcp_conn_get_session(const tlcp_conn *conn);
/* Client, before the handshake: offer `session`. The server may resume it
 * (abbreviated handshake) or run a full handshake instead. */
TLCP_API tlcp_result tlcp_conn_set_session(tlcp_conn *conn, tlcp_session *session);
TLCP_API void tlcp_session_free(tlcp_session *session); /* NULL is a no-op */

/* Sessions saved and loaded (a client's session in a file, a server's in a
 * shared store). The data holds the MASTER SECRET: whoever reads it can
 * decrypt the connections that resume it, so keep it like a private key.
 * Its SM3 checksum detects corruption, NOT tampering: it gives no
 * authenticity and no confidentiality. Format version 1 (docs/API.md):
 * magic "TLCS", version, suite, session ID, master secret, creation time,
 * lifetime, whether the peer was verified, the host name it is bound to and
 * the peer's certificates. */
#define TLCP_SESSION_EXPORT_MAX 65536 /* largest export; import refuses more */
/* Writes the session into out. *out_len gets the size; when cap is too small
 * (or out is NULL) returns TLCP_ERROR with *out_len = the size needed. */
TLCP_API tlcp_result tlcp_session_export(const tlcp_session *session, uint8_t *out, size_t cap,
                                         size_t *out_len);
/* A new session from exported data, or TLCP_ERROR with *out_reason (may be
 * NULL) = TLCP_R_SESSION_FORMAT (not session data, truncated, oversize,
 * malformed), TLCP_R_SESSION_VERSION, TLCP_R_SESSION_INTEGRITY (checksum),
 * TLCP_R_SESSION_EXPIRED or TLCP_R_ALLOC. The imported session is offered
 * under the same rules as the one exported: same host name, expiry. */
TLCP_API tlcp_result tlcp_session_import(const uint8_t *in, size_t len, tlcp_session **out,
                                         int *out_reason);
/* The same as PEM text between "-----BEGIN TLCP SESSION PARAMETERS-----" and
 * "-----END TLCP SESSION PARAMETERS-----" (64-character lines). out gets a
 * NUL-terminated text, *out_len its length without the NUL; cap must be at
 * least *out_len + 1 (TLCP_ERROR with *out_len set when it is not). */
TLCP_API tlcp_result tlcp_session_export_pem(const tlcp_session *session, char *out, size_t cap,
                                             size_t *out_len);
/* Reads the first such block in text (other text around it is ignored). */
TLCP_API tlcp_result tlcp_session_import_pem(const char *text, size_t len, tlcp_session **out,
                                             int *out_reason);
/* 1 when the session holds a server's session ticket; its lifetime hint in
 * seconds (0 = none given). */
TLCP_API int tlcp_session_has_ticket(const tlcp_session *session);
TLCP_API uint32_t tlcp_session_ticket_lifetime_hint(const tlcp_session *session);
/* Server: the answer to the store's get_session, inside the callback or
 * after it returned TLCP_STORE_PENDING. data/len: the exported session, or
 * NULL/0 for "not found" or "the lookup failed" (a full handshake either
 * way; data that does not decode or does not fit is treated the same).
 * TLCP_ERROR when no lookup is waiting (a late or second answer, a client
 * connection): the answer is dropped and the connection is not harmed. */
TLCP_API tlcp_result tlcp_conn_session_lookup_done(tlcp_conn *conn, const uint8_t *data,
                                                   size_t len);
/* SM4-GCM for data kept outside the process, e.g. exported sessions in a
 * shared store (the export alone is not confidential nor authentic). key:
 * 16 bytes; aad (may be NULL/0) is authenticated, not stored (the store's
 * key, so a value cannot be moved to another entry). out = random nonce
 * (12) || ciphertext || tag (16): len + TLCP_SEAL_OVERHEAD bytes, written
 * to *out_len even when cap is too small (TLCP_ERROR then). Random nonces:
 * keep well below 2^32 seals per key. tlcp_unseal: TLCP_ERROR when the
 * data was altered, sealed under another key or another aad. */
#define TLCP_SEAL_OVERHEAD 28
TLCP_API tlcp_result tlcp_seal(const uint8_t key[16], const uint8_t *aad, size_t aad_len,
                               const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                               size_t *out_len);
TLCP_API tlcp_result tlcp_unseal(const uint8_t key[16], const uint8_t *aad, size_t aad_len,
                                 const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                                 size_t *out_len);
/* 1 when the completed handshake resumed a session. */
TLCP_API int tlcp_conn_session_reused(const tlcp_conn *conn);

/* Server: the host name the client asked for (SNI), or NULL when it sent
 * none. Client: the configured host name. */
TLCP_API const char *tlcp_conn_server_name(const tlcp_conn *conn);

/* The ALPN protocol agreed on in the handshake: 1 with *out / *out_len set
 * (bytes, not NUL-terminated, valid while conn lives), or 0 with NULL / 0
 * when none was agreed (either side sent no ALPN, no overlap). */
TLCP_API int tlcp_conn_alpn_selected(const tlcp_conn *conn, const uint8_t **out, size_t *out_len);

/* 1 when a CertificateRequest was part of the handshake (client: the server
 * asked for our certificate; server: we asked), also after a failure. */
TLCP_API int tlcp_conn_cert_requested(const tlcp_conn *conn);
/* The outcome of the peer's certificate checks, one of: */
enum tlcp_peer_verify_status {
    TLCP_PEER_NOT_CHECKED = 0,      /* verify mode NONE, no certificate requested, or not yet */
    TLCP_PEER_VERIFIED = 1,         /* every check passed */
    TLCP_PEER_NO_CERT = 2,          /* server, mode OPTIONAL: the client sent no certificate */
    TLCP_PEER_VERIFY_FAILED = 3,    /* server, mode OPTIONAL: the checks failed and the
                                       handshake went on; the reason says why */
    TLCP_PEER_VERIFY_OVERRIDDEN = 4 /* the checks failed, the verify callback accepted */
};
/* Server with verify mode OPTIONAL: the handshake completes whether the
 * client sent no certificate, one that failed verification (unknown CA,
 * revoked, expired, ...) or a good one; the application MUST look here
 * before trusting the client's identity. (A client that sent certificates
 * still proves it holds the signing key: CertificateVerify is checked in
 * every case.) REQUIRED fails the handshake in both cases. On a client
 * OPTIONAL is the same as REQUIRED: a server is always verified unless the
 * mode is NONE. Returns the status; *out_reason (may be NULL) gets the
 * TLCP_R_* of the failure (TLCP_R_NO_PEER_CERT for NO_CERT, TLCP_R_NONE
 * when verified or not checked). */
TLCP_API int tlcp_conn_peer_verify_result(const tlcp_conn *conn, int *out_reason);
/* 1 once the handshake completed. */
TLCP_API int tlcp_conn_handshake_done(const tlcp_conn *conn);
/* The negotiated suite (0 before ServerHello) and its GB/T name. */
TLCP_API uint16_t tlcp_conn_cipher_suite(const tlcp_conn *conn);
TLCP_API const char *tlcp_conn_cipher_suite_name(const tlcp_conn *conn);
/* The peer's certificate DER (which = TLCP_CERT_SIGN / TLCP_CERT_ENC). */
TLCP_API tlcp_result tlcp_conn_peer_cert(const tlcp_conn *conn, int which, const uint8_t **out_der,
                                         size_t *out_len);
/* The same as PEM text ("-----BEGIN CERTIFICATE-----"), NUL-terminated;
 * *out_len gets its length without the NUL. When cap is too small (or out
 * NULL) returns TLCP_ERROR with *out_len set: cap must be *out_len + 1. */
TLCP_API tlcp_result tlcp_conn_peer_cert_pem(const tlcp_conn *conn, int which, char *out,
                                             size_t cap, size_t *out_len);
/* One-line subject ("CN=..., O=...") of the peer's certificate, or NULL. */
TLCP_API const char *tlcp_conn_peer_subject(const tlcp_conn *conn, int which);
/* Why the connection failed: a sentence, the reason code, and the alerts
 * sent to / received from the peer (-1 when none). */
TLCP_API const char *tlcp_conn_error(const tlcp_conn *conn);
TLCP_API int tlcp_conn_error_reason(const tlcp_conn *conn);
TLCP_API int tlcp_conn_alert_sent(const tlcp_conn *conn);
TLCP_API int tlcp_conn_alert_received(const tlcp_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* TLCP_TLCP_H */

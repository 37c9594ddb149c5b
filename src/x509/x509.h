/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The certificate layer: X.509 certificates, key pairs, trust stores, peer
 * chain verification and test-PKI generation for TLCP.
 *
 * This header is OpenSSL-free so that src/handshake and the CLI can use it;
 * the implementation (the files of src/x509) wraps OpenSSL's X509 / X509_STORE.
 *
 * Conventions (as everywhere in libtlcp):
 *  - functions returning int return 1 on success and 0 on failure; failures
 *    are recorded in the caller's tlcp_error slot with a TLCP_R_* reason, a
 *    human sentence and, where the failure concerns a peer's certificates,
 *    the alert the handshake should send (err->alert);
 *  - functions returning a pointer return NULL on failure;
 *  - objects are reference counted where noted; `_free(NULL)` is a no-op;
 *    reference counts are not atomic: share an object between threads only
 *    while nobody takes or drops references (configs are frozen once used).
 *
 * The SM2 distinguishing ID "1234567812345678" is attached to every
 * certificate signed with SM3withSM2 that passes through this layer (parsed,
 * generated or looked up in a CA directory), so OpenSSL 3.0 verifies SM2
 * certificate signatures the way GmSSL and Tongsuo produce them.
 *
 * Typical use by the handshake:
 *
 *   server config:   creds = tlcp_credentials_new(err);
 *                    tlcp_credentials_load_sign(creds, "sign.pem", "sign.key", pw, err);
 *                    tlcp_credentials_load_enc(creds, "enc.pem", "enc.key", pw, err);
 *                    tlcp_credentials_load_chain_file(creds, "chain.pem", err);   (optional)
 *                    tlcp_credentials_check(creds, 1, err);
 *   Certificate out: n = tlcp_credentials_wire_list(creds, ders, lens, TLCP_X509_MAX_LIST);
 *   client config:   store = tlcp_trust_store_new(err); tlcp_trust_store_load_file(store, ca, err);
 *   Certificate in:  tlcp_peer_certs_parse(&peer, ders, lens, n, err);  (classifies sign/enc)
 *                    tlcp_verify_peer(store, &peer, &params, &result, err);
 *                    key = tlcp_cert_public_key(peer.enc, err);      (for ClientKeyExchange)
 *                    tlcp_peer_certs_clear(&peer);
 */
#ifndef TLCP_X509_X509_H
#define TLCP_X509_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/crypto.h"
#include "util/safety.h"

/* The SM2 user ID every TLCP implementation uses for certificates. */
#define TLCP_SM2_DEFAULT_ID     "1234567812345678"
#define TLCP_SM2_DEFAULT_ID_LEN 16

/* Largest certificate or certificate file this layer reads (bytes). */
#define TLCP_X509_MAX_FILE (4u * 1024u * 1024u)
/* Largest certificate list accepted from a peer or a chain file. */
#define TLCP_X509_MAX_LIST 16

/* ==== Certificates ===================================================== */

typedef struct tlcp_cert tlcp_cert; /* one X.509 certificate, refcounted, immutable */

/* keyUsage bits (our own numbering; meaning as in RFC 5280 4.2.1.3). */
#define TLCP_KU_DIGITAL_SIGNATURE 0x0001u
#define TLCP_KU_NON_REPUDIATION   0x0002u
#define TLCP_KU_KEY_ENCIPHERMENT  0x0004u
#define TLCP_KU_DATA_ENCIPHERMENT 0x0008u
#define TLCP_KU_KEY_AGREEMENT     0x0010u
#define TLCP_KU_KEY_CERT_SIGN     0x0020u
#define TLCP_KU_CRL_SIGN          0x0040u
#define TLCP_KU_ENCIPHER_ONLY     0x0080u
#define TLCP_KU_DECIPHER_ONLY     0x0100u
/* Any of these makes a certificate usable as a TLCP encryption certificate. */
#define TLCP_KU_ENC_ANY                                                                            \
    (TLCP_KU_KEY_ENCIPHERMENT | TLCP_KU_DATA_ENCIPHERMENT | TLCP_KU_KEY_AGREEMENT)

/* One DER certificate; the whole buffer must be consumed (TLCP_R_TRAILING_DATA
 * otherwise), malformed input gives TLCP_R_DECODE. Non-SM2 certificates parse
 * fine (see tlcp_cert_is_sm2). */
tlcp_cert *tlcp_cert_from_der(const uint8_t *der, size_t len, tlcp_error *err);
/* Same, through a bounded process-wide cache keyed by the exact DER bytes
 * (cert_cache.c): a certificate met again (a peer's, on every handshake) is
 * parsed once and shared, with its public key. Used for peer certificates. */
tlcp_cert *tlcp_cert_from_der_cached(const uint8_t *der, size_t len, tlcp_error *err);
/* Empties that cache (tests, and callers that want the memory back). */
void tlcp_cert_cache_clear(void);
#if defined(TLCP_TESTING)
/* Lookups answered from the cache since the process started. */
unsigned long tlcp_cert_cache_hits(void);
#endif
/* The first "CERTIFICATE" PEM block in the buffer. */
tlcp_cert *tlcp_cert_from_pem(const uint8_t *pem, size_t len, tlcp_error *err);
/* PEM (when the buffer contains "-----BEGIN") or DER. */
tlcp_cert *tlcp_cert_load(const uint8_t *data, size_t len, tlcp_error *err);
/* A file holding one certificate, PEM or DER (the first one of a PEM bundle).
 * Missing/unreadable file: TLCP_R_FILE; empty or garbage: TLCP_R_DECODE, both
 * with the path in the message. */
tlcp_cert *tlcp_cert_load_file(const char *path, tlcp_error *err);
tlcp_cert *tlcp_cert_up_ref(tlcp_cert *cert);
void tlcp_cert_free(tlcp_cert *cert);

/* The DER encoding (what goes on the wire); valid while `cert` lives. */
void tlcp_cert_der(const tlcp_cert *cert, const uint8_t **out_der, size_t *out_len);
/* Subject / issuer as one line, "C=CN, O=Example, CN=localhost" (UTF-8);
 * valid while `cert` lives. */
const char *tlcp_cert_subject(const tlcp_cert *cert);
const char *tlcp_cert_issuer(const tlcp_cert *cert);
/* 1 when the public key is an SM2 key (id-ecPublicKey on sm2p256v1). */
int tlcp_cert_is_sm2(const tlcp_cert *cert);
/* The public key as a fresh tlcp_pkey reference (caller frees). Fails with
 * TLCP_R_CERT and alert unsupported_certificate when the key is not SM2. */
tlcp_pkey *tlcp_cert_public_key(const tlcp_cert *cert, tlcp_error *err);
/* TLCP_KU_* bits. When the certificate has no keyUsage extension, returns 0
 * and sets *out_present = 0 (RFC 5280: every usage is then allowed). */
unsigned tlcp_cert_key_usage(const tlcp_cert *cert, int *out_present);
/* 1 when the certificate may act as a CA in OpenSSL's view (X509_check_ca):
 * basicConstraints CA:TRUE (with keyCertSign if keyUsage is present), or no
 * basicConstraints but keyCertSign, or a self-signed v1 certificate. */
int tlcp_cert_is_ca(const tlcp_cert *cert);
/* 1 when subject == issuer and the signature verifies with its own key. */
int tlcp_cert_is_self_signed(const tlcp_cert *cert);
/* notBefore / notAfter as UTC time_t. */
TLCP_MUST_CHECK int tlcp_cert_validity(const tlcp_cert *cert, time_t *out_not_before,
                                       time_t *out_not_after, tlcp_error *err);
/* Host name check: `host` is a DNS name (matched against SAN dNSName entries,
 * wildcards in the left-most label; the subject CN only when there is no
 * dNSName SAN) or an IPv4/IPv6 literal (matched against SAN iPAddress only).
 * Mismatch: TLCP_R_HOSTNAME_MISMATCH, alert bad_certificate. */
TLCP_MUST_CHECK int tlcp_cert_check_host(const tlcp_cert *cert, const char *host, tlcp_error *err);
/* PEM text ("-----BEGIN CERTIFICATE-----..."), NUL-terminated; caller frees
 * *out_pem with free(). */
TLCP_MUST_CHECK int tlcp_cert_to_pem(const tlcp_cert *cert, char **out_pem, size_t *out_len,
                                     tlcp_error *err);

/* ==== Certificate lists ================================================ */

/* A growable list of certificate references, in order. Zero-initialise or
 * tlcp_cert_list_init; release with tlcp_cert_list_clear. */
typedef struct tlcp_cert_list {
    tlcp_cert **certs;
    size_t num;
    size_t cap;
} tlcp_cert_list;

void tlcp_cert_list_init(tlcp_cert_list *list);
/* Drops every reference and frees the array; the list is empty afterwards. */
void tlcp_cert_list_clear(tlcp_cert_list *list);
/* Appends a new reference to `cert` (the caller keeps its own). At most
 * TLCP_X509_MAX_LIST entries. */
TLCP_MUST_CHECK int tlcp_cert_list_push(tlcp_cert_list *list, tlcp_cert *cert, tlcp_error *err);
/* Appends every certificate of a PEM buffer (at least one required; garbage
 * inside a PEM block is an error), or the single certificate of a DER buffer. */
TLCP_MUST_CHECK int tlcp_cert_list_load(tlcp_cert_list *list, const uint8_t *data, size_t len,
                                        tlcp_error *err);
TLCP_MUST_CHECK int tlcp_cert_list_load_file(tlcp_cert_list *list, const char *path,
                                             tlcp_error *err);

/* ==== Key pairs and credentials ======================================== */

/* A certificate with its private key. Both set or both NULL, or a
 * certificate alone when its key is delegated (tlcp_keypair_load_cert_only). `extra` holds
 * the certificates that followed the leaf in its file (its chain). */
typedef struct tlcp_keypair {
    tlcp_cert *cert;
    tlcp_pkey *key;
    tlcp_cert_list extra;
} tlcp_keypair;

/* Loads a certificate file (PEM/DER) and a private key file (PEM/DER,
 * PKCS#8, SEC1 or encrypted PKCS#8 with `passphrase`, which may be NULL).
 * Checks that the certificate holds an SM2 key (TLCP_R_CERT), that the key is
 * SM2 (TLCP_R_BAD_KEY) and that they belong together (TLCP_R_KEY_CERT_MISMATCH,
 * "private key <key_path> does not match certificate <cert_path>").
 * On success `out` holds one reference to each; on failure it is untouched. */
TLCP_MUST_CHECK int tlcp_keypair_load_files(tlcp_keypair *out, const char *cert_path,
                                            const char *key_path, const char *passphrase,
                                            tlcp_error *err);
/* Same checks for objects already in memory; takes new references. */
TLCP_MUST_CHECK int tlcp_keypair_set(tlcp_keypair *out, tlcp_cert *cert, tlcp_pkey *key,
                                     tlcp_error *err);
/* A certificate (and the chain after it in its file) whose private key is
 * held elsewhere (delegated key operations): key stays NULL. */
TLCP_MUST_CHECK int tlcp_keypair_load_cert_only(tlcp_keypair *out, const char *cert_path,
                                                tlcp_error *err);
void tlcp_keypair_clear(tlcp_keypair *pair);
/* A certificate file and a private key given as a URI (crypto/key_store.h),
 * opened in p's library context (NULL = OpenSSL's default) with propq:
 * the pair gets the certificate alone (key NULL, as a delegated pair) and
 * *out_key the opened key, whose public point is checked against the
 * certificate's (TLCP_R_KEY_CERT_MISMATCH). On failure nothing changes. */
struct tlcp_key_providers;
struct tlcp_store_key;
TLCP_MUST_CHECK int tlcp_keypair_load_uri(tlcp_keypair *out, struct tlcp_store_key **out_key,
                                          const struct tlcp_key_providers *p, const char *propq,
                                          const char *cert_path, const char *key_uri,
                                          const char *passphrase, tlcp_error *err);

/* What an endpoint presents: signing pair, encryption pair, extra chain
 * certificates (intermediates, sent after the enc cert). Refcounted. */
typedef struct tlcp_credentials {
    tlcp_keypair sign;
    tlcp_keypair enc;
    tlcp_cert_list chain;
    int refs;
} tlcp_credentials;

tlcp_credentials *tlcp_credentials_new(tlcp_error *err);
tlcp_credentials *tlcp_credentials_up_ref(tlcp_credentials *creds);
void tlcp_credentials_free(tlcp_credentials *creds);
/* Replace the sign / enc pair (tlcp_keypair_load_files checks apply). */
TLCP_MUST_CHECK int tlcp_credentials_load_sign(tlcp_credentials *creds, const char *cert_path,
                                               const char *key_path, const char *passphrase,
                                               tlcp_error *err);
TLCP_MUST_CHECK int tlcp_credentials_load_enc(tlcp_credentials *creds, const char *cert_path,
                                              const char *key_path, const char *passphrase,
                                              tlcp_error *err);
/* Appends every certificate of a PEM/DER file to the chain. */
TLCP_MUST_CHECK int tlcp_credentials_load_chain_file(tlcp_credentials *creds, const char *path,
                                                     tlcp_error *err);
/* Ready to use? The sign pair must be set and its certificate allow
 * digitalSignature (when keyUsage is present); with require_enc (servers,
 * ECDHE client auth) the enc pair must be set and allow keyEncipherment,
 * dataEncipherment or keyAgreement. Failures: TLCP_R_CONFIG / TLCP_R_CERT_KEY_USAGE. */
TLCP_MUST_CHECK int tlcp_credentials_check(const tlcp_credentials *creds, int require_enc,
                                           tlcp_error *err);
/* The Certificate message's list, in TLCP order: sign, enc (if set), then
 * the chain: the chain file's certificates, then those that followed the
 * sign and the enc leaf in their files, each certificate once. Fills up to
 * `cap` entries of ders/lens (pointers valid while creds lives) and returns
 * the number of entries the full list has. */
size_t tlcp_credentials_wire_list(const tlcp_credentials *creds, const uint8_t **ders, size_t *lens,
                                  size_t cap);
/* How many chain certificates that list carries after the leaves. */
size_t tlcp_credentials_chain_count(const tlcp_credentials *creds);

/* ==== Trust store ====================================================== */

typedef struct tlcp_trust_store tlcp_trust_store; /* refcounted */

tlcp_trust_store *tlcp_trust_store_new(tlcp_error *err);
tlcp_trust_store *tlcp_trust_store_up_ref(tlcp_trust_store *store);
void tlcp_trust_store_free(tlcp_trust_store *store);
/* Trust every certificate in a PEM file (several allowed) or a DER file. */
TLCP_MUST_CHECK int tlcp_trust_store_load_file(tlcp_trust_store *store, const char *path,
                                               tlcp_error *err);
/* Trust a directory: OpenSSL "hashed" layout (<subject hash>.N files, looked
 * up on demand) and, in addition, every *.pem / *.crt / *.cer file in it
 * (read now; a file that does not parse is an error naming it). A directory
 * with neither is TLCP_R_CONFIG. */
TLCP_MUST_CHECK int tlcp_trust_store_load_dir(tlcp_trust_store *store, const char *path,
                                              tlcp_error *err);
TLCP_MUST_CHECK int tlcp_trust_store_add_cert(tlcp_trust_store *store, tlcp_cert *cert,
                                              tlcp_error *err);
/* Number of certificates loaded from files / added (not counting hashed
 * directories, which are read lazily). */
size_t tlcp_trust_store_count(const tlcp_trust_store *store);

/* Certificate revocation lists (crl.c). Every "X509 CRL" block of a PEM
 * file, or one DER CRL; malformed input is TLCP_R_DECODE naming the file.
 * The first CRL turns revocation checking on for every certificate of every
 * chain (both leaves and each CA below the root, the root against its own
 * CRL): a certificate whose issuer has no CRL then fails with TLCP_R_CRL_MISSING.
 * CRL signatures, issuers (cRLSign) and dates are checked when a chain is
 * verified, at the verification time. */
TLCP_MUST_CHECK int tlcp_trust_store_load_crl_file(tlcp_trust_store *store, const char *path,
                                                   tlcp_error *err);
/* Every *.crl, *.pem and hashed "<hash>.rN" file of a directory (read now);
 * a directory without one is TLCP_R_CONFIG. */
TLCP_MUST_CHECK int tlcp_trust_store_load_crl_dir(tlcp_trust_store *store, const char *path,
                                                  tlcp_error *err);
size_t tlcp_trust_store_crl_count(const tlcp_trust_store *store);
/* Accept a chain that ends at a trusted intermediate (not self-signed)
 * instead of requiring the root (X509_V_FLAG_PARTIAL_CHAIN). Off by default. */
void tlcp_trust_store_set_partial_chain(tlcp_trust_store *store, int enabled);

/* ==== Peer certificate lists =========================================== */

/*
 * A peer's Certificate message, parsed and classified. TLCP sends sign, enc,
 * then the chain; some stacks send sign, chain..., enc. The two leaves are
 * the non-CA certificates (the first entry is always a leaf). If there are
 * two, the later one is the enc cert unless key usage says the opposite (the
 * earlier one is encryption-only and the later one signature-only, in which
 * case they are swapped). Everything else is `chain`, used only as untrusted
 * intermediates.
 */
typedef struct tlcp_peer_certs {
    tlcp_cert *sign;      /* owned reference, never NULL after a successful parse */
    tlcp_cert *enc;       /* owned reference, NULL when the peer sent a single leaf */
    tlcp_cert_list chain; /* the remaining certificates, in received order */
    size_t sign_index;    /* positions in the received list */
    size_t enc_index;     /* (meaningless when enc is NULL) */
} tlcp_peer_certs;

/* Parses `n` DER certificates (wire order) and classifies them. n == 0
 * ("peer sent no certificates") and more than two leaves are errors with
 * alert bad_certificate; a malformed entry gives TLCP_R_DECODE + decode_error.
 * `out` must be zeroed or cleared; on failure it is left cleared. */
TLCP_MUST_CHECK int tlcp_peer_certs_parse(tlcp_peer_certs *out, const uint8_t *const *ders,
                                          const size_t *lens, size_t n, tlcp_error *err);
/* Same from already parsed certificates (takes new references). */
TLCP_MUST_CHECK int tlcp_peer_certs_classify(tlcp_peer_certs *out, tlcp_cert *const *certs,
                                             size_t n, tlcp_error *err);
void tlcp_peer_certs_clear(tlcp_peer_certs *peer);

/* ==== Verification ===================================================== */

/* Which leaf a verification result is about. */
enum tlcp_verify_leaf { TLCP_LEAF_NONE = 0, TLCP_LEAF_SIGN = 1, TLCP_LEAF_ENC = 2 };

/* The outcome of tlcp_verify_peer, also what the user callback sees. */
typedef struct tlcp_verify_result {
    int ok;         /* 1 when every check passed */
    int reason;     /* TLCP_R_* of the first failure (TLCP_R_NONE when ok) */
    int alert;      /* suggested alert for the first failure (TLCP_NO_ALERT when ok) */
    int x509_error; /* OpenSSL X509_V_ERR_* for chain failures, else 0 */
    int depth;      /* chain depth of the failing certificate (0 = leaf), -1 if n/a */
    int leaf;       /* enum tlcp_verify_leaf: whose check failed */
    char message[TLCP_ERROR_MESSAGE_MAX]; /* the sentence, "" when ok */
} tlcp_verify_result;

/*
 * User hook, called once after all built-in checks with the result (ok or
 * not) and the classified peer certificates. Return 1 to accept the peer (a
 * failure is then overridden and tlcp_verify_peer succeeds), 0 to reject it
 * (a success is then turned into TLCP_R_CERT_VERIFY_FAILED, "certificate
 * rejected by the verify callback"). The callback may set result->alert to
 * choose the alert sent on rejection (default bad_certificate, or the one of
 * the original failure).
 */
typedef int (*tlcp_verify_cb)(void *arg, tlcp_verify_result *result, const tlcp_peer_certs *peer);

typedef struct tlcp_verify_params {
    time_t time;       /* verification time; 0 = now (tests pin a date) */
    const char *host;  /* expected peer host name / IP literal; NULL = no check */
    int require_enc;   /* 1: the peer must present an enc certificate */
    tlcp_verify_cb cb; /* optional user hook */
    void *cb_arg;
    /* What the peer authenticates as, for extendedKeyUsage (when present):
     * TLCP_PEER_SERVER needs serverAuth, TLCP_PEER_CLIENT clientAuth,
     * TLCP_PEER_ANY (0) either. */
    int peer_role;
} tlcp_verify_params;

#define TLCP_PEER_ANY    0
#define TLCP_PEER_SERVER 1
#define TLCP_PEER_CLIENT 2

/*
 * Verifies a classified peer list against `store`:
 *  - both leaves (sign, and enc if present) hold SM2 keys (unsupported_certificate);
 *  - each leaf chains to a trusted CA of `store`, using the peer's other
 *    certificates as untrusted intermediates; signatures, validity dates at
 *    params->time and CA constraints as OpenSSL's X509_verify_cert checks them
 *    ("certificate verification failed: certificate has expired: <subject>",
 *    alerts certificate_expired / unknown_ca / bad_certificate ...);
 *  - key usage (when the extension is present): sign needs digitalSignature,
 *    enc needs keyEncipherment, dataEncipherment or keyAgreement; neither leaf
 *    may carry keyCertSign (a CA key used as an endpoint); an extendedKeyUsage,
 *    when present, must allow serverAuth, clientAuth or any
 *    (TLCP_R_CERT_KEY_USAGE, unsupported_certificate);
 *  - params->host against the sign cert (TLCP_R_HOSTNAME_MISMATCH).
 * Fills *out (may be NULL) and returns 1 when the peer is accepted (by the
 * checks or by the callback). Otherwise returns 0 with err set to the result's
 * reason, alert and sentence. Verify modes (none/optional/required) are the
 * handshake's policy: it decides whether a 0 here is fatal.
 */
TLCP_MUST_CHECK int tlcp_verify_peer(const tlcp_trust_store *store, const tlcp_peer_certs *peer,
                                     const tlcp_verify_params *params, tlcp_verify_result *out,
                                     tlcp_error *err);

/* ==== Certificate generation (tlcp certgen, tests) ===================== */

/* GmSSL 3 refuses certificates valid for longer than this (ten years). */
#define TLCP_CERTGEN_MAX_DAYS 3653

enum tlcp_cert_profile {
    TLCP_PROFILE_CA = 1,   /* basicConstraints critical CA:TRUE; keyCertSign, cRLSign */
    TLCP_PROFILE_SIGN = 2, /* no basicConstraints; digitalSignature, nonRepudiation */
    TLCP_PROFILE_ENC = 3   /* no basicConstraints; keyEnc, dataEnc, keyAgreement */
};

typedef struct tlcp_certgen_params {
    int profile;              /* enum tlcp_cert_profile */
    const char *common_name;  /* required */
    const char *organization; /* NULL = "libtlcp" */
    const char *org_unit;     /* NULL = none */
    const char *country;      /* NULL = "CN" */
    const char *san;          /* "DNS:a.example,IP:127.0.0.1,..." or NULL for none */
    int days;                 /* validity length, 1..TLCP_CERTGEN_MAX_DAYS; <= 0 means 365 */
    time_t not_before;        /* 0 = now minus one hour (clock skew) */
    unsigned key_usage;       /* TLCP_KU_* to use instead of the profile's; 0 = profile */
} tlcp_certgen_params;

/*
 * Issues a certificate for `subject_key` (public part used) signed with SM3withSM2
 * and the default ID by `issuer_key`. issuer == NULL makes a self-signed
 * certificate (then issuer_key must be subject_key's private key, and the
 * profile is normally TLCP_PROFILE_CA). Sets version 3, a random positive
 * 159-bit serial, SKI, AKI (keyid of the issuer; omitted when self-signed),
 * basicConstraints (always present, never empty), keyUsage (critical) and the
 * SAN list. Sign and enc certificates made with the same params share subject
 * and issuer, as GmSSL 3 expects. Bad SAN syntax: TLCP_R_INVALID_ARGUMENT.
 */
tlcp_cert *tlcp_certgen_issue(const tlcp_cert *issuer, const tlcp_pkey *issuer_key,
                              const tlcp_pkey *subject_key, const tlcp_certgen_params *params,
                              tlcp_error *err);

/* A v2 CRL signed with SM3withSM2 (default ID) by issuer/issuer_key,
 * listing the serial numbers of `revoked` (revocation date = thisUpdate),
 * with authorityKeyIdentifier and crlNumber. */
typedef struct tlcp_crlgen_params {
    time_t this_update; /* 0 = now minus one hour */
    time_t next_update; /* 0 = thisUpdate + 30 days; a past time makes an expired CRL */
    long number;        /* crlNumber; <= 0 means 1 */
    int pem;            /* 1: PEM text ("-----BEGIN X509 CRL-----"), 0: DER */
} tlcp_crlgen_params;

/* *out (caller frees; NUL-terminated after *out_len bytes). */
TLCP_MUST_CHECK int tlcp_crlgen(const tlcp_cert *issuer, const tlcp_pkey *issuer_key,
                                tlcp_cert *const *revoked, size_t num_revoked,
                                const tlcp_crlgen_params *params, uint8_t **out, size_t *out_len,
                                tlcp_error *err);

/*
 * A complete test PKI written to a directory, for `tlcp certgen` and
 * `tlcp demo`: ca.pem/ca.key (self-signed root), server-sign.pem/.key and
 * server-enc.pem/.key (common name `common_name`, SAN `san`), and with
 * `with_client` client-sign.pem/.key and client-enc.pem/.key (common name
 * client_cn). Keys are unencrypted PKCS#8 PEM created with mode 0600.
 * Without `force`, existing files are never overwritten: every target is
 * checked before anything is written (TLCP_R_FILE naming the first one).
 * `report` (optional) is called once per file written, in order.
 */
typedef struct tlcp_pki_params {
    const char *out_dir;     /* must exist */
    const char *common_name; /* server CN; NULL = "localhost" */
    const char *san;         /* NULL = "DNS:localhost,IP:127.0.0.1" */
    const char *client_cn;   /* NULL = "TLCP client" */
    int days;                /* leaves (<= 0: 365); the root a year more, capped at 3653 */
    int with_client;
    int force;
    void (*report)(void *arg, const char *path, const char *description);
    void *report_arg;
} tlcp_pki_params;

TLCP_MUST_CHECK int tlcp_certgen_write_pki(const tlcp_pki_params *params, tlcp_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the SM2 files of src/crypto/ (key handling, signatures,
 * encryption, key exchange). Not for use outside src/crypto/ (the unit tests
 * use the two paths below for their differential checks).
 *
 * Every SM2 operation has two implementations with the public signature of
 * crypto.h: our own (tlcp_sm2_own_*, over sm2_curve.h) and OpenSSL's
 * (tlcp_sm2_evp_*, EVP / EC_POINT), the reference. The public functions
 * dispatch on tlcp_sm2_use_evp().
 */
#ifndef TLCP_CRYPTO_SM2_INTERNAL_H
#define TLCP_CRYPTO_SM2_INTERNAL_H

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "crypto/pkey_internal.h"
#include "util/bytes.h"

#define TLCP_SM2_FIELD_LEN 32
/* ENTL is a 16-bit count of ID bits, so an ID holds at most 8191 bytes. */
#define TLCP_SM2_MAX_ID_LEN 8191
/* A key gets its point table on this use (verify / encrypt with it). */
#define TLCP_SM2_TABLE_AFTER_USES 4
/* Process-wide bound on the memory held by point tables. */
#define TLCP_SM2_TABLE_BUDGET (16u * 1024u * 1024u)

/* ---- path selection (sm2_path.c) ---------------------------------------- */

/* 1: OpenSSL's SM2 (EVP); 0: ours. Always 1 in a TLCP_SM2_EVP=ON build; in
 * test builds the environment variable TLCP_TEST_SM2_EVP (non-empty, not
 * "0") or tlcp_sm2_force_evp selects it. */
int tlcp_sm2_use_evp(void);
#if defined(TLCP_TESTING)
void tlcp_sm2_force_evp(int on);
/* The next signature (one only) uses nonce k instead of a fresh one. */
void tlcp_sm2_test_set_k(const uint8_t k[32]);
/* Consumes the injected nonce: 1 and k filled when one was set. */
int tlcp_sm2_test_take_k(uint8_t k[32]);
#endif
/* Marks a value derived from secrets as public from here on (a verdict, a
 * signature, a retry decision). A no-op except under the valgrind data-flow
 * tests, where it tells memcheck the value may steer branches. */
void tlcp_sm2_declassify(const void *p, size_t len);

/* ---- our implementation ---------------------------------------------------- */

TLCP_MUST_CHECK int tlcp_sm2_own_sign_e(const tlcp_pkey *key, const uint8_t e[32], uint8_t *sig,
                                        size_t *sig_len, size_t sig_cap, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_own_verify_e(const tlcp_pkey *key, const uint8_t e[32],
                                          const uint8_t *sig, size_t sig_len, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_own_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t *out_len, size_t out_cap,
                                         tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_own_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t *out_len, size_t out_cap,
                                         tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_own_kx(int initiator, const tlcp_pkey *self_static,
                                    const tlcp_pkey *self_ephemeral, const uint8_t za[32],
                                    const uint8_t zb[32], const tlcp_pkey *peer_static,
                                    const tlcp_pkey *peer_ephemeral, uint8_t *out, size_t out_len,
                                    tlcp_error *err);
/* A uniform scalar in [1, n-1] from the RNG (rejection sampling). */
TLCP_MUST_CHECK int tlcp_sm2_random_scalar(uint8_t k[32], tlcp_error *err);
/* A signing nonce in [1, n-1]: SM3 of d, e and 32 fresh random bytes (with
 * a counter for the rare rejection), so that a failing RNG repeats k only
 * for a repeated (d, e) and never leaks d. Test builds may inject k. */
TLCP_MUST_CHECK int tlcp_sm2_sign_nonce(const uint8_t d[32], const uint8_t e[32], uint8_t k[32],
                                        tlcp_error *err);
/* A fresh key pair: d uniform in [1, n-2], point = d·G. */
TLCP_MUST_CHECK int tlcp_sm2_own_keypair(uint8_t d[32], uint8_t point[64], tlcp_error *err);

/* ---- OpenSSL's implementation (the reference) ------------------------------- */

TLCP_MUST_CHECK int tlcp_sm2_evp_sign(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                      const uint8_t *msg, size_t msg_len, uint8_t *sig,
                                      size_t *sig_len, size_t sig_cap, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_evp_verify(const tlcp_pkey *key, const uint8_t *id, size_t id_len,
                                        const uint8_t *msg, size_t msg_len, const uint8_t *sig,
                                        size_t sig_len, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_evp_sign_digest(const tlcp_pkey *key, const uint8_t digest[32],
                                             uint8_t *sig, size_t *sig_len, size_t sig_cap,
                                             tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_evp_verify_digest(const tlcp_pkey *key, const uint8_t digest[32],
                                               const uint8_t *sig, size_t sig_len, tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_evp_encrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t *out_len, size_t out_cap,
                                         tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_evp_decrypt(const tlcp_pkey *key, const uint8_t *in, size_t in_len,
                                         uint8_t *out, size_t *out_len, size_t out_cap,
                                         tlcp_error *err);
TLCP_MUST_CHECK int tlcp_sm2_evp_kx(int initiator, const tlcp_pkey *self_static,
                                    const tlcp_pkey *self_ephemeral, const uint8_t za[32],
                                    const uint8_t zb[32], const tlcp_pkey *peer_static,
                                    const tlcp_pkey *peer_ephemeral, uint8_t *out, size_t out_len,
                                    tlcp_error *err);
/* A fresh key pair from OpenSSL's key generation. */
EVP_PKEY *tlcp_sm2_evp_generate(tlcp_error *err);

/* ---- shared pieces ----------------------------------------------------------- */

/* The sm2p256v1 group (fresh object, caller frees with EC_GROUP_free). */
EC_GROUP *tlcp_sm2_group_new(tlcp_error *err);

/* Parses 04||X||Y into `out` on `group`, rejecting other encodings, points
 * off the curve and the point at infinity with TLCP_R_BAD_KEY. */
TLCP_MUST_CHECK int tlcp_sm2_point_from_bytes(const EC_GROUP *group, const uint8_t *bytes,
                                              size_t len, EC_POINT *out, tlcp_error *err);

/* The key's public point as an EC_POINT on `group` (validated again). */
EC_POINT *tlcp_sm2_pkey_point(const tlcp_pkey *key, const EC_GROUP *group, tlcp_error *err);

/* The private scalar, flagged constant-time; free with BN_clear_free. */
BIGNUM *tlcp_sm2_pkey_private(const tlcp_pkey *key, tlcp_error *err);

/* Maps a NULL id to the default ID and checks the length fits ENTL. */
TLCP_MUST_CHECK int tlcp_sm2_resolve_id(const uint8_t **id, size_t *id_len, tlcp_error *err);

/* Z for (point, id) with id already resolved; tlcp_sm2_compute_z uses the
 * key's cached value for the default ID. */
TLCP_MUST_CHECK int tlcp_sm2_z_of_point(const uint8_t point[64], const uint8_t *id, size_t id_len,
                                        uint8_t out[TLCP_SM3_DIGEST_LEN], tlcp_error *err);

/* One-shot SM3 used by Z and the key-exchange KDF. */
TLCP_MUST_CHECK int tlcp_sm2_hash(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN],
                                  tlcp_error *err);

/* Writes |bn| big-endian into exactly 32 bytes. */
TLCP_MUST_CHECK int tlcp_sm2_bn_to_field(const BIGNUM *bn, uint8_t out[TLCP_SM2_FIELD_LEN],
                                         tlcp_error *err);

/* KDF(z, klen) = SM3(z || 1) || SM3(z || 2) || ... truncated to out_len
 * (GB/T 32918.4 5.4.3); z is at most 192 bytes. */
TLCP_MUST_CHECK int tlcp_sm2_kdf(const uint8_t *z, size_t z_len, uint8_t *out, size_t out_len,
                                 tlcp_error *err);
/* 1 when all len bytes are zero, without branching on them. */
int tlcp_sm2_all_zero(const uint8_t *p, size_t len);

/* (1 + d)^-1 mod n of a private key (NULL with a reason when d = n-1 or out
 * of memory). Built on first use, then cached in the key. */
const uint8_t *tlcp_sm2_key_d1_inv(const tlcp_pkey *key, tlcp_error *err);
/* The key's point table once the key has been used often enough, else NULL
 * (the caller then multiplies without one). Counts the use. */
const struct sm2_point_table *tlcp_sm2_key_table(const tlcp_pkey *key);
/* Frees the caches of a key that is being destroyed. */
void tlcp_sm2_key_caches_free(tlcp_pkey *key);

/* ---- DER (sm2_der.c) ----------------------------------------------------------- */

#define DER_INTEGER      0x02
#define DER_OCTET_STRING 0x04
#define DER_SEQUENCE     0x30

/* One DER TLV with a minimal definite length (short form, 0x81 or 0x82). */
TLCP_MUST_CHECK int tlcp_sm2_der_tlv(tlcp_cursor *c, uint8_t tag, tlcp_cursor *body);
/* A minimally encoded, non-negative INTEGER that fits 32 bytes. */
TLCP_MUST_CHECK int tlcp_sm2_der_uint256(tlcp_cursor *c, uint8_t out[32]);
/* Bytes of the DER INTEGER of v (big-endian, 32 bytes), header included. */
size_t tlcp_sm2_der_uint256_len(const uint8_t v[32]);
/* Appends the DER INTEGER of v. */
TLCP_MUST_CHECK int tlcp_sm2_der_put_uint256(tlcp_builder *b, const uint8_t v[32]);
/* Appends a DER tag and definite length (< 65536). */
TLCP_MUST_CHECK int tlcp_sm2_der_put_header(tlcp_builder *b, uint8_t tag, size_t len);
/* Bytes of a header for a body of len bytes. */
size_t tlcp_sm2_der_header_len(size_t len);

/* The parts of a canonical GM/T 0009 ciphertext (pointers into the input). */
struct tlcp_sm2_ciphertext {
    uint8_t c1[64]; /* x1||y1, both < p (not yet checked to be on the curve) */
    const uint8_t *c3;
    const uint8_t *c2;
    size_t c2_len;
};
/* Checks the whole input is exactly one canonical SM2 ciphertext. */
TLCP_MUST_CHECK int tlcp_sm2_parse_ciphertext(const uint8_t *in, size_t in_len,
                                              struct tlcp_sm2_ciphertext *ct, tlcp_error *err);

#endif

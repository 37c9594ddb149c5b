/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the SM2 files of src/crypto/ (key handling, signatures,
 * encryption, key exchange). Not for use outside src/crypto/.
 */
#ifndef TLCP_CRYPTO_SM2_INTERNAL_H
#define TLCP_CRYPTO_SM2_INTERNAL_H

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "crypto/pkey_internal.h"

#define TLCP_SM2_FIELD_LEN 32
/* ENTL is a 16-bit count of ID bits, so an ID holds at most 8191 bytes. */
#define TLCP_SM2_MAX_ID_LEN 8191

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

/* One-shot SM3 used by Z and the key-exchange KDF. */
TLCP_MUST_CHECK int tlcp_sm2_hash(const uint8_t *data, size_t len, uint8_t out[TLCP_SM3_DIGEST_LEN],
                                  tlcp_error *err);

/* Writes |bn| big-endian into exactly 32 bytes. */
TLCP_MUST_CHECK int tlcp_sm2_bn_to_field(const BIGNUM *bn, uint8_t out[TLCP_SM2_FIELD_LEN],
                                         tlcp_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to src/crypto/sm3_ct.c: the test hook for its own SM3. */
#ifndef TLCP_CRYPTO_SM3_CT_H
#define TLCP_CRYPTO_SM3_CT_H

#include <stddef.h>
#include <stdint.h>

#if defined(TLCP_TESTING)
/* SM3 computed by the hand-written compression function that
 * tlcp_hmac_sm3_ct uses, so tests can compare it with OpenSSL's SM3. */
void tlcp_sm3_ct_digest(const uint8_t *data, size_t len, uint8_t out[32]);
#endif

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The private scalar of a key made here: an ECDHE handshake whose static
 * key-exchange key is delegated hands its ephemeral key (never a long-term
 * one) to the key holder, which needs the scalar to run the exchange.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/pkey_internal.h"
#include "util/safety.h"

int tlcp_pkey_get_private_scalar(const tlcp_pkey *key, uint8_t out[32], tlcp_error *err)
{
    ENSURE(key != NULL && key->has_private, err, TLCP_R_BAD_KEY, "the key has no private part");
    memcpy(out, key->d, 32);
    return 1;
}

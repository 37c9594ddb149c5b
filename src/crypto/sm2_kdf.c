/* SPDX-License-Identifier: Apache-2.0 */
/* The SM2 key derivation function (GB/T 32918.4 5.4.3), shared by
 * encryption and the key exchange. Its input and output are secrets. */
#include <string.h>

#include "crypto/sm2_internal.h"
#include "util/mem.h"

#define KDF_MAX_Z 192

int tlcp_sm2_kdf(const uint8_t *z, size_t z_len, uint8_t *out, size_t out_len, tlcp_error *err)
{
    uint8_t input[KDF_MAX_Z + 4];
    uint8_t block[TLCP_SM3_DIGEST_LEN];
    ENSURE(z_len <= KDF_MAX_Z, err, TLCP_R_INTERNAL, "KDF input too long");
    memcpy(input, z, z_len);
    int ok = 1;
    uint32_t counter = 1;
    for (size_t done = 0; ok && done < out_len; counter++) {
        input[z_len] = (uint8_t)(counter >> 24);
        input[z_len + 1] = (uint8_t)(counter >> 16);
        input[z_len + 2] = (uint8_t)(counter >> 8);
        input[z_len + 3] = (uint8_t)counter;
        size_t take = out_len - done < sizeof(block) ? out_len - done : sizeof(block);
        if (take == sizeof(block)) {
            ok = tlcp_sm2_hash(input, z_len + 4, out + done, err);
        } else {
            ok = tlcp_sm2_hash(input, z_len + 4, block, err);
            if (ok)
                memcpy(out + done, block, take);
        }
        done += take;
    }
    tlcp_wipe(input, sizeof(input));
    tlcp_wipe(block, sizeof(block));
    if (!ok)
        TLCP_ERR(err, TLCP_R_INTERNAL, "SM2 KDF failed");
    return ok;
}

int tlcp_sm2_all_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= p[i];
    return (int)(((unsigned)acc - 1u) >> 31);
}

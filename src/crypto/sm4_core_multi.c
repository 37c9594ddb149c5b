/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-chain SM4-CBC encryption: k independent CBC chains under one key,
 * one block of each chain per step. A single CBC chain is serial (block i
 * needs ciphertext i-1), so it uses one lane of the 8-16-block kernels; k
 * chains side by side fill k lanes. Each step gathers P[i] ^ C[i-1] of every
 * chain still running into one contiguous batch, runs the kernel's ECB over
 * it (sixteen blocks in flight on the wide kernels), and scatters the
 * ciphertexts back. With exactly 8 or 16 chains (the record layer's usual
 * split) the steps all chains take run first in the wide kernels' own
 * multi-chain mode, which keeps the chaining values in registers; the
 * generic loop finishes the longer chains. Only the public lengths steer
 * which chains take part.
 */
#include <string.h>

#include "crypto/sm4_core_impl.h"
#include "util/mem.h"

#define MULTI_MAX 16

static void xor_block(uint8_t *out, const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < 16; i++)
        out[i] = (uint8_t)(a[i] ^ b[i]);
}

/* With 8 or 16 chains, the steps they all take run in the registers of the
 * wide kernels (tlcp_sm4_core_cbc_multi_equal); returns how many did. */
static size_t equal_steps(const tlcp_sm4_key *key, size_t n, const uint8_t *const iv[],
                          const uint8_t *const in[], uint8_t *const out[], const size_t nblocks[])
{
    if (n != 8 && n != 16)
        return 0;
    size_t common = nblocks[0];
    for (size_t i = 1; i < n; i++)
        if (nblocks[i] < common)
            common = nblocks[i];
    if (common == 0 || !tlcp_sm4_core_cbc_multi_equal(key, (int)(n / 8), iv, in, out, common))
        return 0;
    return common;
}

void tlcp_sm4_core_cbc_encrypt_multi(const tlcp_sm4_key *key, size_t k, const uint8_t *const iv[],
                                     const uint8_t *const in[], uint8_t *const out[],
                                     const size_t nblocks[])
{
    uint8_t batch[MULTI_MAX * 16];
    for (size_t at = 0; at < k; at += MULTI_MAX) {
        size_t n = k - at < MULTI_MAX ? k - at : MULTI_MAX;
        const uint8_t *prev[MULTI_MAX];
        size_t longest = 0;
        for (size_t i = 0; i < n; i++) {
            prev[i] = iv[at + i];
            if (nblocks[at + i] > longest)
                longest = nblocks[at + i];
        }
        size_t step = equal_steps(key, n, iv + at, in + at, out + at, nblocks + at);
        for (size_t i = 0; step > 0 && i < n; i++)
            prev[i] = out[at + i] + 16 * (step - 1);
        for (; step < longest; step++) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (step < nblocks[at + i])
                    xor_block(batch + 16 * m++, in[at + i] + 16 * step, prev[i]);
            tlcp_sm4_core_ecb(key, batch, batch, m);
            m = 0;
            for (size_t i = 0; i < n; i++) {
                if (step < nblocks[at + i]) {
                    uint8_t *c = out[at + i] + 16 * step;
                    memcpy(c, batch + 16 * m++, 16);
                    prev[i] = c;
                }
            }
        }
    }
    tlcp_wipe(batch, sizeof(batch));
}

/* Blocks per chain left to the shared batch: what a 16-block batch of the
 * wide kernels leaves over. */
#define TAIL_MAX 15

/*
 * The tails are copied out (ciphertext and the block before each) before
 * the heads are decrypted, because in[i] may be out[i]; then one ECB call
 * over all tails and the XORs with their previous ciphertexts.
 */
void tlcp_sm4_core_cbc_decrypt_multi(const tlcp_sm4_key *key, size_t k, const uint8_t *const iv[],
                                     const uint8_t *const in[], uint8_t *const out[],
                                     const size_t nblocks[])
{
    uint8_t tail[MULTI_MAX * TAIL_MAX * 16], prev[MULTI_MAX * TAIL_MAX * 16];
    size_t head[MULTI_MAX], m = 0;
    if (k > MULTI_MAX)
        k = MULTI_MAX; /* the contract: callers pass at most 16 */
    for (size_t i = 0; i < k; i++) {
        size_t t = nblocks[i] % (TAIL_MAX + 1);
        head[i] = nblocks[i] - t;
        if (t == 0)
            continue;
        const uint8_t *c = in[i] + 16 * head[i];
        memcpy(tail + 16 * m, c, 16 * t);
        memcpy(prev + 16 * m, head[i] > 0 ? c - 16 : iv[i], 16);
        memcpy(prev + 16 * (m + 1), c, 16 * (t - 1));
        m += t;
    }
    for (size_t i = 0; i < k; i++)
        if (head[i] > 0)
            tlcp_sm4_core_cbc_decrypt(key, iv[i], in[i], out[i], head[i]);
    if (m > 0)
        tlcp_sm4_core_ecb(key, tail, tail, m);
    m = 0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = head[i]; j < nblocks[i]; j++, m++)
            xor_block(out[i] + 16 * j, tail + 16 * m, prev + 16 * m);
    }
    tlcp_wipe(tail, sizeof(tail));
}

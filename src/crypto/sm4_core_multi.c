/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Multi-chain SM4-CBC encryption: k independent CBC chains under one key,
 * one block of each chain per step. A single CBC chain is serial (block i
 * needs ciphertext i-1), so it uses one lane of the 8-16-block kernels; k
 * chains side by side fill k lanes. Each step gathers P[i] ^ C[i-1] of every
 * chain still running into one contiguous batch, runs the kernel's ECB over
 * it (sixteen blocks in flight on the wide kernels), and scatters the
 * ciphertexts back. The steps all chains take run first in the wide
 * kernels' own multi-chain mode (8 or 16 chains, filled up with dummy
 * chains when fewer), which keeps the chaining values in registers; the
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

/* Blocks per multi-chain kernel call when dummy chains fill the group (the
 * dummies' public input and thrown-away output are this long). */
#define PIECE 64

/* Steps [done, done + m) of the n real chains and width - n dummies. */
static int equal_piece(const tlcp_sm4_key *key, size_t n, size_t width, const uint8_t *const iv[],
                       const uint8_t *const in[], uint8_t *const out[], size_t done, size_t m,
                       uint8_t *sink)
{
    static const uint8_t zeros[PIECE * 16];
    const uint8_t *piv[MULTI_MAX], *pin[MULTI_MAX];
    uint8_t *pout[MULTI_MAX];
    for (size_t i = 0; i < width; i++) {
        if (i < n) {
            piv[i] = done > 0 ? out[i] + 16 * (done - 1) : iv[i];
            pin[i] = in[i] + 16 * done;
            pout[i] = out[i] + 16 * done;
        } else {
            piv[i] = zeros;
            pin[i] = zeros;
            pout[i] = sink;
        }
    }
    return tlcp_sm4_core_cbc_multi_equal(key, (int)(width / 8), piv, pin, pout, m);
}

/* The steps all chains take run in the registers of the wide kernels
 * (tlcp_sm4_core_cbc_multi_equal, groups of 8 or 16 chains); returns how
 * many did. With 2..7 or 9..15 chains the group is filled with dummy chains
 * over a public zero buffer (their output is thrown away): a 16-chain step
 * costs the same with 15 real chains, and the generic loop's gather, ECB
 * call and scatter per step cost more (writes of 9..15 records). */
static size_t equal_steps(const tlcp_sm4_key *key, size_t n, const uint8_t *const iv[],
                          const uint8_t *const in[], uint8_t *const out[], const size_t nblocks[])
{
    if (n < 2)
        return 0;
    size_t common = nblocks[0];
    for (size_t i = 1; i < n; i++)
        if (nblocks[i] < common)
            common = nblocks[i];
    if (common == 0)
        return 0;
    size_t width = n <= 8 ? 8 : 16;
    if (n == width)
        return tlcp_sm4_core_cbc_multi_equal(key, (int)(n / 8), iv, in, out, common) ? common : 0;
    uint8_t sink[PIECE * 16];
    size_t done = 0;
    while (done < common) {
        size_t m = common - done < PIECE ? common - done : PIECE;
        if (!equal_piece(key, n, width, iv, in, out, done, m, sink))
            break;
        done += m;
    }
    tlcp_wipe(sink, sizeof(sink)); /* dummy ciphertexts: key-derived */
    return done;
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

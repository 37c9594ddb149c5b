/* SPDX-License-Identifier: Apache-2.0 */
/* Randomness: RAND_bytes, with a deterministic stream in test/fuzz builds. */
#include <openssl/rand.h>
#include <string.h>

#include "crypto/crypto.h"

#if defined(TLCP_TESTING)
static int deterministic;
static uint64_t stream_counter;
static uint8_t queued[4096];
static size_t queued_len;

void tlcp_random_set_deterministic(int enabled, uint64_t seed)
{
    deterministic = enabled;
    stream_counter = seed;
    queued_len = 0;
}

void tlcp_random_queue(const uint8_t *bytes, size_t len)
{
    if (len > sizeof(queued))
        len = sizeof(queued);
    memcpy(queued, bytes, len);
    queued_len = len;
}

/* splitmix64: a reproducible, well-spread stream; never used in production builds. */
static uint64_t next_word(void)
{
    uint64_t z = (stream_counter += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int test_random(uint8_t *out, size_t len)
{
    if (queued_len > 0) {
        if (len > queued_len)
            return 0; /* a test queued too few bytes: fail loudly */
        memcpy(out, queued, len);
        memmove(queued, queued + len, queued_len - len);
        queued_len -= len;
        return 1;
    }
    if (!deterministic)
        return -1;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = next_word();
        for (size_t j = 0; j < 8 && i + j < len; j++)
            out[i + j] = (uint8_t)(w >> (8 * j));
    }
    return 1;
}
#endif

int tlcp_random_bytes(uint8_t *out, size_t len, tlcp_error *err)
{
    if (len == 0)
        return 1;
#if defined(TLCP_TESTING)
    int r = test_random(out, len);
    if (r == 1)
        return 1;
    if (r == 0) {
        TLCP_ERR(err, TLCP_R_RNG, "test RNG queue holds fewer bytes than requested");
        return 0;
    }
#endif
    if (len > (size_t)INT32_MAX || RAND_bytes(out, (int)len) != 1)
        return CRYPTO_FAIL(err, TLCP_R_RNG, "RAND_bytes failed");
    return 1;
}

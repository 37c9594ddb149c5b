/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Endpoint seed generator: plays the libtlcp client and server harnesses
 * against each other, offline, until the streams stop growing, and prints
 * the resulting peer streams for the server and client targets:
 *
 *   c2s := ""; repeat { s2c := server(c2s); c2s := client(s2c) }
 *
 * Each run starts from the same deterministic RNG seed, so the server target
 * replays c2s exactly as here up to the first SM2 signature or ciphertext
 * (random inside OpenSSL): a generated seed gets through ClientKeyExchange
 * decryption and record decryption of Finished (CBC MAC / GCM tag verify)
 * and stops at the verify_data check; a client seed gets through the
 * ServerKeyExchange signature (it covers only the randoms and the enc cert).
 *
 * Output: one line per seed, "<target> <hex>", for scripts/fuzz-corpus.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_endpoint.h"

#define ROUNDS 8

static uint8_t *with_header(uint8_t flags, const fuzz_endpoint_output *s, size_t *len)
{
    uint8_t *in = malloc(s->len + 2);
    if (in == NULL)
        exit(1);
    in[0] = flags;
    in[1] = 0;
    if (s->len)
        memcpy(in + 2, s->data, s->len);
    *len = s->len + 2;
    return in;
}

static void print_seed(const char *target, uint8_t flags, const fuzz_endpoint_output *s)
{
    printf("%s %02x00", target, flags);
    for (size_t i = 0; i < s->len; i++)
        printf("%02x", s->data[i]);
    printf("\n");
}

static void generate(uint8_t flags)
{
    fuzz_endpoint_output c2s = {NULL, 0}, s2c = {NULL, 0};
    for (int round = 0; round < ROUNDS; round++) {
        size_t len;
        uint8_t *in = with_header(flags, &c2s, &len);
        free(s2c.data);
        s2c.data = NULL;
        s2c.len = 0;
        fuzz_endpoint_run(1, in, len, &s2c);
        free(in);
        in = with_header(flags, &s2c, &len);
        size_t before = c2s.len;
        free(c2s.data);
        c2s.data = NULL;
        c2s.len = 0;
        fuzz_endpoint_run(0, in, len, &c2s);
        free(in);
        if (c2s.len == before)
            break;
    }
    print_seed("server", flags, &c2s);
    print_seed("client", flags, &s2c);
    free(c2s.data);
    free(s2c.data);
}

int main(void)
{
    /* bit 0: client authentication; bits 1-2: suite set (harness_endpoint.c) */
    for (unsigned flags = 0; flags < 8; flags++)
        generate((uint8_t)flags);
    return 0;
}

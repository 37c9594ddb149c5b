/* SPDX-License-Identifier: Apache-2.0 */
/* Running an endpoint harness and keeping what the endpoint wrote, for the
 * seed generator (tests/fuzz/seedgen.c). */
#ifndef TLCP_FUZZ_HARNESS_ENDPOINT_H
#define TLCP_FUZZ_HARNESS_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_endpoint_output {
    uint8_t *data; /* heap, caller frees */
    size_t len;
} fuzz_endpoint_output;

/* Runs fuzz_server (is_server) or fuzz_client on `data` (same input format)
 * and appends everything the endpoint wrote to `out`. */
void fuzz_endpoint_run(int is_server, const uint8_t *data, size_t len, fuzz_endpoint_output *out);

#endif

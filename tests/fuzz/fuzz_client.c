/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the client harness (harness_endpoint.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_client(data, size);
}

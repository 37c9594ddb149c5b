/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the client_key_exchange harness (harness_client_key_exchange.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_client_key_exchange(data, size);
}

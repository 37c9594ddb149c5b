/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the alpn harness (harness_alpn.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_alpn(data, size);
}

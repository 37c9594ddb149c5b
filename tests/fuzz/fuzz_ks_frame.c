/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the key-server frame harness (harness_ks_frame.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ks_frame(data, size);
}

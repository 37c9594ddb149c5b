/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the sm2_diff harness (harness_sm2_diff.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_sm2_diff(data, size);
}

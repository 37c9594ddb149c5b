/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the finished harness (harness_finished.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_finished(data, size);
}

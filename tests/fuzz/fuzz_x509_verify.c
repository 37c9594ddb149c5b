/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the x509_verify harness (harness_x509_verify.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_x509_verify(data, size);
}

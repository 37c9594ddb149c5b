/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the certificate_verify harness (harness_certificate_verify.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_certificate_verify(data, size);
}

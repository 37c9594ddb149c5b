/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the certificate_request harness (harness_certificate_request.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_certificate_request(data, size);
}

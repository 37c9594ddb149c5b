/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the x509_cert harness (harness_x509_cert.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_x509_cert(data, size);
}

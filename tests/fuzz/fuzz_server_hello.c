/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the server_hello harness (harness_server_hello.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_server_hello(data, size);
}

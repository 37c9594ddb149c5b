/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the server_name harness (harness_server_name.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_server_name(data, size);
}

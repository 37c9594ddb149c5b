/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the session_ticket harness (harness_session_ticket.c). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_session_ticket(data, size);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the sm2_diff harness (harness_sm2_diff.c). */
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The recorded keys load here, before libFuzzer runs an input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup_or_exit("sm2_diff", fuzz_setup_sm2_diff);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_sm2_diff(data, size);
}

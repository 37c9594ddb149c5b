/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer entry for the x509_verify harness (harness_x509_verify.c). */
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The recorded keys and certificates load here, before libFuzzer runs an input. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup_or_exit("x509_verify", fuzz_setup_x509_verify);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_x509_verify(data, size);
}

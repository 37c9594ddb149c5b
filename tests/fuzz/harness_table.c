/* SPDX-License-Identifier: Apache-2.0 */
/* The list of harnesses, for the regression test and the corpus replay. */
#include "harness.h"

const fuzz_target fuzz_targets[] = {
    {"client_hello", fuzz_client_hello},
    {"server_hello", fuzz_server_hello},
    {"certificate", fuzz_certificate},
    {"server_key_exchange", fuzz_server_key_exchange},
    {"certificate_request", fuzz_certificate_request},
    {"client_key_exchange", fuzz_client_key_exchange},
    {"certificate_verify", fuzz_certificate_verify},
    {"finished", fuzz_finished},
    {"trace", fuzz_trace},
    {"record", fuzz_record},
    {"server", fuzz_server},
    {"client", fuzz_client},
    {"x509_cert", fuzz_x509_cert},
    {"pkey", fuzz_pkey},
    {"x509_verify", fuzz_x509_verify},
    {"sm2", fuzz_sm2},
    {"sm2_diff", fuzz_sm2_diff},
};

const size_t fuzz_num_targets = sizeof(fuzz_targets) / sizeof(fuzz_targets[0]);

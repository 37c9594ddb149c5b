/* SPDX-License-Identifier: Apache-2.0 */
/* The list of harnesses, for the regression test and the corpus replay. */
#include "harness.h"

const fuzz_target fuzz_targets[] = {
    {"client_hello", fuzz_client_hello, NULL},
    {"server_hello", fuzz_server_hello, NULL},
    {"certificate", fuzz_certificate, NULL},
    {"server_key_exchange", fuzz_server_key_exchange, NULL},
    {"certificate_request", fuzz_certificate_request, NULL},
    {"client_key_exchange", fuzz_client_key_exchange, NULL},
    {"certificate_verify", fuzz_certificate_verify, NULL},
    {"finished", fuzz_finished, NULL},
    {"alpn", fuzz_alpn, NULL},
    {"server_name", fuzz_server_name, NULL},
    {"session_ticket", fuzz_session_ticket, NULL},
    {"trace", fuzz_trace, NULL},
    {"record", fuzz_record, NULL},
    {"server", fuzz_server, fuzz_setup_server},
    {"client", fuzz_client, fuzz_setup_client},
    {"x509_cert", fuzz_x509_cert, NULL},
    {"pkey", fuzz_pkey, NULL},
    {"x509_verify", fuzz_x509_verify, fuzz_setup_x509_verify},
    {"sm2", fuzz_sm2, fuzz_setup_sm2},
    {"sm2_diff", fuzz_sm2_diff, fuzz_setup_sm2_diff},
    {"ks_frame", fuzz_ks_frame, NULL},
};

const size_t fuzz_num_targets = sizeof(fuzz_targets) / sizeof(fuzz_targets[0]);

/* SPDX-License-Identifier: Apache-2.0 */
/* Keys, certificates and a trust store from the recordings, loaded once. */
#ifndef TLCP_FUZZ_HARNESS_FIXTURES_H
#define TLCP_FUZZ_HARNESS_FIXTURES_H

#include "harness.h"
#include "x509/x509.h"

/* The GmSSL 3 fixture the key-based harnesses use. */
#define FUZZ_PKI "interop/gmssl3-ecc-sm4-cbc-sm3/"
/* 2026-11-28 00:00 UTC: the recordings' certificates are valid then. */
#define FUZZ_VERIFY_TIME ((time_t)1795824000)

/* Where the fixtures are: tests/data (TLCP_DATA_DIR), unless TLCP_FUZZ_DATA_DIR names
 * another folder (only the setup-failure test does: tests/cli/fuzz_setup.sh). */
const char *fuzz_data_dir(void);
/* fuzz_data_dir()/rel in one of four static buffers (valid until the fourth next call). */
const char *fuzz_data_file(const char *rel);
/* A file under fuzz_data_dir() (heap, caller frees); NULL after a message when missing. */
uint8_t *fuzz_read_fixture(const char *rel, size_t *out_len);
/* New references; NULL after a message when the fixture does not load. */
tlcp_pkey *fuzz_fixture_key(const char *rel);
tlcp_cert *fuzz_fixture_cert(const char *rel);
/* The recorded roots (GmSSL 3, GmSSL 2, Tongsuo), built by fuzz_setup_x509_verify or on
 * first use (then a failure is fuzz_fail). */
const tlcp_trust_store *fuzz_fixture_store(void);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harnesses, one function per target. Each fuzz_<target>() takes
 * one input and returns 0; when a property the target checks does not hold
 * it prints why and aborts, so libFuzzer records a crash and the regression
 * test (tests/unit/test_fuzz_regressions.c) fails. The LLVMFuzzerTestOneInput
 * wrappers live in tests/fuzz/fuzz_<target>.c; the harnesses themselves are
 * ordinary code that the normal test suite links as well.
 */
#ifndef TLCP_FUZZ_HARNESS_H
#define TLCP_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

typedef int (*fuzz_fn)(const uint8_t *data, size_t len);
/* Loads what a target needs before its first input (the recorded keys, certificates,
 * endpoint configurations): 1 when ready, else 0 after printing why to stderr. */
typedef int (*fuzz_setup_fn)(void);

typedef struct fuzz_target {
    const char *name; /* corpus and regression folder name */
    fuzz_fn fn;
    fuzz_setup_fn setup; /* NULL: the target needs nothing */
} fuzz_target;

/* Every harness linked into this build, in a fixed order. */
extern const fuzz_target fuzz_targets[];
extern const size_t fuzz_num_targets;

/* Handshake message parsers: the input is a message body (no 4-byte header). */
int fuzz_client_hello(const uint8_t *data, size_t len);
int fuzz_server_hello(const uint8_t *data, size_t len);
int fuzz_certificate(const uint8_t *data, size_t len);
int fuzz_server_key_exchange(const uint8_t *data, size_t len);
int fuzz_certificate_request(const uint8_t *data, size_t len);
int fuzz_client_key_exchange(const uint8_t *data, size_t len);
int fuzz_certificate_verify(const uint8_t *data, size_t len);
int fuzz_finished(const uint8_t *data, size_t len);
/* Hello extension data: ALPN (first byte: list or answer) and server_name. */
int fuzz_alpn(const uint8_t *data, size_t len);
int fuzz_server_name(const uint8_t *data, size_t len);
int fuzz_session_ticket(const uint8_t *data, size_t len);
/* Record layer: mode, transport behaviour, then a record stream. */
int fuzz_record(const uint8_t *data, size_t len);
/* Whole endpoints: flags, transport, then the peer's byte stream. */
int fuzz_server(const uint8_t *data, size_t len);
int fuzz_client(const uint8_t *data, size_t len);
/* Trace printer: a context byte, a suite (u16), then a whole message. */
int fuzz_trace(const uint8_t *data, size_t len);

/* Certificate and key loading (file bytes), peer chains (Certificate body),
 * SM2 decrypt/verify of network bytes (first byte picks the operation). */
int fuzz_x509_cert(const uint8_t *data, size_t len);
int fuzz_pkey(const uint8_t *data, size_t len);
int fuzz_x509_verify(const uint8_t *data, size_t len);
int fuzz_sm2(const uint8_t *data, size_t len);
/* Our SM2 against OpenSSL's: point decoding, verify and decrypt verdicts. */
int fuzz_sm2_diff(const uint8_t *data, size_t len);

/* The setups of the targets that read tests/data (harness_fixtures.c, harness_endpoint.c). */
int fuzz_setup_sm2(void);
int fuzz_setup_sm2_diff(void);
int fuzz_setup_x509_verify(void);
int fuzz_setup_server(void);
int fuzz_setup_client(void);
/*
 * For LLVMFuzzerInitialize: runs `setup` before libFuzzer starts; when it fails prints
 * "fuzz setup failed: <target>: ..." and exits 1. libFuzzer has no input under test yet and
 * its crash handler is not installed, so no crash-* artifact is written: a broken setup
 * (a missing fixture) is never mistaken for a crash found by fuzzing.
 */
void fuzz_setup_or_exit(const char *target, fuzz_setup_fn setup);

/* Prints "fuzz property violated: <what>" and aborts. */
_Noreturn void fuzz_fail(const char *what);
/* fuzz_fail(what) unless cond holds. */
void fuzz_require(int cond, const char *what);
/* A parser that refused its input must say why and which alert to send:
 * a reason and one of the alerts in `alerts` (terminated by -1). */
void fuzz_require_rejection(const tlcp_error *err, const int *alerts, const char *what);
/*
 * Allocation watch, for "no allocation proportional to a length field before
 * the bytes arrived": the largest single malloc since the last start (ASan
 * builds and plain glibc builds; always 0 otherwise). The checks that use it
 * are on unless TLCP_FUZZ_STRICT_ALLOC=0 (docs/FUZZING.md).
 */
void fuzz_alloc_watch_start(void);
size_t fuzz_alloc_watch_largest(void);
int fuzz_strict_alloc(void);
/* 1 when a and b hold the same bytes. */
int fuzz_same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

/* Key-server protocol frames (apps/tlcp/keyserver/frame.c): mode(1) then a stream. */
int fuzz_ks_frame(const uint8_t *data, size_t len);

#endif

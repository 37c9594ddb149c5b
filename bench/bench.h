/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp-bench: a tiny benchmark harness.
 *
 * Every figure is one stdout line "name unit value" (e.g. "sm3_16k MB/s 210.4")
 * so runs can be diffed and plotted. A figure runs its operation repeatedly
 * for at least a minimum thread CPU time (CLOCK_THREAD_CPUTIME_ID, so other
 * processes on a busy machine do not count; 0.3 s unless the
 * environment sets TLCP_BENCH_SECONDS), so slow and fast operations get the
 * same statistical footing. Nothing here is ever asserted by a test.
 */
#ifndef TLCP_BENCH_H
#define TLCP_BENCH_H

#include <stddef.h>

/* One operation under measurement; returns 1 on success, 0 on failure. */
typedef int (*bench_op)(void *arg);

/* 1 when the figure `name` matches the command-line filter (substring). */
int bench_selected(const char *name);

/* Measures op and prints "name ops/s value"; returns ops/s, 0 when skipped
 * by the filter, and marks the run failed (and returns 0) if op fails. */
double bench_ops(const char *name, bench_op op, void *arg);

/* Measures op processing bytes_per_op bytes and prints "name MB/s value"
 * (MB = 10^6 bytes); return value as for bench_ops. */
double bench_throughput(const char *name, bench_op op, void *arg, size_t bytes_per_op);

/* The write sizes of the bulk figures (record and connection): 1, 12, 16 and
 * 64 KiB (12 KiB: a CBC write of 12 records, the 9..15-chain case). */
typedef struct bench_size {
    size_t len;
    const char *tag;
} bench_size;
#define BENCH_WRITE_SIZES 4
extern const bench_size bench_write_sizes[BENCH_WRITE_SIZES];

/* Prints one figure computed elsewhere (e.g. a ratio of two figures). */
void bench_report(const char *name, const char *unit, double value);

/* Marks the whole run failed (exit status 1) after printing why to stderr. */
void bench_fail(const char *name, const char *why);

/*
 * Benchmark groups. Each runs its figures through the functions above and
 * skips the ones the filter excludes. bench_record lives in bench_record.c,
 * which may not exist yet: it is declared weak so the program links without
 * it, and main calls it only when present.
 */
void bench_crypto(void);
/* bench_sm2_curve.c: the SM2 curve primitives against OpenSSL's EC_POINT_mul. */
void bench_sm2_curve(void);
/* bench_x509.c: peer chain verification, ours against X509_verify_cert alone. */
void bench_x509(void);
void bench_record(void) __attribute__((weak));
/* bench_handshake.c: handshakes/s, server CPU, bulk through a connection, idle heap. */
void bench_handshake(void) __attribute__((weak));

#endif

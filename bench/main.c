/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp-bench [filter]: runs every benchmark group, printing "name unit value" lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define DEFAULT_SECONDS 0.3

static const char *filter;
static double min_seconds = DEFAULT_SECONDS;
static int failed;

/* Thread CPU time: on a shared machine wall time counts other processes'
 * time slices, and every figure here runs on one thread. */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const bench_size bench_write_sizes[BENCH_WRITE_SIZES] = {
    {1024, "1k"}, {12288, "12k"}, {16384, "16k"}, {65536, "64k"}};

/* A filter ending in '$' must match the end of the name ("conn_bulk_cbc_16k$"
 * leaves out conn_bulk_cbc_16k_old, e.g. to profile one figure). */
int bench_selected(const char *name)
{
    if (filter == NULL)
        return 1;
    size_t fl = strlen(filter);
    if (fl > 0 && filter[fl - 1] == '$') {
        size_t nl = strlen(name);
        return nl >= fl - 1 && strncmp(name + nl - (fl - 1), filter, fl - 1) == 0;
    }
    return strstr(name, filter) != NULL;
}

void bench_report(const char *name, const char *unit, double value)
{
    /* Small figures (ratios) need more digits than rates do. */
    printf(value < 10.0 ? "%s %s %.3f\n" : "%s %s %.1f\n", name, unit, value);
    fflush(stdout);
}

void bench_fail(const char *name, const char *why)
{
    fprintf(stderr, "tlcp-bench: %s: %s\n", name, why);
    failed = 1;
}

/* Runs op until min_seconds have passed; returns operations per second, or
 * a negative value when op failed. One untimed call first warms caches and
 * lazily fetched algorithms. */
static double measure(bench_op op, void *arg)
{
    if (!op(arg))
        return -1.0;
    uint64_t count = 0;
    double start = now_seconds();
    double elapsed;
    do {
        if (!op(arg))
            return -1.0;
        count++;
        elapsed = now_seconds() - start;
    } while (elapsed < min_seconds);
    return (double)count / elapsed;
}

double bench_ops(const char *name, bench_op op, void *arg)
{
    if (!bench_selected(name))
        return 0.0;
    double rate = measure(op, arg);
    if (rate < 0) {
        bench_fail(name, "operation failed");
        return 0.0;
    }
    bench_report(name, "ops/s", rate);
    return rate;
}

double bench_throughput(const char *name, bench_op op, void *arg, size_t bytes_per_op)
{
    if (!bench_selected(name))
        return 0.0;
    double rate = measure(op, arg);
    if (rate < 0) {
        bench_fail(name, "operation failed");
        return 0.0;
    }
    double mbps = rate * (double)bytes_per_op / 1e6;
    bench_report(name, "MB/s", mbps);
    return mbps;
}

static void usage(void)
{
    fprintf(stderr, "usage: tlcp-bench [filter]\n\n"
                    "Prints one line per figure: name unit value (MB = 10^6 bytes).\n"
                    "filter: run only figures whose name contains this string\n"
                    "(ending in '$': whose name ends in it).\n"
                    "TLCP_BENCH_SECONDS: minimum time per figure (default 0.3).\n");
}

int main(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        usage();
        return argc > 2 ? 2 : 0;
    }
    if (argc == 2)
        filter = argv[1];
    const char *secs = getenv("TLCP_BENCH_SECONDS");
    if (secs != NULL) {
        char *end;
        double v = strtod(secs, &end);
        if (end == secs || *end != '\0' || !(v > 0) || v > 60) {
            fprintf(stderr, "tlcp-bench: TLCP_BENCH_SECONDS must be in (0, 60]\n");
            return 2;
        }
        min_seconds = v;
    }

    bench_crypto();
    bench_sm2_curve();
    bench_x509();
    if (bench_record != NULL)
        bench_record();
    if (bench_handshake != NULL)
        bench_handshake();
    return failed ? 1 : 0;
}

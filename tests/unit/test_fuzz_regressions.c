/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs every input under tests/fuzz/regressions/<target>/ (inputs that once
 * crashed a fuzz target or broke one of its properties) and every seed under
 * tests/fuzz/corpus/<target>/ through the same harness functions the libFuzzer
 * executables call. A harness aborts when a property fails, which fails this
 * test; under `make sanitize` ASan/UBSan watch the same runs.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_endpoint.h"

#define MAX_FILES 4096

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted regular file names of `dir` (none when it does not exist). */
static size_t list_files(const char *dir, char **names)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        assert_true(n < MAX_FILES);
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), by_name);
    return n;
}

/* Feeds one file to the harness from an allocation of exactly its size, so
 * ASan flags a read one byte past the input as it would under libFuzzer. */
static void run_file(const fuzz_target *t, const char *path)
{
    size_t len;
    uint8_t *raw = tu_read_file(path, &len);
    assert_non_null(raw);
    uint8_t *exact = malloc(len ? len : 1);
    assert_non_null(exact);
    if (len)
        memcpy(exact, raw, len);
    free(raw);
    fprintf(stderr, "%s\n", path);
    assert_int_equal(t->fn(exact, len), 0);
    free(exact);
}

/* A target's setup (the recorded keys and certificates) must succeed before any input:
 * a missing fixture fails here with the harness's message, not as a property violation. */
static void ready(const fuzz_target *t)
{
    if (t->setup != NULL && !t->setup())
        fail_msg("fuzz target %s: setup failed (message above)", t->name);
}

static size_t run_folder(const fuzz_target *t, const char *kind)
{
    ready(t);
    static char *names[MAX_FILES];
    char dir[2048], path[4096];
    snprintf(dir, sizeof(dir), "%s/%s/%s", TLCP_FUZZ_DIR, kind, t->name);
    size_t n = list_files(dir, names);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        run_file(t, path);
        free(names[i]);
    }
    return n;
}

static void test_regressions(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t i = 0; i < fuzz_num_targets; i++)
        total += run_folder(&fuzz_targets[i], "regressions");
    fprintf(stderr, "%zu regression inputs passed\n", total);
    assert_true(total > 0); /* tests/fuzz/regressions is committed: none found means a wrong path */
}

/* The seed corpora double as a smoke test, and every target must have one. */
static void test_seed_corpora(void **state)
{
    (void)state;
    for (size_t i = 0; i < fuzz_num_targets; i++) {
        size_t n = run_folder(&fuzz_targets[i], "corpus");
        if (n == 0)
            fprintf(stderr, "target %s has no seed corpus\n", fuzz_targets[i].name);
        assert_true(n > 0);
    }
}

/* The harnesses must survive the degenerate inputs libFuzzer starts with. */
static void test_tiny_inputs(void **state)
{
    (void)state;
    static const uint8_t bytes[4] = {0, 0xff, 1, 0};
    for (size_t i = 0; i < fuzz_num_targets; i++) {
        ready(&fuzz_targets[i]);
        for (size_t len = 0; len <= sizeof(bytes); len++) {
            uint8_t *exact = malloc(len ? len : 1);
            assert_non_null(exact);
            if (len)
                memcpy(exact, bytes, len);
            assert_int_equal(fuzz_targets[i].fn(exact, len), 0);
            free(exact);
        }
    }
}

/*
 * Finding F3: 2000 warning/no_renegotiation alerts before a ClientHello used
 * to be read and ignored one after another (the stream then ended with
 * "peer closed the stream" and the server wrote nothing). The record layer
 * now ends a run of more than TLCP_MAX_WARNING_ALERTS (4) warnings with a
 * fatal unexpected_message, which must be all the server writes.
 */
static void test_warning_alert_flood_is_bounded(void **state)
{
    (void)state;
    static const uint8_t fatal_unexpected[] = {0x15, 0x01, 0x01, 0x00, 0x02, 0x02, 0x0a};
    size_t len;
    uint8_t *in = tu_read_file(
        TLCP_FUZZ_DIR "/regressions/server/warning-alert-flood-before-client-hello", &len);
    assert_non_null(in);
    assert_int_equal(len, 2 + 7 * 2000);
    fuzz_endpoint_output out = {NULL, 0};
    fuzz_endpoint_run(1, in, len, &out);
    assert_int_equal(out.len, sizeof(fatal_unexpected));
    assert_memory_equal(out.data, fatal_unexpected, sizeof(fatal_unexpected));
    free(out.data);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_inputs),
        cmocka_unit_test(test_regressions),
        cmocka_unit_test(test_seed_corpora),
        cmocka_unit_test(test_warning_alert_flood_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

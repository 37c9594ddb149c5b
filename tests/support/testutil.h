/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the cmocka tests. cmocka needs these includes first. */
#ifndef TLCP_TESTUTIL_H
#define TLCP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Decodes hex (spaces ignored) into a fresh buffer; aborts the test on bad hex. */
uint8_t *tu_hex(const char *hex, size_t *out_len);
/* Decodes into caller memory; asserts exactly `len` bytes. */
void tu_hex_into(const char *hex, uint8_t *out, size_t len);
/* Asserts memory equals the hex string. */
void tu_assert_hex(const uint8_t *got, size_t len, const char *hex);
/* Reads a whole file; NULL if missing. */
uint8_t *tu_read_file(const char *path, size_t *out_len);
/* Path under tests/data (TLCP_DATA_DIR: test keys, the interop recordings); static buffer. */
const char *tu_data_path(const char *rel);

/* How many recordings tests/data/interop holds (tests/data/interop/README.md). */
#define TU_INTEROP_FIXTURES 31
/*
 * Lists the fixture folders of tests/data/interop (sorted) and returns the count, or fails
 * the test with a message naming what is missing: the folder, any file listed in
 * tests/data/interop.sha256, a fixture folder without manifest.json, or a count other than
 * TU_INTEROP_FIXTURES. So a test that loops over the recordings can never pass on fewer of
 * them. Caller frees with tu_free_list.
 */
size_t tu_list_fixtures(char ***out_names);
/*
 * The check behind tu_list_fixtures, for any folder (its negative tests use a damaged
 * copy): the fixture folders of `dir` (each holds manifest.json; a sub-folder without one
 * is an error), every file named in `inventory` (sha256sum format, paths relative to `dir`;
 * NULL: none) present, and exactly `expected` fixtures. Returns 1 and the sorted names, or
 * 0 with a sentence in `why` (nothing to free).
 */
int tu_scan_fixtures(const char *dir, const char *inventory, size_t expected, char ***out_names,
                     size_t *out_n, char *why, size_t why_len);
void tu_free_list(char **names, size_t n);

#endif

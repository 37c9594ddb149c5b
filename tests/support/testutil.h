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
/* Path under shared/ (interop recordings, docs); static buffer. */
const char *tu_data_path(const char *rel);
/* Lists the fixture folders in tests/data/interop (sorted); returns count. Caller frees with tu_free_list. */
size_t tu_list_fixtures(char ***out_names);
void tu_free_list(char **names, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main() of a data-flow test (see dataflow.h): re-runs the program under
 * valgrind memcheck and returns its verdict; when valgrind is absent or
 * cannot run the binary, or in a sanitizer build, runs the tests as a plain
 * correctness check and returns 77 (CTest SKIP_RETURN_CODE: the data-flow
 * part did not run) unless they fail.
 */
#ifndef TLCP_TEST_DATAFLOW_MAIN_H
#define TLCP_TEST_DATAFLOW_MAIN_H

#define TU_DATAFLOW_SKIPPED 77

/* `run_group` runs the cmocka group and returns its result. */
int tu_dataflow_main(const char *self, int (*run_group)(void));

#endif

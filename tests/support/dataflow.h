/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Constant-time data-flow checks under Valgrind memcheck (ctgrind style):
 * secrets are marked undefined, so any branch or memory address that depends
 * on them is reported. A test program re-runs itself under valgrind with
 * tu_dataflow_rerun() and, in the child, calls tu_dataflow_report_started().
 */
#ifndef TLCP_TEST_DATAFLOW_H
#define TLCP_TEST_DATAFLOW_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#if defined(HAVE_MEMCHECK)
#define MAKE_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define MAKE_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#define UNDER_VALGRIND()  (RUNNING_ON_VALGRIND != 0)
#else
#define MAKE_SECRET(p, n) ((void)(p), (void)(n))
#define MAKE_PUBLIC(p, n) ((void)(p), (void)(n))
#define UNDER_VALGRIND()  0
#endif

/* CTest's SKIP_RETURN_CODE for the *_dataflow tests (tests/CMakeLists.txt). */
#define TU_DATAFLOW_SKIPPED 77

/*
 * Runs program `self` again under memcheck. The child reports through a pipe
 * that its main() started, which tells "valgrind could not run this binary"
 * (e.g. an old valgrind that cannot read clang's DWARF 5) apart from a real
 * failure. Returns 0 (clean), 1 (memcheck error or test failure) or -1
 * (valgrind unavailable or unable to run the binary; *why says which).
 */
int tu_dataflow_rerun(const char *self, const char **why);

/*
 * The main() of a data-flow test. Under valgrind: runs `tests` (memcheck turns
 * any secret-dependent branch or address into an error). Otherwise re-runs the
 * program under valgrind and returns its verdict. When that is impossible
 * (no valgrind, a sanitizer build, no <valgrind/memcheck.h> at build time) or
 * `not_applicable` names a reason (e.g. no AES-NI for the kernel under test),
 * it runs `tests` as a plain correctness check, says why the data-flow part did
 * not run, and returns TU_DATAFLOW_SKIPPED if they pass: an absent valgrind
 * shows as "skipped" in CTest, never as a passed constant-time check.
 */
int tu_dataflow_main(const char *self, int (*tests)(void), const char *not_applicable);

/* In the child under valgrind: tells the parent that main() was reached. */
void tu_dataflow_report_started(void);

#endif

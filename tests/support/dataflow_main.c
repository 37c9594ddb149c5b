/* SPDX-License-Identifier: Apache-2.0 */
#include "dataflow_main.h"

#include <stdio.h>

#include "dataflow.h"

int tu_dataflow_main(const char *self, int (*run_group)(void))
{
    const char *why;
#if defined(HAVE_MEMCHECK) && !defined(SANITIZED)
    if (UNDER_VALGRIND()) {
        tu_dataflow_report_started();
        return run_group();
    }
    int r = tu_dataflow_rerun(self);
    if (r >= 0)
        return r;
    why = "valgrind is not installed or cannot run this binary";
#elif defined(SANITIZED)
    (void)self;
    why = "sanitizer build (cannot run under valgrind)";
#else
    (void)self;
    why = "built without valgrind/memcheck.h";
#endif
    fprintf(stderr, "SKIPPED: data-flow check not run (%s); correctness part only\n", why);
    int rc = run_group();
    return rc != 0 ? rc : TU_DATAFLOW_SKIPPED;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dataflow.h"

#define STARTED_FD_ENV "TLCP_DATAFLOW_STARTED_FD"

int tu_dataflow_rerun(const char *self, const char **why)
{
    *why = NULL;
    if (getenv("TLCP_NO_VALGRIND") != NULL) {
        *why = "TLCP_NO_VALGRIND is set";
        return -1;
    }
    if (system("valgrind --version >/dev/null 2>&1") != 0) {
        *why = "valgrind is not installed (Debian package valgrind)";
        return -1;
    }
    *why = "valgrind could not start this program";
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        char fd_text[16];
        snprintf(fd_text, sizeof(fd_text), "%d", fds[1]);
        setenv(STARTED_FD_ENV, fd_text, 1);
        char *args[] = {
            "valgrind",   "--quiet", "--error-exitcode=3", "--leak-check=no", "--track-origins=yes",
            (char *)self, NULL};
        execvp("valgrind", args);
        _exit(127);
    }
    close(fds[1]);
    char byte;
    int started = read(fds[0], &byte, 1) == 1;
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !started)
        return -1;
    *why = NULL;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* Why this build cannot run the data-flow check at all, or NULL. */
static const char *build_cannot(void)
{
#if defined(SANITIZED)
    return "sanitizer build (valgrind cannot run it)";
#elif !defined(HAVE_MEMCHECK)
    return "built without <valgrind/memcheck.h> (Debian package valgrind)";
#else
    return NULL;
#endif
}

int tu_dataflow_main(const char *self, int (*tests)(void), const char *not_applicable)
{
    if (UNDER_VALGRIND()) {
        tu_dataflow_report_started();
        return tests();
    }
    const char *why = not_applicable != NULL ? not_applicable : build_cannot();
    if (why == NULL) {
        int r = tu_dataflow_rerun(self, &why);
        if (r >= 0)
            return r;
    }
    int failed = tests();
    fprintf(stderr, "SKIPPED: data-flow check not run: %s; the correctness part %s\n", why,
            failed ? "FAILED" : "passed");
    return failed ? 1 : TU_DATAFLOW_SKIPPED;
}

void tu_dataflow_report_started(void)
{
    const char *fd_text = getenv(STARTED_FD_ENV);
    if (fd_text == NULL)
        return;
    int fd = atoi(fd_text);
    if (write(fd, "s", 1) != 1)
        fprintf(stderr, "note: could not report start to the parent\n");
    close(fd);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dataflow.h"

#define STARTED_FD_ENV "TLCP_DATAFLOW_STARTED_FD"

int tu_dataflow_rerun(const char *self)
{
    if (getenv("TLCP_NO_VALGRIND") != NULL || system("valgrind --version >/dev/null 2>&1") != 0)
        return -1;
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
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
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

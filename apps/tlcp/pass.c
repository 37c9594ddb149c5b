/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --pass SOURCE: where the passphrase of encrypted keys comes from, in the
 * forms of OpenSSL's -passin: pass:TEXT, env:VAR, file:PATH, fd:N, stdin.
 * Anything else is the passphrase itself (visible in `ps`, kept working for
 * old scripts). The passphrase is wiped once the keys are loaded; a value
 * given on the command line is wiped in argv too, so /proc/PID/cmdline no
 * longer shows it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define PASS_MAX 1024

void cli_wipe(void *p, size_t len)
{
    volatile unsigned char *v = p;
    while (len-- > 0)
        *v++ = 0;
}

/* The number N of "fd:N", or -1. */
static int fd_number(const char *text)
{
    if (text[0] == '\0' || strspn(text, "0123456789") != strlen(text) || strlen(text) > 6)
        return -1;
    return (int)strtol(text, NULL, 10);
}

int cli_check_pass_arg(const char *cmd, const char *spec)
{
    if (strncmp(spec, "fd:", 3) == 0 && fd_number(spec + 3) < 0) {
        cli_usage_error(cmd, "--pass fd:N wants a file descriptor number, not '%s'", spec + 3);
        return 0;
    }
    if ((strncmp(spec, "env:", 4) == 0 && spec[4] == '\0') ||
        (strncmp(spec, "file:", 5) == 0 && spec[5] == '\0')) {
        cli_usage_error(cmd, "--pass %s needs a name after the colon", spec);
        return 0;
    }
    return 1;
}

/* The first line of fd (without its line end), read one byte at a time so
 * that nothing after it is consumed (stdin may carry data next). */
static int read_line_fd(int fd, char *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return 0;
        if (r == 0 || c == '\n')
            break;
        if (n + 1 >= cap)
            return 0;
        out[n++] = c;
    }
    if (n > 0 && out[n - 1] == '\r')
        n--;
    out[n] = '\0';
    return 1;
}

static int from_file(const char *cmd, const char *path, char *out, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        cli_error(cmd, "--pass file:%s: %s", path, strerror(errno));
        return 0;
    }
    int ok = read_line_fd(fd, out, cap);
    close(fd);
    if (!ok)
        cli_error(cmd, "--pass file:%s: cannot read a passphrase line", path);
    return ok;
}

static int copy_text(const char *cmd, const char *what, const char *text, char *out, size_t cap)
{
    if (strlen(text) >= cap) {
        cli_error(cmd, "--pass %s: the passphrase is longer than %zu bytes", what, cap - 1);
        return 0;
    }
    memcpy(out, text, strlen(text) + 1);
    return 1;
}

char *cli_read_pass(const char *cmd, char *spec)
{
    char *out = calloc(1, PASS_MAX);
    if (out == NULL) {
        cli_error(cmd, "out of memory");
        return NULL;
    }
    int ok;
    if (strncmp(spec, "pass:", 5) == 0) {
        ok = copy_text(cmd, "pass:", spec + 5, out, PASS_MAX);
        cli_wipe(spec, strlen(spec)); /* out of /proc/PID/cmdline */
    } else if (strncmp(spec, "env:", 4) == 0) {
        const char *v = getenv(spec + 4);
        ok = v != NULL && copy_text(cmd, spec, v, out, PASS_MAX);
        if (v == NULL)
            cli_error(cmd, "--pass %s: environment variable %s is not set", spec, spec + 4);
    } else if (strncmp(spec, "file:", 5) == 0) {
        ok = from_file(cmd, spec + 5, out, PASS_MAX);
    } else if (strncmp(spec, "fd:", 3) == 0 || strcmp(spec, "stdin") == 0) {
        int fd = spec[0] == 's' ? STDIN_FILENO : fd_number(spec + 3);
        errno = 0;
        ok = read_line_fd(fd, out, PASS_MAX);
        if (!ok)
            cli_error(cmd, "--pass %s: cannot read a passphrase line: %s", spec,
                      errno != 0 ? strerror(errno) : "too long");
    } else {
        ok = copy_text(cmd, "value", spec, out, PASS_MAX);
        cli_wipe(spec, strlen(spec));
    }
    if (!ok) {
        cli_free_pass(out);
        return NULL;
    }
    return out;
}

void cli_free_pass(char *pass)
{
    if (pass == NULL)
        return;
    cli_wipe(pass, PASS_MAX);
    free(pass);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --sess-out / --sess-in: a client session in a PEM file (libtlcp's
 * session export). The file holds the master secret, so it is written
 * with mode 0600 and its buffers are wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define SESS_FILE_MAX (4 * TLCP_SESSION_EXPORT_MAX) /* PEM of the largest export */

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        data += n;
        len -= (size_t)n;
    }
    return 1;
}

int cli_session_save(const char *cmd, const char *path, const tlcp_conn *conn, int quiet)
{
    tlcp_session *s = tlcp_conn_get_session(conn);
    if (s == NULL) {
        if (!quiet)
            fprintf(stderr, "tlcp %s: warning: the server gave no session ID; %s not written\n",
                    cmd, path);
        return TLCP_EXIT_OK;
    }
    size_t len = 0;
    (void)tlcp_session_export_pem(s, NULL, 0, &len);
    char *pem = len > 0 ? malloc(len + 1) : NULL;
    int ok = pem != NULL && tlcp_session_export_pem(s, pem, len + 1, &len) == TLCP_OK;
    tlcp_session_free(s);
    int fd = -1;
    if (ok) {
        /* 0600 from the start (O_CREAT), and again for a file that existed */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ok = fd >= 0 && fchmod(fd, 0600) == 0 && write_all(fd, pem, len);
    }
    int saved = errno;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (pem != NULL) {
        cli_wipe(pem, len);
        free(pem);
    }
    if (!ok) {
        cli_error(cmd, "--sess-out %s: cannot write the session: %s", path,
                  saved != 0 ? strerror(saved) : "out of memory");
        return TLCP_EXIT_FAILURE;
    }
    return TLCP_EXIT_OK;
}

/* The file's bytes in a fresh buffer (at most SESS_FILE_MAX). */
static char *read_small_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(SESS_FILE_MAX + 1);
    size_t n = buf != NULL ? fread(buf, 1, SESS_FILE_MAX + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (buf == NULL || err || n > SESS_FILE_MAX) {
        if (buf != NULL) {
            cli_wipe(buf, n);
            free(buf);
        }
        errno = err ? EIO : EFBIG;
        return NULL;
    }
    *out_len = n;
    return buf;
}

int cli_session_load(const char *cmd, const char *path, int quiet, tlcp_session **out)
{
    *out = NULL;
    size_t len = 0;
    char *text = read_small_file(path, &len);
    if (text == NULL) {
        cli_error(cmd, "--sess-in %s: %s", path, strerror(errno));
        return TLCP_EXIT_CONFIG;
    }
    int reason = TLCP_R_NONE;
    tlcp_result r = tlcp_session_import_pem(text, len, out, &reason);
    cli_wipe(text, len);
    free(text);
    if (r == TLCP_OK)
        return TLCP_EXIT_OK;
    if (reason == TLCP_R_SESSION_EXPIRED) {
        if (!quiet)
            fprintf(stderr, "tlcp %s: warning: the session in %s has expired; full handshake\n",
                    cmd, path);
        return TLCP_EXIT_OK;
    }
    cli_error(cmd, "--sess-in %s: %s", path, tlcp_reason_string(reason));
    return TLCP_EXIT_CONFIG;
}

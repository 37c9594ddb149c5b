#ifndef TLCP_APP_CLI_H
#define TLCP_APP_CLI_H

#include "tlcp/tlcp.h"

/* Exit codes, documented in `tlcp help` and docs/CLI.md. */
enum {
    TLCP_EXIT_OK = 0,
    TLCP_EXIT_FAILURE = 1, /* the operation failed (handshake, self-test, ...) */
    TLCP_EXIT_USAGE = 2    /* bad command line */
};

struct tlcp_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* 1 when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

int cmd_version(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli.h"

static void print_line(void *arg, const char *line)
{
    (void)arg;
    printf("%s\n", line);
}

int cmd_selftest(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: tlcp selftest\n\nRuns a known-answer test of every primitive (SM3, "
               "HMAC-SM3, SM4, SM4-GCM,\nPRF, SM2 sign/verify/encrypt/decrypt, SM2 key "
               "exchange), one line each.\nExit status 0 when all pass, 1 otherwise.\n");
        return TLCP_EXIT_OK;
    }
    tlcp_result r = tlcp_selftest(print_line, NULL);
    printf("selftest: %s\n", r == TLCP_OK ? "all passed" : "FAILED");
    return r == TLCP_OK ? TLCP_EXIT_OK : TLCP_EXIT_FAILURE;
}

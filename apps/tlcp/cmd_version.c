/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>

#include "cli.h"

int cmd_version(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("usage: tlcp version\n\nPrints the libtlcp version and the protocol it speaks.\n");
        return TLCP_EXIT_OK;
    }
    printf("tlcp %s (libtlcp %s, TLCP GB/T 38636-2020, protocol version 0x%04x)\n",
           TLCP_VERSION_STRING, tlcp_version(), TLCP_PROTOCOL_VERSION);
    return TLCP_EXIT_OK;
}

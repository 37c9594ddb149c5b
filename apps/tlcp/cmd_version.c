#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

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

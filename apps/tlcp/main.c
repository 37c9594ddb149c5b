/* tlcp: one command-line program over the public libtlcp API. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct tlcp_command commands[] = {
    {"version", "print the library version", cmd_version},
    {"selftest", "run known-answer tests of every primitive", cmd_selftest},
    {"help", "list the commands", cmd_help},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: tlcp <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'tlcp <command> --help' describes one command.\n");
}

int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    usage(stdout);
    return TLCP_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TLCP_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    if (strcmp(name, "--version") == 0)
        name = "version";
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "tlcp: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return TLCP_EXIT_USAGE;
}

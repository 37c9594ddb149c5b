/* SPDX-License-Identifier: Apache-2.0 */
/* tlcp: one command-line program over the public libtlcp API. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct tlcp_command commands[] = {
    {"demo", "a traced TLCP handshake between a local client and server", cmd_demo},
    {"certgen", "make a test PKI: SM2 root CA, sign and enc certificates", cmd_certgen},
    {"server", "serve TLCP (echo, status page or stdio)", cmd_server},
    {"client", "connect to a TLCP server (stdin to server, server to stdout)", cmd_client},
    {"proxy", "TLCP gateway: terminate or originate TLCP for plain TCP services", cmd_proxy},
    {"keyserver", "hold private keys; sign, decrypt, key exchange for TLCP endpoints",
     cmd_keyserver},
    {"selftest", "run known-answer tests of every primitive", cmd_selftest},
    {"version", "print the library version", cmd_version},
    {"help", "list the commands, or 'tlcp help COMMAND'", cmd_help},
};

#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct tlcp_command *find_command(const char *name)
{
    for (size_t i = 0; i < NUM_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: tlcp <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'tlcp <command> --help' describes one command.\n"
                 "\nexit status:\n"
                 "  0  success\n"
                 "  1  the operation failed (self-test, file write, unclean end)\n"
                 "  2  bad command line\n"
                 "  3  unusable files, keys or certificates (nothing was started)\n"
                 "  4  network: cannot listen or connect, connection refused, timeout\n"
                 "  5  TLCP handshake failed, peer sent an alert, certificate rejected\n");
}

int cmd_help(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0) {
        const struct tlcp_command *c = find_command(argv[1]);
        if (c == NULL) {
            fprintf(stderr, "tlcp help: unknown command '%s'\n", argv[1]);
            return TLCP_EXIT_USAGE;
        }
        if (c->run == cmd_help) {
            usage(stdout);
            return TLCP_EXIT_OK;
        }
        char *sub[] = {argv[1], "--help", NULL};
        return c->run(2, sub);
    }
    usage(stdout);
    return TLCP_EXIT_OK;
}

int main(int argc, char **argv)
{
    /* Writes to a closed socket must fail with EPIPE, not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return TLCP_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    if (strcmp(name, "--version") == 0)
        name = "version";
    const struct tlcp_command *c = find_command(name);
    if (c != NULL)
        return c->run(argc - 1, argv + 1);
    fprintf(stderr, "tlcp: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return TLCP_EXIT_USAGE;
}

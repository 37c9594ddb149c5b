/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line parsing shared by every subcommand: long options only
 * ("--name VALUE" or "--name=VALUE"), positional arguments, "--" ends options. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

/* The format attribute lets -Wformat-nonliteral (clang) see that fmt is the
 * callers' checked printf format. */
__attribute__((format(printf, 2, 0))) static void vreport(const char *cmd, const char *fmt,
                                                          va_list ap)
{
    fprintf(stderr, "tlcp %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Run 'tlcp %s --help' for the options.\n", cmd);
    return TLCP_EXIT_USAGE;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, size_t n, const char *name,
                                      size_t name_len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(opts[i].name) == name_len && strncmp(opts[i].name, name, name_len) == 0)
            return &opts[i];
    }
    return NULL;
}

static int parse_long(const char *cmd, const struct cli_opt *o, const char *text)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < o->min || v > o->max) {
        cli_usage_error(cmd, "--%s wants a whole number from %ld to %ld, not '%s'", o->name, o->min,
                        o->max, text);
        return 0;
    }
    *(long *)o->dest = v;
    return 1;
}

/* Applies one option; *i advances past a separate value argument. */
static int apply_opt(const char *cmd, const struct cli_opt *o, const char *inline_value, int argc,
                     char **argv, int *i)
{
    if (o->kind == CLI_FLAG) {
        if (inline_value != NULL) {
            cli_usage_error(cmd, "--%s takes no value", o->name);
            return 0;
        }
        *(int *)o->dest = 1;
        return 1;
    }
    const char *value = inline_value;
    if (value == NULL) {
        if (*i + 1 >= argc) {
            cli_usage_error(cmd, "--%s needs a value", o->name);
            return 0;
        }
        value = argv[++*i];
    }
    if (o->kind == CLI_INT)
        return parse_long(cmd, o, value);
    if (o->kind == CLI_LIST) {
        struct cli_list *l = o->dest;
        if (l->num >= CLI_LIST_MAX) {
            cli_usage_error(cmd, "--%s given more than %d times", o->name, CLI_LIST_MAX);
            return 0;
        }
        l->items[l->num++] = value;
        return 1;
    }
    *(const char **)o->dest = value;
    return 1;
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t num_opts,
              const char **pos, size_t max_pos, size_t *out_num_pos)
{
    size_t npos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!only_pos && strcmp(arg, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && arg[0] == '-' && arg[1] != '\0') {
            if (arg[1] != '-') {
                cli_usage_error(cmd, "unknown option '%s' (options start with --)", arg);
                return 0;
            }
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
            const struct cli_opt *o = find_opt(opts, num_opts, name, name_len);
            if (o == NULL) {
                cli_usage_error(cmd, "unknown option '--%.*s'", (int)name_len, name);
                return 0;
            }
            if (!apply_opt(cmd, o, eq != NULL ? eq + 1 : NULL, argc, argv, &i))
                return 0;
            continue;
        }
        if (npos >= max_pos) {
            cli_usage_error(cmd, "unexpected argument '%s'", arg);
            return 0;
        }
        pos[npos++] = arg;
    }
    if (out_num_pos != NULL)
        *out_num_pos = npos;
    return 1;
}

int cli_check_port(const char *cmd, const char *what, const char *text, int allow_zero)
{
    const long lo = allow_zero ? 0 : 1;
    int digits = text[0] != '\0' && strspn(text, "0123456789") == strlen(text);
    if (!digits) {
        cli_usage_error(cmd, "%s: '%s' is not a port number (%ld to 65535)", what, text, lo);
        return 0;
    }
    /* Up to 5 digits after leading zeros, so strtol cannot wrap. */
    const char *p = text + strspn(text, "0");
    long v = strlen(p) > 5 ? 65536 : strtol(text, NULL, 10);
    if (v < lo || v > 65535) {
        cli_usage_error(cmd, "%s: port %s is out of range (%ld to 65535)", what, text, lo);
        return 0;
    }
    return 1;
}

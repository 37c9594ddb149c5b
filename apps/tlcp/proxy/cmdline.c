/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `tlcp proxy` arguments: --config FILE, or one service on the command
 * line. Every "--some-key VALUE" is the config key "some_key = VALUE", so
 * both forms share one meaning per key (config_keys.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proxy.h"

static int is_global(const char *key)
{
    static const char *const keys[] = {
        "workers", "log",         "metrics",      "drain_timeout",    "buffer_size",
        "redis",   "session_key", "redis_prefix", "redis_timeout_ms", "session_lifetime"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(key, keys[i]) == 0)
            return 1;
    }
    return 0;
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
    char msg[PX_ERR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_usage_error("proxy", "%s", msg);
    return 0;
}

/* "--handshake-timeout" -> "handshake_timeout"; "servername" is spelled as
 * in `tlcp client`. */
static void option_key(const char *name, size_t len, char *key, size_t cap)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        key[i] = name[i] == '-' ? '_' : name[i];
    key[n] = '\0';
    if (strcmp(key, "servername") == 0)
        snprintf(key, cap, "server_name");
}

static int apply(struct px_config *c, struct px_service **svc, const char *key, const char *value)
{
    struct px_origin at = {"command line", 0};
    char err[PX_ERR_LEN];
    if (!is_global(key) && *svc == NULL) {
        *svc = px_config_add_service(c, "cmdline", &at, err, sizeof(err));
        if (*svc == NULL)
            return usage("%s", err);
    }
    if (!px_config_set(c, is_global(key) ? NULL : *svc, key, value, &at, err, sizeof(err))) {
        char opt[80];
        snprintf(opt, sizeof(opt), "--%s", key);
        for (char *p = opt; *p; p++)
            if (*p == '_')
                *p = '-';
        return usage("%s: %.400s", opt, err);
    }
    return 1;
}

int px_cmdline(int argc, char **argv, struct px_config *c, const char **config_path, int *check)
{
    struct px_service *svc = NULL;
    *config_path = NULL;
    *check = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return usage("unexpected argument '%s'", arg);
        const char *name = arg + 2, *eq = strchr(name, '=');
        char key[64];
        option_key(name, eq ? (size_t)(eq - name) : strlen(name), key, sizeof(key));
        if (strcmp(key, "check") == 0) {
            *check = 1;
            continue;
        }
        if (strcmp(key, "terminate") == 0 || strcmp(key, "originate") == 0) {
            if (!apply(c, &svc, "direction", key))
                return 0;
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL)
            return usage("%s needs a value", arg);
        if (strcmp(key, "config") == 0) {
            *config_path = value;
            continue;
        }
        if (!apply(c, &svc, key, value))
            return 0;
    }
    if (*config_path != NULL && c->num_services > 0)
        return usage("--config and service options do not mix");
    if (*config_path == NULL && c->num_services == 0)
        return usage("give --config FILE, or --accept, --connect and --terminate or "
                     "--originate");
    return 1;
}

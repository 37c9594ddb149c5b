/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSL providers for key URIs in the proxy's config: `provider = NAME`
 * (repeatable), `provider_path = DIR`, `key_propquery = QUERY`, in the
 * global section (for every service) or in a service (for it alone). They
 * are loaded into each service's libtlcp config before its pairs, so a bad
 * name or directory is a configuration error at load, in --check and at a
 * reload, naming the key's line. Without any, key URIs use OpenSSL's
 * default context (OPENSSL_CONF).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proxy.h"

static void note_at(struct px_providers *p, const struct px_origin *at)
{
    if (p->num == 0 && p->path == NULL && p->propquery == NULL)
        p->at = *at;
}

int px_providers_key(struct px_providers *p, const char *key, const char *value,
                     const struct px_origin *at, char *err, size_t errlen, int *handled)
{
    *handled = 1;
    if (strcmp(key, "provider") == 0) {
        if (p->num >= PX_MAX_PROVIDERS) {
            snprintf(err, errlen, "at most %d providers", PX_MAX_PROVIDERS);
            return 0;
        }
        note_at(p, at);
        if (!px_config_string(&p->names[p->num], value, err, errlen))
            return 0;
        p->num++;
        return 1;
    }
    if (strcmp(key, "provider_path") == 0) {
        struct stat st;
        if (stat(value, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "'%s' is not a directory", value);
            return 0;
        }
        note_at(p, at);
        return px_config_string(&p->path, value, err, errlen);
    }
    if (strcmp(key, "key_propquery") == 0) {
        note_at(p, at);
        return px_config_string(&p->propquery, value, err, errlen);
    }
    *handled = 0;
    return 0;
}

static int copy(char **dest, const char *src, char *err, size_t errlen)
{
    return src == NULL || px_config_string(dest, src, err, errlen);
}

int px_providers_inherit(struct px_service *s, const struct px_providers *global, char *err,
                         size_t errlen)
{
    /* Key by key: a service's provider list replaces the global list, its
     * provider_path and key_propquery the global ones. */
    struct px_providers *p = &s->providers;
    if (p->num == 0 && p->path == NULL && p->propquery == NULL)
        p->at = global->at;
    if (p->num == 0) {
        for (size_t i = 0; i < global->num; i++)
            if (!copy(&p->names[p->num++], global->names[i], err, errlen))
                return 0;
    }
    return (p->path != NULL || copy(&p->path, global->path, err, errlen)) &&
           (p->propquery != NULL || copy(&p->propquery, global->propquery, err, errlen));
}

/* "file:line: key 'K': what[: the library's reason]" (cfg NULL: none). */
static int fail(const struct px_providers *p, const char *key, const char *what,
                const tlcp_config *cfg, char *err, size_t errlen)
{
    char line[32] = "";
    if (p->at.line > 0)
        snprintf(line, sizeof(line), ":%d", p->at.line);
    snprintf(err, errlen, "%s%s: key '%s': %s%s%s", p->at.file, line, key, what,
             cfg != NULL ? ": " : "", cfg != NULL ? tlcp_config_error(cfg) : "");
    return 0;
}

int px_providers_apply(tlcp_config *cfg, const struct px_service *s, char *err, size_t errlen)
{
    const struct px_providers *p = &s->providers;
    if (p->num == 0 && p->path != NULL)
        return fail(p, "provider_path", "no 'provider' to load from it", NULL, err, errlen);
    for (size_t i = 0; i < p->num; i++)
        if (tlcp_config_load_key_provider(cfg, p->names[i], p->path) != TLCP_OK)
            return fail(p, "provider", p->names[i], cfg, err, errlen);
    if (p->propquery != NULL && tlcp_config_set_key_propquery(cfg, p->propquery) != TLCP_OK)
        return fail(p, "key_propquery", p->propquery, cfg, err, errlen);
    return 1;
}

void px_providers_free(struct px_providers *p)
{
    for (size_t i = 0; i < p->num; i++)
        free(p->names[i]);
    free(p->path);
    free(p->propquery);
    memset(p, 0, sizeof(*p));
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The proxy's configuration file: an INI-like format in the spirit of
 * stunnel's. Global "key = value" lines first, then "[service]" sections;
 * "#" or ";" start a comment line. Every error names the file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define PX_MAX_LINE 4096

void px_config_init(struct px_config *c)
{
    memset(c, 0, sizeof(*c));
    c->drain_timeout_ms = 10000;
    c->buffer_size = 16384;
    c->redis_timeout_ms = 50;
    c->session_lifetime = 3600;
    snprintf(c->source, sizeof(c->source), "command line");
}

static void free_pair(struct px_pair *p)
{
    free(p->sign_cert);
    free(p->sign_key);
    free(p->enc_cert);
    free(p->enc_key);
    free(p->name);
}

void px_config_free(struct px_config *c)
{
    for (size_t i = 0; i < c->num_services; i++) {
        struct px_service *s = &c->services[i];
        for (size_t j = 0; j < s->num_pairs; j++)
            free_pair(&s->pairs[j]);
        free_pair(&s->single);
        px_ks_config_free(s);
        free(s->chain);
        free(s->pass);
        free(s->ca);
        free(s->crl);
        free(s->suites);
        free(s->server_name);
        free(s->compat);
        px_tls_side_free(s);
        px_providers_free(&s->providers);
    }
    px_providers_free(&c->providers);
    free(c->services);
    free(c->redis_prefix);
    c->redis_prefix = NULL;
    free(c->log);
    memset(c, 0, sizeof(*c));
}

struct px_service *px_config_add_service(struct px_config *c, const char *name,
                                         const struct px_origin *at, char *err, size_t errlen)
{
    if (name[0] == '\0' || strlen(name) >= sizeof(c->services[0].name)) {
        snprintf(err, errlen, "a service name has 1 to 63 characters");
        return NULL;
    }
    for (size_t i = 0; i < c->num_services; i++) {
        if (strcmp(c->services[i].name, name) == 0) {
            snprintf(err, errlen, "service [%s] defined twice (first at line %d)", name,
                     c->services[i].at.line);
            return NULL;
        }
    }
    if (c->num_services >= PX_MAX_SERVICES) {
        snprintf(err, errlen, "at most %d services", PX_MAX_SERVICES);
        return NULL;
    }
    struct px_service *grown = realloc(c->services, (c->num_services + 1) * sizeof(*grown));
    if (grown == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->services = grown;
    struct px_service *s = &c->services[c->num_services++];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->at = *at;
    s->handshake_timeout_ms = 10000;
    s->idle_timeout_ms = 300000;
    s->connect_timeout_ms = 5000;
    s->sessions = 1024;
    return s;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* One line: blank, comment, [section] or key = value. */
static int parse_line(struct px_config *c, struct px_service **svc, char *line,
                      const struct px_origin *at, char *err, size_t errlen)
{
    char *t = trim(line);
    if (*t == '\0' || *t == '#' || *t == ';')
        return 1;
    if (*t == '[') {
        char *close = strchr(t, ']');
        if (close == NULL || *trim(close + 1) != '\0') {
            snprintf(err, errlen, "a section header is '[name]', not '%s'", t);
            return 0;
        }
        *close = '\0';
        *svc = px_config_add_service(c, trim(t + 1), at, err, errlen);
        return *svc != NULL;
    }
    char *eq = strchr(t, '=');
    if (eq == NULL) {
        snprintf(err, errlen, "expected 'key = value', '[service]' or a comment, not '%s'", t);
        return 0;
    }
    *eq = '\0';
    char *key = trim(t), *value = trim(eq + 1);
    if (*key == '\0') {
        snprintf(err, errlen, "a key is missing before '='");
        return 0;
    }
    char why[PX_ERR_LEN];
    if (!px_config_set(c, *svc, key, value, at, why, sizeof(why))) {
        snprintf(err, errlen, "key '%.60s': %.400s", key, why);
        return 0;
    }
    return 1;
}

int px_config_load_file(struct px_config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return 0;
    }
    snprintf(c->source, sizeof(c->source), "%s", path);
    struct px_origin at;
    snprintf(at.file, sizeof(at.file), "%s", path);
    at.line = 0;
    struct px_service *svc = NULL;
    char line[PX_MAX_LINE + 2];
    int ok = 1;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        at.line++;
        size_t n = strlen(line);
        char why[PX_ERR_LEN];
        if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
            snprintf(why, sizeof(why), "line longer than %d characters", PX_MAX_LINE);
            ok = 0;
        } else {
            ok = parse_line(c, &svc, line, &at, why, sizeof(why));
        }
        if (!ok)
            snprintf(err, errlen, "%.200s:%d: %.400s", path, at.line, why);
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        ok = 0;
    }
    fclose(f);
    return ok && px_config_validate(c, err, errlen);
}

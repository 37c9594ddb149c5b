/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The meaning of every configuration key, shared by the file parser and
 * the one-service command line, and the checks after parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

int px_parse_duration(const char *text, long *out_ms)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || v < 0)
        return 0;
    double scale = 1000;
    if (strcmp(end, "ms") == 0)
        scale = 1;
    else if (strcmp(end, "m") == 0)
        scale = 60000;
    else if (strcmp(end, "h") == 0)
        scale = 3600000;
    else if (*end != '\0' && strcmp(end, "s") != 0)
        return 0;
    double ms = v * scale;
    if (ms > 86400000.0 * 7)
        return 0;
    *out_ms = (long)ms;
    return 1;
}

static int parse_count(const char *text, long min, long max, long *out, char *err, size_t errlen)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        snprintf(err, errlen, "wants a whole number from %ld to %ld, not '%s'", min, max, text);
        return 0;
    }
    *out = v;
    return 1;
}

static int set_string(char **dest, const char *value, char *err, size_t errlen)
{
    if (*value == '\0') {
        snprintf(err, errlen, "empty value");
        return 0;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    free(*dest);
    *dest = copy;
    return 1;
}

int px_config_string(char **dest, const char *value, char *err, size_t errlen)
{
    return set_string(dest, value, err, errlen);
}

/* 32 hex digits: the SM4 key sealing the sessions kept in Redis. */
static int parse_session_key(const char *value, uint8_t out[16], char *err, size_t errlen)
{
    size_t n = strlen(value);
    for (size_t i = 0; n == 32 && i < 16; i++) {
        unsigned b;
        if (sscanf(value + 2 * i, "%2x", &b) != 1 || !isxdigit((unsigned char)value[2 * i]) ||
            !isxdigit((unsigned char)value[2 * i + 1])) {
            n = 0;
            break;
        }
        out[i] = (uint8_t)b;
    }
    if (n != 32) {
        snprintf(err, errlen, "wants 32 hex digits (a 16-byte SM4 key)");
        return 0;
    }
    return 1;
}

static int set_store_key(struct px_config *c, const char *key, const char *value, char *err,
                         size_t errlen)
{
    if (strcmp(key, "redis") == 0) {
        if (!px_redis_available()) {
            snprintf(err, errlen, "this tlcp was built without hiredis (see docs/PROXY.md)");
            return 0;
        }
        c->have_redis = px_addr_parse(&c->redis, value, 1, err, errlen);
        return c->have_redis;
    }
    if (strcmp(key, "redis_prefix") == 0) {
        free(c->redis_prefix);
        c->redis_prefix = NULL;
        return set_string(&c->redis_prefix, value, err, errlen);
    }
    if (strcmp(key, "redis_timeout_ms") == 0)
        return parse_count(value, 1, 10000, &c->redis_timeout_ms, err, errlen);
    if (strcmp(key, "session_lifetime") == 0)
        return parse_count(value, 1, 86400, &c->session_lifetime, err, errlen);
    if (strcmp(key, "session_key") == 0) {
        c->have_session_key = parse_session_key(value, c->session_key, err, errlen);
        return c->have_session_key;
    }
    snprintf(err, errlen, "unknown global key (service keys go after a [service] header)");
    return 0;
}

static int set_duration(long *dest, const char *value, char *err, size_t errlen)
{
    if (!px_parse_duration(value, dest)) {
        snprintf(err, errlen, "wants a duration such as 10, 10s, 500ms or 2m, not '%s'", value);
        return 0;
    }
    return 1;
}

/* "pair = SIGN_CERT SIGN_KEY ENC_CERT ENC_KEY" (the default pair) and
 * "pair_for = NAME SIGN_CERT SIGN_KEY ENC_CERT ENC_KEY" (a pair for clients
 * whose SNI is NAME), both repeatable. */
static int add_pair(struct px_service *s, const char *value, const struct px_origin *at, int named,
                    char *err, size_t errlen)
{
    if (s->num_pairs >= PX_MAX_PAIRS) {
        snprintf(err, errlen, "at most %d certificate pairs per service", PX_MAX_PAIRS);
        return 0;
    }
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", value);
    char *all[6] = {0};
    size_t n = 0;
    for (char *tok = strtok(buf, " \t"); tok != NULL && n < 6; tok = strtok(NULL, " \t"))
        all[n++] = tok;
    if (n != (named ? 5u : 4u)) {
        snprintf(err, errlen,
                 named ? "wants a name and four files: NAME SIGN_CERT SIGN_KEY "
                         "ENC_CERT ENC_KEY"
                       : "wants four files: SIGN_CERT SIGN_KEY ENC_CERT ENC_KEY");
        return 0;
    }
    char **parts = named ? all + 1 : all;
    struct px_pair *p = &s->pairs[s->num_pairs];
    memset(p, 0, sizeof(*p));
    p->at = *at;
    if ((named && !set_string(&p->name, all[0], err, errlen)) ||
        !set_string(&p->sign_cert, parts[0], err, errlen) ||
        !set_string(&p->sign_key, parts[1], err, errlen) ||
        !set_string(&p->enc_cert, parts[2], err, errlen) ||
        !set_string(&p->enc_key, parts[3], err, errlen)) {
        free(p->sign_cert);
        free(p->sign_key);
        free(p->enc_cert);
        free(p->name);
        return 0;
    }
    s->num_pairs++;
    return 1;
}

static int set_enum(const char *value, const char *const *names, const int *values, size_t n,
                    int *dest, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(value, names[i]) == 0) {
            *dest = values[i];
            return 1;
        }
    }
    char list[256] = "";
    for (size_t i = 0; i < n; i++) {
        strncat(list, names[i], sizeof(list) - strlen(list) - 1);
        if (i + 1 < n)
            strncat(list, i + 2 == n ? " or " : ", ", sizeof(list) - strlen(list) - 1);
    }
    snprintf(err, errlen, "wants %s, not '%s'", list, value);
    return 0;
}

static int set_single(struct px_service *s, const char *key, const char *value,
                      const struct px_origin *at, char *err, size_t errlen, int *handled)
{
    char **dest = NULL;
    if (strcmp(key, "sign_cert") == 0)
        dest = &s->single.sign_cert;
    else if (strcmp(key, "sign_key") == 0)
        dest = &s->single.sign_key;
    else if (strcmp(key, "enc_cert") == 0)
        dest = &s->single.enc_cert;
    else if (strcmp(key, "enc_key") == 0)
        dest = &s->single.enc_key;
    *handled = dest != NULL;
    if (dest == NULL)
        return 0;
    if (s->single.sign_cert == NULL && s->single.sign_key == NULL && s->single.enc_cert == NULL &&
        s->single.enc_key == NULL)
        s->single.at = *at;
    return set_string(dest, value, err, errlen);
}

static int set_string_key(struct px_service *s, const char *key, const char *value,
                          const struct px_origin *at, char *err, size_t errlen, int *handled)
{
    *handled = 1;
    if (strcmp(key, "chain") == 0) {
        s->chain_at = *at;
        return set_string(&s->chain, value, err, errlen);
    }
    if (strcmp(key, "pass") == 0)
        return set_string(&s->pass, value, err, errlen);
    if (strcmp(key, "ca") == 0) {
        s->ca_at = *at;
        return set_string(&s->ca, value, err, errlen);
    }
    if (strcmp(key, "crl") == 0) {
        s->crl_at = *at;
        return set_string(&s->crl, value, err, errlen);
    }
    if (strcmp(key, "partial_chain") == 0) {
        static const char *const names[] = {"no", "yes"};
        static const int values[] = {0, 1};
        return set_enum(value, names, values, 2, &s->partial_chain, err, errlen);
    }
    if (strcmp(key, "suites") == 0) {
        uint16_t ids[16];
        if (cli_parse_suites(value, ids, 16, err, errlen) == 0)
            return 0;
        s->suites_at = *at;
        return set_string(&s->suites, value, err, errlen);
    }
    if (strcmp(key, "server_name") == 0)
        return set_string(&s->server_name, value, err, errlen);
    if (strcmp(key, "compat") == 0) {
        if (strcmp(value, "gmssl3") != 0 && strcmp(value, "standard") != 0) {
            snprintf(err, errlen, "wants gmssl3 or standard, not '%s'", value);
            return 0;
        }
        return set_string(&s->compat, value, err, errlen);
    }
    return set_single(s, key, value, at, err, errlen, handled);
}

static int set_service_key(struct px_service *s, const char *key, const char *value,
                           const struct px_origin *at, char *err, size_t errlen)
{
    static const char *const dir_names[] = {"terminate", "originate"};
    static const int dir_values[] = {PX_TERMINATE, PX_ORIGINATE};
    static const char *const pp_names[] = {"none", "v1", "v2"};
    static const int pp_values[] = {PX_PP_NONE, PX_PP_V1, PX_PP_V2};
    if (strcmp(key, "direction") == 0)
        return set_enum(value, dir_names, dir_values, 2, &s->direction, err, errlen);
    if (strcmp(key, "proxy_protocol") == 0)
        return set_enum(value, pp_names, pp_values, 3, &s->proxy_protocol, err, errlen);
    if (strcmp(key, "accept") == 0) {
        s->have_accept = px_addr_parse(&s->accept, value, 0, err, errlen);
        return s->have_accept;
    }
    if (strcmp(key, "connect") == 0) {
        s->have_connect = px_addr_parse(&s->connect, value, 1, err, errlen);
        return s->have_connect;
    }
    if (strcmp(key, "pair") == 0)
        return add_pair(s, value, at, 0, err, errlen);
    if (strcmp(key, "pair_for") == 0)
        return add_pair(s, value, at, 1, err, errlen);
    if (strcmp(key, "verify") == 0) {
        if (!cli_parse_verify_mode(value, &s->verify_mode)) {
            snprintf(err, errlen, "wants none, optional or require, not '%s'", value);
            return 0;
        }
        s->verify_set = 1;
        return 1;
    }
    if (strcmp(key, "handshake_timeout") == 0)
        return set_duration(&s->handshake_timeout_ms, value, err, errlen);
    if (strcmp(key, "idle_timeout") == 0)
        return set_duration(&s->idle_timeout_ms, value, err, errlen);
    if (strcmp(key, "connect_timeout") == 0)
        return set_duration(&s->connect_timeout_ms, value, err, errlen);
    if (strcmp(key, "max_conns") == 0)
        return parse_count(value, 0, 10000000, &s->max_conns, err, errlen);
    if (strcmp(key, "sessions") == 0)
        return parse_count(value, 0, 1000000, &s->sessions, err, errlen);
    int handled = 0;
    int ok = px_ks_config_set(s, key, value, err, errlen, &handled);
    if (!handled)
        ok = px_providers_key(&s->providers, key, value, at, err, errlen, &handled);
    if (handled)
        return ok;
    ok = strncmp(key, "tls_", 4) == 0 ? px_tls_side_key(s, key, value, at, err, errlen, &handled)
                                      : set_string_key(s, key, value, at, err, errlen, &handled);
    if (!handled)
        snprintf(err, errlen, "unknown key in a service section");
    return ok;
}

static int set_global_key(struct px_config *c, const char *key, const char *value,
                          const struct px_origin *at, char *err, size_t errlen)
{
    int handled = 0;
    int ok = px_providers_key(&c->providers, key, value, at, err, errlen, &handled);
    if (handled)
        return ok;
    if (strcmp(key, "workers") == 0)
        return parse_count(value, 1, 256, &c->workers, err, errlen);
    if (strcmp(key, "log") == 0)
        return set_string(&c->log, value, err, errlen);
    if (strcmp(key, "metrics") == 0) {
        c->have_metrics = px_addr_parse(&c->metrics, value, 0, err, errlen);
        return c->have_metrics;
    }
    if (strcmp(key, "drain_timeout") == 0)
        return set_duration(&c->drain_timeout_ms, value, err, errlen);
    if (strcmp(key, "buffer_size") == 0)
        return parse_count(value, 1024, 1048576, &c->buffer_size, err, errlen);
    if (strncmp(key, "redis", 5) == 0 || strncmp(key, "session_", 8) == 0)
        return set_store_key(c, key, value, err, errlen);
    snprintf(err, errlen, "unknown global key (service keys go after a [service] header)");
    return 0;
}

int px_config_set(struct px_config *c, struct px_service *svc, const char *key, const char *value,
                  const struct px_origin *at, char *err, size_t errlen)
{
    if (svc == NULL)
        return set_global_key(c, key, value, at, err, errlen);
    return set_service_key(svc, key, value, at, err, errlen);
}

/* "file:line: [name]: " */
static int service_error(const struct px_service *s, char *err, size_t errlen, const char *what)
{
    if (s->at.line > 0)
        snprintf(err, errlen, "%s:%d: [%s]: %s", s->at.file, s->at.line, s->name, what);
    else
        snprintf(err, errlen, "%s: %s", s->at.file, what);
    return 0;
}

/* The four single keys go together; they become the first pair. */
static int take_single_pair(struct px_service *s, char *err, size_t errlen)
{
    struct px_pair *p = &s->single;
    int given = (p->sign_cert != NULL) + (p->sign_key != NULL) + (p->enc_cert != NULL) +
                (p->enc_key != NULL);
    if (given == 0)
        return 1;
    if (given != 4) {
        const char *missing = p->sign_cert == NULL  ? "sign_cert"
                              : p->sign_key == NULL ? "sign_key"
                              : p->enc_cert == NULL ? "enc_cert"
                                                    : "enc_key";
        char what[200];
        snprintf(what, sizeof(what),
                 "key '%s' missing: sign_cert, sign_key, enc_cert and enc_key go together",
                 missing);
        return service_error(s, err, errlen, what);
    }
    if (s->num_pairs >= PX_MAX_PAIRS)
        return service_error(s, err, errlen, "too many certificate pairs");
    memmove(&s->pairs[1], &s->pairs[0], s->num_pairs * sizeof(s->pairs[0]));
    s->pairs[0] = *p;
    s->num_pairs++;
    memset(p, 0, sizeof(*p));
    return 1;
}

static int validate_service(struct px_service *s, char *err, size_t errlen)
{
    char what[300];
    if (!px_ks_validate(s, what, sizeof(what)))
        return service_error(s, err, errlen, what);
    if (!take_single_pair(s, err, errlen))
        return 0;
    if (s->direction == 0)
        return service_error(s, err, errlen, "key 'direction' missing (terminate or originate)");
    if (!s->have_accept)
        return service_error(s, err, errlen, "key 'accept' missing (address:port)");
    if (!s->have_connect)
        return service_error(s, err, errlen, "key 'connect' missing (address:port or unix:/path)");
    if (!px_tls_side_validate(s, err, errlen))
        return 0;
    if (s->direction == PX_TERMINATE) {
        if (s->num_pairs == 0 && s->ks.addr == NULL)
            return service_error(s, err, errlen,
                                 "key 'pair' (or sign_cert, sign_key, enc_cert, enc_key) "
                                 "missing: a terminating service needs its certificates");
        if (s->compat != NULL || s->server_name != NULL)
            return service_error(s, err, errlen,
                                 "keys 'compat' and 'server_name' apply to originate only");
        size_t defaults = 0;
        for (size_t i = 0; i < s->num_pairs; i++)
            defaults += s->pairs[i].name == NULL;
        if (defaults > 1)
            return service_error(s, err, errlen,
                                 "more than one default certificate pair ('pair' or the "
                                 "sign_cert ... keys): give the others a server name with "
                                 "'pair_for = NAME SIGN_CERT SIGN_KEY ENC_CERT ENC_KEY'");
        if (s->verify_set && s->verify_mode != TLCP_VERIFY_NONE && s->ca == NULL)
            return service_error(s, err, errlen,
                                 "key 'verify' asks for client certificates: key 'ca' missing");
    } else {
        if (s->proxy_protocol != PX_PP_NONE)
            return service_error(s, err, errlen, "key 'proxy_protocol' applies to terminate only");
        if (s->num_pairs > 1)
            return service_error(s, err, errlen, "an originating service has one client pair");
        if (s->num_pairs == 1 && s->pairs[0].name != NULL)
            return service_error(s, err, errlen, "key 'pair_for' applies to terminate only");
        if (s->ca == NULL && !(s->verify_set && s->verify_mode == TLCP_VERIFY_NONE))
            return service_error(s, err, errlen,
                                 "key 'ca' missing: an originating service verifies the server "
                                 "(or set 'verify = none' for tests)");
        if (s->connect.ss.ss_family == AF_UNIX)
            return service_error(s, err, errlen,
                                 "key 'connect': an originating service "
                                 "connects to a TLCP server over TCP");
    }
    return 1;
}

/* Port 0: the kernel picks a free port, so two services never collide. */
static int port_zero(const struct px_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ((const struct sockaddr_in *)(const void *)&a->ss)->sin_port == 0;
    if (a->ss.ss_family == AF_INET6)
        return ((const struct sockaddr_in6 *)(const void *)&a->ss)->sin6_port == 0;
    return 0;
}

int px_config_validate(struct px_config *c, char *err, size_t errlen)
{
    if (c->num_services == 0) {
        snprintf(err, errlen, "%s: no [service] section", c->source);
        return 0;
    }
    if (c->have_redis && !c->have_session_key) {
        snprintf(err, errlen, "%s: redis needs session_key (sessions hold master secrets)",
                 c->source);
        return 0;
    }
    for (size_t i = 0; i < c->num_services; i++) {
        if (!validate_service(&c->services[i], err, errlen) ||
            !px_providers_inherit(&c->services[i], &c->providers, err, errlen))
            return 0;
        for (size_t j = 0; j < i; j++) {
            if (!port_zero(&c->services[i].accept) &&
                strcmp(c->services[i].accept.text, c->services[j].accept.text) == 0) {
                char what[400];
                snprintf(what, sizeof(what), "key 'accept': %s already used by [%s]",
                         c->services[i].accept.text, c->services[j].name);
                return service_error(&c->services[i], err, errlen, what);
            }
        }
    }
    return 1;
}

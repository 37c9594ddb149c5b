/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses of the config: "host:port", "[v6]:port", "unix:/path", resolved
 * once at load time so that the event loop never waits on DNS. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "proxy.h"

static int parse_unix(struct px_addr *a, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un *un = (struct sockaddr_un *)(void *)&a->ss;
    if (path[0] != '/' || strlen(path) >= sizeof(un->sun_path)) {
        snprintf(err, errlen, "unix:PATH wants an absolute path shorter than %zu bytes",
                 sizeof(un->sun_path));
        return 0;
    }
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, strlen(path) + 1);
    a->len = (socklen_t)sizeof(*un);
    return 1;
}

static int valid_port(const char *port)
{
    char *end = NULL;
    long v = strtol(port, &end, 10);
    return *port != '\0' && *end == '\0' && v >= 0 && v <= 65535;
}

int px_addr_parse(struct px_addr *a, const char *text, int allow_unix, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    if (strlen(text) >= sizeof(a->text)) {
        snprintf(err, errlen, "address too long");
        return 0;
    }
    snprintf(a->text, sizeof(a->text), "%s", text);
    if (strncmp(text, "unix:", 5) == 0) {
        if (!allow_unix) {
            snprintf(err, errlen, "a unix socket is allowed for 'connect' only");
            return 0;
        }
        return parse_unix(a, text + 5, err, errlen);
    }
    char host[256], port[32];
    if (!cli_split_host_port(text, host, sizeof(host), port, sizeof(port)) || !valid_port(port)) {
        snprintf(err, errlen,
                 "wants ADDRESS:PORT ([v6addr]:port for IPv6, port 0 to 65535), not '%s'", text);
        return 0;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
        return 0;
    }
    memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
    a->len = res->ai_addrlen;
    freeaddrinfo(res);
    return 1;
}

void px_addr_format(const struct sockaddr *sa, char *out, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
        snprintf(out, len, "%s:%d", ip, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
        snprintf(out, len, "[%s]:%d", ip, ntohs(in6->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        snprintf(out, len, "unix");
    } else {
        snprintf(out, len, "unknown");
    }
}

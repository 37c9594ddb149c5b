/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PROXY protocol header (HAProxy's convention, versions 1 and 2) sent
 * to the backend first, so that it sees the client's address. Addresses
 * other than IPv4/IPv6 give "PROXY UNKNOWN" (v1) or the LOCAL command (v2).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "proxy.h"

static const uint8_t v2_signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                         0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

static size_t header_v1(const struct sockaddr *src, const struct sockaddr *dst, uint8_t *out,
                        size_t cap)
{
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
    int n;
    if (src->sa_family == AF_INET && dst->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)src, *b = (const void *)dst;
        inet_ntop(AF_INET, &a->sin_addr, s, sizeof(s));
        inet_ntop(AF_INET, &b->sin_addr, d, sizeof(d));
        n = snprintf((char *)out, cap, "PROXY TCP4 %s %s %u %u\r\n", s, d, ntohs(a->sin_port),
                     ntohs(b->sin_port));
    } else if (src->sa_family == AF_INET6 && dst->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)src, *b = (const void *)dst;
        inet_ntop(AF_INET6, &a->sin6_addr, s, sizeof(s));
        inet_ntop(AF_INET6, &b->sin6_addr, d, sizeof(d));
        n = snprintf((char *)out, cap, "PROXY TCP6 %s %s %u %u\r\n", s, d, ntohs(a->sin6_port),
                     ntohs(b->sin6_port));
    } else {
        n = snprintf((char *)out, cap, "PROXY UNKNOWN\r\n");
    }
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static size_t header_v2(const struct sockaddr *src, const struct sockaddr *dst, uint8_t *out,
                        size_t cap)
{
    if (cap < 16 + 36)
        return 0;
    memcpy(out, v2_signature, sizeof(v2_signature));
    uint8_t *p = out + 16;
    size_t addr_len = 0;
    out[12] = 0x21; /* version 2, PROXY */
    if (src->sa_family == AF_INET && dst->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const void *)src, *b = (const void *)dst;
        out[13] = 0x11; /* TCP over IPv4 */
        memcpy(p, &a->sin_addr, 4);
        memcpy(p + 4, &b->sin_addr, 4);
        memcpy(p + 8, &a->sin_port, 2);
        memcpy(p + 10, &b->sin_port, 2);
        addr_len = 12;
    } else if (src->sa_family == AF_INET6 && dst->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)src, *b = (const void *)dst;
        out[13] = 0x21; /* TCP over IPv6 */
        memcpy(p, &a->sin6_addr, 16);
        memcpy(p + 16, &b->sin6_addr, 16);
        memcpy(p + 32, &a->sin6_port, 2);
        memcpy(p + 34, &b->sin6_port, 2);
        addr_len = 36;
    } else {
        out[12] = 0x20; /* LOCAL: the receiver uses the real connection's addresses */
        out[13] = 0x00;
    }
    out[14] = (uint8_t)(addr_len >> 8);
    out[15] = (uint8_t)addr_len;
    return 16 + addr_len;
}

size_t px_proxy_header(int version, const struct sockaddr *src, const struct sockaddr *dst,
                       uint8_t *out, size_t cap)
{
    if (version == PX_PP_V1)
        return header_v1(src, dst, out, cap);
    if (version == PX_PP_V2)
        return header_v2(src, dst, out, cap);
    return 0;
}

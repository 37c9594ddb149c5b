/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificates per server name: the patterns a server's extra pairs are
 * filed under, and the match of a client's SNI against them (exact name,
 * or "*." plus a domain matching exactly one more label; ASCII
 * case-insensitive; an exact name wins over a wildcard).
 */
#ifndef TLCP_HANDSHAKE_CERT_SELECT_H
#define TLCP_HANDSHAKE_CERT_SELECT_H

#include <stddef.h>

#include "x509/x509.h"

#define TLCP_MAX_NAMED_PAIRS 64

typedef struct tlcp_named_pair {
    char *pattern; /* lower case: "www.example.com" or "*.example.com" */
    tlcp_credentials *creds;
} tlcp_named_pair;

/* 1 when `pattern` may be configured: 1..255 visible ASCII bytes without
 * '*' except a leading "*." followed by at least one more character, and
 * no empty label. */
int tlcp_cert_pattern_valid(const char *pattern);
/* The pair for `sni` (NULL: no match; sni may be NULL). */
const tlcp_named_pair *tlcp_cert_select(const tlcp_named_pair *pairs, size_t n, const char *sni);

#endif

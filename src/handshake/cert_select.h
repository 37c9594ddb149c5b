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

#include "tlcp/tlcp.h"
#include "x509/x509.h"

#define TLCP_MAX_NAMED_PAIRS 64

typedef struct tlcp_named_pair {
    char *pattern; /* lower case: "www.example.com" or "*.example.com" */
    tlcp_credentials *creds;
    /* Keys of this pair held by an OpenSSL provider (a URI): the built-in
     * callback and its key, used instead of the config's while the pair
     * serves; NULL where the pair holds its key. */
    tlcp_key_op_fn key_fn[2];
    void *key_arg[2];
} tlcp_named_pair;

/* 1 when `pattern` may be configured: 1..255 visible ASCII bytes without
 * '*' except a leading "*." followed by at least one more character, and
 * no empty label. */
int tlcp_cert_pattern_valid(const char *pattern);
/* The pair for `sni` (NULL: no match; sni may be NULL). */
const tlcp_named_pair *tlcp_cert_select(const tlcp_named_pair *pairs, size_t n, const char *sni);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Codecs of the hello extensions libtlcp reads: ALPN (RFC 7301) and
 * server_name (RFC 6066). The hello parsers keep extension data opaque;
 * these parse it. Failures are decode_error (TLCP_R_DECODE or
 * TLCP_R_TRAILING_DATA), as for the messages.
 */
#ifndef TLCP_HANDSHAKE_MSG_EXT_H
#define TLCP_HANDSHAKE_MSG_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"
#include "util/error.h"

#define TLCP_ALPN_NAME_MAX 255
#define TLCP_SNI_NAME_MAX  255
/* ServerHello ALPN data: list length, one name length, the name. */
#define TLCP_ALPN_REPLY_MAX (2 + 1 + TLCP_ALPN_NAME_MAX)

/* ALPN extension data: a u16-prefixed, non-empty list of names, each
 * 1..255 bytes after a u8 length. `names` is the list without its
 * prefix. */
typedef struct tlcp_alpn_list {
    tlcp_cursor names;
    size_t count;
} tlcp_alpn_list;

TLCP_MUST_CHECK int tlcp_parse_alpn(tlcp_cursor data, tlcp_alpn_list *out, tlcp_error *err);
/* ServerHello: a list of exactly one name. */
TLCP_MUST_CHECK int tlcp_parse_alpn_selected(tlcp_cursor data, tlcp_cursor *out_name,
                                             tlcp_error *err);
/* The next name of a parsed list (0 at its end). */
int tlcp_alpn_next(tlcp_cursor *names, tlcp_cursor *out_name);
/* 1 when `name` is one of the names of a parsed list. */
int tlcp_alpn_contains(tlcp_cursor names, const uint8_t *name, size_t len);
/* Extension data: the u16 list prefix around `names` (u8-prefixed names). */
TLCP_MUST_CHECK int tlcp_build_alpn(tlcp_builder *b, const uint8_t *names, size_t len);

/* server_name extension data: a u16-prefixed list of (type u8, name u16<>).
 * *out_host is the first host_name (type 0) entry of 1..255 visible ASCII
 * bytes, or empty when there is none (other entries are skipped, as RFC
 * 6066 asks of unknown types). */
TLCP_MUST_CHECK int tlcp_parse_server_name(tlcp_cursor data, tlcp_cursor *out_host,
                                           tlcp_error *err);
/* One host_name entry. */
TLCP_MUST_CHECK int tlcp_build_server_name(tlcp_builder *b, const char *host);

#endif

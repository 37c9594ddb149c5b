/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlcp_detect_protocol: which protocol the first bytes of a connection
 * speak, for servers that serve TLCP and TLS on one port. Reads at most the
 * first record's header and its ClientHello up to the end of the cipher
 * suites list (bounded by the record length, itself at most 2^14), never
 * more, and never trusts a length that runs past the record.
 */
#include <stddef.h>
#include <stdint.h>

#include "suite/suite.h"
#include "tlcp/tlcp.h"

#define CT_HANDSHAKE    22
#define HS_CLIENT_HELLO 1
#define MAX_RECORD      16384
#define TLCP_MAJOR      0x01
#define TLS_MAJOR       0x03

/* The ClientHello fields that matter here; lengths are checked against the
 * record (`end`) and against what has arrived (`len`). */
typedef struct hello_reader {
    const uint8_t *buf;
    size_t len; /* bytes available */
    size_t end; /* end of the first record */
    size_t pos;
} hello_reader;

/* 1 ok, 0 need more bytes, -1 runs past the record. */
static int need(const hello_reader *r, size_t n)
{
    if (r->pos + n > r->end)
        return -1;
    return r->pos + n <= r->len;
}

static unsigned u16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* Signalling values that are not suites: the renegotiation SCSV, the
 * fallback SCSV and GREASE (RFC 8701: 0x?A?A). */
static int is_signal(unsigned s)
{
    return s == 0x00FF || s == 0x5600 || ((s & 0x0F0F) == 0x0A0A && (s >> 12) == ((s >> 4) & 0xF));
}

/* The verdict for a TLS ClientHello: TLS, or TLS_OFFERS_TLCP when the first
 * real suite is a TLCP one (the 360 browser lists them first or only). */
static int classify_suites(hello_reader *r)
{
    int ok = need(r, 2);
    if (ok <= 0)
        return ok == 0 ? TLCP_DETECT_NEED_MORE : TLCP_DETECT_TLS;
    size_t n = u16(r->buf + r->pos);
    r->pos += 2;
    if (n < 2 || n % 2 != 0)
        return TLCP_DETECT_TLS; /* malformed: libssl answers it with an alert */
    for (size_t i = 0; i < n; i += 2) {
        ok = need(r, 2);
        if (ok <= 0)
            return ok == 0 ? TLCP_DETECT_NEED_MORE : TLCP_DETECT_TLS;
        unsigned s = u16(r->buf + r->pos);
        r->pos += 2;
        if (is_signal(s))
            continue;
        return tlcp_suite_find((uint16_t)s) != NULL ? TLCP_DETECT_TLS_OFFERS_TLCP : TLCP_DETECT_TLS;
    }
    return TLCP_DETECT_TLS;
}

static int classify_hello(const uint8_t *buf, size_t len, size_t record_len)
{
    hello_reader r = {buf, len, 5 + record_len, 5};
    /* msg_type(1) length(3) client_version(2) random(32) session_id<0..32> */
    int ok = need(&r, 4 + 2 + 32 + 1);
    if (ok <= 0)
        return ok == 0 ? TLCP_DETECT_NEED_MORE : TLCP_DETECT_TLS;
    if (buf[5] != HS_CLIENT_HELLO)
        return TLCP_DETECT_NOT_HANDSHAKE;
    unsigned version = u16(buf + 9);
    if ((version >> 8) != TLS_MAJOR)
        return TLCP_DETECT_TLS;
    r.pos += 4 + 2 + 32;
    size_t sid = buf[r.pos++];
    if (sid > 32)
        return TLCP_DETECT_TLS;
    ok = need(&r, sid);
    if (ok <= 0)
        return ok == 0 ? TLCP_DETECT_NEED_MORE : TLCP_DETECT_TLS;
    r.pos += sid;
    return classify_suites(&r);
}

int tlcp_detect_protocol(const uint8_t *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return TLCP_DETECT_NEED_MORE;
    if (buf[0] != CT_HANDSHAKE)
        return TLCP_DETECT_NOT_HANDSHAKE;
    if (len < 2)
        return TLCP_DETECT_NEED_MORE;
    if (buf[1] != TLCP_MAJOR && buf[1] != TLS_MAJOR)
        return TLCP_DETECT_NOT_HANDSHAKE;
    if (len < 3)
        return TLCP_DETECT_NEED_MORE;
    if (buf[1] == TLCP_MAJOR)
        return buf[2] == 0x01 ? TLCP_DETECT_TLCP : TLCP_DETECT_NOT_HANDSHAKE;
    if (buf[2] > 0x04) /* SSL 3.0 (0x0300) .. TLS 1.3's record 0x0301/0x0303 */
        return TLCP_DETECT_NOT_HANDSHAKE;
    if (len < 5)
        return TLCP_DETECT_NEED_MORE;
    size_t record_len = u16(buf + 3);
    if (record_len == 0 || record_len > MAX_RECORD)
        return TLCP_DETECT_NOT_HANDSHAKE;
    return classify_hello(buf, len, record_len);
}

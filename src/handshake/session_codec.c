/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exported sessions: tlcp_session_export / tlcp_session_import.
 *
 * Format versions 1 and 2 (all integers big-endian):
 *   magic    4   "TLCS"
 *   version  1   0x01, or 0x02 when a ticket field is present
 *   length   4   bytes of body
 *   body         fields: type (1), length (2), value; types strictly increasing
 *   check    32  SM3(magic || version || length || body)
 *
 *   type  field                     length
 *    1    session ID                32
 *    2    cipher suite              2
 *    3    master secret             48
 *    4    created (Unix seconds)    8
 *    5    lifetime (seconds, > 0)   4
 *    6    flags                     1     bit 0: the peer's certificates passed
 *                                         the checks; bit 1: they failed and the
 *                                         verify callback overrode that (not both;
 *                                         other bits zero)
 *    7    host name (optional)      1..255, no NUL
 *    8    peer sign cert (optional) DER
 *    9    peer enc cert (optional)  DER
 *   10    verify reason             2     the TLCP_R_* of the failed checks;
 *                                         present exactly when bit 1 is set
 *
 *   11    session ticket (optional)  1..16384   version 2 only
 *   12    ticket lifetime hint       4          version 2 only; present
 *                                               exactly when 11 is
 *
 * Types 1-6 are required. A reader refuses a type its version does not
 * have: a new field means a new version byte. Sessions without a ticket are
 * still written as version 1, so older readers take them. The checksum is a plain hash: it catches
 * corruption, not an attacker (who can recompute it).
 */
#include <string.h>

#include "handshake/session.h"
#include "util/bytes.h"
#include "util/mem.h"

#define SESSION_MAGIC          "TLCS"
#define SESSION_MAGIC_LEN      4
#define SESSION_VERSION        1
#define SESSION_VERSION_TICKET 2
#define SESSION_HEADER_LEN     (SESSION_MAGIC_LEN + 1 + 4)
#define SESSION_MIN_LEN        (SESSION_HEADER_LEN + TLCP_SM3_DIGEST_LEN)
#define SESSION_HOST_MAX       255
#define SESSION_FLAG_VERIFY    0x01u
#define SESSION_FLAG_OVERRIDE  0x02u
#define SESSION_CREATED_MAX    ((uint64_t)1 << 62) /* keeps the expiry arithmetic in range */

enum session_field {
    F_ID = 1,
    F_SUITE = 2,
    F_MASTER = 3,
    F_CREATED = 4,
    F_LIFETIME = 5,
    F_FLAGS = 6,
    F_HOST = 7,
    F_SIGN_CERT = 8,
    F_ENC_CERT = 9,
    F_VERIFY_REASON = 10,
    F_TICKET = 11,
    F_TICKET_HINT = 12,
    F_COUNT
};
#define F_REQUIRED                                                                                 \
    ((1u << F_ID) | (1u << F_SUITE) | (1u << F_MASTER) | (1u << F_CREATED) | (1u << F_LIFETIME) |  \
     (1u << F_FLAGS))

/* ---- export ---- */

static int put_field(tlcp_builder *b, uint8_t type, const uint8_t *value, size_t len)
{
    tlcp_builder child;
    return tlcp_builder_add_u8(b, type) && tlcp_builder_open_u16(b, &child) &&
           tlcp_builder_add_bytes(&child, value, len) && tlcp_builder_flush(b);
}

static int put_cert(tlcp_builder *b, uint8_t type, const tlcp_cert *cert)
{
    if (cert == NULL)
        return 1;
    const uint8_t *der;
    size_t len;
    tlcp_cert_der(cert, &der, &len);
    return put_field(b, type, der, len);
}

static int put_body(tlcp_builder *b, const tlcp_session *s)
{
    uint8_t suite[2] = {(uint8_t)(s->suite >> 8), (uint8_t)s->suite};
    uint8_t created[8], lifetime[4];
    uint64_t c = (uint64_t)s->created;
    for (int i = 0; i < 8; i++)
        created[i] = (uint8_t)(c >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        lifetime[i] = (uint8_t)(s->lifetime >> (24 - 8 * i));
    uint8_t flags =
        (s->verified ? SESSION_FLAG_VERIFY : 0) | (s->overridden ? SESSION_FLAG_OVERRIDE : 0);
    uint8_t reason[2] = {(uint8_t)(s->verify_reason >> 8), (uint8_t)s->verify_reason};
    int ok = put_field(b, F_ID, s->id, TLCP_SESSION_ID_LEN) && put_field(b, F_SUITE, suite, 2) &&
             put_field(b, F_MASTER, s->master, TLCP_MASTER_SECRET_LEN) &&
             put_field(b, F_CREATED, created, 8) && put_field(b, F_LIFETIME, lifetime, 4) &&
             put_field(b, F_FLAGS, &flags, 1);
    if (ok && s->host != NULL)
        ok = strlen(s->host) <= SESSION_HOST_MAX &&
             put_field(b, F_HOST, (const uint8_t *)s->host, strlen(s->host));
    ok =
        ok && put_cert(b, F_SIGN_CERT, s->peer_cert[0]) && put_cert(b, F_ENC_CERT, s->peer_cert[1]);
    ok = ok && (!s->overridden || put_field(b, F_VERIFY_REASON, reason, 2));
    if (ok && s->ticket != NULL) {
        uint8_t hint[4] = {(uint8_t)(s->ticket_hint >> 24), (uint8_t)(s->ticket_hint >> 16),
                           (uint8_t)(s->ticket_hint >> 8), (uint8_t)s->ticket_hint};
        ok = put_field(b, F_TICKET, s->ticket, s->ticket_len) &&
             put_field(b, F_TICKET_HINT, hint, 4);
    }
    return ok;
}

/* The whole export in `out` (a heap builder, wiped by tlcp_builder_cleanup). */
static int build_export(tlcp_builder *out, const tlcp_session *s)
{
    tlcp_builder body;
    if (!tlcp_builder_init(&body, 512, TLCP_SESSION_EXPORT_MAX))
        return 0;
    int ok =
        put_body(&body, s) && tlcp_builder_flush(&body) &&
        tlcp_builder_add_bytes(out, (const uint8_t *)SESSION_MAGIC, SESSION_MAGIC_LEN) &&
        tlcp_builder_add_u8(out, s->ticket != NULL ? SESSION_VERSION_TICKET : SESSION_VERSION) &&
        tlcp_builder_add_u32(out, (uint32_t)tlcp_builder_len(&body)) &&
        tlcp_builder_add_bytes(out, tlcp_builder_data(&body), tlcp_builder_len(&body));
    tlcp_builder_cleanup(&body);
    uint8_t check[TLCP_SM3_DIGEST_LEN];
    tlcp_error err;
    tlcp_error_clear(&err);
    return ok && tlcp_builder_flush(out) &&
           tlcp_sm3(tlcp_builder_data(out), tlcp_builder_len(out), check, &err) &&
           tlcp_builder_add_bytes(out, check, sizeof(check));
}

tlcp_result tlcp_session_export(const tlcp_session *s, uint8_t *out, size_t cap, size_t *out_len)
{
    if (s == NULL || out_len == NULL)
        return TLCP_ERROR;
    tlcp_builder b;
    if (!tlcp_builder_init(&b, 512, TLCP_SESSION_EXPORT_MAX))
        return TLCP_ERROR;
    tlcp_result r = TLCP_ERROR;
    if (build_export(&b, s)) {
        *out_len = tlcp_builder_len(&b);
        if (out != NULL && cap >= *out_len) {
            memcpy(out, tlcp_builder_data(&b), *out_len);
            r = TLCP_OK;
        }
    }
    tlcp_builder_cleanup(&b);
    return r;
}

/* ---- import ---- */

static uint64_t be_value(tlcp_cursor v)
{
    uint64_t x = 0;
    const uint8_t *p = tlcp_cursor_data(&v);
    for (size_t i = 0; i < tlcp_cursor_len(&v); i++)
        x = x << 8 | p[i];
    return x;
}

/* The body split into its fields; bit t of `seen` says field t is present. */
typedef struct session_fields {
    tlcp_cursor v[F_COUNT];
    unsigned seen;
} session_fields;

/* Splits the body into its fields, checking order, known types and sizes. */
static int split_fields(tlcp_cursor body, unsigned version, session_fields *f, tlcp_error *err)
{
    unsigned end = version == SESSION_VERSION ? F_TICKET : F_COUNT;
    static const size_t fixed_len[F_COUNT] = {
        [F_ID] = TLCP_SESSION_ID_LEN,
        [F_SUITE] = 2,
        [F_MASTER] = TLCP_MASTER_SECRET_LEN,
        [F_CREATED] = 8,
        [F_LIFETIME] = 4,
        [F_FLAGS] = 1,
        [F_VERIFY_REASON] = 2,
        [F_TICKET_HINT] = 4,
    };
    unsigned last = 0;
    while (!tlcp_cursor_is_empty(&body)) {
        uint8_t type;
        tlcp_cursor v;
        ENSURE(tlcp_cursor_get_u8(&body, &type) && tlcp_cursor_get_u16_prefixed(&body, &v), err,
               TLCP_R_SESSION_FORMAT, "session data: a field runs past the end");
        ENSURE(type > last && type < end, err, TLCP_R_SESSION_FORMAT,
               "session data: unknown or repeated field %u", type);
        ENSURE(fixed_len[type] == 0 || tlcp_cursor_len(&v) == fixed_len[type], err,
               TLCP_R_SESSION_FORMAT, "session data: field %u has %zu bytes, not %zu", type,
               tlcp_cursor_len(&v), fixed_len[type]);
        f->v[type] = v;
        f->seen |= 1u << type;
        last = type;
    }
    ENSURE((f->seen & F_REQUIRED) == F_REQUIRED, err, TLCP_R_SESSION_FORMAT,
           "session data: a required field is missing");
    int ticket = (f->seen >> F_TICKET) & 1, hint = (f->seen >> F_TICKET_HINT) & 1;
    ENSURE(ticket == hint && (version == SESSION_VERSION || ticket), err, TLCP_R_SESSION_FORMAT,
           "session data: a ticket needs its lifetime hint (and version 2 a ticket)");
    ENSURE(!ticket || (tlcp_cursor_len(&f->v[F_TICKET]) >= 1 &&
                       tlcp_cursor_len(&f->v[F_TICKET]) <= TLCP_TICKET_MAX_LEN),
           err, TLCP_R_SESSION_FORMAT, "session data: ticket of %zu bytes",
           tlcp_cursor_len(&f->v[F_TICKET]));
    return 1;
}

static int take_host(tlcp_session *s, const session_fields *f, int verified, tlcp_error *err)
{
    char host[SESSION_HOST_MAX + 1];
    const char *name = NULL;
    if (f->seen & (1u << F_HOST)) {
        size_t len = tlcp_cursor_len(&f->v[F_HOST]);
        ENSURE(len >= 1 && len <= SESSION_HOST_MAX, err, TLCP_R_SESSION_FORMAT,
               "session data: host name of %zu bytes", len);
        memcpy(host, tlcp_cursor_data(&f->v[F_HOST]), len);
        host[len] = '\0';
        ENSURE(strlen(host) == len, err, TLCP_R_SESSION_FORMAT,
               "session data: NUL in the host name");
        name = host;
    }
    ENSURE(tlcp_session_bind_peer(s, name, verified), err, TLCP_R_ALLOC, "out of memory");
    return 1;
}

static int take_cert(tlcp_cert **slot, const session_fields *f, int type, tlcp_error *err)
{
    if (!(f->seen & (1u << type)))
        return 1;
    tlcp_error local;
    tlcp_error_clear(&local);
    *slot = tlcp_cert_from_der(tlcp_cursor_data(&f->v[type]), tlcp_cursor_len(&f->v[type]), &local);
    ENSURE(*slot != NULL, err, local.reason == TLCP_R_ALLOC ? TLCP_R_ALLOC : TLCP_R_SESSION_FORMAT,
           "session data: peer certificate: %s", tlcp_error_message(&local));
    return 1;
}

static int take_ticket(tlcp_session *s, const session_fields *f, tlcp_error *err)
{
    if (!(f->seen & (1u << F_TICKET)))
        return 1;
    ENSURE(tlcp_session_set_ticket(s, tlcp_cursor_data(&f->v[F_TICKET]),
                                   tlcp_cursor_len(&f->v[F_TICKET]),
                                   (uint32_t)be_value(f->v[F_TICKET_HINT])),
           err, TLCP_R_ALLOC, "out of memory for the session ticket");
    return 1;
}

/* A session from checked fields; NULL on failure (err set). */
static tlcp_session *session_from_fields(const session_fields *f, tlcp_error *err)
{
    uint8_t flags = tlcp_cursor_data(&f->v[F_FLAGS])[0];
    uint64_t lifetime = be_value(f->v[F_LIFETIME]);
    uint64_t created = be_value(f->v[F_CREATED]);
    int overridden = (flags & SESSION_FLAG_OVERRIDE) != 0;
    int has_reason = (f->seen & (1u << F_VERIFY_REASON)) != 0;
    uint64_t reason = has_reason ? be_value(f->v[F_VERIFY_REASON]) : 0;
    if ((flags & ~(SESSION_FLAG_VERIFY | SESSION_FLAG_OVERRIDE)) != 0 ||
        flags == (SESSION_FLAG_VERIFY | SESSION_FLAG_OVERRIDE) || overridden != has_reason ||
        (has_reason && reason == TLCP_R_NONE) || lifetime == 0 || created > SESSION_CREATED_MAX) {
        TLCP_ERR(err, TLCP_R_SESSION_FORMAT,
                 "session data: bad flags or verify reason, zero lifetime or creation time out "
                 "of range");
        return NULL;
    }
    tlcp_cert *none[2] = {NULL, NULL};
    tlcp_session *s =
        tlcp_session_new(tlcp_cursor_data(&f->v[F_ID]), (uint16_t)be_value(f->v[F_SUITE]),
                         tlcp_cursor_data(&f->v[F_MASTER]), none);
    if (s == NULL) {
        TLCP_ERR(err, TLCP_R_ALLOC, "out of memory for a session");
        return NULL;
    }
    tlcp_session_set_times(s, (int64_t)created, (uint32_t)lifetime);
    if (overridden)
        tlcp_session_mark_overridden(s, (int)reason);
    if (!take_host(s, f, (flags & SESSION_FLAG_VERIFY) != 0, err) ||
        !take_cert(&s->peer_cert[0], f, F_SIGN_CERT, err) ||
        !take_cert(&s->peer_cert[1], f, F_ENC_CERT, err) || !take_ticket(s, f, err)) {
        tlcp_session_free(s);
        return NULL;
    }
    return s;
}

/* Header, length and checksum; on success *body is the body. */
static int check_envelope(const uint8_t *in, size_t len, tlcp_cursor *body, tlcp_error *err)
{
    ENSURE(len <= TLCP_SESSION_EXPORT_MAX, err, TLCP_R_SESSION_FORMAT,
           "session data of %zu bytes is larger than %u", len, (unsigned)TLCP_SESSION_EXPORT_MAX);
    ENSURE(len >= SESSION_MIN_LEN && memcmp(in, SESSION_MAGIC, SESSION_MAGIC_LEN) == 0, err,
           TLCP_R_SESSION_FORMAT, "not libtlcp session data");
    ENSURE(in[SESSION_MAGIC_LEN] == SESSION_VERSION ||
               in[SESSION_MAGIC_LEN] == SESSION_VERSION_TICKET,
           err, TLCP_R_SESSION_VERSION,
           "session data of format version %u; this libtlcp reads versions %u and %u",
           in[SESSION_MAGIC_LEN], SESSION_VERSION, SESSION_VERSION_TICKET);
    tlcp_cursor c;
    tlcp_cursor_init(&c, in + SESSION_MAGIC_LEN + 1, 4);
    uint64_t body_len = be_value(c);
    ENSURE(body_len == len - SESSION_MIN_LEN, err, TLCP_R_SESSION_FORMAT,
           "session data is truncated or has trailing bytes (%zu bytes, the header says %llu)", len,
           (unsigned long long)(body_len + SESSION_MIN_LEN));
    uint8_t check[TLCP_SM3_DIGEST_LEN];
    GUARD(tlcp_sm3(in, len - TLCP_SM3_DIGEST_LEN, check, err));
    ENSURE(tlcp_ct_equal(check, in + len - TLCP_SM3_DIGEST_LEN, TLCP_SM3_DIGEST_LEN), err,
           TLCP_R_SESSION_INTEGRITY, "session data is corrupted (checksum mismatch)");
    tlcp_cursor_init(body, in + SESSION_HEADER_LEN, (size_t)body_len);
    return 1;
}

tlcp_session *tlcp_session_decode(const uint8_t *in, size_t len, int64_t now, tlcp_error *err)
{
    tlcp_cursor body;
    session_fields f;
    memset(&f, 0, sizeof(f));
    ENSURE(in != NULL, err, TLCP_R_INVALID_ARGUMENT, "no session data");
    if (!check_envelope(in, len, &body, err) || !split_fields(body, in[SESSION_MAGIC_LEN], &f, err))
        return NULL;
    tlcp_session *s = session_from_fields(&f, err);
    if (s != NULL && tlcp_session_expired(s, now)) {
        TLCP_ERR(err, TLCP_R_SESSION_EXPIRED, "the session has expired");
        tlcp_session_free(s);
        s = NULL;
    }
    return s;
}

tlcp_result tlcp_session_import(const uint8_t *in, size_t len, tlcp_session **out, int *out_reason)
{
    tlcp_error err;
    tlcp_error_clear(&err);
    tlcp_session *s = out != NULL ? tlcp_session_decode(in, len, (int64_t)time(NULL), &err) : NULL;
    if (out_reason != NULL)
        *out_reason = s != NULL ? TLCP_R_NONE : out == NULL ? TLCP_R_INVALID_ARGUMENT : err.reason;
    if (out != NULL)
        *out = s;
    return s != NULL ? TLCP_OK : TLCP_ERROR;
}

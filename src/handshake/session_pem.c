/* SPDX-License-Identifier: Apache-2.0 */
/* PEM armour of exported sessions (tlcp_session_export_pem / _import_pem). */
#include <stdlib.h>
#include <string.h>

#include "handshake/session.h"
#include "util/base64.h"
#include "util/mem.h"

#define PEM_BEGIN "-----BEGIN TLCP SESSION PARAMETERS-----\n"
#define PEM_END   "-----END TLCP SESSION PARAMETERS-----\n"
#define PEM_LINE  64

/* Characters of the armoured text for `der_len` bytes (without NUL). */
static size_t pem_len(size_t der_len)
{
    size_t b64 = tlcp_base64_encoded_len(der_len);
    return strlen(PEM_BEGIN) + b64 + (b64 + PEM_LINE - 1) / PEM_LINE + strlen(PEM_END);
}

static size_t armour(const uint8_t *der, size_t der_len, char *out)
{
    size_t o = 0;
    memcpy(out, PEM_BEGIN, strlen(PEM_BEGIN));
    o += strlen(PEM_BEGIN);
    for (size_t i = 0; i < der_len; i += PEM_LINE / 4 * 3) {
        size_t chunk = der_len - i < PEM_LINE / 4 * 3 ? der_len - i : PEM_LINE / 4 * 3;
        o += tlcp_base64_encode(der + i, chunk, out + o);
        out[o++] = '\n';
    }
    memcpy(out + o, PEM_END, strlen(PEM_END));
    o += strlen(PEM_END);
    out[o] = '\0';
    return o;
}

tlcp_result tlcp_session_export_pem(const tlcp_session *s, char *out, size_t cap, size_t *out_len)
{
    if (s == NULL || out_len == NULL)
        return TLCP_ERROR;
    size_t der_len = 0;
    (void)tlcp_session_export(s, NULL, 0, &der_len); /* size query */
    if (der_len == 0)
        return TLCP_ERROR;
    *out_len = pem_len(der_len);
    if (out == NULL || cap < *out_len + 1)
        return TLCP_ERROR;
    uint8_t *der = malloc(der_len);
    if (der == NULL)
        return TLCP_ERROR;
    tlcp_result r = tlcp_session_export(s, der, der_len, &der_len);
    if (r == TLCP_OK)
        *out_len = armour(der, der_len, out);
    tlcp_free_secret(der, der_len);
    return r;
}

/* First occurrence of the NUL-terminated `needle` in text[0..len), or NULL
 * (the text itself need not be NUL-terminated). */
static const char *find_text(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++) {
        if (memcmp(text + i, needle, n) == 0)
            return text + i;
    }
    return NULL;
}

/* The text between the armour lines, or NULL. */
static const char *find_block(const char *text, size_t len, size_t *out_len)
{
    static const char begin_line[] = "-----BEGIN TLCP SESSION PARAMETERS-----";
    static const char end_line[] = "-----END TLCP SESSION PARAMETERS-----";
    const char *begin = text != NULL ? find_text(text, len, begin_line) : NULL;
    if (begin == NULL)
        return NULL;
    const char *body = begin + strlen(begin_line);
    const char *end = find_text(body, len - (size_t)(body - text), end_line);
    if (end == NULL)
        return NULL;
    *out_len = (size_t)(end - body);
    return body;
}

tlcp_result tlcp_session_import_pem(const char *text, size_t len, tlcp_session **out,
                                    int *out_reason)
{
    int reason = TLCP_R_SESSION_FORMAT;
    size_t b64_len = 0, der_len = 0;
    const char *b64 = find_block(text, len, &b64_len);
    uint8_t *der = b64 != NULL ? malloc(TLCP_SESSION_EXPORT_MAX) : NULL;
    tlcp_result r = TLCP_ERROR;
    if (b64 != NULL && der == NULL)
        reason = TLCP_R_ALLOC;
    else if (der != NULL &&
             tlcp_base64_decode(b64, b64_len, der, TLCP_SESSION_EXPORT_MAX, &der_len))
        r = tlcp_session_import(der, der_len, out, &reason);
    tlcp_free_secret(der, der != NULL ? TLCP_SESSION_EXPORT_MAX : 0);
    if (r != TLCP_OK && out != NULL)
        *out = NULL;
    if (out_reason != NULL)
        *out_reason = r == TLCP_OK ? TLCP_R_NONE : reason;
    return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ALPN settings of a tlcp_config. The comma-separated list is turned into
 * the extension data once, here, so the handshake sends and compares wire
 * bytes without converting anything per connection.
 */
#include <stdlib.h>
#include <string.h>

#include "conn_internal.h"
#include "handshake/msg_ext.h"
#include "util/bytes.h"

#define TLCP_ALPN_MAX_NAMES 32
/* 32 names of 255 bytes plus their length bytes and the list prefix. */
#define TLCP_ALPN_EXT_MAX (2 + TLCP_ALPN_MAX_NAMES * (1 + TLCP_ALPN_NAME_MAX))

static int name_char_ok(unsigned char ch)
{
    return ch >= 0x21 && ch <= 0x7E && ch != ',';
}

/* Checks one comma-separated item and appends it, length first. */
static int add_name(tlcp_config *cfg, tlcp_builder *list, const char *item, size_t len)
{
    if (len == 0 || len > TLCP_ALPN_NAME_MAX) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                 "ALPN protocol names have 1 to 255 bytes (an empty item or a stray comma?)");
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!name_char_ok((unsigned char)item[i])) {
            TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT,
                     "ALPN protocol name \"%.*s\": only visible ASCII, no spaces", (int)len, item);
            return 0;
        }
    }
    return tlcp_builder_add_u8(list, (uint8_t)len) &&
           tlcp_builder_add_bytes(list, (const uint8_t *)item, len);
}

static int build_list(tlcp_config *cfg, const char *protocols, uint8_t *mem, size_t *out_len)
{
    tlcp_builder b, list;
    tlcp_builder_init_fixed(&b, mem, TLCP_ALPN_EXT_MAX);
    GUARD(tlcp_builder_open_u16(&b, &list));
    size_t count = 0;
    for (const char *p = protocols;; p++) {
        size_t len = strcspn(p, ",");
        if (++count > TLCP_ALPN_MAX_NAMES) {
            TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "at most %d ALPN protocols",
                     TLCP_ALPN_MAX_NAMES);
            return 0;
        }
        GUARD(add_name(cfg, &list, p, len));
        p += len;
        if (*p == '\0')
            break;
    }
    GUARD(tlcp_builder_flush(&b));
    *out_len = tlcp_builder_len(&b);
    return 1;
}

tlcp_result tlcp_config_set_alpn(tlcp_config *cfg, const char *protocols)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    uint8_t *ext = NULL;
    size_t len = 0;
    if (protocols != NULL && protocols[0] != '\0') {
        ext = malloc(TLCP_ALPN_EXT_MAX);
        if (ext == NULL) {
            TLCP_ERR(&cfg->err, TLCP_R_ALLOC, "out of memory");
            return TLCP_ERROR;
        }
        if (!build_list(cfg, protocols, ext, &len)) {
            if (!tlcp_error_is_set(&cfg->err))
                TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "ALPN protocol list too long");
            free(ext);
            return TLCP_ERROR;
        }
    }
    tlcp_config_free_alpn(cfg);
    cfg->alpn_ext = ext;
    cfg->alpn_ext_len = len;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_alpn_required(tlcp_config *cfg, int required)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    cfg->alpn_required = required != 0;
    return TLCP_OK;
}

tlcp_result tlcp_config_set_alpn_select_cb(tlcp_config *cfg, tlcp_alpn_select_fn fn, void *arg)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    cfg->alpn_cb = fn;
    cfg->alpn_arg = arg;
    return TLCP_OK;
}

void tlcp_config_free_alpn(tlcp_config *cfg)
{
    free(cfg->alpn_ext);
    cfg->alpn_ext = NULL;
    cfg->alpn_ext_len = 0;
}

void tlcp_config_view_alpn_names(const tlcp_config *cfg, tlcp_hs_config *out)
{
    out->alpn_ext = cfg->alpn_ext;
    out->alpn_ext_len = cfg->alpn_ext_len;
    out->alpn_required = cfg->alpn_required;
    out->alpn_cb = cfg->alpn_cb;
    out->alpn_arg = cfg->alpn_arg;
    out->named_pairs = cfg->named_pairs;
    out->num_named_pairs = cfg->num_named_pairs;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The session ticket settings of tlcp_config (see tlcp.h). The key calls
 * work on a config in use: the key ring is locked (handshake/ticket_keys.c).
 */
#include "conn_internal.h"
#include "handshake/ticket.h"

#define TICKET_LIFETIME_MAX 604800

static int usable(tlcp_config *cfg)
{
    if (cfg == NULL)
        return 0;
    tlcp_error_clear(&cfg->err);
    return 1;
}

tlcp_result tlcp_config_set_session_tickets(tlcp_config *cfg, int enable)
{
    if (!tlcp_config_writable(cfg))
        return TLCP_ERROR;
    cfg->offer_tickets = enable != 0;
    if (!enable) {
        tlcp_ticket_keys_clear(cfg->ticket_keys);
        return TLCP_OK;
    }
    if (tlcp_ticket_keys_count(cfg->ticket_keys) > 0)
        return TLCP_OK;
    return tlcp_ticket_keys_add_random(cfg->ticket_keys, &cfg->err) ? TLCP_OK : TLCP_ERROR;
}

tlcp_result tlcp_config_add_ticket_key(tlcp_config *cfg,
                                       const uint8_t name[TLCP_TICKET_KEY_NAME_LEN],
                                       const uint8_t *secret, size_t secret_len)
{
    if (!usable(cfg))
        return TLCP_ERROR;
    if (name == NULL) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "no ticket key name");
        return TLCP_ERROR;
    }
    return tlcp_ticket_keys_add(cfg->ticket_keys, name, secret, secret_len, &cfg->err) ? TLCP_OK
                                                                                       : TLCP_ERROR;
}

tlcp_result tlcp_config_remove_ticket_key(tlcp_config *cfg,
                                          const uint8_t name[TLCP_TICKET_KEY_NAME_LEN])
{
    if (!usable(cfg))
        return TLCP_ERROR;
    if (name == NULL || !tlcp_ticket_keys_remove(cfg->ticket_keys, name)) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "no ticket key of that name");
        return TLCP_ERROR;
    }
    return TLCP_OK;
}

tlcp_result tlcp_config_load_ticket_keys(tlcp_config *cfg, const char *path)
{
    if (!usable(cfg))
        return TLCP_ERROR;
    if (path == NULL) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "no ticket key file");
        return TLCP_ERROR;
    }
    return tlcp_ticket_keys_load_file(cfg->ticket_keys, path, &cfg->err) ? TLCP_OK : TLCP_ERROR;
}

tlcp_result tlcp_config_set_ticket_lifetime(tlcp_config *cfg, uint32_t seconds)
{
    if (!usable(cfg))
        return TLCP_ERROR;
    if (seconds == 0 || seconds > TICKET_LIFETIME_MAX) {
        TLCP_ERR(&cfg->err, TLCP_R_INVALID_ARGUMENT, "ticket lifetime must be 1 to %d seconds",
                 TICKET_LIFETIME_MAX);
        return TLCP_ERROR;
    }
    pthread_mutex_lock(&cfg->ticket_keys->lock);
    cfg->ticket_keys->lifetime = seconds;
    pthread_mutex_unlock(&cfg->ticket_keys->lock);
    return TLCP_OK;
}

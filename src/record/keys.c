/* SPDX-License-Identifier: Apache-2.0 */
/* Key-block layout of tlcp-protocol.md §3: which bytes are whose keys. */
#include "record/record_internal.h"
#include "util/mem.h"

#define CBC_KEY_BLOCK_LEN 128 /* 2 x MAC(32) + 2 x key(16) + 2 x IV(16) */
#define GCM_KEY_BLOCK_LEN 40  /* 2 x key(16) + 2 x salt(4) */

size_t tlcp_key_block_len(int bulk)
{
    switch (bulk) {
    case TLCP_BULK_SM4_CBC_SM3:
        return CBC_KEY_BLOCK_LEN;
    case TLCP_BULK_SM4_GCM:
        return GCM_KEY_BLOCK_LEN;
    default:
        return 0;
    }
}

/* Cuts `n` bytes off the key block into `out`. */
static int take(tlcp_cursor *kb, uint8_t *out, size_t n)
{
    return tlcp_cursor_copy_bytes(kb, out, n);
}

int tlcp_record_keys_from_block(int bulk, const uint8_t *key_block, size_t len,
                                tlcp_record_keys *client_write, tlcp_record_keys *server_write)
{
    size_t need = tlcp_key_block_len(bulk);
    if (need == 0 || key_block == NULL || len < need || client_write == NULL ||
        server_write == NULL)
        return 0;
    tlcp_wipe(client_write, sizeof(*client_write));
    tlcp_wipe(server_write, sizeof(*server_write));
    client_write->bulk = bulk;
    server_write->bulk = bulk;

    tlcp_cursor kb;
    tlcp_cursor_init(&kb, key_block, need);
    if (bulk == TLCP_BULK_SM4_CBC_SM3) {
        /* client MAC, server MAC, client key, server key, client IV, server IV */
        GUARD(take(&kb, client_write->mac_key, 32));
        GUARD(take(&kb, server_write->mac_key, 32));
        GUARD(take(&kb, client_write->key, 16));
        GUARD(take(&kb, server_write->key, 16));
        GUARD(take(&kb, client_write->iv, 16));
        GUARD(take(&kb, server_write->iv, 16));
    } else {
        /* no MAC keys; the "IVs" are the 4-byte implicit nonce salts */
        GUARD(take(&kb, client_write->key, 16));
        GUARD(take(&kb, server_write->key, 16));
        GUARD(take(&kb, client_write->iv, 4));
        GUARD(take(&kb, server_write->iv, 4));
    }
    return tlcp_cursor_is_empty(&kb);
}

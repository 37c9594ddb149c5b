/* SPDX-License-Identifier: Apache-2.0 */
/* Key-block layout of tlcp-protocol.md §3: which bytes are whose keys. The
 * lengths come from the protection's row of the suite table. */
#include "record/record_internal.h"
#include "util/mem.h"

size_t tlcp_key_block_len(int bulk)
{
    return tlcp_protection_key_block_len(bulk);
}

/* Cuts `n` bytes off the key block into `out`. */
static int take(tlcp_cursor *kb, uint8_t *out, size_t n)
{
    return tlcp_cursor_copy_bytes(kb, out, n);
}

int tlcp_record_keys_from_block(int bulk, const uint8_t *key_block, size_t len,
                                tlcp_record_keys *client_write, tlcp_record_keys *server_write)
{
    const tlcp_protection *p = tlcp_protection_find(bulk);
    size_t need = tlcp_protection_key_block_len(bulk);
    if (p == NULL || key_block == NULL || len < need || client_write == NULL ||
        server_write == NULL || p->mac_key_len > sizeof(client_write->mac_key) ||
        p->key_len > sizeof(client_write->key) || p->iv_len > sizeof(client_write->iv))
        return 0;
    tlcp_wipe(client_write, sizeof(*client_write));
    tlcp_wipe(server_write, sizeof(*server_write));
    client_write->bulk = bulk;
    server_write->bulk = bulk;

    /* client MAC, server MAC, client key, server key, client IV, server IV;
     * GCM has no MAC keys and its "IVs" are the 4-byte implicit nonce salts */
    tlcp_cursor kb;
    tlcp_cursor_init(&kb, key_block, need);
    GUARD(take(&kb, client_write->mac_key, p->mac_key_len));
    GUARD(take(&kb, server_write->mac_key, p->mac_key_len));
    GUARD(take(&kb, client_write->key, p->key_len));
    GUARD(take(&kb, server_write->key, p->key_len));
    GUARD(take(&kb, client_write->iv, p->iv_len));
    GUARD(take(&kb, server_write->iv, p->iv_len));
    return tlcp_cursor_is_empty(&kb);
}
